"""One answer through the engine and the storage commit: Interviews.answer on a file database.

Many interviews of the 2022-liuge flow are played through `bot.service.Interviews` (the code
both adapters use), with realistic inputs derived from tests/fixtures/answers/2022-liuge.yaml:
one-line texts, long texts sent as several pieces and then 完成, repeat items added and
finished, optional questions skipped, now and then a too-short answer that is refused (and
logged). Each Interviews.answer call is timed, and inside it engine.step, Storage.save and
its COMMIT statement.

The database is a file in a temporary directory, opened by bot.storage.Storage exactly as the
bot opens it (WAL, synchronous=FULL). `--synchronous NORMAL` switches this benchmark's
connection to NORMAL after opening, to show what the per-commit fsync costs; the project's
setting is not changed.

    python benchmarks/engine.py                       # 10,000 answers, FULL and NORMAL
    python benchmarks/engine.py --answers 20000 --synchronous FULL
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fixture_answers, liuge, pct, summary_ms, verdict  # noqa: E402

import bot.core.engine  # noqa: E402
import bot.core.steps  # noqa: E402
from bot.core.conditions import holds  # noqa: E402
from bot.core.model import Flow, Question  # noqa: E402
from bot.core.state import DONE, REVIEW, Input  # noqa: E402
from bot.core.steps import context  # noqa: E402
from bot.service import Interviews  # noqa: E402
from bot.storage import Storage  # noqa: E402

TARGET_MEDIAN_MS = 1.0
TARGET_P99_MS = 5.0


# -- what a user types ------------------------------------------------------------------------


def pieces(text: str, rng: random.Random) -> list[str]:
    """A long answer as a person sends it: one to three messages, cut after a sentence or
    clause mark."""
    cuts = [m.end() for m in re.finditer(r"[。；，]", text) if m.end() < len(text)]
    n = min(len(cuts), rng.choice((0, 1, 1, 2)))
    chosen = sorted(rng.sample(cuts, n)) if n else []
    bounds = [0, *chosen, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]


def vary(flow: Flow, full: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One user's answers: a random subset of the fixture's, in its words."""
    answers: dict[str, Any] = {}
    for section in flow.sections:
        for q in section.questions:
            value = full.get(q.id)
            if q.kind == "repeat":
                items = [dict(i) for i in value or []]
                rng.shuffle(items)
                count = rng.randint(q.min, max(q.min, len(items)))
                items = items[:count]
                for item in items:
                    for sub in q.questions:
                        if sub.optional and rng.random() < 0.3:
                            item[sub.id] = None
                answers[q.id] = items
            elif q.kind == "yesno":
                answers[q.id] = rng.random() < 0.6
            elif q.optional and rng.random() < 0.3:
                answers[q.id] = None
            else:
                answers[q.id] = value
    return answers


def script(flow: Flow, answers: dict[str, Any], rng: random.Random) -> Iterator[Input]:
    """The inputs that play `answers` through the flow, ending with 生成报告."""

    def one(q: Question, value: Any) -> Iterator[Input]:
        if value is None:
            yield Input("skip")
        elif q.kind == "long_text":
            for piece in pieces(value, rng):
                yield Input.text(piece)
            yield Input("done")
        elif q.kind == "yesno":
            yield Input.choose("yes" if value else "no")
        elif q.kind == "choice":
            yield Input.choose(value)
        else:
            if q.min_chars and rng.random() < 0.03:
                yield Input.text(value[:1])  # too short: refused, logged, asked again
            yield Input.text(value)

    for section in flow.sections:
        for q in section.questions:
            if not holds(q.when, context(flow, answers)):
                continue
            if q.kind != "repeat":
                yield from one(q, answers.get(q.id))
                continue
            items = answers.get(q.id) or []
            for i, item in enumerate(items):
                if i >= q.min:
                    yield Input.choose("add")
                for sub in q.questions:
                    if holds(sub.when, {**context(flow, answers), "item": item}):
                        yield from one(sub, item.get(sub.id))
            if len(items) < q.max:
                yield Input.choose("done")
    yield Input("done")  # at the review: 生成报告


# -- timing hooks (runtime wrappers in this process only; bot/ is not modified) -------------


class Clock:
    """Seconds spent in each hooked call during the current answer."""

    def __init__(self) -> None:
        self.now: Counter[str] = Counter()

    def wrap(self, name: str, fn):
        now = self.now

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                now[name] += time.perf_counter() - t

        return timed


