"""Fixtures of the end-to-end tests: the fake Bot API, a bot process, fresh users."""

from __future__ import annotations

import pytest

from tests.e2e.botprocess import BotProcess
from tests.e2e.fakeapi import FakeBotAPI, FakeUser


@pytest.fixture(scope="module")
def api():
    with FakeBotAPI() as api:
        yield api


@pytest.fixture(scope="module")
def running(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bot")
    bot = BotProcess(api, folder / "bot.db", folder / "bot.log").start()
    yield bot
    bot.stop()


_user_ids = iter(range(1000, 100000))


def next_user() -> int:
    """A user id no other test uses."""
    return next(_user_ids)


@pytest.fixture
def user(api, running) -> FakeUser:
    """A fresh user for each test, so tests sharing one bot never see each other."""
    return api.user(next_user())


@pytest.fixture
def own_api():
    """A fake server of its own: two bots polling one token make Telegram (and the fake)
    answer 409 Conflict, and the module's bot would rightly stop."""
    with FakeBotAPI() as api:
        yield api
