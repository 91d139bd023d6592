"""The 班子 material from the members' reports: their problems offered per theme.

The organiser writes the 领导班子's report in the same flow (its `as_team` variant). For each
theme the members' submitted problems are offered, near-duplicates grouped so that the same
problem raised by several members is one offer to merge; the organiser adopts an offer (it
becomes the draft of one problem, to rewrite) or writes their own. Nothing is copied silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.crosscheck import SAME, Member, similarity
from bot.core.model import Flow, Question

TEAM_QUESTION = "as_team"


@dataclass(frozen=True)
class Offer:
    """One problem to offer: who raised it, and its parts (merged when several did)."""

    names: tuple[str, ...]
    item: dict[str, str]

    @property
    def summary(self) -> str:
        return self.item.get("summary") or next(iter(self.item.values()), "")


def has_team_variant(flow: Flow) -> bool:
    return flow.has_question(TEAM_QUESTION)


def problems_question(flow: Flow, section_id: str) -> Question | None:
    for section in flow.sections:
        if section.id == section_id:
            return next((q for q in section.questions if q.role == "problems"), None)
    return None


def themes(flow: Flow) -> list[tuple[str, str]]:
    """(section id, title) of every section with a problems question."""
    return [
        (s.id, s.title) for s in flow.sections if any(q.role == "problems" for q in s.questions)
    ]


def offers(flow: Flow, section_id: str, members: Sequence[Member]) -> list[Offer]:
    """The members' problems of one theme; problems that say the same thing are one offer."""
    q = problems_question(flow, section_id)
    if q is None:
        return []
    groups: list[list[tuple[str, dict[str, str]]]] = []
    for member in members:
        for item in member.answers.get(q.id) or []:
            if not isinstance(item, Mapping):
                continue
            parts = {k: v for k, v in item.items() if isinstance(v, str) and v.strip()}
            text = "".join(parts.values())
            home = next(
                (
                    g
                    for g in groups
                    if any(similarity(text, "".join(o.values())) >= SAME for _, o in g)
                ),
                None,
            )
            if home is None:
                groups.append([(member.name, parts)])
            else:
                home.append((member.name, parts))
    return [_merged(q, g) for g in groups]


def _merged(q: Question, group: list[tuple[str, dict[str, str]]]) -> Offer:
    """The first member's summary (it must stay one line); every other part joined, so the
    organiser sees all the facts and cuts what is too much."""
    names = tuple(dict.fromkeys(name for name, _ in group))
    item: dict[str, str] = {}
    for sub in q.questions:
        values = list(dict.fromkeys(p[sub.id] for _, p in group if p.get(sub.id)))
        if not values:
            continue
        item[sub.id] = values[0] if sub.kind == "text" else "\n".join(values)
    return Offer(names, item)


def adopt_inputs(q: Question, offer: Offer) -> list[tuple[str, str]]:
    """The inputs that write the offer as one new problem, sub-question by sub-question:
    (kind, value) pairs for the engine."""
    steps: list[tuple[str, str]] = []
    for sub in q.questions:
        value: Any = offer.item.get(sub.id, "")
        if sub.kind == "long_text":
            steps += [("text", part) for part in value.split("\n") if part] if value else []
            steps.append(("done", "") if value else ("skip", ""))
        elif sub.kind == "text":
            steps.append(("text", value) if value else ("skip", ""))
        else:
            return steps  # a choice inside a problem: the organiser answers it
    return steps
