"""The interview as a pure function: (flow, state, input) → (new state, what to say next).

No I/O happens here. The state is plain data (answers keyed by question id, a cursor naming
the current step, unfinished drafts), so an adapter can store it, and resume it, as it is.
The steps come from `steps.walk`, what to show from `replies.show`; this module holds the
transitions.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

from bot.core import texts
from bot.core.commands import typed_number
from bot.core.conditions import holds
from bot.core.limits import char_cap
from bot.core.loader import step_key
from bot.core.model import Flow, Question
from bot.core.replies import Button, Reply, choice_buttons, review_of, show
from bot.core.state import ADD, DONE, FINISH, REVIEW, Input, State
from bot.core.steps import (
    MISSING,
    Step,
    context,
    first_gap,
    one_walk_each,
    prune,
    settle,
    steps_of,
    value_at,
    with_value,
)
from bot.core.wordcount import zishu

# A message with none of these is empty to a reader: blanks, controls, zero-width marks.
_ENDS_SENTENCE = set("。！？!?…；;”’）)」』】")
_CONTINUES = set("，,、：:（(“‘《「『【—-")
_CONTINUES_FROM_START = set("，,、。；;：:！!？?）)”’》」』】")
_VISIBLE = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# What an input can ask for besides answering.
COMMANDS = (
    "back",
    "skip",
    "done",
    "keep",
    "edit",
    "restart",
    "default",
    "cancel",
    "sample",
    "clear",
)


@one_walk_each
def start(flow: Flow) -> tuple[State, Reply]:
    """A fresh interview and its first question."""
    state = settle(flow, State(answers={}, cursor=""))
    reply = show(flow, state, notice=flow.intro)
    return state, replace(reply, entered_section=True)


@one_walk_each
def adopt(flow: Flow, answers: dict[str, Any]) -> State:
    """A state for answers that came from elsewhere (an imported file): first gap, or review."""
    return settle(flow, State(answers=dict(answers), cursor=REVIEW))


@one_walk_each
def bring_in(
    flow: Flow, state: State, answers: dict[str, Any], context: dict[str, Any]
) -> tuple[State, Reply]:
    """Add answers and context that came from elsewhere (last year's report) to an interview;
    answers the flow does not know are dropped, the cursor stays where it was if it can."""
    known = {k: v for k, v in answers.items() if flow.has_question(k)}
    new = settle(
        flow,
        replace(
            state,
            answers={**state.answers, **known},
            context={**state.context, **context},
        ),
    )
    return new, show(flow, new, notice=texts.BROUGHT_IN)


@one_walk_each
def resume(flow: Flow, state: State) -> tuple[State, Reply]:
    """Re-show where the user was; a cursor the flow no longer has moves to the first gap."""
    settled = settle(flow, state)
    notice = texts.RELOCATED if settled.cursor != state.cursor else ""
    return settled, show(flow, settled, notice=notice)


@one_walk_each
def step(flow: Flow, state: State, inp: Input) -> tuple[State, Reply]:
    """Apply one input; an invalid one returns the state unchanged with the reason."""
    state = settle(flow, state)
    if inp.kind == "edit":
        return _edit(flow, state, inp.value)
    if inp.kind == "cancel":
        return _cancel(flow, state)
    if state.cursor in (REVIEW, DONE):
        return _at_review(flow, state, inp)
    steps = steps_of(flow, state.answers)
    index = next(i for i, s in enumerate(steps) if s.key == state.cursor)
    current = steps[index]
    handler = {
        "back": _back,
        "skip": _skip,
        "keep": _keep,
        "default": _default,
        "restart": _restart,
        "done": _done,
        "text": _text,
        "choose": _choose,
        "sample": _sample,
        "clear": _clear,
    }.get(inp.kind)
    if handler is None:
        return state, show(flow, state, error=texts.ERR_NOT_HERE)
    return handler(flow, state, steps, index, current, inp.value)


def _refuse(flow: Flow, state: State, error: str) -> tuple[State, Reply]:
    return state, show(flow, state, error=error)


def _move(flow: Flow, state: State, cursor: str, notice: str) -> tuple[State, Reply]:
    old_section = _section_of(flow, state, state.cursor)
    new = settle(flow, replace(state, cursor=cursor, answers=prune(state.answers, cursor)))
    reply = show(flow, new, notice=notice)
    entered = new.cursor not in (REVIEW, DONE) and _section_of(flow, new, new.cursor) != old_section
    return new, replace(reply, entered_section=entered)


def _section_of(flow: Flow, state: State, cursor: str) -> int | None:
    return next((s.section for s in steps_of(flow, state.answers) if s.key == cursor), None)


def _answer(flow: Flow, state: State, step_: Step, value: Any, notice: str) -> tuple[State, Reply]:
    before = [s.key for s in steps_of(flow, state.answers)]
    answers = with_value(state.answers, step_, value)
    drafts = {k: v for k, v in state.drafts.items() if k != step_.key}
    state = replace(state, answers=answers, drafts=drafts)
    return _advance(flow, state, step_.key, notice, before)


def _advance(
    flow: Flow, state: State, from_key: str, notice: str, before: list[str] | None = None
) -> tuple[State, Reply]:
    """Go on from `from_key`; if the answer made that step vanish (a condition on itself),
    go on from where it stood in the walk `before` the answer."""
    steps = steps_of(flow, state.answers)
    if state.return_to:
        target = state.return_to
        state = replace(state, return_to=None)
        if target == DONE:
            target = REVIEW
        if target != REVIEW and target not in {s.key for s in steps}:
            target = first_gap(flow, state.answers)
        return _move(flow, state, target, notice)
    keys = [s.key for s in steps]
    if from_key in keys:
        index = keys.index(from_key)
        target = keys[index + 1] if index + 1 < len(keys) else REVIEW
    else:
        before = before or []
        later = before[before.index(from_key) + 1 :] if from_key in before else []
        target = next((k for k in later if k in keys), REVIEW)
    return _move(flow, state, target, notice)


def _back(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    if index == 0:
        return _refuse(flow, state, texts.ERR_FIRST)
    return _move(flow, state, steps[index - 1].key, texts.MOVED_BACK)


def _skip(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    if current.more:
        return _advance(flow, state, current.key, "")
    if not current.asked.optional:
        return _refuse(flow, state, texts.ERR_REQUIRED)
    return _answer(flow, state, current, None, "")


def _keep(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    if value_at(state.answers, current) is MISSING:
        return _refuse(flow, state, texts.ERR_NOT_ANSWERED)
    drafts = {k: v for k, v in state.drafts.items() if k != current.key}
    return _advance(flow, replace(state, drafts=drafts), current.key, texts.KEPT)


def _default(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    q = current.asked
    if q.default is None or current.more:
        return _refuse(flow, state, texts.ERR_NO_DEFAULT)
    return _answer(flow, state, current, q.default, texts.SAVED)


def _restart(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    section = flow.sections[current.section]
    ids = {q.id for q in section.questions}
    answers = {k: v for k, v in state.answers.items() if k not in ids}
    drafts = {k: v for k, v in state.drafts.items() if k.split("[", 1)[0] not in ids}
    state = replace(state, answers=answers, drafts=drafts, return_to=None)
    first = next(s.key for s in steps_of(flow, answers) if s.section == current.section)
    return _move(flow, state, first, texts.SECTION_RESTARTED)


def _done(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    q = current.asked
    if current.more:
        return _advance(flow, state, current.key, "")
    draft = state.drafts.get(current.key, [])
    if q.kind == "long_text":
        if not draft:
            if value_at(state.answers, current) is not MISSING:
                return _keep(flow, state, steps, index, current, "")
            return _refuse(flow, state, texts.ERR_NO_DRAFT)
        text = _join_pieces(draft)
        error = _length_error(q, text, final=True)
        if error:
            return _refuse(flow, state, error)
        return _answer(flow, state, current, text, texts.SAVED)
    if q.kind == "multi":
        if not draft and not q.optional:
            return _refuse(flow, state, texts.ERR_NOTHING_PICKED)
        ordered = [o.id for o in q.options if o.id in draft]
        return _answer(flow, state, current, ordered if ordered else None, texts.SAVED)
    return _refuse(flow, state, texts.ERR_NOT_HERE)


def _sample(flow, state, steps, index, current, value: str) -> tuple[State, Reply]:
    """Put a sample phrasing into the draft, for the user to extend or rewrite."""
    samples = current.asked.samples
    if current.more or current.asked.kind != "long_text" or not samples:
        return _refuse(flow, state, texts.ERR_NOT_HERE)
    number = typed_number(value)
    if number is None or not 1 <= number <= len(samples):
        return _refuse(flow, state, texts.ERR_NO_SAMPLE.format(n=len(samples)))
    draft = [*state.drafts.get(current.key, []), samples[number - 1]]
    error = _length_error(current.asked, _join_pieces(draft), final=False)
    if error:
        return _refuse(flow, state, error)
    state = replace(state, drafts={**state.drafts, current.key: draft})
    return state, show(
        flow, state, notice=texts.SAMPLE_TAKEN.format(chars=zishu(_join_pieces(draft)))
    )


def _clear(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    if not state.drafts.get(current.key):
        return _refuse(flow, state, texts.ERR_NOTHING_TO_CLEAR)
    drafts = {k: v for k, v in state.drafts.items() if k != current.key}
    return replace(state, drafts=drafts), show(
        flow, replace(state, drafts=drafts), notice=texts.CLEARED
    )


def _join_pieces(pieces: list[str]) -> str:
    """Several messages of one answer become one text. A message that ends a sentence ends
    its paragraph; one that stops mid-sentence is continued by the next message, so the
    report does not get a "。" where the user only paused."""
    text = ""
    for piece in (p.strip() for p in pieces if p.strip()):
        if not text:
            text = piece
        elif text[-1] in _ENDS_SENTENCE:
            text += "\n" + piece
        elif text[-1] in _CONTINUES or piece[0] in _CONTINUES_FROM_START:
            text += piece
        else:  # no mark at all: the next message goes on after a pause
            text += "，" + piece
    return text


def _length_error(q: Question, text: str, final: bool) -> str:
    chars = zishu(text)
    if q.max_chars is not None and chars > q.max_chars:
        return texts.ERR_TOO_LONG.format(chars=chars, max=q.max_chars)
    if len(text) > char_cap(q):
        return texts.ERR_TOO_MANY_CHARS.format(chars=len(text), max=char_cap(q))
    if final and q.min_chars is not None and chars < q.min_chars:
        return texts.ERR_TOO_SHORT.format(chars=chars, min=q.min_chars)
    return ""


def _text(flow, state, steps, index, current, value: str) -> tuple[State, Reply]:
    q = current.asked
    text = value.strip()
    if current.more or q.kind in ("choice", "yesno", "multi"):
        return _typed_choice(flow, state, steps, index, current, text)
    if not _VISIBLE.search(text):
        return _refuse(flow, state, texts.ERR_EMPTY)
    if q.kind == "long_text":
        draft = [*state.drafts.get(current.key, []), text]
        error = _length_error(q, _join_pieces(draft), final=False)
        if error:
            return _refuse(flow, state, error)
        state = replace(state, drafts={**state.drafts, current.key: draft})
        chars = zishu(_join_pieces(draft))
        notice = texts.DRAFT.format(chars=chars)
        if q.target_chars and chars < q.target_chars:
            notice += texts.BELOW_TARGET.format(target=q.target_chars)
        return state, show(flow, state, notice=notice)
    error = _length_error(q, text, final=True)
    if error:
        return _refuse(flow, state, error)
    return _answer(flow, state, current, text, texts.SAVED)


def _typed_choice(flow, state, steps, index, current, text: str) -> tuple[State, Reply]:
    """Typed answers to a choice: an option's number or its label (several for multi)."""
    options = choice_buttons(current, state.answers)
    if not _VISIBLE.search(text):
        return _refuse(flow, state, texts.ERR_PICK_EMPTY)
    if current.asked.kind == "multi" and not current.more:
        parts = [p for p in re.split(r"[\s,，、;；]+", text) if p]
        chosen = [_match(options, p) for p in parts]
        if not parts or None in chosen:
            return _refuse(flow, state, texts.ERR_NOT_OPTION.format(text=text))
        ordered = [o.id for o in current.asked.options if o.id in chosen]
        return _answer(flow, state, current, ordered, texts.SAVED)
    option = _match(options, text)
    if option is None:
        return _refuse(flow, state, texts.ERR_NOT_OPTION.format(text=text))
    return _choose(flow, state, steps, index, current, option)


def _match(options: tuple[Button, ...], text: str) -> str | None:
    text = text.strip().rstrip("。.")
    number = typed_number(text)
    if number is not None and 1 <= number <= len(options):
        return options[number - 1].value
    return next((o.value for o in options if text in (o.label, o.value)), None)


def _choose(flow, state, steps, index, current, value: str) -> tuple[State, Reply]:
    q = current.asked
    if current.more:
        if value == ADD:
            n = len(state.answers.get(q.id) or [])
            answers = {**state.answers, q.id: [*copy.deepcopy(state.answers.get(q.id) or []), {}]}
            ictx = {**context(flow, answers), "item": {}}
            first = next((s for s in q.questions if holds(s.when, ictx)), None)
            if first is None:
                return _refuse(flow, state, texts.ERR_NOT_HERE)
            return _move(flow, replace(state, answers=answers), step_key(q.id, n, first.id), "")
        if value == FINISH:
            return _advance(flow, state, current.key, "")
        return _refuse(flow, state, texts.ERR_NOT_OPTION.format(text=value))
    if q.kind == "yesno" and value in ("yes", "no"):
        return _answer(flow, state, current, value == "yes", texts.SAVED)
    if q.kind == "choice" and q.option(value):
        return _answer(flow, state, current, value, texts.SAVED)
    if q.kind == "multi" and q.option(value):
        picked = list(state.drafts.get(current.key, []))
        picked = [p for p in picked if p != value] if value in picked else [*picked, value]
        state = replace(state, drafts={**state.drafts, current.key: picked})
        labels = "、".join(q.option(p).label for p in picked) or "无"
        return state, show(flow, state, notice=texts.PICKED.format(labels=labels))
    return _refuse(flow, state, texts.ERR_NOT_OPTION.format(text=value))


def _edit(flow: Flow, state: State, key: str) -> tuple[State, Reply]:
    target = next((s for s in steps_of(flow, state.answers) if s.key == key), None)
    # From the review any step may be opened; mid-interview only answered ones (and a
    # repeat's add-or-finish step, to add an item to an earlier part).
    open_any = state.cursor in (REVIEW, DONE)
    if target is None or not (
        open_any or target.more or value_at(state.answers, target) is not MISSING
    ):
        return _refuse(flow, state, texts.ERR_CANNOT_EDIT)
    if key == state.cursor:
        return state, show(flow, state)
    return_to = state.return_to or state.cursor
    return _move(flow, replace(state, return_to=return_to), key, texts.EDITING)


def _cancel(flow: Flow, state: State) -> tuple[State, Reply]:
    """Leave an edit unchanged and go back to where the user was."""
    if not state.return_to:
        return _refuse(flow, state, texts.ERR_NOTHING_TO_CANCEL)
    return _move(flow, replace(state, return_to=None), state.return_to, texts.CANCELLED)


def _at_review(flow: Flow, state: State, inp: Input) -> tuple[State, Reply]:
    if inp.kind == "back":
        steps = steps_of(flow, state.answers)
        return _move(flow, replace(state, return_to=None), steps[-1].key, texts.MOVED_BACK)
    if inp.kind in ("done", "choose") and inp.value in ("", FINISH):
        done = replace(state, cursor=DONE)
        return done, show(flow, done, notice=texts.FINISHED)
    if inp.kind == "text" and _match(review_of(flow, state).options[:1], inp.value) == FINISH:
        done = replace(state, cursor=DONE)
        return done, show(flow, done, notice=texts.FINISHED)
    error = texts.ERR_FINISHED if state.finished else texts.ERR_AT_REVIEW
    return _refuse(flow, state, error)
