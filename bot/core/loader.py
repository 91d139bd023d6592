"""YAML text → Flow, refusing a broken flow with one message per fault.

Checks run in order: syntax → keys and types → ids → references → templates and limits →
reachability. Each fault names the file, the place (`sections[2].questions.problems.min`)
and what is wrong. Later checks run only when the earlier ones found nothing, so one
mistake does not produce a cascade of confusing messages.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import yaml

from bot.core import callbacks
from bot.core.conditions import (
    ConditionNotAllowed,
    ConditionSyntaxError,
    compile_condition,
    holds,
    names_in,
)
from bot.core.model import KINDS, ROLES, Flow, Option, Question, Section
from bot.core.wordcount import zishu
from bot.core.yamltext import load_yaml
from bot.errors import FlowError, FlowFault

FLOW_KEYS = {
    "id": "required",
    "title": "required",
    "version": "required",
    "meeting": "required",
    "year": "required",
    "template": "required",
    "sections": "required",
    "description": "optional",
    "intro": "optional",
    "review": "optional",
    "total_chars": "optional",
}
TOTAL_CHARS_KEYS = {"min": "required", "max": "required"}
REVIEW_KEYS = {"prompt": "optional"}
SECTION_KEYS = {
    "id": "required",
    "title": "required",
    "intro": "optional",
    "guide": "optional",
    "target_chars": "optional",
    "title_from": "optional",
    "questions": "required",
}
QUESTION_KEYS = {
    "id": "required",
    "kind": "required",
    "prompt": "required",
    "label": "optional",
    "hint": "optional",
    "optional": "optional",
    "min_chars": "optional",
    "max_chars": "optional",
    "default": "optional",
    "when": "optional",
    "options": "choice, multi",
    "min": "repeat",
    "max": "repeat",
    "item_name": "repeat",
    "more_prompt": "repeat",
    "questions": "repeat",
    "samples": "long_text",
    "target_chars": "optional",
    "role": "optional",
    "free_text": "choice",
}
OPTION_KEYS = {"id": "required", "label": "required"}
# Roles whose answers the review reads item by item: one problem, cause or measure each.
ITEM_ROLES = ("problems", "causes", "measures")
ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FLOW_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_REPEAT = 20
# Conditions over more combinations than this are assumed reachable rather than enumerated.
MAX_COMBINATIONS = 4096


class _Faults:
    def __init__(self, file: str):
        self.file = file
        self.items: list[FlowFault] = []

    def add(self, place: str, message: str) -> None:
        self.items.append(FlowFault(self.file, place, message))

    def __bool__(self) -> bool:
        return bool(self.items)


def parse_flow(
    text: str, file: str = "<flow>", template_exists: Callable[[str], bool] = lambda _: True
) -> Flow:
    """Validate YAML text and build the Flow; raises FlowError listing every fault."""
    faults = _Faults(file)
    try:
        data = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        faults.add(place, f"YAML syntax error: {exc.problem or exc}")
        raise FlowError(file, faults.items) from None
    except yaml.YAMLError as exc:
        faults.add("", f"YAML syntax error: {exc}")
        raise FlowError(file, faults.items) from None

    flow = _build_flow(data, faults)
    if faults or flow is None:
        raise FlowError(file, faults.items)
    _check_references(flow, faults)
    if not faults:
        _check_limits(flow, faults, template_exists)
    if not faults:
        _check_reachable(flow, faults)
    if faults:
        raise FlowError(file, faults.items)
    return flow


# -- keys and types -------------------------------------------------------------------------


def _check_keys(data: Any, allowed: dict[str, str], place: str, faults: _Faults, what: str) -> bool:
    if not isinstance(data, dict):
        faults.add(place or "top level", f"expected a mapping of {what} keys, got {_kind(data)}")
        return False
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        faults.add(
            place or "top level",
            f"unknown {what} key(s) {', '.join(unknown)}; allowed keys are {', '.join(allowed)}",
        )
    for key, need in allowed.items():
        if need == "required" and key not in data:
            faults.add(_join(place, key), f"missing required {what} key '{key}'")
    return not unknown


def _kind(value: Any) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def _text(data: dict, key: str, place: str, faults: _Faults, default: str = "") -> str:
    value = data.get(key, default)
    if value is None and default == "":
        return ""
    if not isinstance(value, str):
        faults.add(_join(place, key), f"expected text, got {_kind(value)}")
        return default
    return value


def _int(data: dict, key: str, place: str, faults: _Faults, default: int | None) -> int | None:
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        faults.add(_join(place, key), f"expected a whole number ≥ 0, got {value!r}")
        return default
    return value


def _bool(data: dict, key: str, place: str, faults: _Faults) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        faults.add(
            _join(place, key),
            f"expected true or false, got {value!r} (write true/false; yes/no/on/off are text)",
        )
        return False
    return value


def _build_flow(data: Any, faults: _Faults) -> Flow | None:
    if not _check_keys(data, FLOW_KEYS, "", faults, "flow"):
        return None
    flow_id = _text(data, "id", "", faults)
    if flow_id and not FLOW_ID_PATTERN.match(flow_id):
        faults.add("id", f"flow id {flow_id!r} must be lower-case letters, digits, '-' or '_'")
    review = data.get("review") or {}
    review_prompt = ""
    if _check_keys(review, REVIEW_KEYS, "review", faults, "review"):
        review_prompt = _text(review, "prompt", "review", faults)
    total_chars = None
    if "total_chars" in data and _check_keys(
        data["total_chars"], TOTAL_CHARS_KEYS, "total_chars", faults, "total_chars"
    ):
        low = _int(data["total_chars"], "min", "total_chars", faults, 0) or 0
        high = _int(data["total_chars"], "max", "total_chars", faults, 0) or 0
        if low > high:
            faults.add("total_chars.min", f"min {low} is greater than max {high}")
        total_chars = (low, high)
    sections_data = data.get("sections")
    sections: list[Section] = []
    if not isinstance(sections_data, list) or not sections_data:
        faults.add("sections", f"expected a non-empty list of sections, got {_kind(sections_data)}")
    else:
        for i, sdata in enumerate(sections_data):
            section = _build_section(sdata, f"sections[{i}]", faults)
            if section:
                sections.append(section)
    if faults:
        return None
    return Flow(
        id=flow_id,
        title=_text(data, "title", "", faults),
        version=_int(data, "version", "", faults, 1) or 1,
        meeting=_text(data, "meeting", "", faults),
        year=_int(data, "year", "", faults, 0) or 0,
        template=_text(data, "template", "", faults),
        sections=tuple(sections),
        description=_text(data, "description", "", faults),
        intro=_text(data, "intro", "", faults),
        review_prompt=review_prompt,
        total_chars=total_chars,
        source=faults.file,
    )


def _build_section(data: Any, place: str, faults: _Faults) -> Section | None:
    if not _check_keys(data, SECTION_KEYS, place, faults, "section"):
        return None
    questions_data = data.get("questions")
    questions: list[Question] = []
    if not isinstance(questions_data, list) or not questions_data:
        faults.add(
            _join(place, "questions"),
            f"expected a non-empty list of questions, got {_kind(questions_data)}",
        )
    else:
        for i, qdata in enumerate(questions_data):
            question = _build_question(
                qdata, _question_place(place, qdata, i), faults, nested=False
            )
            if question:
                questions.append(question)
    section_id = _text(data, "id", place, faults)
    if section_id and not ID_PATTERN.match(section_id):
        faults.add(_join(place, "id"), f"id {section_id!r} must be letters, digits and '_'")
    title_from = data.get("title_from")
    if title_from is not None and not any(
        q.id == title_from and q.kind == "text" for q in questions
    ):
        faults.add(
            _join(place, "title_from"),
            f"title_from {title_from!r} must name a text question of this section",
        )
    return Section(
        id=section_id,
        title=_text(data, "title", place, faults),
        intro=_text(data, "intro", place, faults),
        questions=tuple(questions),
        guide=_text(data, "guide", place, faults),
        target_chars=_int(data, "target_chars", place, faults, None),
        title_from=title_from,
    )


def _question_place(parent: str, data: Any, index: int) -> str:
    qid = data.get("id") if isinstance(data, dict) else None
    if isinstance(qid, str) and ID_PATTERN.match(qid):
        return f"{parent}.questions.{qid}"
    return f"{parent}.questions[{index}]"


def _build_question(data: Any, place: str, faults: _Faults, nested: bool) -> Question | None:
    if not _check_keys(data, QUESTION_KEYS, place, faults, "question"):
        return None
    qid = _text(data, "id", place, faults)
    if qid and not ID_PATTERN.match(qid):
        faults.add(
            _join(place, "id"),
            f"id {qid!r} must start with a letter or '_' and hold only letters, digits and '_'",
        )
    kind = data.get("kind")
    if kind not in KINDS:
        faults.add(
            _join(place, "kind"), f"unknown kind {kind!r}; allowed kinds are {', '.join(KINDS)}"
        )
        return None
    for key, need in QUESTION_KEYS.items():
        if need not in ("required", "optional") and key in data and kind not in need:
            faults.add(_join(place, key), f"'{key}' applies only to kind {need}, not {kind}")
    if kind == "repeat" and nested:
        faults.add(_join(place, "kind"), "a repeat cannot hold another repeat")
        return None

    min_chars = _int(data, "min_chars", place, faults, None)
    max_chars = _int(data, "max_chars", place, faults, None)
    if min_chars is not None and max_chars is not None and min_chars > max_chars:
        faults.add(
            _join(place, "min_chars"),
            f"min_chars {min_chars} is greater than max_chars {max_chars}",
        )
    when = data.get("when")
    if when is not None and (not isinstance(when, str) or not when.strip()):
        faults.add(_join(place, "when"), f"expected a condition as text, got {_kind(when)}")
        when = None

    options: list[Option] = []
    if kind in ("choice", "multi"):
        options = _build_options(data.get("options"), _join(place, "options"), faults)

    min_items = max_items = 0
    subs: list[Question] = []
    if kind == "repeat":
        min_items = _int(data, "min", place, faults, 1) or 0
        max_items = _int(data, "max", place, faults, 10) or 0
        if min_items > max_items:
            faults.add(_join(place, "min"), f"min {min_items} is greater than max {max_items}")
        if max_items > MAX_REPEAT or max_items == 0:
            faults.add(
                _join(place, "max"), f"max must be between 1 and {MAX_REPEAT}, got {max_items}"
            )
        subs_data = data.get("questions")
        if not isinstance(subs_data, list) or not subs_data:
            faults.add(
                _join(place, "questions"),
                f"a repeat needs a non-empty list of questions, got {_kind(subs_data)}",
            )
        else:
            for i, sdata in enumerate(subs_data):
                sub = _build_question(sdata, _question_place(place, sdata, i), faults, nested=True)
                if sub:
                    subs.append(sub)

    role = _text(data, "role", place, faults)
    if role and (role not in ROLES or nested):
        where = (
            "a sub-question cannot have a role"
            if nested
            else f"allowed roles are {', '.join(ROLES)}"
        )
        faults.add(_join(place, "role"), f"role {role!r} is not allowed: {where}")
    elif role in ITEM_ROLES and kind != "repeat":
        faults.add(_join(place, "role"), f"role {role!r} needs kind repeat, not {kind}")
    samples = _samples(data.get("samples"), max_chars, _join(place, "samples"), faults)

    default = data.get("default")
    if default is not None:
        _check_default(kind, default, options, _join(place, "default"), faults)

    return Question(
        id=qid,
        kind=kind,
        prompt=_text(data, "prompt", place, faults),
        label=_text(data, "label", place, faults),
        hint=_text(data, "hint", place, faults),
        optional=_bool(data, "optional", place, faults),
        min_chars=min_chars,
        max_chars=max_chars,
        default=default,
        when=when,
        options=tuple(options),
        min=min_items,
        max=max_items,
        item_name=_text(data, "item_name", place, faults, "条"),
        more_prompt=_text(data, "more_prompt", place, faults),
        questions=tuple(subs),
        samples=samples,
        target_chars=_int(data, "target_chars", place, faults, None),
        role=role,
        free_text=_bool(data, "free_text", place, faults),
    )


def _samples(data: Any, max_chars: int | None, place: str, faults: _Faults) -> tuple[str, ...]:
    """Sample phrasings: non-empty texts that fit the question's own limit."""
    if data is None:
        return ()
    if not isinstance(data, list) or not all(isinstance(x, str) and x.strip() for x in data):
        faults.add(place, "expected a list of non-empty texts")
        return ()
    for i, sample in enumerate(data):
        if max_chars is not None and zishu(sample) > max_chars:
            faults.add(
                f"{place}[{i}]", f"sample has {zishu(sample)} 字, over max_chars {max_chars}"
            )
    return tuple(data)


