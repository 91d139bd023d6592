"""The cross-report check (bot/core/crosscheck.py): how right it is, and how fast.

- precision and recall of "these two members' problems (measures) say the same thing" on the
  hand-labelled benchmarks/data/duplicates.yaml, per kind and in all;
- false alarms on the five fixture reports (one fictional official, five different years,
  every problem distinct), compared as if five members had submitted them;
- the time of the whole check for a meeting of M members × T themes × P problems (default
  30 × 6 × 3, plus 5 measures each), the median of --runs runs; the target is ≤ 1 s.

    .venv/bin/python benchmarks/crosscheck.py            # --show-wrong --members 30 --runs 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from common import REPO
from links import Score

from bot.core import crosscheck
from bot.core.answersfile import parse as parse_answers
from bot.core.crosscheck import Member
from bot.core.loader import parse_flow
from bot.core.model import Flow
from bot.core.yamltext import dump_yaml, load_yaml
from bot.flows import load_all

DATA = REPO / "benchmarks" / "data" / "duplicates.yaml"
FIXTURES = REPO / "tests" / "fixtures" / "answers"


def score(pairs: list[dict[str, Any]]) -> dict[str, Score]:
    scores = {"problem": Score(), "measure": Score(), "all": Score()}
    for pair in pairs:
        value = crosscheck.similarity(pair["a"], pair["b"])
        said = value >= crosscheck.SAME
        what = f"{pair['id']} ({value:.2f}) {pair.get('note', '')}"
        scores[pair["kind"]].add(said, pair["same"], what)
        scores["all"].add(said, pair["same"], what)
    return scores


def fixture_alarms() -> tuple[int, list[str]]:
    """Twins between the fixture reports (each its own flow, so items are compared directly)."""
    flows = load_all()
    items = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        flow, answers = parse_answers(path.read_text(encoding="utf-8"), flows)
        member = Member(path.stem, path.stem, answers.answers)
        items += crosscheck.problems_of(flow, member) + crosscheck.measures_of(flow, member)
    twins = crosscheck.twins(items)
    return len(items), [
        f"{t.a.member.name} {t.a.label} ~ {t.b.member.name} {t.b.label} ({t.similarity:.2f})"
        for t in twins
    ]


def meeting_flow(themes: int) -> Flow:
    """A flow of `themes` problem sections (summary, detail, case) and one measures section."""
    item = [
        {"id": "summary", "kind": "text", "prompt": "概括"},
        {"id": "detail", "kind": "long_text", "prompt": "表现"},
        {"id": "case", "kind": "long_text", "prompt": "实例"},
    ]
    sections = [
        {
            "id": f"t{n}",
            "title": f"在第{n}个方面",
            "questions": [
                {
                    "id": f"t{n}_problems",
                    "kind": "repeat",
                    "role": "problems",
                    "prompt": "问题",
                    "min": 1,
                    "max": 6,
                    "questions": item,
                }
            ],
        }
        for n in range(1, themes + 1)
    ]
    measure = [
        {"id": "heading", "kind": "text", "prompt": "标题"},
        {"id": "body", "kind": "long_text", "prompt": "做法"},
    ]
    sections.append(
        {
            "id": "measures",
            "title": "整改措施",
            "questions": [
                {
                    "id": "measures",
                    "kind": "repeat",
                    "role": "measures",
                    "prompt": "措施",
                    "min": 2,
                    "max": 8,
                    "questions": measure,
                }
            ],
        }
    )
    flow = {
        "id": "bench",
        "title": "评测",
        "version": 1,
        "meeting": "民主生活会",
        "year": 2024,
        "template": "none.j2",
        "sections": sections,
    }
    return parse_flow(dump_yaml(flow), "bench.yaml", lambda _: True)


def meeting(
    members: int, themes: int, per_theme: int, pairs: list[dict[str, Any]]
) -> tuple[Flow, list[Member]]:
    """Members whose problems and measures are drawn from the labelled texts (so some repeat)."""
    rng = random.Random(16)
    problems = [p[k] for p in pairs if p["kind"] == "problem" for k in ("a", "b")]
    measures = [p[k] for p in pairs if p["kind"] == "measure" for k in ("a", "b")]
    flow = meeting_flow(themes)
    result = []
    for m in range(members):
        answers: dict[str, Any] = {}
        for t in range(1, themes + 1):
            answers[f"t{t}_problems"] = [_problem(rng.choice(problems)) for _ in range(per_theme)]
        answers["measures"] = [
            {"heading": text[:10], "body": text[10:]} for text in rng.sample(measures, 5)
        ]
        result.append(Member(f"m{m}", f"成员{m + 1}", answers))
    return flow, result


def _problem(text: str) -> dict[str, str]:
    summary, _, rest = text.partition("。")
    detail, _, case = rest.partition("比如")
    return {"summary": summary, "detail": detail, "case": "比如" + case if case else ""}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-wrong", action="store_true", help="list every wrong decision")
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--themes", type=int, default=6)
    parser.add_argument("--problems", type=int, default=3, help="problems per theme")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    pairs = load_yaml(DATA.read_text(encoding="utf-8"))["pairs"]
    scores = score(pairs)
    print(f"{len(pairs)} labelled pairs ({DATA.relative_to(REPO)}), threshold {crosscheck.SAME}")
    for kind, s in scores.items():
        print(s.line(f"same {kind}"))
    if args.show_wrong:
        for line in scores["all"].wrong:
            print(f"  {line}")

    count, alarms = fixture_alarms()
    print(f"fixture reports: {count} problems and measures, {len(alarms)} false alarms")
    for line in alarms:
        print(f"  {line}")

    flow, members = meeting(args.members, args.themes, args.problems, pairs)
    times = []
    for _ in range(args.runs):
        crosscheck.bigrams.cache_clear()  # each run reads the texts afresh
        start = time.perf_counter()
        result = crosscheck.crosscheck(flow, members)
        times.append(time.perf_counter() - start)
    items = args.members * (args.themes * args.problems + 5)
    print(
        f"{args.members} members × {args.themes} themes × {args.problems} problems "
        f"(+5 measures each, {items} texts): median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s over {args.runs} runs; {len(result.twins)} twins found"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
