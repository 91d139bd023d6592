"""Deadlines and reminder settings per owner, and which reminders were sent."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.reminders import DEFAULT_QUIET_DAYS, Candidate
from bot.storage.connection import Connection


class ReminderRows(Connection):
    """Deadlines, reminder settings and the record of reminders sent."""

    def set_reminders(self, owner: str, enabled: bool) -> None:
        with self._write() as db:
            db.execute("insert or ignore into owners (owner) values (?)", [owner])
            db.execute("update owners set remind = ? where owner = ?", [int(enabled), owner])

    def set_blocked(self, owner: str, blocked: bool) -> None:
        """A user who blocked the bot gets no reminders until they write again."""
        with self._write() as db:
            db.execute("update owners set blocked = ? where owner = ?", [int(blocked), owner])

    def reminders_enabled(self, owner: str) -> bool:
        with self._read() as db:
            row = db.execute("select remind from owners where owner = ?", [owner]).fetchone()
        return bool(row[0]) if row else True

    def reminder_candidates(self) -> list[tuple[str, Candidate]]:
        """Each owner's active, unfinished interview, with what was already sent for it."""
        with self._read() as db:
            rows = db.execute(
                """
                select i.id, i.owner, i.updated_at, i.deadline, o.remind, o.blocked,
                       o.quiet_days, group_concat(r.reason, char(31))
                from owners o join interviews i on i.id = o.active_interview
                left join reminders r on r.interview_id = i.id
                where i.status != 'finished'
                group by i.id
                """
            ).fetchall()
        return [
            (
                owner,
                Candidate(
                    interview_id=iid,
                    updated_at=datetime.fromisoformat(updated),
                    deadline=date.fromisoformat(deadline) if deadline else None,
                    finished=False,
                    sent=frozenset(sent.split("\x1f")) if sent else frozenset(),
                    enabled=bool(remind),
                    blocked=bool(blocked),
                    quiet_days=quiet_days or DEFAULT_QUIET_DAYS,
                ),
            )
            for iid, owner, updated, deadline, remind, blocked, quiet_days, sent in rows
        ]

    def record_reminder(self, interview_id: int, reasons: tuple[str, ...]) -> bool:
        """Note reminders as sent; False if all had been (another process, a restart)."""
        now = self._now()
        added = 0
        with self._write() as db:
            for reason in reasons:
                added += db.execute(
                    "insert or ignore into reminders (interview_id, reason, sent_at) "
                    "values (?, ?, ?)",
                    [interview_id, reason, now],
                ).rowcount
        return added > 0
