"""The checks a superior makes across the reports of one meeting, as pure functions.

A 督导组 reads the members' reports side by side: the same problem in several reports
(千篇一律), themes no member covered, members who listed fewer problems than asked for, and
measures with no time limit. Texts are compared on the review's content bigrams
(`quality.bigrams`, stock bigrams left out) by Jaccard similarity; the threshold was set
on benchmarks/data/duplicates.yaml and the fixture reports (benchmarks/crosscheck.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.conditions import holds
from bot.core.model import Flow, Question, Section
from bot.core.quality import bigrams
from bot.core.steps import context

# Two texts whose content bigrams overlap this much (Jaccard) say the same thing. On the
# labelled set, copies with names or figures changed score 0.27 and more; distinct problems
# of one theme with the same stock phrases at most 0.30 (one pair), and the fixture reports
# (one official, five years, all distinct) at most 0.22.
SAME = 0.25
# 期限: a date, a month, a season, a frequency, or one of the genre's words for "ongoing".
TIME_LIMIT = re.compile(
    r"[0-9０-９]+\s*个?[年月日周天]|[一二三四五六七八九十两]+个?[月周天]|月底|月中|年底|年内|年前|"
    r"季度|半年|学期|[年月周季天日]内|每[年月周季天日学]|[月季]调度|[月季]通报|前完成|之前|以前|"
    r"日前|节前|长期坚持|长期抓|常态化|立行立改|即知即改|限期|期限|明年|今年|当年|本月|本周|汛期"
)


@dataclass(frozen=True)
class Member:
    """One member's answers, known by an opaque key and shown by name."""

    key: str
    name: str
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Item:
    """One problem or measure of one member."""

    member: Member
    kind: str  # "problem" | "measure"
    number: int  # 1-based, within its theme (problems) or the report (measures)
    section: str
    title: str  # the theme's title for a problem; the measure's heading
    text: str

    @property
    def label(self) -> str:
        if self.kind == "problem":
            return f"“{_short(self.title)}”第{self.number}个问题"
        return f"第{self.number}条整改措施"


@dataclass(frozen=True)
class Twin:
    """Two members' items that say the same thing."""

    a: Item
    b: Item
    similarity: float


@dataclass(frozen=True)
class Shortfall:
    """A member with fewer problems in a theme than the flow asks for."""

    member: Member
    theme: str
    count: int
    minimum: int


@dataclass(frozen=True)
class CrossCheck:
    """Everything a superior would flag across the reports, in reading order."""

    members: int
    twins: tuple[Twin, ...]
    uncovered: tuple[str, ...]
    shortfalls: tuple[Shortfall, ...]
    undated: tuple[Item, ...]

    @property
    def clean(self) -> bool:
        return not (self.twins or self.uncovered or self.shortfalls or self.undated)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two texts' content bigrams."""
    mine, theirs = bigrams(a), bigrams(b)
    union = len(mine | theirs)
    return len(mine & theirs) / union if union else 0.0


def has_time_limit(text: str) -> bool:
    return bool(TIME_LIMIT.search(text))


# -- reading one member's answers --------------------------------------------------------------


def _asked(flow: Flow, answers: Mapping[str, Any], role: str) -> Iterator[tuple[Section, Question]]:
    """The questions of a role that this member's answers ask (a zuzhi theme only if picked)."""
    names = context(flow, dict(answers))
    for section in flow.sections:
        for q in section.questions:
            if q.role == role and holds(q.when, names):
                yield section, q


def _text(item: Any) -> str:
    if isinstance(item, dict):
        return "".join(v for v in item.values() if isinstance(v, str))
    return item if isinstance(item, str) else ""


def problems_of(flow: Flow, member: Member) -> list[Item]:
    found = []
    for section, q in _asked(flow, member.answers, "problems"):
        title = section.title_in(member.answers)
        for i, item in enumerate(member.answers.get(q.id) or [], 1):
            found.append(Item(member, "problem", i, section.id, title, _text(item)))
    return found


