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
from urllib.parse import urlencode

import pytest
import uvicorn
from starlette.applications import Starlette

from bot.core import answersfile, engine
from bot.core.state import Input
from bot.flows import load_all
from bot.meetings import Meetings
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


def launch(signed: str) -> str:
    """The fragment Telegram's client adds to a Mini App's address."""
    return "#" + urlencode({"tgWebAppData": signed, "tgWebAppVersion": "8.0"})


def mini_app(browser, user: int, width: int = 360, script: bool = True, **init):
    """A page as Telegram's client opens a Mini App: signed initData in the fragment, and
    Telegram.WebApp from telegram-web-app.js (stubbed; `script=False`: unreachable)."""
    context = browser.new_context(viewport={"width": width, "height": 760}, device_scale_factor=1)
    signed = init_data(user, **init)
    stub = f"window.Telegram = {{WebApp: {{initData: {json.dumps(signed)}, ready() {{}}, expand() {{}}}}}};"
    if script:
        context.route(TELEGRAM_JS, lambda r: r.fulfill(body=stub, content_type="text/javascript"))
    else:
        context.route(TELEGRAM_JS, lambda r: r.abort())
    page = context.new_page()
    page.launch = launch(signed)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    return page


def desktop(browser, width: int = 1280):
    """A browser outside Telegram; telegram.org is unreachable and any fetch of it recorded."""
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    fetched = []
    context.route(TELEGRAM_JS, lambda r: (fetched.append(r.request.url), r.abort()))
    page = context.new_page()
    page.telegram_fetched = fetched
    return page


def answer(page, key: str):
    return page.locator(f'.answer[data-key="{key}"]')


def edit(page, key: str, text: str) -> None:
    answer(page, key).click()
    page.locator(".editor textarea").fill(text)
    page.locator(".editor button", has_text="保存").click()


def test_mini_app_edit_reaches_the_database_and_the_report(browser, server, service, shots):
    interview = new_interview(service, "tg:101")
    page = mini_app(browser, 101)
    page.goto(f"{server}?interview={interview.id}{page.launch}")
    page.locator(".sheet h1").wait_for()
    assert "青石镇党委副书记" in page.locator(".sheet h1").inner_text()
    page.screenshot(path=str(shots / "mini-app-360.png"), full_page=False)

    key = "t1_problems[0].summary"
    index = page.locator(".part", has=answer(page, key)).get_attribute("data-part")
    part = page.locator(f'.part[data-part="{index}"] .part-count')
    total = int(page.locator("#total").inner_text())
    in_part = int(part.inner_text().split()[0])
    answer(page, key).click()
    page.locator(".editor textarea").fill("落实上级决策部署有时不够坚决及时，存在观望心态")
    # 字数 live, in total and in the part: "，存在观望心态" is 7 more.
    assert int(page.locator("#total").inner_text()) == total + 7
    assert part.inner_text() == f"{in_part + 7} 字"
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
    assert not page.telegram_fetched  # a browser outside Telegram never waits for telegram.org
    page.screenshot(path=str(shots / "desktop-1280.png"), full_page=False)
    # The review's finding stands beside the paragraph holding the problem it names.
    row = page.locator(".row", has=answer(page, "t2_problems[0].summary"))
    assert "没有具体实例" in row.locator(".notes").inner_text()
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "desktop-1280-finding.png"), full_page=False)
    # Its fix opens the empty 实例; filled in, the finding goes.
    row.locator(".note", has_text="没有具体实例").locator("button.fix").click()
    assert page.locator(".editor textarea").input_value() == ""
    page.locator(".editor textarea").fill("2024年6月研究选聘时没有第一时间指出问题")
    page.locator(".editor button", has_text="保存").click()
    page.locator("#status", has_text="已保存").wait_for()
    assert "没有具体实例" not in row.locator(".notes").inner_text()
    assert "2024年6月研究选聘时" in row.inner_text()
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
    page.goto(f"{server}?interview={interview.id}{page.launch}")
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
    page.goto(f"{server}?interview={interview.id}{page.launch}")
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
    page.goto(f"{server}?interview={interview.id}{page.launch}")
    page.locator(".sheet h1").wait_for()
    assert "<script>alert(1)</script>" in answer(page, "t1_good").inner_text()
    assert page.locator(".doc img, .doc script").count() == 0
    edit(page, "t1_good", XSS + "再改一次")
    page.locator("#status", has_text="已保存").wait_for()
    assert page.locator(".doc img, .doc script").count() == 0
    page.screenshot(path=str(shots / "xss-1280.png"), full_page=False)
    assert not page.dialogs


