"""Issue 12 through the real bot: fixes from the review land where they point and come back
(observation 2), the review's count is the report's (observation 3), progress that moves
(observation 7)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.core import engine as core
from bot.core.answersfile import parse
from bot.flows import load_all
from bot.storage import Storage
from tests.e2e.fakeapi import FakeUser
from tests.e2e.player import answer_long

FIXTURES = Path(__file__).parent.parent / "fixtures" / "answers"
FLOWS = load_all()
FLOW = FLOWS["2022-liuge"]


def fixture() -> dict[str, Any]:
    _, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)
    return dict(data.answers)


def at_review(user: FakeUser, running, answers: dict[str, Any]):
    storage = Storage(running.db)
    storage.create(f"tg:{user.id}", FLOW, core.adopt(FLOW, answers))
    storage.close()
    user.send("/resume")
    return user.wait_for(lambda m: "审阅意见" in m.text or "全部问题已答完" in m.text)


def numbered(review_text: str) -> dict[int, str]:
    return {int(n): text for n, text in re.findall(r"^(\d+)\. (.+)$", review_text, re.M)}


def number_of(review_text: str, words: str) -> int:
    return next(n for n, text in numbered(review_text).items() if words in text)


def test_a_finding_opens_its_question_takes_one_answer_and_returns(user, running):
    """Observation 2: the missing case opens the 实例 question, not the summary; one answer
    brings the review back, where the other findings keep their numbers."""
    answers = fixture()
    vague = {"summary": "学习不够深入", "detail": "学得不深不透，用得也不够好。", "case": None}
    answers["t2_problems"] = [*answers["t2_problems"][:1], vague, *answers["t2_problems"][2:]]
    # Without its third measure nothing answers the fourth theme (群众, 茶产业).
    answers["measures"] = [m for i, m in enumerate(answers["measures"]) if i != 2]
    review = at_review(user, running, answers)
    before = numbered(review.text)
    vague_n = number_of(review.text, "第2个问题（学习不够深入）没有具体实例")
    uncovered_n = number_of(review.text, "还没有对应的整改措施")

    user.click(f"改意见{vague_n}")
    assert "能举一个具体的例子吗" in user.wait_reply().text
    answer_long(user, "2022年我只读完了计划中的一半专题。")
    review = user.wait_for(lambda m: "审阅意见" in m.text)
    after = numbered(review.text)
    assert vague_n not in after
    assert set(after) == set(before) - {vague_n}  # the others keep their numbers
    assert after[uncovered_n] == before[uncovered_n]

    # "a theme has no measure": its button adds a measure, and back to the review.
    user.click(f"改意见{uncovered_n}", review)
    assert "请写新的一条" in user.wait_reply().text
    user.send("真心实意为群众办实事")
    user.wait_reply()
    answer_long(
        user, "每月下村走访农户不少于2天，4月底前完成鹿鸣村灌溉渠道清淤，培育茶叶加工经营主体1家。"
    )
    review = user.wait_for(lambda m: "审阅意见" in m.text or "全部问题已答完" in m.text)
    assert "还没有对应的整改措施" not in review.text
    assert "第5条措施（真心实意为群众办实事）" in review.text


def test_editing_an_earlier_answer_returns_to_where_the_user_was(user, running):
    """Observation 2: after 上一步 ×3 and one new answer, the user is back where they were,
    not walked through every later answer."""
    answers = fixture()
    del answers["t6_problems"], answers["causes"], answers["measures"]
    for key in ("ly_include", "ly_items", "position", "notice", "study", "talks", "unit"):
        answers.pop(key, None)
    storage = Storage(running.db)
    storage.create(f"tg:{user.id}", FLOW, core.adopt(FLOW, answers))
    storage.close()
    user.send("/resume")
    here = user.wait_reply()
    where = here.text.splitlines()
    for _ in range(3):
        user.click("上一步")
        user.wait_reply()
    user.click("保留原答案")
    back = user.wait_reply()
    assert [line for line in back.text.splitlines() if "部分" in line][:1] == [
        line for line in where if "部分" in line
    ][:1]
    assert where[-3:] == back.text.splitlines()[-3:]


def test_the_review_counts_the_report_as_generated(user, running):
    """Observation 3: the review's total is the report's 字数, and no length advice when
    the report is long enough though the answers alone are not."""
    answers = fixture()
    for key in ("t1_good", "t2_good", "t3_good", "t4_good", "t5_good", "t6_good"):
        answers[key] = None
    for theme in range(1, 7):
        answers[f"t{theme}_problems"] = answers[f"t{theme}_problems"][:2]
    answers["ly_include"] = False
    review = at_review(user, running, answers)
    total = int(re.search(r"生成的报告全文约 (\d+) 字", review.text).group(1))
    sections = sum(int(n) for n in re.findall(r"：(\d+) 字$", review.text, re.M))
    assert sections < 3000 <= total  # the answers alone would have said "too short"
    assert "这类材料一般" not in review.text
    user.click("生成报告")
    header = user.wait_for(lambda m: "报告全文" in (m.text or ""), timeout=30)
    assert f"报告全文（共 {total} 字）" in header.text


def test_progress_moves_with_each_answer_and_status_counts_what_there_is(user, running):
    """Observation 7: the progress line changes as the user answers within a part; /status
    has no "0/2 题" for parts that grow and no 字数 for parts with nothing to count."""
    user.send("/start")
    user.wait_for(lambda m: m.buttons)
    user.click(FLOW.title)
    user.wait_for(lambda m: "第1/" in m.text)
    user.click("否")
    lines = [user.wait_for(lambda m: "第2/" in m.text).text]
    user.click("跳过")
    lines.append(user.wait_reply().text)
    user.send("理论学习不够深入")
    lines.append(user.wait_reply().text)
    progress = [next(line for line in text.splitlines() if "总进度" in line) for text in lines]
    assert progress == [
        "第2/11部分 · 总进度 9%",
        "第2/11部分 · 总进度 9% · 本部分已答 1 题",
        "第2/11部分 · 总进度 9% · 本部分已答 2 题 · 8/450 字",
    ]
    user.send("/status")
    status = user.wait_reply().text
    assert status.splitlines()[1:4] == [
        "总进度 9%。各部分：",
        "✅ 准备：已答 1 题",  # a choice: no 字数 to show
        f"▫️ {FLOW.sections[1].title}：已答 2 题 · 8/450 字",
    ]
    assert status.splitlines()[-1] == "▫️ 基本情况：未开始"
