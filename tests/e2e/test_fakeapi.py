"""The fake Bot API against the real python-telegram-bot: updates in, calls out, rejections."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.e2e.fakeapi import FakeBotAPI, FakeUser, RunningApplication, parse_html, run_application

TOKEN = "123456:TEST-TOKEN"
DOCX = b"PK\x03\x04 fake docx\r\n\r\n--boundary-like bytes\x00\xff"


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=d) for t, d in r] for r in rows]
    )


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(
        "<b>欢迎</b> &lt;测试&gt;",
        parse_mode="HTML",
        reply_markup=keyboard([("是", "y"), ("否", "n")], [("查看全部选项", "all")]),
    )


async def on_doc_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_document(DOCX, filename="对照检查材料.docx", caption="材料已生成")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    # An edit that drops the keyboard, then the next question: wait_reply must return the latter.
    await query.edit_message_text(f"已选：{query.data}")
    await query.message.reply_text("下一题", reply_markup=keyboard([("继续下一题", "next")]))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_message(f"收到：{update.message.text}")


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.edited_message.reply_text(f"已修改：{update.edited_message.text}")


async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    document = update.message.document
    data = await (await document.get_file()).download_as_bytearray()
    await update.message.reply_text(f"文件 {document.file_name} {len(data)} 字节")


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    kinds = ["sticker", "photo", "voice", "location", "contact"]
    kind = next(k for k in kinds if getattr(message, k))
    await message.reply_text(f"请用文字回答（{kind}）")


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_message(f"群：{update.message.text}")


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def running(api: FakeBotAPI) -> Iterator[RunningApplication]:
    app = Application.builder().token(TOKEN).base_url(api.base_url)
    app = app.base_file_url(api.base_file_url).build()
    app.bot_data["seen"] = []
    remember = app.bot_data["seen"].append

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        remember(update.my_chat_member.new_chat_member.status)

    async def on_channel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        remember(update.channel_post.text)

    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CommandHandler("doc", on_doc_command))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POST, on_channel))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT, on_group))
    app.add_handler(MessageHandler(filters.Document.ALL, on_upload))
    app.add_handler(MessageHandler(private & ~filters.TEXT, on_other))
    app.add_handler(ChatMemberHandler(on_member))
    with run_application(app) as handle:
        yield handle


def test_startup_calls(api: FakeBotAPI, running: RunningApplication) -> None:
    deadline = time.monotonic() + 5
    while len(api.sent) < 3 and time.monotonic() < deadline:  # the first poll is a task
        time.sleep(0.01)
    assert [method for method, _ in api.sent[:3]] == ["getMe", "deleteWebhook", "getUpdates"]
    assert api.sent[2][1] == {"timeout": 10, "offset": 0}


def test_text_command_and_buttons(api: FakeBotAPI, running: RunningApplication) -> None:
    user = api.user(101, "张三")
    user.send("/start")
    welcome = user.wait_reply()
    assert welcome.text == "欢迎 <测试>"  # tags stripped, entities unescaped
    assert welcome.raw["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert welcome.buttons == [["是", "否"], ["查看全部选项"]]

    user.click("是")
    question = user.wait_reply()
    assert question.text == "下一题" and user.buttons == [["继续下一题"]]
    assert user.messages[0].text == "已选：y" and user.messages[0].edited
    assert user.messages[0].reply_markup is None  # editMessageText without markup drops it
    assert [a["text"] for a in user.callback_answers] == [None]

    user.send("/start")
    assert user.wait_reply().buttons == [["是", "否"], ["查看全部选项"]]
    user.click("继续", message=question)  # a unique substring, on an older message
    assert user.wait_for(lambda m: m.text == "已选：next").message_id == question.message_id

    user.send("你好")
    assert user.wait_reply().text == "收到：你好"
    api.wait_idle()
    assert api.errors == []


def test_click_reports_the_labels_it_has(api: FakeBotAPI, running: RunningApplication) -> None:
    user = api.user(102)
    with pytest.raises(AssertionError, match="no inline keyboard"):
        user.click("是")
    user.send("/start")
    user.wait_reply()
    with pytest.raises(AssertionError, match=r"available: \[\['是', '否'\], \['查看全部选项'\]\]"):
        user.click("也许")


def test_document_round_trip(api: FakeBotAPI, running: RunningApplication) -> None:
    user = api.user(103)
    user.send("/doc")
    message = user.wait_for(lambda m: m.document is not None)
    assert message.text == "材料已生成"
    assert user.documents[0].file_name == "对照检查材料.docx"
    assert user.documents[0].data == DOCX
    assert user.documents[0].mime_type.endswith("wordprocessingml.document")

    user.send_document("草稿.docx", b"x" * 1000, "application/octet-stream")
    assert user.wait_reply().text == "文件 草稿.docx 1000 字节"  # getFile + download


def test_other_message_kinds_and_edits(api: FakeBotAPI, running: RunningApplication) -> None:
    user = api.user(104)
    for send, kind in [
        (user.send_sticker, "sticker"),
        (user.send_photo, "photo"),
        (user.send_voice, "voice"),
        (user.send_location, "location"),
        (user.send_contact, "contact"),
    ]:
        send()
        assert user.wait_reply().text == f"请用文字回答（{kind}）"
    first = user.send("原文")
    user.wait_reply()
    user.edit(first, "改过的")
    assert user.wait_reply().text == "已修改：改过的"


def test_group_channel_and_blocking(api: FakeBotAPI, running: RunningApplication) -> None:
    api.group_message(-1001, 105, "大家好")
    api.channel_post(-1002, "公告")
    user = api.user(106)
    user.block()
    api.wait_idle()
    assert [m.text for m in api.messages(-1001)] == ["群：大家好"]
    assert running.application.bot_data["seen"][-2:] == ["公告", "kicked"]
    with pytest.raises(Forbidden, match="blocked"):
        running.call(running.application.bot.send_message(106, "在吗"))
    user.unblock()
    api.wait_idle()
    assert running.application.bot_data["seen"][-1] == "member"
    running.call(running.application.bot.send_message(106, "在吗"))


# --- rejections, seen through a plain PTB Bot --------------------------------------------------


@pytest.fixture(scope="module")
def bare() -> Iterator[FakeBotAPI]:
    """A server nobody polls, so the rejections are not disturbed by the application."""
    with FakeBotAPI(token=TOKEN) as server:
        yield server


def bot_call(api: FakeBotAPI, method: str, /, **kwargs: object) -> object:
    async def call() -> object:
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            return await getattr(bot, method)(**kwargs)

    return asyncio.run(call())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "字" * 4097}, "Message is too long"),
        ({"text": "<b>" + "&lt;" * 4097 + "</b>", "parse_mode": "HTML"}, "Message is too long"),
        ({"text": "   \n "}, "Message text is empty"),
        ({"text": "<b> </b>", "parse_mode": "HTML"}, "Message text is empty"),
        ({"text": "<x>坏</x>", "parse_mode": "HTML"}, 'unsupported start tag "x"'),
        ({"text": "<b>没关", "parse_mode": "HTML"}, 'end tag corresponding to start tag "b"'),
        ({"text": "<b><i>错</b></i>", "parse_mode": "HTML"}, 'expected "</i>", found "</b>"'),
        ({"text": "1 < 2", "parse_mode": "HTML"}, "unexpected character '<'"),
        ({"text": "A & B", "parse_mode": "HTML"}, "character entity expected"),
        ({"text": "好", "reply_markup": keyboard([("按钮", "字" * 22)])}, "Button_data_invalid"),
    ],
)
def test_send_message_rejections(bare: FakeBotAPI, kwargs: dict, message: str) -> None:
    bare.user(201)
    with pytest.raises(BadRequest) as error:
        bot_call(bare, "send_message", chat_id=201, **kwargs)
    assert message in error.value.message
    if "entities" in message or "tag" in message or "character" in message:
        assert error.value.message.startswith("Can't parse entities: ")


def test_limits_are_inclusive(bare: FakeBotAPI) -> None:
    bare.user(202)
    bot_call(bare, "send_message", chat_id=202, text="字" * 4096)
    bot_call(
        bare, "send_message", chat_id=202, text="<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML"
    )
    bot_call(
        bare, "send_message", chat_id=202, text="好", reply_markup=keyboard([("按钮", "x" * 64)])
    )
    html = '<a href="https://x.cn/?a=1&amp;b=2">链接</a> <tg-spoiler>秘</tg-spoiler> &#x27;'
    sent = bot_call(bare, "send_message", chat_id=202, text=html, parse_mode="HTML")
    assert sent.text == "链接 秘 '" and sent.entities[0].url == "https://x.cn/?a=1&b=2"
    padded = bot_call(bare, "send_message", chat_id=202, text="\n <b> 粗</b> \n", parse_mode="HTML")
    assert padded.text == "粗" and padded.entities[0].offset == 0  # trimmed like Telegram

    commands = [BotCommand("start", "开始"), BotCommand("cancel", "取消")]
    assert bot_call(bare, "set_my_commands", commands=commands) is True
    assert bot_call(bare, "get_my_commands") == tuple(commands)
    assert [c["command"] for c in bare.commands()] == ["start", "cancel"]


def test_edit_caption_callback_and_chat_rejections(bare: FakeBotAPI) -> None:
    user = bare.user(203)
    sent = bot_call(
        bare, "send_message", chat_id=203, text="问题", reply_markup=keyboard([("是", "y")])
    )
    with pytest.raises(BadRequest, match="Message is not modified"):
        bot_call(
            bare,
            "edit_message_text",
            chat_id=203,
            message_id=sent.message_id,
            text="问题",
            reply_markup=keyboard([("是", "y")]),
        )
    bot_call(bare, "edit_message_text", chat_id=203, message_id=sent.message_id, text="问题")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        bot_call(
            bare, "send_document", chat_id=203, document=b"x", filename="a.txt", caption="字" * 1025
        )
    with pytest.raises(BadRequest, match="Chat not found"):
        bot_call(bare, "send_message", chat_id=999, text="谁")

    query_id = user.click_data("forged", sent.message_id)
    assert bot_call(bare, "answer_callback_query", callback_query_id=query_id) is True
    for bad_id in (query_id, "12345"):  # answered twice, unknown
        with pytest.raises(BadRequest, match="Query is too old"):
            bot_call(bare, "answer_callback_query", callback_query_id=bad_id)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
def test_fail_next_gives_retry_after(bare: FakeBotAPI) -> None:
    bare.user(204)
    bare.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as error:
        bot_call(bare, "send_message", chat_id=204, text="一")
    assert "Retry in 3" in error.value.message  # .retry_after warns: its type changes in v23
    bot_call(bare, "send_message", chat_id=204, text="二")


# --- raw HTTP: long polling, unknown methods, JSON bodies --------------------------------------


def test_long_polling_semantics(api: FakeBotAPI) -> None:
    # A private server: the module one is being polled by the running application.
    with FakeBotAPI() as own, httpx.Client(base_url=f"{own.base_url}{TOKEN}/") as http:
        user = own.user(301)
        threading.Timer(0.2, user.send, ["迟到"]).start()
        started = time.monotonic()
        first = http.post("getUpdates", data={"timeout": "5"}).json()["result"]
        assert 0.15 < time.monotonic() - started < 2 and first[0]["message"]["text"] == "迟到"

        user.send("二")
        user.send("三")
        again = http.post("GETUPDATES", json={"limit": 2}).json()["result"]  # not confirmed yet
        assert [u["update_id"] for u in again] == [1, 2]
        rest = http.post("getupdates", json={"offset": 2}).json()["result"]
        assert [u["message"]["text"] for u in rest] == ["二", "三"]
        assert http.post("getUpdates", json={"offset": -1}).json()["result"][0]["update_id"] == 3
        assert http.post("getUpdates", json={"offset": 4}).json()["result"] == []

        missing = http.post("noSuchMethod")
        assert missing.status_code == 404
        assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

        reply = http.post(
            "sendMessage", json={"chat_id": 301, "text": "<i>好</i>", "parse_mode": "HTML"}
        )
        assert reply.json()["result"]["text"] == "好" and user.last and user.last.text == "好"


def test_second_poller_conflicts(api: FakeBotAPI) -> None:
    with FakeBotAPI() as own, httpx.Client(base_url=f"{own.base_url}{TOKEN}/") as http:
        result: list[int] = []

        def poll() -> None:
            result.append(http.post("getUpdates", json={"timeout": 5}).status_code)

        first = threading.Thread(target=poll)
        first.start()
        time.sleep(0.2)
        assert http.post("getUpdates", json={"timeout": 0}).status_code == 200
        first.join(5)
        assert result == [409]


def test_parse_html_entities() -> None:
    text, entities = parse_html('😀<b>粗<i>斜</i></b><pre><code class="language-py">x</code></pre>')
    assert text == "😀粗斜x"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 2},  # the emoji is two UTF-16 units
        {"type": "italic", "offset": 3, "length": 1},
        {"type": "pre", "offset": 4, "length": 1, "language": "py"},
    ]


def test_everything_stops() -> None:
    before = set(threading.enumerate())
    with FakeBotAPI() as own:
        app = Application.builder().token(TOKEN).base_url(own.base_url).build()
        with run_application(app):
            user: FakeUser = own.user(401)
            user.send("hi")  # no handlers: just confirmed
            own.wait_idle()
    assert set(threading.enumerate()) <= before
