"""What the page shows: the report's Document, with each answer's text marked where it stands.

The Document is the one every writer reads (`build_document`); nothing here knows the
genre's rules. An answer is found in the printed text by its own tidied wording (the genre
only adds words and marks around it), longest answers first, each at most once; the page
makes those stretches editable. An answer the document does not print is listed apart, so
every answer stays editable. Findings of the review sit beside the paragraph holding the
answer they name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from bot.core.limits import char_cap
from bot.core.model import Flow
from bot.core.quality import Finding, check
from bot.core.steps import MISSING, Step, steps_of, value_at
from bot.core.texts import ITEM
from bot.core.wordcount import zishu
from bot.report.document import Block, Document, Kind
from bot.report.genre import tidy
from bot.report.render import build_document
from bot.storage import Interview

OPENING = "开头"
CLOSING = "落款"
# The marks a join supplies around an answer; the answer is searched without them.
_JOIN_MARKS = "。；，、,;. "

Segment = tuple[str, str | None]  # a stretch of printed text, and the answer it shows


@dataclass(frozen=True)
class Field:
    """One answer the page can edit."""

    key: str
    label: str
    value: str
    multiline: bool
    optional: bool
    min_chars: int | None
    max_chars: int | None
    max_length: int


def page_data(flow: Flow, interview: Interview, date: datetime.date) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data."""
    answers = interview.state.answers
    doc = build_document(flow, answers, date=date)
    fields = text_fields(flow, answers)
    places = _Places(doc, fields)
    findings = check(flow, answers, interview.state.context.get("last_year_problems", ()))
    by_block, general = _place_findings(findings, places)
    parts: list[dict[str, Any]] = []
    title = {"kind": "title", "lead": [], "text": places.segments(-1, doc.title), "findings": []}
    for index, block in enumerate(doc.blocks):
        name = _part_name(block, parts)
        if not parts or parts[-1]["name"] != name or block.kind is Kind.HEADING:
            parts.append({"name": name, "zishu": 0, "blocks": []})
        part = parts[-1]
        part["blocks"].append(_block(block, index, places, by_block.get(index, [])))
        part["zishu"] += zishu(block.lead) + zishu(block.text)
    if not parts or parts[0]["name"] != OPENING:
        parts.insert(0, {"name": OPENING, "zishu": 0, "blocks": []})
    parts[0]["blocks"].insert(0, title)
    parts[0]["zishu"] += zishu(doc.title)
    return {
        "interview": interview.id,
        "version": getattr(interview, "version", 0),
        "flow": flow.title,
        "finished": interview.finished,
        "zishu": doc.zishu,
        "parts": parts,
        "findings": [f.message for f in general],
        "fields": {f.key: f.__dict__ for f in fields},
        "unplaced": [f.key for f in fields if f.key not in places.placed],
    }


def text_fields(flow: Flow, answers: dict[str, Any]) -> list[Field]:
    """The text answers of the interview, in the order they were asked."""
    fields = []
    for step in steps_of(flow, answers):
        question = step.asked
        value = value_at(answers, step)
        if step.more or question.kind not in ("text", "long_text") or value is MISSING:
            continue
        fields.append(
            Field(
                key=step.key,
                label=_label(step),
                value=value or "",
                multiline=question.kind == "long_text",
                optional=question.optional,
                min_chars=question.min_chars,
                max_chars=question.max_chars,
                max_length=char_cap(question),
            )
        )
    return fields


def _label(step: Step) -> str:
    label = step.asked.short
    if step.item is not None:
        return ITEM.format(n=step.item + 1, item=step.question.item_name) + "·" + label
    return label


class _Places:
    """Where each answer's wording stands in the document: (block index, start, end)."""

    def __init__(self, doc: Document, fields: list[Field]):
        texts = [doc.title, *(b.lead + "\x00" + b.text for b in doc.blocks)]
        taken: list[list[tuple[int, int]]] = [[] for _ in texts]
        self.placed: dict[str, tuple[int, int, int]] = {}
        needles = [(tidy(f.value).rstrip(_JOIN_MARKS), f.key) for f in fields]
        for needle, key in sorted(needles, key=lambda n: -len(n[0])):
            if not needle:
                continue
            for at, text in enumerate(texts):
                start = _free_find(text, needle, taken[at])
                if start >= 0:
                    taken[at].append((start, start + len(needle)))
                    self.placed[key] = (at - 1, start, start + len(needle))
                    break
        self._spans: dict[int, list[tuple[int, int, str]]] = {}
        for key, (at, start, end) in self.placed.items():
            self._spans.setdefault(at, []).append((start, end, key))
        self._offsets = {i: len(b.lead) + 1 for i, b in enumerate(doc.blocks)}

    def segments(self, block: int, text: str, offset: int = 0) -> list[Segment]:
        """`text` (the block's lead or body, starting at `offset`) cut at the answers in it."""
        out: list[Segment] = []
        pos = 0
        for start, end, key in sorted(self._spans.get(block, [])):
            start, end = start - offset, end - offset
            if start < 0 or end > len(text):
                continue
            if start > pos:
                out.append((text[pos:start], None))
            out.append((text[start:end], key))
            pos = end
        if pos < len(text):
            out.append((text[pos:], None))
        return out

    def body_offset(self, block: int) -> int:
        return self._offsets[block]

    def block_of(self, key: str) -> int | None:
        place = self.placed.get(key)
        return place[0] if place else None


def _free_find(text: str, needle: str, taken: list[tuple[int, int]]) -> int:
    start = text.find(needle)
    while start >= 0:
        end = start + len(needle)
        if all(end <= a or start >= b for a, b in taken):
            return start
        start = text.find(needle, start + 1)
    return -1


def _place_findings(
    findings: list[Finding], places: _Places
) -> tuple[dict[int, list[Finding]], list[Finding]]:
    """Each finding beside the block holding the answer it names; the rest go on top."""
    by_block: dict[int, list[Finding]] = {}
    general = []
    for finding in findings:
        block = _finding_block(finding.step, places) if finding.step else None
        if block is None:
            general.append(finding)
        else:
            by_block.setdefault(block, []).append(finding)
    return by_block, general


def _finding_block(step: str, places: _Places) -> int | None:
    exact = places.block_of(step)
    if exact is not None:
        return exact
    # A finding may name a repeat item, a question whose answer is printed piecemeal, or
    # one not answered yet (a missing case): the nearest printed answer of the same item.
    while step:
        for key in places.placed:
            if key.startswith(step + "[") or key.startswith(step + "."):
                return places.block_of(key)
        step = step.rpartition(".")[0]
    return None


def _part_name(block: Block, parts: list[dict[str, Any]]) -> str:
    if block.kind is Kind.HEADING:
        return block.text
    if block.kind is Kind.SIGNATURE:
        return CLOSING
    return parts[-1]["name"] if parts and parts[-1]["name"] != CLOSING else OPENING


def _block(block: Block, index: int, places: _Places, findings: list[Finding]) -> dict[str, Any]:
    return {
        "kind": block.kind.value,
        "lead": places.segments(index, block.lead),
        "text": places.segments(index, block.text, places.body_offset(index)),
        "findings": [{"message": f.message, "key": f.step} for f in findings],
    }
