"""When to remind a user of an unfinished interview: pure rules over stored times.

Reminders are computed from the last activity and the deadline kept in the database, so a
restarted bot neither forgets nor repeats them: each reason is recorded once it is sent,
and a quiet-period reason carries the activity time it is about.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_QUIET_DAYS = 2
QUIET_HOURS = (22, 8)  # no messages from 22:00 to 08:00 local time


@dataclass(frozen=True)
class Candidate:
    """An interview as the reminder rules see it."""

    interview_id: int
    updated_at: dt.datetime
    deadline: dt.date | None
    finished: bool
    sent: frozenset[str]
    enabled: bool = True
    blocked: bool = False
    tz: str = DEFAULT_TZ
    quiet_days: int = DEFAULT_QUIET_DAYS


def in_quiet_hours(local: dt.datetime) -> bool:
    start, end = QUIET_HOURS
    return local.hour >= start or local.hour < end


def days_left(deadline: dt.date, now: dt.datetime, tz: str = DEFAULT_TZ) -> int:
    return (deadline - now.astimezone(ZoneInfo(tz)).date()).days


def due(c: Candidate, now: dt.datetime) -> tuple[str, ...]:
    """The reasons to remind now (one message covers them all); a reason already in
    `c.sent` is never due again."""
    if c.finished or not c.enabled or c.blocked:
        return ()
    local = now.astimezone(ZoneInfo(c.tz))
    if in_quiet_hours(local):
        return ()
    reasons = []
    if c.deadline is not None:
        left = (c.deadline - local.date()).days
        if 0 <= left <= 1:
            reasons.append("deadline-1")
        elif 1 < left <= 3:
            reasons.append("deadline-3")
    if now - c.updated_at >= dt.timedelta(days=c.quiet_days):
        reasons.append(f"quiet-{c.updated_at.isoformat(timespec='seconds')}")
    return tuple(r for r in reasons if r not in c.sent)


NOT_A_DATE, NO_SUCH_DATE, PASSED = "not a date", "no such date", "passed"
NOT_SOON = "not this year or the next"  # 2月29日 between leap years
_FULL = re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$")
_SHORT = re.compile(r"^(\d{1,2})[-./月](\d{1,2})日?$")


def parse_deadline(text: str, today: dt.date) -> dt.date | None:
    """`2026-12-20`, `2026年12月20日`, `12月20日`, `12-20`; a date without a year is the next
    one to come. None if the text is no date, no such date, or one that has passed."""
    return read_deadline(text, today)[0]


def read_deadline(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    """The date, or None and why: NOT_A_DATE, NO_SUCH_DATE (2月30日), NOT_SOON (2月29日
    when neither this year nor the next has one) or PASSED."""
    text = text.strip().replace(" ", "")
    if m := _FULL.match(text):
        year, month, day = (int(g) for g in m.groups())
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None, NO_SUCH_DATE
        return (date, "") if date >= today else (None, PASSED)
    if m := _SHORT.match(text):
        month, day = (int(g) for g in m.groups())
        for year in (today.year, today.year + 1):
            try:
                date = dt.date(year, month, day)
            except ValueError:
                continue
            if date >= today:
                return date, ""
        return None, NOT_SOON if (month, day) == (2, 29) else NO_SUCH_DATE
    return None, NOT_A_DATE
