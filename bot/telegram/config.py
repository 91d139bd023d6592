"""The bot's settings, from the environment or flags, checked before anything starts."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import DuizhaoError

TELEGRAM_API = "https://api.telegram.org/bot"
# Telegram tokens look like 123456789:AA… (digits, a colon, 30+ URL-safe characters).
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")


# Telegram's rule for a webhook's secret_token.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(DuizhaoError):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram posts updates (`url`, whose path the endpoint serves) and where the
    bot's web server listens (usually behind a reverse proxy that holds the certificate)."""

    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8080

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    def __repr__(self) -> str:  # the secret must never reach a log
        return f"WebhookConfig(url={self.url!r}, listen={self.listen!r}, port={self.port})"


@dataclass(frozen=True)
class BotConfig:
    """Everything `duizhao run` needs."""

    token: str
    db: Path
    api_base_url: str = TELEGRAM_API
    allowed_users: frozenset[int] | None = None
    poll_timeout: int = 30
    # Seconds between reminder checks; 0 turns reminders off.
    remind_interval: int = 600
    # The web page's public address (behind the user's reverse proxy); None: no page served.
    web_url: str | None = None
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    # None: long polling.
    webhook: WebhookConfig | None = None

    def __repr__(self) -> str:  # the token must never reach a log
        return f"BotConfig(db={self.db!s}, api_base_url={self.api_base_url!r})"


def parse_allowed(text: str | None) -> frozenset[int] | None:
    if not text or not text.strip():
        return None
    ids = [part.strip() for part in text.split(",") if part.strip()]
    bad = [part for part in ids if not part.lstrip("-").isdigit()]
    if bad:
        raise ConfigError(
            f"BOT_ALLOWED_USERS 应为逗号分隔的 Telegram 用户编号，无法识别：{', '.join(bad)}"
        )
    return frozenset(int(part) for part in ids)


def load_config(
    token: str | None,
    db: Path,
    api_base_url: str | None = None,
    allowed_users: str | None = None,
) -> BotConfig:
    """Flags win over the environment; raises ConfigError naming the setting."""
    token = (token or os.environ.get("BOT_TOKEN") or "").strip()
    if not token:
        raise ConfigError(
            "缺少 BOT_TOKEN：请设置环境变量 BOT_TOKEN 或使用 --token（向 @BotFather 申请）"
        )
    if not TOKEN_PATTERN.match(token):
        raise ConfigError(
            "BOT_TOKEN 的格式不对：应类似 123456789:AA…（从 @BotFather 复制完整的令牌）"
        )
    base = (api_base_url or os.environ.get("BOT_API_BASE_URL") or TELEGRAM_API).strip()
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", base):
        raise ConfigError(f"BOT_API_BASE_URL 不是有效的网址：{base!r}")
    allowed = parse_allowed(
        allowed_users if allowed_users is not None else os.environ.get("BOT_ALLOWED_USERS")
    )
    web_url, web_host, web_port = web_settings()
    return BotConfig(
        token=token,
        db=db,
        api_base_url=base,
        allowed_users=allowed,
        web_url=web_url,
        web_host=web_host,
        web_port=web_port,
    )


def web_settings() -> tuple[str | None, str, int]:
    """BOT_WEB_URL, BOT_WEB_HOST and BOT_WEB_PORT, checked.

    The page's address must be HTTPS (Telegram opens Mini Apps only over HTTPS), except on
    this machine itself, for trying it out.
    """
    url = (os.environ.get("BOT_WEB_URL") or "").strip() or None
    if url is not None:
        local = re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?(/\S*)?$", url)
        if not (re.match(r"^https://[^\s/?#]+(/[^\s?#]*)?$", url) or local):
            raise ConfigError(
                f"BOT_WEB_URL 应是网页的 https:// 地址（反向代理对外的地址），现在是 {url!r}"
            )
        if not url.endswith("/"):
            url += "/"
    host = (os.environ.get("BOT_WEB_HOST") or "127.0.0.1").strip()
    port_text = (os.environ.get("BOT_WEB_PORT") or "8080").strip()
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"BOT_WEB_PORT 应是 1 到 65535 之间的端口号，现在是 {port_text!r}")
    return url, host, int(port_text)


def load_webhook(
    url: str | None,
    secret: str | None = None,
    listen: str | None = None,
    port: str | int | None = None,
) -> WebhookConfig | None:
    """The webhook settings (flags over BOT_WEBHOOK_*), or None without a URL (polling).
    Without a secret, a new random one is set with Telegram at every start."""
    url = (url or os.environ.get("BOT_WEBHOOK_URL") or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query:
        raise ConfigError(
            f"BOT_WEBHOOK_URL 不是有效的网址：{url!r}（应类似 https://bot.example.org/telegram）"
        )
    secret = (secret or os.environ.get("BOT_WEBHOOK_SECRET") or "").strip()
    if secret and not SECRET_PATTERN.match(secret):
        raise ConfigError(
            "BOT_WEBHOOK_SECRET 只能由字母、数字、下划线和连字符组成，最长 256 个字符"
        )
    listen = (listen or os.environ.get("BOT_WEBHOOK_LISTEN") or "127.0.0.1").strip()
    port_text = str(port or os.environ.get("BOT_WEBHOOK_PORT") or "8080").strip()
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"BOT_WEBHOOK_PORT 应为 1–65535 之间的端口号，而不是 {port_text!r}")
    return WebhookConfig(url, secret or secrets.token_urlsafe(32), listen, int(port_text))


def one_server(config: BotConfig) -> None:
    """The webhook and the page share one web server: its address is the webhook's, so a
    different BOT_WEB_HOST/BOT_WEB_PORT set beside a webhook is a mistake to name."""
    hook = config.webhook
    explicit = os.environ.get("BOT_WEB_HOST") or os.environ.get("BOT_WEB_PORT")
    if (
        hook
        and config.web_url
        and explicit
        and (config.web_host, config.web_port)
        != (
            hook.listen,
            hook.port,
        )
    ):
        raise ConfigError(
            "网页和 webhook 由同一个网页服务提供：请只设置 BOT_WEBHOOK_LISTEN / BOT_WEBHOOK_PORT，"
            "或让 BOT_WEB_HOST / BOT_WEB_PORT 与它们相同"
        )