def measures_of(flow: Flow, member: Member) -> list[Item]:
    found = []
    number = 0
    for section, q in _asked(flow, member.answers, "measures"):
        for item in member.answers.get(q.id) or []:
            number += 1
            heading = item.get("heading", "") if isinstance(item, dict) else ""
            found.append(Item(member, "measure", number, section.id, heading, _text(item)))
    return found


# -- the checks ----------------------------------------------------------------------------------


def twins(items: Sequence[Item]) -> list[Twin]:
    """Pairs of items from different members that say the same thing, most alike first.

    Shared bigrams are counted through an index from each bigram to the items holding it,
    so pairs with nothing in common (most of them) cost nothing.
    """
    found = []
    for kind in ("problem", "measure"):
        of_kind = [i for i in items if i.kind == kind]
        grams = [bigrams(i.text) for i in of_kind]
        holders: dict[str, list[int]] = {}
        for n, mine in enumerate(grams):
            for gram in mine:
                holders.setdefault(gram, []).append(n)
        for n, mine in enumerate(grams):
            shared: Counter[int] = Counter()
            for gram in mine:
                shared.update(m for m in holders[gram] if m > n)
            a = of_kind[n]
            for m, count in shared.items():
                b = of_kind[m]
                score = count / (len(mine) + len(grams[m]) - count)
                if score >= SAME and a.member.key != b.member.key:
                    found.append(Twin(a, b, score))
    return sorted(found, key=lambda t: -t.similarity)


def uncovered(flow: Flow, members: Sequence[Member]) -> list[str]:
    """Themes asked of some member that no member wrote a problem for."""
    asked: dict[str, str] = {}
    covered = set()
    for member in members:
        for section, q in _asked(flow, member.answers, "problems"):
            asked.setdefault(section.id, section.title_in(member.answers))
            if member.answers.get(q.id):
                covered.add(section.id)
    return [title for sid, title in asked.items() if sid not in covered]


def shortfalls(flow: Flow, members: Sequence[Member]) -> list[Shortfall]:
    found = []
    for member in members:
        for section, q in _asked(flow, member.answers, "problems"):
            count = len(member.answers.get(q.id) or [])
            if count < (q.min or 0):
                found.append(Shortfall(member, section.title_in(member.answers), count, q.min))
    return found


def undated(flow: Flow, members: Sequence[Member]) -> list[Item]:
    """Measures that say neither by when nor how often."""
    return [
        m for member in members for m in measures_of(flow, member) if not has_time_limit(m.text)
    ]


def crosscheck(flow: Flow, members: Sequence[Member]) -> CrossCheck:
    items = [i for m in members for i in (*problems_of(flow, m), *measures_of(flow, m))]
    return CrossCheck(
        members=len(members),
        twins=tuple(twins(items)),
        uncovered=tuple(uncovered(flow, members)),
        shortfalls=tuple(shortfalls(flow, members)),
        undated=tuple(undated(flow, members)),
    )


def too_like_others(flow: Flow, mine: Member, others: Sequence[Member]) -> list[Item]:
    """The member's own problems and measures that are too like someone else's.

    Only the member's own items are returned: a member may learn that a problem is too
    like one already submitted, never whose it is or what it says.
    """
    theirs = [
        i
        for m in others
        if m.key != mine.key
        for i in (*problems_of(flow, m), *measures_of(flow, m))
    ]
    return [
        item
        for item in (*problems_of(flow, mine), *measures_of(flow, mine))
        if any(t.kind == item.kind and similarity(t.text, item.text) >= SAME for t in theirs)
    ]


def _short(text: str, limit: int = 12) -> str:
    text = text.strip().rstrip("。；，")
    text = text[:-2] if text.endswith("方面") else text
    text = text[1:] if text.startswith("在") else text
    return text if len(text) <= limit else text[:limit] + "…"
