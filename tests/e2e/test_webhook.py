"""The bot in webhook mode (`duizhao run --webhook-url`): the fake Bot API POSTs each update to
the bot's own endpoint, which stores it before answering 200."""

from __future__ import annotations

import http.client
import json
import sqlite3
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.flows import load_all
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import next_user

FLOW = load_all()["2022-liuge"]
HELD = ("sendMessage", "editMessageText", "editMessageReplyMarkup")


@pytest.fixture(scope="module")
def hooked(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("webhook")
    bot = BotProcess(api, folder / "bot.db", folder / "bot.log", webhook=True).start()
    yield bot
    bot.stop()


def post(bot: BotProcess, body: bytes, secret: str | None, chunked: bool = False) -> int:
    """POST to the bot's endpoint as anyone on the network could."""
    url = urllib.parse.urlsplit(bot.webhook_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    try:
        if chunked:
            connection.request("POST", url.path, iter([body]), headers, encode_chunked=True)
        else:
            connection.request("POST", url.path, body, headers)
        return connection.getresponse().status
    except (ConnectionResetError, BrokenPipeError):
        return -1
    finally:
        connection.close()


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def update_of(user_id: int, update_id: int, text: str = "/start") -> bytes:
    chat = {"id": user_id, "type": "private", "first_name": "外人"}
    message = {
        "message_id": 1,
        "date": 0,
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "外人"},
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def test_the_webhook_is_set_with_a_secret_and_pending_updates_kept(api, hooked):
    [params] = [p for method, p in api.sent if method == "setWebhook"]
    assert params["url"] == hooked.webhook_url
    assert len(params["secret_token"]) >= 32
    assert params.get("drop_pending_updates", False) is False
    assert "callback_query" in params["allowed_updates"]
    assert api.polls() == 0


def test_a_conversation_over_the_webhook(api, hooked):
    user = api.user(next_user())
    user.send("/start")
    user.wait_for(lambda m: m.buttons)
    user.click(FLOW.title)
    first = user.wait_for(lambda m: "第1/" in m.text)
    assert ["是", "否"] in first.buttons
    user.click("否")
    user.wait_for(lambda m: "第2/" in m.text)
    user.send("/status")
    status = user.wait_reply()
    assert FLOW.title in status.text
    assert all(status == 200 for _, status in api.deliveries)


def test_a_wrong_or_missing_secret_is_refused_with_403_and_nothing_is_kept(api, hooked):
    user_id = next_user()
    assert post(hooked, update_of(user_id, 900001), "wrong-secret") == 403
    assert post(hooked, update_of(user_id, 900002), None) == 403
    assert rows(hooked.db, "select * from inbox where update_id > 900000") == []
    assert rows(hooked.db, "select * from updates_seen where update_id > 900000") == []
    api.wait_idle()
    assert api.messages(user_id) == []


def test_an_oversized_body_is_refused_with_413(api, hooked):
    secret = api.webhook["secret_token"]
    big = update_of(next_user(), 900003, "字" * (1024 * 1024))
    assert post(hooked, big, secret) == 413
    assert post(hooked, big, secret, chunked=True) in (413, -1)  # refused while streaming
    assert rows(hooked.db, "select * from updates_seen where update_id = 900003") == []


def test_an_update_sent_again_is_applied_once(api, hooked):
    user = api.user(next_user())
    user.send("/start")
    user.wait_for(lambda m: m.buttons)
    api.wait_idle()
    update_id = api._last_update_id
    before = len(user.messages)
    assert api.redeliver(update_id) == 200  # Telegram missed our 200 and sends it again
    # One chat's updates are handled in order: once /help is answered, so was the repeat.
    user.send("/help")
    user.wait_reply()
    assert len(user.messages) == before + 1, user.transcript()


def test_killed_between_storage_and_reply_nothing_is_lost_or_doubled(own_api, tmp_path):
    api = own_api
    bot = BotProcess(api, tmp_path / "bot.db", tmp_path / "bot.log", webhook=True).start()
    try:
        user = api.user(next_user())
        user.send("/start")
        user.wait_for(lambda m: m.buttons)
        user.click(FLOW.title)
        user.wait_for(lambda m: "第1/" in m.text)

        api.hold(*HELD)  # the bot stores the update and saves the answer, then waits to reply
        user.click("否")
        update_id = api._last_update_id
        source = f"tg:{update_id}"
        wait_until(lambda: rows(bot.db, "select 1 from events where source = ?", source))
        assert (update_id, 200) in api.deliveries  # acknowledged, and only once stored
        assert rows(bot.db, "select 1 from inbox where update_id = ?", update_id)
        bot.kill()
        api.release()

        user.send("/status")  # while the bot is down: Telegram keeps trying
        bot.start()
        user.wait_for(lambda m: m.text and "已答" in m.text)
        api.wait_idle()
    finally:
        bot.stop()
    second = [m for m in user.messages if m.text and "第2/" in m.text and not m.deleted]
    assert len(second) == 1, user.transcript()
    assert rows(bot.db, "select count(*) from events where source = ?", source) == [(1,)]
    assert rows(bot.db, "select value from answers where question_id = 'custom_titles'") == [
        ("false",)
    ]
    assert rows(bot.db, "select * from inbox") == []


def wait_until(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_webhook_is_deleted_at_stop_with_pending_updates_kept(own_api, tmp_path):
    bot = BotProcess(own_api, tmp_path / "bot.db", tmp_path / "bot.log", webhook=True).start()
    assert own_api.webhook is not None
    assert bot.stop() == 0
    assert own_api.webhook is None
    [params] = [p for method, p in own_api.sent if method == "deleteWebhook"]
    assert params.get("drop_pending_updates", False) is False
