"""The page served by the real processes, in Debian's Chromium: `duizhao run` with
BOT_WEB_URL (a Mini App edit seen in /preview and in the .docx the chat receives), and
`duizhao web` for the console's database."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest

from bot.core import answersfile, engine
from bot.flows import load_all
from bot.storage import Storage
from bot.telegram import texts as say
from tests.e2e.botprocess import REPO, TOKEN, BotProcess, free_port
from tests.e2e.conftest import next_user
from tests.report.answers import ROOT
from tests.web.initdata import init_data
from tests.web.test_browser import CHROMIUM, CHROMIUM_FLAGS, TELEGRAM_JS

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is needed")

EDITED = "落实上级决策部署有时不够坚决及时，存在等一等、看一看的心态"


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def stored_interview(db: Path, owner: str) -> int:
    text = (ROOT / "tests" / "fixtures" / "answers" / "2024-sige.yaml").read_text("utf-8")
    flow, data = answersfile.parse(text, load_all())
    storage = Storage(db)
    interview = storage.create(owner, flow, engine.adopt(flow, data.answers))
    storage.close()
    return interview.id


def test_a_mini_app_edit_shows_in_preview_and_in_the_docx(api, browser, tmp_path):
    port = free_port()
    web_url = f"http://127.0.0.1:{port}/"
    user = api.user(next_user())
    interview_id = stored_interview(tmp_path / "bot.db", f"tg:{user.chat_id}")
    bot = BotProcess(
        api,
        tmp_path / "bot.db",
        tmp_path / "bot.log",
        env={"BOT_WEB_URL": web_url, "BOT_WEB_PORT": str(port)},
    ).start()
    try:
        user.send("/preview")
        offer = user.wait_for(lambda m: m.text == say.WEB_PREVIEW)
        page_url = offer.reply_markup["inline_keyboard"][0][0]["web_app"]["url"]
        assert page_url == f"{web_url}?interview={interview_id}"

        context = browser.new_context(viewport={"width": 360, "height": 760})
        signed = json.dumps(init_data(user.chat_id, token=TOKEN))
        stub = "window.Telegram = {WebApp: {initData: " + signed + ", ready() {}, expand() {}}};"
        context.route(TELEGRAM_JS, lambda r: r.fulfill(body=stub, content_type="text/javascript"))
        page = context.new_page()
        page.goto(page_url)
        key = "t1_problems[0].summary"
        page.locator(f'.answer[data-key="{key}"]').click()
        page.locator(".editor textarea").fill(EDITED)
        page.locator(".editor button", has_text="保存").click()
        page.locator("#status", has_text="已保存").wait_for()

        user.send("/preview")
        user.wait_for(lambda m: m.text and EDITED in m.text)
        page.locator("#generate").click()
        page.locator("#status", has_text="报告已发到聊天里").wait_for()
        sent = user.wait_for(lambda m: m.document and m.document.file_name.endswith(".docx"))
        body = "\n".join(p.text for p in docx.Document(io.BytesIO(sent.document.data)).paragraphs)
        assert EDITED in body
        context.close()
    finally:
        bot.stop()
    assert TOKEN not in bot.output()


def test_duizhao_web_serves_the_console_database_with_a_link(browser, tmp_path):
    db = tmp_path / "console.db"
    stored_interview(db, "console:alice")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web", "--db", str(db), "--user", "alice"]
        + ["--port", str(port)],
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        link = None
        while link is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/#t=\S+", line)
            link = found.group(0) if found else None
        assert link, "duizhao web printed no link"
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(TELEGRAM_JS, lambda r: r.fulfill(body="", content_type="text/javascript"))
        page.goto(link)
        page.locator(".sheet h1").wait_for()
        assert "青石镇党委副书记" in page.locator(".sheet h1").inner_text()
        page.close()
    finally:
        process.terminate()
        process.wait(10)