def _check_default(
    kind: str, default: Any, options: list[Option], place: str, faults: _Faults
) -> None:
    ids = {o.id for o in options}
    if kind in ("text", "long_text") and not isinstance(default, str):
        faults.add(place, f"a {kind} default must be text, got {_kind(default)}")
    elif kind == "yesno" and not isinstance(default, bool):
        faults.add(place, f"a yesno default must be true or false, got {default!r}")
    elif kind == "choice" and default not in ids:
        faults.add(place, f"default {default!r} is not one of the option ids {sorted(ids)}")
    elif kind == "multi" and (not isinstance(default, list) or not set(default) <= ids):
        faults.add(place, f"a multi default must be a list of option ids from {sorted(ids)}")
    elif kind == "repeat":
        faults.add(place, "a repeat cannot have a default")


def _build_options(data: Any, place: str, faults: _Faults) -> list[Option]:
    if not isinstance(data, list) or not data:
        faults.add(place, f"expected a non-empty list of options, got {_kind(data)}")
        return []
    options: list[Option] = []
    for i, item in enumerate(data):
        here = f"{place}[{i}]"
        if isinstance(item, str):
            options.append(Option(item, item))
        elif isinstance(item, dict) and _check_keys(item, OPTION_KEYS, here, faults, "option"):
            oid, label = item.get("id"), item.get("label")
            if not isinstance(oid, str) or not isinstance(label, str):
                faults.add(here, "option id and label must both be text")
            else:
                options.append(Option(oid, label))
        elif not isinstance(item, dict):
            faults.add(here, f"expected an option as text or {{id, label}}, got {_kind(item)}")
    seen: set[str] = set()
    for i, option in enumerate(options):
        if option.id in seen:
            faults.add(f"{place}[{i}]", f"duplicate option id {option.id!r}")
        if not option.id or callbacks.SEP in option.id:
            faults.add(
                f"{place}[{i}]", f"option id {option.id!r} must be non-empty and hold no '|'"
            )
        seen.add(option.id)
    return options


