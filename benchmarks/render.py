"""Rendering a ~6,000-字 report: text, Markdown and .docx, repeated.

The answers are tests/fixtures/answers/2022-liuge.yaml (about 4,700 字 rendered), extended
with more problems (within each theme's max of 6), measures and causes, taken from the
fixture's other entries, until the rendered report reaches `--zishu` (default 6,000).

Timed, each `--runs` times after `--warmup` untimed rounds:
  build_document               template → Document (bot.report.render)
  to_text / to_markdown        Document → str
  to_docx                      Document → .docx in memory (what the bot sends)
  docx from answers            build_document + to_docx          (target: median ≤ 100 ms)
  all three, in memory         build + text + docx + Markdown, as the bot's /report does
  render_files                 build once, write .docx .md .txt to a temp dir (target ≤ 150 ms)

    python benchmarks/render.py
    python benchmarks/render.py --runs 100 --zishu 8000
"""

from __future__ import annotations

import argparse
import copy
import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fixture_answers, liuge, pct, summary_ms, verdict  # noqa: E402

from bot.core.model import Flow  # noqa: E402
from bot.report.render import build_document, render_files  # noqa: E402
from bot.report.writers.docx import to_docx  # noqa: E402
from bot.report.writers.markdown import to_markdown  # noqa: E402
from bot.report.writers.text import to_text  # noqa: E402

TARGET_DOCX_MS = 100.0
TARGET_ALL_MS = 150.0


def extended(flow: Flow, answers: dict[str, Any], date, target: int) -> dict[str, Any]:
    """The fixture's answers with problems, measures and causes added until ≥ target 字."""
    result = copy.deepcopy(answers)
    themes = [s.id for s in flow.sections if flow.has_question(f"{s.id}_problems")]
    donors = [p for t in themes for p in answers[f"{t}_problems"]]
    limits = {q: flow.question(q).max for q in ("measures", "causes")}
    step = 0
    while build_document(flow, result, date=date).zishu < target:
        if step > 200:
            raise SystemExit(f"could not reach {target} 字 within the flow's limits")
        theme = themes[step % len(themes)]
        key = f"{theme}_problems"
        if len(result[key]) < flow.question(key).max:
            donor = copy.deepcopy(donors[(step * 7 + 3) % len(donors)])
            donor["summary"] = f"{donor['summary']}（续{step + 1}）"
            result[key].append(donor)
        if step % 3 == 2:
            for q in ("measures", "causes"):
                if len(result[q]) < limits[q]:
                    result[q].append(copy.deepcopy(answers[q][step % len(answers[q])]))
        step += 1
    return result


def time_it(fn: Callable[[], Any], runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Time text + Markdown + .docx rendering of a ~6,000-字 report.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--runs", type=int, default=50, help="timed runs per measurement (≥ 30)")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs before timing")
    p.add_argument("--zishu", type=int, default=6000, help="report size to build, in 字")
    args = p.parse_args(argv)
    if args.runs < 30:
        p.error("--runs must be at least 30")
    if not 1000 <= args.zishu <= 20000:
        p.error("--zishu must be between 1000 and 20000")

    flow = liuge()
    base, date = fixture_answers(flow)
    answers = extended(flow, base, date, args.zishu)
    doc = build_document(flow, answers, date=date)
    buf = io.BytesIO()
    to_docx(doc, buf)
    problems = sum(len(answers.get(f"{s.id}_problems") or []) for s in flow.sections)
    print(
        f"render benchmark: flow {flow.id}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"report: {doc.zishu:,} 字 (Word count), {len(to_text(doc)):,} characters of text, "
        f"{len(doc.body)} blocks; {problems} problems, {len(answers['measures'])} measures, "
        f"{len(answers['causes'])} causes; .docx {len(buf.getvalue()) / 1024:.0f} KB"
    )
    print(f"{args.runs} timed runs each after {args.warmup} warm-up runs\n")

    out = Path(tempfile.mkdtemp(prefix="duizhao-render-"))
    try:

        def docx_mem() -> None:
            to_docx(doc, io.BytesIO())

        def docx_from_answers() -> None:
            to_docx(build_document(flow, answers, date=date), io.BytesIO())

        def all_in_memory() -> None:
            d = build_document(flow, answers, date=date)
            to_text(d)
            to_docx(d, io.BytesIO())
            to_markdown(d)

        def files() -> None:
            # Removed again, so that each run writes under the same name (never overwriting,
            # render_files would otherwise number them).
            for path in render_files(flow, answers, date=date, out_dir=out, basename="report"):
                path.unlink()

        rows = [
            (
                "build_document (template → blocks)",
                lambda: build_document(flow, answers, date=date),
            ),
            ("to_text", lambda: to_text(doc)),
            ("to_markdown", lambda: to_markdown(doc)),
            ("to_docx (writer only, in memory)", docx_mem),
            ("docx from answers (build + to_docx)", docx_from_answers),
            ("all three in memory (as /report)", all_in_memory),
            ("render_files: .docx .md .txt to disk", files),
        ]
        results = {}
        for name, fn in rows:
            results[name] = time_it(fn, args.runs, args.warmup)
            print(f"  {name:<40} {summary_ms(results[name], (50, 90))}", flush=True)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(out, ignore_errors=True)

    docx_median = pct(results["docx from answers (build + to_docx)"], 50) * 1e3
    writer_median = pct(results["to_docx (writer only, in memory)"], 50) * 1e3
    all_median = pct(results["render_files: .docx .md .txt to disk"], 50) * 1e3
    mem_median = pct(results["all three in memory (as /report)"], 50) * 1e3
    print(
        f"\ntarget .docx median ≤ {TARGET_DOCX_MS:g} ms: {verdict(docx_median <= TARGET_DOCX_MS)} "
        f"({docx_median:.1f} ms from answers; writer alone {writer_median:.1f} ms)"
    )
    print(
        f"target all three median ≤ {TARGET_ALL_MS:g} ms: {verdict(all_median <= TARGET_ALL_MS)} "
        f"({all_median:.1f} ms render_files; {mem_median:.1f} ms in memory)"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
