"""HTTP requests to the Bot API through a few connections, the rest waiting their turn."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.request import HTTPXRequest

# 30 messages a second (Telegram's cap) need only a few connections at once.
CONNECTIONS = 8


class FewConnections(HTTPXRequest):
    """HTTPXRequest whose requests beyond `connections` wait here, not in httpcore's pool.

    httpcore scans every pooled connection and every queued request whenever a request starts
    or ends: with PTB's 256 connections, or with hundreds of requests queued for a few, that
    scan cost more CPU than the bot's own work under load. A semaphore costs the same at any
    queue length, and a request waits for its turn instead of failing after `pool_timeout`.
    """

    def __init__(self, connections: int = CONNECTIONS, **kwargs: Any):
        super().__init__(connection_pool_size=connections, **kwargs)
        self._turns = asyncio.Semaphore(connections)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        async with self._turns:
            return await super().do_request(*args, **kwargs)
