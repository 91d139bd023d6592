"""Privacy and access: one user never reaches another's interview; deletion leaves no trace in
the database files; the files are the owner's alone; the token never reaches a log; the allow
list holds for every kind of update."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.core import steps, texts
from bot.core.state import Input
from bot.flows import load_all
from bot.service import Interviews
from bot.storage import Storage
from bot.telegram import texts as say
from bot.telegram.view import ACTION_CODES
from tests.e2e.botprocess import TOKEN, BotProcess
from tests.e2e.fakeapi import FakeBotAPI, FakeUser, _Callback

FLOWS = load_all()
FLOW = FLOWS["2022-liuge"]
SECRET = "SECRET-7f3a-机密答案"
_ids = iter(range(40_000, 50_000))


@pytest.fixture(scope="module")
def bot(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("privacy")
    bot = BotProcess(api, folder / "bot.db", folder / "bot.log").start()
    yield bot
    bot.stop()
    assert TOKEN not in bot.output()


def interview_of(db: Path, user_id: int) -> tuple[int, str] | None:
    """The user's active interview: id and cursor."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select i.id, i.cursor from owners o join interviews i on i.id = o.active_interview "
            "where o.owner = ?",
            [f"tg:{user_id}"],
        ).fetchone()


def dump(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return "\n".join(
            str(conn.execute(f"select * from {t} order by 1").fetchall())
            for t in ("interviews", "answers", "owners")
        )


def to_first_long_answer(user: FakeUser, db: Path) -> None:
    """Start the 2022 flow and answer, as a hurried user, up to its first long answer."""
    user.send("/start")
    user.wait_for(lambda m: m.buttons and any(FLOW.title in b for row in m.buttons for b in row))
    user.click(FLOW.title)
    user.wait_for(lambda m: "第1/" in (m.text or "") and m.buttons)
    for _ in range(20):
        interview_id, cursor = interview_of(db, user.id)
        with sqlite3.connect(db) as conn:
            answers = {
                q: json.loads(v)
                for q, v in conn.execute(
                    "select question_id, value from answers where interview_id = ?",
                    [interview_id],
                )
            }
        step = next(s for s in steps.walk(FLOW, answers) if s.key == cursor)
        if step.asked.kind == "long_text":
            return
        if step.asked.kind == "yesno":
            user.click(texts.NO)
        elif step.asked.kind == "choice":
            user.click(step.asked.options[0].label)
        else:
            user.click(texts.ACTION_SKIP)
        user.wait_reply()
    raise AssertionError("no long answer in the first questions")


def write_secret(user: FakeUser, db: Path, secret: str = SECRET) -> None:
    to_first_long_answer(user, db)
    user.send(secret)
    user.wait_for(lambda m: "已收到" in (m.text or "") or "已保存" in (m.text or ""))


# -- one user, another's interview ------------------------------------------------------------


def test_a_user_cannot_see_edit_export_delete_or_resume_anothers_interview(api, bot):
    victim, thief = api.user(next(_ids)), api.user(next(_ids))
    write_secret(victim, bot.db)
    victim_id, victim_step = interview_of(bot.db, victim.id)
    before = dump(bot.db)
    log_start = len(bot.output())

    # Without an interview of their own: every command shows nothing of the victim's.
    for command in ("/list", "/resume", "/status", "/preview", "/export", "/report", "/edit"):
        thief.send(command)
        thief.wait_reply()
    thief.send("/delete")
    assert thief.wait_reply().text == say.LIST_EMPTY
    # Forged buttons naming the victim's interview: resume, ask to delete, delete, keep, and
    # every engine action on the victim's current step; and guessed ids around it.
    thief.send("/start")
    thief.wait_for(lambda m: m.buttons)
    forged = [f"{victim_id}||{a}|" for a in "rxyz"]
    forged += [f"{victim_id}|{victim_step}|{code}|" for code in ACTION_CODES.values()]
    forged += [f"{victim_id}|{victim_step}|o|yes", f"{victim_id}|{victim_step}|e|"]
    forged += [f"{i}||r|" for i in range(max(1, victim_id - 3), victim_id + 4)]
    for data in forged:
        thief.click_data(data, thief.last.message_id)
        thief.wait_for(lambda m: m.text.startswith(say.STALE_NOTHING[:8]))
    api.wait_idle()
    assert dump(bot.db) == before
    assert interview_of(bot.db, thief.id) is None
    seen = "\n".join(
        [m.text or "" for m in thief.messages]
        + [m.document.data.decode("utf-8", "replace") for m in thief.messages if m.document]
    )
    assert SECRET not in seen and "SECRET" not in seen

    # With an interview of their own, the same forgeries still reach only their own.
    to_first_long_answer(thief, bot.db)
    own_id = interview_of(bot.db, thief.id)[0]
    before = dump(bot.db)
    for data in (d for d in forged if d != f"{own_id}||r|"):
        thief.click_data(data, thief.last.message_id)
        thief.wait_for(lambda m: m.text.startswith("这个按钮已经过期"))
    thief.send("/export")
    export = thief.wait_for(lambda m: m.document)
    assert SECRET not in export.document.data.decode("utf-8")
    api.wait_idle()
    assert dump(bot.db) == before
    assert interview_of(bot.db, victim.id) == (victim_id, victim_step)
    assert " ERROR " not in bot.output()[log_start:]


# -- deletion leaves no trace ---------------------------------------------------------------------


def file_bytes(db: Path) -> bytes:
    return b"".join(
        Path(f"{db}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-journal")
        if Path(f"{db}{suffix}").exists()
    )


def traces(db: Path, secret: str = SECRET) -> list[str]:
    """Where the secret, or a piece of it, is still in the database file or its WAL."""
    data = file_bytes(db)
    return [p for p in (secret, *secret.split("-")) if p.encode("utf-8") in data]


def test_delete_in_the_chat_leaves_no_trace_in_the_database_files(api, bot):
    user = api.user(next(_ids))
    secret = "DELETEME5c1e-要删除的答案"  # its own: other tests' secrets stay in this database
    write_secret(user, bot.db, secret)
    user.send(secret + "，第二段")  # a second answer holding it
    user.wait_for(lambda m: "已收到" in (m.text or "") or "已保存" in (m.text or ""))
    user.send("长" * 5000 + secret)  # refused as too long, but logged as an event
    user.wait_for(lambda m: "内容太长" in (m.text or ""))
    api.wait_idle()
    assert traces(bot.db, secret), "the test must see the secret before the deletion"
    user.send("/delete")
    user.wait_for(lambda m: m.text == say.DELETE_PICK)
    user.click("#")
    user.wait_for(lambda m: "确定删除" in (m.text or ""))
    user.click(say.DELETE_YES)
    user.wait_for(lambda m: m.text == say.DELETED)
    api.wait_idle()
    assert interview_of(bot.db, user.id) is None
    assert traces(bot.db, secret) == []


def seeded(db: Path, owner: str) -> int:
    service = Interviews(Storage(db), FLOWS)
    outcome = service.start(owner, FLOW.id)
    service.answer(outcome.interview, Input.text(SECRET))
    service.storage.close()
    return outcome.interview.id


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60
    )


