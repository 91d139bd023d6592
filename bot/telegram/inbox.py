"""Updates that are never lost: store each update, then confirm it, then handle it.

python-telegram-bot's own Updater confirms a batch when it asks for the next one, which can
be before the handlers ran; an update being handled when the process dies would then never
come back. Here every update is written to the database before the next getUpdates confirms
it, handled from there, and removed only once handled. After a restart the leftovers are
handled first. One chat's updates are handled in order; different chats run concurrently.

With a webhook (`receive`), the endpoint stores each update before Telegram is answered, so
the same holds; an update Telegram sends again because it missed the answer is recognised by
its id, even after it was handled.
"""

from __future__ import annotations

import asyncio
import json
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.errors import StorageError
from bot.storage import Storage
from bot.telegram import texts as say

log = logging.getLogger("duizhao.inbox")
# Seconds a long poll may take beyond its own timeout before the request counts as failed.
READ_MARGIN = 10
# Seconds the handlers get to finish once the bot is stopping; what is left stays stored and
# is handled at the next start.
DRAIN_GRACE = 6


class Inbox:
    """Feeds stored updates to the application, one worker per chat."""

    def __init__(self, app: Application, storage: Storage, poll_timeout: int = 30):
        self.app = app
        self.storage = storage
        self.poll_timeout = poll_timeout
        self._queues: dict[str, asyncio.Queue[Update]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._handled: list[int] = []
        self._forgetting: asyncio.Task[None] | None = None

    async def resume(self) -> None:
        """Hand out what was stored but not handled when the bot last stopped."""
        for update_id, body in await asyncio.to_thread(self.storage.inbox_pending):
            update = self._read(json.loads(body))
            if update is None:
                await self._done(update_id)
            else:
                self._dispatch(update)

    async def receive(self, raw: dict) -> None:
        """One update a webhook delivered: stored when this returns (StorageError if it
        cannot be), then handled; one seen before is dropped, one unreadable is skipped."""
        update = self._read(raw)
        if update is None:
            return
        body = json.dumps(raw, ensure_ascii=False)
        if await asyncio.to_thread(
            self.storage.inbox_receive, update.update_id, chat_key(update), body
        ):
            self._dispatch(update)
        else:
            log.info("update %s came again and is ignored", update.update_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, then let the workers finish what they hold."""
        await self.resume()
        offset = await asyncio.to_thread(self.storage.inbox_offset)
        while not stop.is_set():
            poll = asyncio.ensure_future(self._poll(offset))
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not poll.done():
                poll.cancel()
                break
            raw = poll.result()
            if not raw:
                continue
            updates = [(r, u) for r in raw if (u := self._read(r)) is not None]
            rows = [
                (u.update_id, chat_key(u), json.dumps(r, ensure_ascii=False)) for r, u in updates
            ]
            try:
                await asyncio.to_thread(self.storage.inbox_put, rows)
            except StorageError as exc:
                # Not confirmed, so Telegram keeps them and sends them again.
                log.warning("could not store updates, retrying: %s", exc)
                await asyncio.sleep(1)
                continue
            offset = max(r.get("update_id", 0) for r in raw) + 1
            for _, update in updates:
                self._dispatch(update)
        await self.drain()

    async def _poll(self, offset: int) -> list[dict]:
        """The next updates as Telegram sent them (JSON objects), [] after a passing failure.

        Bot.get_updates would turn the whole batch into Update objects and raise if any one of
        them cannot be read, so the same batch would come back, and fail, forever.
        """
        try:
            data = {
                "offset": offset or None,
                "timeout": self.poll_timeout,
                "allowed_updates": Update.ALL_TYPES,
            }
            return list(
                await self.app.bot._post(
                    "getUpdates", data, read_timeout=self.poll_timeout + READ_MARGIN
                )
                or []
            )
        except (Conflict, InvalidToken):
            raise  # another process polls this token, or the token is wrong: stop
        except RetryAfter as exc:
            await asyncio.sleep(_seconds(exc.retry_after))
        except (TimedOut, NetworkError) as exc:
            log.warning("polling failed, retrying: %s", exc)
            await asyncio.sleep(1)
        return []

    def _read(self, raw: dict) -> Update | None:
        """The Update, or None (logged) for one this library cannot read: it is dropped."""
        try:
            return Update.de_json(raw, self.app.bot)
        except Exception as exc:  # whatever the parser raises, one update must not stop all
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            log.warning("update %s cannot be read and is skipped: %r", update_id, exc)
            return None

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
            if not await self._begin(update):
                continue
            try:
                await self.app.process_update(update)
            except asyncio.CancelledError:
                raise  # stopped past the grace time: it stays stored for the next start
            except Exception:
                log.exception("update %s failed", update.update_id)
            await self._done(update.update_id)

    async def _begin(self, update: Update) -> bool:
        """Record that handling begins; False for an update set aside (its handling began
        twice and never finished: the process died each time), after telling the user."""
        try:
            if await asyncio.to_thread(self.storage.inbox_begin, update.update_id):
                return True
        except StorageError as exc:  # the start goes unrecorded; handling it is still right
            log.warning("could not note the start of update %s: %s", update.update_id, exc)
            return True
        log.error(
            "update %s began twice and never finished; set aside, never replayed",
            update.update_id,
        )
        if update.effective_chat:
            try:
                await self.app.bot.send_message(update.effective_chat.id, say.SET_ASIDE)
            except Exception as exc:  # unreachable chat: the log line stands
                log.warning("could not tell chat about update set aside: %s", exc)
        return False

    async def _done(self, update_id: int) -> None:
        """Forget a handled update. Under load many are handled while one write is under way;
        the next write takes them all, so there is one commit per batch, not per update."""
        self._handled.append(update_id)
        if self._forgetting is None:
            self._forgetting = asyncio.create_task(self._forget())

    async def _forget(self) -> None:
        """Delete the handled updates; retried while the database cannot be written (locked).
        An update handled but not yet deleted when the process dies is handled again after
        the restart, and its answer is recognised as saved already (events.source)."""
        try:
            while self._handled:
                ids, self._handled = self._handled, []
                try:
                    await asyncio.to_thread(self.storage.inbox_done, ids)
                except StorageError as exc:
                    self._handled = ids + self._handled
                    log.warning("could not mark updates %s handled, retrying: %s", ids, exc)
                    await asyncio.sleep(1)
        finally:
            self._forgetting = None

    async def drain(self, grace: float = DRAIN_GRACE) -> None:
        """Let the workers finish, for `grace` seconds at most; what they have not handled
        by then stays stored and is handled at the next start."""
        deadline = asyncio.get_running_loop().time() + grace
        while self._workers or self._forgetting is not None:
            left = deadline - asyncio.get_running_loop().time()
            busy = [*self._workers.values(), *([self._forgetting] if self._forgetting else [])]
            done, _ = await asyncio.wait(busy, timeout=max(left, 0))
            if not done and left <= 0:
                pending = sum(q.qsize() for q in self._queues.values()) + len(self._workers)
                log.warning("stopping with about %d updates kept for the next start", pending)
                # Cancelled, a handler leaves its update stored (see _work); left running, it
                # would fail once the connection to Telegram closes and count as handled.
                for task in busy:
                    task.cancel()
                await asyncio.gather(*busy, return_exceptions=True)
                return


def chat_key(update: Update) -> str:
    """Updates of one chat share a key and are handled in order."""
    if update.effective_chat:
        return f"c{update.effective_chat.id}"
    if update.effective_user:
        return f"u{update.effective_user.id}"
    return "other"


def _seconds(value: object) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
