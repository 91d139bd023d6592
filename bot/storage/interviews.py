"""Interviews, their answers and the event log: reading them, and the write path every input
takes (one transaction: event + changed answers + cursor)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlite_utils import Database

from bot.core.model import Flow
from bot.core.state import DONE, Input, State
from bot.errors import StaleInterview, UnknownInterview
from bot.storage.connection import Connection


@dataclass(frozen=True)
class Interview:
    """One stored interview: who, which flow, and where they are."""

    id: int
    owner: str
    flow_id: str
    flow_version: int
    status: str
    state: State
    created_at: str
    updated_at: str
    deadline: date | None = None
    # Bumped by every save; a save computed from an older version is refused.
    version: int = 0

    @property
    def finished(self) -> bool:
        return self.status == "finished"


class InterviewRows(Connection):
    """Interviews and answers; each write is one transaction."""

    # -- reading ---------------------------------------------------------------------------

    def get(self, interview_id: int, owner: str | None = None) -> Interview:
        """The interview; raises UnknownInterview if it is missing or someone else's."""
        with self._read() as db:
            rows = list(db.query("select * from interviews where id = ?", [interview_id]))
            if not rows or (owner is not None and rows[0]["owner"] != owner):
                raise UnknownInterview(f"没有编号为 {interview_id} 的材料")
            answers = {
                key: json.loads(value)
                for key, value in db.execute(
                    "select question_id, value from answers where interview_id = ?",
                    [interview_id],
                )
            }
        return _interview(rows[0], answers)

    def active(self, owner: str) -> Interview | None:
        """The owner's current interview, if any."""
        with self._read() as db:
            row = db.execute(
                "select active_interview from owners where owner = ?", [owner]
            ).fetchone()
        if not row or row[0] is None:
            return None
        try:
            return self.get(row[0], owner)
        except UnknownInterview:
            return None

    def list(self, owner: str) -> list[Interview]:
        """The owner's interviews, newest activity first."""
        with self._read() as db:
            ids = [
                r["id"]
                for r in db["interviews"].rows_where(
                    "owner = ?", [owner], order_by="updated_at desc, id desc"
                )
            ]
        return [self.get(i) for i in ids]

    def events(self, interview_id: int) -> list[dict[str, Any]]:
        with self._read() as db:
            return list(db["events"].rows_where("interview_id = ?", [interview_id], order_by="id"))

    def seen(self, source: str) -> bool:
        """Whether an input from this source (e.g. a Telegram update) was already saved."""
        with self._read() as db:
            return bool(db.execute("select 1 from events where source = ?", [source]).fetchone())

    # -- writing ---------------------------------------------------------------------------

    def create(self, owner: str, flow: Flow, state: State, source: str | None = None) -> Interview:
        """A new interview, made the owner's active one; `source` seen before: that one."""
        now = self._now()
        with self._write() as db:
            if source and (
                seen := db.execute(
                    "select interview_id from events where source = ?", [source]
                ).fetchone()
            ):
                return self.get(seen[0])
            table = db["interviews"]
            table.insert(
                {
                    "owner": owner,
                    "flow_id": flow.id,
                    "flow_version": flow.version,
                    "status": _status(state),
                    "cursor": state.cursor,
                    "drafts": json.dumps(state.drafts, ensure_ascii=False),
                    "return_to": state.return_to,
                    "context": json.dumps(state.context, ensure_ascii=False),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            interview_id = table.last_pk
            _write_answers(db, interview_id, {}, state.answers, now)
            db["events"].insert(
                {
                    "interview_id": interview_id,
                    "at": now,
                    "step": "",
                    "kind": "start",
                    "value": "",
                    "source": source,
                }
            )
            db["owners"].upsert({"owner": owner, "active_interview": interview_id}, pk="owner")
        return self.get(interview_id)

    def save(
        self, interview: Interview, inp: Input, state: State, source: str | None = None
    ) -> Interview | None:
        """Record one input and the state it led to, atomically; None if `source` was seen.

        Refused inputs are logged too (with the state unchanged): the log keeps every word
        the user sent, even text that was too long to accept. Raises StaleInterview, writing
        nothing, when the interview was saved since `interview` was read.
        """
        now = self._now()
        status = _status(state)
        # Plain SQL on this path: sqlite-utils' table helpers read the schema on every call,
        # which costs more than the writes themselves.
        with self._write() as db:
            if source and db.execute("select 1 from events where source = ?", [source]).fetchone():
                return None
            updated = db.execute(
                "update interviews set status = ?, cursor = ?, drafts = ?, return_to = ?, "
                "context = ?, updated_at = ?, version = version + 1 "
                "where id = ? and version = ?",
                [
                    status,
                    state.cursor,
                    json.dumps(state.drafts, ensure_ascii=False),
                    state.return_to,
                    json.dumps(state.context, ensure_ascii=False),
                    now,
                    interview.id,
                    interview.version,
                ],
            ).rowcount
            if not updated:
                raise StaleInterview(f"材料 {interview.id} 已在别处修改")
            db.execute(
                "insert into events (interview_id, at, step, kind, value, source) "
                "values (?, ?, ?, ?, ?, ?)",
                [interview.id, now, interview.state.cursor, inp.kind, inp.value, source],
            )
            _write_answers(db, interview.id, interview.state.answers, state.answers, now)
        return replace(
            interview, status=status, state=state, updated_at=now, version=interview.version + 1
        )

    def activate(self, owner: str, interview_id: int) -> Interview:
        interview = self.get(interview_id, owner)
        with self._write() as db:
            db["owners"].upsert({"owner": owner, "active_interview": interview_id}, pk="owner")
        return interview

    def delete(self, interview_id: int, owner: str) -> None:
        """Remove an interview with its answers and its event log, for good."""
        self.get(interview_id, owner)
        with self._write() as db:
            db["answers"].delete_where("interview_id = ?", [interview_id])
            db["events"].delete_where("interview_id = ?", [interview_id])
            db["reminders"].delete_where("interview_id = ?", [interview_id])
            db["imports"].delete_where("interview_id = ?", [interview_id])
            # What was submitted from it goes too: deleting is the owner's last word.
            db["submissions"].delete_where("interview_id = ?", [interview_id])
            db.execute(
                "update meeting_members set interview_id = null where interview_id = ?",
                [interview_id],
            )
            db["interviews"].delete(interview_id)
            db.execute(
                "update owners set active_interview = null where active_interview = ?",
                [interview_id],
            )
        # secure_delete zeroes the rows in the database file, but the WAL still holds earlier
        # copies of their pages: write the WAL back and empty it, so no trace is left.
        self.checkpoint()

    def set_deadline(self, interview_id: int, owner: str, deadline: date | None) -> Interview:
        self.get(interview_id, owner)
        with self._write() as db:
            value = deadline.isoformat() if deadline else None
            db["interviews"].update(interview_id, {"deadline": value})
        return self.get(interview_id)


def _status(state: State) -> str:
    return "finished" if state.cursor == DONE else "active"


def _write_answers(
    db: Database, interview_id: int, old: dict[str, Any], new: dict[str, Any], now: str
) -> None:
    """Write only what changed: one row per question id."""
    changed = [
        (interview_id, key, json.dumps(value, ensure_ascii=False), now)
        for key, value in new.items()
        if key not in old or old[key] != value
    ]
    db.conn.executemany(
        "insert into answers (interview_id, question_id, value, updated_at) values (?, ?, ?, ?) "
        "on conflict (interview_id, question_id) "
        "do update set value = excluded.value, updated_at = excluded.updated_at",
        changed,
    )
    db.conn.executemany(
        "delete from answers where interview_id = ? and question_id = ?",
        [(interview_id, key) for key in old.keys() - new.keys()],
    )


def _interview(row: dict[str, Any], answers: dict[str, Any]) -> Interview:
    state = State(
        answers=answers,
        cursor=row["cursor"],
        drafts=json.loads(row["drafts"] or "{}"),
        return_to=row["return_to"],
        context=json.loads(row.get("context") or "{}"),
    )
    return Interview(
        id=row["id"],
        owner=row["owner"],
        flow_id=row["flow_id"],
        flow_version=row["flow_version"],
        status=row["status"],
        state=state,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        deadline=date.fromisoformat(row["deadline"]) if row.get("deadline") else None,
        version=row.get("version") or 0,
    )
