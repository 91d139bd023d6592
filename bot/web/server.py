"""The ASGI app factory, and uvicorn running it on the same asyncio loop as the bot.

Like python-telegram-bot's custom webhook example (Starlette + uvicorn), but uvicorn neither
owns the process's signals nor stops it: `duizhao run` stops it, after telling Telegram to
stop sending, so a request under way is finished (the update stored) before the loop ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterable, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.errors import DuizhaoError

log = logging.getLogger("duizhao.web")
# Seconds a request under way may take to finish once the server is stopping.
GRACE = 5


class ListenError(DuizhaoError):
    """The web server cannot listen on the address it was given."""


def create_app(*route_groups: Iterable[BaseRoute]) -> Starlette:
    """One app for every route the bot serves (the webhook now; the web page later)."""
    return Starlette(routes=[route for group in route_groups for route in group])


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `duizhao run` owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(
    app: Starlette,
    host: str,
    port: int,
    settings: str = "BOT_WEBHOOK_LISTEN / BOT_WEBHOOK_PORT",
) -> AsyncIterator[None]:
    """Serve `app` on host:port while the block runs; on leaving, stop accepting, let the
    requests under way finish (up to GRACE seconds), then return. `settings` names what
    chose the address, for the message when it cannot be used."""
    try:
        sock = socket.create_server((host, port), reuse_port=False)
    except OSError as exc:
        raise ListenError(f"无法在 {host}:{port} 上监听（{settings}）：{exc}") from None
    config = uvicorn.Config(
        app,
        log_config=None,  # the bot's own logging
        access_log=False,
        timeout_graceful_shutdown=GRACE,
        lifespan="off",
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if task.done():
        sock.close()
        task.result()  # raises what stopped it
        raise ListenError(f"网页服务没有启动（{host}:{port}）")
    log.info("listening on %s:%s", host, port)
    try:
        yield
    finally:
        server.should_exit = True
        await task
        sock.close()
