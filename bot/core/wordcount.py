"""字数 as Word counts it for Chinese text."""

from __future__ import annotations

import functools
import re

# One CJK character or full-width mark each, one per run of Latin letters/digits; spaces and
# half-width punctuation count nothing.
_COUNTED = re.compile(r"[A-Za-z0-9]+|[^\x00-\x7f\s]")


# Progress lines and the review count the same answers again on every step.
@functools.lru_cache(maxsize=1024)
def zishu(text: str) -> int:
    """The 字数 Word shows for this text."""
    return len(_COUNTED.findall(text))
