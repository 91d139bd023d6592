"""Bad input, table-driven, through the real bot (`duizhao run` + the fake Bot API).

Every case asserts three things: the bot answers with a clear message (or stays silent where
that is right), the stored state is unchanged unless the input was a valid answer, and nothing
reaches the bot's log as an unhandled error (no "Traceback", no ERROR line).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core import engine, steps, texts
from bot.core.answersfile import parse
from bot.flows import load_all
from bot.storage import Storage
from bot.telegram import texts as say
from tests.e2e.botprocess import BotProcess
from tests.e2e.fakeapi import BotMessage, FakeBotAPI, FakeUser, _Callback

FLOWS = load_all()
FLOW = FLOWS["2022-liuge"]
FIXTURES = Path(__file__).parent.parent / "fixtures" / "answers"
FIRST = "t1_good"  # long_text, optional, at most 300 字
SUMMARY = "t1_problems[0].summary"


@pytest.fixture(scope="module")
def bot(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-input")
    bot = BotProcess(api, folder / "bot.db", folder / "bot.log").start()
    yield bot
    bot.stop()
    assert_clean_log(bot.output())


_ids = iter(range(20_000, 30_000))


@dataclass
class World:
    api: FakeBotAPI
    bot: BotProcess
    user: FakeUser
    before: str = ""  # the stored state the case must leave unchanged

    @property
    def db(self) -> Path:
        return self.bot.db

    def stored(self) -> dict:
        return stored(self.db, self.user.id)

    def other(self) -> FakeUser:
        return self.api.user(next(_ids))


# -- reading the database ---------------------------------------------------------------------


def state(db: Path, without: int | None = None) -> str:
    """Everything an input can change, but timestamps (refused inputs are logged too)."""
    skip = f"tg:{without}"
    with sqlite3.connect(db) as conn:
        interviews = conn.execute(
            "select id, owner, flow_id, status, cursor, drafts, return_to, deadline, context "
            "from interviews where owner != ? order by id",
            [skip],
        ).fetchall()
        answers = conn.execute(
            "select a.interview_id, a.question_id, a.value from answers a "
            "join interviews i on i.id = a.interview_id where i.owner != ? "
            "order by 1, 2",
            [skip],
        ).fetchall()
        owners = conn.execute(
            "select owner, active_interview, remind, blocked from owners where owner != ? "
            "order by owner",
            [skip],
        ).fetchall()
        counts = [
            conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("interviews", "answers", "owners")
        ]
    return repr((interviews, answers, owners, counts if without is None else None))


def stored(db: Path, user_id: int) -> dict:
    """The user's active interview: cursor, drafts and answers."""
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "select i.id, i.cursor, i.drafts, i.status from owners o "
            "join interviews i on i.id = o.active_interview where o.owner = ?",
            [f"tg:{user_id}"],
        ).fetchone()
        if row is None:
            return {}
        answers = {
            q: json.loads(v)
            for q, v in conn.execute(
                "select question_id, value from answers where interview_id = ?", [row[0]]
            )
        }
    return {
        "id": row[0],
        "cursor": row[1],
        "drafts": json.loads(row[2] or "{}"),
        "status": row[3],
        "answers": answers,
    }


def assert_clean_log(text: str) -> None:
    bad = [line for line in text.splitlines() if "Traceback" in line or " ERROR " in line]
    assert not bad, "\n".join(bad)


# -- what users do ------------------------------------------------------------------------------


def start_flow(w: World, user: FakeUser | None = None) -> BotMessage:
    """A new interview, answered up to its first long answer (FIRST) as a hurried user would:
    "否" to yes/no questions, the first option, 跳过 where allowed."""
    user = user or w.user
    user.send("/start")
    user.wait_for(lambda m: m.buttons and any(FLOW.title in b for row in m.buttons for b in row))
    user.click(FLOW.title)
    user.wait_for(lambda m: "第1/" in (m.text or "") and m.buttons)
    for _ in range(20):
        now = stored(w.db, user.id)  # committed before the reply came
        if now["cursor"] == FIRST:
            return user.last
        step = next(s for s in steps.walk(FLOW, now["answers"]) if s.key == now["cursor"])
        q = step.asked
        if q.kind == "yesno":
            user.click(texts.NO)
        elif q.kind == "choice":
            user.click(q.options[0].label)
        elif q.optional:
            user.click(texts.ACTION_SKIP)
        else:
            raise AssertionError(f"the flow asks {now['cursor']} before {FIRST}")
        user.wait_reply()
    raise AssertionError(f"never reached {FIRST}")


