"""How right the review is about which measures answer which problems, and about causes.

Plays every case of benchmarks/data/links.yaml (19 reports, hand-labelled) through the public
review checks of bot/core/quality.py, exactly as the review calls them, and prints:

- pairs: precision and recall of `quality.links` over every measure × problem pair;
- "第N条措施看不出针对哪个问题" (unlinked): how often the finding is right (precision; the target
  is ≥ 90 %), and how many of the measures that answer nothing it finds (recall);
- "…方面的问题还没有对应的整改措施" (uncovered): the same for themes;
- "…像是把问题换了个说法" (restated): the same for causes that restate a problem.

    .venv/bin/python benchmarks/links.py            # --cases fixture --show-wrong
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from common import REPO

from bot.core import quality
from bot.core.loader import parse_flow
from bot.core.model import Flow
from bot.core.yamltext import load_yaml

DATA = REPO / "benchmarks" / "data" / "links.yaml"


@dataclass
class Score:
    """Counts of one yes/no decision against the labels."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, said: bool, truth: bool, what: str) -> None:
        if said and truth:
            self.tp += 1
        elif said:
            self.fp += 1
            self.wrong.append(f"false alarm: {what}")
        elif truth:
            self.fn += 1
            self.wrong.append(f"missed: {what}")

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    def line(self, name: str) -> str:
        return (
            f"{name:<44} precision {self.precision:6.1%} ({self.tp}/{self.tp + self.fp})"
            f"   recall {self.recall:6.1%} ({self.tp}/{self.tp + self.fn})"
        )


def case_flow(case: dict[str, Any]) -> Flow:
    """A flow with one problems section per theme of the case, then causes and measures,
    each item a single text: what the review sees of a report, nothing else."""
    themes = list(dict.fromkeys(p["theme"] for p in case["problems"]))
    sections = [
        {
            "id": theme,
            "title": f"在{theme}方面",
            "questions": [_repeat(f"{theme}_problems", "problems")],
        }
        for theme in themes
    ]
    sections.append(
        {
            "id": "tail",
            "title": "原因和措施",
            "questions": [_repeat("causes", "causes"), _repeat("measures", "measures")],
        }
    )
    flow = {
        "id": "bench",
        "title": "评测",
        "version": 1,
        "meeting": "民主生活会",
        "year": 2022,
        "template": "none.j2",
        "sections": sections,
    }
    return parse_flow(_yaml(flow), f"{case['id']}.yaml")


def _repeat(qid: str, role: str) -> dict[str, Any]:
    return {
        "id": qid,
        "kind": "repeat",
        "role": role,
        "prompt": qid,
        "min": 0,
        "max": 20,
        "questions": [{"id": "text", "kind": "long_text", "prompt": "内容"}],
    }


def _yaml(data: Any) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def case_answers(case: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for p in case["problems"]:
        answers.setdefault(f"{p['theme']}_problems", []).append({"text": p["text"]})
    answers["causes"] = [{"text": c["text"]} for c in case["causes"]]
    answers["measures"] = [{"text": m["text"]} for m in case["measures"]]
    return answers


def score(cases: Iterable[dict[str, Any]]) -> dict[str, Score]:
    scores = {k: Score() for k in ("pairs", "unlinked", "uncovered", "restated")}
    for case in cases:
        flow, answers = case_flow(case), case_answers(case)
        problem_ids = [p["id"] for p in sorted(case["problems"], key=_theme_order(case))]
        steps = {f"measures[{i}].text": m for i, m in enumerate(case["measures"])}
        linked = {link.measure.step: link for link in quality.links(flow, answers)}
        pieces = quality.problems(flow, answers)
        ids_of = {piece.step: pid for piece, pid in zip(pieces, problem_ids, strict=True)}
        findings = quality.check(flow, answers)
        for step, measure in steps.items():
            said = {ids_of[p.step] for p in linked[step].problems}
            for pid in problem_ids:
                scores["pairs"].add(
                    pid in said, pid in measure["answers"], f"{case['id']} {measure['id']}→{pid}"
                )
            flagged = any(f.kind == "unlinked" and f.step == step for f in findings)
            scores["unlinked"].add(
                flagged, not measure["answers"], f"{case['id']} {measure['id']} answers nothing"
            )
        answered = {pid for m in case["measures"] for pid in m["answers"]}
        themes = dict.fromkeys(p["theme"] for p in case["problems"])
        for theme in themes:
            title = quality._short(f"在{theme}方面")
            flagged = any(f.kind == "uncovered" and f"“{title}”" in f.message for f in findings)
            truth = not any(p["theme"] == theme and p["id"] in answered for p in case["problems"])
            scores["uncovered"].add(flagged, truth, f"{case['id']} theme {theme} has no measure")
        for i, cause in enumerate(case["causes"]):
            step = f"causes[{i}].text"
            flagged = any(f.kind == "restated" and f.step == step for f in findings)
            scores["restated"].add(
                flagged, bool(cause.get("restates")), f"{case['id']} {cause['id']} restates"
            )
    return scores


def _theme_order(case: dict[str, Any]):
    """Problems in the order the flow lists them: by theme (first appearance), then as given."""
    order = {t: i for i, t in enumerate(dict.fromkeys(p["theme"] for p in case["problems"]))}
    return lambda p: order[p["theme"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", help="only cases whose id contains this (e.g. fixture)")
    parser.add_argument("--show-wrong", action="store_true", help="list every wrong decision")
    args = parser.parse_args()
    cases = load_yaml(DATA.read_text(encoding="utf-8"))["cases"]
    if args.cases:
        cases = [c for c in cases if args.cases in c["id"]]
    scores = score(cases)
    pairs = sum(len(c["problems"]) * len(c["measures"]) for c in cases)
    print(f"{len(cases)} cases, {pairs} measure × problem pairs ({DATA.relative_to(REPO)})")
    print(scores["pairs"].line("measure answers problem (pairs)"))
    print(scores["unlinked"].line("finding: measure answers no problem"))
    print(scores["uncovered"].line("finding: theme has no measure"))
    print(scores["restated"].line("finding: cause restates a problem"))
    if args.show_wrong:
        for name, s in scores.items():
            for line in s.wrong:
                print(f"  [{name}] {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
