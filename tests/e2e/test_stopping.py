"""Running the bot as a service: SIGTERM ends it within 10 s and loses no update, with long
polling and with a webhook; under systemd its log lines suit the journal."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from bot.flows import load_all
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import next_user

FLOW = load_all()["2022-liuge"]
HELD = ("sendMessage", "editMessageText", "editMessageReplyMarkup")
USERS = 4


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_sigterm_ends_within_10_s_and_loses_no_update(own_api, tmp_path, webhook):
    api = own_api
    bot = BotProcess(api, tmp_path / "bot.db", tmp_path / "bot.log", webhook=webhook).start()
    users = [api.user(next_user()) for _ in range(USERS)]
    try:
        for user in users:
            user.send("/start")
            user.wait_for(lambda m: m.buttons)
        # Replies cannot go out: the handlers are busy when the signal comes.
        api.hold(*HELD)
        for user in users:
            user.click(FLOW.title)
        wait_until(lambda: not api._updates)  # every press received by the bot
        started = time.monotonic()
        bot.process.send_signal(signal.SIGTERM)
        code = bot.process.wait(15)
        took = time.monotonic() - started
        api.release()
        assert code == 0, bot.output()
        assert took < 10, f"SIGTERM took {took:.1f}s"
        assert "updates kept for the next start" in bot.output()

        bot.start()
        for user in users:
            user.wait_for(lambda m: "第1/" in (m.text or ""), timeout=20)
        api.wait_idle()
    finally:
        bot.stop()
    with sqlite3.connect(bot.db) as conn:
        for user in users:
            (started_once,) = conn.execute(
                "select count(*) from interviews where owner = ?", [f"tg:{user.id}"]
            ).fetchone()
            assert started_once == 1
        assert conn.execute("select count(*) from inbox").fetchone() == (0,)
    for user in users:
        firsts = [m for m in user.messages if "第1/" in (m.text or "") and not m.deleted]
        assert len(firsts) == 1, user.transcript()


def test_under_systemd_log_lines_carry_the_journal_priority(own_api, tmp_path):
    log = tmp_path / "bot.log"
    log.touch()
    stat = os.stat(log)
    journal = {"JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"}
    bot = BotProcess(own_api, tmp_path / "bot.db", log, env=journal).start()
    bot.stop()
    lines = bot.output().splitlines()
    assert any(line.startswith("<6>duizhao.bot: started as @") for line in lines), lines
    assert all(line.startswith("<") for line in lines), lines  # no time: the journal adds it


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
