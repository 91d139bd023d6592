"""Who is asking: a Telegram Mini App's initData, or a signed desktop link.

Both arrive in the Authorization header (`tma <initData>` or `link <token>`), never in a
cookie, so no request carries authority the page did not add on purpose. initData is checked
as Telegram specifies (HMAC-SHA256 under a key derived from the bot token, not older than a
day) by telegram-webapp-auth; links are checked against the owner's secret in storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from telegram_webapp_auth.auth import TelegramAuthenticator, generate_secret_key
from telegram_webapp_auth.errors import ExpiredInitDataError, InvalidInitDataError

from bot.errors import DuizhaoError

INIT_DATA_LIFETIME = timedelta(days=1)
TELEGRAM_SCHEME = "tma"
LINK_SCHEME = "link"


class Refused(DuizhaoError):
    """The request carries no valid proof of who sent it."""


class LinkOwners(Protocol):
    def link_owner(self, token: str) -> str | None: ...


@dataclass(frozen=True)
class Viewer:
    """The owner a request speaks for, and whether it came from inside Telegram."""

    owner: str
    in_telegram: bool


class Gate:
    """Turns an Authorization header into a Viewer, or refuses it."""

    def __init__(
        self,
        links: LinkOwners,
        bot_token: str | None = None,
        allowed_users: frozenset[int] | None = None,
    ):
        self._links = links
        self._telegram = (
            TelegramAuthenticator(generate_secret_key(bot_token)) if bot_token else None
        )
        self._allowed = allowed_users

    def viewer(self, authorization: str | None) -> Viewer:
        scheme, _, credentials = (authorization or "").strip().partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == TELEGRAM_SCHEME and self._telegram is not None:
            return self._from_init_data(credentials)
        if scheme == LINK_SCHEME:
            owner = self._links.link_owner(credentials)
            if owner is None:
                raise Refused("链接无效、已过期或已被收回，请在 Telegram 里发送 /web 获取新链接。")
            return Viewer(owner, in_telegram=False)
        raise Refused("请从 Telegram 里的按钮或 /web 发来的链接打开此页面。")

    def _from_init_data(self, init_data: str) -> Viewer:
        try:
            data = self._telegram.validate(init_data, expr_in=INIT_DATA_LIFETIME)
        except ExpiredInitDataError as exc:
            raise Refused("登录信息已过期，请关闭页面后从 Telegram 里重新打开。") from exc
        except InvalidInitDataError as exc:
            raise Refused("登录信息无效，请从 Telegram 里重新打开此页面。") from exc
        if data.user is None:
            raise Refused("登录信息里没有用户，请从与机器人的私聊里打开此页面。")
        if self._allowed is not None and data.user.id not in self._allowed:
            raise Refused("这是一个私人机器人，您没有使用权限。")
        return Viewer(f"tg:{data.user.id}", in_telegram=True)
