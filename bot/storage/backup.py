"""A consistent copy of a database that may be in use."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bot.errors import StorageError


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
