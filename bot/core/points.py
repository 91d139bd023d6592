"""Reading a message the way the genre writes it: several points at once (一是…二是…, 1. 2.,
①②, paragraphs), and one point as verdict, detail and case (比如/例如…).

Pure text functions; the engine decides what to do with what they find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.wordcount import zishu

_CN_DIGITS = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# Where a point may start: the beginning, a new line, or after a sentence or clause end.
_START = r"(?:^|(?<=[。；;！!？?：:\n]))[ \t　]*"
# "一是" … "十是", also "其一/第一," forms are not used by the genre for points.
_SHI = re.compile(_START + r"([一二三四五六七八九十])是")
_CIRCLED_MARK = re.compile(_START + r"([①②③④⑤⑥⑦⑧⑨⑩])")
# Numbered lines: "1." "1、" "1．" "（1）" "(1)" "一、" "（一）", at the start of a line only
# (inside a sentence "2.5亩" or "一、二季度" are not numbering).
_NUMBERED = re.compile(
    r"(?m)^[ \t　]*(?:(\d{1,2})[.、．)）]|[（(](\d{1,2})[)）]|([一二三四五六七八九十])、|"
    r"[（(]([一二三四五六七八九十])[)）])[ \t　]*"
)
_BLANK_LINE = re.compile(r"\n[ \t　]*\n")
# A case begins with one of these at the start of a sentence.
_CASE = re.compile(
    r"(?:^|(?<=[。；;！!？?：:\n，,]))[ \t　]*"
    r"(?:比如说|比如|例如|譬如|举例来说|举个例子|举例)[，,：:、]?[ \t　]*"
)
_SENTENCE_END = "。！？!?；;"
_TRAILING = "；;，,、 \t\n　"


@dataclass(frozen=True)
class Points:
    """Several points found in one message, and the words before the first (e.g. "还存在以下
    不足："), which belong to none of them."""

    lead: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Parts:
    """One point read as the genre writes it: the verdict, the detail, then the case."""

    summary: str
    detail: str
    case: str


def _number(mark: str) -> int:
    if mark in _CIRCLED:
        return _CIRCLED.index(mark) + 1
    if mark in _CN_DIGITS:
        return _CN_DIGITS.index(mark) + 1
    return int(mark)


def _in_order(numbers: list[int]) -> bool:
    return len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1))


def _cut(text: str, starts: list[tuple[int, int]]) -> Points:
    """Points from (start of marker, end of marker) positions."""
    lead = text[: starts[0][0]].strip()
    items = []
    for (_, end), (nxt, _) in zip(starts, [*starts[1:], (len(text), len(text))], strict=True):
        items.append(_clean(text[end:nxt]))
    return Points(lead, tuple(i for i in items if i))


def _clean(item: str) -> str:
    return item.strip().rstrip(_TRAILING).strip()


def _by_marks(text: str, pattern: re.Pattern[str]) -> Points | None:
    found = list(pattern.finditer(text))
    # Only the run that counts 1, 2, 3 … is numbering; a stray "二是" in prose is not.
    run: list[re.Match[str]] = []
    for m in found:
        n = _number(next(g for g in m.groups() if g))
        if n == len(run) + 1:
            run.append(m)
    if not _in_order([_number(next(g for g in m.groups() if g)) for m in run]):
        return None
    return _cut(text, [(m.start(), m.end()) for m in run])


def split_points(text: str) -> Points:
    """The points of a message; one item (the whole text) when it holds only one."""
    text = text.strip()
    for pattern in (_NUMBERED, _SHI, _CIRCLED_MARK):
        points = _by_marks(text, pattern)
        if points is not None and len(points.items) >= 2:
            return points
    paragraphs = [_clean(p) for p in _BLANK_LINE.split(text) if p.strip()]
    if len(paragraphs) >= 2:
        return Points("", tuple(paragraphs))
    return Points("", (text,) if text else ())


def _first_sentence(text: str) -> tuple[str, str]:
    """The first sentence (without its end mark) and the rest."""
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END or ch == "\n":
            return text[:i].strip(), text[i + 1 :].strip()
    return text.strip(), ""


def split_parts(text: str, summary_max: int = 60) -> Parts:
    """Verdict, detail and case of one point. The verdict is the first sentence when it is
    short enough to be one (≤ `summary_max` 字); the case is what follows 比如/例如 at the
    start of a sentence, without those words (the report adds its own)."""
    text = _clean(text)
    case = ""
    m = _CASE.search(text)
    if m and m.start() > 0:
        case = _clean(text[m.end() :])
        text = _clean(text[: m.start()])
    elif m:  # the whole point is a case
        return Parts("", "", _clean(text[m.end() :]))
    first, rest = _first_sentence(text)
    if first and zishu(first) <= summary_max:
        return Parts(first.rstrip(_TRAILING), rest, case)
    # A long first sentence: its first clause is the verdict when it is short like one.
    clause = re.match(r"([^，,：:]{4,30})[，,：:](.+)", text, re.S)
    if clause and zishu(clause.group(1)) <= summary_max:
        return Parts(clause.group(1).strip(), clause.group(2).strip(), case)
    return Parts("", text, case)


def is_one_liner(text: str) -> bool:
    """A message that is a single short sentence: an ordinary one-line answer."""
    text = text.strip()
    first, rest = _first_sentence(text)
    return not rest and not _CASE.search(text)
