"""What a careful reviewer would flag in a draft, as pure functions over the answers.

The checks advise; they never block the report. Each finding names the step to edit.
Texts are compared on character bigrams, with the genre's stock bigrams (工作, 问题, 加强…)
left out so that shared boilerplate does not count as shared content. Which measure answers
which problem, and which cause restates one, weighs each shared bigram by how rare it is among
the report's own problems, causes and measures (inverse document frequency): 信访 shared by one
problem and one measure says more than 群众 shared by half the report. benchmarks/links.py
measures these checks on a hand-labelled set; word segmentation (jieba) measured worse there
than bigrams, so the core keeps bigrams.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import texts
from bot.core.loader import step_key
from bot.core.model import Flow, Question, Section
from bot.core.steps import Step, section_chars, steps_of, value_at, visible_sections
from bot.core.wordcount import report_zishu, zishu

CONCRETE = re.compile(
    r"比如|例如|譬如|[0-9０-９]|[一二三四五六七八九十两几][次个项人户元年月日天件条名家场篇期季度]|今年|去年|上半年|下半年"
)
SENTENCE_END = re.compile(r"[。！？；!?;\n]")
PLACEHOLDER = "××"
# A cause whose content weight lies this much in one problem's wording restates it.
CAUSE_OVERLAP = 0.25
# A problem sharing this much with one of last year's is copied.
COPIED_OVERLAP = 0.7
# A measure answers a problem when their shared bigrams weigh this much, or at least
# LINK_BEST when the problem is the measure's closest one or the measure the problem's
# closest one. Tuned on benchmarks/data/links.yaml (benchmarks/links.py prints the effect).
LINK_WEIGHT = 14.0
LINK_BEST = 8.0
STOCK_LIMIT = 3
STOCK_PHRASES = (
    "进一步",
    "不够到位",
    "有待提高",
    "有待加强",
    "还有差距",
    "不够深入",
    "不够扎实",
    "不够严格",
    "力度不够",
    "意识不强",
    "认识不足",
    "切实加强",
    "不断提高",
    "认真落实",
)
GENERIC = set(
    "工作 问题 加强 方面 进一 一步 不够 存在 自己 没有 还有 一些 能够 进行 开展 坚持 认真 "
    "落实 推进 提高 深入 同志 我们 党员 干部 领导 一是 二是 三是 比如 要求 情况 时候 主要 "
    "有时 以来 今年 去年 切实 不断 积极 全面 进一 一个".split()
)


@dataclass(frozen=True)
class Finding:
    """One thing to look at: what kind, what to tell the user, the exact step that fixes it
    (`q[+]` adds an item to repeat `q`; "" when no one question does), and an id made of
    the kind and what it is about, which stays the same while other findings come and go."""

    kind: str
    message: str
    step: str
    id: str


@dataclass(frozen=True)
class Piece:
    """One item of a role, with where it lives and how it reads in a message: `step` is its
    first question, `item` the item itself (`q[2]`), `subs` its questions' ids."""

    step: str
    label: str
    text: str
    section: str = ""
    item: str = ""
    subs: tuple[str, ...] = ()

    def sub(self, *preferred: str) -> str:
        """The step of the first of these questions the item has, else of its last one."""
        name = next((p for p in preferred if p in self.subs), self.subs[-1] if self.subs else "")
        return f"{self.item}.{name}" if name else self.step


@dataclass(frozen=True)
class Link:
    """A measure and the problems it answers (by shared wording)."""

    measure: Piece
    problems: tuple[Piece, ...]


_HAN = re.compile("[\u4e00-\u9fff]")


# The review compares every measure with every problem and cause, on every showing:
# the same few dozen texts, so their bigrams are kept.
@functools.lru_cache(maxsize=1024)
def bigrams(text: str) -> frozenset[str]:
    chars = _HAN.findall(text)
    return frozenset(a + b for a, b in zip(chars, chars[1:], strict=False)) - GENERIC


def overlap(part: str, whole: str) -> float:
    """Share of `part`'s content bigrams that also occur in `whole`."""
    mine = bigrams(part)
    return len(mine & bigrams(whole)) / len(mine) if mine else 0.0


class Weights:
    """How rare each bigram is among a report's problems, causes and measures."""

    def __init__(self, texts: Sequence[str]) -> None:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(bigrams(text))
        n = len(texts)
        self._idf = {gram: math.log(n / df) for gram, df in counts.items()}

    def shared(self, a: str, b: str) -> float:
        """The weight of the content `a` and `b` have in common."""
        return sum(self._idf.get(g, 0.0) for g in bigrams(a) & bigrams(b))

    def of(self, text: str) -> float:
        return sum(self._idf.get(g, 0.0) for g in bigrams(text))


# -- reading the answers by role ---------------------------------------------------------------


def _role_questions(flow: Flow, role: str) -> Iterator[tuple[Section, Question]]:
    for section in flow.sections:
        for q in section.questions:
            if q.role == role:
                yield section, q


def _item_text(item: Mapping[str, Any]) -> str:
    return "".join(v for v in item.values() if isinstance(v, str))


