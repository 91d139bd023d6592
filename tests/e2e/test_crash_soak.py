"""Crash soak: SIGKILL the bot at random points across whole interviews, restart it, finish.

A few users play whole interviews from tests/fixtures/answers in parallel against one bot and
one database. At randomly chosen actions (some right after a message was sent, before the
reply; many in the middle of long answers) the bot is killed with SIGKILL and restarted. A
user who gets no reply waits, as the update is kept by Telegram or by the bot's inbox; no one
types anything twice. At the end every answer in the database equals the fixture exactly
(nothing lost, nothing doubled), every .docx holds every piece typed, and every update was
applied exactly once.

The same soak runs with the bot on long polling and on a webhook (the fake POSTs each update
to the bot's endpoint). DUIZHAO_SOAK_KILLS sets the number of kills (default 50; with the
webhook DUIZHAO_SOAK_WEBHOOK_KILLS, default 20, to keep the suite's time), DUIZHAO_SOAK_SEED
the seed (default: random, printed).
"""

from __future__ import annotations

import io
import json
import os
import queue
import random
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import docx
import pytest

from bot.core import engine, texts
from bot.core.answersfile import parse
from bot.flows import load_all
from bot.storage import Storage
from bot.telegram import texts as say
from tests.e2e.botprocess import BotProcess
from tests.e2e.fakeapi import FakeBotAPI, FakeUser
from tests.e2e.player import play
from tests.typed import typed_texts

FIXTURES = Path(__file__).parent.parent / "fixtures" / "answers"
FLOWS = load_all()
PLAYERS = ["2022-liuge", "2023-zhuti", "2022-liuge"]  # flow of each simulated user
KILLS = int(os.environ.get("DUIZHAO_SOAK_KILLS", "50"))
WEBHOOK_KILLS = int(os.environ.get("DUIZHAO_SOAK_WEBHOOK_KILLS", "20"))
WAIT = 60.0  # seconds a user waits for an answer across restarts before giving up


class DryUser:
    """Counts what a player does, to plan the kills before the run."""

    def __init__(self) -> None:
        self.actions: list[tuple[str, str]] = []

    def send(self, text: str) -> None:
        self.actions.append(("send", text))

    def click(self, label: str) -> None:
        self.actions.append(("click", label))

    def wait_reply(self) -> None:
        pass


class Killer(threading.Thread):
    """Kills and restarts the bot on request, one kill at a time, noting what it hit."""

    def __init__(self, bot: BotProcess, api: FakeBotAPI, rng: random.Random) -> None:
        super().__init__(daemon=True, name="killer")
        self.bot, self.api, self.rng = bot, api, rng
        self.requests: queue.Queue[tuple[float, float, int | None] | None] = queue.Queue()
        # Kills that came late (the last restart was still going on): the next action of any
        # user takes one, so kills still land right after an update, not only between them.
        self.armed: queue.Queue[float] = queue.Queue()
        self.kills = 0
        self.hit: Counter[str] = Counter()
        self.failure: BaseException | None = None

    def request(self, delay: float, update_id: int | None) -> None:
        self.requests.put((time.monotonic() + delay, delay, update_id))

    def run(self) -> None:
        try:
            while (item := self.requests.get()) is not None:
                at, delay, update_id = item
                if time.monotonic() > at + 0.02:
                    self.armed.put(delay)
                    continue
                time.sleep(max(0.0, at - time.monotonic()))
                self._kill(update_id)
            while not self.armed.empty():  # armed, but no action came after: kill anyway
                self.armed.get()
                self._kill(None)
        except BaseException as exc:  # reported by the test
            self.failure = exc

    def _kill(self, update_id: int | None) -> None:
        self.bot.kill()
        self.kills += 1
        self.hit[self._where(update_id)] += 1
        time.sleep(self.rng.uniform(0, 0.3))  # down for a moment: users keep typing
        self.bot.start(timeout=30)

    def _where(self, update_id: int | None) -> str:
        """How far the update the kill followed had got when the process died."""
        if update_id is None:
            return "between actions"
        with self.api._cond:
            queued = any(u["update_id"] == update_id for u in self.api._updates)
        with sqlite3.connect(self.bot.db) as conn:
            stored = conn.execute("select 1 from inbox where update_id = ?", [update_id]).fetchone()
            applied = conn.execute(
                "select 1 from events where source = ?", [f"tg:{update_id}"]
            ).fetchone()
        if stored and applied:
            return "answer committed, reply or confirmation not finished"
        if stored:
            return "update stored, not yet handled"
        if queued:
            return "update not yet stored by the bot"
        return "update fully handled"

    def stop(self) -> None:
        self.requests.put(None)
        self.join(120)