def test_duizhao_delete_shows_what_it_deletes_and_needs_yes(tmp_path):
    db = tmp_path / "d.db"
    interview_id = seeded(db, "tg:4242")
    other = seeded(db, "tg:4343")

    shown = cli("delete", str(interview_id), "--db", str(db), "--owner", "tg:4242")
    assert shown.returncode == 1
    assert f"材料 #{interview_id}：{FLOW.title}" in shown.stdout
    assert "所有者：tg:4242" in shown.stdout
    assert "--yes" in shown.stderr
    assert traces(db)

    # The owner check: a mistyped id must not delete someone else's interview.
    wrong = cli("delete", str(other), "--db", str(db), "--owner", "tg:4242", "--yes")
    assert wrong.returncode == 1 and "不属于 tg:4242" in wrong.stderr
    mine = cli("delete", str(interview_id), "--db", str(db), "--yes")  # default: console user
    assert mine.returncode == 1 and "--owner tg:4242" in mine.stderr
    missing = cli("delete", "999", "--db", str(db), "--yes")
    assert missing.returncode == 1 and "没有编号为 999 的材料" in missing.stderr

    done = cli("delete", str(interview_id), "--db", str(db), "--owner", "tg:4242", "--yes")
    assert done.returncode == 0, done.stderr
    assert f"已删除材料 #{interview_id}" in done.stdout
    storage = Storage(db)
    assert [i.id for i in storage.list("tg:4242")] == []
    assert [i.id for i in storage.list("tg:4343")] == [other]
    storage.delete(other, "tg:4343")
    storage.close()
    assert traces(db) == []


# -- the files are the owner's ---------------------------------------------------------------------


def test_the_database_files_are_readable_by_their_owner_only(tmp_path, small_flow):
    old = os.umask(0o022)
    try:
        service = Interviews(Storage(tmp_path / "m.db"), {"small": small_flow})
        outcome = service.start("console:m", "small")
        service.answer(outcome.interview, Input.text("答案"))
        for name in ("m.db", "m.db-wal", "m.db-shm"):
            assert oct((tmp_path / name).stat().st_mode & 0o777) == "0o600", name
        service.storage.backup(tmp_path / "copy.db")
        assert oct((tmp_path / "copy.db").stat().st_mode & 0o777) == "0o600"
    finally:
        os.umask(old)