def problems(flow: Flow, answers: Mapping[str, Any]) -> list[Piece]:
    found = []
    for section, q in _role_questions(flow, "problems"):
        title = section.title_in(answers)
        for i, item in enumerate(answers.get(q.id) or []):
            summary = item.get("summary") or _item_text(item)[:20]
            first = q.questions[0].id if q.questions else ""
            found.append(
                Piece(
                    step_key(q.id, i, first),
                    f"“{_short(title)}”第{i + 1}个问题（{_short(summary, 16)}）",
                    _item_text(item),
                    section.id,
                    f"{q.id}[{i}]",
                    tuple(sub.id for sub in q.questions),
                )
            )
    return found


def _items(flow: Flow, answers: Mapping[str, Any], role: str, noun: str) -> list[Piece]:
    found = []
    for _, q in _role_questions(flow, role):
        first = q.questions[0].id if q.questions else ""
        for i, item in enumerate(answers.get(q.id) or []):
            head = item.get("heading") or _item_text(item)
            found.append(
                Piece(
                    step_key(q.id, i, first),
                    f"第{i + 1}条{noun}（{_short(head, 16)}）",
                    _item_text(item),
                    item=f"{q.id}[{i}]",
                    subs=tuple(sub.id for sub in q.questions),
                )
            )
    return found


def _short(text: str, limit: int = 12) -> str:
    text = text.strip().rstrip("。；，")
    text = text[:-2] if text.endswith("方面") else text
    text = text[1:] if text.startswith("在") else text
    return text if len(text) <= limit else text[:limit] + "…"


# -- the checks --------------------------------------------------------------------------------


def vague_problems(flow: Flow, answers: Mapping[str, Any]) -> list[Finding]:
    """A problem with no case: no 比如/例如, no number, no date."""
    return [
        Finding(
            "vague",
            f"{p.label}没有具体实例：加一个“比如”、数字或时间会更有说服力。",
            p.sub("case", "detail"),
            f"vague:{p.item}",
        )
        for p in problems(flow, answers)
        if not CONCRETE.search(p.text)
    ]


def _weights(flow: Flow, answers: Mapping[str, Any]) -> Weights:
    pieces = [
        *problems(flow, answers),
        *_items(flow, answers, "causes", "原因"),
        *_items(flow, answers, "measures", "措施"),
    ]
    return Weights([p.text for p in pieces])


def restated_causes(flow: Flow, answers: Mapping[str, Any]) -> list[Finding]:
    """A cause that mostly repeats one problem's words is the problem again, not its cause."""
    found = []
    listed = problems(flow, answers)
    weights = _weights(flow, answers)
    for cause in _items(flow, answers, "causes", "原因"):
        own = weights.of(cause.text)
        best = max(listed, key=lambda p: weights.shared(cause.text, p.text), default=None)
        if best and own and weights.shared(cause.text, best.text) / own >= CAUSE_OVERLAP:
            found.append(
                Finding(
                    "restated",
                    f"{cause.label}和{best.label}用词大半相同，像是把问题换了个说法。"
                    "原因要往思想根子上找：理想信念、党性修养、宗旨意识、纪律规矩。",
                    cause.sub("text", "body"),
                    f"restated:{cause.item}",
                )
            )
    return found


def links(flow: Flow, answers: Mapping[str, Any]) -> list[Link]:
    """Each measure with the problems that share its rarer wording."""
    listed = problems(flow, answers)
    measures = _items(flow, answers, "measures", "措施")
    weights = _weights(flow, answers)
    score = [[weights.shared(m.text, p.text) for p in listed] for m in measures]
    best_problem = [max(row, default=0.0) for row in score]
    best_measure = [max(column, default=0.0) for column in zip(*score, strict=True)]

    def answers_(i: int, j: int) -> bool:
        s = score[i][j]
        closest = s in (best_problem[i], best_measure[j])
        return s >= LINK_WEIGHT or (s >= LINK_BEST and closest)

    return [
        Link(m, tuple(p for j, p in enumerate(listed) if answers_(i, j)))
        for i, m in enumerate(measures)
    ]


def unanswered(flow: Flow, answers: Mapping[str, Any]) -> list[Finding]:
    """Measures that answer no problem, and themes whose problems no measure answers."""
    linked = links(flow, answers)
    found = [
        Finding(
            "unlinked",
            f"{link.measure.label}看不出针对哪个问题，写明对应的问题和做法。",
            link.measure.sub("body", "text"),
            f"unlinked:{link.measure.item}",
        )
        for link in linked
        if not link.problems
    ]
    if not linked:
        return found
    covered = {p.section for link in linked for p in link.problems}
    for section, q in _role_questions(flow, "problems"):
        if answers.get(q.id) and section.id not in covered:
            found.append(
                Finding(
                    "uncovered",
                    f"“{_short(section.title_in(answers))}”方面的问题还没有对应的整改措施，"
                    "可以加一条措施。",
                    _new_item(flow, answers, "measures") or linked[0].measure.step,
                    f"uncovered:{section.id}",
                )
            )
    return found


