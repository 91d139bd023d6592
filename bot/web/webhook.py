"""The endpoint Telegram posts updates to: checked, stored, and only then answered 200.

python-telegram-bot's built-in webhook server answers once an update is in its in-memory
queue, so an update could be acknowledged and then lost in a crash; here the answer waits for
`receive`, which writes it to the durable inbox. Anything not answered 200 (a wrong secret, an
oversized body, a database that cannot be written) is sent again by Telegram or was never
Telegram's.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from bot.errors import StorageError

log = logging.getLogger("duizhao.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes (a 4096-character message and its keyboard); a body
# far beyond that is not an update.
MAX_BODY = 1024 * 1024

Receive = Callable[[dict], Awaitable[None]]


class _TooLarge(Exception):
    pass


def webhook_routes(
    path: str, secret: str, receive: Receive, max_body: int = MAX_BODY
) -> list[Route]:
    """The webhook route: POST `path`, answered once `receive` has stored the update."""

    async def endpoint(request: Request) -> Response:
        if not hmac.compare_digest(
            request.headers.get(SECRET_HEADER, "").encode(), secret.encode()
        ):
            return Response(status_code=403)
        try:
            body = await _read(request, max_body)
        except _TooLarge:
            return Response(status_code=413)
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            update = json.loads(body)
        except ValueError:
            return Response(status_code=400)
        if not isinstance(update, dict):
            return Response(status_code=400)
        try:
            await receive(update)
        except StorageError as exc:
            # Not acknowledged, so Telegram sends it again.
            log.warning("could not store update %s: %s", update.get("update_id"), exc)
            return Response(status_code=503)
        return Response(status_code=200)

    return [Route(path, endpoint, methods=["POST"])]


async def _read(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to be over `limit` bytes (by its declared
    length, or while it streams in)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _TooLarge
    return bytes(body)
