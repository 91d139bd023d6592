"""Two processes (or two consoles) on one database: writes wait for each other, and no save
overwrites one it did not see."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from bot.core.state import Input
from bot.service import Interviews
from bot.storage import Storage


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "duizhao.db"


def _service(db_path, flow) -> Interviews:
    return Interviews(Storage(db_path, timeout=10.0), {"small": flow})


def test_a_write_waits_for_another_connections_write_instead_of_failing(db_path, small_flow):
    """A deferred transaction that reads first cannot wait for the lock (SQLite answers
    SQLITE_BUSY at once when a read must become a write); each save begins immediate."""
    mine = _service(db_path, small_flow)
    interview = mine.start("alice", "small").interview
    failures: list[Exception] = []

    def hammer() -> None:
        other = sqlite3.connect(db_path, timeout=10.0, isolation_level=None)
        for i in range(300):
            other.execute("begin immediate")
            other.execute("insert or replace into settings (key, value) values ('k', ?)", [i])
            other.execute("commit")

    thread = threading.Thread(target=hammer)
    thread.start()
    current = interview
    for i in range(60):
        try:
            outcome = mine.answer(current, Input("back" if i % 2 else "skip"), source=f"t:{i}")
            current = outcome.interview if outcome else current
        except Exception as exc:  # noqa: BLE001 - counted below
            failures.append(exc)
    thread.join()
    assert failures == []


def test_two_consoles_never_lose_an_answer_both_were_told_was_saved(db_path, small_flow):
    first = _service(db_path, small_flow)
    second = _service(db_path, small_flow)
    started = first.start("alice", "small").interview
    a = first.answer(started, Input("skip")).interview  # both now at problems[0].summary
    b = second.active("alice")
    assert b.state.cursor == a.state.cursor == "problems[0].summary"
    a = first.answer(a, Input.text("学习不够")).interview  # first console answers it
    outcome = second.answer(b, Input.text("调研太少"))  # second one still shows the old question
    stored = second.storage.get(started.id)
    # The second console's text went to the question it was shown, or was refused with a
    # message; the answer the first console confirmed is still there either way.
    assert stored.state.answers["problems"][0]["summary"] == "学习不够"
    assert "另一" in (outcome.reply.error or "")
    assert outcome.interview == stored


def test_a_stale_save_on_the_same_question_is_recomputed_from_the_fresh_state(db_path, small_flow):
    first = _service(db_path, small_flow)
    second = _service(db_path, small_flow)
    started = first.start("alice", "small").interview
    b = second.active("alice")  # at `good`
    refused = first.answer(started, Input.text("好" * 60))  # over its limit: logged, not applied
    assert refused.reply.error and refused.interview.version > b.version
    outcome = second.answer(b, Input.text("第二段"))
    assert second.storage.get(started.id).state.answers["good"] == "第二段"
    assert outcome.interview == second.storage.get(started.id)


def test_every_save_bumps_the_version(db_path, small_flow):
    service = _service(db_path, small_flow)
    interview = service.start("alice", "small").interview
    after = service.answer(interview, Input("skip")).interview
    assert after.version == interview.version + 1 == service.storage.get(interview.id).version
