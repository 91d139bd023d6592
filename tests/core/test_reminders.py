"""Reminder rules and deadline parsing, with the clock as a parameter."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.reminders import Candidate, due, parse_deadline

SH = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH)  # a Tuesday morning in Beijing


def at(days: float = 0, hour: int = 10) -> dt.datetime:
    return (START + dt.timedelta(days=days)).replace(hour=hour)


def candidate(**changes) -> Candidate:
    base = {
        "interview_id": 1,
        "updated_at": START,
        "deadline": None,
        "finished": False,
        "sent": frozenset(),
    }
    return Candidate(**{**base, **changes})


QUIET = "quiet-2026-12-01T10:00:00+08:00"

CASES = [
    ("nothing before the quiet period", candidate(), at(1), ()),
    ("quiet period over", candidate(), at(2), (QUIET,)),
    ("quiet reminder only once", candidate(sent=frozenset({QUIET})), at(3), ()),
    ("not at night", candidate(), at(2, hour=23), ()),
    ("not before eight", candidate(), at(3, hour=7), ()),
    ("at eight again", candidate(), at(3, hour=8), (QUIET,)),
    ("not when finished", candidate(finished=True), at(5), ()),
    ("not when turned off", candidate(enabled=False), at(5), ()),
    ("not when blocked", candidate(blocked=True), at(5), ()),
    ("a user-set quiet period", candidate(quiet_days=4), at(3), ()),
    ("three days before", candidate(deadline=at(4).date()), at(1), ("deadline-3",)),
    ("not four days before", candidate(deadline=at(5).date()), at(1), ()),
    (
        "one day before, with the quiet reminder in one message",
        candidate(deadline=at(3).date(), sent=frozenset({"deadline-3"})),
        at(2),
        ("deadline-1", QUIET),
    ),
    ("the day itself counts as the last", candidate(deadline=at(0).date()), at(0), ("deadline-1",)),
    (
        "late in the deadline's day",
        candidate(deadline=at(1).date()),
        at(1, hour=21),
        ("deadline-1",),
    ),
    (
        "a deadline set late skips the 3-day one",
        candidate(deadline=at(1).date()),
        at(0),
        ("deadline-1",),
    ),
    ("not after the deadline", candidate(deadline=at(0).date()), at(1), ()),
]


@pytest.mark.parametrize(
    ("c", "now", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_due(c, now, expected):
    assert due(c, now) == expected


TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-20", dt.date(2026, 12, 20)),
        ("2026年12月20日", dt.date(2026, 12, 20)),
        ("12月20日", dt.date(2026, 12, 20)),
        ("12-20", dt.date(2026, 12, 20)),
        ("1月8日", dt.date(2027, 1, 8)),
        ("11月23日", TODAY),
        ("2026-11-01", None),
        ("2月30日", None),
        ("下周五", None),
        ("", None),
    ],
)
def test_parse_deadline(text, expected):
    assert parse_deadline(text, TODAY) == expected


def test_a_leap_day_after_it_has_passed_and_dates_that_do_not_exist():
    from bot.core.reminders import NO_SUCH_DATE, NOT_SOON, PASSED, read_deadline

    after_leap_day = dt.date(2024, 3, 1)
    assert read_deadline("2月29日", after_leap_day) == (None, NOT_SOON)
    assert read_deadline("2月29日", dt.date(2027, 3, 1)) == (dt.date(2028, 2, 29), "")
    assert read_deadline("2月30日", after_leap_day) == (None, NO_SUCH_DATE)
    assert read_deadline("2024-02-30", after_leap_day) == (None, NO_SUCH_DATE)
    assert read_deadline("2024-02-28", after_leap_day) == (None, PASSED)