# -- references -----------------------------------------------------------------------------


def _check_references(flow: Flow, faults: _Faults) -> None:
    seen_sections: set[str] = set()
    seen: set[str] = set()
    for si, section in enumerate(flow.sections):
        if section.id in seen_sections:
            faults.add(f"sections[{si}].id", f"duplicate section id {section.id!r}")
        seen_sections.add(section.id)
        for question in section.questions:
            place = f"sections[{si}].questions.{question.id}"
            if question.id in seen:
                faults.add(_join(place, "id"), f"duplicate question id {question.id!r}")
            _check_when(question, place, seen, faults, in_repeat=False)
            seen.add(question.id)
            sub_seen: set[str] = set()
            for sub in question.questions:
                sub_place = f"{place}.questions.{sub.id}"
                if sub.id in sub_seen:
                    faults.add(
                        _join(sub_place, "id"), f"duplicate question id {sub.id!r} in this repeat"
                    )
                _check_when(sub, sub_place, seen - {question.id}, faults, in_repeat=True)
                sub_seen.add(sub.id)


def _check_when(
    question: Question, place: str, earlier: set[str], faults: _Faults, in_repeat: bool
) -> None:
    if not question.when:
        return
    try:
        compile_condition(question.when)
        names = names_in(question.when)
    except ConditionNotAllowed as exc:
        faults.add(_join(place, "when"), f"condition {question.when!r} is refused: {exc}")
        return
    except ConditionSyntaxError as exc:
        faults.add(_join(place, "when"), f"condition {question.when!r} does not parse: {exc}")
        return
    allowed = set(earlier) | ({"item"} if in_repeat else set())
    for name in sorted(names - allowed):
        faults.add(
            _join(place, "when"),
            f"condition {question.when!r} names {name!r}, "
            "which is not a question asked before this one",
        )


