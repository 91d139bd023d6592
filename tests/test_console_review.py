"""Issue 12 in the console: a finding's /fix opens its question and comes back (observation
2), the review counts the report as generated (observation 3), progress that moves
(observation 7)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.console import Console
from bot.core import engine
from bot.core.answersfile import parse
from bot.flows import load_all
from bot.service import Interviews
from bot.storage import Storage
from tests.console_script import lines_for

FIXTURES = Path(__file__).parent / "fixtures" / "answers"
FLOWS = load_all()
FLOW = FLOWS["2022-liuge"]


def fixture() -> dict[str, Any]:
    _, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)
    return dict(data.answers)


class Session:
    """A console session in this process: type lines, read what it printed since."""

    def __init__(self, tmp_path: Path, answers: dict[str, Any] | None = None):
        storage = Storage(tmp_path / "c.db")
        if answers is not None:
            storage.create("tester", FLOW, engine.adopt(FLOW, answers))
        self.out = io.StringIO()
        self.lines: Iterator[str] = iter(())
        self.console = Console(
            Interviews(storage, FLOWS),
            "tester",
            tmp_path / "out",
            read=lambda _: next(self.lines),
            out=self.out,
            today=lambda: dt.date(2023, 1, 10),
        )
        self.console.interview = None

    def type(self, *lines: str) -> str:
        """Type these lines (after starting, the first time); what the console printed."""
        start = self.out.tell()
        self.lines = iter(lines)
        if self.console.interview is None:
            self.console._begin("2022-liuge")
        for line in lines:
            self.console._handle(line)
        return self.out.getvalue()[start:]


def numbered(text: str) -> dict[int, str]:
    review = text[text.rindex("审阅意见（") :]
    return {int(n): t for n, t in re.findall(r"^(\d+)\. (.+)$", review, re.M)}


def test_fix_opens_the_case_question_takes_one_answer_and_returns(tmp_path):
    answers = fixture()
    vague = {"summary": "学习不够深入", "detail": "学得不深不透，用得也不够好。", "case": None}
    answers["t2_problems"] = [*answers["t2_problems"][:1], vague, *answers["t2_problems"][2:]]
    answers["measures"] = [m for i, m in enumerate(answers["measures"]) if i != 2]
    session = Session(tmp_path, answers)
    before = numbered(session.type())
    vague_n = next(n for n, t in before.items() if "（学习不够深入）没有具体实例" in t)
    uncovered_n = next(n for n, t in before.items() if "还没有对应的整改措施" in t)

    shown = session.type(f"/fix {vague_n}")
    assert "能举一个具体的例子吗" in shown
    shown = session.type(
        *lines_for(FLOW.sections[2].questions[2].questions[2], "2022年只读完一半专题。")
    )
    after = numbered(shown)
    assert set(after) == set(before) - {vague_n}

    shown = session.type(f"/fix {uncovered_n}")
    assert "请写新的一条措施，写完后回到原来的位置" in shown
    measure = FLOW.sections[-3].questions[0]
    shown = session.type(
        *lines_for(measure.questions[0], "真心实意为群众办实事"),
        *lines_for(
            measure.questions[1],
            "每月下村走访农户不少于2天，4月底前完成鹿鸣村灌溉渠道清淤，培育茶叶加工经营主体1家。",
        ),
    )
    assert "还没有对应的整改措施" not in shown[shown.rindex("全部问题已答完") :]
    assert set(numbered(shown)) == set(after) - {uncovered_n}


def test_the_review_total_is_the_reports_count(tmp_path):
    answers = fixture()
    for key in ("t1_good", "t2_good", "t3_good", "t4_good", "t5_good", "t6_good"):
        answers[key] = None
    for theme in range(1, 7):
        answers[f"t{theme}_problems"] = answers[f"t{theme}_problems"][:2]
    answers["ly_include"] = False
    session = Session(tmp_path, answers)
    review = session.type()
    total = int(re.search(r"生成的报告全文约 (\d+) 字", review).group(1))
    assert "这类材料一般" not in review
    written = session.type("/done")
    assert f"报告已生成（{total} 字）" in written


def test_progress_and_status(tmp_path):
    session = Session(tmp_path)
    session.type()
    shown = session.type("否", "/skip", "理论学习不够深入")
    progress = [line for line in shown.splitlines() if "总进度" in line]
    assert progress == [
        "第2/11部分 · 总进度 9%",
        "第2/11部分 · 总进度 9% · 本部分已答 1 题",
        "第2/11部分 · 总进度 9% · 本部分已答 2 题 · 8/450 字",
    ]
    status = session.type("/status").splitlines()
    assert status[1:3] == ["总进度 9%。各部分：", "✅ 准备：已答 1 题"]
    assert status[-1] == "▫️ 基本情况：未开始"
