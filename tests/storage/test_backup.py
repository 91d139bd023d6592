"""Backups of a live database, and the database file when something is wrong with it.

`duizhao backup PATH` copies with SQLite's online backup API while the bot writes; a database
that is missing its folder, read-only, corrupt or locked gives a clear error at start-up or is
waited for, never a silent loss; one input is one transaction, all of it or none.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import bot.storage.interviews as storage_module
from bot.cli import main
from bot.core.state import Input, State
from bot.errors import StorageError
from bot.flows import load_all
from bot.service import Interviews
from bot.storage import Storage, backup
from bot.telegram import texts as say
from bot.telegram.app import build_application
from bot.telegram.config import BotConfig
from bot.telegram.inbox import Inbox
from tests.e2e.botprocess import TOKEN, BotProcess
from tests.e2e.fakeapi import FakeBotAPI


def answers_in(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("select question_id, value from answers"))


def dump(db: Path) -> list:
    with sqlite3.connect(db) as conn:
        return [
            conn.execute(f"select * from {table} order by 1").fetchall()
            for table in ("interviews", "answers", "events", "owners")
        ]


class Writer(threading.Thread):
    """Saves one answer after another, each its own transaction, noting what committed."""

    def __init__(self, storage: Storage, flow) -> None:
        super().__init__(daemon=True)
        self.storage = storage
        self.interview = storage.create("console:w", flow, State(answers={}, cursor="q0"))
        self.committed: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        interview, i = self.interview, 0
        while not self.halt.is_set():
            answers = {**interview.state.answers, f"q{i}": f"第{i}个答案"}
            interview = self.storage.save(
                interview, Input.text(f"第{i}个答案"), State(answers=answers, cursor=f"q{i + 1}")
            )
            self.committed.append(f"q{i}")
            i += 1

    def __enter__(self) -> Writer:
        self.start()
        while len(self.committed) < 20:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.halt.set()
        self.join(10)


def assert_consistent_copy(copy: Path, committed: list[str]) -> None:
    with sqlite3.connect(copy) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        answers = dict(conn.execute("select question_id, value from answers"))
        events = conn.execute("select count(*) from events where kind = 'text'").fetchone()[0]
        cursor = conn.execute("select cursor from interviews").fetchone()[0]
    assert set(committed) <= answers.keys(), "an answer committed before the copy is missing"
    # Each input is one transaction: its event, its answer and the cursor, or none of them.
    assert events == len(answers)
    assert cursor == f"q{len(answers)}"
    assert all(answers[f"q{i}"] == f'"第{i}个答案"' for i in range(len(answers)))


def test_a_backup_taken_while_another_thread_writes_has_every_committed_answer(
    tmp_path, small_flow
):
    storage = Storage(tmp_path / "live.db")
    with Writer(storage, small_flow) as writer:
        for n in range(5):
            committed = list(writer.committed)
            copy = storage.backup(tmp_path / f"copy{n}.db")
            assert_consistent_copy(copy, committed)
            assert oct(copy.stat().st_mode & 0o777) == "0o600"
            assert not Path(f"{copy}-wal").exists()  # one self-contained file
    assert len(writer.committed) > 20


def test_duizhao_backup_copies_a_database_another_process_writes(tmp_path, small_flow):
    storage = Storage(tmp_path / "live.db")
    with Writer(storage, small_flow) as writer:
        committed = list(writer.committed)
        result = subprocess.run(
            [sys.executable, "-m", "bot", "backup", str(tmp_path / "b.db")],
            env={**os.environ, "BOT_DB": str(tmp_path / "live.db")},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"已备份到 {tmp_path / 'b.db'}"
    assert_consistent_copy(tmp_path / "b.db", committed)


def test_a_backup_never_overwrites_a_file(tmp_path, small_flow, capsys):
    storage = Storage(tmp_path / "live.db")
    storage.create("console:a", small_flow, State(answers={}, cursor="q0"))
    existing = tmp_path / "precious.db"
    existing.write_bytes(b"do not touch")
    with pytest.raises(StorageError, match="已经存在"):
        storage.backup(existing)
    assert main(["backup", str(existing), "--db", str(tmp_path / "live.db")]) == 1
    assert "已经存在，不会覆盖它" in capsys.readouterr().err
    assert existing.read_bytes() == b"do not touch"


def test_a_backup_of_a_missing_or_broken_database_is_refused_and_leaves_nothing(tmp_path):
    with pytest.raises(StorageError, match="不存在"):
        backup(tmp_path / "nothing.db", tmp_path / "b1.db")
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database" * 100)
    with pytest.raises(StorageError, match="失败"):
        backup(broken, tmp_path / "b2.db")
    with pytest.raises(StorageError, match="文件夹不存在"):
        backup(broken, tmp_path / "no" / "b3.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.db"]


def test_restore_is_copying_the_backup_over_the_database(tmp_path, small_flow):
    service = Interviews(Storage(tmp_path / "live.db"), {"small": small_flow})
    outcome = service.start("console:r", "small")
    outcome = service.answer(outcome.interview, Input.text("备份前的答案"))
    service.storage.backup(tmp_path / "b.db")
    service.answer(outcome.interview, Input("done"))
    service.storage.close()
    # The README's steps: stop the bot, copy the backup over the database file.
    for leftover in ("live.db-wal", "live.db-shm"):
        (tmp_path / leftover).unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "b.db", tmp_path / "live.db")
    restored = Interviews(Storage(tmp_path / "live.db"), {"small": small_flow}).active("console:r")
    assert restored.state.answers["good"] == "备份前的答案"
    assert restored.state.cursor == outcome.interview.state.cursor  # the later step is gone
    # Or point BOT_DB at the backup itself.
    assert Storage(tmp_path / "b.db").active("console:r").state.answers["good"] == "备份前的答案"


# -- the database file when something is wrong with it ----------------------------------------


def run_bot(db: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    """`duizhao run` against a closed port: it must stop at the database, before any network."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--db",
            str(db),
            "--api-base-url",
            "http://127.0.0.1:9/bot",
        ],
        env={**os.environ, "BOT_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, needle: str) -> None:
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip().splitlines()
    assert len(output) == 1, output
    assert needle in output[0]
    assert "Traceback" not in output[0] and TOKEN not in output[0]


def test_a_missing_folder_is_a_clear_error_at_start_up(tmp_path):
    assert_one_line_error(run_bot(tmp_path / "no" / "such" / "x.db"), "文件夹不存在")
    assert not (tmp_path / "no").exists()


def test_a_corrupt_database_is_a_clear_error_at_start_up(tmp_path, small_flow):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(64 * 1024))
    assert_one_line_error(run_bot(garbage), "无法打开数据库")
    # A real database with a damaged page: SQLite opens it, the check at start-up does not.
    storage = Storage(tmp_path / "damaged.db")
    storage.create("console:x", small_flow, State(answers={"a": "答" * 3000}, cursor="q0"))
    storage.checkpoint()
    storage.close()
    data = bytearray((tmp_path / "damaged.db").read_bytes())
    page = 4096
    data[2 * page : 4 * page] = os.urandom(2 * page)
    (tmp_path / "damaged.db").write_bytes(bytes(data))
    result = run_bot(tmp_path / "damaged.db")
    assert_one_line_error(result, "数据库")
    assert "损坏" in result.stderr or "malformed" in result.stderr or "无法打开" in result.stderr