# -- limits ---------------------------------------------------------------------------------


def step_key(question_id: str, item: int | None = None, sub: str | None = None) -> str:
    """The stable name of one step: `q`, `q[2].detail`, or `q[+]` for a repeat's add-or-finish."""
    if item is None:
        return question_id
    return f"{question_id}[{item}].{sub}" if sub else f"{question_id}[+]"


def _check_limits(flow: Flow, faults: _Faults, template_exists: Callable[[str], bool]) -> None:
    if not template_exists(flow.template):
        faults.add("template", f"template {flow.template!r} does not exist in the templates folder")
    for si, section in enumerate(flow.sections):
        for question in section.questions:
            place = f"sections[{si}].questions.{question.id}"
            keys = [(step_key(question.id), question, place)]
            if question.kind == "repeat":
                keys = [
                    (
                        step_key(question.id, question.max - 1, sub.id),
                        sub,
                        f"{place}.questions.{sub.id}",
                    )
                    for sub in question.questions
                ]
            for key, q, qplace in keys:
                values = [o.id for o in q.options] or [""]
                for value in values:
                    size = callbacks.worst_case_bytes(key, value)
                    if size > callbacks.MAX_BYTES:
                        where = f"{qplace}.options" if q.options else _join(qplace, "id")
                        faults.add(
                            where,
                            f"button data for step {key!r} and value {value!r} needs {size} bytes, "
                            f"over Telegram's {callbacks.MAX_BYTES}: shorten the id",
                        )
                        break


