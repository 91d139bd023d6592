"""How long an answer may be in characters, besides its 字数: what text really costs.

字数 counts a run of Latin letters as one and half-width marks as none, so a 字数 limit
alone lets "镇长" followed by thousands of letters through. Every text answer therefore has
a cap in characters too, generous for real writing: three characters a 字 and a hundred
more (a title of 40 字 takes 220 characters), and never more than 1,000 for a one-line
answer or 10,000 for a long one.
"""

from __future__ import annotations

from bot.core.model import Question

ONE_LINE_CAP = 1_000
LONG_CAP = 10_000


def char_cap(question: Question) -> int:
    """The most characters an answer to `question` may have."""
    cap = LONG_CAP if question.kind == "long_text" else ONE_LINE_CAP
    if question.max_chars is None:
        return cap
    return min(cap, 3 * question.max_chars + 100)
