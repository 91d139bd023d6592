"""How many actions a person on a phone spends to get the report, and to fix each review finding.

Plays the full content of tests/fixtures/answers/2022-liuge.yaml and 2023-zhuti.yaml through
the engine (bot/core, pure: no Telegram, no database) as a user who knows what to write and
takes the shortest path the chat offers, and counts the user's actions:

- messages sent (each answer's text, sent whole in one message),
- buttons pressed (options, 跳过, 完成, 再加一个 / 这部分写完了, 保留原答案, 改意见N, 生成报告…),
- commands typed (/edit …).

Then, for each kind of review finding, it puts one such fault into the fixture's answers,
opens the review, and fixes the fault the cheapest way the chat offers: the finding's button
(or the part's edit button where the finding has none), /edit and a pick from its list where
the question is not the one the button opened, 保留原答案 through answers it must walk past,
until the review is back. Printed per finding: the actions for the answer itself (its messages
and the taps that finish it) and the actions around it (the target: at most 2).

Only the engine's public steps are used (engine.start/adopt/resume/step, the reply's prompt
and review), so the same script measures an older checkout for the before figures:

    .venv/bin/python benchmarks/effort.py
    git worktree add /tmp/effort-main main && .venv/bin/python benchmarks/effort.py --repo /tmp/effort-main
"""

from __future__ import annotations

import argparse
import copy
import importlib
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
FIXTURES = ("2022-liuge", "2023-zhuti")
MISSING = object()


@dataclass
class Tally:
    """The user's actions, by kind; `answer` marks those spent writing the answer itself."""

    counts: Counter[str] = field(default_factory=Counter)
    answer: int = 0
    # What the actions were: "message", or the button's or command's input kind and value.
    what: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, for_answer: bool, what: str = "") -> None:
        self.counts[kind] += 1
        self.answer += for_answer
        self.what[what or kind] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Player:
    """One user driving one interview through the engine, counting what they do."""

    def __init__(self, bot: Any, flow: Any, state: Any, reply: Any) -> None:
        self.bot, self.flow, self.state, self.reply = bot, flow, state, reply
        self.tally = Tally()

    # -- one action -----------------------------------------------------------------------------

    def act(self, kind: str, inp: Any, for_answer: bool = False) -> None:
        """kind: "message", "button" or "command"."""
        self.state, self.reply = self.bot.engine.step(self.flow, self.state, inp)
        if self.reply.error:
            raise RuntimeError(f"{inp}: {self.reply.error} at {self.state.cursor}")
        what = (
            kind if kind == "message" else f"{inp.kind} {inp.value if inp.kind == 'choose' else ''}"
        )
        self.tally.add(kind, for_answer, what.strip())

    def button(self, kind: str, value: str = "", for_answer: bool = False) -> None:
        self.act("button", self.bot.Input(kind, value), for_answer)

    # -- answering --------------------------------------------------------------------------------

    def answer(self, goal: Any) -> None:
        """Give the current question the goal's value, the cheapest way its prompt offers."""
        prompt = self.reply.prompt
        key, q = prompt.step, self._question(prompt.step)
        value = value_at(goal, key)
        if value is MISSING:
            value = q.default if q.default is not None else None
            if value is not None:
                self.button("default", for_answer=True)
                return
        if value is None:
            self.button("skip", for_answer=True)
        elif q.kind in ("text", "long_text"):
            self.act("message", self.bot.Input.text(value), True)
            if self.state.cursor == key and any(
                a.kind == "done" for a in self.reply.prompt.actions
            ):
                self.button("done", for_answer=True)  # a long answer still open: 完成
        elif q.kind == "yesno":
            self.button("choose", "yes" if value else "no", True)
        elif q.kind == "choice":
            self.button("choose", value, True)
        elif q.kind == "multi":
            for option in value:
                self.button("choose", option, True)
            self.button("done", for_answer=True)
        else:
            raise ValueError(f"cannot answer {key} ({q.kind})")

    def more(self, goal: dict[str, Any]) -> None:
        """At a repeat's add-or-finish step: add another item, or finish the part."""
        qid = self.reply.prompt.step.split("[", 1)[0]
        have = len(self.state.answers.get(qid) or [])
        want = len(goal.get(qid) or [])
        self.button("choose", "add" if have < want else "done")

    def to_review(self, goal: dict[str, Any]) -> None:
        """Go on until the review: answer what differs from the goal, keep what does not."""
        for _ in range(2000):
            if self.reply.review is not None:
                return
            key = self.reply.prompt.step
            if key.endswith("[+]"):
                self.more(goal)
            elif (now := value_at(self.state.answers, key)) is not MISSING and now == value_at(
                goal, key
            ):
                self.button("keep")
            else:
                self.answer(goal)
        raise RuntimeError("no review after 2000 actions")

    def _question(self, key: str) -> Any:
        qid, _, sub = key.partition(".")
        q = self.flow.question(re.sub(r"\[.*$", "", qid))
        return next(s for s in q.questions if s.id == sub) if sub else q


