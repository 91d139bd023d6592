"""Last year's report in the chat: a sent .docx/.txt or pasted text, parsed, confirmed.

Between the upload (or paste) and the user's 确认导入 the import waits in the database, so a
restart in between loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot import lastyear
from bot.core import callbacks
from bot.core.state import Input
from bot.lastyear.carryover import CarryOver, carry_over, from_json, to_json
from bot.telegram import texts as say
from bot.telegram import view
from bot.telegram.chat import active_or_offer, answer_query, apply, send, show, stale
from bot.telegram.context import Context, owner_of

log = logging.getLogger("duizhao.bot")

Handler = Callable[[Update, Context], Awaitable[None]]


async def cmd_lastyear(update: Update, context: Context) -> None:
    """Start taking last year's report as pasted text (a sent .docx/.txt needs no command)."""
    interview = await active_or_offer(update, context)
    if interview is None:
        return
    context.service.storage.put_import(owner_of(update), interview.id)
    await send(update, say.PASTE_START, _import_keyboard(interview.id, parse=False))


async def collect_paste(update: Update, context: Context, pending: dict) -> None:
    """One more piece of the pasted report."""
    storage = context.service.storage
    source = f"tg:{update.update_id}"
    keyboard = _import_keyboard(pending["interview_id"], parse=bool(pending["text"]))
    if storage.seen(source):  # delivered again after a crash: kept already
        text = pending["text"]
    elif len(pending["text"]) + len(update.message.text) > lastyear.MAX_CHARS:
        await send(update, say.PASTE_TOO_LONG.format(chars=len(pending["text"])), keyboard)
        return
    else:
        text = (
            f"{pending['text']}\n{update.message.text}" if pending["text"] else update.message.text
        )
        storage.put_import(
            owner_of(update),
            pending["interview_id"],
            text=text,
            source=source,
            piece=update.message.text,
        )
    keyboard = _import_keyboard(pending["interview_id"], parse=True)
    await send(update, say.PASTE_RECEIVED.format(chars=len(text)), keyboard)


def in_paste_mode(pending: dict | None) -> bool:
    """Whether the next text message is another piece of last year's report."""
    return bool(pending and pending["pasting"] and not pending["parsed"])


def leaving_paste(name: str, handler: Handler) -> Handler:
    """Every command but /lastyear ends paste mode first, saying so; /cancel does only that."""

    async def run(update: Update, context: Context) -> None:
        left = await leave_paste(update, context)
        if not (left and name == "cancel"):
            await handler(update, context)

    return run


async def leave_paste(update: Update, context: Context) -> bool:
    """End paste mode; pasted text stays, offered as the current answer. False if not pasting."""
    storage = context.service.storage
    owner = owner_of(update)
    pending = storage.pending_import(owner)
    if not in_paste_mode(pending):
        return False
    if not pending["text"]:
        storage.drop_import(owner)
        await send(update, say.PASTE_LEFT, parse_mode=None)
        return True
    storage.stop_pasting(owner)
    text = say.PASTE_LEFT_WITH_TEXT.format(chars=len(pending["text"]))
    await send(update, text, _leftover_keyboard(pending["interview_id"]), parse_mode=None)
    return True


def _leftover_keyboard(interview_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                view.button(say.PASTE_AS_ANSWER, callbacks.Payload(interview_id, "", "i", "a")),
                view.button(say.IMPORT_NO, callbacks.Payload(interview_id, "", "i", "n")),
            ]
        ]
    )


async def on_document(update: Update, context: Context) -> None:
    """A .docx or .txt is taken as last year's report; anything else is refused unread."""
    document = update.message.document
    name = document.file_name or ""
    if (document.file_size or 0) > lastyear.MAX_BYTES:
        await send(update, say.IMPORT_TOO_BIG)
        return
    if not name.lower().endswith((".docx", ".txt")):
        await send(update, say.IMPORT_WRONG_KIND)
        return
    interview = await active_or_offer(update, context)
    if interview is None:
        return
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    await _parse_and_offer(update, context, interview.id, lambda: lastyear.parse_upload(name, data))


