"""The connection to one SQLite file: opened and checked at start, a lock for writes, a
separate connection for reads, and the clock that stamps rows."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from bot.errors import StorageError
from bot.storage.backup import backup
from bot.storage.schema import migrations, unknown_migrations


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Connection:
    """One SQLite file, opened, checked and migrated; safe to share between threads."""

    def __init__(
        self,
        path: str | Path,
        clock: Callable[[], datetime] = _utcnow,
        timeout: float = 10.0,
        create: bool = True,
    ):
        """`create`: make the file if it is missing; commands that only read pass False, so a
        mistyped path is an error, not a new empty database."""
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.RLock()
        if not self.path.parent.is_dir():
            raise StorageError(f"数据库所在的文件夹不存在：{self.path.parent}")
        if not create and not self.path.is_file():
            raise StorageError(f"数据库文件不存在：{self.path}（请检查 --db 或 BOT_DB）")
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
            if newer := unknown_migrations(self.db):
                raise StorageError(
                    f"数据库 {self.path} 由更新版本的 duizhao 建立（本程序不认识其中的"
                    f"{'、'.join(newer)}），为免损坏数据没有使用它；请升级 duizhao 后再试"
                )
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
        """One write transaction. It takes the write lock when it begins (IMMEDIATE): a
        transaction that read first and must then upgrade gets SQLITE_BUSY at once when
        another process wrote meanwhile, without the busy timeout's wait."""
        with self._lock:
            try:
                if self.db.conn.in_transaction:  # nested in another write: a savepoint
                    with self.db.atomic():
                        yield self.db
                    return
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                except BaseException:
                    self.db.conn.rollback()
                    raise
                self.db.conn.commit()
            except sqlite3.OperationalError as exc:
                if self.db.conn.in_transaction:
                    self.db.conn.rollback()
                raise StorageError(f"无法写入数据库 {self.path}：{exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[Database]:
        """The reading connection; callers exhaust their cursors, so no read stays open and
        blocks the checkpoint that `delete` relies on."""
        with self._read_lock:
            yield self._reader

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate it; False if a reader kept it."""
        with self._lock:
            busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy
