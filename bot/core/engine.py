"""The interview as a pure function: (flow, state, input) → (new state, what to say next).

No I/O happens here. The state is plain data (answers keyed by question id, a cursor naming
the current step, unfinished drafts), so an adapter can store it, and resume it, as it is.

Steps are computed afresh from the answers on every call (`walk`): conditions, repeat
items and flow changes are thereby always honoured, and "back" is simply the step before.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from bot.core import texts
from bot.core.conditions import holds
from bot.core.loader import step_key
from bot.core.model import Flow, Question
from bot.core.quality import Finding, check, links
from bot.core.wordcount import zishu

REVIEW = "review"
DONE = "done"
ADD = "add"
FINISH = "done"
MISSING = object()
TEXT_KINDS = ("text", "long_text")
# A message with none of these is empty to a reader: blanks, controls, zero-width marks.
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


@dataclass(frozen=True)
class Button:
    """A button or menu entry: `kind` is "choose" or a command; `value` its argument."""

    kind: str
    label: str
    value: str = ""


@dataclass(frozen=True)
class Prompt:
    """A question to show, independent of how an adapter draws it."""

    step: str
    kind: str
    text: str
    hint: str
    progress: str
    section_id: str
    section_title: str
    section_intro: str
    options: tuple[Button, ...] = ()
    actions: tuple[Button, ...] = ()
    current: str | None = None
    draft_chars: int = 0
    picked: tuple[str, ...] = ()
    guide: str = ""
    samples: tuple[str, ...] = ()
    last_year: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionSummary:
    """One section's progress: steps answered, steps in all, 字数 so far."""

    id: str
    title: str
    answered: int
    total: int
    chars: int
    first_step: str


@dataclass(frozen=True)
class Review:
    """The last step: each section's 字数 and the buttons to edit or finish."""

    text: str
    sections: tuple[SectionSummary, ...]
    total_chars: int
    options: tuple[Button, ...]
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Reply:
    """What to say after an input: a notice or an error, then the prompt or the review."""

    notice: str = ""
    error: str = ""
    prompt: Prompt | None = None
    review: Review | None = None
    finished: bool = False
    entered_section: bool = False


@dataclass(frozen=True)
class Step:
    """One place in the interview: a question, a repeat item's sub-question, or add-or-finish."""

    section: int
    question: Question
    item: int | None = None
    sub: Question | None = None

    @property
    def more(self) -> bool:
        return self.item is not None and self.sub is None

    @property
    def asked(self) -> Question:
        return self.sub or self.question

    @property
    def key(self) -> str:
        return step_key(self.question.id, self.item, self.sub.id if self.sub else None)


# -- the walk ---------------------------------------------------------------------------------


def context(flow: Flow, answers: dict[str, Any]) -> dict[str, Any]:
    """The names a `when` condition sees: every question id, None until answered."""
    return {qid: answers.get(qid) for qid in flow.question_ids}


def walk(flow: Flow, answers: dict[str, Any]) -> list[Step]:
    """Every step the interview has, in order, given the answers so far."""
    ctx = context(flow, answers)
    steps: list[Step] = []
    for si, section in enumerate(flow.sections):
        for q in section.questions:
            if not holds(q.when, ctx):
                continue
            if q.kind != "repeat":
                steps.append(Step(si, q))
                continue
            items = answers.get(q.id) or []
            for i, item in enumerate(items):
                ictx = {**ctx, "item": item}
                steps.extend(Step(si, q, i, sub) for sub in q.questions if holds(sub.when, ictx))
            n = len(items)
            if n < q.min:
                ictx = {**ctx, "item": {}}
                first = next((s for s in q.questions if holds(s.when, ictx)), None)
                if first:
                    steps.append(Step(si, q, n, first))
            elif n < q.max:
                steps.append(Step(si, q, n))
    return steps


# One engine call walks the same answers several times (settle, step, advance, show); the
# engine never changes an answers dict in place, so within one call a walk can be reused
# for the same dict object. The memo lives only for that call and holds the dicts it keys,
# so an id cannot be reused while it is there.
_walks: ContextVar[dict[int, tuple[Flow, dict[str, Any], list[Step]]] | None] = ContextVar(
    "walks", default=None
)
_F = TypeVar("_F", bound=Callable[..., Any])


def _one_walk_each(fn: _F) -> _F:
    """Entry points share one walk per answers dict for the length of the call."""

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if _walks.get() is not None:
            return fn(*args, **kwargs)
        token = _walks.set({})
        try:
            return fn(*args, **kwargs)
        finally:
            _walks.reset(token)

    return call  # type: ignore[return-value]


def _steps(flow: Flow, answers: dict[str, Any]) -> list[Step]:
    """`walk`, reused within one engine call; callers must not change the list."""
    memo = _walks.get()
    if memo is None:
        return walk(flow, answers)
    hit = memo.get(id(answers))
    if hit is None or hit[0] is not flow or hit[1] is not answers:
        hit = memo[id(answers)] = (flow, answers, walk(flow, answers))
    return hit[2]


def value_at(answers: dict[str, Any], step: Step) -> Any:
    """The stored answer of a step, or MISSING."""
    if step.more:
        return MISSING
    if step.item is None:
        return answers.get(step.question.id, MISSING)
    items = answers.get(step.question.id) or []
    if step.item < len(items):
        return items[step.item].get(step.sub.id, MISSING)
    return MISSING


def _with_value(answers: dict[str, Any], step: Step, value: Any) -> dict[str, Any]:
    new = dict(answers)
    if step.item is None:
        new[step.question.id] = value
        return new
    items = copy.deepcopy(list(answers.get(step.question.id) or []))
    while len(items) <= step.item:
        items.append({})
    items[step.item][step.sub.id] = value
    new[step.question.id] = items
    return new


def _prune(answers: dict[str, Any], cursor: str) -> dict[str, Any]:
    """Drop repeat items that were added but never answered, unless the user is in one."""
    new = answers
    for qid, value in answers.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            kept = [
                item for i, item in enumerate(value) if item or cursor.startswith(f"{qid}[{i}].")
            ]
            if len(kept) != len(value):
                new = new if new is not answers else dict(answers)
                new[qid] = kept
    # The same dict when nothing was dropped: its walk is reused (see `_steps`).
    return new


# -- what the user sees --------------------------------------------------------------------


def display(question: Question, value: Any) -> str:
    """An answer as the user would read it."""
    if value is None or value is MISSING:
        return texts.SKIPPED
    if question.kind == "yesno":
        return texts.YES if value else texts.NO
    if question.kind == "choice":
        option = question.option(value)
        return option.label if option else str(value)
    if question.kind == "multi":
        return "、".join(
            (question.option(v).label if question.option(v) else str(v)) for v in value
        )
    return str(value)


def _options(step: Step, answers: dict[str, Any]) -> tuple[Button, ...]:
    q = step.asked
    if step.more:
        n = len(answers.get(q.id) or [])
        if n == 0:
            return (
                Button("choose", texts.ADD_FIRST.format(item=q.item_name), ADD),
                Button("choose", texts.SKIP_PART, FINISH),
            )
        return (
            Button("choose", texts.ADD.format(item=q.item_name), ADD),
            Button("choose", texts.FINISH_PART, FINISH),
        )
    if q.kind == "yesno":
        return (Button("choose", texts.YES, "yes"), Button("choose", texts.NO, "no"))
    return tuple(Button("choose", o.label, o.id) for o in q.options)


def _prompt(flow: Flow, state: State, steps: list[Step], step: Step) -> Prompt:
    q = step.asked
    section = flow.sections[step.section]
    numbers = [s.question.id for s in steps if s.section == step.section]
    number = list(dict.fromkeys(numbers)).index(step.question.id) + 1
    shown = visible_sections(steps)
    progress = texts.PROGRESS.format(
        section=shown.index(step.section) + 1, sections=len(shown), number=number
    )
    if section.target_chars:
        chars = _section_chars(flow, state.answers, step.section, steps)
        progress += texts.PROGRESS_TARGET.format(chars=chars, target=section.target_chars)
    value = value_at(state.answers, step)
    draft = state.drafts.get(step.key, [])
    actions: list[Button] = []
    if q.kind in ("long_text", "multi") and not step.more:
        actions.append(Button("done", texts.ACTION_DONE))
    if value is not MISSING:
        actions.append(Button("keep", texts.ACTION_KEEP))
    if q.default is not None and not step.more:
        actions.append(Button("default", texts.ACTION_DEFAULT.format(value=display(q, q.default))))
    if q.optional and not step.more:
        actions.append(Button("skip", texts.ACTION_SKIP))
    if draft and q.kind == "long_text":
        actions.append(Button("clear", texts.ACTION_CLEAR))
    if q.samples and not step.more:
        actions.append(Button("samples", texts.ACTION_SAMPLES))
    if section.guide:
        actions.append(Button("guide", texts.ACTION_GUIDE))
    last_year = tuple(state.context.get("last_year_problems", ()))
    if step.question.role != "problems":
        last_year = ()
    if last_year:
        actions.append(Button("lastyear", texts.ACTION_LAST_YEAR))
    if steps.index(step) > 0:
        actions.append(Button("back", texts.ACTION_BACK))

    if step.more:
        n = len(state.answers.get(q.id) or [])
        text = (q.more_prompt or texts.MORE_DEFAULT).format(n=n, item=q.item_name)
        if n == 0:
            text = q.prompt
        hint = "" if n else q.hint
    else:
        text = q.prompt
        if step.item is not None:
            item = texts.ITEM.format(n=step.item + 1, item=step.question.item_name)
            hidden = _hidden_answers(state, steps, step)
            text = f"【{item}】" + "".join(f"{line}\n" for line in hidden) + text
            if next(s for s in steps if s.question is step.question) is step:
                text = f"{step.question.prompt}\n{text}"
        hint = q.hint
    return Prompt(
        step=step.key,
        kind="more" if step.more else q.kind,
        text=text,
        hint=hint,
        progress=progress,
        section_id=section.id,
        section_title=section.title_in(state.answers),
        section_intro=section.intro,
        options=_options(step, state.answers),
        actions=tuple(actions),
        current=None if value is MISSING else display(q, value),
        draft_chars=zishu("".join(draft)) if q.kind == "long_text" else 0,
        picked=tuple(draft) if q.kind == "multi" else (),
        guide=section.guide,
        samples=() if step.more else q.samples,
        last_year=last_year,
    )


def _hidden_answers(state: State, steps: list[Step], step: Step) -> list[str]:
    """An item's answers that are not asked (e.g. a measure imported from last year's
    report): shown with its questions so the user knows which item they are on."""
    items = state.answers.get(step.question.id) or []
    if step.item is None or step.item >= len(items):
        return []
    asked = {
        s.sub.id for s in steps if s.question is step.question and s.item == step.item and s.sub
    }
    return [
        f"{sub.short}：{display(sub, value)}"
        for sub in step.question.questions
        if sub.id not in asked and (value := items[step.item].get(sub.id)) is not None
    ]


def _section_chars(flow: Flow, answers: dict[str, Any], section: int, steps: list[Step]) -> int:
    """字数 of the text answers in one section (`steps`: the walk of these answers)."""
    title_from = flow.sections[section].title_from
    return sum(
        zishu(v)
        for s in steps
        if s.section == section and s.asked.kind in TEXT_KINDS and s.key != title_from
        if isinstance(v := value_at(answers, s), str)
    )


def visible_sections(steps: list[Step]) -> list[int]:
    """Indexes of the sections that have any step (conditions may hide whole sections)."""
    return sorted({s.section for s in steps})


@_one_walk_each
def summarize(flow: Flow, state: State) -> tuple[SectionSummary, ...]:
    """Progress per section: steps answered, steps in all, 字数."""
    steps = _steps(flow, state.answers)
    result = []
    for si in visible_sections(steps):
        section = flow.sections[si]
        mine = [s for s in steps if s.section == si and not s.more]
        values = [(s, value_at(state.answers, s)) for s in mine]
        answered = sum(v is not MISSING for _, v in values)
        chars = _section_chars(flow, state.answers, si, steps)
        first = next((s.key for s in steps if s.section == si), "")
        title = section.title_in(state.answers)
        result.append(SectionSummary(section.id, title, answered, len(mine), chars, first))
    return tuple(result)


