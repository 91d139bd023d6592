"""The page in a real browser: Debian's Chromium driven by Playwright.

The Mini App's `Telegram.WebApp` (normally from telegram.org) is stubbed with initData
signed by the test token; the desktop way in is a signed link. Screenshots at 360 px and
1280 px go to $DUIZHAO_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette

from bot.core import answersfile, engine
from bot.core.state import Input
from bot.flows import load_all
from bot.report.render import build_document
from bot.report.writers.text import to_text
from bot.service import Interviews
from bot.storage import Storage
from bot.web.api import RateLimit, routes
from bot.web.auth import Gate
from tests.report.answers import DATE, ROOT
from tests.web.initdata import TEST_TOKEN, init_data

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TELEGRAM_JS = "https://telegram.org/js/telegram-web-app.js"
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
FLOWS = load_all()

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is needed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    return Interviews(Storage(tmp_path_factory.mktemp("web") / "d.db"), FLOWS)


@pytest.fixture(scope="module")
def server(service):
    app = Starlette(
        routes=routes(
            service, Gate(service.storage, TEST_TOKEN), lambda: DATE, limit=RateLimit(1000)
        )
    )
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    running.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("DUIZHAO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_interview(service, owner: str, **changes):
    text = (ROOT / "tests" / "fixtures" / "answers" / "2024-sige.yaml").read_text("utf-8")
    flow, data = answersfile.parse(text, FLOWS)
    state = engine.adopt(flow, {**data.answers, **changes})
    return service.storage.create(owner, flow, state)


def mini_app(browser, user: int, width: int = 360, **init):
    """A page as Telegram's client opens a Mini App: Telegram.WebApp with signed initData."""
    context = browser.new_context(viewport={"width": width, "height": 760}, device_scale_factor=1)
    signed = json.dumps(init_data(user, **init))
    stub = "window.Telegram = {WebApp: {initData: " + signed + ", ready() {}, expand() {}}};"
    context.route(
        TELEGRAM_JS, lambda route: route.fulfill(body=stub, content_type="text/javascript")
    )
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    return page


def desktop(browser, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    context.route(TELEGRAM_JS, lambda route: route.fulfill(body="", content_type="text/javascript"))
    return context.new_page()


def answer(page, key: str):
    return page.locator(f'.answer[data-key="{key}"]')


def edit(page, key: str, text: str) -> None:
    answer(page, key).click()
    page.locator(".editor textarea").fill(text)
    page.locator(".editor button", has_text="保存").click()


def test_mini_app_edit_reaches_the_database_and_the_report(browser, server, service, shots):
    interview = new_interview(service, "tg:101")
    page = mini_app(browser, 101)
    page.goto(f"{server}?interview={interview.id}")
    page.locator(".sheet h1").wait_for()
    assert "青石镇党委副书记" in page.locator(".sheet h1").inner_text()
    page.screenshot(path=str(shots / "mini-app-360.png"), full_page=False)

    key = "t1_problems[0].summary"
    answer(page, key).click()
    total = int(page.locator("#total").inner_text())
    page.locator(".editor textarea").fill("落实上级决策部署有时不够坚决及时，存在观望心态")
    assert int(page.locator("#total").inner_text()) == total + 7  # live 字数: "，存在观望心态"
    page.screenshot(path=str(shots / "mini-app-360-editing.png"), full_page=False)
    page.locator(".editor button", has_text="保存").click()
    page.locator("#status", has_text="已保存").wait_for()
    assert "存在观望心态" in answer(page, key).inner_text()

    stored = service.storage.get(interview.id)
    assert stored.state.answers["t1_problems"][0]["summary"].endswith("存在观望心态")
    flow = service.flow_of(stored)
    assert "存在观望心态" in to_text(build_document(flow, stored.state.answers, date=DATE))
    assert service.storage.events(interview.id)[-1]["source"].startswith("web:")
    assert not page.dialogs


def vague_first_problem() -> list[dict]:
    text = (ROOT / "tests" / "fixtures" / "answers" / "2024-sige.yaml").read_text("utf-8")
    problems = [dict(p) for p in answersfile.parse(text, FLOWS)[1].answers["t2_problems"]]
    problems[0] = {"summary": "学纪知纪还不够深入", "detail": "学得不深。", "case": None}
    return problems


def test_desktop_link_opens_the_page_and_downloads_the_docx(browser, server, service, shots):
    interview = new_interview(service, "tg:102", t2_problems=vague_first_problem())
    token = service.storage.new_link_token("tg:102")
    page = desktop(browser)
    page.goto(f"{server}#t={token}")
    page.locator(".sheet h1").wait_for()
    assert token not in page.url  # the key leaves the address bar
    page.screenshot(path=str(shots / "desktop-1280.png"), full_page=False)
    # The review's finding stands beside the paragraph holding the problem it names.
    row = page.locator(".row", has=answer(page, "t2_problems[0].summary"))
    assert "没有具体实例" in row.locator(".notes").inner_text()
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "desktop-1280-finding.png"), full_page=False)
    # Its fix opens the question it points at: the case, not yet written.
    row.locator("button.fix").first.click()
    assert page.locator(".editor textarea").input_value() == ""
    page.locator(".editor textarea").fill("比如2024年5月学习条例只读了原文。")
    page.locator(".editor button", has_text="保存").click()
    page.locator("#status", has_text="已保存").wait_for()
    case = service.storage.get(interview.id).state.answers["t2_problems"][0]["case"]
    assert case == "比如2024年5月学习条例只读了原文。"
    edit(page, "t2_good", "党纪学习教育期间，我逐章学习了条例。")
    page.locator("#status", has_text="已保存").wait_for()
    assert (
        service.storage.get(interview.id).state.answers["t2_good"]
        == "党纪学习教育期间，我逐章学习了条例。"
    )
    with page.expect_download() as download:
        page.locator("#generate").click()
    assert download.value.suggested_filename.endswith(".docx")