class TimedConnection:
    """Forwards to a sqlite3.Connection, timing COMMIT statements."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock):
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_clock", clock)

    def execute(self, sql, *args):
        if sql.strip().upper() == "COMMIT":
            t = time.perf_counter()
            try:
                return self._conn.execute(sql, *args)
            finally:
                self._clock.now["commit"] += time.perf_counter() - t
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __setattr__(self, name, value):
        setattr(self._conn, name, value)


def open_storage(path: Path, synchronous: str, clock: Clock) -> Storage:
    storage = Storage(path)
    if synchronous != "FULL":
        storage.db.conn.execute(f"PRAGMA synchronous={synchronous}")
    mode = storage.db.conn.execute("PRAGMA synchronous").fetchone()[0]
    expected = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}[synchronous]
    if mode != expected:
        raise SystemExit(f"could not set synchronous={synchronous} (got {mode})")
    storage.db.conn = TimedConnection(storage.db.conn, clock)
    storage.save = clock.wrap("save", storage.save)
    return storage


# -- the run ------------------------------------------------------------------------------------


def run(
    flow: Flow, full: dict[str, Any], synchronous: str, n_answers: int, seed: int, folder: Path
) -> dict[str, Any]:
    clock = Clock()
    db = folder / f"bench-{synchronous.lower()}.db"
    storage = open_storage(db, synchronous, clock)
    interviews = Interviews(storage, {flow.id: flow})
    original_step = bot.core.engine.step
    bot.core.engine.step = clock.wrap("engine", original_step)  # service calls engine.step
    original_walk = bot.core.steps.walk
    walk_count = [0]

    def counting_walk(*args, **kwargs):
        walk_count[0] += 1
        return original_walk(*args, **kwargs)

    # The engine's own calls look the name up at call time, so this sees all of them.
    bot.core.steps.walk = clock.wrap("walk", counting_walk)
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {k: [] for k in ("total", "engine", "walk", "save", "commit")}
    review: list[bool] = []  # whether the answer showed the review (quality checks run)
    walks: list[int] = []
    kinds: Counter[str] = Counter()
    counted = 0
    interviews_done = 0
    source = 0
    started = time.monotonic()
    last_report = started
    try:
        warmup = True
        while counted < n_answers:
            owner = f"bench:{interviews_done}"
            interview = interviews.start(owner, flow.id).interview
            for inp in script(flow, vary(flow, full, rng), rng):
                source += 1
                clock.now.clear()
                walk_count[0] = 0
                before = interview.state.cursor
                t = time.perf_counter()
                outcome = interviews.answer(interview, inp, f"bench:{source}")
                total = time.perf_counter() - t
                if outcome is None:
                    raise SystemExit(f"answer {source} was treated as a duplicate")
                interview = outcome.interview
                if warmup:
                    continue
                samples["total"].append(total)
                for key in ("engine", "walk", "save", "commit"):
                    samples[key].append(clock.now[key])
                kinds[_kind(inp)] += 1
                review.append(before in (REVIEW, DONE) or interview.state.cursor in (REVIEW, DONE))
                walks.append(walk_count[0])
                counted += 1
            if interview.state.cursor != DONE:
                raise SystemExit(
                    f"interview {interview.id} did not finish: {interview.state.cursor}"
                )
            interviews_done += 1
            warmup = False
            if time.monotonic() - last_report >= 5:
                last_report = time.monotonic()
                print(
                    f"  … {counted:,}/{n_answers:,} answers, {interviews_done} interviews, "
                    f"median so far {pct(samples['total'], 50) * 1e3:.3f} ms",
                    flush=True,
                )
    finally:
        bot.core.engine.step = original_step
        bot.core.steps.walk = original_walk
        size = db.stat().st_size + (
            Path(f"{db}-wal").stat().st_size if Path(f"{db}-wal").exists() else 0
        )
        storage.close()
    return {
        "samples": samples,
        "kinds": kinds,
        "review": review,
        "walks": walks,
        "interviews": interviews_done - 1,  # the first one was the warm-up
        "seconds": time.monotonic() - started,
        "db_bytes": size,
    }


def _kind(inp: Input) -> str:
    if inp.kind == "text":
        return "text"
    if inp.kind == "choose":
        return {"add": "repeat add", "done": "repeat finish"}.get(inp.value, "yes/no")
    return {"done": "完成/生成报告", "skip": "skip"}.get(inp.kind, inp.kind)


def fsync_probe(folder: Path, count: int = 200) -> list[float]:
    """The raw cost of fsync after a 4 KB append on this file system."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    times = []
    try:
        for _ in range(count):
            os.write(fd, b"x" * 4096)
            t = time.perf_counter()
            os.fsync(fd)
            times.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        path.unlink()
    return times


