"""Last year's report, parsed, turned into this year's starting point.

Its measures become the checklist of the section whose repeat has `role: last_year` (the
yes/no question that gates that section is answered 是); its problems become context,
offered while writing this year's problems and used to warn of copied ones.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from bot.core.conditions import names_in
from bot.core.limits import char_cap
from bot.core.model import Flow, Question
from bot.core.wordcount import zishu
from bot.lastyear.parsed import ParsedReport, Point

# Last year's problems kept for comparison: a real report has a few dozen; more is not a
# report, and every review compares each of this year's problems with all of them.
MAX_PROBLEMS = 200


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


@dataclass(frozen=True)
class CarryOver:
    """What an import brings in, and what it changes in the checklist."""

    answers: dict[str, Any]
    context: dict[str, Any]
    added: int = 0  # measures new to the checklist
    kept: int = 0  # items already there, left as the user wrote them
    over: int = 0  # measures left out: the checklist is full


def carry_over(
    flow: Flow, report: ParsedReport, current: dict[str, Any] | None = None
) -> CarryOver:
    """What to bring into an interview of `flow` whose answers are `current`.

    Last year's measures are merged into the checklist: items already there (with what the
    user wrote about them) stay as they are, and only measures not yet listed are added.
    """
    current = current or {}
    answers: dict[str, Any] = {}
    question = checklist_question(flow)
    added = kept = over = 0
    if question is not None and report.measures:
        first = question.questions[0]
        existing = [i for i in current.get(question.id) or [] if isinstance(i, dict)]
        listed = {_key(i.get(first.id)) for i in existing}
        new = []
        for m in report.measures:
            text = _fit(_point(m.heading, m.body), first)
            if _key(text) not in listed:
                listed.add(_key(text))
                new.append({first.id: text})
        room = max(question.max - len(existing), 0)
        added, kept, over = min(len(new), room), len(existing), max(len(new) - room, 0)
        answers[question.id] = existing + new[:room]
        for name in names_in(question.when) if question.when else ():
            if flow.has_question(name) and flow.question(name).kind == "yesno":
                answers[name] = True
    problems = [_point(p.heading, p.body) for p in report.problems[:MAX_PROBLEMS]]
    context = {"last_year_problems": problems}
    return CarryOver(answers, context, added=added, kept=kept, over=over)


def _key(text: Any) -> str:
    """A measure as compared for merging: its words, without spaces and punctuation."""
    return "".join(ch for ch in str(text or "") if ch.isalnum())


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