class SoakUser:
    """A user who acts once and then waits until the bot has dealt with it, however many
    restarts that takes (the fake keeps unconfirmed updates; the bot's inbox the rest)."""

    def __init__(self, user: FakeUser, api: FakeBotAPI, db: Path, killer: Killer, plan: dict):
        self.user, self.api, self.db, self.killer = user, api, db, killer
        self.plan = plan  # action index -> delay of the kill that follows it
        self.index = 0
        self.updates: list[tuple[int, str, str]] = []  # update_id, kind, text or label
        # Updates set aside by the poison rule (two kills landed in their handling) whose
        # input was not applied: the user, told so, sent them again.
        self.resent: list[int] = []

    def send(self, text: str) -> None:
        self._act("send", text)

    def click(self, label: str) -> None:
        self._act("click", label)

    def wait_reply(self) -> None:
        pass  # every action already waits until it is handled

    def _act(self, kind: str, arg: str) -> None:
        with self.api._cond:  # re-entrant: the update id is the one this action enqueued
            if kind == "send":
                self.user.send(arg)
            else:
                self.user.click(arg)
            update_id = self.api._last_update_id
        self.updates.append((update_id, kind, arg))
        if self.index in self.plan:
            self.killer.request(self.plan[self.index], update_id)
        else:
            try:
                self.killer.request(self.killer.armed.get_nowait(), update_id)
            except queue.Empty:
                pass
        self.index += 1
        self._wait_handled(update_id, kind, arg)

    def _wait_handled(self, update_id: int, kind: str, arg: str) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            with self.api._cond:
                queued = any(u["update_id"] == update_id for u in self.api._updates)
            kept = None if queued else self._inbox_row(update_id)
            if not queued and kept is None:
                return  # confirmed to Telegram and handled: its replies were sent first
            if kept is not None and kept[0] is not None:  # set aside, the user told
                if not self._applied(update_id):
                    self.resent.append(update_id)
                    self._act(kind, arg)  # what the apology asks: send it again
                elif arg == texts.GENERATE:
                    self._act("send", "/report")  # saved, finished: the report is asked for
                return
            time.sleep(0.02)
        raise AssertionError(f"update {update_id} never handled\n{self.user.transcript()}")

    def _inbox_row(self, update_id: int) -> tuple[str | None] | None:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(
                "select set_aside_at from inbox where update_id = ?", [update_id]
            ).fetchone()

    def _applied(self, update_id: int) -> bool:
        with sqlite3.connect(self.db) as conn:
            return bool(
                conn.execute(
                    "select 1 from events where source = ?", [f"tg:{update_id}"]
                ).fetchone()
            )


