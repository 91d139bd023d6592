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

from bot.core import slots, texts
from bot.core.commands import typed_number
from bot.core.conditions import holds
from bot.core.donewords import means_done, without_done
from bot.core.limits import char_cap
from bot.core.loader import step_key
from bot.core.model import Flow, Question
from bot.core.points import is_one_liner, split_parts, split_points
from bot.core.replies import FINDING_ORDER, Button, Reply, choice_buttons, review_of, show
from bot.core.state import ADD, DONE, FILL_PREFIX, FINISH, REVIEW, Input, State
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
    "append",
    "unsplit",
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
    new = _remember_findings(flow, new)
    return new, show(flow, new, notice=texts.BROUGHT_IN)


@one_walk_each
def resume(flow: Flow, state: State) -> tuple[State, Reply]:
    """Re-show where the user was; a cursor the flow no longer has moves to the first gap."""
    settled = _remember_findings(flow, settle(flow, state))
    notice = texts.RELOCATED if settled.cursor != state.cursor else ""
    return settled, show(flow, settled, notice=notice)


@one_walk_each
def step(flow: Flow, state: State, inp: Input) -> tuple[State, Reply]:
    """Apply one input; an invalid one returns the state unchanged with the reason."""
    new, reply = _step(flow, state, inp)
    return _remember_findings(flow, new), reply


def _step(flow: Flow, state: State, inp: Input) -> tuple[State, Reply]:
    state = settle(flow, state)
    if inp.kind == "edit":
        return _edit(flow, state, inp.value)
    if inp.kind == "append":
        return _append(flow, state, inp.value)
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
        "unsplit": _unsplit,
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


def _remember_findings(flow: Flow, state: State) -> State:
    """Keep the numbers the review shows its findings with (see replies.finding_numbers)."""
    if state.cursor not in (REVIEW, DONE):
        return state
    review = review_of(flow, state)
    order = list(state.context.get(FINDING_ORDER, ()))
    for number, finding in sorted(zip(review.numbers, review.findings, strict=True)):
        if number > len(order):
            order.append(finding.id)
    if order == state.context.get(FINDING_ORDER, []):
        return state
    return replace(state, context={**state.context, FINDING_ORDER: order})


def _section_of(flow: Flow, state: State, cursor: str) -> int | None:
    return next((s.section for s in steps_of(flow, state.answers) if s.key == cursor), None)


def _answer(flow: Flow, state: State, step_: Step, value: Any, notice: str) -> tuple[State, Reply]:
    before = [s.key for s in steps_of(flow, state.answers)]
    answers = with_value(state.answers, step_, value)
    forget = (step_.key, SPLIT_KEY, FILL_PREFIX + step_.key)
    drafts = {k: v for k, v in state.drafts.items() if k not in forget}
    state = replace(state, answers=answers, drafts=drafts)
    return _advance(flow, state, step_.key, notice, before)


def _advance(
    flow: Flow, state: State, from_key: str, notice: str, before: list[str] | None = None
) -> tuple[State, Reply]:
    """Go on from `from_key`; if the answer made that step vanish (a condition on itself),
    go on from where it stood in the walk `before` the answer."""
    steps = steps_of(flow, state.answers)
    if state.return_to:
        # An item opened from elsewhere (a new one, or one with questions left) is finished
        # first; then straight back to where the user was, past every answer in between.
        rest = _unanswered_in_item(state.answers, steps, from_key)
        if rest:
            return _move(flow, state, rest, notice)
        target = state.return_to
        state = replace(state, return_to=None)
        keys = {s.key for s in steps}
        if target == DONE:
            target = REVIEW
        if target != REVIEW and target not in keys:
            # The unanswered item the user stood in was dropped: its add-or-finish step.
            more = step_key(target.split("[", 1)[0], 0)
            more = more if more in keys else ""
            target = more or first_gap(flow, state.answers)
        return _move(flow, state, target, notice)
    keys = [s.key for s in steps]
    if from_key in keys:
        index = keys.index(from_key)
        index = _past_answered_in_item(state, steps, index)
        target = keys[index + 1] if index + 1 < len(keys) else REVIEW
    else:
        before = before or []
        later = before[before.index(from_key) + 1 :] if from_key in before else []
        target = next((k for k in later if k in keys), REVIEW)
    return _move(flow, state, target, notice)


def _unanswered_in_item(answers: dict[str, Any], steps: list[Step], from_key: str) -> str:
    """The next question of the repeat item `from_key` belongs to that has no answer yet."""
    here = next((i for i, s in enumerate(steps) if s.key == from_key), None)
    if here is None or steps[here].item is None:
        return ""
    mine = steps[here]
    for s in steps[here + 1 :]:
        if s.question is not mine.question or s.item != mine.item or s.more:
            return ""
        if value_at(answers, s) is MISSING:
            return s.key
    return ""


