"""What the bot answers to what it does not take: edits, non-text messages, unknown commands,
words after a command that takes none, and errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import Forbidden

from bot.errors import StorageError
from bot.telegram import texts as say
from bot.telegram.chat import send
from bot.telegram.context import Context

log = logging.getLogger("duizhao.bot")

Handler = Callable[[Update, Context], Awaitable[None]]


def no_args(name: str, handler: Handler) -> Handler:
    """The handler, saying first that the words after the command were not read."""

    async def run(update: Update, context: Context) -> None:
        if context.args:
            await send(update, say.NO_ARGS.format(name=name), parse_mode=None)
        await handler(update, context)

    return run


async def cmd_help(update: Update, context: Context) -> None:
    """The commands, in Chinese."""
    await send(update, say.HELP, parse_mode=None)


async def cmd_unknown(update: Update, context: Context) -> None:
    """A slash command the bot does not have."""
    await send(update, say.UNKNOWN_COMMAND)


async def on_edited(update: Update, context: Context) -> None:
    """Editing a sent message does not change an answer (an explicit /edit does)."""
    await update.edited_message.reply_text(say.EDITED, parse_mode=None)


async def on_other(update: Update, context: Context) -> None:
    """Stickers, photos, voice, files, locations…: nothing is stored."""
    await update.message.reply_text(say.NOT_TEXT, parse_mode=None)


async def on_error(update: object, context: Context) -> None:
    """Log one line; tell the user what is true about what they sent."""
    if isinstance(context.error, Forbidden):  # the user blocked the bot: their choice, not a fault
        log.info("chat blocked the bot: %s", context.error)
        return
    log.error("error handling an update: %s: %s", type(context.error).__name__, context.error)
    # A failed write was rolled back: the user must not be told it was saved.
    text = say.NOT_SAVED if isinstance(context.error, StorageError) else say.ERROR
    if isinstance(update, Update) and update.effective_chat:
        try:
            await update.effective_chat.send_message(text, parse_mode=None)
        except Exception as exc:  # the chat may be unreachable; the log line above stands
            log.warning("could not tell chat about the error: %s", exc)
