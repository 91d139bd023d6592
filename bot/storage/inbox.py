"""Telegram updates from receipt until handled, the getUpdates offset, and the ids of
updates a webhook delivered."""

from __future__ import annotations

from datetime import timedelta

from bot.storage.connection import Connection

# Starts without a finish after which an update is taken to be what kills the process.
MAX_STARTS = 2
# Telegram gives up sending an update after a day at most; its id is kept a while longer.
SEEN_FOR = timedelta(days=2)


class InboxRows(Connection):
    """The durable inbox of the Telegram adapter."""

    def inbox_put(self, updates: list[tuple[int, str, str]]) -> None:
        """Keep received updates (id, chat, JSON body) and remember the highest id."""
        if not updates:
            return
        now = self._now()
        with self._write() as db:
            db.conn.executemany(
                "insert or ignore into inbox (update_id, chat, body, received_at) "
                "values (?, ?, ?, ?)",
                [(u, chat, body, now) for u, chat, body in updates],
            )
            last = max(u for u, _, _ in updates)
            db.execute(
                "insert into settings (key, value) values ('telegram_offset', ?) "
                "on conflict (key) do update set value = excluded.value "
                "where cast(value as integer) < cast(excluded.value as integer)",
                [str(last + 1)],
            )

    def inbox_receive(self, update_id: int, chat: str, body: str) -> bool:
        """Keep one update a webhook delivered; False (and nothing kept) if its id came
        before, even if it was handled and forgotten since."""
        with self._write() as db:
            seen = db.execute(
                "insert or ignore into updates_seen (update_id, seen_at) values (?, ?)",
                [update_id, self._now()],
            )
            if seen.rowcount == 0:
                return False
            db.execute(
                "insert or ignore into inbox (update_id, chat, body, received_at) "
                "values (?, ?, ?, ?)",
                [update_id, chat, body, self._now()],
            )
        return True

    def inbox_forget_seen(self) -> None:
        """Drop the ids of webhook updates older than Telegram would send again."""
        cutoff = (self.clock() - SEEN_FOR).isoformat(timespec="seconds")
        with self._write() as db:
            db.execute("delete from updates_seen where seen_at < ?", [cutoff])

    def inbox_offset(self) -> int:
        """The getUpdates offset that confirms everything already kept."""
        with self._read() as db:
            row = db.execute("select value from settings where key = 'telegram_offset'").fetchone()
        return int(row[0]) if row else 0

    def inbox_pending(self) -> list[tuple[int, str]]:
        """Updates received but not yet handled (nor set aside), oldest first."""
        with self._read() as db:
            return list(
                db.execute(
                    "select update_id, body from inbox where set_aside_at is null "
                    "order by update_id"
                )
            )

    def inbox_begin(self, update_id: int) -> bool:
        """Note that handling the update begins; False if it began MAX_STARTS times before
        without finishing: it is set aside then, and never handed out again."""
        with self._write() as db:
            row = db.execute(
                "select attempts from inbox where update_id = ? and set_aside_at is null",
                [update_id],
            ).fetchone()
            if row is None:  # handled and forgotten already, or kept nowhere
                return True
            if row[0] >= MAX_STARTS:
                db.execute(
                    "update inbox set set_aside_at = ? where update_id = ?",
                    [self._now(), update_id],
                )
                return False
            db.execute("update inbox set attempts = attempts + 1 where update_id = ?", [update_id])
        return True

    def inbox_done(self, update_ids: list[int]) -> None:
        """Forget handled updates."""
        with self._write() as db:
            db.conn.executemany("delete from inbox where update_id = ?", [(u,) for u in update_ids])
