"""Meetings: consent and privacy rules, submissions, withdraw and leave, reminders."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from bot.core import engine
from bot.core.answersfile import parse
from bot.core.state import Input
from bot.flows import load_all
from bot.meetings import MeetingError, Meetings
from bot.service import Interviews
from bot.storage import Storage

FLOWS = {"2024-sige": load_all()["2024-sige"]}
FIXTURE = Path(__file__).parent / "fixtures" / "answers" / "2024-sige.yaml"
SH = dt.timezone(dt.timedelta(hours=8))
DEADLINE = dt.date(2026, 12, 20)


@pytest.fixture
def meetings(tmp_path):
    storage = Storage(tmp_path / "m.db")
    yield Meetings(Interviews(storage, FLOWS))
    storage.close()


def answers() -> dict:
    return copy.deepcopy(parse(FIXTURE.read_text(encoding="utf-8"), FLOWS)[1].answers)


def finished(meetings: Meetings, meeting_id: int, owner: str, data: dict | None = None) -> int:
    """The member writes (here: imports) a whole report for the meeting and finishes it."""
    flow = FLOWS["2024-sige"]
    service = meetings.service
    interview = service.storage.create(owner, flow, engine.adopt(flow, data or answers()))
    meetings.attach(meeting_id, owner, interview.id)
    service.answer(service.storage.get(interview.id), Input("done"))
    assert service.storage.get(interview.id).finished
    return interview.id


@pytest.fixture
def meeting(meetings):
    m = meetings.create(
        "tg:1", "2024-sige", "青石镇党委班子2024年度民主生活会", DEADLINE, ("张三", "李四", "王五")
    )
    return m


def test_the_invite_code_is_long_random_and_revocable(meetings, meeting):
    assert len(meeting.code) >= 20 and meetings.by_code(meeting.code) == meeting
    other = meetings.create("tg:1", "2024-sige", "另一个会", DEADLINE)
    assert other.code != meeting.code
    renewed = meetings.revoke(meeting.id, "tg:1")
    assert meetings.by_code(meeting.code) is None
    assert meetings.by_code(renewed.code).id == meeting.id
    with pytest.raises(MeetingError):
        meetings.revoke(meeting.id, "tg:2")


def test_the_organiser_sees_progress_never_a_draft(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    outcome = meetings.start_interview(meeting.id, "tg:2")
    assert outcome.interview.deadline == DEADLINE
    service = meetings.service
    interview = outcome.interview
    interview = service.answer(interview, Input.text("一年来认真学习" * 5)).interview
    interview = service.answer(interview, Input("done")).interview
    service.answer(interview, Input.text("保密的草稿内容"))
    rows = meetings.status(meeting.id, "tg:1")
    assert [(r.name, r.joined, r.submitted) for r in rows] == [
        ("张三", True, False),
        ("李四", False, False),
        ("王五", False, False),
    ]
    assert rows[0].chars > 0 and rows[0].parts > 0
    assert "保密的草稿内容" not in repr(rows)
    assert meetings.submissions(meeting.id, "tg:1") == []
    with pytest.raises(MeetingError):
        meetings.status(meeting.id, "tg:2")  # a member is not an organiser


def test_submit_needs_a_finished_report_and_only_organisers_read_it(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    meetings.join(meeting, "tg:3", "李四")
    meetings.start_interview(meeting.id, "tg:3")
    with pytest.raises(MeetingError, match="还没有完成"):
        meetings.submit(meeting.id, "tg:3")
    finished(meetings, meeting.id, "tg:2")
    meetings.submit(meeting.id, "tg:2")
    assert [name for name, _ in meetings.submissions(meeting.id, "tg:1")] == ["张三"]
    for stranger in ("tg:3", "tg:9"):
        with pytest.raises(MeetingError):
            meetings.submissions(meeting.id, stranger)
        with pytest.raises(MeetingError):
            meetings.check(meeting.id, stranger)
    meetings.name_co(meeting.id, "tg:1", "tg:3")
    assert len(meetings.submissions(meeting.id, "tg:3")) == 1
    with pytest.raises(MeetingError):
        meetings.name_co(meeting.id, "tg:3", "tg:2")  # only the organiser names co-organisers


def test_the_submission_is_what_was_submitted(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    iid = finished(meetings, meeting.id, "tg:2")
    meetings.submit(meeting.id, "tg:2")
    service = meetings.service
    service.answer(service.storage.get(iid), Input("edit", "t1_good"))
    service.answer(service.storage.get(iid), Input.text("提交后改的内容"))
    [(_, submission)] = meetings.submissions(meeting.id, "tg:1")
    assert "提交后改的内容" not in str(submission.answers)


def test_withdraw_before_the_deadline_and_leaving_removes_the_submission(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    finished(meetings, meeting.id, "tg:2")
    meetings.submit(meeting.id, "tg:2")
    meetings.withdraw(meeting.id, "tg:2", DEADLINE)
    assert meetings.submissions(meeting.id, "tg:1") == []
    meetings.submit(meeting.id, "tg:2")
    with pytest.raises(MeetingError, match="截止日期已过"):
        meetings.withdraw(meeting.id, "tg:2", DEADLINE + dt.timedelta(days=1))
    meetings.leave(meeting.id, "tg:2")
    assert meetings.submissions(meeting.id, "tg:1") == []
    assert [r.joined for r in meetings.status(meeting.id, "tg:1")] == [False, False, False]


def test_deleting_the_interview_deletes_its_submission(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    iid = finished(meetings, meeting.id, "tg:2")
    meetings.submit(meeting.id, "tg:2")
    meetings.storage.delete(iid, "tg:2")
    assert meetings.submissions(meeting.id, "tg:1") == []


def test_a_member_learns_only_that_a_problem_is_too_like_a_submitted_one(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    meetings.join(meeting, "tg:3", "李四")
    finished(meetings, meeting.id, "tg:2")
    meetings.submit(meeting.id, "tg:2")
    mine = answers()
    for q in ("t1_problems", "t3_problems", "t4_problems"):
        mine[q] = [
            {"summary": "不同的问题", "detail": "完全不同的内容写在这里" + q, "case": "比如" + q}
        ]
    finished(meetings, meeting.id, "tg:3", mine)
    found = meetings.too_like(meeting.id, "tg:3")
    assert found and all(item.member.key == "tg:3" for item in found)
    assert {i.section for i in found if i.kind == "problem"} == {"t2"}


def test_remind_all_not_submitted_once_a_day_and_never_at_night(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    meetings.join(meeting, "tg:3", "李四")
    finished(meetings, meeting.id, "tg:2")
    meetings.submit(meeting.id, "tg:2")
    morning = dt.datetime(2026, 12, 10, 9, tzinfo=SH)
    assert [m.name for m in meetings.nudge(meeting.id, "tg:1", morning)] == ["李四"]
    assert meetings.nudge(meeting.id, "tg:1", morning.replace(hour=15)) == []
    with pytest.raises(MeetingError, match="休息时间"):
        meetings.nudge(meeting.id, "tg:1", morning.replace(hour=23))
    meetings.storage.set_reminders("tg:3", False)
    assert meetings.nudge(meeting.id, "tg:1", morning + dt.timedelta(days=1)) == []


def test_deadline_reminders_for_finished_unsubmitted_reports(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    meetings.join(meeting, "tg:3", "李四")
    finished(meetings, meeting.id, "tg:2")
    meetings.start_interview(meeting.id, "tg:3")  # its own interview reminders cover it
    early = dt.datetime(2026, 12, 10, 10, tzinfo=SH)
    assert meetings.due_reminders(early) == []
    three = dt.datetime(2026, 12, 17, 10, tzinfo=SH)
    assert [(m.name, r) for _, m, r in meetings.due_reminders(three)] == [("张三", ("deadline-3",))]
    assert meetings.due_reminders(three) == []
    assert meetings.due_reminders(three.replace(hour=23) + dt.timedelta(days=2)) == []
    one = dt.datetime(2026, 12, 19, 10, tzinfo=SH)
    assert [r for _, _, r in meetings.due_reminders(one)] == [("deadline-1",)]


def test_the_team_report_offers_members_problems_per_theme_to_adopt(meetings, meeting):
    meetings.join(meeting, "tg:2", "张三")
    meetings.join(meeting, "tg:3", "李四")
    finished(meetings, meeting.id, "tg:2")
    meetings.submit(meeting.id, "tg:2")
    similar = answers()  # 李四 raised the same three t1 problems in the same words
    finished(meetings, meeting.id, "tg:3", similar)
    meetings.submit(meeting.id, "tg:3")
    offered = meetings.offers(meeting.id, "tg:1", "t1")
    assert [o.names for o in offered] == [("张三", "李四")] * 3  # merged, not offered twice
    with pytest.raises(MeetingError):
        meetings.offers(meeting.id, "tg:2", "t1")  # a member sees no one's problems
    outcome = meetings.team_report(meeting.id, "tg:1")
    assert outcome.interview.state.answers["as_team"] is True
    with pytest.raises(MeetingError, match="请先在班子材料里写到"):
        meetings.adopt(meeting.id, "tg:1", "t2", 0)
    service = meetings.service
    interview = service.answer(outcome.interview, Input("skip")).interview  # t1_good
    outcome = meetings.adopt(meeting.id, "tg:1", "t1", 1)
    assert outcome.interview.state.cursor == "t1_problems[+]"
    adopted = outcome.interview.state.answers["t1_problems"][0]
    assert adopted == offered[1].item and interview.id == outcome.interview.id
    outcome = meetings.adopt(meeting.id, "tg:1", "t1", 0)
    assert len(outcome.interview.state.answers["t1_problems"]) == 2
    assert meetings.team_report(meeting.id, "tg:1").interview.id == interview.id  # resumed