def _new_item(flow: Flow, answers: Mapping[str, Any], role: str) -> str:
    """The step that adds an item to the repeat of this role (`q[+]`), if there is room."""
    for _, q in _role_questions(flow, role):
        n = len(answers.get(q.id) or [])
        if n < q.max:
            return step_key(q.id, n)
    return ""


def lengths(flow: Flow, answers: Mapping[str, Any]) -> list[Finding]:
    """Sections under their 字数 target; the whole report outside the flow's range.

    A short section points at its shortest written answer, the one most worth extending."""
    found = []
    walk = steps_of(flow, answers)
    shown = visible_sections(walk)
    for si in shown:
        section = flow.sections[si]
        chars = section_chars(flow, answers, si, walk)
        if section.target_chars and 0 < chars < section.target_chars:
            found.append(
                Finding(
                    "short",
                    f"“{_short(section.title_in(answers))}”写了 {chars} 字，建议不少于 {section.target_chars} 字。",
                    _shortest_answer(flow, answers, si, walk),
                    f"short:{section.id}",
                )
            )
    if flow.total_chars:
        total = report_zishu(flow, answers)
        if total is None:
            total = sum(section_chars(flow, answers, si, walk) for si in shown)
        low, high = flow.total_chars
        if total < low:
            target = found[0].step if found else ""
            found.append(
                Finding("total", texts.TOTAL_LOW.format(chars=total, low=low), target, "total")
            )
        elif total > high:
            found.append(
                Finding("total", texts.TOTAL_HIGH.format(chars=total, high=high), "", "total")
            )
    return found


def _shortest_answer(flow: Flow, answers: Mapping[str, Any], si: int, walk: list[Step]) -> str:
    written = [
        (zishu(v), s.key)
        for s in walk
        if s.section == si and s.asked.kind == "long_text"
        if isinstance(v := value_at(answers, s), str)
    ]
    if written:
        return min(written)[1]
    return next((s.key for s in walk if s.section == si and not s.more), "")


def repeats(flow: Flow, answers: Mapping[str, Any]) -> list[Finding]:
    """The same sentence twice; stock phrases used more than a few times; ×× left in."""
    found = []
    # Each sentence's steps, in order of appearance, one entry per occurrence.
    places: dict[str, list[str]] = {}
    stock: Counter[str] = Counter()
    most: dict[str, tuple[int, str]] = {}  # phrase → (uses, step) of the answer using it most
    for step, text in _all_texts(flow, answers):
        if PLACEHOLDER in text:
            found.append(
                Finding(
                    "placeholder",
                    f"有一处还留着“{PLACEHOLDER}”，请换成您自己的情况。",
                    step,
                    f"placeholder:{step}",
                )
            )
        for phrase in STOCK_PHRASES:
            uses = text.count(phrase)
            stock[phrase] += uses
            if uses > most.get(phrase, (0, ""))[0]:
                most[phrase] = (uses, step)
        for sentence in SENTENCE_END.split(text):
            key = re.sub(r"[\s，、：“”]", "", sentence)
            if zishu(key) >= 8:
                places.setdefault(key, []).append(step)
    # One finding per repeated sentence, with its true count, pointing at its first repeat.
    for key, steps_ in places.items():
        later = [step for step in steps_ if step != steps_[0]]
        if later:
            message = f"这句话出现了 {len(steps_)} 次：“{_short(key, 20)}”"
            found.append(Finding("duplicate", message, later[0], f"duplicate:{key}"))
    found += [
        Finding(
            "stock",
            f"“{phrase}”用了 {count} 次，换成具体的说法会更实在。",
            most[phrase][1],
            f"stock:{phrase}",
        )
        for phrase, count in stock.most_common()
        if count > STOCK_LIMIT
    ]
    return found


def copied_from_last_year(
    flow: Flow, answers: Mapping[str, Any], last_year: Sequence[str]
) -> list[Finding]:
    """A problem that repeats one of last year's nearly word for word."""
    found = []
    for p in problems(flow, answers):
        # Last year's wording found almost whole in this year's problem.
        old = max(last_year, key=lambda text: overlap(text, p.text), default="")
        if old and overlap(old, p.text) >= COPIED_OVERLAP:
            found.append(
                Finding(
                    "copied",
                    f"{p.label}和去年的问题“{_short(old, 16)}”几乎一样："
                    "同样的问题今年还在，要写清楚整改后的新情况和新表现。",
                    p.sub("detail"),
                    f"copied:{p.item}",
                )
            )
    return found


def check(flow: Flow, answers: Mapping[str, Any], last_year: Sequence[str] = ()) -> list[Finding]:
    """Every finding, in the order a reviewer would read them."""
    return [
        *vague_problems(flow, answers),
        *copied_from_last_year(flow, answers, last_year),
        *restated_causes(flow, answers),
        *unanswered(flow, answers),
        *lengths(flow, answers),
        *repeats(flow, answers),
    ]


def _all_texts(flow: Flow, answers: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for qid in flow.question_ids:
        value = answers.get(qid)
        if isinstance(value, str):
            yield qid, value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    for sub, text in item.items():
                        if isinstance(text, str):
                            yield step_key(qid, i, sub), text