def to_detail(w: World) -> BotMessage:
    """Into the first repeat item, at its second sub-question."""
    start_flow(w)
    w.user.click(texts.ACTION_SKIP)
    w.user.wait_for(lambda m: "【第1个问题】" in (m.text or ""))
    w.user.send("学用结合还有差距")
    return w.user.wait_for(lambda m: "具体表现" in (m.text or ""))


def to_more(w: World) -> BotMessage:
    """At the repeat's add-another step, one item written."""
    to_detail(w)
    w.user.send("学习多是跟着会议安排走，联系实际思考不够深入")
    w.user.wait_for(lambda m: "实例" in (m.text or "") or "例子" in (m.text or ""))
    w.user.click(texts.ACTION_SKIP)
    return w.user.wait_for(lambda m: any("再加" in b for row in m.buttons for b in row))


def nothing(w: World) -> None:
    pass


def says(*needles: str) -> Callable[[BotMessage], bool]:
    return lambda m: any(n in (m.text or "") for n in needles)


def button_data(message: BotMessage, label: str) -> str:
    rows = message.reply_markup["inline_keyboard"]
    return next(b["callback_data"] for row in rows for b in row if label in b["text"])


def send_kind(user: FakeUser, kind: str) -> None:
    """Non-text messages the fake has no helper for, built as Telegram sends them."""
    f = user._file(b"fake-bytes", "documents", f"file.{kind}")
    content = {
        "video": {"video": {**f, "width": 640, "height": 360, "duration": 3}},
        "video_note": {"video_note": {**f, "length": 240, "duration": 3}},
        "audio": {"audio": {**f, "duration": 30, "title": "录音"}},
        "animation": {"animation": {**f, "width": 320, "height": 240, "duration": 2}},
        "photo_caption": {"photo": [{**f, "width": 80, "height": 60}], "caption": "我的答案"},
        "venue": {
            "venue": {
                "location": {"latitude": 39.9, "longitude": 116.4},
                "title": "党群服务中心",
                "address": "青石镇",
            }
        },
        "dice": {"dice": {"emoji": "🎲", "value": 3}},
        "poll": {
            "poll": {
                "id": "1",
                "question": "选哪个？",
                "options": [
                    {"text": "甲", "voter_count": 0, "persistent_id": "a"},
                    {"text": "乙", "voter_count": 0, "persistent_id": "b"},
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        },
    }[kind]
    user._message(content)


def group_callback(api: FakeBotAPI, chat_id: int, user_id: int, data: str) -> None:
    """A button press in a group, on the bot's latest message there."""
    with api._cond:
        message = list(api._chats[chat_id].messages.values())[-1]
        query_id = f"g{user_id}{len(api._callbacks) + 1:08d}"
        api._callbacks[query_id] = _Callback(chat_id, time.monotonic())
        sender = {"id": user_id, "is_bot": False, "first_name": "群友"}
        query = {"id": query_id, "from": sender, "message": message.raw}
        api._enqueue("callback_query", {**query, "chat_instance": "9", "data": data})


# -- the cases ------------------------------------------------------------------------------------
# Each act() runs after the setup and a snapshot of the stored state; it sends the input and
# checks the reply. check() (for valid answers) checks what was stored; without it, the stored
# state must not have changed at all.


@dataclass(frozen=True)
class Case:
    id: str
    act: Callable[[World], None]
    setup: Callable[[World], object] = start_flow
    check: Callable[[World], None] | None = None


def refused(text: str, *needles: str) -> Callable[[World], None]:
    def act(w: World) -> None:
        w.user.send(text)
        w.user.wait_for(says(*needles))

    return act


def saved(text: str) -> Callable[[World], None]:
    """A valid long answer in one message: saved at once, exactly (stripped)."""

    def act(w: World) -> None:
        w.user.send(text)
        w.user.wait_for(says("已保存"))

    return act


def saved_is(text: str) -> Callable[[World], None]:
    def check(w: World) -> None:
        stored_ = w.stored()
        assert stored_["answers"][FIRST] == text.strip()
        assert stored_["cursor"] == SUMMARY and stored_["drafts"] == {}

    return check


def answered_then_shown(text: str) -> Callable[[World], None]:
    """Finish the answer, go back to it: the question shows it literally."""

    def act(w: World) -> None:
        w.user.send(text)
        w.user.wait_for(says("【第1个问题】"))
        w.user.click(texts.ACTION_BACK)
        shown = w.user.wait_for(says("当前答案："))
        assert shown.text.split("当前答案：", 1)[1].startswith(text.strip()[:200])

    return act


def previewed(text: str, shown: str) -> Callable[[World], None]:
    """Finish the answer and preview the draft: the report holds it as plain text."""

    def act(w: World) -> None:
        w.user.send(text)
        w.user.wait_for(says("【第1个问题】"))
        w.user.send("/preview")
        w.user.wait_for(says(shown))  # printed as typed, not evaluated

    return act


def answer_is(text: str) -> Callable[[World], None]:
    def check(w: World) -> None:
        stored_ = w.stored()
        assert stored_["answers"][FIRST] == text.strip()
        assert stored_["cursor"] == FIRST

    return check


def command(text: str, *needles: str) -> Callable[[World], None]:
    def act(w: World) -> None:
        w.user.send(text)
        w.user.wait_for(says(*needles))

    return act


def non_text(send: Callable[[FakeUser], object], reply: str = say.NOT_TEXT) -> Callable:
    def act(w: World) -> None:
        send(w.user)
        assert w.user.wait_reply().text == reply

    return act


def unreadable(w: World) -> None:
    """An update this python-telegram-bot cannot parse (a poll without the persistent_id its
    Bot API version requires): skipped with a warning; the updates after it are handled."""
    poll = {"id": "2", "question": "？", "options": [{"text": "甲", "voter_count": 0}]}
    w.user._message({"poll": {**poll, "total_voter_count": 0, "is_closed": False}})
    w.user.send("/status")
    w.user.wait_for(says("总进度"))


def forged(data: Callable[[World], str], *needles: str) -> Callable[[World], None]:
    def act(w: World) -> None:
        w.user.click_data(data(w), w.user.last.message_id)
        w.user.wait_for(says(*needles))
        w.api.wait_idle()

    return act


def own_id(w: World) -> int:
    return w.stored()["id"]


def double_tap(label: str) -> Callable[[World], None]:
    def act(w: World) -> None:
        target = w.user.last
        w.user.click(label, target)
        w.user.click(label, target)  # before the first is answered
        w.user.wait_for(says(say.STALE))
        w.api.wait_idle()

    return act


def cursor_is(cursor: str, answers: dict | None = None) -> Callable[[World], None]:
    def check(w: World) -> None:
        stored_ = w.stored()
        assert stored_["cursor"] == cursor
        for key, value in (answers or {}).items():
            assert stored_["answers"][key] == value

    return check


def one_item_added(w: World) -> None:
    """The written item and one new, empty one (the second press was stale)."""
    cursor_is("t1_problems[1].summary")(w)
    items = w.stored()["answers"]["t1_problems"]
    assert len(items) == 2 and items[1] == {}, items


def silent(act: Callable[[World], object], chat: Callable[[World], int]) -> Callable[[World], None]:
    def run(w: World) -> None:
        chat_id = chat(w)
        before = w.api.messages(chat_id)
        act(w)
        w.api.wait_idle()
        assert w.api.messages(chat_id) == before

    return run


def edited_into(text: str) -> Callable[[World], None]:
    def act(w: World) -> None:
        message_id = w.user.send("随便写的一句话")
        w.user.wait_for(says("已保存"))
        w.api.wait_idle()
        # The answer above is the setup; only the edit must change nothing.
        w.before = state(w.db)
        w.user.edit(message_id, text)
        assert "/edit" in w.user.wait_reply().text

    return act


def finished_button(w: World) -> None:
    """Press 生成报告 again on the review of an interview that is already finished."""
    _, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)
    storage = Storage(w.db)
    storage.create(f"tg:{w.user.id}", FLOW, engine.adopt(FLOW, data.answers))
    storage.close()
    w.user.send("/resume")
    review = w.user.wait_for(says("全部问题已答完"))
    w.user.click(texts.GENERATE, review)
    w.user.wait_for(lambda m: m.document and m.document.file_name.endswith(".md"), timeout=30)
    w.api.wait_idle()
    w.before = state(w.db)
    documents = len(w.user.documents)
    w.user.click(texts.GENERATE, review)
    w.user.wait_for(says("已经完成", say.STALE))
    w.api.wait_idle()
    assert len(w.user.documents) == documents


def blocked_mid_report(w: World) -> None:
    """The user blocks the bot while the report is being sent: an INFO line, not an ERROR."""
    _, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)
    storage = Storage(w.db)
    storage.create(f"tg:{w.user.id}", FLOW, engine.adopt(FLOW, data.answers))
    storage.close()
    w.user.send("/resume")
    shown = w.user.wait_for(says("全部问题已答完", "版式与措辞"))
    if "全部问题已答完" not in shown.text:  # the style step fixtures leave open: the defaults
        w.user.click(texts.YES, shown)
        w.user.wait_for(says("全部问题已答完"))
    w.api.wait_idle()
    w.before = state(w.db)
    w.api.fail_next("sendDocument", code=403, description="Forbidden: bot was blocked by the user")
    w.user.send("/report")
    w.user.wait_for(says("报告全文"), timeout=30)


