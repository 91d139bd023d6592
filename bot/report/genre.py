"""The genre's text rules: Chinese numbering, joining points, punctuation at the joins.

Templates use these as filters; the document model runs `clean_text`, `tidy` and `finish` on
every block, so a template can join pieces naïvely and leave the seams to this module.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any

_DIGITS = "零一二三四五六七八九"

# CJK characters and the full-width marks and quotes Chinese text uses around them.
CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
    "\u201c\u201d\u2018\u2019\u2026\u2014"
)
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", ".": "。"}
_CJK_CHAR = re.compile(f"[{CJK}]")
# Stretches of half-width marks and blanks: what `full_width_marks` looks at. One class, so
# the regex never backtracks.
_MARK_RUN = re.compile(r"[\s,;:?!.]+")
_SPACE_INCJK = re.compile(rf"(?<=[{CJK}])\s+(?=[{CJK}])")
_SPACES = re.compile(r"\s+")
# Where two marks meet at a seam the later one is the one the structure put there.
_MARK_PAIR = re.compile(r"[。，；、：](?=[。，；、：])")
_STOP_AFTER_EXCLAMATION = re.compile(r"(?<=[！？])。")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# What Word cannot store (XML 1.0 forbids most C0 controls) or should not: C1 controls,
# non-characters, lone surrogates.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidirectional controls: embeddings and overrides (closed by U+202C) and isolates (closed by
# U+2069). One left open turns the rest of the line around in Word.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_OPENERS = "\u202a\u202b\u202d\u202e"
_ISOLATE_OPENERS = "\u2066\u2067\u2068"

# A 文号's year in any bracket a keyboard offers: [2022]5号, 【2022】, （2022）, 〔2022〕.
_WENHAO_YEAR = re.compile(
    r"[\[［【(（〔﹝]\s*((?:19|20)\d\d)\s*[\]］】)）〕﹞]\s*(?=[0-9０-９零〇一二三四五六七八九十百×xX*＊]+\s*号)"
)

_SEAM_MARKS = "。；，、,;."
_ENDING_MARKS = "。！？：…"
_CASE_WORDS = ("比如", "例如", "譬如")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 35 → 三十五 (1–99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"Chinese numbering covers 1 to 99, not {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("" if tens == 1 else _DIGITS[tens]) + "十"
    return head + (_DIGITS[ones] if ones else "")


def ordinal(n: int, form: str = "一、") -> str:
    """`form` shows the numbering with 一 standing for the number: 一、 （一） 一是 第一."""
    if form.count("一") != 1:
        raise ValueError(f"an ordinal form holds 一 exactly once, got {form!r}")
    return form.replace("一", chinese_number(n))


def points(items: Iterable[str | None]) -> str:
    """一是……；二是……；三是……。 — empty items are left out; a single point is not numbered."""
    texts = [t for t in (bare(i) for i in items) if t]
    if len(texts) == 1:
        return texts[0] + "。"
    joined = "；".join(ordinal(n, "一是") + t for n, t in enumerate(texts, 1))
    return joined + "。" if joined else ""


def numbered(items: Iterable[str | None], form: str = "一是") -> list[str]:
    """Points as paragraphs of their own: 一是…。 二是…。, or with `form` "1、" 1、… 2、….
    Empty items are left out; a single point is not numbered."""
    texts = [t for t in (bare(i) for i in items) if t]
    if len(texts) == 1:
        return [texts[0] + "。"]
    if "一" in form:
        return [ordinal(n, form) + t + "。" for n, t in enumerate(texts, 1)]
    return [form.replace("1", str(n), 1) + t + "。" for n, t in enumerate(texts, 1)]


def bridge(affirmation: str | None, words: str | None) -> str:
    """What went well, then the turn to the problems. The turn's own first mark joins them
    ("，但对照要求，还存在一些不足：", "。但还存在以下不足："); without one, a comma does."""
    head, turn = bare(affirmation), tidy(words).strip()
    if not turn:
        return finish(head) if head else ""
    if not head:
        return turn.lstrip("，。；、,;.")
    return head + (turn if turn[0] in "，。；、：" else "，" + turn)


def sentences(items: Iterable[str | None]) -> str:
    """Pieces of prose run together, each ended with its own full stop."""
    return "".join(finish(tidy(i)) for i in items if i and i.strip())


def problem(item: Mapping[str, Any], case_intro: str = "比如，") -> str:
    """One problem: its summary sentence, the detail, then the case introduced by 比如."""
    text = "。".join(t for t in (bare(item.get("summary")), bare(item.get("detail"))) if t)
    case = bare(item.get("case"))
    if case:
        if not case.startswith(_CASE_WORDS):
            case = case_intro + case
        text = f"{text}。{case}" if text else case
    return text


# The ids of a last-year checklist's status choice, as the flows define them.
RECTIFICATION_STATUS = {"done": "目前已完成", "ongoing": "目前仍在持续推进", "todo": "目前尚未完成"}


def rectification(item: Mapping[str, Any]) -> str:
    """One of last year's measures: what was promised, what was done, where it stands."""
    done = bare(item.get("done"))
    status = RECTIFICATION_STATUS.get(item.get("status") or "", "")
    if done and status:
        done = f"{done}，{status}"
    return "。".join(t for t in (bare(item.get("measure")), done or status) if t)


def chinese_date(day: datetime.date) -> str:
    """2026年1月8日: Arabic numerals without zero padding, as a 成文日期 is written."""
    return f"{day.year}年{day.month}月{day.day}日"


