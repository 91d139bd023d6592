"""Shared helpers of the benchmark scripts: paths, the 2022-liuge flow and its fixture, figures."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python benchmarks/x.py` from anywhere: bot and tests importable
    sys.path.insert(0, str(REPO))

from bot.core.answersfile import parse as parse_answers  # noqa: E402
from bot.core.model import Flow  # noqa: E402
from bot.flows import FLOWS_DIR, load_flow  # noqa: E402

FLOW_ID = "2022-liuge"
FIXTURE = REPO / "tests" / "fixtures" / "answers" / f"{FLOW_ID}.yaml"


def liuge() -> Flow:
    """The 2022-liuge flow alone (the other shipped flows may be mid-edit)."""
    return load_flow(FLOWS_DIR / f"{FLOW_ID}.yaml")


def fixture_answers(flow: Flow) -> tuple[dict[str, Any], Any]:
    """The fixture's answers and date, checked against the flow."""
    _, answers_file = parse_answers(FIXTURE.read_text(encoding="utf-8"), {flow.id: flow})
    return answers_file.answers, answers_file.date


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) of values, linear between closest ranks; nan if empty."""
    if not values:
        return math.nan
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary_ms(values: Sequence[float], ps: Sequence[float] = (50, 90, 99)) -> str:
    """'median 0.81  p90 1.20  p99 3.10  max 9.00 ms' for values in seconds."""
    if not values:
        return "(no samples)"
    names = {50: "median"}
    parts = [f"{names.get(p, f'p{p:g}')} {pct(values, p) * 1e3:8.3f}" for p in ps]
    parts.append(f"max {max(values) * 1e3:8.3f}")
    return "  ".join(parts) + " ms"


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"
