"""A bare python-telegram-bot echo bot: the floor that benchmarks/load.py compares duizhao with.

It replies to every text (commands included) with the same text, and answers every callback
query and then sends one message, with PTB's own Updater (run_polling). Same settings as
`duizhao run` where they matter: BOT_TOKEN and BOT_API_BASE_URL from the environment, the
same base_url setup, long polling with a 1 s timeout, every update type allowed.

Updates are handled concurrently (concurrent_updates=True), as duizhao handles chats
concurrently; `--sequential` gives PTB's default one-at-a-time processing instead.
`--rate-limiter` adds the same AIORateLimiter(max_retries=3) duizhao uses (30 requests/s).

    BOT_TOKEN=123:AA… BOT_API_BASE_URL=http://127.0.0.1:PORT/bot python benchmarks/echo_bot.py
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_message(update.effective_message.text)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await update.callback_query.answer()
    except BadRequest:  # answered too late (> 15 s under load): still reply, as duizhao does
        pass
    await update.effective_chat.send_message(f"按下：{update.callback_query.data}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Bare PTB echo bot (benchmark floor).")
    p.add_argument("--poll-timeout", type=int, default=1, help="getUpdates long-poll seconds")
    p.add_argument("--sequential", action="store_true", help="PTB's default: one update at a time")
    p.add_argument(
        "--rate-limiter", action="store_true", help="AIORateLimiter(max_retries=3), as duizhao"
    )
    args = p.parse_args(argv)
    token = os.environ.get("BOT_TOKEN")
    base = os.environ.get("BOT_API_BASE_URL")
    if not token or not base:
        print("BOT_TOKEN and BOT_API_BASE_URL must be set", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    builder = (
        Application.builder()
        .token(token)
        .base_url(base)
        .base_file_url(base.replace("/bot", "/file/bot"))
        .concurrent_updates(not args.sequential)
    )
    if args.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(allowed_updates=Update.ALL_TYPES, timeout=args.poll_timeout, poll_interval=0.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