def clean_text(text: str) -> str:
    """Text as a document can hold it: lines run into one paragraph, controls dropped.

    A line that ends without a mark, followed by one that starts with a word, ended a
    sentence: the join gets a full stop.
    """
    out: list[str] = []
    for line in _LINE_BREAK.split(text):
        line = balanced_bidi(_UNSTORABLE.sub("", line.replace("\t", " "))).strip()
        if not line:
            continue
        if out and _is_wordy(out[-1][-1]) and _is_wordy(line[0]):
            out.append("。")
        out.append(line)
    return "".join(out)


def balanced_bidi(line: str) -> str:
    """The line without bidirectional controls that open nothing or are never closed."""
    if not _BIDI.search(line):
        return line
    keep: set[int] = set()
    # Open controls, innermost last: (position, is an isolate).
    stack: list[tuple[int, bool]] = []
    for match in _BIDI.finditer(line):
        char, at = match.group(), match.start()
        if char in _BIDI_OPENERS or char in _ISOLATE_OPENERS:
            stack.append((at, char in _ISOLATE_OPENERS))
        elif char == "\u202c" and stack and not stack[-1][1]:
            keep.update((stack.pop()[0], at))
        elif char == "\u2069" and any(isolate for _, isolate in stack):
            # Closing an isolate closes the embeddings opened inside it too: those never
            # had their own close, so they go.
            while not stack[-1][1]:
                stack.pop()
            keep.update((stack.pop()[0], at))
    return "".join(
        c
        for i, c in enumerate(line)
        if i in keep or not ("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069")
    )


def tidy(text: str | None) -> str:
    """Full-width marks in Chinese text, no stray spaces, one mark where two met at a seam."""
    if not text:
        return ""
    text = full_width_marks(_SPACES.sub(" ", clean_text(text)).strip())
    text = _SPACE_INCJK.sub("", text)
    text = _MARK_PAIR.sub("", text)
    text = _WENHAO_YEAR.sub(r"〔\1〕", text)
    return _STOP_AFTER_EXCLAMATION.sub("", text)


def finish(text: str) -> str:
    """End a paragraph with a full stop unless it already ends a sentence or leads in (：)."""
    text = text.rstrip()
    if not text:
        return text
    if text[-1] in _SEAM_MARKS:
        return text[:-1] + "。"
    closed = text[-1] in "”’" and len(text) > 1 and text[-2] in _ENDING_MARKS
    if text[-1] in _ENDING_MARKS or closed:
        return text
    return text + "。"


def full_width_marks(text: str) -> str:
    """Half-width , ; : ? ! . typed in Chinese text become full-width ("1,000" stays).

    A mark next to a CJK character on either side (blanks between do not matter) becomes
    full-width, and so does one next to a mark that did: "中,,," is "中，，，". A full stop
    only right after a CJK character and before another or the end ("1.学习" stays). The
    blanks around a converted mark go. Each stretch of marks and blanks is settled once, so
    the time grows with the text, not with its square.
    """
    return _MARK_RUN.sub(lambda m: _settle_marks(m, text), text)


def _settle_marks(run: re.Match[str], text: str) -> str:
    """One stretch of half-width marks and blanks, between two other characters."""
    start, end = run.span()
    left = start > 0 and bool(_CJK_CHAR.match(text[start - 1]))
    right = end < len(text) and bool(_CJK_CHAR.match(text[end]))
    at_end = end == len(text)
    chunk = run.group()
    if len(chunk) == 1:  # the usual case: one mark between two words
        if chunk == ".":
            return "。" if left and (right or at_end) else chunk
        return _HALF_TO_FULL.get(chunk, chunk) if left or right else chunk
    marks = [i for i, c in enumerate(chunk) if not c.isspace()]
    if not marks:
        return chunk
    # gap[k]: blanks between mark k and what precedes it (mark k-1, or the left neighbour).
    gap = [(marks[k] > (marks[k - 1] + 1 if k else 0)) for k in range(len(marks))]
    last = len(marks) - 1
    full = [False] * len(marks)

    def converts(k: int) -> bool:
        before = full[k - 1] if k else left
        after = full[k + 1] if k < last else right
        if chunk[marks[k]] != ".":
            return before or after
        # A full stop: right after CJK (or after a converted mark, whose blanks go), and
        # before CJK or the end of the text.
        direct = (before and not gap[k]) or (k > 0 and full[k - 1] and chunk[marks[k - 1]] != ".")
        return direct and (after or (k == last and at_end))

    # Each conversion can only enable its two neighbours: look at those again.
    pending = list(range(len(marks)))
    while pending:
        k = pending.pop()
        if not full[k] and converts(k):
            full[k] = True
            pending.extend(j for j in (k - 1, k + 1) if 0 <= j <= last and not full[j])
    out: list[str] = []
    for k, at in enumerate(marks):
        # Blanks before a mark go when it converted (a full stop has none then) or when the
        # mark before it did.
        if gap[k] and not (full[k] or (k and full[k - 1])):
            out.append(chunk[(marks[k - 1] + 1 if k else 0) : at])
        out.append(_HALF_TO_FULL[chunk[at]] if full[k] else chunk[at])
    if marks[-1] < len(chunk) - 1 and not full[-1]:
        out.append(chunk[marks[-1] + 1 :])
    return "".join(out)


def bare(text: str | None) -> str:
    """A piece about to be joined to fixed words: without the marks at its end that the join
    supplies, so "…文件。" + "要求" never reads "…文件。要求"."""
    return tidy(text).rstrip(_SEAM_MARKS + "：: ")


def _is_wordy(char: str) -> bool:
    """A character that is part of a word, not a mark: a message ending in one ends a sentence."""
    return char.isalnum()