def deleted_button(w: World) -> None:
    question = w.user.last
    w.user.send("/delete")
    w.user.wait_for(says(say.DELETE_PICK))
    w.user.click("#")
    confirm = w.user.wait_for(says("确定删除"))
    w.user.click(say.DELETE_YES, confirm)
    w.user.wait_for(says(say.DELETED))
    w.api.wait_idle()
    w.before = state(w.db)
    w.user.click(texts.ACTION_SKIP, question)
    w.user.wait_for(says(say.STALE_NOTHING))
    w.user.click(say.DELETE_YES, confirm)  # the confirmation, a second time
    w.user.wait_for(says(say.STALE_NOTHING))


def another_users_button(w: World) -> None:
    victim = w.other()
    question = start_flow(w, victim)
    w.api.wait_idle()
    w.before = state(w.db)
    for label in (texts.ACTION_SKIP, texts.ACTION_GUIDE):
        w.user.click_data(button_data(question, label), w.user.last.message_id)
        w.user.wait_for(says(say.STALE))
    victim_id = stored(w.db, victim.id)["id"]
    for action in ("r", "x", "y", "z"):
        w.user.click_data(f"{victim_id}||{action}|", w.user.last.message_id)
        w.user.wait_for(says(say.STALE))


def burst(w: World) -> None:
    """Fifty messages within one second: each answers the question it arrives at, in order
    (a long answer under its minimum waits for the next), and each gets its one reply."""
    before = len(w.user.messages)
    for i in range(1, 51):
        w.user.send(f"第{i}段内容")
        time.sleep(0.02)
    w.user.wait_for(says("已保存", "已收到"))
    w.api.wait_idle(timeout=30)
    replies = w.user.messages[before:]
    assert len(replies) == 50
    assert all("已保存" in m.text or "已收到" in m.text for m in replies)


