"""N simulated users each complete a whole interview at once against the fake Bot API.

The bot runs as a separate process, `python -m bot run --poll-timeout 1` (as
tests/e2e/botprocess.py starts it), against tests/e2e/fakeapi.FakeBotAPI on 127.0.0.1. The
same load is then played against benchmarks/echo_bot.py (a bare python-telegram-bot echo
bot) on a fresh fake server: the floor. All traffic stays on loopback.

Every user plays the same compact path through the 2022-liuge flow (printed at start: the
optional questions skipped, the minimum number of repeat items, short answers that satisfy
min_chars), with their own texts, and sends each input as soon as the bot's reply to the
previous one is complete (no think time): for duizhao the message carrying the next
keyboard, for the last input the .md document; for the echo bot its one reply. A few driver
threads drive all users round-robin from a queue the fake fills as replies arrive.

Measured per run: updates handled per second; update → reply latency (from the moment the
update is queued in the fake to the bot's next sendMessage/sendDocument in that chat, taken
inside the fake under its lock); peak RSS (VmHWM) and CPU time (utime+stime) of the bot
process from /proc; answers lost (what each user typed versus the bot's SQLite database
after the bot stopped); wall time. The echo bot answers the same updates; the ratio of the
median latencies, ours to the echo bot's under the same rate limit, is printed.

    python benchmarks/load.py                       # --users 50 200 1000, all four bots
    python benchmarks/load.py --users 50 200 --variants duizhao-nolimit echo --repeat 3

Variants, in pairs: duizhao (`python -m bot run`, AIORateLimiter's 30 requests/s) with
echo-limited (benchmarks/echo_bot.py behind that same limiter); duizhao-nolimit
(benchmarks/duizhao_nolimit.py: the cap lifted) with echo (the bare echo bot). The -webhook
variants run the same bots with `BOT_WEBHOOK_URL` set: the fake POSTs each update to the
bot's endpoint (up to 40 connections, one chat at a time, as Telegram does) instead of
answering getUpdates; latency then includes the store-before-200.

    python benchmarks/load.py --users 20 --variants duizhao-nolimit duizhao-nolimit-webhook
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from common import liuge, pct, verdict  # noqa: E402

from bot.core import texts  # noqa: E402
from bot.core.conditions import holds  # noqa: E402
from bot.core.model import Flow, Question  # noqa: E402
from bot.core.steps import context  # noqa: E402
from bot.core.wordcount import zishu  # noqa: E402
from bot.telegram import texts as telegram_texts  # noqa: E402
from tests.e2e.botprocess import BotProcess  # noqa: E402
from tests.e2e.fakeapi import (  # noqa: E402
    BotMessage,
    FakeBotAPI,
    FakeUser,
    _Chat,
    _Handler,
    _Server,
)

TARGET_RATIO = 1.5  # at N = 200
TARGET_RSS_MB = 200.0  # at N = 1000
TELEGRAM_CAP = 30  # messages a second
CLK_TCK = os.sysconf("SC_CLK_TCK")

VARIANTS: dict[str, tuple[str, list[str], str]] = {
    "duizhao-webhook": (
        "duizhao run with a webhook",
        [sys.executable, "-m", "bot", "run", "--poll-timeout", "1"],
        "duizhao",
    ),
    "duizhao-nolimit-webhook": (
        "duizhao run with a webhook, 30/s rate-limit cap lifted",
        [sys.executable, str(BENCH / "duizhao_nolimit.py"), "--poll-timeout", "1"],
        "duizhao",
    ),
    "duizhao": (
        "duizhao run (python -m bot run)",
        [sys.executable, "-m", "bot", "run", "--poll-timeout", "1"],
        "duizhao",
    ),
    "echo": (
        "bare PTB echo bot (benchmarks/echo_bot.py)",
        [sys.executable, str(BENCH / "echo_bot.py"), "--poll-timeout", "1"],
        "echo",
    ),
    "duizhao-nolimit": (
        "duizhao run, 30/s rate-limit cap lifted",
        [sys.executable, str(BENCH / "duizhao_nolimit.py"), "--poll-timeout", "1"],
        "duizhao",
    ),
    "echo-limited": (
        "echo bot with duizhao's AIORateLimiter",
        [sys.executable, str(BENCH / "echo_bot.py"), "--poll-timeout", "1", "--rate-limiter"],
        "echo",
    ),
}

# What the bot says when something went wrong: a user who sees it stops (and counts as failed).
BAD_REPLIES = ("⚠️", telegram_texts.STALE, telegram_texts.ERROR[:12], telegram_texts.STALE_NOTHING)


# -- the compact path ---------------------------------------------------------------------

FILLER = "认真对照检查深入剖析根源切实抓好整改落实"


def compact_path(flow: Flow, uid: int) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    """The shortest honest path through the flow for one user: optional questions skipped,
    yes/no answered 否, choices their default or first option, repeats their minimum number
    of items, texts just over min_chars (each carrying the user's number).

    Returns the inputs (kind "text"/"click", the text or button label, where in the flow)
    and the answers the bot must have stored for them. Derived from the flow itself, so it
    follows changes to the flow file.
    """
    actions: list[tuple[str, str, str]] = [
        ("text", "/start", "start"),
        ("click", flow.title, "flow"),
    ]
    answers: dict[str, Any] = {}
    counter = 0

    def text_for(q: Question) -> str:
        nonlocal counter
        counter += 1
        value = f"用户{uid}第{counter}答"
        i = 0
        while zishu(value) < (q.min_chars or 1) + 2:
            value += FILLER[i % len(FILLER)]
            i += 1
        while q.max_chars and zishu(value) > q.max_chars:
            value = value[:-1]
        return value

    def one(q: Question, place: str) -> Any:
        if q.optional:
            actions.append(("click", texts.ACTION_SKIP, place))
            return None
        if q.kind == "yesno":
            actions.append(("click", texts.NO, place))
            return False
        if q.kind == "choice":
            option = q.option(q.default) if q.default is not None else q.options[0]
            actions.append(("click", option.label, place))
            return option.id
        if q.kind == "multi":
            actions.append(("click", q.options[0].label, place))
            actions.append(("click", texts.ACTION_DONE, place))
            return [q.options[0].id]
        value = text_for(q)
        actions.append(("text", value, place))
        if q.kind == "long_text":
            actions.append(("click", texts.ACTION_DONE, place))
        return value

    for section in flow.sections:
        for q in section.questions:
            if not holds(q.when, context(flow, answers)):
                continue
            if q.kind != "repeat":
                answers[q.id] = one(q, q.id)
                continue
            items: list[dict[str, Any]] = []
            for i in range(q.min):
                item: dict[str, Any] = {}
                for sub in q.questions:
                    if holds(sub.when, {**context(flow, answers), "item": item}):
                        item[sub.id] = one(sub, f"{q.id}[{i}].{sub.id}")
                items.append(item)
            if items:
                answers[q.id] = items
            if len(items) < q.max:
                label = texts.FINISH_PART if items else texts.SKIP_PART
                actions.append(("click", label, f"{q.id}+"))
    actions.append(("click", texts.GENERATE, "review"))
    return actions, answers


def describe_path(flow: Flow) -> str:
    """The compact path in words, section by section."""
    actions, answers = compact_path(flow, 0)
    where = {q.id: s.id for s in flow.sections for q in s.questions}
    lines: list[str] = []
    current, parts = "", []
    for kind, value, place in actions:
        section = where.get(place.split("[")[0].rstrip("+"), place)
        if section != current:
            if parts:
                lines.append(f"  {current}: " + " · ".join(parts))
            current, parts = section, []
        qid = place.split(".")[-1].rstrip("+")
        if kind == "text":
            parts.append(f"typed {qid} ({zishu(value)} 字)" if place != "start" else value)
        elif place.endswith("+") or place in ("flow", "review"):
            parts.append(value)
        else:
            parts.append(f"{value} ({qid})")
    lines.append(f"  {current}: " + " · ".join(parts))
    typed = sum(1 for v in leaves(answers).values() if isinstance(v, str))
    stored = len(leaves(answers))
    head = (
        f"compact path through {flow.id}: {len(actions)} updates per user (optional questions "
        f"skipped, yes/no = 否, repeats at their minimum, texts just over min_chars):"
    )
    tail = (
        f"  = {stored} stored answers per user ({typed} typed texts, {stored - typed} skips/choices);"
        f" 生成报告 makes the bot send the report as text, .docx and .md"
    )
    return "\n".join([head, *lines, tail])


def leaves(answers: dict[str, Any]) -> dict[tuple, Any]:
    """Every stored answer: question ids, repeat items flattened to (qid, index, sub id)."""
    out: dict[tuple, Any] = {}
    for qid, value in answers.items():
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                for sub, v in item.items():
                    out[(qid, i, sub)] = v
        else:
            out[(qid,)] = value
    return out


# -- the instrumented fake ---------------------------------------------------------------------


class CallLog:
    """Stands in for FakeBotAPI.sent: counts calls per method and keeps only the last few."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.last: deque = deque(maxlen=20)

    def append(self, call: tuple[str, dict]) -> None:
        self.counts[call[0]] += 1
        self.last.append(call)

    def __iter__(self):
        return iter(list(self.last))

    def __getitem__(self, index):
        return list(self.last)[index]


@dataclass
class Sim:
    """One simulated user and where they are in their path."""

    uid: int
    fake: FakeUser
    actions: list[tuple[str, str, str]]
    expected: dict[str, Any]
    index: int = 0
    t0: float | None = None  # when the pending update was queued
    got_first: bool = False
    rule: str = "kb"  # when the reply is complete: kb (a keyboard), md (the .md file), any
    state: str = "idle"  # running, done, failed
    reason: str = ""
    finished: float = 0.0


class _WideServer(_Server):
    # socketserver's default listen backlog is 5: a burst of new connections (a bot opening
    # dozens at once) then overflows it and requests time out (httpx ReadTimeout/ReadError)
    # although the server is idle. Telegram has no such limit, so the benchmark widens it.
    request_queue_size = 1024


class LoadAPI(FakeBotAPI):
    """The fake Bot API, timing each update to its reply and handing the users to the
    drivers when their reply is complete."""

    def start(self) -> LoadAPI:
        # FakeBotAPI.start with a wider listen backlog; everything else as in the fake.
        self._server = _WideServer(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="FakeBotAPI"
        )
        self._thread.start()
        return self

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.sent = CallLog()  # type: ignore[assignment]  # bounded instead of every call
        self.sims: dict[int, Sim] = {}
        self.ready: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.first_latency: list[float] = []
        self.step_latency: list[float] = []
        self.updates_sent = 0
        self.bad_replies: Counter[str] = Counter()
        self._serve_lock = threading.Lock()
        self.serve_seconds = 0.0
        self.serve_calls = 0

    def polls(self) -> int:
        return self.sent.counts["getUpdates"]

    def webhook_sets(self) -> int:
        return self.sent.counts["setWebhook"]

    def _handle(self, token, method, content_type, body, query, client_alive):
        if method.lower() == "getupdates":
            return super()._handle(token, method, content_type, body, query, client_alive)
        t = time.perf_counter()
        try:
            return super()._handle(token, method, content_type, body, query, client_alive)
        finally:
            spent = time.perf_counter() - t
            with self._serve_lock:
                self.serve_seconds += spent
                self.serve_calls += 1

    def _record(self, chat: _Chat, message: BotMessage) -> None:  # called holding self._cond
        super()._record(chat, message)
        sim = self.sims.get(chat.info["id"])
        if sim is None or sim.t0 is None:
            return
        now = time.perf_counter()
        if not sim.got_first:
            sim.got_first = True
            self.first_latency.append(now - sim.t0)
        text = message.text or ""
        if self.mode == "duizhao" and any(
            text.startswith(b) or b in text[:40] for b in BAD_REPLIES
        ):
            self.bad_replies[text[:60]] += 1
            sim.t0, sim.state, sim.reason = None, "failed", f"bot replied: {text[:80]!r}"
            return
        if (
            sim.rule == "any"
            or (sim.rule == "kb" and message.reply_markup and message.document is None)
            or (
                sim.rule == "md"
                and message.document is not None
                and message.document.file_name.endswith(".md")
            )
        ):
            self.step_latency.append(now - sim.t0)
            sim.t0 = None
            self.ready.put(sim.uid)


def drive(api: LoadAPI, stop: threading.Event) -> None:
    """One driver thread: give each user whose reply is complete their next input."""
    while not stop.is_set():
        try:
            uid = api.ready.get(timeout=0.2)
        except queue.Empty:
            continue
        sim = api.sims[uid]
        if sim.state != "running":
            continue
        if sim.index >= len(sim.actions):
            sim.state, sim.finished = "done", time.perf_counter()
            continue
        kind, value, _ = sim.actions[sim.index]
        try:
            with api._cond:  # no reply can be recorded before t0 and the index are set
                sim.index += 1
                api.updates_sent += 1
                sim.got_first = False
                if api.mode == "echo":
                    sim.rule = "any"
                else:
                    sim.rule = "md" if sim.index == len(sim.actions) else "kb"
                sim.t0 = time.perf_counter()
                if kind == "text":
                    sim.fake.send(value)
                elif api.mode == "echo":  # the echo bot's messages have no buttons: forge a press
                    last = next(reversed(sim.fake._chat.messages.values()))
                    sim.fake.click_data(f"b{sim.index}", last.message_id)
                else:
                    sim.fake.click(value)
        except Exception as exc:  # noqa: BLE001  # a driver thread must not die
            sim.t0, sim.state = None, "failed"
            first = (str(exc).splitlines() or [""])[0]
            sim.reason = f"input {sim.index} ({kind} {value!r}): {type(exc).__name__}: {first}"


# -- the bot process ----------------------------------------------------------------------


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_mem_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount, _ = line.split()
                values[key[:-1]] = int(amount) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def self_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


# -- one run --------------------------------------------------------------------------------


@dataclass
class Result:
    variant: str
    users: int
    finished: int = 0
    failed: int = 0
    failures: Counter = field(default_factory=Counter)
    updates: int = 0
    wall: float = 0.0
    first_latency: list[float] = field(default_factory=list)
    step_latency: list[float] = field(default_factory=list)
    rss_start: float = 0.0
    rss_peak: float = 0.0
    bot_cpu: float = 0.0
    self_cpu: float = 0.0
    serve_ms: float = 0.0
    calls: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    answers_checked: int = 0
    answers_lost: int = 0
    unexpected: int = 0
    unfinished_interviews: int = 0
    inbox_left: int = 0
    exit_code: int | None = None

    @property
    def median_ms(self) -> float:
        return pct(self.first_latency, 50) * 1e3

    @property
    def cpu_per_update_ms(self) -> float:
        return self.bot_cpu / self.updates * 1e3 if self.updates else float("nan")


def run_variant(
    variant: str, flow: Flow, n: int, drivers: int, timeout: float, stall: float, workdir: Path
) -> Result:
    title, command, mode = VARIANTS[variant]
    result = Result(variant, n)
    folder = Path(tempfile.mkdtemp(prefix=f"{variant}-{n}-", dir=workdir))
    db, log = folder / "bot.db", folder / "bot.log"
    api = LoadAPI(mode)
    api.start()
    runner = BotProcess(api, db, log, command=command, webhook=variant.endswith("-webhook"))
    stop = threading.Event()
    threads: list[threading.Thread] = []
    print(f"\n[N={n}] {title}", flush=True)
    try:
        for i in range(n):
            uid = 100_000 + i
            actions, expected = compact_path(flow, uid)
            api.sims[uid] = Sim(uid, api.user(uid, first_name=f"用户{i}"), actions, expected)
        runner.start(timeout=60)
        time.sleep(0.5)  # let start-up work (setMyCommands, first poll) finish
        result.rss_start = proc_mem_mb(runner.process.pid)[0]
        cpu0, self0 = proc_cpu_seconds(runner.process.pid), self_cpu_seconds()
        serve0 = api.serve_seconds, api.serve_calls
        threads = [
            threading.Thread(target=drive, args=(api, stop), name=f"driver-{k}", daemon=True)
            for k in range(drivers)
        ]
        for t in threads:
            t.start()
        start = time.perf_counter()
        for sim in api.sims.values():
            sim.state = "running"
            api.ready.put(sim.uid)
        last_print, last_updates, last_lat = start, 0, 0
        while True:
            time.sleep(0.25)
            now = time.perf_counter()
            sims = list(api.sims.values())
            done = sum(s.state == "done" for s in sims)
            failed = sum(s.state == "failed" for s in sims)
            if done + failed == n:
                break
            if runner.process.poll() is not None:
                for s in sims:
                    if s.state == "running":
                        s.state, s.reason = "failed", "bot process exited"
                print(f"  bot exited unexpectedly:\n{runner.output()[-2000:]}", flush=True)
                break
            if now - start > timeout:
                for s in sims:
                    if s.state == "running":
                        s.state, s.reason = "failed", f"run timeout ({timeout:.0f} s)"
                print(f"  run timeout after {timeout:.0f} s", flush=True)
                break
            for s in sims:
                t0 = s.t0
                if s.state == "running" and t0 is not None and now - t0 > stall:
                    s.state, s.reason = "failed", f"no complete reply within {stall:.0f} s"
            if now - last_print >= 10:
                with api._cond:
                    updates, lat = api.updates_sent, list(api.first_latency[last_lat:])
                rss, _ = proc_mem_mb(runner.process.pid)
                print(
                    f"  {now - start:6.0f} s: {done}/{n} users done, {failed} failed, "
                    f"{updates:,} updates ({(updates - last_updates) / (now - last_print):.1f}/s), "
                    f"median reply {pct(lat, 50) * 1e3:.1f} ms, bot RSS {rss:.0f} MB",
                    flush=True,
                )
                last_print, last_updates, last_lat = now, updates, last_lat + len(lat)
        finished_at = [s.finished for s in api.sims.values() if s.state == "done"]
        result.wall = (max(finished_at) if finished_at else time.perf_counter()) - start
        if runner.process.poll() is None:
            result.bot_cpu = proc_cpu_seconds(runner.process.pid) - cpu0
            result.rss_peak = proc_mem_mb(runner.process.pid)[1]
        result.self_cpu = self_cpu_seconds() - self0
        with api._cond:
            result.updates = api.updates_sent
            result.first_latency = list(api.first_latency)
            result.step_latency = list(api.step_latency)
            result.calls = Counter(api.sent.counts)
            result.errors = Counter(f"{m}: {d[:70]}" for m, _, d in api.errors)
        calls = api.serve_calls - serve0[1]
        result.serve_ms = (api.serve_seconds - serve0[0]) / calls * 1e3 if calls else 0.0
        result.finished = sum(s.state == "done" for s in api.sims.values())
        result.failed = sum(s.state == "failed" for s in api.sims.values())
        result.failures = Counter(s.reason for s in api.sims.values() if s.state == "failed")
    finally:
        stop.set()
        for t in threads:
            t.join(5)
        result.exit_code = runner.stop(grace=20)
        api.stop()
    if mode == "duizhao" and db.exists():
        check_database(db, api.sims, result)
    elif mode == "echo":
        # Every update got its reply, or the user would not have finished.
        result.answers_checked = result.updates
    shutil.rmtree(folder, ignore_errors=True)
    return result


def check_database(db: Path, sims: dict[int, Sim], result: Result) -> None:
    """Compare what each finished user typed with what the bot stored."""
    conn = sqlite3.connect(db)
    try:
        for sim in sims.values():
            if sim.state != "done":
                continue
            row = conn.execute(
                "select i.id, i.status from owners o join interviews i on i.id = o.active_interview"
                " where o.owner = ?",
                [f"tg:{sim.uid}"],
            ).fetchone()
            expected = leaves(sim.expected)
            result.answers_checked += len(expected)
            if row is None:
                result.answers_lost += len(expected)
                result.unfinished_interviews += 1
                continue
            if row[1] != "finished":
                result.unfinished_interviews += 1
            stored = leaves(
                {
                    qid: json.loads(value)
                    for qid, value in conn.execute(
                        "select question_id, value from answers where interview_id = ?", [row[0]]
                    )
                }
            )
            result.answers_lost += sum(1 for k, v in expected.items() if stored.get(k, ...) != v)
            result.unexpected += sum(1 for k in stored if k not in expected)
        result.inbox_left = conn.execute("select count(*) from inbox").fetchone()[0]
    finally:
        conn.close()


# -- reporting --------------------------------------------------------------------------------


def ms(values: list[float], p: float) -> str:
    return f"{pct(values, p) * 1e3:.1f}"


def report(r: Result) -> None:
    title, _, mode = VARIANTS[r.variant]
    print(f"  --- N={r.users} {title}")
    print(
        f"  users: {r.finished} finished, {r.failed} failed; updates sent {r.updates:,}; "
        f"wall time {r.wall:.1f} s"
    )
    for reason, count in r.failures.most_common(5):
        print(f"    failed ×{count}: {reason}")
    print(f"  throughput: {r.updates / r.wall if r.wall else 0:.1f} updates handled per second")
    print(
        f"  update → first reply: median {ms(r.first_latency, 50)} ms, p90 {ms(r.first_latency, 90)},"
        f" p99 {ms(r.first_latency, 99)}, max {max(r.first_latency, default=0) * 1e3:.1f} ms"
    )
    print(
        f"  update → complete reply ({'next keyboard / .md file' if mode == 'duizhao' else 'its one message'}):"
        f" median {ms(r.step_latency, 50)} ms, p99 {ms(r.step_latency, 99)} ms"
    )
    share = r.cpu_per_update_ms / 1e3 * TELEGRAM_CAP * 100
    print(
        f"  bot process: RSS {r.rss_start:.0f} MB after start, peak (VmHWM) {r.rss_peak:.0f} MB; "
        f"CPU {r.bot_cpu:.1f} s = {r.cpu_per_update_ms:.2f} ms per update "
        f"({r.bot_cpu / r.wall * 100 if r.wall else 0:.0f}% of a core during the run)"
    )
    print(
        f"    at Telegram's cap of ~{TELEGRAM_CAP} messages/s (≈ updates/s): "
        f"{r.cpu_per_update_ms:.2f} ms × {TELEGRAM_CAP} = {share:.1f}% of one core"
    )
    sends = r.calls["sendMessage"] + r.calls["sendDocument"]
    print(
        f"  bot API calls: {sends:,} messages sent ({r.calls['sendDocument']:,} documents), "
        f"{r.calls['answerCallbackQuery']:,} answerCallbackQuery, {r.calls['getUpdates']:,} getUpdates"
    )
    print(
        f"  fake server + drivers (this process): CPU {r.self_cpu / r.wall * 100 if r.wall else 0:.0f}% "
        f"of a core, {r.serve_ms:.2f} ms wall per API call handled"
    )
    if mode == "duizhao":
        print(
            f"  answers lost: {r.answers_lost} of {r.answers_checked:,} checked in the bot's database "
            f"({r.unfinished_interviews} interviews not finished, {r.unexpected} unexpected answers, "
            f"{r.inbox_left} inbox rows left)"
        )
    else:
        print(
            f"  replies missing: 0 of {r.answers_checked:,} updates"
            if r.failed == 0
            else f"  replies missing: {r.failed} users stalled"
        )
    if r.errors:
        print("  fake API errors: " + "; ".join(f"{k} ×{v}" for k, v in r.errors.most_common(4)))
    else:
        print("  fake API errors: none")
    print(f"  bot exit code: {r.exit_code}", flush=True)


# Each bot of ours is compared with the echo bot under the same rate limit: the production
# `duizhao run` (30 requests/s) with the echo bot behind the same limiter, and both uncapped.
FLOOR = {
    "duizhao": "echo-limited",
    "duizhao-nolimit": "echo",
    "duizhao-webhook": "echo-limited",
    "duizhao-nolimit-webhook": "echo",
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Load test: N users complete an interview at once against the fake Bot API.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--users", type=int, nargs="+", default=[50, 200, 1000], help="values of N")
    p.add_argument(
        "--variants",
        nargs="+",
        choices=list(VARIANTS),
        default=["duizhao", "echo-limited", "duizhao-nolimit", "echo"],
        help="bots to run, in this order, for each N",
    )
    p.add_argument(
        "--repeat", type=int, default=1, help="runs of each bot at each N; medians are reported"
    )
    p.add_argument("--drivers", type=int, default=4, help="driver threads simulating the users")
    p.add_argument(
        "--timeout",
        type=float,
        help="seconds per run before giving up (default: 300 + 3 s per user)",
    )
    p.add_argument(
        "--stall",
        type=float,
        help="seconds without a complete reply after which a user counts as failed "
        "(default: 120 + 0.3 s per user)",
    )
    p.add_argument("--dir", type=Path, help="where to put the bot databases (default: temp dir)")
    args = p.parse_args(argv)
    if any(n < 1 or n > 5000 for n in args.users):
        p.error("--users must be between 1 and 5000")
    if not 1 <= args.drivers <= 64:
        p.error("--drivers must be between 1 and 64")
    if not 1 <= args.repeat <= 20:
        p.error("--repeat must be between 1 and 20")

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    flow = liuge()
    workdir = Path(tempfile.mkdtemp(prefix="duizhao-load-", dir=args.dir))
    print(
        f"load benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, all traffic on 127.0.0.1"
    )
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(describe_path(flow))
    print(
        f"variants: {', '.join(args.variants)}; N = {' '.join(map(str, args.users))}; "
        f"{args.repeat} run(s) each; {args.drivers} driver threads"
    )
    results: dict[tuple[int, str], list[Result]] = {}
    started = time.monotonic()
    try:
        for n in args.users:
            timeout = args.timeout or 300 + 3 * n
            stall = args.stall or 120 + 0.3 * n
            # Runs interleave (a b a b …), so a change in the machine's load hits every bot.
            for _ in range(args.repeat):
                for variant in args.variants:
                    r = run_variant(variant, flow, n, args.drivers, timeout, stall, workdir)
                    results.setdefault((n, variant), []).append(r)
                    report(r)
    except KeyboardInterrupt:
        print("\ninterrupted: the bot was stopped; partial results follow", file=sys.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summarize(results)
    print(
        f"\ntotal time {time.monotonic() - started:.0f} s; "
        f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


def _median(values: list[float]) -> float:
    return pct(values, 50)


def summarize(results: dict[tuple[int, str], list[Result]]) -> None:
    if not results:
        return
    print(
        "\nsummary (latency = update → first reply; with several runs, the median of the runs;"
        "\n ratio = this median / the median of the echo bot under the same rate limit)"
    )
    print(
        f"  {'N':>5} {'variant':<16} {'runs':>4} {'upd/s':>7} {'median ms':>10} {'mean ms':>8}"
        f" {'p99 ms':>9}"
        f" {'ratio':>6} {'peak RSS':>9} {'CPU/upd':>8} {'lost':>5} {'failed':>6} {'wall s':>7}"
    )
    medians = {key: _median([r.median_ms for r in runs]) for key, runs in results.items()}
    for (n, variant), runs in results.items():
        floor = medians.get((n, FLOOR.get(variant, variant)), float("nan"))
        duizhao = VARIANTS[variant][2] == "duizhao"
        lost = str(sum(r.answers_lost for r in runs)) if duizhao else "-"
        rate = _median([r.updates / r.wall if r.wall else 0.0 for r in runs])
        p99 = _median([pct(r.first_latency, 99) * 1e3 for r in runs])
        mean = _median([statistics.fmean(r.first_latency) * 1e3 for r in runs if r.first_latency])
        print(
            f"  {n:>5} {variant:<16} {len(runs):>4} {rate:>7.1f} {medians[(n, variant)]:>10.1f}"
            f" {mean:>8.1f} {p99:>9.1f} {medians[(n, variant)] / floor:>6.2f}"
            f" {max(r.rss_peak for r in runs):>7.0f}MB"
            f" {_median([r.cpu_per_update_ms for r in runs]):>6.2f}ms {lost:>5}"
            f" {sum(r.failed for r in runs):>6} {_median([r.wall for r in runs]):>7.1f}"
        )
        if len(runs) > 1:
            each = ", ".join(f"{r.median_ms:.0f}" for r in runs)
            print(f"  {'':>5} {'':<16} medians of the runs: {each} ms")
    print("\ntargets")
    for variant, floor in FLOOR.items():
        ours, echo = medians.get((200, variant)), medians.get((200, floor))
        if ours is not None and echo:
            ratio = ours / echo
            print(
                f"  N=200 {variant} / {floor} median latency ≤ {TARGET_RATIO}: "
                f"{verdict(ratio <= TARGET_RATIO)} ({ratio:.2f})"
            )
    ours, bare = medians.get((200, "duizhao")), medians.get((200, "echo"))
    if ours is not None and bare:
        print(
            f"  (N=200 duizhao, capped at 30/s, / echo uncapped: {ours / bare:.2f}; "
            f"that is the cap's queue, ≈ N / 30 s, not the bot's work)"
        )
    for r in results.get((1000, "duizhao"), []):
        ok = r.failed == 0 and r.answers_lost == 0 and r.finished == 1000
        print(
            f"  N=1000 completes with 0 lost answers: {verdict(ok)} "
            f"({r.finished} finished, {r.answers_lost} lost)"
        )
        print(
            f"  N=1000 peak RSS ≤ {TARGET_RSS_MB:.0f} MB: {verdict(r.rss_peak <= TARGET_RSS_MB)} "
            f"({r.rss_peak:.0f} MB)"
        )


if __name__ == "__main__":
    sys.exit(main())
