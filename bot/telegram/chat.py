"""Talking to one chat: sending, drawing engine replies, applying one input, and sending the
report when an input finishes the interview.

Every handler module uses these, so a reply looks the same whichever action led to it.
"""

from __future__ import annotations

import asyncio
import io
import logging
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.core import callbacks
from bot.core.replies import Reply
from bot.core.state import Input
from bot.report.render import build_document, report_name
from bot.report.writers.docx import to_docx
from bot.report.writers.markdown import to_markdown
from bot.report.writers.text import to_text
from bot.service import Outcome
from bot.storage import Interview
from bot.telegram import meetingtexts, view
from bot.telegram import texts as say
from bot.telegram.context import Context, owner_of

log = logging.getLogger("duizhao.bot")


async def send(
    update: Update,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    parse_mode: str | None = ParseMode.HTML,
) -> None:
    try:
        await update.effective_chat.send_message(text, reply_markup=keyboard, parse_mode=parse_mode)
    except Forbidden:
        log.info("chat %s blocked the bot", update.effective_chat.id)


async def send_long(update: Update, header: str, text: str) -> None:
    await send(update, header, parse_mode=None)
    for chunk in view.split_text(text):
        await send(update, chunk, parse_mode=None)


async def answer_query(update: Update, text: str | None = None) -> None:
    try:
        await update.callback_query.answer(text)
    except BadRequest:  # too old or answered already: nothing the user can see
        pass


async def active_or_offer(update: Update, context: Context) -> Interview | None:
    """The user's active interview; without one, the flows to start one."""
    interview = context.service.active(owner_of(update))
    if interview is None:
        await send(update, say.NO_INTERVIEW, view.flow_keyboard(context.service.flows))
    return interview


async def resume(update: Update, context: Context, interview: Interview) -> None:
    flow = context.service.flow_of(interview)
    if interview.finished:  # nothing to continue: say so, or the chat shows nothing
        await send(update, say.ALREADY_FINISHED.format(title=flow.title), parse_mode=None)
        return
    await send(update, say.RESUMED.format(title=flow.title))
    await show(update, context, context.service.resume(interview), with_section=True)


async def stale(update: Update, context: Context) -> None:
    """A button from an old message (or a forged one): say so and show where the user is."""
    interview = context.service.active(owner_of(update))
    if interview is None:
        await send(update, say.STALE_NOTHING, view.flow_keyboard(context.service.flows))
        return
    if interview.finished:  # no current question to show below the notice
        title = context.service.flow_of(interview).title
        await send(update, say.STALE_FINISHED + say.ALREADY_FINISHED.format(title=title), None)
        return
    await show(update, context, context.service.resume(interview), notice=say.STALE)


async def apply(
    update: Update, context: Context, inp: Input, interview: Interview | None = None
) -> None:
    """Commit one input, then draw the reply; an update seen before only re-shows."""
    interview = interview or await active_or_offer(update, context)
    if interview is None:
        return
    service = context.service
    was_finished = interview.finished
    outcome = await asyncio.to_thread(service.answer, interview, inp, f"tg:{update.update_id}")
    replayed = outcome is None
    if replayed:  # delivered twice: the first delivery was applied
        outcome = service.resume(service.storage.get(interview.id))
    await show(
        update, context, outcome, compact=outcome.interview.state.cursor == interview.state.cursor
    )
    # Delivered again after a crash: the first delivery may have died before the report.
    if outcome.interview.finished and (not was_finished or replayed):
        log.info("interview %s finished", interview.id)
        await send_report(update, context, outcome.interview)


async def show(
    update: Update,
    context: Context,
    outcome: Outcome,
    with_section: bool = False,
    compact: bool = False,
    notice: str = "",
) -> None:
    """Draw an engine reply: the question with its buttons, or the review."""
    reply: Reply = outcome.reply
    if notice:
        reply = Reply(
            notice=notice, prompt=reply.prompt, review=reply.review, finished=reply.finished
        )
    interview_id = outcome.interview.id
    if reply.prompt is not None:
        keyboard = view.prompt_keyboard(interview_id, reply.prompt, reply)
        if compact and not reply.error and reply.notice and reply.prompt.kind == "long_text":
            await send(update, escape(reply.notice), keyboard)
            return
        text = view.prompt_text(reply.prompt, reply, with_section or reply.entered_section)
        await send(update, text, keyboard)
    elif reply.review is not None:
        if reply.finished and not reply.error:
            if reply.notice:  # the report itself follows from apply
                await send(update, escape(reply.notice))
            return
        keyboard = view.review_keyboard(interview_id, reply.review, reply.finished, reply)
        text = view.review_text(reply.review, reply)
        if outcome.interview.deadline:
            text += "\n\n" + escape(context.days_left(outcome.interview.deadline))
        await send(update, text, keyboard)


async def send_report(update: Update, context: Context, interview: Interview) -> None:
    """The report as text messages, then as .docx and Markdown files."""
    async with context.deps.reports:
        flow = context.service.flow_of(interview)
        day = interview.deadline or context.today()  # the meeting date when the user set one
        doc = await asyncio.to_thread(build_document, flow, interview.state.answers, date=day)
        await send_long(update, say.REPORT_HEADER.format(zishu=doc.zishu), to_text(doc))
        docx = io.BytesIO()
        await asyncio.to_thread(to_docx, doc, docx)
        name = report_name(flow, interview.state.answers)
        chat = update.effective_chat
        await chat.send_document(docx.getvalue(), filename=f"{name}.docx", caption=say.REPORT_FILES)
        await chat.send_document(to_markdown(doc).encode("utf-8"), filename=f"{name}.md")
    await offer_submit(update, context, interview.id)


async def offer_submit(update: Update, context: Context, interview_id: int) -> None:
    """After a finished report: for each meeting it was written for, the submit button."""
    meetings = context.deps.meetings
    for meeting, membership in meetings.memberships_of_interview(interview_id):
        if meetings.submitted(meeting.id, membership.owner):
            continue
        keyboard = InlineKeyboardMarkup(
            [
                [
                    view.button(meetingtexts.SUBMIT, callbacks.Payload(meeting.id, "sb", "m")),
                    view.button(meetingtexts.CHECK_MINE, callbacks.Payload(meeting.id, "tl", "m")),
                ]
            ]
        )
        text = meetingtexts.SUBMIT_OFFER.format(name=meeting.name)
        await send(update, text, keyboard, parse_mode=None)