def _review(flow: Flow, state: State) -> Review:
    sections = summarize(flow, state)
    lines = [texts.REVIEW_TITLE]
    lines += [texts.REVIEW_LINE.format(title=s.title, chars=s.chars) for s in sections]
    total = sum(s.chars for s in sections)
    lines.append(texts.REVIEW_TOTAL.format(chars=total))
    options = (Button("choose", texts.GENERATE, FINISH),)
    findings = tuple(check(flow, state.answers, state.context.get("last_year_problems", ())))
    if findings:
        lines += ["", texts.FINDINGS_TITLE]
        lines += [f"{i}. {f.message}" for i, f in enumerate(findings, 1)]
    measure_links = links(flow, state.answers)
    if measure_links:
        lines += ["", texts.LINKS_TITLE]
        for link in measure_links:
            answered = "、".join(p.label for p in link.problems) or texts.LINKS_NONE
            lines.append(f"• {link.measure.label} → {answered}")
    lines += ["", flow.review_prompt or texts.REVIEW_DEFAULT_PROMPT]
    return Review("\n".join(lines), sections, total, options, findings)


@_one_walk_each
def show(flow: Flow, state: State, notice: str = "", error: str = "") -> Reply:
    """What to show for the state as it is: the current question or the review."""
    if state.cursor in (REVIEW, DONE):
        return Reply(
            notice=notice,
            error=error,
            review=_review(flow, state),
            finished=state.cursor == DONE,
        )
    steps = _steps(flow, state.answers)
    step = next(s for s in steps if s.key == state.cursor)
    return Reply(notice=notice, error=error, prompt=_prompt(flow, state, steps, step))


@_one_walk_each
def edit_choices(flow: Flow, state: State) -> tuple[Button, ...]:
    """What /edit offers: at the review each section, elsewhere every answered step."""
    if state.cursor in (REVIEW, DONE):
        return tuple(
            Button("edit", s.title, s.first_step) for s in summarize(flow, state) if s.first_step
        )
    choices = []
    steps = _steps(flow, state.answers)
    shown = visible_sections(steps)
    for s in steps:
        value = value_at(state.answers, s)
        if value is MISSING:
            continue
        where = s.asked.short
        if s.item is not None:
            item = texts.ITEM.format(n=s.item + 1, item=s.question.item_name)
            where = f"{item}·{where}"
        answer = display(s.asked, value).replace("\n", " ")
        answer = answer if len(answer) <= 12 else answer[:12] + "…"
        part = texts.PART.format(n=shown.index(s.section) + 1)
        choices.append(Button("edit", f"{part}｜{where}：{answer}", s.key))
    return tuple(choices)


# -- transitions -----------------------------------------------------------------------------


@_one_walk_each
def start(flow: Flow) -> tuple[State, Reply]:
    """A fresh interview and its first question."""
    state = _settle(flow, State(answers={}, cursor=""))
    reply = show(flow, state, notice=flow.intro)
    return state, replace(reply, entered_section=True)


@_one_walk_each
def adopt(flow: Flow, answers: dict[str, Any]) -> State:
    """A state for answers that came from elsewhere (an imported file): first gap, or review."""
    return _settle(flow, State(answers=dict(answers), cursor=REVIEW))


@_one_walk_each
def bring_in(
    flow: Flow, state: State, answers: dict[str, Any], context: dict[str, Any]
) -> tuple[State, Reply]:
    """Add answers and context that came from elsewhere (last year's report) to an interview;
    answers the flow does not know are dropped, the cursor stays where it was if it can."""
    known = {k: v for k, v in answers.items() if flow.has_question(k)}
    new = _settle(
        flow,
        replace(
            state,
            answers={**state.answers, **known},
            context={**state.context, **context},
        ),
    )
    return new, show(flow, new, notice=texts.BROUGHT_IN)


@_one_walk_each
def resume(flow: Flow, state: State) -> tuple[State, Reply]:
    """Re-show where the user was; a cursor the flow no longer has moves to the first gap."""
    settled = _settle(flow, state)
    notice = texts.RELOCATED if settled.cursor != state.cursor else ""
    return settled, show(flow, settled, notice=notice)