def every_burst_message_kept(w: World) -> None:
    stored_ = json.dumps(w.stored()["answers"], ensure_ascii=False)
    stored_ += json.dumps(w.stored()["drafts"], ensure_ascii=False)
    positions = [stored_.index(f"第{i}段内容") for i in range(1, 51)]
    assert positions == sorted(positions)


def group_text(w: World) -> None:
    w.api.group_message(-100_000_000 - w.user.id, w.user.id, "大家好，这是群里的一句话")


def group_command(w: World) -> None:
    chat = -100_000_000 - w.user.id
    w.api.group_message(chat, w.user.id, "/start")
    w.api.wait_idle()
    assert [m.text for m in w.api.messages(chat)] == [say.PRIVATE_CHAT_ONLY]
    group_callback(w.api, chat, w.user.id, "0||n|2022-liuge")
    w.api.wait_idle()
    assert w.api.callback_answers[-1]["text"] == say.PRIVATE_CHAT_ONLY
    assert len(w.api.messages(chat)) == 1


def channel_post(w: World) -> None:
    w.api.channel_post(-200_000_000 - w.user.id, "/start 频道里的帖子")


def block_and_unblock(w: World) -> None:
    w.user.block()
    w.api.wait_idle()
    w.user.unblock()


def group_chat_of(w: World) -> int:
    return -100_000_000 - w.user.id


def channel_of(w: World) -> int:
    return -200_000_000 - w.user.id