def report(synchronous: str, result: dict[str, Any]) -> None:
    s = result["samples"]
    n = len(s["total"])
    label = "the project's setting" if synchronous == "FULL" else "benchmark-only switch"
    print(f"\nsynchronous={synchronous} ({label}), WAL")
    print(
        f"  {n:,} timed answers in {result['interviews']} interviews "
        f"(+1 warm-up interview), {result['seconds']:.1f} s, database {result['db_bytes'] / 1e6:.1f} MB"
    )
    mix = ", ".join(f"{k} {v:,}" for k, v in result["kinds"].most_common())
    print(f"  input mix: {mix}")
    rows = [
        ("Interviews.answer (engine + storage)", s["total"]),
        ("  engine.step only", s["engine"]),
        ("    of which steps.walk() (all calls)", s["walk"]),
        ("  Storage.save (writes + commit)", s["save"]),
        ("    of which COMMIT (WAL write + fsync)", s["commit"]),
    ]
    for name, values in rows:
        print(f"  {name:<43} {summary_ms(values)}")
    flags = result["review"]
    for label, want in (
        ("steps that do not show the review", False),
        ("steps that show the review", True),
    ):
        total = [v for v, r in zip(s["total"], flags, strict=True) if r is want]
        engine_only = [v for v, r in zip(s["engine"], flags, strict=True) if r is want]
        print(f"  {label} ({len(total):,}):")
        print(f"    {'Interviews.answer':<41} {summary_ms(total)}")
        print(f"    {'engine.step only':<41} {summary_ms(engine_only)}")
    walks = result["walks"]
    print(
        f"  steps.walk() calls per engine.step: mean {sum(walks) / len(walks):.1f}, "
        f"max {max(walks)} (each walk evaluates every question's `when`)"
    )
    median, p99 = pct(s["total"], 50) * 1e3, pct(s["total"], 99) * 1e3
    print(
        f"  target median ≤ {TARGET_MEDIAN_MS:g} ms: {verdict(median <= TARGET_MEDIAN_MS)} "
        f"({median:.3f} ms); p99 ≤ {TARGET_P99_MS:g} ms: {verdict(p99 <= TARGET_P99_MS)} "
        f"({p99:.3f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Time one answer through engine + SQLite commit (Interviews.answer).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--answers", type=int, default=10_000, help="timed answers per setting (≥ 1)")
    p.add_argument(
        "--synchronous",
        choices=("FULL", "NORMAL", "both"),
        default="both",
        help="PRAGMA synchronous of the benchmark connection; FULL is the project's setting",
    )
    p.add_argument("--seed", type=int, default=2022, help="seed of the simulated users")
    p.add_argument("--dir", type=Path, help="where to put the database (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the database files")
    args = p.parse_args(argv)
    if args.answers < 1:
        p.error("--answers must be at least 1")

    flow = liuge()
    full, _ = fixture_answers(flow)
    folder = Path(tempfile.mkdtemp(prefix="duizhao-engine-", dir=args.dir))
    modes = ("FULL", "NORMAL") if args.synchronous == "both" else (args.synchronous,)
    print(f"engine + storage benchmark: flow {flow.id}, {args.answers:,} answers per setting")
    print(
        f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs"
    )
    print(f"database folder {folder}")
    results = {}
    try:
        probe = fsync_probe(folder)
        print(f"raw fsync after a 4 KB append here: {summary_ms(probe)}")
        for mode in modes:
            print(f"running synchronous={mode} …", flush=True)
            results[mode] = run(flow, full, mode, args.answers, args.seed, folder)
        for mode in modes:
            report(mode, results[mode])
        if len(results) == 2:
            full_s, normal_s = results["FULL"]["samples"], results["NORMAL"]["samples"]
            print("\nwhat synchronous=FULL costs over NORMAL here (same inputs, same seed):")
            for name, key in (("per answer", "total"), ("per COMMIT", "commit")):
                d50 = (pct(full_s[key], 50) - pct(normal_s[key], 50)) * 1e3
                d99 = (pct(full_s[key], 99) - pct(normal_s[key], 99)) * 1e3
                print(f"  {name:<11} median +{d50:.3f} ms, p99 +{d99:.3f} ms")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