def test_the_bots_database_is_created_private(bot):
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{bot.db}{suffix}")
        assert oct(path.stat().st_mode & 0o777) == "0o600", path.name


# -- the token ---------------------------------------------------------------------------------------


def test_the_token_never_reaches_the_log_when_telegram_refuses_it(tmp_path):
    with FakeBotAPI(token="987654321:AAanothertokenanothertokenanother99") as api:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run", "--db", str(tmp_path / "t.db")],
            env={**os.environ, "BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": api.base_url},
            capture_output=True,
            text=True,
            timeout=60,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert "不接受这个 BOT_TOKEN" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "Traceback" not in output


def test_the_token_never_reaches_the_log_when_telegram_is_unreachable(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--db", str(tmp_path / "t.db")],
        env={**os.environ, "BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": "http://127.0.0.1:9/bot"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert output.strip().splitlines() == [output.strip()]  # one line
    assert "无法连接 Telegram" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


def test_the_token_never_reaches_the_log_or_the_chat_in_operation(api, bot):
    user = api.user(next(_ids))
    to_first_long_answer(user, bot.db)
    api.fail_next("sendMessage", code=400, description="Bad Request: injected failure")
    user.send("一段答案")
    user.wait_for(
        lambda m: m.text == say.ERROR or ("已收到" in (m.text or "") or "已保存" in (m.text or "")),
        timeout=15,
    )
    api.fail_next("sendMessage", code=502)
    user.send("/status")
    time.sleep(1)
    user.send("/help")
    user.wait_for(lambda m: m.text == say.HELP)
    api.wait_idle()
    assert "ERROR" in bot.output()  # the injected failure was logged …
    assert TOKEN not in bot.output() and TOKEN.split(":")[1] not in bot.output()  # … redacted
    assert all(TOKEN not in (m.text or "") for m in user.messages)


# -- the allow list ---------------------------------------------------------------------------------


def test_the_allow_list_holds_for_every_kind_of_update(tmp_path):
    with FakeBotAPI() as api:
        bot = BotProcess(api, tmp_path / "a.db", tmp_path / "a.log", allowed="1,2").start()
        try:
            stranger = api.user(next(_ids))
            actions = [
                lambda: stranger.send("/start"),
                lambda: stranger.send("/new"),
                lambda: stranger.send("随便一句话"),
                lambda: stranger.send("/nosuchcommand"),
                lambda: stranger.send_sticker(),
                lambda: stranger.send_photo(),
                lambda: stranger.send_document(filename="去年.txt", data="材料".encode()),
                lambda: stranger.send_voice(),
                lambda: stranger.edit(stranger.send("原话"), "改过"),
            ]
            for act in actions:
                act()
                reply = stranger.wait_reply()
                assert reply.text == say.PRIVATE_BOT
            for data in ("0||n|2022-liuge", "1||r|", "1||y|", f"1|{FLOW.id}|s|", "garbage"):
                stranger.click_data(data, stranger.last.message_id)
                api.wait_idle()
                assert stranger.callback_answers[-1]["text"] == say.PRIVATE_BOT
            messages = len(stranger.messages)
            stranger.block()
            stranger.unblock()
            api.group_message(-4242, stranger.id, "/start")
            api.group_message(-4242, stranger.id, "群里的话")
            api.wait_idle()
            assert len(stranger.messages) == messages
            assert [m.text for m in api.messages(-4242)] == [say.PRIVATE_CHAT_ONLY]
            group_press(api, -4242, stranger.id, "0||n|2022-liuge")
            api.wait_idle()
            assert api.callback_answers[-1]["text"] == say.PRIVATE_CHAT_ONLY
            with sqlite3.connect(tmp_path / "a.db") as conn:
                for table in ("interviews", "answers", "events", "owners", "inbox"):
                    rows = conn.execute(f"select count(*) from {table}").fetchone()[0]
                    assert rows == 0, table
                imports = conn.execute("select count(*) from imports").fetchone()[0]
                assert imports == 0
            assert " ERROR " not in bot.output()
        finally:
            bot.stop()


def group_press(api: FakeBotAPI, chat_id: int, user_id: int, data: str) -> None:
    with api._cond:
        message = list(api._chats[chat_id].messages.values())[-1]
        query_id = f"g{user_id}{len(api._callbacks) + 1:08d}"
        api._callbacks[query_id] = _Callback(chat_id, time.monotonic())
        sender = {"id": user_id, "is_bot": False, "first_name": "群友"}
        query = {"id": query_id, "from": sender, "message": message.raw, "chat_instance": "1"}
        api._enqueue("callback_query", {**query, "data": data})
