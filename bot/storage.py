"""Interviews, answers and the event log in one SQLite file, through sqlite-utils.

Every input is saved in one transaction (event + changed answers + cursor) before the
adapter shows the next prompt, so a killed process loses nothing the user was told is saved.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from bot.core.engine import DONE, Input, State
from bot.core.model import Flow
from bot.core.reminders import DEFAULT_QUIET_DAYS, Candidate
from bot.errors import StorageError, UnknownInterview

migrations = Migrations("duizhao")


@migrations()
def m001_initial(db: Database) -> None:
    db["interviews"].create(
        {
            "id": int,
            "owner": str,
            "flow_id": str,
            "flow_version": int,
            "status": str,
            "cursor": str,
            "drafts": str,
            "return_to": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"owner", "flow_id", "status", "cursor"},
    )
    db["interviews"].create_index(["owner"])
    db["answers"].create(
        {"interview_id": int, "question_id": str, "value": str, "updated_at": str},
        pk=("interview_id", "question_id"),
        foreign_keys=[("interview_id", "interviews", "id")],
    )
    db["events"].create(
        {
            "id": int,
            "interview_id": int,
            "at": str,
            "step": str,
            "kind": str,
            "value": str,
            "source": str,
        },
        pk="id",
        foreign_keys=[("interview_id", "interviews", "id")],
    )
    db["events"].create_index(["interview_id"])
    # An update delivered twice (a restart before Telegram saw it confirmed) is applied once.
    db["events"].create_index(["source"], unique=True)
    db["owners"].create({"owner": str, "active_interview": int}, pk="owner")


@migrations()
def m002_inbox(db: Database) -> None:
    # Telegram updates are kept here from receipt until handled, so one that arrives just
    # before a crash is handled after the restart instead of being lost.
    db["inbox"].create(
        {"update_id": int, "chat": str, "body": str, "received_at": str}, pk="update_id"
    )
    db["settings"].create({"key": str, "value": str}, pk="key")


@migrations()
def m003_reminders(db: Database) -> None:
    db["interviews"].add_column("deadline", str)
    db["owners"].add_column("remind", int, not_null_default=1)
    db["owners"].add_column("quiet_days", int)
    db["owners"].add_column("blocked", int, not_null_default=0)
    # One row per reminder sent: the same reason is never sent twice, across restarts.
    db["reminders"].create(
        {"interview_id": int, "reason": str, "sent_at": str},
        pk=("interview_id", "reason"),
        foreign_keys=[("interview_id", "interviews", "id")],
    )


@migrations()
def m004_context(db: Database) -> None:
    db["interviews"].add_column("context", str)


@migrations()
def m005_imports(db: Database) -> None:
    # Last year's report between upload (or paste) and the user's confirmation.
    db["imports"].create(
        {"owner": str, "interview_id": int, "text": str, "parsed": str, "created_at": str},
        pk="owner",
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


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

    @property
    def finished(self) -> bool:
        return self.status == "finished"


class Storage:
    """The SQLite database of one installation; safe to share between threads."""

    def __init__(
        self,
        path: str | Path,
        clock: Callable[[], datetime] = _utcnow,
        timeout: float = 10.0,
    ):
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.RLock()
        if not self.path.parent.is_dir():
            raise StorageError(f"数据库所在的文件夹不存在：{self.path.parent}")
        if not self.path.exists():
            # The reports are sensitive: the file is readable by its owner only.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        # SQLite would open a read-only file read-only and fail only at the first answer.
        if not os.access(self.path, os.R_OK | os.W_OK):
            raise StorageError(f"数据库文件只读或没有权限，无法保存答案：{self.path}")
        try:
            # `timeout`: how long a write waits for another process's lock before failing.
            conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=timeout)
            problem = conn.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise StorageError(
                    f"数据库文件已损坏（{problem}）：{self.path}；请用备份恢复（见 README）"
                )
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed answer survives a power cut too, not only a killed process.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            # Deleted answers are overwritten, not left readable in free pages.
            conn.execute("PRAGMA secure_delete=ON")
            self.db = Database(conn)
            migrations.apply(self.db)
            # Reads have their own connection: in WAL mode they see the last commit without
            # waiting for a write's fsync, which would otherwise stall the bot's event loop.
            self._reader = Database(
                sqlite3.connect(str(self.path), check_same_thread=False, timeout=timeout)
            )
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"无法打开数据库 {self.path}：{exc}") from exc
        self._read_lock = threading.Lock()

    def close(self) -> None:
        self._reader.close()
        self.db.close()

    def backup(self, dest: str | Path) -> Path:
        """A consistent copy of this database, taken while it is in use; see `backup`."""
        return backup(self.path, dest)

    @contextmanager
    def _write(self) -> Iterator[Database]:
        with self._lock:
            try:
                with self.db.atomic():
                    yield self.db
            except sqlite3.OperationalError as exc:
                raise StorageError(f"无法写入数据库 {self.path}：{exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[Database]:
        """The reading connection; callers exhaust their cursors, so no read stays open and
        blocks the checkpoint that `delete` relies on."""
        with self._read_lock:
            yield self._reader

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

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
        the user sent, even text that was too long to accept.
        """
        now = self._now()
        status = _status(state)
        # Plain SQL on this path: sqlite-utils' table helpers read the schema on every call,
        # which costs more than the writes themselves.
        with self._write() as db:
            if source and db.execute("select 1 from events where source = ?", [source]).fetchone():
                return None
            db.execute(
                "insert into events (interview_id, at, step, kind, value, source) "
                "values (?, ?, ?, ?, ?, ?)",
                [interview.id, now, interview.state.cursor, inp.kind, inp.value, source],
            )
            _write_answers(db, interview.id, interview.state.answers, state.answers, now)
            db.execute(
                "update interviews set status = ?, cursor = ?, drafts = ?, return_to = ?, "
                "context = ?, updated_at = ? where id = ?",
                [
                    status,
                    state.cursor,
                    json.dumps(state.drafts, ensure_ascii=False),
                    state.return_to,
                    json.dumps(state.context, ensure_ascii=False),
                    now,
                    interview.id,
                ],
            )
        return replace(interview, status=status, state=state, updated_at=now)

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
            db["interviews"].delete(interview_id)
            db.execute(
                "update owners set active_interview = null where active_interview = ?",
                [interview_id],
            )
        # secure_delete zeroes the rows in the database file, but the WAL still holds earlier
        # copies of their pages: write the WAL back and empty it, so no trace is left.
        self.checkpoint()

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate it; False if a reader kept it."""
        with self._lock:
            busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy

    # -- deadlines and reminders --------------------------------------------------------------

    def set_deadline(self, interview_id: int, owner: str, deadline: date | None) -> Interview:
        self.get(interview_id, owner)
        with self._write() as db:
            value = deadline.isoformat() if deadline else None
            db["interviews"].update(interview_id, {"deadline": value})
        return self.get(interview_id)

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

    # -- last year's report, before it is confirmed ------------------------------------------

    def pending_import(self, owner: str) -> dict[str, Any] | None:
        """The owner's import in progress: interview_id, pasted text, parsed JSON."""
        with self._read() as db:
            rows = list(db.query("select * from imports where owner = ?", [owner]))
        return rows[0] if rows else None

    def put_import(
        self,
        owner: str,
        interview_id: int,
        text: str = "",
        parsed: str = "",
        source: str | None = None,
    ) -> None:
        """Keep the import in progress; `source` (a pasted piece's update) is noted with it,
        so a piece delivered twice can be recognised and kept once (see `seen`)."""
        with self._write() as db:
            db["imports"].upsert(
                {
                    "owner": owner,
                    "interview_id": interview_id,
                    "text": text,
                    "parsed": parsed,
                    "created_at": self._now(),
                },
                pk="owner",
            )
            if source:
                db["events"].insert(
                    {
                        "interview_id": interview_id,
                        "at": self._now(),
                        "step": "",
                        "kind": "paste",
                        "value": "",
                        "source": source,
                    }
                )

    def drop_import(self, owner: str) -> None:
        with self._write() as db:
            db["imports"].delete_where("owner = ?", [owner])

    # -- the Telegram inbox ------------------------------------------------------------------

    def inbox_put(self, updates: list[tuple[int, str, str]]) -> None:
        """Keep received updates (id, chat, JSON body) and remember the highest id."""
        if not updates:
            return
        now = self._now()
        with self._write() as db:
            db.conn.executemany(
                "insert or ignore into inbox (update_id, chat, body, received_at) "
                "values (?, ?, ?, ?)",
                [(u, chat, body, now) for u, chat, body in updates],
            )
            last = max(u for u, _, _ in updates)
            db.execute(
                "insert into settings (key, value) values ('telegram_offset', ?) "
                "on conflict (key) do update set value = excluded.value "
                "where cast(value as integer) < cast(excluded.value as integer)",
                [str(last + 1)],
            )

    def inbox_offset(self) -> int:
        """The getUpdates offset that confirms everything already kept."""
        with self._read() as db:
            row = db.execute("select value from settings where key = 'telegram_offset'").fetchone()
        return int(row[0]) if row else 0

    def inbox_pending(self) -> list[tuple[int, str]]:
        """Updates received but not yet handled, oldest first."""
        with self._read() as db:
            return list(db.execute("select update_id, body from inbox order by update_id"))

    def inbox_done(self, update_ids: list[int]) -> None:
        """Forget handled updates."""
        with self._write() as db:
            db.conn.executemany("delete from inbox where update_id = ?", [(u,) for u in update_ids])


def backup(source: str | Path, dest: str | Path) -> Path:
    """Copy a database that may be in use with SQLite's online backup API.

    The copy holds every transaction committed before it began and nothing half-written; it
    is one self-contained file (no -wal), readable by its owner only. `dest` must not exist.
    """
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise StorageError(f"数据库文件不存在：{source}")
    if not dest.parent.is_dir():
        raise StorageError(f"备份所在的文件夹不存在：{dest.parent}")
    try:
        os.close(os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise StorageError(f"{dest} 已经存在，不会覆盖它；请换一个文件名") from None
    try:
        src = sqlite3.connect(str(source), timeout=10)
        try:
            copy = sqlite3.connect(str(dest))
            try:
                src.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
                problem = copy.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                copy.close()
        finally:
            src.close()
        if problem != "ok":
            raise sqlite3.DatabaseError(problem)
    except sqlite3.DatabaseError as exc:
        for leftover in (dest, Path(f"{dest}-wal"), Path(f"{dest}-shm")):
            leftover.unlink(missing_ok=True)
        raise StorageError(f"备份 {source} 失败：{exc}") from exc
    return dest


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
    )
