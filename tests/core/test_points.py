"""Reading the genre's way of writing: points in one message, and a point's parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.answersfile import parse
from bot.core.points import is_one_liner, split_parts, split_points
from bot.flows import load_all

REFERENCE = Path("/work/shared/reference/2022-town-mayor-liuge-daitou.txt")
FIXTURES = Path(__file__).parents[1] / "fixtures" / "answers"
FLOWS = load_all()

# Paragraphs of a real 2022 report (the reference), as a user would paste them.
REAL_PROBLEMS = (
    "多年来，我能够认真落实全面从严治党要求，带头遵守各项纪律规矩，但对照反思还存在一些不足："
    "一是落实从严治党责任力度不大，有时认为有专职领导负责，表现在工作中还存在教育、检查、监督不够严、"
    "不及时等现象；二是“一岗双责”落实不够到位，认为自己管好自己就行了，有“事不关己高高挂起”的思想；"
    "三是还存有官僚主义现象，主要表现在安于办公室听汇报、安排工作多、跟踪落实少等问题，真正扑下身子干事创业"
    "的激情不够；四是艰苦奋斗的思想有所淡化，有时认为现在生活条件好了，就应该吃好点、穿好点，一定程度上缺乏"
    "应有的勤俭节约精神等。"
)
REAL_WITH_VERDICTS = (
    "一是在学懂上有差距。有时认为自己是一名基层党员干部，跟着上面走、照着上面学就行了，自然不自然地放松了"
    "思想要求；二是在弄通上有差距。从习近平新时代中国特色社会主义思想中找立场、找观点、找方法做得不够；"
    "三是政治大局意识上还有差距。有时因不满一些形式主义、官僚主义及“四风”现象，在一些场合还会说一些"
    "不利于工作大局的牢骚话。"
)


def _fixture_problems() -> list[dict]:
    problems = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        flow, data = parse(path.read_text(encoding="utf-8"), FLOWS)
        for qid, value in data.answers.items():
            if not flow.has_question(qid) or flow.question(qid).role != "problems":
                continue
            if isinstance(value, list) and value and isinstance(value[0], dict):
                problems += [v for v in value if {"summary", "detail", "case"} <= set(v)]
    return problems


def test_the_reference_report_yields_its_four_points_and_the_lead():
    points = split_points(REAL_PROBLEMS)
    assert points.lead.endswith("还存在一些不足：")
    assert len(points.items) == 4
    assert points.items[1].startswith("“一岗双责”落实不够到位")
    assert not points.items[0].endswith("；")


def test_a_point_written_verdict_first_splits_at_the_verdict():
    first = split_points(REAL_WITH_VERDICTS).items[0]
    parts = split_parts(first)
    assert parts.summary == "在学懂上有差距"
    assert parts.detail.startswith("有时认为自己是一名基层党员干部")
    assert parts.case == ""


def test_every_cause_of_the_reference_is_one_point():
    causes = REFERENCE.read_text(encoding="utf-8").splitlines()[11] if REFERENCE.exists() else ""
    if not causes:
        pytest.skip("reference report not present")
    points = split_points(causes)
    assert points.lead == "经认真反思，产生问题的主要原因有："
    assert len(points.items) == 6


@pytest.mark.parametrize("problem", _fixture_problems()[:40], ids=lambda p: p["summary"][:8])
def test_a_fixture_problem_written_in_one_message_comes_back_whole(problem):
    message = f"{problem['summary']}。{problem['detail']}比如，{problem['case']}"
    parts = split_parts(message)
    assert parts.summary == problem["summary"].rstrip("。")
    assert parts.detail.rstrip("。") == problem["detail"].rstrip("。")
    assert parts.case == problem["case"]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("1. 学习不够\n2. 作风不实\n3. 担当不够", ("学习不够", "作风不实", "担当不够")),
        ("1、学习不够\n2、作风不实", ("学习不够", "作风不实")),
        ("（1）学习不够\n（2）作风不实", ("学习不够", "作风不实")),
        ("一、学习不够\n二、作风不实", ("学习不够", "作风不实")),
        ("①学习不够；②作风不实；③担当不够", ("学习不够", "作风不实", "担当不够")),
        (
            "学习不够深入。平时学得少。\n\n作风不够扎实。",
            ("学习不够深入。平时学得少。", "作风不够扎实。"),
        ),
    ],
)
def test_numbered_circled_and_blank_line_points(text, items):
    assert split_points(text).items == items


@pytest.mark.parametrize(
    "text",
    [
        "今年完成了2.5亩改造，二是没有",  # a stray 二是 is not numbering
        "2022年一、二季度学习少。3次会议没有发言。",
        "学习不够深入，比如一是没有计划。",
        "学用结合有差距。学了新思想，但谋划工作时还是凭经验。",
    ],
)
def test_prose_is_one_point(text):
    assert split_points(text).items == (text,)


def test_a_case_after_例如_is_split_off_without_the_word():
    parts = split_parts(
        "调查研究不深入。下村多是检查工作。例如：7月渠道淤堵，我是从热线转办才知道的。"
    )
    assert parts == (
        parts.__class__(
            "调查研究不深入", "下村多是检查工作。", "7月渠道淤堵，我是从热线转办才知道的。"
        )
    )


def test_a_long_first_sentence_gives_its_first_clause_as_the_verdict():
    parts = split_parts(
        "履行党员义务做得还不够到位，在工作学习生活中遇到挫折时，往往会淡化入党时的初心使命，"
        "时时刻刻以入党誓词检视思想和行为的自觉性、主动性还不够强，还需要进一步锤炼个人的党性修养等。"
    )
    assert parts.summary == "履行党员义务做得还不够到位"
    assert parts.detail.startswith("在工作学习生活中遇到挫折时")


def test_one_liners():
    assert is_one_liner("学习不够深入。")
    assert not is_one_liner("学习不够深入。平时学得少。")
    assert not is_one_liner("学习不够深入，比如今年只学了3次")
