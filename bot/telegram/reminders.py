"""Deadlines and reminders: /deadline, /remind, and the periodic check that sends what is due.

What was sent is recorded before sending, so a restart neither forgets nor repeats one.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.core import callbacks, reminders, replies
from bot.core.commands import parse_command
from bot.storage import Interview
from bot.telegram import texts as say
from bot.telegram import view
from bot.telegram.chat import active_or_offer, send
from bot.telegram.context import DEPS, Context, Deps, owner_of

log = logging.getLogger("duizhao.bot")


async def cmd_deadline(update: Update, context: Context) -> None:
    """/deadline 12月20日 sets the meeting date; /deadline 取消 clears it."""
    interview = await active_or_offer(update, context)
    if interview is None:
        return
    storage = context.service.storage
    _, arg = parse_command(update.message.text) or ("", "")
    owner = owner_of(update)
    if not arg:
        current = context.days_left(interview.deadline) if interview.deadline else say.NO_DEADLINE
        await send(update, f"{current}\n{say.DEADLINE_USAGE}", parse_mode=None)
    elif arg in ("取消", "无", "off", "清除"):
        storage.set_deadline(interview.id, owner, None)
        await send(update, say.DEADLINE_CLEARED)
    elif (found := reminders.read_deadline(arg, context.today()))[0] is None:
        why = {
            reminders.NO_SUCH_DATE: say.DEADLINE_NO_SUCH_DATE,
            reminders.PASSED: say.DEADLINE_PASSED_BAD,
            reminders.NOT_SOON: say.DEADLINE_NOT_SOON,
        }.get(found[1], say.DEADLINE_BAD)
        await send(update, why.format(text=view.clip(arg, 40)), parse_mode=None)
    else:
        date = found[0]
        storage.set_deadline(interview.id, owner, date)
        await send(update, say.DEADLINE_SET + context.days_left(date), parse_mode=None)


async def cmd_remind(update: Update, context: Context) -> None:
    """/remind on|off: reminders for unfinished interviews."""
    storage = context.service.storage
    _, arg = parse_command(update.message.text) or ("", "")
    owner = owner_of(update)
    if arg.lower() in ("on", "开", "开启"):
        storage.set_reminders(owner, True)
        await send(update, say.REMIND_ON)
    elif arg.lower() in ("off", "关", "关闭"):
        storage.set_reminders(owner, False)
        await send(update, say.REMIND_OFF)
    else:
        state = "开启" if storage.reminders_enabled(owner) else "关闭"
        await send(update, say.REMIND_STATUS.format(state=state))


async def remind_tick(context: Context) -> None:
    """The JobQueue's periodic check."""
    await send_reminders(context.application)


async def send_reminders(app: Application) -> int:
    """Send what is due now; returns how many were sent."""
    deps: Deps = app.bot_data[DEPS]
    bot: Bot = app.bot
    now = deps.now()
    sent = 0
    storage = deps.service.storage
    for owner, candidate in await asyncio.to_thread(storage.reminder_candidates):
        reasons = reminders.due(candidate, now)
        # Recorded before sending: a crash in between loses one reminder, never doubles it.
        if not reasons or not await asyncio.to_thread(
            storage.record_reminder, candidate.interview_id, reasons
        ):
            continue
        interview = storage.get(candidate.interview_id)
        if interview.flow_id not in deps.service.flows:
            continue
        text = _reminder_text(deps, interview)
        keyboard = InlineKeyboardMarkup(
            [[view.button(say.CONTINUE, callbacks.Payload(interview.id, "", "r"))]]
        )
        try:
            await bot.send_message(int(owner.split(":", 1)[1]), text, reply_markup=keyboard)
            sent += 1
            log.info("reminder sent for interview %s (%s)", interview.id, ", ".join(reasons))
        except Forbidden:
            storage.set_blocked(owner, True)
        except TelegramError as exc:  # one unreachable chat must not stop the others
            log.warning("reminder for interview %s not sent: %s", interview.id, exc)
    return sent


def _reminder_text(deps: Deps, interview: Interview) -> str:
    flow = deps.service.flow_of(interview)
    parts = replies.summarize(flow, interview.state)
    done = sum(1 for p in parts if p.total and p.answered == p.total)
    chars = sum(p.chars for p in parts)
    lines = [
        say.REMINDER.format(title=escape(flow.title), done=done, parts=len(parts), chars=chars)
    ]
    if interview.deadline:
        lines.append(escape(deps.days_left(interview.deadline)))
    return "\n".join(lines)
