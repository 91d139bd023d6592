"""Meetings of a 班子: one organiser, every member's report, and the checks across them.

The rules of consent and privacy are here, so every adapter keeps them alike:
- a member's answers stay private until they submit a finished report; what the organiser
  sees of anyone else is only joined or not, progress (parts done, 字数) and submitted or not;
- only the organiser and the co-organisers they name see submissions and the cross-check;
- a member may withdraw before the deadline; leaving removes the submission;
- before submitting, a member may learn which of their own problems are too like ones
  already submitted, never whose they are or what they say.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core import banzi, crosscheck, reminders
from bot.core.banzi import Offer
from bot.core.crosscheck import CrossCheck, Item, Member
from bot.core.model import Flow
from bot.core.replies import summarize
from bot.core.state import ADD, Input
from bot.errors import DuizhaoError, UnknownInterview
from bot.service import Interviews, Outcome
from bot.storage.meetings import Meeting, Membership, Submission

ORGANISER, CO, MEMBER = "organiser", "co", "member"
NAME_MAX = 60
ROSTER_MAX = 50


class MeetingError(DuizhaoError):
    """An action on a meeting that is refused; the message says why, in Chinese."""


@dataclass(frozen=True)
class MemberStatus:
    """What the organiser may know of one member: never the content of a draft."""

    name: str
    joined: bool
    role: str = MEMBER
    parts_done: int = 0
    parts: int = 0
    chars: int = 0
    finished: bool = False
    submitted: bool = False


def new_code() -> str:
    """An invite code: 128 random bits, URL-safe, fits a t.me deep link (≤ 64 characters)."""
    return secrets.token_urlsafe(16)


class Meetings:
    """Meetings over the interviews service: every rule checked against who is asking."""

    def __init__(self, service: Interviews):
        self.service = service
        self.storage = service.storage

    # -- making and finding ------------------------------------------------------------------

    def create(
        self,
        organiser: str,
        flow_id: str,
        name: str,
        deadline: dt.date,
        roster: tuple[str, ...] = (),
        organiser_name: str = "",
    ) -> Meeting:
        if flow_id not in self.service.flows:
            raise MeetingError("没有这种材料。")
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise MeetingError(f"会议名称要写 1 到 {NAME_MAX} 个字。")
        return self.storage.create_meeting(
            organiser, flow_id, name, deadline, new_code(), roster[:ROSTER_MAX], organiser_name
        )

    def by_code(self, code: str) -> Meeting | None:
        return self.storage.meeting_by_code(code) if code else None

    def get(self, meeting_id: int, viewer: str) -> Meeting:
        """The meeting, if the viewer organises it or belongs to it."""
        meeting = self.storage.meeting(meeting_id)
        if meeting is None or self.role(meeting, viewer) is None:
            raise MeetingError("没有找到这个会议，或者您不在这个会议中。")
        return meeting

    def role(self, meeting: Meeting, owner: str) -> str | None:
        if meeting.organiser == owner:
            return ORGANISER
        membership = self.storage.membership(meeting.id, owner)
        return membership.role if membership else None

    def meetings_of(self, owner: str) -> list[Meeting]:
        return self.storage.meetings_of(owner)

    def flow_of(self, meeting: Meeting) -> Flow:
        return self.service.flows[meeting.flow_id]

    def revoke(self, meeting_id: int, viewer: str) -> Meeting:
        """A new invite code; the old link stops working. Members already in stay."""
        meeting = self._organising(meeting_id, viewer, organiser_only=True)
        return self.storage.replace_code(meeting.id, new_code())

    def name_co(self, meeting_id: int, viewer: str, owner: str) -> Membership:
        """The organiser names a member co-organiser (or takes it back)."""
        meeting = self._organising(meeting_id, viewer, organiser_only=True)
        membership = self.storage.membership(meeting.id, owner)
        if membership is None:
            raise MeetingError("这位成员已经不在会议中。")
        self.storage.set_role(meeting.id, owner, MEMBER if membership.role == CO else CO)
        return self.storage.membership(meeting.id, owner)

    # -- members -----------------------------------------------------------------------------

    def unclaimed(self, meeting: Meeting) -> list[str]:
        """Names on the organiser's roster that no member has taken yet."""
        taken = {m.name for m in self.storage.members(meeting.id)}
        return [n for n in meeting.roster if n not in taken]

    def join(self, meeting: Meeting, owner: str, name: str) -> Membership:
        if owner == meeting.organiser:
            raise MeetingError("您是这个会议的组织者。")
        name = name.strip()[:NAME_MAX] or "成员"
        existing = self.storage.membership(meeting.id, owner)
        if existing:
            return existing
        if meeting.roster and name in meeting.roster and name not in self.unclaimed(meeting):
            raise MeetingError(f"名单上的“{name}”已经有人加入了。")
        return self.storage.add_member(meeting.id, owner, name)

    def start_interview(self, meeting_id: int, owner: str, source: str | None = None) -> Outcome:
        """A new interview of the meeting's flow, attached, with the meeting's deadline."""
        meeting = self._membership(meeting_id, owner)[0]
        outcome = self.service.start(owner, meeting.flow_id, source)
        self.storage.attach(meeting.id, owner, outcome.interview.id, meeting.deadline)
        return Outcome(self.storage.get(outcome.interview.id), outcome.reply)

    def attach(self, meeting_id: int, owner: str, interview_id: int) -> None:
        meeting = self._membership(meeting_id, owner)[0]
        try:
            interview = self.storage.get(interview_id, owner)
        except UnknownInterview:
            raise MeetingError("没有找到这份材料。") from None
        if interview.flow_id != meeting.flow_id:
            raise MeetingError("这份材料和会议要求的不是同一种。")
        self.storage.attach(meeting.id, owner, interview.id, meeting.deadline)

    def leave(self, meeting_id: int, owner: str) -> None:
        """Leave the meeting; what was submitted is deleted with the membership."""
        self._membership(meeting_id, owner)
        self.storage.remove_member(meeting_id, owner)

    def memberships_of_interview(self, interview_id: int) -> list[tuple[Meeting, Membership]]:
        found = []
        for membership in self.storage.memberships_of_interview(interview_id):
            meeting = self.storage.meeting(membership.meeting_id)
            if meeting:
                found.append((meeting, membership))
        return found

    # -- submitting --------------------------------------------------------------------------

    def submit(self, meeting_id: int, owner: str) -> Submission:
        meeting, membership = self._membership(meeting_id, owner)
        if membership.interview_id is None:
            raise MeetingError("您还没有为这个会议写材料。")
        interview = self.storage.get(membership.interview_id, owner)
        if not interview.finished:
            raise MeetingError("材料还没有完成：答完并点“生成报告”后才能提交。")
        return self.storage.submit(meeting.id, owner, interview.id, interview.state.answers)

    def withdraw(self, meeting_id: int, owner: str, today: dt.date) -> None:
        meeting, _ = self._membership(meeting_id, owner)
        if today > meeting.deadline:
            raise MeetingError("截止日期已过，不能再撤回。如有需要，请直接联系组织者。")
        if not self.storage.withdraw(meeting.id, owner):
            raise MeetingError("您还没有提交，没有可撤回的。")

    def submitted(self, meeting_id: int, owner: str) -> bool:
        return self.storage.submission(meeting_id, owner) is not None

    def too_like(self, meeting_id: int, owner: str) -> list[Item]:
        """The member's own problems and measures too like ones others submitted."""
        meeting, membership = self._membership(meeting_id, owner)
        if membership.interview_id is None:
            return []
        interview = self.storage.get(membership.interview_id, owner)
        mine = Member(owner, membership.name, interview.state.answers)
        others = [
            Member(s.owner, "", s.answers)
            for s in self.storage.submissions(meeting.id)
            if s.owner != owner
        ]
        return crosscheck.too_like_others(self.flow_of(meeting), mine, others)

    # -- for the organiser -------------------------------------------------------------------

    def status(self, meeting_id: int, viewer: str) -> list[MemberStatus]:
        """Per member: joined, progress, submitted; roster names not yet joined last."""
        meeting = self._organising(meeting_id, viewer)
        flow = self.flow_of(meeting)
        submitted = {s.owner for s in self.storage.submissions(meeting.id)}
        rows = []
        for m in self.storage.members(meeting.id):
            row = MemberStatus(m.name, True, m.role, submitted=m.owner in submitted)
            if m.interview_id is not None:
                try:
                    interview = self.storage.get(m.interview_id, m.owner)
                except UnknownInterview:
                    interview = None
                if interview is not None:
                    parts = summarize(flow, interview.state)
                    row = MemberStatus(
                        m.name,
                        True,
                        m.role,
                        parts_done=sum(1 for p in parts if p.total and p.answered == p.total),
                        parts=len(parts),
                        chars=sum(p.chars for p in parts),
                        finished=interview.finished,
                        submitted=m.owner in submitted,
                    )
            rows.append(row)
        rows += [MemberStatus(name, False) for name in self.unclaimed(meeting)]
        return rows

    def members(self, meeting_id: int, viewer: str) -> list[Membership]:
        self._organising(meeting_id, viewer)
        return self.storage.members(meeting_id)

    def submissions(self, meeting_id: int, viewer: str) -> list[tuple[str, Submission]]:
        """(member name, submission), for the organiser and co-organisers only."""
        meeting = self._organising(meeting_id, viewer)
        names = {m.owner: m.name for m in self.storage.members(meeting.id)}
        return [(names.get(s.owner, "成员"), s) for s in self.storage.submissions(meeting.id)]

    def check(self, meeting_id: int, viewer: str) -> CrossCheck:
        meeting = self._organising(meeting_id, viewer)
        members = [
            Member(s.owner, name, s.answers) for name, s in self.submissions(meeting.id, viewer)
        ]
        return crosscheck.crosscheck(self.flow_of(meeting), members)

    def not_submitted(self, meeting_id: int, viewer: str) -> list[Membership]:
        meeting = self._organising(meeting_id, viewer)
        submitted = {s.owner for s in self.storage.submissions(meeting.id)}
        return [m for m in self.storage.members(meeting.id) if m.owner not in submitted]

    def nudge(self, meeting_id: int, viewer: str, now: dt.datetime) -> list[Membership]:
        """The organiser's "remind all not submitted": once a day per member, never in quiet
        hours, not to a member who turned reminders off or blocked the bot. Returns whom to
        send to (already recorded as sent)."""
        meeting = self._organising(meeting_id, viewer)
        local = now.astimezone(ZoneInfo(reminders.DEFAULT_TZ))
        if reminders.in_quiet_hours(local):
            raise MeetingError("现在是休息时间（晚上10点到早上8点），不发提醒。请明天8点以后再发。")
        reason = f"nudge-{local.date().isoformat()}"
        return [
            m
            for m in self.not_submitted(meeting.id, viewer)
            if self.storage.reachable(m.owner)
            and self.storage.record_meeting_reminder(meeting.id, m.owner, (reason,))
        ]

    def due_reminders(self, now: dt.datetime) -> list[tuple[Meeting, Membership, tuple[str, ...]]]:
        """Members to remind of a meeting's deadline (3 days and 1 day before) who have not
        submitted and whose interview's own reminders do not cover it (finished, or none yet).
        Recorded as sent when returned."""
        local = now.astimezone(ZoneInfo(reminders.DEFAULT_TZ))
        if reminders.in_quiet_hours(local):
            return []
        found = []
        for meeting in self.storage.open_meetings(local.date()):
            left = (meeting.deadline - local.date()).days
            reason = "deadline-1" if left <= 1 else "deadline-3" if left <= 3 else ""
            if not reason:
                continue
            submitted = {s.owner for s in self.storage.submissions(meeting.id)}
            for m in self.storage.members(meeting.id):
                if m.owner in submitted or not self.storage.reachable(m.owner):
                    continue
                if m.interview_id is not None and not self._finished(m):
                    continue  # the interview's own deadline reminders speak
                if self.storage.record_meeting_reminder(meeting.id, m.owner, (reason,)):
                    found.append((meeting, m, (reason,)))
        return found

    def _finished(self, m: Membership) -> bool:
        try:
            return self.storage.get(m.interview_id, m.owner).finished
        except UnknownInterview:
            return True

    # -- the 班子 material -----------------------------------------------------------------------

    def team_report(self, meeting_id: int, viewer: str, source: str | None = None) -> Outcome:
        """The organiser's 领导班子 report for the meeting: begun once, then resumed."""
        meeting = self._organising(meeting_id, viewer, organiser_only=True)
        flow = self.flow_of(meeting)
        if not banzi.has_team_variant(flow):
            raise MeetingError("这种材料没有领导班子的写法。")
        if meeting.team_interview is not None:
            try:
                interview = self.storage.activate(viewer, meeting.team_interview)
                return self.service.resume(interview)
            except UnknownInterview:
                pass  # deleted since: begin again
        outcome = self.service.start(viewer, flow.id, source)
        outcome = self.service.bring_in(outcome.interview, {banzi.TEAM_QUESTION: True}, {})
        self.storage.set_team_interview(meeting.id, outcome.interview.id)
        self.storage.set_deadline(outcome.interview.id, viewer, meeting.deadline)
        return self.service.resume(outcome.interview)

    def offers(self, meeting_id: int, viewer: str, section_id: str) -> list[Offer]:
        """The members' submitted problems of one theme, near-duplicates grouped."""
        meeting = self._organising(meeting_id, viewer)
        members = [Member(s.owner, n, s.answers) for n, s in self.submissions(meeting.id, viewer)]
        return banzi.offers(self.flow_of(meeting), section_id, members)

    def adopt(self, meeting_id: int, viewer: str, section_id: str, index: int) -> Outcome:
        """Write offer `index` as the next problem of the theme in the 班子 report."""
        meeting = self._organising(meeting_id, viewer, organiser_only=True)
        flow = self.flow_of(meeting)
        q = banzi.problems_question(flow, section_id)
        found = self.offers(meeting.id, viewer, section_id)
        if q is None or not 0 <= index < len(found) or meeting.team_interview is None:
            raise MeetingError("这条问题已经不在了，请重新打开列表。")
        interview = self.storage.get(meeting.team_interview, viewer)
        cursor = interview.state.cursor
        first = q.questions[0].id
        at_new_item = cursor.startswith(f"{q.id}[") and cursor.endswith(f"].{first}")
        if cursor != f"{q.id}[+]" and not at_new_item:
            title = flow.section_of(q.id).title
            raise MeetingError(f"请先在班子材料里写到“{title}”的问题这一步，再采用。")
        inputs = [("choose", ADD)] if cursor == f"{q.id}[+]" else []
        inputs += banzi.adopt_inputs(q, found[index])
        outcome = self.service.resume(interview)
        for kind, value in inputs:
            outcome = self.service.answer(outcome.interview, Input(kind, value))
            if outcome.reply.error:
                break
        return outcome

    # -- who may ------------------------------------------------------------------------------

    def _organising(self, meeting_id: int, viewer: str, organiser_only: bool = False) -> Meeting:
        meeting = self.storage.meeting(meeting_id)
        allowed = (ORGANISER,) if organiser_only else (ORGANISER, CO)
        if meeting is None or self.role(meeting, viewer) not in allowed:
            raise MeetingError("只有会议的组织者才能这样做。")
        return meeting

    def _membership(self, meeting_id: int, owner: str) -> tuple[Meeting, Membership]:
        meeting = self.storage.meeting(meeting_id)
        membership = self.storage.membership(meeting_id, owner) if meeting else None
        if meeting is None or membership is None:
            raise MeetingError("您不在这个会议中。")
        return meeting, membership
