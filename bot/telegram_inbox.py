"""Long polling that loses nothing: store each update, then confirm it, then handle it.

python-telegram-bot's own Updater confirms a batch when it asks for the next one, which can
be before the handlers ran; an update being handled when the process dies would then never
come back. Here every update is written to the database before the next getUpdates confirms
it, handled from there, and removed only once handled. After a restart the leftovers are
handled first. One chat's updates are handled in order; different chats run concurrently.
"""

from __future__ import annotations

import asyncio
import json
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.storage import Storage

log = logging.getLogger("duizhao.inbox")


class Inbox:
    """Feeds stored updates to the application, one worker per chat."""

    def __init__(self, app: Application, storage: Storage, poll_timeout: int = 30):
        self.app = app
        self.storage = storage
        self.poll_timeout = poll_timeout
        self._queues: dict[str, asyncio.Queue[Update]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, then let the workers finish what they hold."""
        for _, body in await asyncio.to_thread(self.storage.inbox_pending):
            self._dispatch(Update.de_json(json.loads(body), self.app.bot))
        offset = await asyncio.to_thread(self.storage.inbox_offset)
        while not stop.is_set():
            poll = asyncio.ensure_future(self._poll(offset))
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not poll.done():
                poll.cancel()
                break
            updates = poll.result()
            if not updates:
                continue
            rows = [
                (u.update_id, chat_key(u), json.dumps(u.to_dict(), ensure_ascii=False))
                for u in updates
            ]
            await asyncio.to_thread(self.storage.inbox_put, rows)
            offset = max(u.update_id for u in updates) + 1
            for update in updates:
                self._dispatch(update)
        await self.drain()

    async def _poll(self, offset: int) -> list[Update]:
        try:
            return list(
                await self.app.bot.get_updates(
                    offset=offset or None,
                    timeout=self.poll_timeout,
                    allowed_updates=Update.ALL_TYPES,
                )
            )
        except (Conflict, InvalidToken):
            raise  # another process polls this token, or the token is wrong: stop
        except RetryAfter as exc:
            await asyncio.sleep(_seconds(exc.retry_after))
        except (TimedOut, NetworkError) as exc:
            log.warning("polling failed, retrying: %s", exc)
            await asyncio.sleep(1)
        return []

    def _dispatch(self, update: Update) -> None:
        key = chat_key(update)
        queue = self._queues.setdefault(key, asyncio.Queue())
        queue.put_nowait(update)
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key))

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        while True:
            try:
                update = queue.get_nowait()
            except asyncio.QueueEmpty:
                # No await since the check: nothing can have been queued in between.
                del self._queues[key]
                del self._workers[key]
                return
            try:
                await self.app.process_update(update)
            finally:
                await asyncio.to_thread(self.storage.inbox_done, update.update_id)

    async def drain(self) -> None:
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)


def chat_key(update: Update) -> str:
    """Updates of one chat share a key and are handled in order."""
    if update.effective_chat:
        return f"c{update.effective_chat.id}"
    if update.effective_user:
        return f"u{update.effective_user.id}"
    return "other"


def _seconds(value: object) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
