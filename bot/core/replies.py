"""What the user sees of an interview's state: the current question or the review,
independent of how an adapter draws it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core import slots, texts
from bot.core.model import Flow, Question
from bot.core.quality import Finding, check, links
from bot.core.state import ADD, DONE, FILL_PREFIX, FINISH, REVIEW, State
from bot.core.steps import (
    MISSING,
    TEXT_KINDS,
    Step,
    one_walk_each,
    section_chars,
    steps_of,
    value_at,
    visible_sections,
)
from bot.core.wordcount import report_zishu, zishu


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
    draft_text: str = ""
    picked: tuple[str, ...] = ()
    guide: str = ""
    samples: tuple[str, ...] = ()
    last_year: tuple[str, ...] = ()
    # The problems written so far, shown where causes and measures answer them.
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionSummary:
    """One section's progress: steps answered, steps it has so far (a repeat grows with each
    item), 字数 so far against its target, and whether it has text to count at all."""

    id: str
    title: str
    answered: int
    total: int
    chars: int
    first_step: str
    target: int | None = None
    has_text: bool = True
    # How far along the part is, 0–1 (see summarize).
    done: float = 0.0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.answered == self.total


def share_done(sections: tuple[SectionSummary, ...]) -> int:
    """The whole interview's share done, in percent; each part weighs the same."""
    return round(100 * sum(s.done for s in sections) / len(sections)) if sections else 0


def section_progress(s: SectionSummary) -> str:
    """What a part has to show: questions answered and 字数 against its target; nothing for
    what there is nothing to count."""
    bits = [texts.PART_ANSWERED.format(n=s.answered)] if s.answered else []
    if s.has_text and s.chars and s.target:
        bits.append(texts.PART_CHARS_TARGET.format(chars=s.chars, target=s.target))
    elif s.has_text and s.chars:
        bits.append(texts.PART_CHARS.format(chars=s.chars))
    return " · ".join(bits)


def status_lines(flow: Flow, state: State) -> list[str]:
    """/status: the whole interview's share done, then each part's progress."""
    sections = summarize(flow, state)
    lines = [texts.STATUS_SHARE.format(share=share_done(sections))]
    for s in sections:
        mark = "✅" if s.complete else "▫️"
        lines.append(f"{mark} {s.title}：{section_progress(s) or texts.PART_NOT_STARTED}")
    return lines


@dataclass(frozen=True)
class Review:
    """The last step: each section's 字数 and the buttons to edit or finish."""

    text: str
    sections: tuple[SectionSummary, ...]
    total_chars: int
    options: tuple[Button, ...]
    findings: tuple[Finding, ...] = ()
    # Each finding's number as shown (stable while the user fixes them; see finding_numbers).
    numbers: tuple[int, ...] = ()

    def finding(self, number: int) -> Finding | None:
        """The finding shown with this number."""
        return next(
            (f for n, f in zip(self.numbers, self.findings, strict=True) if n == number), None
        )


@dataclass(frozen=True)
class Reply:
    """What to say after an input: a notice or an error, then the prompt or the review."""

    notice: str = ""
    error: str = ""
    prompt: Prompt | None = None
    review: Review | None = None
    finished: bool = False
    entered_section: bool = False
    # The long answer this input saved: adapters offer 补充 to add to it.
    appendable: str = ""
    # The input was split into several parts or items: adapters offer 不拆分.
    undo_split: bool = False


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


def choice_buttons(step: Step, answers: dict[str, Any]) -> tuple[Button, ...]:
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
    shown = visible_sections(steps)
    sections = summarize(flow, state)
    progress = texts.PROGRESS.format(
        section=shown.index(step.section) + 1,
        sections=len(shown),
        share=share_done(sections),
    )
    part = section_progress(sections[shown.index(step.section)])
    progress += f" · {texts.THIS_PART}{part}" if part else ""
    value = value_at(state.answers, step)
    draft = state.drafts.get(step.key, [])
    actions: list[Button] = []
    if (q.kind == "multi" or (q.kind == "long_text" and draft)) and not step.more:
        actions.append(Button("done", texts.ACTION_DONE))
    if value is not MISSING:
        actions.append(Button("keep", texts.ACTION_KEEP))
    if q.default is not None and not step.more:
        actions.append(Button("default", texts.ACTION_DEFAULT.format(value=display(q, q.default))))
    if q.optional and not step.more:
        actions.append(Button("skip", texts.ACTION_SKIP))
    filling = state.drafts.get(FILL_PREFIX + step.key)
    if (draft or filling) and q.kind == "long_text":
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
        if filling:
            sample, *values = filling
            if not values:
                text += "\n\n" + texts.SAMPLE_FILL.format(n=slots.count(sample))
            text += "\n\n" + texts.SAMPLE_ASK.format(
                text=slots.fill(sample, values, asking=True),
                i=len(values) + 1,
                n=slots.count(sample),
            )
    return Prompt(
        step=step.key,
        kind="more" if step.more else q.kind,
        text=text,
        hint=hint,
        progress=progress,
        section_id=section.id,
        section_title=section.title_in(state.answers),
        section_intro=section.intro,
        options=choice_buttons(step, state.answers),
        actions=tuple(actions),
        current=None if value is MISSING else display(q, value),
        draft_chars=zishu("".join(draft)) if q.kind == "long_text" else 0,
        draft_text="\n".join(draft) if q.kind == "long_text" else "",
        picked=tuple(draft) if q.kind == "multi" else (),
        guide=section.guide,
        samples=() if step.more else q.samples,
        last_year=last_year,
        problems=_problems_for(flow, state, step),
    )


