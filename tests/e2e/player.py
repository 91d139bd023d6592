"""A simulated cadre who types a whole answers file into the bot, as a person would."""

from __future__ import annotations

from typing import Any

from bot.core.conditions import holds
from bot.core.model import Flow, Question
from bot.core.steps import context
from tests.e2e.fakeapi import FakeUser


def answer_long(user: FakeUser, text: str | None) -> None:
    """One message; a further paragraph through 补充; None is 跳过."""
    if text is None:
        user.click("跳过")
        user.wait_reply()
        return
    first, *more = text.split("\n")
    user.send(first)
    user.wait_reply()
    for paragraph in more:
        user.click("补充")
        user.wait_reply()
        user.send(paragraph)
        user.wait_reply()


def answer_one(user: FakeUser, q: Question, value: Any) -> None:
    if q.kind == "long_text":
        answer_long(user, value)
        return
    if value is None:
        user.click("跳过")
    elif q.kind == "yesno":
        user.click("是" if value else "否")
    elif q.kind == "choice" and q.option(value) is None:  # words typed in place of an option
        user.send(value)
    elif q.kind == "choice":
        user.click(q.option(value).label)
    elif q.kind == "multi":
        for option_id in value:
            user.click(q.option(option_id).label)
            user.wait_reply()
        user.click("完成")
    else:
        user.send(value)
    user.wait_reply()


def play(user: FakeUser, flow: Flow, answers: dict[str, Any]) -> None:
    """Answer every question the flow asks, in its order, from `answers`."""
    for section in flow.sections:
        for q in section.questions:
            if not holds(q.when, context(flow, answers)):
                continue
            if q.kind != "repeat":
                answer_one(user, q, answers.get(q.id))
                continue
            items = answers.get(q.id) or []
            for i, item in enumerate(items):
                if i >= q.min:  # below min the next item starts by itself
                    user.click("再加" if i else "添加")
                    user.wait_reply()
                typed: dict[str, Any] = {}  # a condition sees the item as typed so far
                for sub in q.questions:
                    if holds(sub.when, {**context(flow, answers), "item": typed}):
                        answer_one(user, sub, item.get(sub.id))
                    typed[sub.id] = item.get(sub.id)
            if len(items) < q.max:
                user.click("这部分写完了" if items else "这部分不写")
                user.wait_reply()
