"""benchmarks/effort.py's count, for a user who writes the genre's way.

The same fixtures and the same shortest path, except how problems, causes and measures are
sent: each as one message written as the genre writes it (the verdict sentence, the detail,
then 比如 and the case; a measure's heading, then its body), the next one typed right at
"再加一个？" instead of pressing it first; and, the second figure, each part's items pasted
at once as a numbered list (1. … 2. …). Whatever the engine reads differently from the
fixture is corrected the way effort.py's player corrects anything, and those actions count.

    .venv/bin/python benchmarks/effort_genre.py [--repo CHECKOUT] [-v]
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import effort  # noqa: E402  (the benchmark next to this one)

ROLES = ("problems", "causes", "measures")
_ITEM = re.compile(r"([^\[]+)\[(\d+)\]\.(.+)")


def compose(q: Any, item: dict[str, Any]) -> str:
    """One item as one message, the genre's way."""
    texts = [str(item[s.id]).strip() for s in q.questions if s.id != "case" and item.get(s.id)]
    message = "".join(t if t.endswith(("。", "！", "？", "；")) else f"{t}。" for t in texts)
    if item.get("case"):
        message += f"比如，{item['case']}"
    return message


class GenrePlayer(effort.Player):
    """Sends a new problem, cause or measure whole; with `paste`, all of a part's at once."""

    def __init__(self, *args: Any, paste: bool = False) -> None:
        super().__init__(*args)
        self.paste = paste

    def _new_item(self, key: str) -> tuple[Any, int] | None:
        """The repeat and item index when `key` is the first question of a new item."""
        m = _ITEM.fullmatch(key)
        if not m:
            return None
        q = self.flow.question(m.group(1))
        index = int(m.group(2))
        items = self.state.answers.get(q.id) or []
        fresh = index >= len(items) or not items[index]
        if q.role not in ROLES or m.group(3) != q.questions[0].id or not fresh:
            return None
        return q, index

    def _send_items(self, q: Any, index: int, goal: dict[str, Any]) -> None:
        wanted = (goal.get(q.id) or [])[index:]
        if self.paste and len(wanted) > 1:
            text = "\n".join(f"{i}. {compose(q, item)}" for i, item in enumerate(wanted, 1))
        else:
            text = compose(q, wanted[0])
        self.act("message", self.bot.Input.text(text), True)

    def answer(self, goal: dict[str, Any]) -> None:
        new = self._new_item(self.reply.prompt.step)
        if new is None:
            super().answer(goal)
            return
        self._send_items(*new, goal)

    def more(self, goal: dict[str, Any]) -> None:
        qid = self.reply.prompt.step.split("[", 1)[0]
        q = self.flow.question(qid)
        have = len(self.state.answers.get(qid) or [])
        if q.role in ROLES and have < len(goal.get(qid) or []):
            self._send_items(q, have, goal)  # typed at "再加一个？": the next item
            return
        super().more(goal)


def whole(bot: Any, flow: Any, answers: dict[str, Any], paste: bool) -> effort.Tally:
    state, reply = bot.engine.start(flow)
    player = GenrePlayer(bot, flow, state, reply, paste=paste)
    player.to_review(answers)
    player.button("choose", "done")  # 生成报告
    if not player.state.finished:
        raise RuntimeError("the report was not generated")
    if report_text(flow, player.state.answers) != report_text(flow, answers):
        raise RuntimeError("the report differs from the fixture's")
    return player.tally


def report_text(flow: Any, answers: dict[str, Any]) -> str:
    """The report as text: what must come out the same, however the answers were split (a
    problem's verdict kept apart as its summary reads as the detail's first sentence)."""
    render = importlib.import_module("bot.report.render")
    text = importlib.import_module("bot.report.writers.text")
    doc = render.build_document(flow, answers, date=datetime.date(2023, 1, 10))
    return text.to_text(doc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=effort.HERE, help="the checkout to measure")
    parser.add_argument("-v", "--verbose", action="store_true", help="what the actions were")
    args = parser.parse_args()
    bot = effort.load_bot(args.repo.resolve())
    print(f"engine of {Path(bot.engine.__file__).parent.parent.parent}")
    for paste, how in ((False, "one message per item"), (True, "each part's items pasted at once")):
        print(f"\nthe whole content to the generated report, {how}:")
        for flow_id in effort.FIXTURES:
            flow, answers = effort.fixture(bot, args.repo, flow_id)
            tally = whole(bot, flow, answers, paste)
            parts = " + ".join(f"{tally.counts[k]} {k}s" for k in ("message", "button", "command"))
            print(f"  {flow_id:<11} {tally.total:4d} actions = {parts}")
            if args.verbose:
                print(
                    "              " + ", ".join(f"{k} ×{n}" for k, n in tally.what.most_common())
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
