"""Answers → Document: the Jinja2 environment the report templates run in, and their context.

One template per flow describes the document in the block markup of `bot.report.document`; the
writers in `bot.report.writers` turn the resulting Document into .docx, Markdown and plain text.
Nothing here reads a clock (the report date is a parameter), and only `render_files`
writes files.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.core.conditions import holds
from bot.core.model import Flow
from bot.flows import default_templates_dir
from bot.report import genre
from bot.report.document import Document, Markup, mark_data, parse
from bot.report.writers.docx import to_docx
from bot.report.writers.markdown import to_markdown
from bot.report.writers.text import to_text

FILTERS = {
    "ordinal": genre.ordinal,
    "points": genre.points,
    "sentences": genre.sentences,
    "problem": genre.problem,
    "bare": genre.bare,
    "numbered": genre.numbered,
    "bridge": genre.bridge,
    "markup": Markup,
    "rectification": genre.rectification,
    "chinese_date": genre.chinese_date,
}


@dataclass(frozen=True)
class Theme:
    """A theme section as a template sees it: the flow's title and the user's answers."""

    id: str
    title: str
    good: str | None
    problems: list[dict[str, Any]]


class Counter:
    """A number a template advances as it writes parts, so a part left out shifts the rest:
    `{% set h1 = counter() %}` … `{{ h1.next()|ordinal("一、") }}`."""

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def build_document(
    flow: Flow,
    answers: Mapping[str, Any],
    *,
    date: datetime.date,
    templates_dir: Path | None = None,
) -> Document:
    """Render the flow's template over the answers and parse it into a Document."""
    folder = Path(templates_dir) if templates_dir else default_templates_dir(Path(flow.source))
    template = _environment(folder.resolve()).get_template(flow.template)
    doc = parse(template.render(_context(flow, answers, date)), flow.template)
    return replace(doc, author=genre.tidy(_text_answer(answers, "name")))


def report_name(flow: Flow, answers: Mapping[str, Any]) -> str:
    """The files' name without suffix, as people name them: <姓名><年度>年度<会名><材料名>
    (周明远2022年度民主生活会对照检查材料), or the flow's title when no name was given."""
    name = genre.tidy(_text_answer(answers, "name"))
    if name:
        _, wording = _style(flow, {qid: answers.get(qid) for qid in flow.question_ids})
        suffix = wording.get("title_suffix") or "对照检查材料"
        stem = f"{name}{flow.year}年度{flow.meeting}{suffix}"
    else:
        stem = flow.title
    return _UNSAFE_IN_NAME.sub("", stem).strip(". ") or flow.id


def unused_stem(folder: Path, stem: str, formats: Iterable[str]) -> str:
    """`stem`, or `stem（2）`, `stem（3）`… : the first that no file of these formats has, so
    a report written again lands next to the earlier one (perhaps edited in Word), not over it."""
    formats = tuple(formats)
    candidate, n = stem, 1
    while any((folder / f"{candidate}.{fmt}").exists() for fmt in formats):
        n += 1
        candidate = f"{stem}（{n}）"
    return candidate


# Characters Windows, macOS or Linux refuse in a file name, and controls.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _text_answer(answers: Mapping[str, Any], qid: str) -> str:
    value = answers.get(qid)
    return value if isinstance(value, str) else ""


def render_files(
    flow: Flow,
    answers: Mapping[str, Any],
    *,
    date: datetime.date,
    out_dir: str | Path,
    formats: Iterable[str] = ("docx", "md", "txt"),
    basename: str | None = None,
    templates_dir: Path | None = None,
) -> list[Path]:
    """Build the document once and write `<basename>.<format>` for each format into out_dir;
    the name is `report_name` unless given, and an existing file is never overwritten (the
    new files get the first free `（N）`)."""
    formats = tuple(formats)
    unknown = sorted(set(formats) - WRITERS.keys())
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; known: {', '.join(WRITERS)}")
    doc = build_document(flow, answers, date=date, templates_dir=templates_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = unused_stem(out, basename or report_name(flow, answers), formats)
    paths = []
    for fmt in formats:
        path = out / f"{stem}.{fmt}"
        WRITERS[fmt](doc, path)
        paths.append(path)
    return paths


def _text_file(render: Callable[[Document], str]) -> Callable[[Document, Path], None]:
    return lambda doc, path: path.write_text(render(doc), encoding="utf-8")


WRITERS: dict[str, Callable[[Document, Path], None]] = {
    "docx": to_docx,
    "md": _text_file(to_markdown),
    "txt": _text_file(to_text),
}


@lru_cache(maxsize=8)
def _environment(templates_dir: Path) -> Environment:
    """The environment for one templates folder (cached: Jinja2 keeps compiled templates)."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        undefined=StrictUndefined,  # a misspelt name fails loudly instead of printing nothing
        autoescape=False,  # the output is block markup, not HTML; mark_data keeps answers data
        finalize=mark_data,
    )
    env.filters.update(FILTERS)
    env.globals["counter"] = Counter
    return env


def _context(flow: Flow, answers: Mapping[str, Any], date: datetime.date) -> dict[str, Any]:
    """What a template sees: every question id (None when unanswered), `answers` (the same as
    a mapping), `flow`, `date`, and `themes`: the sections with a `<id>_problems` question
    that hold any answer, in flow order."""
    full: dict[str, Any] = {qid: None for qid in flow.question_ids}
    for qid, value in answers.items():
        full[qid] = _with_all_fields(flow, qid, value)
    themes = [
        Theme(s.id, s.title_in(full), full.get(f"{s.id}_good"), full.get(f"{s.id}_problems") or [])
        for s in flow.sections
        if flow.has_question(f"{s.id}_problems")
    ]
    style, wording = _style(flow, full)
    return {
        **full,
        "answers": full,
        "flow": flow,
        "date": date,
        "themes": [t for t in themes if t.good or t.problems],
        "style": style,
        "wording": wording,
    }


STYLE_SECTION = "style"


def _style(flow: Flow, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The wording and layout choices of the flow's `style` section ("版式与措辞"): `style`
    holds each choice's value (an option id, or the words the user typed), `wording` the
    words it stands for (the option's label, or the typed words). A question not asked (the
    user accepted all defaults) or not answered counts as its default."""
    style: dict[str, Any] = {}
    wording: dict[str, Any] = {}
    section = next((s for s in flow.sections if s.id == STYLE_SECTION), None)
    for q in section.questions if section else ():
        value = answers.get(q.id)
        if value is None or not holds(q.when, answers):
            value = q.default
        style[q.id] = value
        option = q.option(value) if q.options and isinstance(value, str) else None
        wording[q.id] = option.label if option else value
    return style, wording


def _with_all_fields(flow: Flow, qid: str, value: Any) -> Any:
    """Repeat items with every sub-question present, so `item.case` is None, not undefined."""
    if not (flow.has_question(qid) and flow.question(qid).kind == "repeat" and value):
        return value
    blank = {sub.id: None for sub in flow.question(qid).questions}
    return [blank | dict(item) for item in value]
