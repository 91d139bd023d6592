"""The web page's settings: BOT_WEB_URL checked, one server beside a webhook."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.telegram.config import ConfigError, load_config, load_webhook, one_server

TOKEN = "123456789:" + "A" * 35


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in ("BOT_WEB_URL", "BOT_WEB_HOST", "BOT_WEB_PORT", "BOT_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


def config():
    return load_config(TOKEN, Path("/tmp/x.db"))


def test_without_bot_web_url_no_page_is_served():
    assert config().web_url is None


def test_the_address_is_https_and_ends_with_a_slash(monkeypatch):
    monkeypatch.setenv("BOT_WEB_URL", "https://duizhao.example.org/app")
    assert config().web_url == "https://duizhao.example.org/app/"
    monkeypatch.setenv("BOT_WEB_URL", "http://127.0.0.1:8080")
    assert config().web_url == "http://127.0.0.1:8080/"
    for bad in ("http://duizhao.example.org/", "duizhao.example.org", "https://x/?a=1"):
        monkeypatch.setenv("BOT_WEB_URL", bad)
        with pytest.raises(ConfigError, match="BOT_WEB_URL"):
            config()


def test_a_bad_port_is_named(monkeypatch):
    monkeypatch.setenv("BOT_WEB_PORT", "99999")
    with pytest.raises(ConfigError, match="BOT_WEB_PORT"):
        config()


def test_beside_a_webhook_the_page_shares_its_address(monkeypatch):
    monkeypatch.setenv("BOT_WEB_URL", "https://duizhao.example.org/")
    hook = load_webhook("https://duizhao.example.org/telegram", port=8443)
    one_server(replace(config(), webhook=hook))  # no BOT_WEB_PORT: the webhook's address
    monkeypatch.setenv("BOT_WEB_PORT", "9000")
    with pytest.raises(ConfigError, match="同一个网页服务"):
        one_server(replace(config(), webhook=hook))
