"""The console, as a user drives it: scripted stdin, and a SIGKILL in the middle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest

from bot.core.answersfile import parse
from bot.flows import load_all
from tests.console_script import script
from tests.typed import typed_texts

FIXTURES = Path(__file__).parent / "fixtures" / "answers"
FLOWS = load_all()


def console(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("BOT_DB", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "console",
            "--db",
            str(tmp_path / "c.db"),
            "--user",
            "tester",
            "--out",
            str(tmp_path / "out"),
            *args,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def fixture(flow_id: str) -> dict:
    _, data = parse((FIXTURES / f"{flow_id}.yaml").read_text(encoding="utf-8"), FLOWS)
    return data.answers


def report_text(out: Path) -> str:
    [path] = out.glob("*.docx")
    return "\n".join(p.text for p in docx.Document(path).paragraphs)


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_a_scripted_session_completes_the_flow(tmp_path, flow_id):
    answers = fixture(flow_id)
    proc = console(tmp_path, "--flow", flow_id)
    out, _ = proc.communicate("\n".join(script(FLOWS[flow_id], answers)) + "\n", timeout=120)
    assert proc.returncode == 0, out
    assert "⚠" not in out, out[out.index("⚠") - 500 : out.index("⚠") + 200]
    assert "报告已生成" in out
    assert "点“" not in out and "按钮" not in out  # the console's own wording
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".docx", ".md", ".txt"]
    text = report_text(tmp_path / "out")
    assert [p for p in typed_texts(FLOWS[flow_id], answers) if p not in text] == []


def test_a_killed_console_resumes_with_every_answer(tmp_path):
    flow_id = "2022-liuge"
    answers = fixture(flow_id)
    lines = script(FLOWS[flow_id], answers)
    half = len(lines) // 2
    proc = console(tmp_path, "--flow", flow_id)
    for line in lines[:half]:
        proc.stdin.write(line + "\n")
    proc.stdin.flush()
    # Wait until the console has handled every line it was given, then kill it mid-interview.
    deadline = time.monotonic() + 60
    while _events(tmp_path / "c.db") < half and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert _events(tmp_path / "c.db") == half

    again = console(tmp_path)
    out, _ = again.communicate("\n".join(lines[half:]) + "\n", timeout=120)
    assert "继续上次未写完的材料" in out
    assert "报告已生成" in out, out[-2000:]
    text = report_text(tmp_path / "out")
    assert [p for p in typed_texts(FLOWS[flow_id], answers) if p not in text] == []


def test_closed_stdin_keeps_the_answers(tmp_path):
    proc = console(tmp_path, "--flow", "2022-liuge")
    out, _ = proc.communicate("否\n/skip\n学用结合有差距\n", timeout=60)
    assert "答案都已保存" in out
    again = console(tmp_path)
    out, _ = again.communicate("/back\n", timeout=60)
    assert "当前答案：学用结合有差距" in out


def _events(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("select count(*) from events where kind != 'start'").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_two_consoles_of_one_user_keep_both_answers(tmp_path, small_flow):
    """Each console was told its answer was saved; neither answer may vanish."""
    import io

    from bot.console import Console
    from bot.service import Interviews
    from bot.storage import Storage

    def session(lines: list[str]) -> tuple[Console, io.StringIO]:
        out = io.StringIO()
        feed = iter(lines)
        service = Interviews(Storage(tmp_path / "c.db"), {"small": small_flow})
        return Console(service, "tester", tmp_path, read=lambda _: next(feed), out=out), out

    first, _ = session(["/skip"])
    first._begin("small")
    first._handle("/skip")
    second, second_out = session([])
    second._begin(None)  # the same interview, at the first problem's summary
    first._handle("学习不够")
    second._handle("调研太少")
    stored = first.service.storage.get(first.interview.id).state.answers
    assert stored["problems"][0]["summary"] == "学习不够"
    assert "另一处" in second_out.getvalue()
    assert second.interview.state.cursor == "problems[0].case"


def test_a_finished_interview_writes_its_files_again_next_to_the_first(tmp_path):
    answers = fixture("2022-liuge")
    proc = console(tmp_path, "--flow", "2022-liuge")
    proc.communicate("\n".join(script(FLOWS["2022-liuge"], answers)) + "\n", timeout=120)
    stem = "2022年度民主生活会“六个带头”对照检查材料"
    if answers.get("name"):
        stem = f"{answers['name']}2022年度民主生活会对照检查材料"
    first = tmp_path / "out" / f"{stem}.docx"
    assert first.exists()
    first.write_bytes(b"edited in Word")

    again = console(tmp_path)
    out, _ = again.communicate("/report\n/quit\n", timeout=60)
    assert "报告已生成" in out, out[-1500:]
    assert first.read_bytes() == b"edited in Word"
    assert (tmp_path / "out" / f"{stem}（2）.docx").exists()
    assert f"{stem}（2）.txt" in out


def test_a_gbk_terminal_is_read_and_told_not_crashed(tmp_path):
    """Over SSH from a GBK terminal the bytes are not the locale's UTF-8."""
    import sqlite3

    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUNBUFFERED": "1"}
    env.pop("PYTHONIOENCODING", None)
    env.pop("BOT_DB", None)
    db = tmp_path / "c.db"
    args = ["console", "--db", str(db), "--user", "gbk", "--flow", "zuzhi"]
    lines = "学习不够深入，满足于完成规定动作\n/quit\n".encode("gbk")
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args], input=lines, capture_output=True, env=env, timeout=60
    )
    out = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, out
    assert "Traceback" not in out
    assert "GB18030" in out
    values = [v for (v,) in sqlite3.connect(db).execute("select value from events")]
    assert "学习不够深入，满足于完成规定动作" in values


def test_numbers_typed_as_circled_digits_in_the_console(tmp_path, small_flow):
    import io

    from bot.console import Console
    from bot.service import Interviews
    from bot.storage import Storage

    out = io.StringIO()
    feed = iter(["①", "/skip", "/edit ①", "/quit"])
    service = Interviews(Storage(tmp_path / "c.db"), {"small": small_flow})
    Console(service, "t", tmp_path, read=lambda _: next(feed), out=out).run()
    assert "Traceback" not in out.getvalue()
    assert "请修改这一题" in out.getvalue()


def test_a_locked_database_keeps_the_typed_line_and_waits(tmp_path, small_flow):
    import io

    from bot.console import DB_BUSY, Console
    from bot.errors import StorageError
    from bot.service import Interviews
    from bot.storage import Storage

    service = Interviews(Storage(tmp_path / "c.db"), {"small": small_flow})
    real, failures = service.answer, iter([True, True])

    def answer(*args, **kwargs):
        if next(failures, False):
            raise StorageError("无法写入数据库 c.db：database is locked")
        return real(*args, **kwargs)

    service.answer = answer
    out = io.StringIO()
    feed = iter(["写了一句做得好的地方", "/quit"])
    pauses: list[float] = []
    console = Console(service, "t", tmp_path, read=lambda _: next(feed), out=out)
    console.pause = pauses.append
    console.run("small")
    assert out.getvalue().count(DB_BUSY) == 2 and len(pauses) == 2
    assert service.active("t").state.answers["good"] == "写了一句做得好的地方"
