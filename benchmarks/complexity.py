"""How the time of each text routine grows with its input: no input may cost more than linear.

Each routine runs on inputs of 1 KB, 2 KB, … up to `--max-kb` (default 1,024 KB = 1 MB),
where a KB is 1,024 characters, and the script prints the time per size and the ratio of
each time to the one before. A linear routine doubles (ratio ≈ 2, less while fixed costs
dominate); a quadratic one quadruples. Every ratio must stay ≤ 2.5; the script exits 1 if
one does not.

The inputs are realistic text (last year's report and the answers of the fixtures, repeated)
and adversarial text: runs of half-width commas (`中,,,,…`), long runs of Latin letters,
of blanks, of stray marks (`-。-。…`), prose with no case and no full stop.

Routines:
  genre      bot.report.genre.tidy (full-width marks, blanks, seams) and points
  title      bot.report.writers.docx.balanced_lines (the report title's line breaking)
  quality    bot.core.quality.check (the review's findings) over answers holding the text
  lastyear   bot.lastyear.parse_text and parse_docx (last year's report, no length cap)
  render     a whole report: build_document, then text, Markdown and .docx

    python benchmarks/complexity.py
    python benchmarks/complexity.py --max-kb 256 --only genre title
"""

from __future__ import annotations

import argparse
import copy
import gc
import io
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docx  # noqa: E402
from common import REPO, fixture_answers, liuge  # noqa: E402

from bot.core import quality, wordcount  # noqa: E402
from bot.lastyear import parse_docx, parse_text  # noqa: E402
from bot.report import genre  # noqa: E402
from bot.report.render import build_document  # noqa: E402
from bot.report.writers.docx import TITLE_CHARS_PER_LINE, balanced_lines, to_docx  # noqa: E402
from bot.report.writers.markdown import to_markdown  # noqa: E402
from bot.report.writers.text import to_text  # noqa: E402

LIMIT = 2.5
KB = 1024
BIG = 9  # index of the first input over 256 KB
LAST_YEAR = (REPO / "tests" / "fixtures" / "lastyear" / "h_prose_cases_closing.txt").read_text(
    encoding="utf-8"
)
PROSE = (
    "学习多是跟着会议安排走，联系实际思考不够深入。比如，去年组织的12次集中学习，"
    "我有3次因为下乡没有参加，也没有及时补学。对照先进找差距还不够主动，"
)