CASES = [
    Case("empty-text", refused("", texts.ERR_EMPTY, say.NOT_TEXT)),
    Case("whitespace-only", refused("   \n\t  \u3000 ", texts.ERR_EMPTY)),
    Case("zero-width-only", refused("\u200b\u200c\u200d\u2060\ufeff", texts.ERR_EMPTY)),
    Case("control-chars-only", refused("\x00\x01\x07\x1b\x7f", texts.ERR_EMPTY)),
    Case("5000-chars", refused("学" * 5000, "内容太长：现在 5000 字")),
    Case("50000-chars", refused("习" * 50_000, "内容太长：现在 50000 字")),
    Case("only-emoji", saved("😀🎉👍🇨🇳"), check=saved_is("😀🎉👍🇨🇳")),
    Case(
        "control-and-zero-width-in-text",
        saved("学习\x00不够\u200b深入\x1b[31m"),
        check=saved_is("学习\x00不够\u200b深入\x1b[31m"),
    ),
    Case(
        "right-to-left",
        saved("\u202eمرحبا بالعالم\u202c עברית 学习"),
        check=saved_is("\u202eمرحبا بالعالم\u202c עברית 学习"),
    ),
    Case(
        "html-metacharacters",
        answered_then_shown("<b>粗</b> <script>alert(1)</script> & &amp; <a href='x'>链接"),
        check=answer_is("<b>粗</b> <script>alert(1)</script> & &amp; <a href='x'>链接"),
    ),
    Case(
        "html-metacharacters-999",  # 0 字 by Word's count, 4,329 characters once escaped
        answered_then_shown("<&>" * 333),
        check=answer_is("<&>" * 333),
    ),
    Case("latin-run-over-the-character-cap", refused("镇长" + "a" * 1500, "1502 个字符")),
    Case("commas-over-the-character-cap", refused("中" + "," * 3000, "3001 个字符")),
    Case(
        "markdown-metacharacters",
        answered_then_shown("*粗* _斜_ [链接](http://example.com) `代码` ~删~ \\ # > | {}.!"),
        check=answer_is("*粗* _斜_ [链接](http://example.com) `代码` ~删~ \\ # > | {}.!"),
    ),
    Case(
        "jinja-syntax",
        answered_then_shown("{{ 7*7 }} {% for i in range(3) %}循环{% endfor %} {# 注释 #}"),
        check=answer_is("{{ 7*7 }} {% for i in range(3) %}循环{% endfor %} {# 注释 #}"),
    ),
    Case(
        "jinja-in-the-report",
        previewed(
            "{{ 7*7 }}，{% if true %}条件{% endif %}", "{{ 7*7 }}，{% if true %}条件{% endif %}"
        ),
        check=cursor_is(SUMMARY, {FIRST: "{{ 7*7 }}，{% if true %}条件{% endif %}"}),
    ),
    Case(
        "sql-looking",
        saved("'); DROP TABLE answers; -- \" OR 1=1; SELECT * FROM interviews"),
        check=saved_is("'); DROP TABLE answers; -- \" OR 1=1; SELECT * FROM interviews"),
    ),
    Case("command-with-unneeded-args", command("/status 多余的参数", "总进度")),
    Case("cancel-with-args", command("/cancel 3", say.NO_ARGS.format(name="cancel"))),
    Case("unknown-command", command("/foo", say.UNKNOWN_COMMAND)),
    Case("unknown-command-with-args", command("/foo_bar@duizhao_test_bot x", say.UNKNOWN_COMMAND)),
    Case("cancel-with-nothing-to-cancel", command("/cancel", texts.ERR_NOTHING_TO_CANCEL)),
    Case("deadline-no-such-date", command("/deadline 2月30日", "日历上没有“2月30日”这一天")),
    Case("deadline-long-argument", command("/deadline " + "十" * 4000, "不是日期")),
    Case("status-in-a-repeat", command("/status", "总进度"), setup=to_detail),
    Case("preview-in-a-repeat", command("/preview", "草稿预览"), setup=to_detail),
    Case("edit-in-a-repeat", command("/edit", say.EDIT_PICK), setup=to_detail),
    Case("skip-required-in-a-repeat", command("/skip", texts.ERR_REQUIRED), setup=to_detail),
    Case(
        "back-in-a-repeat",
        command("/back", texts.MOVED_BACK),
        setup=to_detail,
        check=cursor_is(SUMMARY),
    ),
    Case(
        "double-tap-skip",
        double_tap(texts.ACTION_SKIP),
        check=cursor_is(SUMMARY, {FIRST: None}),
    ),
    Case(
        "double-tap-add-item",  # a repeat item must not be added twice
        double_tap("再加"),
        setup=to_more,
        check=one_item_added,
    ),
    Case("button-of-a-finished-interview", finished_button, setup=nothing),
    Case("button-of-a-deleted-interview", deleted_button),
    Case(
        "blocked-mid-report",
        blocked_mid_report,
        setup=nothing,
        check=lambda w: w.stored()["status"] == "finished" or pytest.fail("not finished"),
    ),
    Case("button-of-another-users-interview", another_users_button),
    Case(
        "forged-unknown-step",
        forged(lambda w: f"{own_id(w)}|t9_nowhere|s|", say.STALE),
    ),
    Case("forged-unknown-action", forged(lambda w: f"{own_id(w)}|{FIRST}|Z|", say.STALE)),
    Case(
        "forged-bogus-option",
        forged(lambda w: f"{own_id(w)}|{FIRST}|o|bogus", "不是可选项"),
    ),
    Case(
        "forged-sample-out-of-range",
        forged(lambda w: f"{own_id(w)}|{FIRST}|u|999", "参考表述", texts.ERR_NOT_HERE),
    ),
    Case("forged-unknown-flow", forged(lambda w: "0||n|no-such-flow", say.STALE)),
    Case("forged-huge-id", forged(lambda w: "9" * 40 + "||r|", say.STALE)),
    Case("forged-non-ascii-digits", forged(lambda w: "²||x|", say.STALE)),
    Case("forged-guessed-id", forged(lambda w: f"{own_id(w) - 1}||y|", say.STALE)),
    Case("forged-garbage", forged(lambda w: "garbage", say.STALE)),
    Case("forged-too-many-fields", forged(lambda w: f"{own_id(w)}|{FIRST}|s||x", say.STALE)),
    Case("forged-empty-action", forged(lambda w: f"{own_id(w)}|{FIRST}||", say.STALE)),
    Case("forged-64-bytes", forged(lambda w: "学" * 21 + "|", say.STALE)),
    Case("sticker", non_text(lambda u: u.send_sticker())),
    Case("photo", non_text(lambda u: u.send_photo())),
    Case("photo-with-caption", non_text(lambda u: send_kind(u, "photo_caption"))),
    Case("voice", non_text(lambda u: u.send_voice())),
    Case("video", non_text(lambda u: send_kind(u, "video"))),
    Case("video-note", non_text(lambda u: send_kind(u, "video_note"))),
    Case("audio", non_text(lambda u: send_kind(u, "audio"))),
    Case("animation", non_text(lambda u: send_kind(u, "animation"))),
    Case("document-pdf", non_text(lambda u: u.send_document(), say.IMPORT_WRONG_KIND)),
    Case("location", non_text(lambda u: u.send_location())),
    Case("venue", non_text(lambda u: send_kind(u, "venue"))),
    Case("contact", non_text(lambda u: u.send_contact())),
    Case("poll", non_text(lambda u: send_kind(u, "poll"))),
    Case("dice", non_text(lambda u: send_kind(u, "dice"))),
    Case("unreadable-update", unreadable),
    Case("edited-message", edited_into("改过的答案")),
    Case("edited-into-a-command", edited_into("/back")),
    Case("group-message", silent(group_text, group_chat_of), setup=nothing),
    Case("group-command-and-button", group_command, setup=nothing),
    Case("channel-post", silent(channel_post, channel_of), setup=nothing),
    Case("block-and-unblock", silent(block_and_unblock, lambda w: w.user.chat_id)),
    Case(
        "burst-of-50",
        burst,
        check=every_burst_message_kept,
    ),
]


def test_the_matrix_has_at_least_30_cases():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(api, bot, case: Case):
    world = World(api, bot, api.user(next(_ids)))
    case.setup(world)
    api.wait_idle()
    world.before = state(bot.db)
    others = state(bot.db, without=world.user.id)
    log_start = len(bot.output())
    case.act(world)
    api.wait_idle()
    if case.check is None:
        assert state(bot.db) == world.before
    else:
        case.check(world)
        assert state(bot.db, without=world.user.id) == others
    assert_clean_log(bot.output()[log_start:])
    assert bot.process.poll() is None, "the bot died"
