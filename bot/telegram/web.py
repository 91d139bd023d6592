"""The way from the chat to the web page: the Mini App button, /web links, and the report
the page asks to have sent into the chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Chat, Update
from telegram.ext import Application

from bot.storage import Interview
from bot.telegram import texts as say
from bot.telegram.chat import send, send_report_to
from bot.telegram.context import DEPS, Context, owner_of


async def cmd_web(update: Update, context: Context) -> None:
    """A signed link to the page for a desktop browser; `/web off` revokes every link."""
    owner = owner_of(update)
    argument = " ".join(context.args or []).strip().lower()
    if argument in ("off", "关闭", "收回"):
        revoked = context.service.storage.revoke_links(owner)
        await send(update, say.WEB_REVOKED if revoked else say.WEB_NONE_TO_REVOKE)
        return
    if argument:
        await send(update, say.WEB_USAGE)
        return
    if not context.config.web_url:
        await send(update, say.WEB_OFF)
        return
    token = context.service.storage.new_link_token(owner)
    link = f"{context.config.web_url}#t={token}"
    await send(update, say.WEB_LINK.format(link=link), parse_mode=None)


def report_sender(app: Application) -> Callable[[Interview], Awaitable[None]]:
    """What the page's 生成报告 does inside Telegram: the report into the owner's chat."""

    async def send_to_chat(interview: Interview) -> None:
        chat = Chat(int(interview.owner.removeprefix("tg:")), Chat.PRIVATE)
        chat.set_bot(app.bot)
        await send_report_to(chat, app.bot_data[DEPS], interview)

    return send_to_chat