def repeat(unit: str, n: int) -> str:
    """`unit` repeated to exactly n characters."""
    return (unit * (n // len(unit) + 1))[:n]


# -- the routines and their inputs ---------------------------------------------------------


def _clear_caches() -> None:
    """Caches keyed by text would make a repeated run free; each run starts cold."""
    wordcount.zishu.cache_clear()
    quality.bigrams.cache_clear()


def genre_cases() -> dict[str, tuple[Callable[[Any], Any], Callable[[int], Any]]]:
    points = lambda items: genre.points(items)  # noqa: E731
    return {
        "tidy: prose": (genre.tidy, lambda n: repeat(PROSE, n)),
        "tidy: 中,,,,": (genre.tidy, lambda n: "中" + "," * (n - 1)),
        "tidy: ,,,,中": (genre.tidy, lambda n: "," * (n - 1) + "中"),
        "tidy: 中, . ;": (genre.tidy, lambda n: repeat("中, . ;", n)),
        "tidy: Latin run": (genre.tidy, lambda n: "镇长" + "a" * (n - 2)),
        "tidy: blanks": (genre.tidy, lambda n: "中" + " " * (n - 2) + "a"),
        "tidy: lines": (genre.tidy, lambda n: repeat("学习\n", n)),
        "full_width_marks: blanks": (genre.full_width_marks, lambda n: "a" + " " * (n - 2) + "b"),
        "points: 20 items": (points, lambda n: [repeat(PROSE, n // 20)] * 20),
    }


def title_cases() -> dict[str, tuple[Callable[[Any], Any], Callable[[int], Any]]]:
    lines = lambda title: balanced_lines(title, TITLE_CHARS_PER_LINE)  # noqa: E731
    return {
        "镇长 + Latin": (
            lines,
            lambda n: "镇长" + "a" * (n - 20) + "2022年度民主生活会对照检查材料",
        ),
        "Chinese words": (lines, lambda n: repeat("青石镇镇长2022年度民主生活会“六个带头”", n)),
        "quotes": (lines, lambda n: repeat("“六”（个）", n)),
    }


def _answers_with(text: str) -> tuple[Any, dict[str, Any], Any]:
    flow = liuge()
    answers, date = fixture_answers(flow)
    answers = copy.deepcopy(answers)
    answers["t1_problems"][0]["detail"] = text
    return flow, answers, date


def quality_cases() -> dict[str, tuple[Callable[[Any], Any], Callable[[int], Any]]]:
    def check(args: tuple[Any, dict[str, Any], list[str]]) -> Any:
        flow, answers, last_year = args
        return quality.check(flow, answers, last_year)

    def make(text: Callable[[int], str], last_year: int = 0) -> Callable[[int], Any]:
        def build(n: int) -> Any:
            flow, answers, _ = _answers_with(text(n))
            return flow, answers, [PROSE] * last_year

        return build

    return {
        "one long answer": (check, make(lambda n: repeat(PROSE, n))),
        "a sentence repeated": (check, make(lambda n: repeat("联系实际思考不够深入。", n))),
        "中,,,,": (check, make(lambda n: "中" + "," * (n - 1))),
        "with 100 of last year's": (check, make(lambda n: repeat(PROSE, n), last_year=100)),
    }


def lastyear_cases() -> dict[str, tuple[Callable[[Any], Any], Callable[[int], Any]]]:
    def text(t: str) -> Any:
        return _parse_or_refuse(lambda: parse_text(t, max_chars=None))

    def word(data: bytes) -> Any:
        return _parse_or_refuse(lambda: parse_docx(data, max_chars=None))

    def report(body: str) -> Callable[[int], str]:
        return lambda n: "一、存在的问题\n" + repeat(body, n) + "\n二、整改措施\n1.学习。"

    return {
        "a real report, repeated": (text, lambda n: repeat(LAST_YEAR, n)),
        "prose, no case, no 。": (text, report("学习不够深入")),
        "stray marks -。": (text, report("-。")),
        "one line, blanks": (text, report("学 " + " " * 50 + "a")),
        "中,,,,": (text, report("中,,,,,,,,")),
        "一是 二是 …": (text, report("一是学习；二是工作；")),
        ".docx, a real report": (word, lambda n: _docx(repeat(LAST_YEAR, n))),
    }


def _parse_or_refuse(parse: Callable[[], Any]) -> Any:
    from bot.lastyear import NotAReport

    try:
        return parse()
    except NotAReport as exc:  # refusing is an answer too; the time is what counts
        return exc


def _docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_cases() -> dict[str, tuple[Callable[[Any], Any], Callable[[int], Any]]]:
    def render(args: tuple[Any, dict[str, Any], Any]) -> Any:
        flow, answers, date = args
        doc = build_document(flow, answers, date=date)
        to_text(doc)
        to_markdown(doc)
        to_docx(doc, io.BytesIO())

    return {
        "one long answer": (render, lambda n: _answers_with(repeat(PROSE, n))),
        "中,,,,": (render, lambda n: _answers_with("中" + "," * (n - 1))),
        "Latin run": (render, lambda n: _answers_with("a" * n)),
        "many lines": (render, lambda n: _answers_with(repeat("学习不够深入\n", n))),
    }


GROUPS = {
    "genre": genre_cases,
    "title": title_cases,
    "quality": quality_cases,
    "lastyear": lastyear_cases,
    "render": render_cases,
}


# -- timing ----------------------------------------------------------------------------------


def seconds(fn: Callable[[Any], Any], arg: Any) -> float:
    """One timing of fn(arg) in CPU seconds of this process (the machine is shared: other
    programs' load does not count); quick calls are looped to at least 50 ms."""
    loops = 1
    while True:
        gc.collect()
        start = time.process_time()
        for _ in range(loops):
            _clear_caches()
            fn(arg)
        took = time.process_time() - start
        if took >= 0.05 or loops >= 1_000_000:
            return took / loops
        loops *= 10 if took < 0.005 else 2


def timings(
    fn: Callable[[Any], Any], inputs: list[Any], rounds: int
) -> tuple[list[float], list[float]]:
    """(best time of each input, ratio of each time to the one before).

    A round times every size once, in quick succession; a ratio is the median over the
    rounds of that round's ratio, so a burst of load on the shared machine, which slows
    neighbouring sizes alike, cancels out instead of making one ratio look large. Inputs
    over 256 KB are timed in three rounds at most.
    """
    runs: list[list[float]] = []
    for r in range(rounds):
        runs.append(
            [seconds(fn, arg) if r < 3 or i < BIG else math.nan for i, arg in enumerate(inputs)]
        )
    best = [min(t for run in runs if not math.isnan(t := run[i])) for i in range(len(inputs))]
    ratios = [
        statistics.median(
            run[i] / run[i - 1] for run in runs if not math.isnan(run[i]) and run[i - 1] > 0
        )
        for i in range(1, len(inputs))
    ]
    return best, ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-kb", type=int, default=1024, help="largest input, in KB of text")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of timings (the best counts)")
    parser.add_argument("--only", nargs="*", choices=sorted(GROUPS), help="these groups only")
    args = parser.parse_args()
    sizes = []
    kb = 1
    while kb <= args.max_kb:
        sizes.append(kb * KB)
        kb *= 2
    worst: list[tuple[float, str]] = []
    for group in args.only or GROUPS:
        print(f"\n== {group} ==", flush=True)
        for name, (fn, make) in GROUPS[group]().items():
            times, ratios = timings(fn, [make(n) for n in sizes], args.repeat)
            top = max(ratios, default=0.0)
            worst.append((top, f"{group}: {name}"))
            print(
                f"{name:28s} {times[0] * 1e3:9.3f} ms at 1 KB → {times[-1] * 1e3:10.1f} ms at "
                f"{sizes[-1] // KB} KB; ratio per doubling: "
                + " ".join(f"{r:.2f}" for r in ratios)
                + f"  (max {top:.2f}{'' if top <= LIMIT else '  OVER ' + str(LIMIT)})",
                flush=True,
            )
    top, name = max(worst)
    ok = top <= LIMIT
    print(
        f"\nlargest ratio per doubling: {top:.2f} ({name}); limit {LIMIT}: {'met' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