@pytest.mark.parametrize(
    "how, message",
    [
        ("forged", "无效"),
        ("expired", "过期"),
        ("other user", "没有找到"),
    ],
)
def test_bad_init_data_shows_nothing(browser, server, service, how, message):
    interview = new_interview(service, "tg:103")
    if how == "forged":
        page = mini_app(browser, 103, token="987654321:" + "B" * 35)
    elif how == "expired":
        page = mini_app(browser, 103, auth_date=time.time() - 2 * 86_400)
    else:
        page = mini_app(browser, 104)
    page.goto(f"{server}?interview={interview.id}")
    page.locator("#status.error").wait_for()
    assert message in page.locator("#status").inner_text()
    assert page.locator(".sheet").count() == 0


def test_a_revoked_link_shows_nothing(browser, server, service):
    new_interview(service, "tg:105")
    token = service.storage.new_link_token("tg:105")
    service.storage.revoke_links("tg:105")
    page = desktop(browser)
    page.goto(f"{server}#t={token}")
    page.locator("#status.error").wait_for()
    assert "链接" in page.locator("#status").inner_text()


def test_a_stale_save_is_refused_and_the_fresh_text_shown(browser, server, service, shots):
    interview = new_interview(service, "tg:106", t2_problems=vague_first_problem())
    page = mini_app(browser, 106)
    page.goto(f"{server}?interview={interview.id}")
    page.locator(".sheet h1").wait_for()
    # Meanwhile the user changes the same answer in the chat.
    outcome = service.answer(interview, Input("edit", "t4_good"))
    outcome = service.answer(outcome.interview, Input.text("在聊天里改的廉洁自律情况"))
    service.answer(outcome.interview, Input("done"))
    edit(page, "t4_good", "在网页上改的廉洁自律情况")
    row = page.locator(".row", has=answer(page, "t4_good"))
    row.locator(".stale-note").wait_for()
    assert "在网页上改的廉洁自律情况" in row.locator(".stale-text").inner_text()
    assert "在聊天里改的廉洁自律情况" in answer(page, "t4_good").inner_text()
    assert "别处" in page.locator("#status").inner_text()
    assert "别处" in row.locator(".stale-note").inner_text()
    assert service.storage.get(interview.id).state.answers["t4_good"] == "在聊天里改的廉洁自律情况"
    page.screenshot(path=str(shots / "stale-360.png"))
    page.locator(".row", has=answer(page, "t2_problems[0].summary")).scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "finding-360.png"))


def test_markup_in_answers_is_shown_as_text(browser, server, service, shots):
    interview = new_interview(service, "tg:107", t1_good=XSS, position=XSS)
    page = mini_app(browser, 107, width=1280)
    page.goto(f"{server}?interview={interview.id}")
    page.locator(".sheet h1").wait_for()
    assert "<script>alert(1)</script>" in answer(page, "t1_good").inner_text()
    assert page.locator(".doc img, .doc script").count() == 0
    edit(page, "t1_good", XSS + "再改一次")
    page.locator("#status", has_text="已保存").wait_for()
    assert page.locator(".doc img, .doc script").count() == 0
    page.screenshot(path=str(shots / "xss-1280.png"), full_page=False)
    assert not page.dialogs
