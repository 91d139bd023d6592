"""The steps of an interview, computed afresh from the answers (`walk`): conditions, repeat
items and flow changes are thereby always honoured, and "back" is simply the step before."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from bot.core.conditions import holds
from bot.core.loader import step_key
from bot.core.model import Flow, Question
from bot.core.state import DONE, REVIEW, State
from bot.core.wordcount import zishu

MISSING = object()


@dataclass(frozen=True)
class Step:
    """One place in the interview: a question, a repeat item's sub-question, or add-or-finish."""

    section: int
    question: Question
    item: int | None = None
    sub: Question | None = None

    @property
    def more(self) -> bool:
        return self.item is not None and self.sub is None

    @property
    def asked(self) -> Question:
        return self.sub or self.question

    @property
    def key(self) -> str:
        return step_key(self.question.id, self.item, self.sub.id if self.sub else None)


def context(flow: Flow, answers: dict[str, Any]) -> dict[str, Any]:
    """The names a `when` condition sees: every question id, None until answered."""
    return {qid: answers.get(qid) for qid in flow.question_ids}


def walk(flow: Flow, answers: dict[str, Any]) -> list[Step]:
    """Every step the interview has, in order, given the answers so far."""
    ctx = context(flow, answers)
    steps: list[Step] = []
    for si, section in enumerate(flow.sections):
        for q in section.questions:
            if not holds(q.when, ctx):
                continue
            if q.kind != "repeat":
                steps.append(Step(si, q))
                continue
            items = answers.get(q.id) or []
            for i, item in enumerate(items):
                ictx = {**ctx, "item": item}
                steps.extend(Step(si, q, i, sub) for sub in q.questions if holds(sub.when, ictx))
            n = len(items)
            if n < q.min:
                ictx = {**ctx, "item": {}}
                first = next((s for s in q.questions if holds(s.when, ictx)), None)
                if first:
                    steps.append(Step(si, q, n, first))
            elif n < q.max:
                steps.append(Step(si, q, n))
    return steps


# One engine call walks the same answers several times (settle, step, advance, show); the
# engine never changes an answers dict in place, so within one call a walk can be reused
# for the same dict object. The memo lives only for that call and holds the dicts it keys,
# so an id cannot be reused while it is there.
_walks: ContextVar[dict[int, tuple[Flow, dict[str, Any], list[Step]]] | None] = ContextVar(
    "walks", default=None
)
_F = TypeVar("_F", bound=Callable[..., Any])


def one_walk_each(fn: _F) -> _F:
    """Entry points share one walk per answers dict for the length of the call."""

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if _walks.get() is not None:
            return fn(*args, **kwargs)
        token = _walks.set({})
        try:
            return fn(*args, **kwargs)
        finally:
            _walks.reset(token)

    return call  # type: ignore[return-value]


def steps_of(flow: Flow, answers: dict[str, Any]) -> list[Step]:
    """`walk`, reused within one engine call; callers must not change the list."""
    memo = _walks.get()
    if memo is None:
        return walk(flow, answers)
    hit = memo.get(id(answers))
    if hit is None or hit[0] is not flow or hit[1] is not answers:
        hit = memo[id(answers)] = (flow, answers, walk(flow, answers))
    return hit[2]


def value_at(answers: dict[str, Any], step: Step) -> Any:
    """The stored answer of a step, or MISSING."""
    if step.more:
        return MISSING
    if step.item is None:
        return answers.get(step.question.id, MISSING)
    items = answers.get(step.question.id) or []
    if step.item < len(items):
        return items[step.item].get(step.sub.id, MISSING)
    return MISSING


def with_value(answers: dict[str, Any], step: Step, value: Any) -> dict[str, Any]:
    new = dict(answers)
    if step.item is None:
        new[step.question.id] = value
        return new
    items = copy.deepcopy(list(answers.get(step.question.id) or []))
    while len(items) <= step.item:
        items.append({})
    items[step.item][step.sub.id] = value
    new[step.question.id] = items
    return new


def prune(answers: dict[str, Any], cursor: str) -> dict[str, Any]:
    """Drop repeat items that were added but never answered, unless the user is in one."""
    new = answers
    for qid, value in answers.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            kept = [
                item for i, item in enumerate(value) if item or cursor.startswith(f"{qid}[{i}].")
            ]
            if len(kept) != len(value):
                new = new if new is not answers else dict(answers)
                new[qid] = kept
    # The same dict when nothing was dropped: its walk is reused (see `steps_of`).
    return new


TEXT_KINDS = ("text", "long_text")


def section_chars(flow: Flow, answers: dict[str, Any], section: int, steps: list[Step]) -> int:
    """字数 of the text answers in one section (`steps`: the walk of these answers): what
    the progress line, /status and the review show for a part."""
    title_from = flow.sections[section].title_from
    return sum(
        zishu(v)
        for s in steps
        if s.section == section and s.asked.kind in TEXT_KINDS and s.key != title_from
        if isinstance(v := value_at(answers, s), str)
    )


def visible_sections(steps: list[Step]) -> list[int]:
    """Indexes of the sections that have any step (conditions may hide whole sections)."""
    return sorted({s.section for s in steps})


def first_gap(flow: Flow, answers: dict[str, Any]) -> str:
    """The first step that still needs an answer, or the review."""
    for s in steps_of(flow, answers):
        if s.more:
            continue
        if value_at(answers, s) is MISSING:
            return s.key
    return REVIEW


def settle(flow: Flow, state: State) -> State:
    """Make the cursor name a step that exists; new required questions are asked first."""
    if state.cursor in (REVIEW, DONE):
        gap = first_gap(flow, state.answers)
        return state if gap == REVIEW else replace(state, cursor=gap)
    keys = {s.key for s in steps_of(flow, state.answers)}
    if state.cursor in keys:
        return state
    return replace(state, cursor=first_gap(flow, state.answers))
