"""The plain-data model of a flow: frozen dataclasses, no behaviour beyond lookups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.conditions import holds

KINDS = ("text", "long_text", "choice", "multi", "yesno", "repeat")
# What a top-level question holds, for the quality checks: which answers are problems,
# causes, measures.
ROLES = ("affirmation", "problems", "causes", "measures", "last_year", "case_study")


@dataclass(frozen=True)
class Option:
    """One answer a choice question offers; `id` is what is stored and sent in buttons."""

    id: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question; a `repeat` question holds sub-questions asked once per item."""

    id: str
    kind: str
    prompt: str
    label: str = ""
    hint: str = ""
    optional: bool = False
    min_chars: int | None = None
    max_chars: int | None = None
    default: Any = None
    when: str | None = None
    options: tuple[Option, ...] = ()
    min: int = 0
    max: int = 20
    item_name: str = "条"
    more_prompt: str = ""
    questions: tuple[Question, ...] = ()
    samples: tuple[str, ...] = ()
    target_chars: int | None = None
    role: str = ""
    free_text: bool = False  # a choice that also takes a typed answer in place of an option

    @property
    def short(self) -> str:
        """The name shown in edit lists and reviews."""
        return self.label or self.prompt.split("\n", 1)[0][:24]

    def sub(self, sub_id: str) -> Question:
        return next(q for q in self.questions if q.id == sub_id)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Section:
    """A part of the interview (usually one theme); progress is counted per section."""

    id: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()
    guide: str = ""
    target_chars: int | None = None
    title_from: str | None = None

    def title_in(self, answers: Mapping[str, Any]) -> str:
        """The title the user gave (a `title_from` answer, while its question is asked),
        else the flow's."""
        if not self.title_from:
            return self.title
        question = next(q for q in self.questions if q.id == self.title_from)
        custom = answers.get(self.title_from)
        if not isinstance(custom, str) or not holds(question.when, answers):
            return self.title
        return custom.strip().rstrip("。；，.;,") or self.title


@dataclass(frozen=True)
class Flow:
    """One interview: its metadata, its sections in order and the template it renders with."""

    id: str
    title: str
    version: int
    meeting: str
    year: int
    template: str
    sections: tuple[Section, ...]
    description: str = ""
    intro: str = ""
    review_prompt: str = ""
    total_chars: tuple[int, int] | None = None
    source: str = ""
    _index: dict[str, tuple[Section, Question]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for section in self.sections:
            for question in section.questions:
                self._index[question.id] = (section, question)

    def question(self, question_id: str) -> Question:
        return self._index[question_id][1]

    def section_of(self, question_id: str) -> Section:
        return self._index[question_id][0]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._index

    @property
    def question_ids(self) -> list[str]:
        return list(self._index)