# Where the list of problems is shown: the first question of each cause or measure.
CONTEXT_ROLES = ("causes", "measures")


def _problems_for(flow: Flow, state: State, step: Step) -> tuple[str, ...]:
    """The problems written so far, one line each, at the first question of a cause or a
    measure (and at the empty part's "add one?"): what they answer."""
    q = step.question
    if q.role not in CONTEXT_ROLES or step.item is None:
        return ()
    first = step.sub is q.questions[0] if step.sub else not state.answers.get(q.id)
    if not first:
        return ()
    lines = []
    for section in flow.sections:
        for question in section.questions:
            if question.role != "problems":
                continue
            for item in state.answers.get(question.id) or []:
                line = item.get("summary") or item.get("detail") or ""
                if isinstance(line, str) and line.strip():
                    lines.append(line.strip() if len(line) <= 40 else line[:39] + "…")
    return tuple(lines)


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


@one_walk_each
def summarize(flow: Flow, state: State) -> tuple[SectionSummary, ...]:
    """Progress per section: steps answered, steps in all, 字数."""
    steps = steps_of(flow, state.answers)
    here = next((s.section for s in steps if s.key == state.cursor), None)
    result = []
    for si in visible_sections(steps):
        section = flow.sections[si]
        mine = [s for s in steps if s.section == si and not s.more]
        values = [(s, value_at(state.answers, s)) for s in mine]
        answered = sum(v is not MISSING for _, v in values)
        chars = section_chars(flow, state.answers, si, steps)
        first = next((s.key for s in steps if s.section == si), "")
        title = section.title_in(state.answers)
        has_text = any(
            s.asked.kind in TEXT_KINDS and s.key != section.title_from
            for s in steps
            if s.section == si
        )
        # A part is done once every question of it is answered and the user has left it;
        # until then its 字数 against the target, or its share of answered questions (a
        # repeat's new item would otherwise make the figure drop).
        if mine and answered == len(mine) and si != here:
            done = 1.0
        elif section.target_chars:
            done = min(1.0, chars / section.target_chars)
        else:
            done = answered / len(mine) if mine else 0.0
        result.append(
            SectionSummary(
                section.id,
                title,
                answered,
                len(mine),
                chars,
                first,
                section.target_chars,
                has_text,
                done,
            )
        )
    return tuple(result)


FINDING_ORDER = "finding_order"


def finding_numbers(findings: tuple[Finding, ...], state: State) -> tuple[int, ...]:
    """Each finding's number: the place its id first took in the review (kept in the state's
    context), so numbers do not shift while the user fixes findings one by one."""
    order = list(state.context.get(FINDING_ORDER, ()))
    order += [f.id for f in findings if f.id not in order]
    return tuple(order.index(f.id) + 1 for f in findings)


def review_of(flow: Flow, state: State) -> Review:
    sections = summarize(flow, state)
    lines = [texts.REVIEW_TITLE]
    lines += [
        texts.REVIEW_LINE.format(title=s.title, chars=s.chars) for s in sections if s.has_text
    ]
    total = report_zishu(flow, state.answers)
    if total is None:
        total = sum(s.chars for s in sections)
        lines.append(texts.REVIEW_TOTAL.format(chars=total))
    else:
        lines.append(texts.REVIEW_TOTAL_REPORT.format(chars=total))
    options = (Button("choose", texts.GENERATE, FINISH),)
    findings = tuple(check(flow, state.answers, state.context.get("last_year_problems", ())))
    numbers = finding_numbers(findings, state)
    if findings:
        lines += ["", texts.FINDINGS_TITLE]
        lines += [f"{n}. {f.message}" for n, f in zip(numbers, findings, strict=True)]
    measure_links = links(flow, state.answers)
    if measure_links:
        lines += ["", texts.LINKS_TITLE]
        for link in measure_links:
            answered = "、".join(p.label for p in link.problems) or texts.LINKS_NONE
            lines.append(f"• {link.measure.label} → {answered}")
    lines += ["", flow.review_prompt or texts.REVIEW_DEFAULT_PROMPT]
    return Review("\n".join(lines), sections, total, options, findings, numbers)


@one_walk_each
def show(flow: Flow, state: State, notice: str = "", error: str = "") -> Reply:
    """What to show for the state as it is: the current question or the review."""
    if state.cursor in (REVIEW, DONE):
        return Reply(
            notice=notice,
            error=error,
            review=review_of(flow, state),
            finished=state.cursor == DONE,
        )
    steps = steps_of(flow, state.answers)
    step = next(s for s in steps if s.key == state.cursor)
    return Reply(notice=notice, error=error, prompt=_prompt(flow, state, steps, step))


@one_walk_each
def edit_choices(flow: Flow, state: State) -> tuple[Button, ...]:
    """What /edit offers: at the review each section, elsewhere every answered step."""
    if state.cursor in (REVIEW, DONE):
        return tuple(
            Button("edit", s.title, s.first_step) for s in summarize(flow, state) if s.first_step
        )
    choices = []
    steps = steps_of(flow, state.answers)
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
