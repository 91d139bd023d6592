"""The python-telegram-bot Application: which handler answers which update, in one place.

Handlers live by what the user does (`interview`, `manage`, `lastyear`, `reminders`,
`fallbacks`); they reach the service through their `Context`. Updates arrive through
`inbox`, which stores each one before confirming it to Telegram and keeps one user's
updates in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.callbacks import pattern
from bot.core.commands import MENU
from bot.service import Interviews
from bot.telegram import fallbacks, interview, lastyear, manage, meetings, reminders, web
from bot.telegram.config import BotConfig
from bot.telegram.context import DEPS, Context, Deps, utcnow
from bot.telegram.guard import guard
from bot.telegram.request import FewConnections

WEB_COMMAND = ("web", "在电脑上打开整篇材料")
COMMANDS = {
    "start": interview.cmd_start,
    "new": interview.cmd_new,
    "resume": interview.cmd_resume,
    "list": manage.cmd_list,
    "back": interview.cmd_engine,
    "skip": interview.cmd_engine,
    "done": interview.cmd_engine,
    "edit": interview.cmd_edit,
    "status": interview.cmd_status,
    "preview": manage.cmd_preview,
    "report": manage.cmd_report,
    "export": manage.cmd_export,
    "delete": manage.cmd_delete,
    "help": fallbacks.cmd_help,
    "cancel": interview.cmd_cancel,
    "deadline": reminders.cmd_deadline,
    "lastyear": lastyear.cmd_lastyear,
    "remind": reminders.cmd_remind,
    "web": web.cmd_web,
    "meeting": meetings.cmd_meeting,
}
# Commands that read what follows them (/start's is a deep-link payload: a meeting's invite).
TAKES_ARGS = {"start", "deadline", "remind", "web", "meeting"}


def build_application(
    service: Interviews, config: BotConfig, now: Callable[[], dt.datetime] = utcnow
) -> Application:
    app = (
        Application.builder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.api_base_url.replace("/bot", "/file/bot"))
        .updater(None)
        .context_types(ContextTypes(context=Context))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .request(FewConnections())
        .post_init(_post_init)
        .build()
    )
    app.bot_data[DEPS] = Deps(service, config, now)
    app.add_handler(TypeHandler(Update, guard), group=-1)
    # New messages only: an edited "/back" is an edit (on_edited), not a second command.
    new = filters.UpdateType.MESSAGE
    for name, handler in COMMANDS.items():
        if name not in TAKES_ARGS:
            handler = fallbacks.no_args(name, handler)
        if name != "lastyear":
            handler = lastyear.leaving_paste(name, handler)
        if name != "meeting":
            handler = meetings.leaving_draft(handler)
        app.add_handler(CommandHandler(name, handler, filters=new))
    app.add_handler(MessageHandler(new & filters.COMMAND, fallbacks.cmd_unknown))
    # Buttons by their action code (bot/core/callbacks.py); the last one also takes stale
    # and forged presses, which must be answered too.
    leaving = meetings.leaving_draft
    app.add_handler(CallbackQueryHandler(leaving(interview.on_flow_button), pattern=pattern("n")))
    app.add_handler(CallbackQueryHandler(leaving(manage.on_button), pattern=pattern("rxyz")))
    app.add_handler(CallbackQueryHandler(leaving(lastyear.on_button), pattern=pattern("i")))
    app.add_handler(CallbackQueryHandler(meetings.on_button, pattern=pattern("m")))
    app.add_handler(CallbackQueryHandler(leaving(interview.on_button)))
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, interview.on_text))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, fallbacks.on_edited))
    app.add_handler(MessageHandler(new & filters.Document.ALL, lastyear.on_document))
    app.add_handler(MessageHandler(new, fallbacks.on_other))
    app.add_error_handler(fallbacks.on_error)
    if config.remind_interval:
        app.job_queue.run_repeating(reminders.remind_tick, interval=config.remind_interval, first=5)
        app.job_queue.run_repeating(
            meetings.meeting_tick, interval=config.remind_interval, first=10
        )
    return app


async def _post_init(app: Application) -> None:
    menu = [*MENU, WEB_COMMAND] if app.bot_data[DEPS].config.web_url else MENU
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in menu])