def value_at(answers: dict[str, Any], key: str) -> Any:
    """The value stored under a step key (`q`, `q[2].detail`), or MISSING."""
    m = re.fullmatch(r"([^\[]+)\[(\d+)\]\.(.+)", key)
    if not m:
        return answers.get(key, MISSING)
    items = answers.get(m.group(1)) or []
    index = int(m.group(2))
    return items[index].get(m.group(3), MISSING) if index < len(items) else MISSING


# -- the fixtures' whole content --------------------------------------------------------------------


def whole(bot: Any, flow: Any, answers: dict[str, Any]) -> Tally:
    state, reply = bot.engine.start(flow)
    player = Player(bot, flow, state, reply)
    player.to_review(answers)
    player.button("choose", "done")  # 生成报告
    if not player.state.finished:
        raise RuntimeError("the report was not generated")
    return player.tally


# -- fixing each kind of finding --------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """A fault of one kind put into the answers, and the answers that fix it."""

    kind: str
    what: str
    break_: Callable[[dict[str, Any]], None]
    fix: Callable[[dict[str, Any]], None]
    last_year: tuple[str, ...] = ()


def _items(key: str, i: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda a: a[key][i]


def faults(answers: dict[str, Any]) -> list[Fault]:
    first_problem = answers["t1_problems"][0]
    slogan = {
        "heading": "永葆共产党人政治本色",
        "body": "始终做到对党忠诚、个人干净、敢于担当，以更高的标准、更严的要求、更实的作风作出新的更大贡献。",
    }
    concrete = "2023年3月底前逐项梳理分管站所的廉政风险点，年内与站所干部廉政谈话全覆盖。"
    return [
        Fault(
            "vague",
            "a problem without a case",
            lambda a: a["t2_problems"][1].update(detail="学得不深不透，用得也不够好。", case=None),
            lambda a: a["t2_problems"][1].update(
                detail="学得不深不透，用得也不够好。",
                case="2022年个人自学计划的12个专题只完成了7个。",
            ),
        ),
        Fault(
            "uncovered",
            "a theme no measure answers (a measure to add)",
            lambda a: a["measures"].pop(2),
            lambda a: None,  # the fixture itself has it, as the last measure after the fix
        ),
        Fault(
            "unlinked",
            "a measure that answers no problem",
            lambda a: a["measures"].append(dict(slogan)),
            lambda a: a["measures"][-1].update(body=concrete),
        ),
        Fault(
            "restated",
            "a cause that restates a problem",
            lambda a: a["causes"].append({"text": answers["t4_problems"][0]["detail"]}),
            lambda a: a["causes"][-1].update(
                text="群众观点有所淡化，把完成上级交办的事当成主要标准，对群众的冷暖体察不深。"
            ),
        ),
        Fault(
            "placeholder",
            "×× left from a sample",
            lambda a: a.update(t1_good=a["t1_good"] + "全年组织传达学习××次。"),
            lambda a: a.update(t1_good=a["t1_good"] + "全年组织传达学习12次。"),
        ),
        Fault(
            "stock",
            "a stock phrase used too often",
            lambda a: a.update(
                t1_good=a["t1_good"] + "进一步学习，进一步思考，进一步提高，进一步落实。"
            ),
            lambda a: a.update(t1_good=a["t1_good"] + "每月写一篇学习体会。"),
        ),
        Fault(
            "duplicate",
            "a sentence written twice",
            lambda a: a.update(t2_good=a["t2_good"] + first_problem["summary"] + "。"),
            lambda a: None,
        ),
        Fault(
            "copied",
            "a problem copied from last year's report",
            lambda a: None,
            lambda a: a["t1_problems"][0].update(
                detail="今年参加中心组学习时能够结合分管工作谈体会，但对“两个确立”的历史逻辑理解仍不够系统。"
            ),
            (first_problem["detail"],),
        ),
        Fault(
            "short",
            "a part under its 字数 target (the answer the button opens, extended)",
            lambda a: None,  # the fixture's fourth theme is 434 of 500 字
            lambda a: None,
        ),
    ]


@dataclass
class FixResult:
    kind: str
    what: str
    flagged: bool
    answer: int = 0
    around: int = 0
    steps: list[str] = field(default_factory=list)


def fix_one(bot: Any, flow: Any, answers: dict[str, Any], fault: Fault) -> FixResult:
    broken = copy.deepcopy(answers)
    fault.break_(broken)
    goal = copy.deepcopy(answers)
    if fault.kind not in ("uncovered", "duplicate"):
        goal = copy.deepcopy(broken)
        fault.fix(goal)
    elif fault.kind == "uncovered":
        goal = copy.deepcopy(broken)
        goal["measures"].append(answers["measures"][2])
    else:
        goal = copy.deepcopy(answers)
    state = bot.engine.adopt(flow, broken)
    if fault.last_year:
        state = bot.replace(
            state, context={**state.context, "last_year_problems": list(fault.last_year)}
        )
    state, reply = bot.engine.resume(flow, state)
    if reply.review is None:
        raise RuntimeError(f"{fault.kind}: no review, the answers stop at {state.cursor}")
    finding = next((f for f in reply.review.findings if f.kind == fault.kind), None)
    result = FixResult(fault.kind, fault.what, finding is not None)
    if finding is None:
        return result
    player = Player(bot, flow, state, reply)
    if finding.step:
        player.act("button", bot.Input("edit", finding.step))  # 改意见N
        result.steps.append("改意见")
    else:  # no button of its own: the part's edit button under the review
        first = _first_difference(flow, bot, state.answers, goal)
        section = next(
            s for s in reply.review.sections if s.first_step.split("[")[0] in _ids(flow, first)
        )
        player.act("button", bot.Input("edit", section.first_step))
        result.steps.append("修改：部分")
    here = player.reply.prompt.step if player.reply.prompt else ""
    if fault.kind == "short" and isinstance(value_at(goal, here), str):
        goal = _with(goal, here, value_at(goal, here) + EXTRA)
    target = _first_difference(flow, bot, player.state.answers, goal)
    if target and here != target and not _inside_new_item(player, goal, here):
        if value_at(player.state.answers, target) is not MISSING:
            # /edit lists the answered questions; the user picks the one to change.
            player.act("command", bot.Input("edit", target))
            player.tally.add("button", False)  # the pick counts as its own action
            result.steps.append("/edit+选")
    player.to_review(goal)
    if _first_difference(flow, bot, player.state.answers, goal):
        # Back at the review with the fault still there (an item to add that no button
        # reaches): /back from the review, 上一步 to the part's add-or-finish step, then on.
        target = _first_difference(flow, bot, player.state.answers, goal)
        more = target.split("[", 1)[0] + "[+]"
        player.act("command", bot.Input("back"))
        while player.reply.prompt and player.reply.prompt.step not in (target, more):
            player.button("back")
        result.steps.append("/back+上一步…")
        player.to_review(goal)
    if _first_difference(flow, bot, player.state.answers, goal):
        raise RuntimeError(f"{fault.kind}: not fixed")
    result.answer = player.tally.answer
    result.around = player.tally.total - player.tally.answer
    return result


EXTRA = "全年走访农户230户，协调解决灌溉、道路等群众反映的问题41件，推动建成茶叶初加工点2处。"


def _with(answers: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    new = copy.deepcopy(answers)
    m = re.fullmatch(r"([^\[]+)\[(\d+)\]\.(.+)", key)
    if m:
        new[m.group(1)][int(m.group(2))][m.group(3)] = value
    else:
        new[key] = value
    return new


def _first_difference(flow: Any, bot: Any, answers: dict[str, Any], goal: dict[str, Any]) -> str:
    """The first step, in the interview's order, whose answer is not yet the goal's."""
    for s in bot.steps.walk(flow, goal):
        if s.more:
            continue
        if value_at(answers, s.key) != value_at(goal, s.key):
            return s.key
    return ""


def _inside_new_item(player: Player, goal: dict[str, Any], key: str) -> bool:
    m = re.fullmatch(r"([^\[]+)\[(\d+)\]\..+", key)
    if not m:
        return False
    return (
        int(m.group(2)) >= len(player.state.answers.get(m.group(1)) or []) - 1
        and value_at(player.state.answers, key) is MISSING
    )


def _ids(flow: Any, key: str) -> set[str]:
    """The question ids of the section holding this step."""
    qid = key.split("[", 1)[0].split(".", 1)[0]
    section = next(s for s in flow.sections if any(q.id == qid for q in s.questions))
    return {q.id for q in section.questions}


# -- loading a checkout ---------------------------------------------------------------------------


@dataclass
class Bot:
    engine: Any
    steps: Any
    Input: Any
    replace: Any
    load_flow: Any
    parse_answers: Any


def load_bot(repo: Path) -> Bot:
    sys.path.insert(0, str(repo))
    for name in [m for m in sys.modules if m == "bot" or m.startswith("bot.")]:
        del sys.modules[name]
    from dataclasses import replace

    engine = importlib.import_module("bot.core.engine")
    steps = importlib.import_module("bot.core.steps")
    state = importlib.import_module("bot.core.state")
    flows = importlib.import_module("bot.flows")
    answersfile = importlib.import_module("bot.core.answersfile")
    return Bot(engine, steps, state.Input, replace, flows.load_flow, answersfile.parse)


def fixture(bot: Bot, repo: Path, flow_id: str) -> tuple[Any, dict[str, Any]]:
    flow = bot.load_flow(repo / "flows" / f"{flow_id}.yaml")
    text = (HERE / "tests" / "fixtures" / "answers" / f"{flow_id}.yaml").read_text(encoding="utf-8")
    _, data = bot.parse_answers(text, {flow.id: flow})
    return flow, dict(data.answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repo", type=Path, default=HERE, help="the checkout whose engine to measure"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="what the actions were")
    args = parser.parse_args()
    bot = load_bot(args.repo.resolve())
    print(f"engine of {Path(bot.engine.__file__).parent.parent.parent}")
    print("\nthe whole content to the generated report (messages + buttons + commands):")
    for flow_id in FIXTURES:
        flow, answers = fixture(bot, args.repo, flow_id)
        tally = whole(bot, flow, answers)
        parts = " + ".join(f"{tally.counts[k]} {k}s" for k in ("message", "button", "command"))
        print(f"  {flow_id:<11} {tally.total:4d} actions = {parts}")
        if args.verbose:
            print("              " + ", ".join(f"{k} ×{n}" for k, n in tally.what.most_common()))
    flow, answers = fixture(bot, args.repo, "2022-liuge")
    print(
        "\nfixing one finding of each kind from the review (2022-liuge): actions around the answer + the answer's own"
    )
    for fault in faults(answers):
        r = fix_one(bot, flow, answers, fault)
        if not r.flagged:
            print(f"  {r.kind:<12} not flagged by this engine  ({r.what})")
            continue
        print(
            f"  {r.kind:<12} {r.around:3d} around + {r.answer} answer  ({r.what}; {' '.join(r.steps)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
