"""Meetings in the chat: /meeting new (a short conversation), the invite deep link, the join
screen, the member's and the organiser's screens and their buttons.

Every button is `Payload(meeting id, verb, "m", argument)`; each press is checked against who
pressed it by bot/meetings.py, so a forged press gets "no permission" and reveals nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from html import escape

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.core import banzi, callbacks, reminders
from bot.core.commands import parse_command
from bot.core.replies import summarize
from bot.meetings import CO, ORGANISER, MeetingError, Meetings, MemberStatus
from bot.report.opinion import opinion_docx, opinion_text, safe_name, submissions_zip
from bot.storage.meetings import Meeting
from bot.telegram import meetingtexts as say
from bot.telegram import view
from bot.telegram.chat import answer_query, send, send_long, show
from bot.telegram.context import DEPS, Context, Deps, owner_of

log = logging.getLogger("duizhao.bot")
Handler = Callable[[Update, Context], Awaitable[None]]

ACTION = "m"
ROSTER_NAME_MAX = 20
ROSTER_SPLIT = re.compile(r"[、，,；;\s]+")


def _meetings(context: Context) -> Meetings:
    return context.deps.meetings


def button(label: str, meeting_id: int, verb: str, arg: str = "") -> InlineKeyboardButton:
    return view.button(label, callbacks.Payload(meeting_id, verb, ACTION, arg))


def _when(deadline: dt.date) -> str:
    return f"{deadline.year}年{deadline.month}月{deadline.day}日"


def invite_link(context: Context, meeting: Meeting) -> str:
    return f"https://t.me/{context.bot.username}?start={meeting.code}"


def _user_name(update: Update) -> str:
    user = update.effective_user
    return (user.full_name if user else "") or "成员"


# -- /meeting --------------------------------------------------------------------------------


async def cmd_meeting(update: Update, context: Context) -> None:
    """/meeting, /meeting new, /meeting status."""
    _, arg = parse_command(update.message.text) or ("", "")
    owner = owner_of(update)
    meetings = _meetings(context)
    if arg in ("new", "新建"):
        meetings.storage.put_meeting_draft(owner, {"step": "flow"})
        keyboard = [
            [button(flow.title, 0, "nf", flow_id)]
            for flow_id, flow in context.service.flows.items()
        ]
        keyboard.append([button(say.CANCEL, 0, "nx")])
        await send(update, say.NEW_FLOW, InlineKeyboardMarkup(keyboard), parse_mode=None)
        return
    mine = meetings.meetings_of(owner)
    if arg in ("status", "进度"):
        organised = [m for m in mine if meetings.role(m, owner) in (ORGANISER, CO)]
        if not organised:
            await send(update, say.NONE_YET, parse_mode=None)
        else:
            await show_meeting(update, context, organised[0])
        return
    if arg:
        await send(update, say.USAGE, parse_mode=None)
    elif not mine:
        await send(update, say.NONE_YET, parse_mode=None)
    elif len(mine) == 1:
        await show_meeting(update, context, mine[0])
    else:
        keyboard = [[button(m.name, m.id, "v")] for m in mine]
        await send(update, say.PICK, InlineKeyboardMarkup(keyboard), parse_mode=None)


async def on_text(update: Update, context: Context) -> bool:
    """Text that answers the /meeting new conversation; False when there is none."""
    owner = owner_of(update)
    storage = _meetings(context).storage
    draft = storage.meeting_draft(owner)
    if draft is None or draft.get("step") == "flow":
        return False
    text = update.message.text.strip()
    if draft["step"] == "deadline":
        date = reminders.parse_deadline(text, context.today())
        if date is None:
            await send(
                update, f"“{text}”不是一个还没过去的日期。" + say.NEW_DEADLINE, parse_mode=None
            )
            return True
        storage.put_meeting_draft(owner, {**draft, "step": "name", "deadline": date.isoformat()})
        await send(update, say.NEW_NAME, _cancel_keyboard(), parse_mode=None)
    elif draft["step"] == "name":
        if not 1 <= len(text) <= 60:
            await send(update, say.NEW_NAME_BAD, parse_mode=None)
            return True
        storage.put_meeting_draft(owner, {**draft, "step": "roster", "name": text})
        keyboard = InlineKeyboardMarkup([[button(say.SKIP, 0, "ns"), button(say.CANCEL, 0, "nx")]])
        await send(update, say.NEW_ROSTER, keyboard, parse_mode=None)
    elif draft["step"] == "roster":
        names = tuple(dict.fromkeys(n for n in ROSTER_SPLIT.split(text) if n))
        if not names or len(names) > 50 or any(len(n) > ROSTER_NAME_MAX for n in names):
            await send(update, say.NEW_ROSTER_BAD, parse_mode=None)
            return True
        await _create(update, context, {**draft, "roster": list(names)})
    return True


def leaving_draft(handler: Handler) -> Handler:
    """Any other command or button ends a /meeting new conversation first (saying so), so
    the next text answers the interview again instead of naming a meeting."""

    async def run(update: Update, context: Context) -> None:
        storage = _meetings(context).storage
        owner = owner_of(update)
        if storage.meeting_draft(owner) is not None:
            storage.put_meeting_draft(owner, None)
            await send(update, say.NEW_CANCELLED, parse_mode=None)
        await handler(update, context)

    return run


def _cancel_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(say.CANCEL, 0, "nx")]])


async def _create(update: Update, context: Context, draft: dict) -> None:
    meetings = _meetings(context)
    owner = owner_of(update)
    meeting = meetings.create(
        owner,
        draft["flow"],
        draft["name"],
        dt.date.fromisoformat(draft["deadline"]),
        tuple(draft.get("roster") or ()),
        _user_name(update),
    )
    meetings.storage.put_meeting_draft(owner, None)
    log.info("meeting %s created", meeting.id)
    flow = meetings.flow_of(meeting)
    text = say.CREATED.format(
        name=meeting.name,
        flow=flow.title,
        deadline=_when(meeting.deadline),
        link=invite_link(context, meeting),
    )
    await send(update, text, parse_mode=None)
    await show_meeting(update, context, meeting)


# -- the invite ------------------------------------------------------------------------------


async def open_invite(update: Update, context: Context, code: str) -> None:
    """/start <code>: the join screen (or, for someone already in, the meeting)."""
    meetings = _meetings(context)
    meeting = meetings.by_code(code)
    owner = owner_of(update)
    if meeting is None:
        await send(update, say.BAD_LINK, parse_mode=None)
        return
    if meetings.role(meeting, owner) is not None:
        await show_meeting(update, context, meeting)
        return
    flow = meetings.flow_of(meeting)
    co = [m.name for m in meetings.storage.members(meeting.id) if m.role == CO]
    text = say.INVITE.format(
        name=meeting.name,
        organiser=meeting.organiser_name or "组织者",
        co=say.INVITE_CO.format(names="、".join(co)) if co else "",
        flow=flow.title,
        deadline=_when(meeting.deadline),
    )
    unclaimed = meetings.unclaimed(meeting)
    rows = [
        [button(say.JOIN_AS.format(name=name), meeting.id, "j", f"{meeting.code}:{i}")]
        for i, name in enumerate(meeting.roster)
        if name in unclaimed
    ]
    rows.append(
        [
            button(say.JOIN_OFF_ROSTER if rows else say.JOIN, meeting.id, "j", meeting.code),
            button(say.JOIN_NO, meeting.id, "jx"),
        ]
    )
    await send(update, text, InlineKeyboardMarkup(rows), parse_mode=None)


async def _join(update: Update, context: Context, meeting_id: int, arg: str) -> None:
    meetings = _meetings(context)
    code, _, index = arg.partition(":")
    meeting = meetings.storage.meeting(meeting_id)
    # The code in the button proves the link was opened; an old link's buttons die with it.
    if meeting is None or not code or code != meeting.code:
        await send(update, say.BAD_LINK, parse_mode=None)
        return
    name = _user_name(update)
    if index.isdigit() and int(index) < len(meeting.roster):
        name = meeting.roster[int(index)]
    membership = meetings.join(meeting, owner_of(update), name)
    log.info("meeting %s joined", meeting.id)
    text = say.JOINED.format(name=meeting.name, deadline=_when(meeting.deadline))
    await send(update, text, _writing_keyboard(context, meeting, membership.owner), parse_mode=None)


def _writing_keyboard(context: Context, meeting: Meeting, owner: str) -> InlineKeyboardMarkup:
    rows = [[button(say.START_NEW, meeting.id, "s")]]
    active = context.service.active(owner)
    if active and active.flow_id == meeting.flow_id:
        rows.append([button(say.ATTACH.format(id=active.id), meeting.id, "a", str(active.id))])
    return InlineKeyboardMarkup(rows)


# -- the screens -----------------------------------------------------------------------------


async def show_meeting(update: Update, context: Context, meeting: Meeting) -> None:
    if _meetings(context).role(meeting, owner_of(update)) in (ORGANISER, CO):
        await _organiser_screen(update, context, meeting)
    else:
        await _member_screen(update, context, meeting)


async def _member_screen(update: Update, context: Context, meeting: Meeting) -> None:
    meetings = _meetings(context)
    owner = owner_of(update)
    membership = meetings.storage.membership(meeting.id, owner)
    if membership is None:
        await send(update, say.STALE, parse_mode=None)
        return
    lines = [
        say.MEMBER_HEAD.format(
            name=meeting.name,
            organiser=meeting.organiser_name or "组织者",
            days=context.days_left(meeting.deadline),
        )
    ]
    rows: list[list[InlineKeyboardButton]] = []
    submission = meetings.storage.submission(meeting.id, owner)
    interview = meetings.storage.get(membership.interview_id) if membership.interview_id else None
    if submission:
        lines.append(say.MEMBER_SUBMITTED.format(at=submission.submitted_at[:10]))
        if context.today() <= meeting.deadline:
            rows.append([button(say.WITHDRAW, meeting.id, "wd")])
    if interview is None:
        lines.append(say.MEMBER_NO_INTERVIEW)
        rows += _writing_keyboard(context, meeting, owner).inline_keyboard
    elif not interview.finished:
        parts = summarize(context.service.flow_of(interview), interview.state)
        done = sum(1 for p in parts if p.total and p.answered == p.total)
        chars = sum(p.chars for p in parts)
        lines.append(say.MEMBER_WRITING.format(done=done, parts=len(parts), chars=chars))
        rows.append([view.button(say.CONTINUE, callbacks.Payload(interview.id, "", "r"))])
        rows.append([button(say.CHECK_MINE, meeting.id, "tl")])
    elif not submission:
        lines.append(say.MEMBER_FINISHED)
        rows.append(
            [button(say.SUBMIT, meeting.id, "sb"), button(say.CHECK_MINE, meeting.id, "tl")]
        )
    rows.append([button(say.LEAVE, meeting.id, "lv")])
    await send(update, "\n".join(lines), InlineKeyboardMarkup(rows), parse_mode=None)


def status_table(rows: list[MemberStatus]) -> str:
    """A compact fixed-width table: name, parts, 字数, submitted."""
    lines = ["成员        进度   字数  提交"]
    for r in rows:
        name = r.name[:5] + ("*" if r.role == CO else "")
        pad = " " * max(0, 10 - 2 * len(name))
        if not r.joined:
            lines.append(f"{name}{pad}  {say.NOT_JOINED}")
            continue
        progress = f"{r.parts_done}/{r.parts}" if r.parts else "—"
        mark = "✅" if r.submitted else ("完成" if r.finished else "—")
        lines.append(f"{name}{pad}  {progress:>5} {r.chars:>5}  {mark}")
    return "\n".join(lines)


async def _organiser_screen(update: Update, context: Context, meeting: Meeting) -> None:
    meetings = _meetings(context)
    owner = owner_of(update)
    rows = meetings.status(meeting.id, owner)
    joined = [r for r in rows if r.joined]
    head = say.STATUS_HEAD.format(
        name=meeting.name,
        deadline=_when(meeting.deadline),
        joined=len(joined),
        submitted=sum(r.submitted for r in rows),
    )
    table = f"<pre>{escape(status_table(rows))}</pre>" if rows else escape(say.STATUS_EMPTY)
    keyboard = [
        [button(say.REMIND, meeting.id, "rm")],
        [button(say.ZIP, meeting.id, "zp"), button(say.CHECK, meeting.id, "ck")],
        [button(say.LINK_BUTTON, meeting.id, "li")],
    ]
    if meetings.role(meeting, owner) == ORGANISER:
        keyboard[-1].append(button(say.REVOKE, meeting.id, "rv"))
        keyboard.append([button(say.CO, meeting.id, "co")])
        if banzi.has_team_variant(meetings.flow_of(meeting)):
            keyboard.append([button(say.TEAM, meeting.id, "bz")])
    if meetings.storage.membership(meeting.id, owner):
        keyboard.append([button(say.MY_REPORT, meeting.id, "my")])
    else:
        keyboard.append([button(say.MY_OWN, meeting.id, "me")])
    await send(update, f"{escape(head)}\n{table}", InlineKeyboardMarkup(keyboard))


# -- buttons ---------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    await answer_query(update)
    payload = callbacks.decode(update.callback_query.data or "")
    verb, arg, meeting_id = payload.step, payload.value, payload.interview_id
    try:
        await _press(update, context, meeting_id, verb, arg)
    except MeetingError as exc:
        await send(update, str(exc), parse_mode=None)


async def _press(update: Update, context: Context, meeting_id: int, verb: str, arg: str) -> None:
    meetings = _meetings(context)
    owner = owner_of(update)
    if verb in ("nf", "ns", "nx"):
        await _new_step(update, context, verb, arg)
        return
    if verb == "j":
        await _join(update, context, meeting_id, arg)
        return
    if verb == "jx":
        await send(update, say.JOIN_DECLINED, parse_mode=None)
        return
    meeting = meetings.get(meeting_id, owner)  # refuses anyone not in the meeting
    if verb == "v":
        await show_meeting(update, context, meeting)
    elif verb == "s":
        outcome = await asyncio.to_thread(
            meetings.start_interview, meeting.id, owner, f"tg:{update.update_id}"
        )
        log.info("interview %s started for meeting %s", outcome.interview.id, meeting.id)
        await show(update, context, outcome, with_section=True)
    elif verb == "a" and arg.isdigit():
        meetings.attach(meeting.id, owner, int(arg))
        text = say.ATTACHED.format(id=arg, name=meeting.name, deadline=_when(meeting.deadline))
        await send(update, text, parse_mode=None)
        await _member_screen(update, context, meeting)
    elif verb == "sb":
        await asyncio.to_thread(meetings.submit, meeting.id, owner)
        log.info("meeting %s: a report submitted", meeting.id)
        text = say.SUBMITTED.format(name=meeting.name, deadline=_when(meeting.deadline))
        await send(update, text, parse_mode=None)
    elif verb == "tl":
        found = await asyncio.to_thread(meetings.too_like, meeting.id, owner)
        if not found:
            await send(update, say.TOO_LIKE_NONE, parse_mode=None)
        else:
            lines = [say.TOO_LIKE] + [f"• 您的{item.label}" for item in found]
            await send(update, "\n".join(lines), parse_mode=None)
    elif verb == "wd":
        meetings.withdraw(meeting.id, owner, context.today())
        await send(update, say.WITHDRAWN, parse_mode=None)
    elif verb == "lv":
        keyboard = InlineKeyboardMarkup(
            [[button(say.LEAVE_YES, meeting.id, "ly"), button(say.LEAVE_NO, meeting.id, "ln")]]
        )
        await send(update, say.LEAVE_CONFIRM.format(name=meeting.name), keyboard, parse_mode=None)
    elif verb == "ly":
        meetings.leave(meeting.id, owner)
        log.info("meeting %s: a member left", meeting.id)
        await send(update, say.LEFT.format(name=meeting.name), parse_mode=None)
    elif verb == "ln":
        await send(update, say.KEPT, parse_mode=None)
    elif verb == "my":
        await _member_screen(update, context, meeting)
    elif verb == "me" and meetings.role(meeting, owner) == ORGANISER:
        membership = meetings.join(meeting, owner, meeting.organiser_name or _user_name(update))
        text = say.JOINED.format(name=meeting.name, deadline=_when(meeting.deadline))
        await send(
            update, text, _writing_keyboard(context, meeting, membership.owner), parse_mode=None
        )
    else:
        await _organiser_press(update, context, meeting, verb, arg)


async def _organiser_press(
    update: Update, context: Context, meeting: Meeting, verb: str, arg: str
) -> None:
    meetings = _meetings(context)
    owner = owner_of(update)
    if verb == "rm":
        sent = await nudge(
            context.application, meetings.nudge(meeting.id, owner, context.deps.now()), meeting
        )
        text = say.REMINDED.format(count=sent) if sent else say.REMINDED_NONE
        await send(update, text, parse_mode=None)
    elif verb == "zp":
        reports = meetings.submissions(meeting.id, owner)
        if not reports:
            await send(update, say.ZIP_EMPTY, parse_mode=None)
            return
        flow = meetings.flow_of(meeting)
        async with context.deps.reports:
            data = await asyncio.to_thread(
                submissions_zip, flow, [(n, s.answers) for n, s in reports], context.today()
            )
        await update.effective_chat.send_document(
            data,
            filename=f"{safe_name(meeting.name)}-对照检查材料.zip",
            caption=say.ZIP_CAPTION.format(name=meeting.name, count=len(reports)),
        )
    elif verb == "ck":
        check = await asyncio.to_thread(meetings.check, meeting.id, owner)
        await send_long(update, f"{meeting.name}：交叉审核", opinion_text(check, meeting.name))
        if check.members:
            data = await asyncio.to_thread(opinion_docx, check, meeting.name, context.today())
            await update.effective_chat.send_document(
                data, filename=f"{safe_name(meeting.name)}-审核意见.docx", caption=say.CHECK_CAPTION
            )
    elif verb == "li":
        meetings.members(meeting.id, owner)  # organisers only
        text = say.LINK.format(name=meeting.name, link=invite_link(context, meeting))
        await send(update, text, parse_mode=None)
    elif verb == "rv":
        renewed = meetings.revoke(meeting.id, owner)
        log.info("meeting %s: invite link replaced", meeting.id)
        await send(update, say.REVOKED.format(link=invite_link(context, renewed)), parse_mode=None)
    elif verb == "co":
        members = meetings.members(meeting.id, owner)
        if meetings.role(meeting, owner) != ORGANISER:
            raise MeetingError("只有会议的组织者才能这样做。")
        if not members:
            await send(update, say.NO_MEMBERS, parse_mode=None)
            return
        keyboard = [
            [button(m.name + (" ✓" if m.role == CO else ""), meeting.id, "cm", m.owner)]
            for m in members
        ]
        await send(update, say.CO_PICK, InlineKeyboardMarkup(keyboard), parse_mode=None)
    elif verb in ("bz", "bt", "ba"):
        await _team_press(update, context, meeting, verb, arg)
    elif verb == "cm":
        membership = meetings.name_co(meeting.id, owner, arg)
        text = say.CO_SET if membership.role == CO else say.CO_UNSET
        await send(update, text.format(name=membership.name), parse_mode=None)
    else:
        await send(update, say.STALE, parse_mode=None)


async def _team_press(
    update: Update, context: Context, meeting: Meeting, verb: str, arg: str
) -> None:
    """The 班子 material: begin or resume it, the members' problems of a theme, adopt one."""
    meetings = _meetings(context)
    owner = owner_of(update)
    flow = meetings.flow_of(meeting)
    titles = dict(banzi.themes(flow))
    if verb == "bz":
        outcome = await asyncio.to_thread(
            meetings.team_report, meeting.id, owner, f"tg:{update.update_id}"
        )
        keyboard = [
            [button(say.TEAM_THEME.format(title=_short(title)), meeting.id, "bt", sid)]
            for sid, title in titles.items()
        ]
        await send(update, say.TEAM_STARTED, InlineKeyboardMarkup(keyboard), parse_mode=None)
        await show(update, context, outcome, with_section=True)
    elif verb == "bt" and arg in titles:
        found = meetings.offers(meeting.id, owner, arg)
        if not found:
            await send(update, say.OFFERS_NONE, parse_mode=None)
            return
        lines = [say.OFFERS_HEAD.format(title=_short(titles[arg]))]
        for n, offer in enumerate(found, 1):
            detail = " ".join(v for k, v in offer.item.items() if v != offer.summary)
            lines.append(
                say.OFFER_LINE.format(
                    n=n, names="、".join(offer.names), summary=offer.summary, detail=_clip(detail)
                )
            )
        buttons = [
            button(say.ADOPT.format(n=n), meeting.id, "ba", f"{arg}:{n - 1}")
            for n in range(1, len(found) + 1)
        ]
        await send_long(update, lines[0], "\n".join(lines[1:]))
        await send(update, lines[0], InlineKeyboardMarkup(view.rows(buttons)), parse_mode=None)
    elif verb == "ba":
        sid, _, index = arg.partition(":")
        if not index.isdigit():
            await send(update, say.STALE, parse_mode=None)
            return
        outcome = await asyncio.to_thread(meetings.adopt, meeting.id, owner, sid, int(index))
        await show(update, context, outcome, notice=say.ADOPTED)
    else:
        await send(update, say.STALE, parse_mode=None)


