"""An interview's state and the inputs that change it: plain, JSON-serialisable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REVIEW = "review"
DONE = "done"
ADD = "add"
FINISH = "done"
# A draft key for a sample being adapted: [the sample, the ×× filled so far…].
FILL_PREFIX = "~fill:"


@dataclass(frozen=True)
class State:
    """One interview's progress; everything in it is JSON-serialisable."""

    answers: dict[str, Any]
    cursor: str
    drafts: dict[str, list[str]] = field(default_factory=dict)
    return_to: str | None = None
    # What the user brought from elsewhere, e.g. {"last_year_problems": [...]} from last
    # year's report: shown as context and used by the quality checks, never rendered.
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.cursor == DONE


@dataclass(frozen=True)
class Input:
    """One thing the user did: typed text, chose an option, or gave a command."""

    kind: str
    value: str = ""

    @classmethod
    def text(cls, text: str) -> Input:
        return cls("text", text)

    @classmethod
    def choose(cls, option_id: str) -> Input:
        return cls("choose", option_id)
