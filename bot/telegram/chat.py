"""Talking to one chat: sending, drawing engine replies, applying one input, and sending the
report when an input finishes the interview.

Every handler module uses these, so a reply looks the same whichever action led to it.
"""

from __future__ import annotations

import asyncio
import io
import logging
from html import escape

from telegram import Chat, InlineKeyboardMarkup, Update
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
from bot.telegram.context import Context, Deps, owner_of

log = logging.getLogger("duizhao.bot")


async def send(
    update: Update,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    parse_mode: str | None = ParseMode.HTML,
) -> None:
    """Send `text`; plain text over Telegram's limit goes in several messages (the keyboard
    under the last), HTML is cut at the limit: a reply quoting user text always goes out."""
    chunks = view.split_text(text) if parse_mode is None else [view.fit_html(text)]
    try:
        for i, chunk in enumerate(chunks or [text], 1):
            markup = keyboard if i == len(chunks or [text]) else None
            await update.effective_chat.send_message(
                chunk, reply_markup=markup, parse_mode=parse_mode
            )
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
        keyboard = view.with_web_app(
            view.review_keyboard(interview_id, reply.review, reply.finished, reply),
            context.config.web_url,
            interview_id,
        )
        deadline = outcome.interview.deadline
        footer = context.days_left(deadline) if deadline else ""
        parts = view.review_parts(reply.review, reply, footer)
        for part in parts[:-1]:
            await send(update, part)
        await send(update, parts[-1], keyboard)


async def send_report(update: Update, context: Context, interview: Interview) -> None:
    """The report as text messages, then as .docx and Markdown files."""
    await send_report_to(update.effective_chat, context.deps, interview)
    await offer_submit(update, context, interview.id)


async def send_report_to(chat: Chat, deps: Deps, interview: Interview) -> None:
    """The report into one chat (also when the web page asks for it)."""
    async with deps.reports:
        flow = deps.service.flow_of(interview)
        day = interview.deadline or deps.today()  # the meeting date when the user set one
        doc = await asyncio.to_thread(build_document, flow, interview.state.answers, date=day)
        try:
            await chat.send_message(say.REPORT_HEADER.format(zishu=doc.zishu), parse_mode=None)
            for chunk in view.split_text(to_text(doc)):
                await chat.send_message(chunk, parse_mode=None)
            docx = io.BytesIO()
            await asyncio.to_thread(to_docx, doc, docx)
            name = report_name(flow, interview.state.answers)
            await chat.send_document(
                docx.getvalue(), filename=f"{name}.docx", caption=say.REPORT_FILES
            )
            await chat.send_document(to_markdown(doc).encode("utf-8"), filename=f"{name}.md")
        except Forbidden:
            log.info("chat %s blocked the bot", chat.id)


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
