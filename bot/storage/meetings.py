"""Meetings of a 班子: the meeting, its members, their submissions and the reminders sent.

Rules (who may see what) live in bot/meetings.py; this module only reads and writes rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.storage.connection import Connection


@dataclass(frozen=True)
class Meeting:
    """One meeting: its flow, name, deadline, organiser and current invite code."""

    id: int
    code: str
    flow_id: str
    name: str
    deadline: date
    organiser: str
    organiser_name: str
    roster: tuple[str, ...]
    created_at: str
    team_interview: int | None = None


@dataclass(frozen=True)
class Membership:
    """A member of a meeting (a co-organiser is one too), and the interview they write."""

    meeting_id: int
    owner: str
    name: str
    role: str
    interview_id: int | None
    joined_at: str


@dataclass(frozen=True)
class Submission:
    """A member's answers as they were when submitted."""

    meeting_id: int
    owner: str
    interview_id: int
    answers: dict[str, Any]
    submitted_at: str


class MeetingRows(Connection):
    """Meetings, members, submissions; each write is one transaction."""

    # -- meetings ----------------------------------------------------------------------------

    def create_meeting(
        self,
        organiser: str,
        flow_id: str,
        name: str,
        deadline: date,
        code: str,
        roster: tuple[str, ...] = (),
        organiser_name: str = "",
    ) -> Meeting:
        with self._write() as db:
            table = db["meetings"]
            table.insert(
                {
                    "code": code,
                    "flow_id": flow_id,
                    "name": name,
                    "deadline": deadline.isoformat(),
                    "organiser": organiser,
                    "organiser_name": organiser_name,
                    "roster": json.dumps(list(roster), ensure_ascii=False),
                    "created_at": self._now(),
                }
            )
            meeting_id = table.last_pk
        return self.meeting(meeting_id)

    def meeting(self, meeting_id: int) -> Meeting | None:
        return self._one("select * from meetings where id = ?", [meeting_id])

    def meeting_by_code(self, code: str) -> Meeting | None:
        return self._one("select * from meetings where code = ?", [code])

    def replace_code(self, meeting_id: int, code: str) -> Meeting:
        with self._write() as db:
            db.execute("update meetings set code = ? where id = ?", [code, meeting_id])
        return self.meeting(meeting_id)

    def set_team_interview(self, meeting_id: int, interview_id: int) -> None:
        with self._write() as db:
            db.execute(
                "update meetings set team_interview = ? where id = ?", [interview_id, meeting_id]
            )

    def meetings_of(self, owner: str) -> list[Meeting]:
        """Meetings the owner organises or belongs to, newest first."""
        with self._read() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "select id from meetings where organiser = ? union "
                    "select meeting_id from meeting_members where owner = ? order by 1 desc",
                    [owner, owner],
                )
            ]
        return [m for m in (self.meeting(i) for i in ids) if m]

    def open_meetings(self, today: date) -> list[Meeting]:
        """Meetings whose deadline has not passed."""
        with self._read() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "select id from meetings where deadline >= ? order by id", [today.isoformat()]
                )
            ]
        return [m for m in (self.meeting(i) for i in ids) if m]

    def _one(self, sql: str, params: list[Any]) -> Meeting | None:
        with self._read() as db:
            rows = list(db.query(sql, params))
        if not rows:
            return None
        row = rows[0]
        return Meeting(
            id=row["id"],
            code=row["code"],
            flow_id=row["flow_id"],
            name=row["name"],
            deadline=date.fromisoformat(row["deadline"]),
            organiser=row["organiser"],
            organiser_name=row["organiser_name"] or "",
            roster=tuple(json.loads(row["roster"] or "[]")),
            created_at=row["created_at"],
            team_interview=row["team_interview"],
        )

    # -- members -----------------------------------------------------------------------------

    def add_member(self, meeting_id: int, owner: str, name: str) -> Membership:
        """The owner joins (joining twice keeps the first membership)."""
        with self._write() as db:
            db.execute(
                "insert or ignore into meeting_members (meeting_id, owner, name, role, joined_at) "
                "values (?, ?, ?, 'member', ?)",
                [meeting_id, owner, name, self._now()],
            )
        return self.membership(meeting_id, owner)

    def membership(self, meeting_id: int, owner: str) -> Membership | None:
        with self._read() as db:
            rows = list(
                db.query(
                    "select * from meeting_members where meeting_id = ? and owner = ?",
                    [meeting_id, owner],
                )
            )
        return Membership(**rows[0]) if rows else None

    def members(self, meeting_id: int) -> list[Membership]:
        with self._read() as db:
            rows = list(
                db.query(
                    "select * from meeting_members where meeting_id = ? order by joined_at, owner",
                    [meeting_id],
                )
            )
        return [Membership(**r) for r in rows]

    def memberships_of_interview(self, interview_id: int) -> list[Membership]:
        with self._read() as db:
            rows = list(
                db.query("select * from meeting_members where interview_id = ?", [interview_id])
            )
        return [Membership(**r) for r in rows]

    def set_role(self, meeting_id: int, owner: str, role: str) -> None:
        with self._write() as db:
            db.execute(
                "update meeting_members set role = ? where meeting_id = ? and owner = ?",
                [role, meeting_id, owner],
            )

    def attach(self, meeting_id: int, owner: str, interview_id: int, deadline: date) -> None:
        """The member writes this interview for the meeting; it takes the meeting's deadline."""
        with self._write() as db:
            db.execute(
                "update meeting_members set interview_id = ? where meeting_id = ? and owner = ?",
                [interview_id, meeting_id, owner],
            )
            db.execute(
                "update interviews set deadline = ? where id = ? and owner = ?",
                [deadline.isoformat(), interview_id, owner],
            )

    def remove_member(self, meeting_id: int, owner: str) -> None:
        """Leave: the membership and the submission go, in one transaction."""
        with self._write() as db:
            for table in ("submissions", "meeting_reminders", "meeting_members"):
                db.execute(
                    f"delete from {table} where meeting_id = ? and owner = ?", [meeting_id, owner]
                )

    # -- submissions -------------------------------------------------------------------------

    def submit(
        self, meeting_id: int, owner: str, interview_id: int, answers: dict[str, Any]
    ) -> Submission:
        with self._write() as db:
            db.execute(
                "insert into submissions (meeting_id, owner, interview_id, answers, submitted_at) "
                "values (?, ?, ?, ?, ?) on conflict (meeting_id, owner) do update set "
                "interview_id = excluded.interview_id, answers = excluded.answers, "
                "submitted_at = excluded.submitted_at",
                [
                    meeting_id,
                    owner,
                    interview_id,
                    json.dumps(answers, ensure_ascii=False),
                    self._now(),
                ],
            )
        return self.submission(meeting_id, owner)

    def withdraw(self, meeting_id: int, owner: str) -> bool:
        with self._write() as db:
            gone = db.execute(
                "delete from submissions where meeting_id = ? and owner = ?", [meeting_id, owner]
            ).rowcount
        return gone > 0

    def submission(self, meeting_id: int, owner: str) -> Submission | None:
        found = self._submissions(
            "select * from submissions where meeting_id = ? and owner = ?", [meeting_id, owner]
        )
        return found[0] if found else None

    def submissions(self, meeting_id: int) -> list[Submission]:
        return self._submissions(
            "select * from submissions where meeting_id = ? order by submitted_at, owner",
            [meeting_id],
        )

    def _submissions(self, sql: str, params: list[Any]) -> list[Submission]:
        with self._read() as db:
            rows = list(db.query(sql, params))
        return [Submission(**{**r, "answers": json.loads(r["answers"])}) for r in rows]

    # -- reminders ---------------------------------------------------------------------------

    def meeting_reminders_sent(self, meeting_id: int, owner: str) -> frozenset[str]:
        with self._read() as db:
            rows = db.execute(
                "select reason from meeting_reminders where meeting_id = ? and owner = ?",
                [meeting_id, owner],
            ).fetchall()
        return frozenset(r[0] for r in rows)

    def reachable(self, owner: str) -> bool:
        """Reminders on and the bot not blocked (an owner never seen is reachable)."""
        with self._read() as db:
            row = db.execute(
                "select remind, blocked from owners where owner = ?", [owner]
            ).fetchone()
        return row is None or (bool(row[0]) and not row[1])

    def record_meeting_reminder(
        self, meeting_id: int, owner: str, reasons: tuple[str, ...]
    ) -> bool:
        """Note reminders as sent; False if all had been already."""
        now = self._now()
        added = 0
        with self._write() as db:
            for reason in reasons:
                added += db.execute(
                    "insert or ignore into meeting_reminders (meeting_id, owner, reason, sent_at) "
                    "values (?, ?, ?, ?)",
                    [meeting_id, owner, reason, now],
                ).rowcount
        return added > 0

    # -- the /meeting new conversation -------------------------------------------------------

    def meeting_draft(self, owner: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute("select data from meeting_drafts where owner = ?", [owner]).fetchone()
        return json.loads(row[0]) if row else None

    def put_meeting_draft(self, owner: str, data: dict[str, Any] | None) -> None:
        with self._write() as db:
            if data is None:
                db.execute("delete from meeting_drafts where owner = ?", [owner])
            else:
                db["meeting_drafts"].upsert(
                    {
                        "owner": owner,
                        "data": json.dumps(data, ensure_ascii=False),
                        "created_at": self._now(),
                    },
                    pk="owner",
                )
