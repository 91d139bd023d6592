"""Issue 12's input side in the console, as a user types (and pastes) into it."""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import pytest

from bot.core import engine
from bot.core.answersfile import parse
from bot.core.state import State
from bot.flows import load_all
from bot.storage import Storage
from tests.test_console import console

FLOWS = load_all()
FLOW = FLOWS["2022-liuge"]
FIXTURES = Path(__file__).parent / "fixtures"
LASTYEAR = FIXTURES / "lastyear" / "a_yishi_paragraph_causes.txt"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


def session(tmp_path: Path, *lines: str) -> str:
    proc = console(tmp_path, "--flow", "2022-liuge")
    out, _ = proc.communicate("\n".join(lines) + "\n", timeout=60)
    assert proc.returncode == 0, out
    return out


def answers(tmp_path: Path) -> dict:
    storage = Storage(tmp_path / "c.db")
    try:
        return storage.active("console:tester").state.answers
    finally:
        storage.close()


def seed(tmp_path: Path, cut: str, drafts: dict | None = None) -> None:
    """An interview holding the fixture's answers before the question `cut`."""
    _, data = parse((FIXTURES / "answers" / "2022-liuge.yaml").read_text("utf-8"), FLOWS)
    ids = FLOW.question_ids
    kept = {k: v for k, v in data.answers.items() if ids.index(k) < ids.index(cut)}
    state = engine.adopt(FLOW, kept)
    storage = Storage(tmp_path / "c.db")
    storage.create("console:tester", FLOW, State(kept, state.cursor, drafts or {}))
    storage.close()


def test_one_line_is_one_answer_and_done_words_are_never_stored(tmp_path):
    out = session(
        tmp_path,
        "否",
        "能坚持第一时间传达学习上级重要会议精神。",
        "、done",  # the slash as a Chinese input method types it
        "/back",
        "/add 工作中注意对标对表。",
        "学用结合有差距",
        "学得少。",  # under the question's 15 字: waits as a draft
        "",  # an empty Enter: the draft is still too short, refused
        "今年个人自学只落实了计划的一半。",
        "完成",
    )
    got = answers(tmp_path)
    assert got["t1_good"] == "能坚持第一时间传达学习上级重要会议精神。\n工作中注意对标对表。"
    assert got["t1_problems"] == [
        {"summary": "学用结合有差距", "detail": "学得少。\n今年个人自学只落实了计划的一半。"}
    ]
    assert "完成" not in str(got) and "done" not in str(got)
    assert "已收到 4 字，这一题至少要 15 字" in out
    assert "内容太短：现在 4 字，至少需要 15 字。" in out
    assert "（想补充刚才的回答：输入 /add，或 /add 加补充的内容）" in out


def test_a_problem_in_one_line_is_split_and_unsplit(tmp_path):
    out = session(
        tmp_path,
        "否",
        "/skip",
        "学用结合有差距。学了新思想，但谋划工作时还是凭经验。比如2022年制定茶产业规划时，初稿被退回两次。",
        "/unsplit",
    )
    assert "我这样理解：\n问题概括：学用结合有差距" in out
    assert "拆得不对，输入 /unsplit 按原样保存。" in out
    assert answers(tmp_path)["t1_problems"][0]["detail"].startswith("学用结合有差距。学了新思想")


def test_a_sample_asks_for_each_xx(tmp_path):
    out = session(
        tmp_path, "否", "/skip", "学用结合有差距", "/samples", "/sample 2", "A项", "5", "3", "2"
    )
    assert "这条参考表述里有 4 处“××”" in out
    assert "第 1/4 处“××”（【？】处）填什么？" in out
    assert "第 4/4 处" in out and "换成您自己的情况" not in out
    detail = answers(tmp_path)["t1_problems"][0]["detail"]
    assert detail.startswith(
        "落实上级部署有时先看周边乡镇怎么做再动手，A项工作县里要求5月3日前完成"
    )


def test_guide_shows_the_question_again(tmp_path):
    out = session(tmp_path, "否", "/guide")
    after = out[out.index("可以从三处找问题") :]
    assert "这方面您平时做得比较好的是什么？" in after


def test_causes_list_the_problems_and_the_draft_comes_back_on_resume(tmp_path):
    seed(tmp_path, "causes", drafts={"causes[0].text": ["把学习当成任务。"]})
    out = session(tmp_path, "/quit")
    assert "前面写的问题：\n  1. 对“两个确立”的理解还停留在面上" in out
    assert "已收到的草稿（8 字）：\n把学习当成任务。" in out


def test_the_study_question_says_what_comes_next(tmp_path):
    seed(tmp_path, "study")
    out = session(tmp_path, "/quit")
    assert "请以“我”开头写一两句" in out and "谈心谈话、征求意见下一题再问" in out


def test_a_pasted_block_at_a_one_line_question_is_refused_whole(tmp_path):
    seed(tmp_path, "position")
    block = f"{PASTE_START}某某县青石镇镇长\n李明\n县纪委〔2022〕5号{PASTE_END}"
    out = session(tmp_path, block, "某某县青石镇镇长", "/skip")
    assert "⚠ 这一题只要一行" in out
    got = answers(tmp_path)
    assert got["position"] == "某某县青石镇镇长" and got["name"] is None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")
def test_a_paste_in_a_real_terminal_is_one_message(tmp_path):
    """A pseudo-terminal, as a user's: readline keeps a bracketed paste one message."""
    import pty

    seed(tmp_path, "position")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console, in the terminal
        os.environ["TERM"] = "xterm"
        args = ["-m", "bot", "console", "--db", str(tmp_path / "c.db"), "--user", "tester"]
        os.execv(sys.executable, [sys.executable, *args, "--out", str(tmp_path)])

    def read_until(text: str) -> str:
        seen, end = b"", time.monotonic() + 30
        while text.encode() not in seen and time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        return seen.decode("utf-8", "replace")

    try:
        read_until("单位和职务")
        os.write(fd, f"{PASTE_START}某某县青石镇镇长\n李明\n县纪委{PASTE_END}".encode())
        time.sleep(0.3)
        os.write(fd, b"\r")
        assert "这一题只要一行" in read_until("这一题只要一行")
        os.write(fd, b"/quit\r")
        read_until("答案都已保存")
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert "position" not in answers(tmp_path) and "name" not in answers(tmp_path)


def test_the_console_never_speaks_of_buttons(tmp_path):
    out = session(
        tmp_path,
        "否",
        "/skip",
        "学用结合有差距。学了新思想，但谋划工作时还是凭经验。",
        "x" * 2,
        "/help",
    )
    assert "点“" not in out and "按钮" not in out


def test_lastyear_from_a_file_and_pasted(tmp_path):
    out = session(tmp_path, f"/lastyear {LASTYEAR}", "否", "/lastyear", "一、存在的问题", "/cancel")
    assert "从去年的材料里找到：" in out
    assert "已取消，没有导入任何内容。" in out
    assert "没有这个命令" not in out
    out = session(tmp_path, f"/lastyear {LASTYEAR}", "是")
    assert "已导入去年的材料。" in out


def test_restart_asks_before_wiping_a_part(tmp_path):
    out = session(tmp_path, "否", "能坚持传达学习。", "/restart", "不", "/quit")
    assert "确定要清空" in out and "好的，没有清空，答案都还在。" in out
    assert answers(tmp_path)["t1_good"] == "能坚持传达学习。"
    session(tmp_path, "/restart", "是")
    assert "t1_good" not in answers(tmp_path)
