"""`duizhao run`: start the bot with durable long polling and stop it cleanly on a signal."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application

from bot.core.model import Flow
from bot.service import Interviews
from bot.storage import Storage
from bot.telegram.app import build_application
from bot.telegram.config import BotConfig
from bot.telegram.inbox import Inbox

log = logging.getLogger("duizhao.bot")


class RedactToken(logging.Filter):
    """Replaces the bot token wherever it would appear in a log line (URLs, errors)."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


def configure_logging(token: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # httpx logs every request URL, and Telegram's URLs contain the token.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_bot(config: BotConfig, flows: dict[str, Flow]) -> int:
    """Run until SIGINT/SIGTERM; returns the process exit code. Logging is the caller's
    (configure_logging), set up before the flows are loaded."""
    storage = Storage(config.db)
    app = build_application(Interviews(storage, flows), config)
    try:
        asyncio.run(_serve(app, storage, config))
    except InvalidToken:
        log.error("Telegram 不接受这个 BOT_TOKEN，请检查令牌是否完整、是否已被撤销")
        return 2
    except Conflict:
        log.error("另一个进程正在用同一个 BOT_TOKEN 运行机器人，请先停止它")
        return 2
    except TelegramError as exc:  # unreachable at start-up, or refusing: one line, no traceback
        log.error("无法连接 Telegram（%s）：%s", config.api_base_url, exc)
        return 2
    finally:
        storage.close()
    return 0


async def _serve(app: Application, storage: Storage, config: BotConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        log.info("started as @%s, database %s", app.bot.username, config.db)
        try:
            await Inbox(app, storage, config.poll_timeout).run(stop)
        finally:
            await app.stop()
    log.info("stopped")
