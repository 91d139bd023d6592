"""The page's API as a browser calls it: owner only, saves through the service, versioned."""

from __future__ import annotations

import io

import docx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.core import answersfile, engine
from bot.core.state import Input
from bot.flows import load_all
from bot.meetings import Meetings
from bot.service import Interviews
from bot.storage import Storage
from bot.web.api import RateLimit, routes
from bot.web.auth import Gate
from tests.report.answers import DATE, ROOT
from tests.web.initdata import TEST_TOKEN, init_data

FLOWS = load_all()


def fixture_answers(flow_id: str):
    text = (ROOT / "tests" / "fixtures" / "answers" / f"{flow_id}.yaml").read_text("utf-8")
    return answersfile.parse(text, FLOWS)


@pytest.fixture
def service(tmp_path):
    return Interviews(Storage(tmp_path / "d.db"), FLOWS)


@pytest.fixture
def mine(service):
    flow, data = fixture_answers("2024-sige")
    answers = {"style_defaults": True, **data.answers}  # the 版式与措辞 step's one tap
    return service.storage.create("tg:42", flow, engine.adopt(flow, answers))


@pytest.fixture
def client(service):
    app = Starlette(routes=routes(service, Gate(service.storage, TEST_TOKEN), lambda: DATE))
    return TestClient(app)


def tma(user: int = 42) -> dict[str, str]:
    return {"Authorization": f"tma {init_data(user)}"}


def save(client, interview, key, text, version=None, user=42):
    body = {
        "interview": interview.id,
        "key": key,
        "text": text,
        "version": interview.version if version is None else version,
    }
    return client.post("/api/save", json=body, headers=tma(user))


def test_the_page_forbids_inline_script(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' https://telegram.org;" in csp and "unsafe-inline" not in csp
    assert client.get("/static/page.js").headers["x-content-type-options"] == "nosniff"


def test_the_owner_gets_the_document(client, mine):
    response = client.get("/api/document", headers=tma())
    assert response.status_code == 200
    assert response.json()["interview"] == mine.id
    assert response.json()["parts"][0]["blocks"][0]["kind"] == "title"


def test_another_users_interview_is_not_found(client, mine):
    assert client.get(f"/api/document?interview={mine.id}", headers=tma(43)).status_code == 404
    assert save(client, mine, "t1_good", "改了", user=43).status_code == 404
    assert client.get("/api/document?interview=x", headers=tma()).status_code == 404


def test_no_or_forged_credentials_are_refused(client, mine):
    assert client.get("/api/document").status_code == 401
    forged = init_data(42, token="987654321:" + "B" * 35)
    response = client.get("/api/document", headers={"Authorization": f"tma {forged}"})
    assert response.status_code == 401 and "无效" in response.json()["error"]


def test_a_save_changes_the_answer_and_is_logged_as_from_the_page(client, service, mine):
    response = save(client, mine, "t1_problems[0].summary", "落实上级部署不够坚决")
    assert response.status_code == 200
    stored = service.storage.get(mine.id)
    assert stored.state.answers["t1_problems"][0]["summary"] == "落实上级部署不够坚决"
    assert stored.version == mine.version + 1
    assert response.json()["version"] == stored.version
    event = service.storage.events(mine.id)[-1]
    assert event["kind"] == "revise" and event["source"].startswith("web:")
    assert "落实上级部署不够坚决" in event["value"]


def test_a_save_from_an_older_version_is_refused_with_the_fresh_text(client, service, mine):
    service.answer(mine, Input("edit", "t1_good"))  # the user moved on in the chat meanwhile
    response = save(client, mine, "t1_good", "页面上改的")
    assert response.status_code == 409
    assert "别处" in response.json()["error"]
    fresh = service.storage.get(mine.id)
    assert fresh.state.answers["t1_good"] == mine.state.answers["t1_good"]
    assert response.json()["document"]["version"] == fresh.version
    # The refused text is still in the log.
    assert "页面上改的" in service.storage.events(mine.id)[-1]["value"]


def test_a_save_is_checked_like_a_chat_answer(client, service, mine):
    too_long = save(client, mine, "t1_problems[0].summary", "长" * 2000)
    assert too_long.status_code == 422 and "字" in too_long.json()["error"]
    emptied = save(client, mine, "t1_problems[0].detail", "   ", version=mine.version + 1)
    assert emptied.status_code == 422 and "必须回答" in emptied.json()["error"]
    assert service.storage.get(mine.id).state.answers == mine.state.answers


def test_a_body_over_the_cap_is_refused(client, mine):
    body = b'{"text": "' + b"a" * 70_000 + b'"}'
    response = client.post(
        "/api/save", content=body, headers={**tma(), "Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_too_many_requests_are_slowed_down(service, mine):
    limit = RateLimit(count=3, seconds=60)
    app = Starlette(
        routes=routes(service, Gate(service.storage, TEST_TOKEN), lambda: DATE, limit=limit)
    )
    client = TestClient(app)
    codes = [client.get("/api/document", headers=tma()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_generate_in_a_browser_downloads_the_docx(client, service, mine):
    token = service.storage.new_link_token("tg:42")
    response = client.post(
        "/api/generate", json={"interview": mine.id}, headers={"Authorization": f"link {token}"}
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "落实上级决策部署有时不够坚决及时" in text


def test_a_finished_interview_can_be_edited_and_stays_finished(client, service, mine):
    done = service.answer(mine, Input("done")).interview
    assert done.finished
    assert save(client, done, "t2_good", "改过的肯定成绩。").status_code == 200
    after = service.storage.get(mine.id)
    assert after.finished and after.state.answers["t2_good"] == "改过的肯定成绩。"


def test_generate_at_the_review_finishes_the_interview_as_the_chat_does(client, service, mine):
    assert mine.state.cursor == "review"
    response = client.post("/api/generate", json={"interview": mine.id}, headers=tma())
    assert response.status_code == 200
    after = service.storage.get(mine.id)
    assert after.finished
    assert service.storage.events(mine.id)[-1]["source"].startswith("web:")


def test_the_meeting_status_is_for_its_organisers_and_shows_no_draft(client, service):
    meetings = Meetings(service)
    meeting = meetings.create("tg:42", "2024-sige", "青石镇班子会", DATE, ("张三", "李四"))
    meetings.join(meeting, "tg:7", "张三")
    outcome = meetings.start_interview(meeting.id, "tg:7")
    service.answer(outcome.interview, Input.text("张三还没提交的草稿内容写在这里"))
    response = client.get("/api/meeting", headers=tma(42))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "青石镇班子会"
    assert [(m["name"], m["joined"], m["submitted"]) for m in body["members"]] == [
        ("张三", True, False),
        ("李四", False, False),
    ]
    assert body["members"][0]["zishu"] > 0 and "草稿" not in response.text
    assert client.get("/api/meeting", headers=tma(7)).status_code == 404  # a member
    assert client.get(f"/api/meeting?meeting={meeting.id}", headers=tma(8)).status_code == 404
