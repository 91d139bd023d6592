"""An update whose handling kills the bot is not replayed forever: after two starts that did
not finish it is set aside, logged, and the user gets a short apology."""

from __future__ import annotations

import time

from bot.flows import load_all
from bot.telegram import texts as say
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_bot import start_flow
from tests.e2e.test_lastyear_bot import DOCX, last_years_docx

FLOWS = load_all()


def _calls(api, method: str) -> int:
    return sum(1 for m, _ in list(api.sent) if m.lower() == method.lower())


def _wait_calls(api, method: str, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while _calls(api, method) < count:
        assert time.monotonic() < deadline, f"no {method} call number {count}"
        time.sleep(0.05)


def test_an_update_killed_twice_in_handling_is_set_aside_with_an_apology(own_api, tmp_path):
    api = own_api
    bot = BotProcess(api, tmp_path / "bot.db", tmp_path / "bot.log").start()
    try:
        user = api.user(4242)
        start_flow(user, FLOWS["2023-zhuti"].title)
        api.stall("getFile")  # handling the upload hangs there, as a parse that eats memory would
        before = _calls(api, "getFile")
        user.send_document("去年的材料.docx", last_years_docx(), DOCX)
        for attempt in (1, 2):
            _wait_calls(api, "getFile", before + attempt)
            bot.kill()  # the kernel's OOM killer, in the middle of handling
            bot.start()
        apology = user.wait_for(lambda m: m.text == say.SET_ASIDE, timeout=20)
        assert apology
        api.stall("getFile", False)
        assert _calls(api, "getFile") == before + 2  # not started a third time
        assert "set aside" in bot.output()
        user.send("/status")
        assert "总进度" in user.wait_reply().text
        bot.kill()
        bot.start()
        api.wait_idle()
        assert _calls(api, "getFile") == before + 2
        assert [m.text for m in api.messages(user.chat_id)].count(say.SET_ASIDE) == 1
    finally:
        api.stall("getFile", False)
        bot.stop()