async def _parse_and_offer(
    update: Update,
    context: Context,
    interview_id: int,
    parse: Callable[[], lastyear.ParsedReport],
    pasted: str = "",
) -> None:
    storage = context.service.storage
    owner = owner_of(update)
    try:
        report = await asyncio.to_thread(parse)
    except lastyear.NotAReport as exc:
        if not pasted:
            storage.drop_import(owner)
            await send(update, escape(str(exc)))
            return
        # Pasted text may well be answers typed in paste mode: never dropped unasked.
        storage.stop_pasting(owner)
        text = say.PASTE_NOT_A_REPORT.format(reason=exc, chars=len(pasted))
        await send(update, text, _leftover_keyboard(interview_id), parse_mode=None)
        return
    storage.put_import(owner, interview_id, parsed=to_json(report))
    interview = context.service.storage.get(interview_id)
    change = carry_over(context.service.flow_of(interview), report, interview.state.answers)
    lines = [say.IMPORT_FOUND.format(summary=escape(report.summary()))]
    lines += [f"{i}. {escape(m.heading)}" for i, m in enumerate(report.measures[:10], 1)]
    lines.append(say.IMPORT_CONFIRM)
    lines.append(_what_changes(change))
    keyboard = InlineKeyboardMarkup(
        [
            [
                view.button(say.IMPORT_YES, callbacks.Payload(interview_id, "", "i", "y")),
                view.button(say.IMPORT_NO, callbacks.Payload(interview_id, "", "i", "n")),
            ]
        ]
    )
    await send(update, view.clip_html("\n".join(lines)), keyboard)


def _what_changes(change: CarryOver) -> str:
    """The confirmation's account of what importing will do to the checklist."""
    parts = []
    if change.kept:
        parts.append(say.IMPORT_KEEPS.format(n=change.kept))
    parts.append(say.IMPORT_ADDS.format(n=change.added) if change.added else say.IMPORT_ADDS_NONE)
    if change.over:
        parts.append(say.IMPORT_OVER.format(n=change.over))
    return "".join(parts)


def _import_keyboard(interview_id: int, parse: bool) -> InlineKeyboardMarkup:
    buttons = [view.button(say.IMPORT_NO, callbacks.Payload(interview_id, "", "i", "n"))]
    if parse:
        buttons.insert(
            0, view.button(say.PASTE_PARSE, callbacks.Payload(interview_id, "", "i", "p"))
        )
    return InlineKeyboardMarkup([buttons])


async def on_button(update: Update, context: Context) -> None:
    """解析 (p) the pasted text, 确认导入 (y), 取消 (n), or the pasted text as the answer (a)."""
    await answer_query(update)
    payload = callbacks.decode(update.callback_query.data)
    service = context.service
    owner = owner_of(update)
    pending = service.storage.pending_import(owner)
    interview = service.active(owner)
    if pending is None or interview is None or pending["interview_id"] != payload.interview_id:
        await stale(update, context)
        return
    if payload.value == "n":
        service.storage.drop_import(owner)
        await send(update, say.IMPORT_CANCELLED)
    elif payload.value == "p" and pending["text"]:
        text = pending["text"]
        await _parse_and_offer(
            update, context, interview.id, lambda: lastyear.parse_text(text), pasted=text
        )
    elif payload.value == "a" and pending["text"] and not pending["parsed"]:
        service.storage.drop_import(owner)
        await apply(update, context, Input.text(pending["text"]), interview)
    elif payload.value == "y" and pending["parsed"]:
        report = from_json(pending["parsed"])
        flow = service.flow_of(interview)

        def carry(current: dict) -> tuple[dict, dict]:
            merged = carry_over(flow, report, current)
            return merged.answers, merged.context

        outcome = await asyncio.to_thread(service.bring_in, interview, carry)
        service.storage.drop_import(owner)
        log.info("last year's report imported into interview %s", interview.id)
        await show(update, context, outcome)
    else:
        await stale(update, context)
