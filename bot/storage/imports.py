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
        piece: str = "",
        pasting: bool = True,
    ) -> None:
        """Keep the import in progress; `source` (a pasted piece's update) is logged with the
        `piece` it brought, so a piece delivered twice is kept once (see `seen`) and no
        pasted word is lost even if the import is dropped. `pasting`: whether the next text
        message is another piece."""
        with self._write() as db:
            db["imports"].upsert(
                {
                    "owner": owner,
                    "interview_id": interview_id,
                    "text": text,
                    "parsed": parsed,
                    "created_at": self._now(),
                    "pasting": int(pasting),
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
                        "value": piece,
                        "source": source,
                    }
                )

    def stop_pasting(self, owner: str) -> None:
        """Take the next text messages as answers again; what was pasted stays."""
        with self._write() as db:
            db.execute("update imports set pasting = 0 where owner = ?", [owner])

    def drop_import(self, owner: str) -> None:
        with self._write() as db:
            db["imports"].delete_where("owner = ?", [owner])
