"""`duizhao run`: start the bot with durable long polling or a webhook, and stop it cleanly
on a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from telegram import Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, TelegramError
from telegram.ext import Application

from bot.core.model import Flow
from bot.errors import DuizhaoError
from bot.service import Interviews
from bot.storage import Storage
from bot.telegram.app import build_application
from bot.telegram.config import BotConfig, WebhookConfig
from bot.telegram.inbox import Inbox

log = logging.getLogger("duizhao.bot")
# Runs the bot's web server while the context is open (bot.web, wired by the command line):
# the webhook endpoint handing each update to the callable (None when polling), and the web
# page, which reaches the service and the chat through the Application.
WebServer = Callable[
    [Callable[[dict], Awaitable[None]] | None, Application], AbstractAsyncContextManager[None]
]


class WebhookRefused(DuizhaoError):
    """Telegram refused the webhook URL (not HTTPS, a port it does not use, unreachable)."""


class RedactToken(logging.Filter):
    """Replaces the bot token (and the webhook secret) wherever it would appear in a log line
    (URLs, errors)."""

    def __init__(self, token: str, *secrets: str):
        super().__init__()
        self.secrets = [s for s in (token, *secrets) if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "<token>")
            record.msg, record.args = message, None
        return True


def configure_logging(token: str, *secrets: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token, *secrets))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # httpx logs every request URL, and Telegram's URLs contain the token.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "uvicorn"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_bot(config: BotConfig, flows: dict[str, Flow], web: WebServer | None = None) -> int:
    """Run until SIGINT/SIGTERM; returns the process exit code. Logging is the caller's
    (configure_logging), set up before the flows are loaded."""
    storage = Storage(config.db)
    app = build_application(Interviews(storage, flows), config)
    try:
        asyncio.run(_serve(app, storage, config, web))
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


async def _serve(
    app: Application, storage: Storage, config: BotConfig, web: WebServer | None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        inbox = Inbox(app, storage, config.poll_timeout)
        try:
            if config.webhook is None or web is None:
                # A webhook left set (a webhook run that was killed) would refuse getUpdates.
                await app.bot.delete_webhook(drop_pending_updates=False)
                async with web(None, app) if web else contextlib.nullcontext():
                    log.info(
                        "started as @%s (long polling), database %s", app.bot.username, config.db
                    )
                    await inbox.run(stop)
            else:
                await _serve_webhook(app, storage, inbox, config.webhook, web, stop)
        finally:
            await app.stop()
    log.info("stopped")


async def _serve_webhook(
    app: Application,
    storage: Storage,
    inbox: Inbox,
    hook: WebhookConfig,
    web: WebServer,
    stop: asyncio.Event,
) -> None:
    """Listen, hand out the leftovers, then ask Telegram to send; on stop, ask it to stop
    sending first, let the requests under way be stored, then let the handlers finish."""
    await asyncio.to_thread(storage.inbox_forget_seen)
    async with web(inbox.receive, app):
        await inbox.resume()
        try:
            await app.bot.set_webhook(
                hook.url,
                secret_token=hook.secret,
                drop_pending_updates=False,
                allowed_updates=Update.ALL_TYPES,
            )
        except (BadRequest, Forbidden) as exc:
            raise WebhookRefused(f"Telegram 不接受 BOT_WEBHOOK_URL {hook.url}：{exc}") from None
        log.info(
            "started as @%s (webhook %s, listening on %s:%s), database %s",
            app.bot.username,
            hook.url,
            hook.listen,
            hook.port,
            storage.path,
        )
        try:
            await stop.wait()
        finally:
            try:
                # Updates that come meanwhile wait at Telegram, for the next start.
                await app.bot.delete_webhook(drop_pending_updates=False)
            except TelegramError as exc:
                log.warning("could not delete the webhook: %s", exc)
    await inbox.drain()