def _first_gap(flow: Flow, answers: dict[str, Any]) -> str:
    """The first step that still needs an answer, or the review."""
    for s in _steps(flow, answers):
        if s.more:
            continue
        if value_at(answers, s) is MISSING:
            return s.key
    return REVIEW


def _settle(flow: Flow, state: State) -> State:
    """Make the cursor name a step that exists; new required questions are asked first."""
    if state.cursor in (REVIEW, DONE):
        gap = _first_gap(flow, state.answers)
        return state if gap == REVIEW else replace(state, cursor=gap)
    keys = {s.key for s in _steps(flow, state.answers)}
    if state.cursor in keys:
        return state
    return replace(state, cursor=_first_gap(flow, state.answers))


@_one_walk_each
def step(flow: Flow, state: State, inp: Input) -> tuple[State, Reply]:
    """Apply one input; an invalid one returns the state unchanged with the reason."""
    state = _settle(flow, state)
    if inp.kind == "edit":
        return _edit(flow, state, inp.value)
    if inp.kind == "cancel":
        return _cancel(flow, state)
    if state.cursor in (REVIEW, DONE):
        return _at_review(flow, state, inp)
    steps = _steps(flow, state.answers)
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
    new = _settle(flow, replace(state, cursor=cursor, answers=_prune(state.answers, cursor)))
    reply = show(flow, new, notice=notice)
    entered = new.cursor not in (REVIEW, DONE) and _section_of(flow, new, new.cursor) != old_section
    return new, replace(reply, entered_section=entered)


def _section_of(flow: Flow, state: State, cursor: str) -> int | None:
    return next((s.section for s in _steps(flow, state.answers) if s.key == cursor), None)


def _answer(flow: Flow, state: State, step_: Step, value: Any, notice: str) -> tuple[State, Reply]:
    before = [s.key for s in _steps(flow, state.answers)]
    answers = _with_value(state.answers, step_, value)
    drafts = {k: v for k, v in state.drafts.items() if k != step_.key}
    state = replace(state, answers=answers, drafts=drafts)
    return _advance(flow, state, step_.key, notice, before)


def _advance(
    flow: Flow, state: State, from_key: str, notice: str, before: list[str] | None = None
) -> tuple[State, Reply]:
    """Go on from `from_key`; if the answer made that step vanish (a condition on itself),
    go on from where it stood in the walk `before` the answer."""
    steps = _steps(flow, state.answers)
    if state.return_to:
        target = state.return_to
        state = replace(state, return_to=None)
        if target == DONE:
            target = REVIEW
        if target != REVIEW and target not in {s.key for s in steps}:
            target = _first_gap(flow, state.answers)
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
    first = next(s.key for s in _steps(flow, answers) if s.section == current.section)
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
    if not value.isdigit() or not 1 <= int(value) <= len(samples):
        return _refuse(flow, state, texts.ERR_NO_SAMPLE.format(n=len(samples)))
    draft = [*state.drafts.get(current.key, []), samples[int(value) - 1]]
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
    """Several messages of one answer become one text, one paragraph per message."""
    return "\n".join(p.strip() for p in pieces if p.strip())


def _length_error(q: Question, text: str, final: bool) -> str:
    chars = zishu(text)
    if q.max_chars is not None and chars > q.max_chars:
        return texts.ERR_TOO_LONG.format(chars=chars, max=q.max_chars)
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
    options = _options(current, state.answers)
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
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1].value
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
    target = next((s for s in _steps(flow, state.answers) if s.key == key), None)
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
        steps = _steps(flow, state.answers)
        return _move(flow, replace(state, return_to=None), steps[-1].key, texts.MOVED_BACK)
    if inp.kind in ("done", "choose") and inp.value in ("", FINISH):
        done = replace(state, cursor=DONE)
        return done, show(flow, done, notice=texts.FINISHED)
    if inp.kind == "text" and _match(_review(flow, state).options[:1], inp.value) == FINISH:
        done = replace(state, cursor=DONE)
        return done, show(flow, done, notice=texts.FINISHED)
    error = texts.ERR_FINISHED if state.finished else texts.ERR_AT_REVIEW
    return _refuse(flow, state, error)
