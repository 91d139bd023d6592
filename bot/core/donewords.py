"""Words that mean "I am done" rather than being part of an answer.

A user who has learnt that a long answer needs a closing 完成 keeps typing it; with a
Chinese input method "/done" comes out as "、done". None of these may end up in the report.
"""

from __future__ import annotations

import re

# A whole message that only says "done" (compared without spaces and closing punctuation).
_WORDS = frozenset(
    {
        "完成",
        "完成了",
        "好了",
        "写完了",
        "写完",
        "写好了",
        "完了",
        "完毕",
        "就这些",
        "就这样",
        "没了",
        "结束",
        "done",
        "ok",
    }
)
# Slash forms, whatever the input method makes of the slash.
_SLASHED = re.compile(r"^[/／、\\]\s*(done|ok|finish|end)$", re.IGNORECASE)
# The same at the end of an answer: "……比如、done" or a last line of its own.
_TRAILING = re.compile(
    r"(?:[/／、\\]\s*(?:done|ok|finish|end)|\n\s*(?:" + "|".join(sorted(_WORDS)) + r"))"
    r"[\s。.!！]*$",
    re.IGNORECASE,
)
_CLOSING = " \t\r\n。.!！~～"


def means_done(text: str) -> bool:
    """True for a message that only says the user has finished."""
    word = text.strip().strip(_CLOSING).strip()
    return word.lower() in _WORDS or bool(_SLASHED.match(word))


def without_done(text: str) -> str:
    """The answer without a trailing "done" the user added out of habit."""
    stripped = _TRAILING.sub("", text)
    return stripped.rstrip() if stripped != text else text
