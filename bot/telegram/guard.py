"""Who may talk to the bot: private chats only, allowed users only; blocks are noted.

Runs before every other handler (group -1) and stops what it refuses.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.telegram import texts as say
from bot.telegram.chat import answer_query
from bot.telegram.context import Context, owner_of


async def guard(update: Update, context: Context) -> None:
    """Drop what is not a private chat with an allowed user, before any handler runs."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or update.channel_post or update.edited_channel_post:
        raise ApplicationHandlerStop
    if update.my_chat_member:  # the user blocked or unblocked the bot
        blocked = update.my_chat_member.new_chat_member.status == "kicked"
        context.service.storage.set_blocked(owner_of(update), blocked)
        raise ApplicationHandlerStop
    # Groups first: a group hears at most one line per command, whoever sends it.
    if chat.type != ChatType.PRIVATE:
        if update.message and update.message.text and update.message.text.startswith("/"):
            await _refuse(update, say.PRIVATE_CHAT_ONLY)
        elif update.callback_query:
            await _refuse(update, say.PRIVATE_CHAT_ONLY)
        raise ApplicationHandlerStop
    allowed = context.config.allowed_users
    if allowed is not None and user.id not in allowed:
        await _refuse(update, say.PRIVATE_BOT)
        raise ApplicationHandlerStop


async def _refuse(update: Update, text: str) -> None:
    if update.callback_query:
        await answer_query(update, text)
    elif update.effective_message:
        await update.effective_message.reply_text(text, parse_mode=None)
