"""字数 as Word counts it for Chinese text: every count the user sees (progress line,
/status, review, report) comes from `zishu`. The whole report's count needs the report layer,
which the core may not import; the service lends it for the length of a call (`counting`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# One CJK character or full-width mark each, one per run of Latin letters/digits; spaces and
# half-width punctuation count nothing.
_COUNTED = re.compile(r"[A-Za-z0-9]+|[^\x00-\x7f\s]")


# Progress lines and the review count the same answers again on every step.
@functools.lru_cache(maxsize=1024)
def zishu(text: str) -> int:
    """The 字数 Word shows for this text."""
    return len(_COUNTED.findall(text))


# (flow, answers) → the 字数 of the report those answers make, as the report layer counts it.
ReportCounter = Callable[[Any, Mapping[str, Any]], int]
_report_counter: ContextVar[ReportCounter | None] = ContextVar("report_counter", default=None)


@contextmanager
def counting(counter: ReportCounter) -> Iterator[None]:
    """Within this block, `report_zishu` counts the report as generated."""
    token = _report_counter.set(counter)
    try:
        yield
    finally:
        _report_counter.reset(token)


def report_zishu(flow: Any, answers: Mapping[str, Any]) -> int | None:
    """The 字数 of the report these answers make, or None where no counter was lent."""
    counter = _report_counter.get()
    return counter(flow, answers) if counter else None
