"""Turn an answers file into the lines a person would type into `duizhao console`."""

from __future__ import annotations

from typing import Any

from bot.core.conditions import holds
from bot.core.model import Flow, Question
from bot.core.steps import context


def lines_for(q: Question, value: Any) -> list[str]:
    if value is None:
        return ["/skip"]
    if q.kind == "long_text":
        first, *more = value.split("\n")
        return [first, *(f"/add {paragraph}" for paragraph in more)]
    if q.kind == "yesno":
        return ["是" if value else "否"]
    if q.kind == "choice":
        option = q.option(value)
        return [option.label if option else value]
    if q.kind == "multi":
        return ["、".join(q.option(v).label for v in value)]
    return [value]


def script(flow: Flow, answers: dict[str, Any]) -> list[str]:
    """Every line, in the flow's order, ending with the review's 生成报告."""
    lines: list[str] = []
    for section in flow.sections:
        for q in section.questions:
            if not holds(q.when, context(flow, answers)):
                continue
            if q.kind != "repeat":
                lines += lines_for(q, answers.get(q.id))
                continue
            items = answers.get(q.id) or []
            for i, item in enumerate(items):
                if i >= q.min:  # below min the next item starts by itself
                    lines.append("1")  # 再加一… / 添加一…
                typed: dict[str, Any] = {}  # a condition sees the item as typed so far
                for sub in q.questions:
                    if holds(sub.when, {**context(flow, answers), "item": typed}):
                        lines += lines_for(sub, item.get(sub.id))
                    typed[sub.id] = item.get(sub.id)
            if len(items) < q.max:
                lines.append("2")  # 这部分写完了
    return [*lines, "/done"]
