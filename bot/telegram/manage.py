"""The user's interviews as a whole: list and switch, delete, export, preview, report."""

from __future__ import annotations

import asyncio
import io
import logging

from telegram import InlineKeyboardMarkup, Update

from bot.core import answersfile, callbacks
from bot.core.state import REVIEW, Input
from bot.errors import UnknownInterview
from bot.report.render import build_document
from bot.report.writers.text import to_text
from bot.storage import Interview
from bot.telegram import texts as say
from bot.telegram import view
from bot.telegram.chat import (
    active_or_offer,
    answer_query,
    apply,
    resume,
    send,
    send_long,
    send_report,
    stale,
)
from bot.telegram.context import Context, owner_of

log = logging.getLogger("duizhao.bot")


async def cmd_list(update: Update, context: Context) -> None:
    """The user's interviews, each a button that makes it the active one."""
    service = context.service
    interviews = service.storage.list(owner_of(update))
    if not interviews:
        await send(update, say.LIST_EMPTY, view.flow_keyboard(service.flows))
        return
    active = service.active(owner_of(update))
    shown = [i for i in interviews if i.flow_id in service.flows]
    buttons = [
        view.button(_label(context, i, active), callbacks.Payload(i.id, "", "r"))
        for i in shown[: view.PAGE_ROWS]
    ]
    await send(update, say.LIST_HEADER + _more(shown), InlineKeyboardMarkup([[b] for b in buttons]))


def _more(shown: list[Interview]) -> str:
    """A keyboard holds at most a page of interviews, the most recent; say how many more."""
    left = len(shown) - view.PAGE_ROWS
    return say.LIST_MORE.format(n=left) if left > 0 else ""


def _label(context: Context, interview: Interview, active: Interview | None) -> str:
    flow = context.service.flows[interview.flow_id]
    status = "已完成" if interview.finished else "进行中"
    mark = "▶ " if active and active.id == interview.id else ""
    return f"{mark}#{interview.id} {flow.year}年 · {status}"


async def cmd_delete(update: Update, context: Context) -> None:
    """Pick an interview to delete; deletion itself needs a second, explicit press."""
    service = context.service
    interviews = service.storage.list(owner_of(update))
    if not interviews:
        await send(update, say.LIST_EMPTY)
        return
    active = service.active(owner_of(update))
    shown = [i for i in interviews if i.flow_id in service.flows]
    buttons = [
        [view.button(_label(context, i, active), callbacks.Payload(i.id, "", "x"))]
        for i in shown[: view.PAGE_ROWS]
    ]
    await send(update, say.DELETE_PICK + _more(shown), InlineKeyboardMarkup(buttons))


async def on_button(update: Update, context: Context) -> None:
    """Resume (r), ask to delete (x), delete (y) or keep (z) one of the user's interviews."""
    await answer_query(update)
    payload = callbacks.decode(update.callback_query.data)
    owner = owner_of(update)
    try:
        interview = context.service.storage.get(payload.interview_id, owner)
    except UnknownInterview:
        await stale(update, context)
        return
    flow = context.service.flows.get(interview.flow_id)
    if payload.action == "r" and flow:
        interview = context.service.storage.activate(owner, interview.id)
        await resume(update, context, interview)
    elif payload.action == "x" and flow:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    view.button(say.DELETE_YES, callbacks.Payload(interview.id, "", "y")),
                    view.button(say.DELETE_NO, callbacks.Payload(interview.id, "", "z")),
                ]
            ]
        )
        text = say.DELETE_CONFIRM.format(title=flow.title, id=interview.id)
        await send(update, text, keyboard, parse_mode=None)
    elif payload.action == "y":
        context.service.storage.delete(interview.id, owner)
        log.info("interview %s deleted", interview.id)
        await send(update, say.DELETED)
    else:
        await send(update, say.DELETE_KEPT)


async def cmd_export(update: Update, context: Context) -> None:
    """The answers as a YAML file."""
    interview = await active_or_offer(update, context)
    if interview is None:
        return
    flow = context.service.flow_of(interview)
    text = answersfile.dump(flow, interview.state.answers)
    await update.effective_chat.send_document(
        io.BytesIO(text.encode("utf-8")),
        filename=f"{flow.id}-{interview.id}-answers.yaml",
        caption=say.EXPORT_CAPTION,
    )


async def cmd_preview(update: Update, context: Context) -> None:
    """The draft so far, as text messages."""
    interview = await active_or_offer(update, context)
    if interview is None:
        return
    flow = context.service.flow_of(interview)
    doc = await asyncio.to_thread(
        build_document, flow, interview.state.answers, date=context.today()
    )
    await send_long(update, say.PREVIEW_HEADER.format(zishu=doc.zishu), to_text(doc))
    page = view.with_web_app(None, context.config.web_url, interview.id)
    if page is not None:
        await send(update, say.WEB_PREVIEW, page)


async def cmd_report(update: Update, context: Context) -> None:
    """The finished report; an unfinished interview is told what is missing."""
    interview = await active_or_offer(update, context)
    if interview is None:
        return
    if interview.state.cursor == REVIEW:
        await apply(update, context, Input("done"), interview)
    elif not interview.finished:
        await send(update, say.REPORT_NOT_READY)
    else:
        await send_report(update, context, interview)
