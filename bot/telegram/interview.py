"""The interview in the chat: starting it, answering, the buttons under each question.

Each handler finds the user's interview and hands the input to the service through
`chat.apply`, which commits it before anything is drawn.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.error import BadRequest

from bot.core import callbacks, replies
from bot.core.commands import parse_command, typed_number
from bot.core.state import Input
from bot.storage import Interview
from bot.telegram import lastyear, meetings, view
from bot.telegram import texts as say
from bot.telegram.chat import (
    active_or_offer,
    answer_query,
    apply,
    resume,
    send,
    send_long,
    show,
    stale,
)
from bot.telegram.context import Context, owner_of

log = logging.getLogger("duizhao.bot")

# Commands the engine handles itself, as the same input as their buttons.
ENGINE_COMMANDS = {"back": "back", "skip": "skip", "done": "done"}


async def cmd_start(update: Update, context: Context) -> None:
    """Greet; resume the active interview or offer the flows. A deep link's payload is a
    meeting's invite code."""
    _, code = parse_command(update.message.text) or ("", "")
    if code:
        await meetings.open_invite(update, context, code)
        return
    await send(update, say.WELCOME)
    interview = context.service.active(owner_of(update))
    if interview is None:
        await send(update, say.CHOOSE_FLOW, view.flow_keyboard(context.service.flows))
        return
    await resume(update, context, interview)


async def cmd_new(update: Update, context: Context) -> None:
    """Offer the flows for a new interview."""
    await send(update, say.CHOOSE_FLOW, view.flow_keyboard(context.service.flows))


async def cmd_resume(update: Update, context: Context) -> None:
    """Show the current question of the active interview."""
    interview = await active_or_offer(update, context)
    if interview:
        await resume(update, context, interview)


async def cmd_engine(update: Update, context: Context) -> None:
    """/back, /skip and /done: the same as their buttons."""
    name, _ = parse_command(update.message.text) or ("", "")
    await apply(update, context, Input(ENGINE_COMMANDS[name]))


async def cmd_cancel(update: Update, context: Context) -> None:
    """Leave an edit without changing the answer."""
    interview = await active_or_offer(update, context)
    if interview:
        await apply(update, context, Input("cancel"), interview)


async def cmd_edit(update: Update, context: Context) -> None:
    """List the answered questions (or, at the review, the sections) as buttons."""
    interview = await active_or_offer(update, context)
    if interview is None:
        return
    flow = context.service.flow_of(interview)
    choices = replies.edit_choices(flow, interview.state)
    if not choices:
        await send(update, say.NOTHING_TO_EDIT)
        return
    await send(
        update, say.EDIT_PICK, view.edit_keyboard(interview.id, interview.state.cursor, choices)
    )


async def cmd_status(update: Update, context: Context) -> None:
    """Progress per section."""
    interview = await active_or_offer(update, context)
    if interview is None:
        return
    flow = context.service.flow_of(interview)
    lines = [flow.title, *replies.status_lines(flow, interview.state)]
    if interview.deadline:
        lines.insert(0, context.days_left(interview.deadline))
    await send(update, "\n".join(lines), parse_mode=None)


async def on_text(update: Update, context: Context) -> None:
    """Typed text answers the current question (or, after /lastyear, is last year's report;
    during /meeting new, the meeting's details)."""
    if await meetings.on_text(update, context):
        return
    pending = context.service.storage.pending_import(owner_of(update))
    if lastyear.in_paste_mode(pending):
        await lastyear.collect_paste(update, context, pending)
        return
    interview = await active_or_offer(update, context)
    if interview:
        await apply(update, context, Input.text(update.message.text), interview)


async def on_flow_button(update: Update, context: Context) -> None:
    """A flow picked from the list: a new interview of it."""
    await answer_query(update)
    flow_id = callbacks.decode(update.callback_query.data).value
    if flow_id not in context.service.flows:
        await stale(update, context)
        return
    outcome = context.service.start(owner_of(update), flow_id, f"tg:{update.update_id}")
    log.info("interview %s started (%s)", outcome.interview.id, flow_id)
    title = context.service.flows[flow_id].title
    await send(update, say.STARTED.format(title=title) + "\n" + say.DEADLINE_TIP)
    await show(update, context, outcome, with_section=True)


async def on_button(update: Update, context: Context) -> None:
    """A button under a question or the review; stale or forged ones re-show the question.

    Every press is answered at once, or the user's button keeps spinning.
    """
    query = update.callback_query
    await answer_query(update)
    payload = callbacks.decode(query.data or "")
    if payload is None:
        await stale(update, context)
        return
    interview = context.service.active(owner_of(update))
    kind = view.COMMANDS_BY_CODE.get(payload.action)
    if interview is None or interview.id != payload.interview_id or kind is None:
        await stale(update, context)
        return
    if context.service.storage.seen(f"tg:{update.update_id}"):
        # Delivered again after a crash: applied already, and the step has moved on, so
        # not stale; apply re-shows where it led (the report, if it finished).
        await apply(update, context, Input(kind, payload.value), interview)
    elif kind in ("edit", "append"):
        await apply(update, context, Input(kind, payload.step), interview)
    elif payload.step != interview.state.cursor:
        await stale(update, context)
    elif kind == "page":
        await _turn_page(update, context, interview, payload.value)
    elif kind in ("guide", "samples", "lastyear"):
        await _show_help(update, context, interview, kind)
    else:
        await apply(update, context, Input(kind, payload.value), interview)


async def _turn_page(update: Update, context: Context, interview: Interview, value: str) -> None:
    """Another page of /edit's list (e) or of the review's fix buttons (r), in place."""
    flow = context.service.flow_of(interview)
    page = typed_number(value[1:]) or 0
    if value[:1] == "e":
        choices = replies.edit_choices(flow, interview.state)
        keyboard = view.edit_keyboard(interview.id, interview.state.cursor, choices, page)
    else:
        review = replies.show(flow, interview.state).review
        if review is None:
            await stale(update, context)
            return
        keyboard = view.review_keyboard(interview.id, review, interview.finished, page=page)
    try:
        await update.callback_query.edit_message_reply_markup(keyboard)
    except BadRequest:  # the message is gone or too old to edit: send the page anew
        await send(update, say.EDIT_PICK if value[:1] == "e" else say.MORE_FIXES, keyboard)


async def _show_help(update: Update, context: Context, interview: Interview, kind: str) -> None:
    """The section's 说明, the question's 参考表述 or last year's problems; nothing changes."""
    prompt = context.service.show(interview).prompt
    if prompt is None:
        await stale(update, context)
    elif kind == "guide":
        await send(update, f"<b>说明</b>\n{escape(prompt.guide or say.NO_GUIDE)}")
        # The question again below the explanation, with its buttons, to answer right away.
        await show(update, context, context.service.resume(interview))
    elif kind == "lastyear":
        lines = [say.LAST_YEAR_PROBLEMS] + [f"{i}. {p}" for i, p in enumerate(prompt.last_year, 1)]
        await send_long(update, lines[0], "\n".join(lines[1:]))
    elif prompt.samples:
        text, keyboard = view.samples_message(interview.id, prompt)
        await send(update, text, keyboard)