# -- reachability ---------------------------------------------------------------------------


def _values_of(question: Question) -> list[Any] | None:
    """Every value a question can hold, or None when it cannot be enumerated."""
    if question.kind == "yesno":
        return [None, True, False]
    if question.kind == "choice":
        return [None, *(o.id for o in question.options)]
    if question.kind == "multi" and len(question.options) <= 6:
        ids = [o.id for o in question.options]
        return [None] + [
            list(c) for n in range(1, len(ids) + 1) for c in itertools.combinations(ids, n)
        ]
    return None


def _check_reachable(flow: Flow, faults: _Faults) -> None:
    """A question whose condition no combination of earlier answers can satisfy is unreachable."""
    reachable: set[str] = set()
    for si, section in enumerate(flow.sections):
        for question in section.questions:
            place = f"sections[{si}].questions.{question.id}"
            if _can_hold(question, flow, reachable):
                reachable.add(question.id)
            else:
                faults.add(
                    _join(place, "when"),
                    f"unreachable: no answers to earlier questions make {question.when!r} true",
                )
            for sub in question.questions:
                if not _can_hold(sub, flow, reachable):
                    faults.add(
                        f"{place}.questions.{sub.id}.when",
                        f"unreachable: no answers to earlier questions make {sub.when!r} true",
                    )


def _can_hold(question: Question, flow: Flow, reachable: set[str]) -> bool:
    if not question.when:
        return True
    if "item" in names_in(question.when):
        return True  # item fields are mostly free text: assume the author knows
    names = sorted(names_in(question.when))
    choices: list[list[Any]] = []
    for name in names:
        values = _values_of(flow.question(name)) if name in reachable else [None]
        if values is None:
            return True  # free text can hold anything: assume the author knows
        choices.append(values)
    total = 1
    for values in choices:
        total *= len(values)
    if total > MAX_COMBINATIONS:
        return True
    return any(
        holds(question.when, dict(zip(names, combo, strict=True)))
        for combo in itertools.product(*choices)
    )