def test_a_mini_app_works_without_telegrams_script(browser, server, service):
    interview = new_interview(service, "tg:108")
    page = mini_app(browser, 108, script=False)
    page.goto(f"{server}?interview={interview.id}{page.launch}")
    page.locator(".sheet h1").wait_for()
    edit(page, "t3_good", "我牵头推进了茶旅融合项目。")
    page.locator("#status", has_text="已保存").wait_for()
    assert (
        service.storage.get(interview.id).state.answers["t3_good"] == "我牵头推进了茶旅融合项目。"
    )


def test_wording_and_layout_choices_are_made_on_the_page(browser, server, service, shots):
    interview = new_interview(service, "tg:109", style_defaults=True)
    page = mini_app(browser, 109, width=1280)
    page.goto(f"{server}?interview={interview.id}{page.launch}")
    page.locator(".sheet h1").wait_for()
    choice = page.locator('.choice[data-key="style_defaults"] select')
    choice.select_option("no")
    page.locator('.choice[data-key="title_suffix"] select').wait_for()
    page.locator('.choice[data-key="title_suffix"] select').select_option(label="检视剖析材料")
    page.locator(".sheet h1", has_text="检视剖析材料").wait_for()
    suffix = page.locator('.choice[data-key="title_suffix"]')
    suffix.locator("select").select_option(label="自己的说法……")
    suffix.locator("input").fill("个人对照检视材料")
    suffix.locator("button", has_text="保存").click()
    page.locator(".sheet h1", has_text="个人对照检视材料").wait_for()
    stored = service.storage.get(interview.id).state.answers
    assert stored["style_defaults"] is False and stored["title_suffix"] == "个人对照检视材料"
    page.locator("#choices").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "choices-1280.png"))
    page.set_viewport_size({"width": 360, "height": 760})
    suffix.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "choices-360.png"))


def test_an_organiser_sees_the_meeting_status_and_a_member_does_not(
    browser, server, service, shots
):
    meetings = Meetings(service)
    meeting = meetings.create(
        "tg:201", "2024-sige", "青石镇党委班子2024年度民主生活会", DATE, ("王五",)
    )
    draft = "张三还没提交的草稿内容"
    meetings.join(meeting, "tg:202", "张三")
    outcome = meetings.start_interview(meeting.id, "tg:202")
    service.answer(outcome.interview, Input.text(draft))
    meetings.join(meeting, "tg:203", XSS)
    done = new_interview(service, "tg:203", style_defaults=True)
    meetings.attach(meeting.id, "tg:203", done.id)
    service.answer(service.storage.get(done.id), Input("done"))
    meetings.submit(meeting.id, "tg:203")

    # The organiser, who writes no report of their own, sees the table from the top bar.
    page = mini_app(browser, 201)
    page.goto(f"{server}{page.launch}")
    page.locator("#meetings-open").click()
    table = page.locator(f'.meeting[data-meeting="{meeting.id}"]')
    table.wait_for()
    assert "截止2026年1月8日 · 已提交 1/3" in table.locator(".meeting-name").inner_text()
    rows = [r.split("\t") for r in table.locator("tbody tr").all_inner_texts()]
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("张三", "已加入", "未提交"),
        (XSS, "已加入", "已提交"),
        ("王五", "未加入", "未提交"),
    ]
    assert int(rows[1][3]) > 1000 and rows[2][2:4] == ["—", "—"]
    assert (
        draft not in page.content() and page.locator("#meetings img, #meetings script").count() == 0
    )
    page.screenshot(path=str(shots / "meeting-360.png"))
    page.set_viewport_size({"width": 1280, "height": 760})
    page.screenshot(path=str(shots / "meeting-1280.png"))
    assert not page.dialogs

    member = mini_app(browser, 202)
    with member.expect_response(lambda r: "api/meeting" in r.url) as asked:
        member.goto(f"{server}{member.launch}")
    assert asked.value.status == 404
    member.locator(".sheet h1").wait_for()
    assert member.locator("#meetings").is_hidden() and member.locator("#meetings-open").is_hidden()
