"""Signed links to the web page: one secret per owner, replaced by each new link.

A link's token names its owner and its expiry and carries an HMAC of both under the owner's
secret. Changing any part of it (another owner, a later expiry) breaks the HMAC; a new link
or a revocation replaces or deletes the secret, so every older link stops working.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import timedelta

from bot.storage.connection import Connection

LINK_LIFETIME = timedelta(hours=24)


class WebLinkRows(Connection):
    """Per-owner link secrets: minting, checking and revoking desktop links."""

    def new_link_token(self, owner: str) -> str:
        """A token valid for LINK_LIFETIME; every token minted before for `owner` stops working."""
        secret = secrets.token_hex(32)
        expires = int((self.clock() + LINK_LIFETIME).timestamp())
        with self._write() as db:
            db.execute(
                "insert into web_links (owner, secret, created_at) values (?, ?, ?) "
                "on conflict (owner) do update set secret = excluded.secret, "
                "created_at = excluded.created_at",
                [owner, secret, self._now()],
            )
        name = base64.urlsafe_b64encode(owner.encode()).decode().rstrip("=")
        return f"{name}.{expires}.{_mac(secret, owner, expires)}"

    def revoke_links(self, owner: str) -> bool:
        """Every link of `owner` stops working; False if there was none."""
        with self._write() as db:
            return db.execute("delete from web_links where owner = ?", [owner]).rowcount > 0

    def link_owner(self, token: str) -> str | None:
        """The owner a token was minted for, or None if it is altered, expired or revoked."""
        try:
            name, expires_text, mac = token.split(".")
            owner = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
            expires = int(expires_text)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        with self._read() as db:
            row = db.execute("select secret from web_links where owner = ?", [owner]).fetchone()
        if row is None or not hmac.compare_digest(mac, _mac(row[0], owner, expires)):
            return None
        return owner if self.clock().timestamp() < expires else None


def _mac(secret: str, owner: str, expires: int) -> str:
    return hmac.new(
        bytes.fromhex(secret), f"{owner}\n{expires}".encode(), hashlib.sha256
    ).hexdigest()