def without_skips(value: Any) -> Any:
    """Answers with skipped questions (None) left out, as an answers file may leave them."""
    if isinstance(value, dict):
        return {k: without_skips(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_skips(v) for v in value]
    return value


def stored_answers(db: Path, owner: str) -> tuple[int, dict[str, Any], list[str | None], str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select id, status from interviews where owner = ?", [owner]).fetchall()
        assert len(rows) == 1, f"{owner} has {len(rows)} interviews: a start was applied twice"
        interview_id, status = rows[0]
        answers = {
            q: json.loads(v)
            for q, v in conn.execute(
                "select question_id, value from answers where interview_id = ?", [interview_id]
            )
        }
        sources = [
            s
            for (s,) in conn.execute(
                "select source from events where interview_id = ? order by id", [interview_id]
            )
        ]
    return interview_id, answers, sources, status


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_the_bot_survives_kills_across_whole_interviews(tmp_path, capsys, webhook):
    kills = WEBHOOK_KILLS if webhook else KILLS
    seed = int(os.environ.get("DUIZHAO_SOAK_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    with capsys.disabled():
        print(f"\ncrash soak: {kills} kills, seed {seed} (DUIZHAO_SOAK_SEED={seed} repeats it)")
    data = {
        flow_id: parse((FIXTURES / f"{flow_id}.yaml").read_text(encoding="utf-8"), FLOWS)[1]
        for flow_id in set(PLAYERS)
    }

    # Plan: which actions of which player a kill follows, and how soon after it.
    counts = []
    for flow_id in PLAYERS:
        dry = DryUser()
        play(dry, FLOWS[flow_id], data[flow_id].answers)
        counts.append(len(dry.actions) + 3)  # /start, the flow's button, 生成报告
    slots = [(p, i) for p, n in enumerate(counts) for i in range(1, n)]
    plans: list[dict[int, float]] = [{} for _ in PLAYERS]
    for p, i in rng.sample(slots, min(kills, len(slots))):
        # At once (racing the bot to the update), within its handling, or a little later.
        plans[p][i] = rng.choice(
            [0.0, rng.uniform(0, 0.04), rng.uniform(0, 0.04), rng.uniform(0.04, 0.25)]
        )

    started = time.monotonic()
    with FakeBotAPI() as api:
        bot = BotProcess(api, tmp_path / "soak.db", tmp_path / "soak.log", webhook=webhook)
        bot.start()
        killer = Killer(bot, api, random.Random(rng.random()))
        killer.start()
        users = [
            SoakUser(api.user(70_000 + n), api, bot.db, killer, plans[n])
            for n in range(len(PLAYERS))
        ]
        failures: list[BaseException] = []

        def interview(n: int) -> None:
            flow = FLOWS[PLAYERS[n]]
            user = users[n]
            try:
                user.send("/start")
                user.click(flow.title)
                play(user, flow, data[flow.id].answers)
                user.click(texts.GENERATE)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=interview, args=(n,)) for n in range(len(PLAYERS))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        killer.stop()
        try:
            if killer.failure:
                raise killer.failure
            if failures:
                raise failures[0]
            api.wait_idle(timeout=30)
            log = bot.output()
        finally:
            bot.stop()
        duration = time.monotonic() - started

        for n, flow_id in enumerate(PLAYERS):
            user, expected = users[n], data[flow_id].answers
            owner = f"tg:{user.user.id}"
            interview_id, answers, sources, status = stored_answers(bot.db, owner)
            # Nothing lost, nothing doubled: the stored answers are the fixture's, exactly.
            assert without_skips(answers) == without_skips(expected), f"seed {seed}: {owner}"
            assert status == "finished"
            # Every update applied exactly once: one event for each, none for any other.
            applied = [s for s in sources if s is not None]
            wanted = [
                f"tg:{u}"
                for u, _, arg in user.updates
                if arg not in ("/start", "/report") and u not in user.resent
            ]
            assert sorted(applied) == sorted(wanted), f"seed {seed}: events differ for {owner}"
            reports = [d for d in user.user.documents if d.file_name.endswith(".docx")]
            assert reports, f"seed {seed}: {owner} never got the report"
            text = "\n".join(p.text for p in docx.Document(io.BytesIO(reports[-1].data)).paragraphs)
            missing = [p for p in typed_texts(FLOWS[flow_id], expected) if p not in text]
            assert not missing, f"seed {seed}: not in {owner}'s report: {missing}"
        with sqlite3.connect(bot.db) as conn:
            left = "select count(*) from inbox where set_aside_at is null"
            assert conn.execute(left).fetchone() == (0,)
        # The poison rule's own line names an update set aside; anything else is a fault.
        bad = [
            line
            for line in log.splitlines()
            if (" ERROR " in line and "set aside" not in line) or "Traceback" in line
        ]
        assert not bad, "\n".join(bad)

    assert killer.kills == min(kills, len(slots))
    hits = ", ".join(f"{where}: {n}" for where, n in killer.hit.most_common())
    with capsys.disabled():
        print(
            f"crash soak: survived {killer.kills} kills in {duration:.1f}s, seed {seed}; "
            f"{sum(len(u.updates) for u in users)} updates; kills landed: {hits}; "
            f"set aside and sent again: {sum(len(u.resent) for u in users)}"
        )
    assert killer.kills >= min(kills, 50) or kills < 50


@pytest.mark.parametrize("flow_id", ["2022-liuge"])
def test_the_plan_covers_long_answers(flow_id):
    """Kill points fall where long answers are being typed, not only between questions."""
    _, data = parse((FIXTURES / f"{flow_id}.yaml").read_text(encoding="utf-8"), FLOWS)
    dry = DryUser()
    play(dry, FLOWS[flow_id], data.answers)
    sends = [i for i, (kind, _) in enumerate(dry.actions) if kind == "send"]
    # In the middle of a long answer: a paragraph sent, more to come before 完成.
    middle = [i for i in sends if i + 1 < len(dry.actions) and dry.actions[i + 1][0] == "send"]
    assert len(middle) > 10


class KillOnCommit(threading.Thread):
    """SIGKILLs the bot the moment a query finds a row: right after a commit, before the
    handler that made it has replied or marked its update handled."""

    def __init__(self, bot: BotProcess, query: str, params: list, user: FakeUser) -> None:
        super().__init__(daemon=True)
        self.bot, self.query, self.params, self.user = bot, query, params, user
        self.documents_then: int | None = None

    def run(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with sqlite3.connect(self.bot.db) as conn:
                found = conn.execute(self.query, self.params).fetchone()
            if found:
                self.bot.kill()
                self.documents_then = len(self.user.documents)
                return
            time.sleep(0.001)


def test_a_kill_between_finishing_and_sending_the_report_still_delivers_it(tmp_path):
    """The commit that finishes the interview lands, the process dies before the report is
    sent: the restarted bot handles the press again (applied once) and sends the report."""
    flow = FLOWS["2022-liuge"]
    answers = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)[1].answers
    answers = {**answers, "style_defaults": True}  # the style step taken with its defaults
    with FakeBotAPI() as api:
        bot = BotProcess(api, tmp_path / "r.db", tmp_path / "r.log").start()
        try:
            user = api.user(71_000)
            storage = Storage(bot.db)
            interview = storage.create(f"tg:{user.id}", flow, engine.adopt(flow, answers))
            storage.close()
            user.send("/resume")
            user.wait_for(lambda m: m.buttons and texts.GENERATE in m.buttons[0])
            watcher = KillOnCommit(
                bot,
                "select 1 from interviews where id = ? and status = 'finished'",
                [interview.id],
                user,
            )
            watcher.start()
            user.click(texts.GENERATE)
            watcher.join(30)
            assert watcher.documents_then == 0, "the process must die before the report went out"
            bot.start()
            user.wait_for(lambda m: m.document and m.document.file_name.endswith(".md"), 30)
            api.wait_idle()
            assert [Path(d.file_name).suffix for d in user.documents] == [".docx", ".md"]
            with sqlite3.connect(bot.db) as conn:
                finishing = conn.execute(
                    # (the /resume before it is logged too: it keeps the review's numbers)
                    "select count(*) from events where interview_id = ? and step = 'review'"
                    " and kind != 'resume'",
                    [interview.id],
                ).fetchone()[0]
            assert finishing == 1
        finally:
            bot.stop()


def test_a_kill_right_after_a_start_is_committed_starts_one_interview(tmp_path):
    """The press that starts an interview, delivered again after a kill, starts no second one."""
    flow = FLOWS["2022-liuge"]
    with FakeBotAPI() as api:
        bot = BotProcess(api, tmp_path / "s.db", tmp_path / "s.log").start()
        try:
            replayed = 0
            for attempt in range(5):  # until a kill lands before the update is marked handled
                user = api.user(72_000 + attempt)
                user.send("/start")
                user.wait_for(lambda m: m.buttons)
                watcher = KillOnCommit(
                    bot, "select 1 from interviews where owner = ?", [f"tg:{user.id}"], user
                )
                watcher.start()
                with api._cond:
                    user.click(flow.title)
                    update_id = api._last_update_id
                watcher.join(30)
                with sqlite3.connect(bot.db) as conn:
                    pending = conn.execute(
                        "select 1 from inbox where update_id = ?", [update_id]
                    ).fetchone()
                bot.start()
                user.wait_for(lambda m: "第1/" in (m.text or ""))
                api.wait_idle()
                with sqlite3.connect(bot.db) as conn:
                    rows = conn.execute(
                        "select count(*) from interviews where owner = ?", [f"tg:{user.id}"]
                    ).fetchone()[0]
                assert rows == 1
                if pending:
                    replayed += 1
                    break
            assert replayed, "no kill landed between the commit and the end of the handling"
        finally:
            bot.stop()


def test_a_pasted_piece_delivered_again_after_a_kill_is_kept_once(tmp_path):
    """Last year's report pasted in pieces: a piece whose update comes again is not doubled."""
    flow = FLOWS["2022-liuge"]
    with FakeBotAPI() as api:
        bot = BotProcess(api, tmp_path / "p.db", tmp_path / "p.log").start()
        try:
            user = api.user(73_000)
            owner = f"tg:{user.id}"
            user.send("/start")
            user.wait_for(lambda m: m.buttons)
            user.click(flow.title)
            user.wait_for(lambda m: "第1/" in (m.text or ""))
            user.send("/lastyear")
            user.wait_for(lambda m: m.text == say.PASTE_START)
            pieces, replayed = [], 0
            for n in range(1, 7):  # until a kill lands before the update is marked handled
                piece = f"去年的材料第{n}段。"
                watcher = KillOnCommit(
                    bot,
                    "select 1 from imports where owner = ? and text like ?",
                    [owner, f"%{piece}%"],
                    user,
                )
                watcher.start()
                with api._cond:
                    user.send(piece)
                    update_id = api._last_update_id
                pieces.append(piece)
                watcher.join(30)
                with sqlite3.connect(bot.db) as conn:
                    pending = conn.execute(
                        "select 1 from inbox where update_id = ?", [update_id]
                    ).fetchone()
                bot.start()
                user.wait_for(lambda m: (m.text or "").startswith("已收到"))
                api.wait_idle()
                with sqlite3.connect(bot.db) as conn:
                    (text,) = conn.execute(
                        "select text from imports where owner = ?", [owner]
                    ).fetchone()
                assert text == "\n".join(pieces)
                if pending:
                    replayed += 1
                    break
            assert replayed, "no kill landed between the commit and the end of the handling"
        finally:
            bot.stop()