def _short(title: str) -> str:
    title = title.removeprefix("在").removesuffix("方面")
    return title if len(title) <= 14 else title[:14] + "…"


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


async def _new_step(update: Update, context: Context, verb: str, arg: str) -> None:
    owner = owner_of(update)
    storage = _meetings(context).storage
    draft = storage.meeting_draft(owner)
    if verb == "nx" or draft is None:
        storage.put_meeting_draft(owner, None)
        await send(update, say.NEW_CANCELLED if verb == "nx" else say.STALE, parse_mode=None)
    elif verb == "nf" and draft.get("step") == "flow" and arg in context.service.flows:
        storage.put_meeting_draft(owner, {"step": "deadline", "flow": arg})
        await send(update, say.NEW_DEADLINE, _cancel_keyboard(), parse_mode=None)
    elif verb == "ns" and draft.get("step") == "roster":
        await _create(update, context, draft)
    else:
        await send(update, say.STALE, parse_mode=None)


# -- reminders -------------------------------------------------------------------------------


async def nudge(app: Application, members: list, meeting: Meeting, text: str = "") -> int:
    """Send the organiser's reminder to each member; returns how many got it."""
    bot: Bot = app.bot
    storage = app.bot_data[DEPS].meetings.storage
    text = text or say.NUDGE.format(name=meeting.name, deadline=_when(meeting.deadline))
    keyboard = InlineKeyboardMarkup([[button(say.OPEN, meeting.id, "v")]])
    sent = 0
    for m in members:
        try:
            await bot.send_message(int(m.owner.split(":", 1)[1]), text, reply_markup=keyboard)
            sent += 1
        except Forbidden:
            storage.set_blocked(m.owner, True)
        except TelegramError as exc:  # one unreachable chat must not stop the others
            log.warning("meeting %s reminder not sent: %s", meeting.id, exc)
    return sent


async def send_meeting_reminders(app: Application) -> int:
    """The meeting deadlines' reminders that are due now."""
    deps: Deps = app.bot_data[DEPS]
    due = await asyncio.to_thread(deps.meetings.due_reminders, deps.now())
    sent = 0
    for meeting, membership, _ in due:
        text = say.DEADLINE_NUDGE.format(name=meeting.name, days=deps.days_left(meeting.deadline))
        sent += await nudge(app, [membership], meeting, text)
    return sent


async def meeting_tick(context: Context) -> None:
    await send_meeting_reminders(context.application)
