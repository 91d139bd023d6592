"""Last year's report, parsed, turned into this year's starting point.

Its measures become the checklist of the section whose repeat has `role: last_year` (the
yes/no question that gates that section is answered 是); its problems become context,
offered while writing this year's problems and used to warn of copied ones.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from bot.core.conditions import names_in
from bot.core.limits import char_cap
from bot.core.model import Flow, Question
from bot.core.wordcount import zishu
from bot.lastyear.parsed import ParsedReport, Point


def checklist_question(flow: Flow) -> Question | None:
    """The repeat that holds last year's measures, if the flow has one."""
    return next(
        (
            q
            for s in flow.sections
            for q in s.questions
            if q.role == "last_year" and q.kind == "repeat" and q.questions
        ),
        None,
    )


def carry_over(flow: Flow, report: ParsedReport) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers, context) to bring into an interview of `flow`."""
    answers: dict[str, Any] = {}
    question = checklist_question(flow)
    if question is not None and report.measures:
        first = question.questions[0]
        items = [{first.id: _fit(_point(m.heading, m.body), first)} for m in report.measures]
        answers[question.id] = items[: question.max]
        for name in names_in(question.when) if question.when else ():
            if flow.has_question(name) and flow.question(name).kind == "yesno":
                answers[name] = True
    context = {"last_year_problems": [_point(p.heading, p.body) for p in report.problems]}
    return answers, context


def _point(heading: str, body: str) -> str:
    heading = heading.strip().rstrip("。；，")
    return f"{heading}：{body.strip()}" if body.strip() else heading


def _fit(text: str, question: Question) -> str:
    """Cut at a sentence end within the question's limits (字数 and characters)."""
    limit = min(question.max_chars or len(text), char_cap(question))
    if zishu(text) <= limit and len(text) <= char_cap(question):
        return text
    cut = text[:limit]
    end = max(cut.rfind("。"), cut.rfind("；"))
    return cut[: end + 1] if end > 0 else cut


def to_json(report: ParsedReport) -> str:
    """Kept between upload and confirmation."""
    return json.dumps(asdict(report), ensure_ascii=False)


def from_json(text: str) -> ParsedReport:
    data = json.loads(text)
    points = {k: tuple(Point(**p) for p in data[k]) for k in ("problems", "causes", "measures")}
    return ParsedReport(title=data["title"], themes=tuple(data.get("themes", ())), **points)