def _past_answered_in_item(state: State, steps: list[Step], index: int) -> int:
    """Within one repeat item, questions already answered (by a message split into its parts)
    are not asked again: the index of the last of them after `index`."""
    here = steps[index]
    while index + 1 < len(steps):
        nxt = steps[index + 1]
        same = here.item is not None and (nxt.question, nxt.item) == (here.question, here.item)
        if not same or nxt.more or value_at(state.answers, nxt) is MISSING:
            break
        index += 1
    return index


def _back(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    if index == 0:
        return _refuse(flow, state, texts.ERR_FIRST)
    # The answer given back there returns here, not through every answer in between.
    return_to = state.return_to or current.key
    return _move(flow, replace(state, return_to=return_to), steps[index - 1].key, texts.MOVED_BACK)


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
    drafts = {
        k: v
        for k, v in state.drafts.items()
        if k.removeprefix(FILL_PREFIX).split("[", 1)[0] not in ids
    }
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
    if q.kind == "text":  # /done at a one-line question: as the word 完成 would be
        return _done_word(flow, state, steps, index, current)
    if q.kind == "multi":
        if not draft and not q.optional:
            return _refuse(flow, state, texts.ERR_NOTHING_PICKED)
        ordered = [o.id for o in q.options if o.id in draft]
        return _answer(flow, state, current, ordered if ordered else None, texts.SAVED)
    return _refuse(flow, state, texts.ERR_NOT_HERE)


def _sample(flow, state, steps, index, current, value: str) -> tuple[State, Reply]:
    """Use a sample phrasing: one without ×× is the answer at once (then 补充 or edit);
    one with ×× asks for each ×× in turn (see `_fill_slot`)."""
    samples = current.asked.samples
    if current.more or current.asked.kind != "long_text" or not samples:
        return _refuse(flow, state, texts.ERR_NOT_HERE)
    number = typed_number(value)
    if number is None or not 1 <= number <= len(samples):
        return _refuse(flow, state, texts.ERR_NO_SAMPLE.format(n=len(samples)))
    sample = samples[number - 1]
    if slots.count(sample):
        drafts = {**state.drafts, FILL_PREFIX + current.key: [sample]}
        state = replace(state, drafts=drafts)
        return state, show(flow, state)  # the prompt asks for the first ××
    return _sample_as_answer(flow, state, current, sample, texts.SAMPLE_TAKEN)


def _clear(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    mine = (current.key, FILL_PREFIX + current.key)
    if not any(state.drafts.get(k) for k in mine):
        return _refuse(flow, state, texts.ERR_NOTHING_TO_CLEAR)
    drafts = {k: v for k, v in state.drafts.items() if k not in mine}
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
    if q.kind == "multi" and not current.more and means_done(text):
        return _done(flow, state, steps, index, current, "")
    if current.more or q.kind in ("choice", "yesno", "multi"):
        return _typed_choice(flow, state, steps, index, current, text)
    if state.drafts.get(FILL_PREFIX + current.key):
        return _fill_slot(flow, state, current, text)
    if means_done(text):
        return _done_word(flow, state, steps, index, current)
    text = without_done(text)
    if not _VISIBLE.search(text):
        return _refuse(flow, state, texts.ERR_EMPTY)
    split = _split_entry(flow, state, current, text)
    if split is not None:
        return split
    if q.kind == "long_text":
        return _long_answer(flow, state, current, text)
    if len([line for line in text.splitlines() if line.strip()]) > 1:
        return _refuse(flow, state, texts.ERR_ONE_LINE)
    error = _length_error(q, text, final=True)
    if error:
        return _refuse(flow, state, error)
    return _answer(flow, state, current, text, texts.SAVED)


# -- one message, one answer ----------------------------------------------------------------


def _long_answer(flow: Flow, state: State, current: Step, text: str) -> tuple[State, Reply]:
    """A message answers a long question at once; it only waits for more while the answer is
    under the question's minimum (kept as a draft, so nothing the user sent is lost)."""
    q = current.asked
    draft = [*state.drafts.get(current.key, []), text]
    joined = _join_pieces(draft)
    error = _length_error(q, joined, final=False)
    if error:
        return _refuse(flow, state, error)
    chars = zishu(joined)
    if q.min_chars is not None and chars < q.min_chars:
        state = replace(state, drafts={**state.drafts, current.key: draft})
        return state, show(flow, state, notice=texts.DRAFT.format(chars=chars, min=q.min_chars))
    notice = texts.SAVED_CHARS.format(chars=chars)
    if q.target_chars and chars < q.target_chars:
        notice += texts.BELOW_TARGET.format(target=q.target_chars)
    new, reply = _answer(flow, state, current, joined, notice)
    return new, replace(reply, appendable=current.key)


def _done_word(flow, state, steps, index, current) -> tuple[State, Reply]:
    """完成, 好了, 、done…: finish the draft, keep the answer there is, never store the word."""
    value = value_at(state.answers, current)
    if state.drafts.get(current.key) and state.drafts[current.key] != [value]:
        return _done(flow, state, steps, index, current, "")
    if value is not MISSING:
        return _keep(flow, state, steps, index, current, "")
    return _refuse(flow, state, texts.ERR_NO_DRAFT)


def _append(flow: Flow, state: State, key: str) -> tuple[State, Reply]:
    """补充: reopen a saved long answer with its text as the draft; the next message is added
    to it and the user returns to where they were."""
    target = next((s for s in steps_of(flow, state.answers) if s.key == key), None)
    value = MISSING if target is None else value_at(state.answers, target)
    if target is None or target.asked.kind != "long_text" or not isinstance(value, str):
        return _refuse(flow, state, texts.ERR_CANNOT_APPEND)
    state = replace(state, drafts={**state.drafts, key: [value]})
    if key == state.cursor:
        return state, show(flow, state, notice=texts.APPENDING)
    return_to = state.return_to or state.cursor
    return _move(flow, replace(state, return_to=return_to), key, texts.APPENDING)


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
    if option is None and current.more and _VISIBLE.search(text):
        return _new_item_from_text(flow, state, current, text)
    if option is None and current.asked.free_text and not current.more:
        return _free_choice(flow, state, current, text)
    if option is None:
        return _refuse(flow, state, texts.ERR_NOT_OPTION.format(text=text))
    return _choose(flow, state, steps, index, current, option)


def _free_choice(flow: Flow, state: State, current: Step, text: str) -> tuple[State, Reply]:
    """A typed answer to a choice that takes the user's own words (a heading, a sentence)."""
    if not _VISIBLE.search(text):
        return _refuse(flow, state, texts.ERR_EMPTY)
    if text.rstrip("。.").isdigit():  # a number meant an option: one that is not there
        return _refuse(flow, state, texts.ERR_NOT_OPTION.format(text=text))
    error = _length_error(current.asked, text, final=True)
    if error:
        return _refuse(flow, state, error)
    return _answer(flow, state, current, text, texts.SAVED)


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
            return _add_item(flow, state, q, "")
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
    if target.more:
        # Opening a repeat's add-or-finish step from elsewhere means adding an item.
        return _add_item(flow, replace(state, return_to=return_to), target.question, texts.ADDING)
    return _move(flow, replace(state, return_to=return_to), key, texts.EDITING)


def _add_item(flow: Flow, state: State, q: Question, notice: str) -> tuple[State, Reply]:
    """A new, empty item of repeat `q`, opened at its first question."""
    n = len(state.answers.get(q.id) or [])
    answers = {**state.answers, q.id: [*copy.deepcopy(state.answers.get(q.id) or []), {}]}
    ictx = {**context(flow, answers), "item": {}}
    first = next((s for s in q.questions if holds(s.when, ictx)), None)
    if first is None:
        return _refuse(flow, state, texts.ERR_NOT_HERE)
    notice = notice.format(item=q.item_name) if notice else ""
    return _move(flow, replace(state, answers=answers), step_key(q.id, n, first.id), notice)


def _cancel(flow: Flow, state: State) -> tuple[State, Reply]:
    """Leave an edit unchanged and go back to where the user was."""
    if not state.return_to:
        return _refuse(flow, state, texts.ERR_NOTHING_TO_CANCEL)
    drafts = _without_untouched_append(flow, state)
    return _move(
        flow, replace(state, return_to=None, drafts=drafts), state.return_to, texts.CANCELLED
    )


def _without_untouched_append(flow: Flow, state: State) -> dict[str, list[str]]:
    """The drafts without a 补充 that was opened and left: its draft is only the old answer."""
    here = next((s for s in steps_of(flow, state.answers) if s.key == state.cursor), None)
    if here is None or state.drafts.get(here.key) != [value_at(state.answers, here)]:
        return state.drafts
    return {k: v for k, v in state.drafts.items() if k != here.key}


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


# -- a problem in one message -----------------------------------------------------------------

# The repeats whose items may come several at once, or as one message in the genre's order.
SPLIT_ROLES = ("problems", "causes", "measures")
# The last split, kept in the drafts so that 不拆分 can restore the message as one piece:
# [repeat id, first item, number of items, the message]. Any later answer forgets it.
SPLIT_KEY = "~split"


def _slots(q: Question) -> tuple[Question | None, Question | None, Question | None]:
    """The sub-questions that take a point's verdict, detail and case."""
    case = next((s for s in q.questions if s.id == "case"), None)
    detail = next((s for s in q.questions if s.kind == "long_text" and s is not case), None)
    first = q.questions[0] if q.questions else None
    verdict = first if first is not None and first.kind == "text" else None
    return verdict, detail, case


def _split_entry(flow: Flow, state: State, current: Step, text: str) -> tuple[State, Reply] | None:
    """A message at the first question of a new problem, cause or measure that holds several
    of them, or one written verdict-detail-case: saved as items; None for a plain answer."""
    q = current.question
    if q.role not in SPLIT_ROLES or current.item is None or current.sub is not q.questions[0]:
        return None
    items = state.answers.get(q.id) or []
    if current.item < len(items) and items[current.item]:
        return None  # an existing item being edited: the answer replaces this field only
    verdict, detail, _ = _slots(q)
    if detail is None:
        return None
    points = split_points(text)
    if len(points.items) < 2:
        too_long = verdict is not None and zishu(text) > (verdict.max_chars or 60)
        if verdict is None or (is_one_liner(text) and not too_long):
            return None
    return _save_points(flow, state, current, points.items, text, points.lead)


def _item_from(q: Question, point: str) -> tuple[dict[str, Any], dict[str, str]]:
    """One point as an item's answers; parts that do not fit their question become drafts."""
    verdict, detail, case = _slots(q)
    if verdict is None:
        values = {detail.id: point}
    else:
        parts = split_parts(point, verdict.max_chars or 60)
        body = parts.detail
        if parts.case and case is None:
            body = f"{body}比如，{parts.case}" if body else parts.case
        values = {verdict.id: parts.summary, detail.id: body}
        if case is not None:
            values[case.id] = parts.case
    item: dict[str, Any] = {}
    drafts: dict[str, str] = {}
    for sub_id, value in values.items():
        if not value:
            continue
        if _length_error(q.sub(sub_id), value, final=True):
            drafts[sub_id] = value
        else:
            item[sub_id] = value
    return item, drafts


def _save_points(
    flow: Flow, state: State, current: Step, points: tuple[str, ...], text: str, lead: str
) -> tuple[State, Reply]:
    q = current.question
    n = current.item
    made = [_item_from(q, p) for p in points] or [_item_from(q, text)]
    items = copy.deepcopy(list(state.answers.get(q.id) or []))
    items[n : n + 1] = [item for item, _ in made]
    if len(items) > q.max:
        return _refuse(flow, state, texts.ERR_TOO_MANY_POINTS.format(max=q.max, item=q.item_name))
    drafts = {k: v for k, v in state.drafts.items() if k != current.key}
    for i, (_, pending) in enumerate(made):
        drafts.update({step_key(q.id, n + i, sub): [v] for sub, v in pending.items()})
    drafts[SPLIT_KEY] = [q.id, str(n), str(len(made)), text]
    state = replace(state, answers={**state.answers, q.id: items}, drafts=drafts)
    notice = _split_notice(q, [item for item, _ in made], lead)
    new, reply = _after_items(flow, state, q, n, len(made), notice)
    return new, replace(reply, undo_split=True)


def _after_items(
    flow: Flow, state: State, q: Question, first: int, count: int, notice: str
) -> tuple[State, Reply]:
    """The first unanswered question of the items just made, else on from the last of them."""
    steps = steps_of(flow, state.answers)
    mine = [s for s in steps if s.question is q and s.item is not None and not s.more]
    made = [s for s in mine if first <= s.item < first + count]
    gap = next((s for s in made if value_at(state.answers, s) is MISSING), None)
    if gap is not None:
        return _move(flow, state, gap.key, notice)
    return _advance(flow, state, made[-1].key, notice)


def _split_notice(q: Question, items: list[dict[str, Any]], lead: str) -> str:
    verdict, detail, case = _slots(q)
    if len(items) == 1:
        shown = [s for s in (verdict, detail, case) if s is not None and items[0].get(s.id)]
        lines = [f"{s.short}：{items[0][s.id]}" for s in shown]
        return texts.SPLIT_ONE.format(lines="\n".join(lines))
    first = verdict or detail
    lines = [
        f"{i}. {_clip(str(item.get(first.id) or item.get(detail.id) or ''), 30)}"
        for i, item in enumerate(items, 1)
    ]
    notice = texts.SPLIT_MANY.format(n=len(items), item=q.item_name, lines="\n".join(lines))
    if lead:
        notice += texts.SPLIT_LEAD.format(lead=_clip(lead, 30))
    return notice


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unsplit(flow, state, steps, index, current, _value) -> tuple[State, Reply]:
    """不拆分: the last split message becomes one item again, kept whole in its detail."""
    record = state.drafts.get(SPLIT_KEY)
    if not record:
        return _refuse(flow, state, texts.ERR_NOTHING_TO_UNSPLIT)
    qid, first, count, text = record[0], int(record[1]), int(record[2]), record[3]
    q = flow.question(qid)
    _, detail, _ = _slots(q)
    items = copy.deepcopy(list(state.answers.get(qid) or []))
    keys = {step_key(qid, first + i, sub.id) for i in range(count) for sub in q.questions}
    drafts = {k: v for k, v in state.drafts.items() if k != SPLIT_KEY and k not in keys}
    whole: dict[str, Any] = {}
    if _length_error(detail, text, final=True):
        drafts[step_key(qid, first, detail.id)] = [text]
    else:
        whole[detail.id] = text
    items[first : first + count] = [whole]
    state = replace(state, answers={**state.answers, qid: items}, drafts=drafts)
    return _after_items(flow, state, q, first, 1, texts.UNSPLIT)


def _new_item_from_text(flow: Flow, state: State, current: Step, text: str) -> tuple[State, Reply]:
    """Text typed at "add another?": the start of the next item, as if 再加一个 was pressed."""
    added, reply = _choose(flow, state, [], 0, current, ADD)
    if reply.error:
        return added, reply
    new, reply = step(flow, added, Input.text(text))
    if reply.error:
        return _refuse(flow, state, reply.error)
    return new, reply


# -- samples adapted, not copied ----------------------------------------------------------------


def _fill_slot(flow: Flow, state: State, current: Step, text: str) -> tuple[State, Reply]:
    """The answer for the next ×× of the sample being adapted; after the last, the sample
    with every ×× filled is the answer. A done word stops early, leaving the rest as ××."""
    key = FILL_PREFIX + current.key
    sample, *values = state.drafts[key]
    if not means_done(text):
        value = text.strip().strip("。，,；;")
        if not _VISIBLE.search(value) or "\n" in value:
            return _refuse(flow, state, texts.ERR_SLOT)
        values.append(value)
        if len(values) < slots.count(sample):
            state = replace(state, drafts={**state.drafts, key: [sample, *values]})
            return state, show(flow, state)
    state = replace(state, drafts={k: v for k, v in state.drafts.items() if k != key})
    return _sample_as_answer(flow, state, current, slots.fill(sample, values), texts.SAMPLE_FILLED)


def _sample_as_answer(
    flow: Flow, state: State, current: Step, text: str, notice: str
) -> tuple[State, Reply]:
    error = _length_error(current.asked, text, final=False)
    if error:
        return _refuse(flow, state, error)
    draft = state.drafts.get(current.key, [])
    # Under the question's minimum the sample waits as a draft for more, like a message.
    if draft or _length_error(current.asked, text, final=True):
        return _long_answer(flow, state, current, text)
    new, reply = _answer(flow, state, current, text, notice.format(chars=zishu(text)))
    return new, replace(reply, appendable=current.key)


@one_walk_each
def revise(flow: Flow, state: State, key: str, text: str) -> tuple[State, str]:
    """Replace one text answer wherever the user is (the web page edits in place).

    The same checks as a chat answer: visible text, a required answer not emptied, the
    length limits; emptying an optional answer skips it. The cursor stays where it is
    (a finished interview stays finished), and drafts the chat holds are kept. Returns the
    new state and "" or, refused, the state unchanged and why: the page has no next
    question to show, so no Reply (and no review) is built.
    """
    state = settle(flow, state)
    target = next((s for s in steps_of(flow, state.answers) if s.key == key), None)
    if (
        target is None
        or target.more
        or target.asked.kind not in ("text", "long_text")
        or value_at(state.answers, target) is MISSING
    ):
        return state, texts.ERR_CANNOT_EDIT
    question = target.asked
    lines = [line.strip() for line in text.splitlines()]
    value: str | None = "\n".join(line for line in lines if line)
    if not _VISIBLE.search(value):
        if not question.optional:
            return state, texts.ERR_REQUIRED
        value = None
    else:
        error = _length_error(question, value, final=True)
        if error:
            return state, error
    return settle(flow, replace(state, answers=with_value(state.answers, target, value))), ""
