"""The chat's ways to the web page: /web links, /web off, and the Mini App button on the
review and after /preview (the page itself: tests/web)."""

from __future__ import annotations

import re

import pytest

from bot.core import answersfile, engine
from bot.flows import load_all
from bot.storage import Storage
from bot.telegram import texts as say
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import next_user
from tests.report.answers import ROOT

WEB_URL = "https://duizhao.example.org/"
LINK = re.compile(re.escape(WEB_URL) + r"#t=(\S+)")


@pytest.fixture(scope="module")
def web_bot(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("webbot")
    bot = BotProcess(api, folder / "bot.db", folder / "bot.log", env={"BOT_WEB_URL": WEB_URL})
    yield bot.start()
    bot.stop()


def link_in(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match.group(1)


def test_web_sends_a_link_that_a_new_one_and_web_off_revoke(api, web_bot):
    user = api.user(next_user())
    storage = Storage(web_bot.db)
    user.send("/web")
    first = link_in(user.wait_reply().text)
    assert storage.link_owner(first) == f"tg:{user.chat_id}"
    user.send("/web")
    second = link_in(user.wait_reply().text)
    assert storage.link_owner(second) == f"tg:{user.chat_id}"
    assert storage.link_owner(first) is None
    user.send("/web off")
    assert user.wait_reply().text == say.WEB_REVOKED
    assert storage.link_owner(second) is None
    user.send("/web off")
    assert user.wait_reply().text == say.WEB_NONE_TO_REVOKE
    assert "web" in [c["command"] for c in api.commands()]


def test_the_review_and_preview_offer_the_page_as_a_mini_app(api, web_bot):
    user = api.user(next_user())
    flows = load_all()
    text = (ROOT / "tests" / "fixtures" / "answers" / "2024-sige.yaml").read_text("utf-8")
    flow, data = answersfile.parse(text, flows)
    interview = Storage(web_bot.db).create(
        f"tg:{user.chat_id}", flow, engine.adopt(flow, data.answers)
    )
    expected = f"{WEB_URL}?interview={interview.id}"

    def web_apps(message) -> list[str]:
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        return [b["web_app"]["url"] for row in rows for b in row if "web_app" in b]

    user.send("/resume")
    review = user.wait_for(lambda m: "生成报告" in str(m.buttons))
    assert web_apps(review) == [expected]
    user.send("/preview")
    offer = user.wait_for(lambda m: m.text == say.WEB_PREVIEW)
    assert web_apps(offer) == [expected]


def test_without_a_web_address_web_says_so(own_api, tmp_path):
    bot = BotProcess(own_api, tmp_path / "bot.db", tmp_path / "bot.log").start()
    try:
        user = own_api.user(next_user())
        user.send("/web")
        assert user.wait_reply().text == say.WEB_OFF
    finally:
        bot.stop()