@contextmanager
def read_only(path: Path):
    """The file made read-only in a way that binds the current user (root ignores modes)."""
    path.chmod(0o400)
    immutable = False
    if os.geteuid() == 0:
        immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
        if not immutable:
            path.chmod(0o600)
            pytest.skip("running as root without chattr: a read-only file cannot be made")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o600)


def test_a_read_only_database_is_a_clear_error_at_start_up(tmp_path, small_flow):
    db = tmp_path / "ro.db"
    Storage(db).close()
    with read_only(db):
        with pytest.raises(StorageError, match="只读"):
            Storage(db)
        assert_one_line_error(run_bot(db), "只读")


def test_a_locked_database_is_waited_for_then_refused_with_nothing_half_saved(tmp_path, small_flow):
    db = tmp_path / "locked.db"
    service = Interviews(Storage(db, timeout=0.3), {"small": small_flow})
    interview = service.start("console:l", "small").interview
    before = dump(db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('begin exclusive'); print('locked', flush=True); time.sleep(1.5)\n"
            "c.execute('commit')",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StorageError, match="locked"):
            service.answer(interview, Input.text("锁住时的答案"), "tg:1")
        assert dump(db) == before
    finally:
        holder.wait(10)
    # Once the other process lets go, the same input goes through.
    outcome = service.answer(interview, Input.text("锁住时的答案"), "tg:1")
    assert outcome.interview.state.answers["good"] == "锁住时的答案"


