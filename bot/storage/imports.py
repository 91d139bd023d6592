"""Last year's report between upload (or paste) and the user's confirmation."""

from __future__ import annotations

from typing import Any

from bot.storage.connection import Connection


class ImportRows(Connection):
    """One import in progress per owner."""

    def pending_import(self, owner: str) -> dict[str, Any] | None:
        """The owner's import in progress: interview_id, pasted text, parsed JSON."""
        with self._read() as db:
            rows = list(db.query("select * from imports where owner = ?", [owner]))
        return rows[0] if rows else None

    def put_import(
        self,
        owner: str,
        interview_id: int,
        text: str = "",
        parsed: str = "",
        source: str | None = None,
    ) -> None:
        """Keep the import in progress; `source` (a pasted piece's update) is noted with it,
        so a piece delivered twice can be recognised and kept once (see `seen`)."""
        with self._write() as db:
            db["imports"].upsert(
                {
                    "owner": owner,
                    "interview_id": interview_id,
                    "text": text,
                    "parsed": parsed,
                    "created_at": self._now(),
                },
                pk="owner",
            )
            if source:
                db["events"].insert(
                    {
                        "interview_id": interview_id,
                        "at": self._now(),
                        "step": "",
                        "kind": "paste",
                        "value": "",
                        "source": source,
                    }
                )

    def drop_import(self, owner: str) -> None:
        with self._write() as db:
            db["imports"].delete_where("owner = ?", [owner])
