"""What every handler reaches through its `context`: the service, the settings, the clock.

python-telegram-bot passes a CallbackContext to each handler and job; ours adds typed access
to the one `Deps` the application was built with (kept in `bot_data`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CallbackContext, ExtBot

from bot.core import reminders
from bot.meetings import Meetings
from bot.service import Interviews
from bot.telegram import texts as say
from bot.telegram.config import BotConfig

# Reports built and being sent at once. Users of a busy bot finish together; each report
# waits its turn behind the rate limit, and holding them all in memory at once is what
# made the bot grow by hundreds of MB.
REPORTS_AT_ONCE = 4
DEPS = "duizhao"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Deps:
    """The bot's collaborators, shared by all handlers."""

    service: Interviews
    config: BotConfig
    now: Callable[[], dt.datetime] = utcnow
    reports: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(REPORTS_AT_ONCE))
    meetings: Meetings = field(init=False)

    def __post_init__(self) -> None:
        self.meetings = Meetings(self.service)

    def today(self) -> dt.date:
        """The user's calendar day (reports are dated and deadlines counted in China time)."""
        return self.now().astimezone(ZoneInfo(reminders.DEFAULT_TZ)).date()

    def days_left(self, deadline: dt.date) -> str:
        left = (deadline - self.today()).days
        when = f"{deadline.year}年{deadline.month}月{deadline.day}日"
        if left < 0:
            return say.DEADLINE_PASSED.format(date=when)
        return say.DAYS_LEFT.format(date=when, days=left)


class Context(CallbackContext[ExtBot, dict, dict, dict]):
    """PTB's context, plus the service, the settings and the user's calendar."""

    @property
    def deps(self) -> Deps:
        return self.application.bot_data[DEPS]

    @property
    def service(self) -> Interviews:
        return self.deps.service

    @property
    def config(self) -> BotConfig:
        return self.deps.config

    def today(self) -> dt.date:
        return self.deps.today()

    def days_left(self, deadline: dt.date) -> str:
        return self.deps.days_left(deadline)


def owner_of(update: Update) -> str:
    return f"tg:{update.effective_user.id}"