def test_a_failure_inside_a_save_leaves_nothing_of_it(tmp_path, small_flow, monkeypatch):
    db = tmp_path / "s.db"
    service = Interviews(Storage(db), {"small": small_flow})
    outcome = service.start("console:f", "small")
    outcome = service.answer(outcome.interview, Input("skip"))
    before = dump(db)
    original = storage_module._write_answers

    def fails_after_writing(*args):
        original(*args)  # the event and the answer are written, then the disk "fails"
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(storage_module, "_write_answers", fails_after_writing)
    with pytest.raises(StorageError, match="disk I/O error"):
        service.answer(outcome.interview, Input.text("学习不够"), "tg:9")
    assert dump(db) == before
    assert not service.storage.seen("tg:9")
    monkeypatch.undo()
    again = service.answer(outcome.interview, Input.text("学习不够"), "tg:9")
    assert again.interview.state.answers["problems"] == [{"summary": "学习不够"}]


def test_a_bot_whose_database_is_locked_answers_once_it_is_free(tmp_path):
    """Another process holds the write lock while the user answers: the bot waits for it
    (SQLite's busy timeout), then saves and replies; nothing is lost or doubled."""
    with FakeBotAPI() as api:
        bot = BotProcess(api, tmp_path / "bot.db", tmp_path / "bot.log").start()
        try:
            user = api.user(5151)
            user.send("/remind off")  # a write of its own, no interview needed
            assert user.wait_reply().text == say.REMIND_OFF
            lock = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
            lock.execute("begin exclusive")
            user.send("/remind on")
            time.sleep(2)
            assert not user._fresh(), "the bot replied while the database was locked"
            lock.execute("commit")
            lock.close()
            assert user.wait_reply(timeout=15).text == say.REMIND_ON
            api.wait_idle()
            with sqlite3.connect(tmp_path / "bot.db") as conn:
                assert conn.execute("select remind from owners").fetchall() == [(1,)]
                assert conn.execute("select count(*) from inbox").fetchone() == (0,)
            assert [m.text for m in user.messages].count(say.REMIND_ON) == 1
            assert " ERROR " not in bot.output() and "Traceback" not in bot.output()
        finally:
            bot.stop()


class FlakyStorage(Storage):
    """Fails the first write of the inbox each way, as a locked database would."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.failures = {"put": 1, "done": 1}

    def _fail(self, what: str) -> None:
        if self.failures[what]:
            self.failures[what] -= 1
            raise StorageError("无法写入数据库：database is locked")

    def inbox_put(self, updates):
        self._fail("put")
        return super().inbox_put(updates)

    def inbox_done(self, update_ids):
        self._fail("done")
        return super().inbox_done(update_ids)


def test_the_inbox_retries_writes_the_database_refused(tmp_path):
    with FakeBotAPI() as api:
        storage = FlakyStorage(tmp_path / "f.db")
        config = BotConfig(
            token=TOKEN, db=tmp_path / "f.db", api_base_url=api.base_url, remind_interval=0
        )
        app = build_application(Interviews(storage, load_all()), config)
        loop = asyncio.new_event_loop()
        stop = asyncio.Event()

        async def serve() -> None:
            async with app:
                await app.start()
                await Inbox(app, storage, poll_timeout=1).run(stop)
                await app.stop()

        thread = threading.Thread(target=loop.run_until_complete, args=(serve(),))
        thread.start()
        try:
            user = api.user(6161)
            user.send("/help")
            assert user.wait_reply(timeout=15).text == say.HELP
            api.wait_idle(timeout=15)
            time.sleep(1.5)  # the retried inbox_done
            assert storage.inbox_pending() == []
            assert storage.failures == {"put": 0, "done": 0}
            assert [m.text for m in user.messages] == [say.HELP]  # handled once
        finally:
            loop.call_soon_threadsafe(stop.set)
            thread.join(30)
            loop.close()
            storage.close()
