"""Reminders through the real Application and the fake Bot API, on a clock the test moves."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.core.state import Input
from bot.flows import load_all
from bot.service import Interviews
from bot.storage import Storage
from bot.telegram.app import build_application
from bot.telegram.config import BotConfig
from bot.telegram.reminders import send_reminders
from tests.e2e.botprocess import TOKEN
from tests.e2e.fakeapi import FakeBotAPI

SH = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH)
USER = 4001


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, days: float, hour: int = 10) -> None:
        self.now = (START + dt.timedelta(days=days)).replace(hour=hour)


@pytest.fixture
def world(tmp_path):
    clock = Clock()
    with FakeBotAPI() as api:
        storage = Storage(tmp_path / "r.db", clock=clock)
        service = Interviews(storage, load_all())
        config = BotConfig(token=TOKEN, db=tmp_path / "r.db", api_base_url=api.base_url)
        app = build_application(service, config, now=clock)

        loop = asyncio.new_event_loop()
        loop.run_until_complete(app.initialize())

        def tick() -> int:
            return loop.run_until_complete(send_reminders(app))

        api.user(USER)  # the private chat exists once the user has written to the bot
        interview = service.start(f"tg:{USER}", "2022-liuge").interview
        yield api, clock, service, tick, interview
        loop.run_until_complete(app.shutdown())
        loop.close()
        storage.close()


def reminders_sent(api) -> list[str]:
    return [m.text for m in api.messages(USER)]


def test_nothing_early_then_once_after_two_quiet_days(world):
    api, clock, _, tick, _ = world
    clock.set(1)
    assert tick() == 0
    clock.set(2, hour=11)
    assert tick() == 1
    [text] = reminders_sent(api)
    assert text.startswith("您的《2022年度民主生活会“六个带头”对照检查材料》还没写完：已完成 0/")
    assert api.messages(USER)[0].buttons == [["继续"]]
    clock.set(2, hour=12)
    assert tick() == 0


def test_new_activity_starts_a_new_quiet_period(world):
    api, clock, service, tick, interview = world
    clock.set(2, hour=11)
    assert tick() == 1
    clock.set(3)
    service.answer(interview, Input("skip"))
    clock.set(4)
    assert tick() == 0
    clock.set(5, hour=11)
    assert tick() == 1


def test_no_messages_in_quiet_hours(world):
    _, clock, _, tick, _ = world
    clock.set(2, hour=23)
    assert tick() == 0
    clock.set(3, hour=7)
    assert tick() == 0
    clock.set(3, hour=8)
    assert tick() == 1


def test_deadline_reminders_three_days_and_one_day_before(world):
    api, clock, service, tick, interview = world
    service.storage.set_deadline(interview.id, f"tg:{USER}", (START + dt.timedelta(days=4)).date())
    service.answer(interview, Input("skip"))  # keeps the quiet period from firing on day 1
    clock.set(1)
    assert tick() == 1
    assert "还有 3 天" in reminders_sent(api)[-1]
    clock.set(1, hour=15)
    assert tick() == 0
    clock.set(3)
    assert tick() == 1
    assert "还有 1 天" in reminders_sent(api)[-1]


def test_none_after_completion_or_deletion(world):
    _, clock, service, tick, interview = world
    service.storage.delete(interview.id, f"tg:{USER}")
    clock.set(3)
    assert tick() == 0
    from bot.core.answersfile import parse
    from tests.e2e.test_bot import FIXTURES

    flows = service.flows
    flow, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), flows)
    from bot.core import engine

    done = service.storage.create(f"tg:{USER}", flow, engine.adopt(flow, data.answers))
    service.answer(done, Input.choose("done"))
    clock.set(6)
    assert tick() == 0


def test_remind_off_and_a_blocked_user_get_nothing(world):
    api, clock, service, tick, _ = world
    service.storage.set_reminders(f"tg:{USER}", False)
    clock.set(3)
    assert tick() == 0
    service.storage.set_reminders(f"tg:{USER}", True)
    api.user(USER).block()
    assert tick() == 0  # 403: recorded as blocked
    sends = sum(1 for method, _ in api.sent if method.lower() == "sendmessage")
    clock.set(6)
    assert tick() == 0
    assert sum(1 for method, _ in api.sent if method.lower() == "sendmessage") == sends
