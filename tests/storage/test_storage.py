"""Storage: every input committed with its answers, resumable from a fresh connection."""

from __future__ import annotations

import sqlite3

import pytest

from bot.core import engine
from bot.core.state import Input
from bot.errors import StorageError, UnknownInterview
from bot.service import Interviews
from bot.storage import Storage


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "duizhao.db"


@pytest.fixture
def service(db_path, small_flow):
    return Interviews(Storage(db_path), {"small": small_flow})


def test_answers_survive_a_new_connection(service, db_path, small_flow):
    outcome = service.start("alice", "small")
    for inp in [Input("skip"), Input.text("学习不够"), Input.text("草稿")]:
        outcome = service.answer(outcome.interview, inp)
    again = Interviews(Storage(db_path), {"small": small_flow}).active("alice")
    assert again.state.answers == {
        "good": None,
        "problems": [{"summary": "学习不够", "case": "草稿"}],
    }
    assert again.state.cursor == outcome.interview.state.cursor == "problems[+]"


def test_every_input_is_logged_even_refused_ones(service):
    outcome = service.start("alice", "small")
    outcome = service.answer(outcome.interview, Input.text("好" * 60))
    assert outcome.reply.error
    kinds = [(e["kind"], e["value"]) for e in service.storage.events(outcome.interview.id)]
    assert kinds == [("start", ""), ("text", "好" * 60)]


def test_a_source_is_applied_once(service):
    outcome = service.start("alice", "small")
    first = service.answer(outcome.interview, Input("skip"), source="tg:1")
    assert first is not None
    assert service.answer(first.interview, Input.text("学习不够"), source="tg:1") is None
    assert service.storage.get(first.interview.id).state.cursor == "problems[0].summary"


def test_one_active_interview_per_owner_and_owners_are_separate(service):
    a1 = service.start("alice", "small").interview
    a2 = service.start("alice", "small").interview
    b1 = service.start("bob", "small").interview
    assert service.active("alice").id == a2.id
    assert service.active("bob").id == b1.id
    service.storage.activate("alice", a1.id)
    assert service.active("alice").id == a1.id
    assert [i.id for i in service.storage.list("alice")] == [a2.id, a1.id]
    with pytest.raises(UnknownInterview):
        service.storage.get(b1.id, owner="alice")


def test_delete_removes_rows_and_log(service, db_path):
    interview = service.start("alice", "small").interview
    service.answer(interview, Input("skip"))
    service.storage.delete(interview.id, "alice")
    conn = sqlite3.connect(db_path)
    for table in ("interviews", "answers", "events"):
        assert conn.execute(f"select count(*) from {table}").fetchone()[0] == 0
    assert service.active("alice") is None


def test_finished_status_is_stored(service, small_flow):
    answers = {
        "good": None,
        "problems": [{"summary": "学习不够", "case": None}],
        "area": "学习",
        "tags": ["a"],
        "has_more": False,
        "unit": "某镇",
    }
    interview = service.storage.create("alice", small_flow, engine.adopt(small_flow, answers))
    assert interview.state.cursor == "review"
    outcome = service.answer(interview, Input.choose("done"))
    assert outcome.interview.finished
    assert service.storage.get(interview.id).status == "finished"


def test_removed_answers_are_deleted_and_changed_ones_rewritten(service):
    outcome = service.start("alice", "small")
    outcome = service.answer(outcome.interview, Input.text("好"))
    outcome = service.answer(outcome.interview, Input("done"))
    outcome = service.answer(outcome.interview, Input("restart"))
    assert "good" not in service.storage.get(outcome.interview.id).state.answers


def test_wal_and_schema_version(service, db_path):
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in conn.execute("select name from _sqlite_migrations")]
    assert names == [
        "m001_initial",
        "m002_inbox",
        "m003_reminders",
        "m004_context",
        "m005_imports",
        "m006_versions",
        "m007_import_pasting",
        "m008_inbox_attempts",
        "m009_updates_seen",
        "m010_web_links",
        "m011_meetings",
    ]


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(StorageError, match="数据库所在的文件夹不存在"):
        Storage(tmp_path / "nope" / "x.db")


def test_a_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError, match="无法打开数据库"):
        Storage(path)


def test_the_inbox_offset_confirms_the_highest_update_kept_and_never_goes_back(db_path):
    storage = Storage(db_path)
    storage.inbox_put([(5, "c1", "{}"), (6, "c2", "{}")])
    assert storage.inbox_offset() == 7
    storage.inbox_put([(3, "c1", "{}")])  # a late one: kept, the offset stays
    assert storage.inbox_offset() == 7
    storage.inbox_put([(5, "c1", '{"again": 1}'), (10, "c1", "{}")])  # 5 delivered twice
    assert storage.inbox_offset() == 11
    assert storage.inbox_pending() == [(3, "{}"), (5, "{}"), (6, "{}"), (10, "{}")]
    storage.inbox_done([5])
    assert [u for u, _ in Storage(db_path).inbox_pending()] == [3, 6, 10]
