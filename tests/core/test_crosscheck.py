"""The checks across members' reports: copied problems, uncovered themes, too few problems,
measures with no time limit, and what a member may learn before submitting."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.core import crosscheck
from bot.core.answersfile import parse
from bot.core.crosscheck import Member
from bot.flows import load_all

FLOWS = load_all()
FIXTURES = Path(__file__).parent.parent / "fixtures" / "answers"


def fixture(flow_id: str) -> dict:
    _, answers = parse((FIXTURES / f"{flow_id}.yaml").read_text(encoding="utf-8"), FLOWS)
    return answers.answers


SIGE = FLOWS["2024-sige"]
MAYOR = fixture("2024-sige")


def copied(answers: dict) -> dict:
    """A second member who took the first one's 学纪知纪 problem and changed the figures."""
    other = copy.deepcopy(answers)
    for q in ("t1_problems", "t3_problems", "t4_problems"):
        other[q] = [{"summary": "另一个问题" + q, "detail": "与众不同的内容" + q * 3}]
    other["t2_problems"] = [
        {
            "summary": "学纪知纪不够深入",
            "detail": "学习纪律处分条例时满足于读一遍条文，联系自己岗位对照检查不深，"
            "对有的条款适用情形把握不准。",
            "case": "2024年5月研究公益性岗位人员选聘时，有同志提出优先照顾村干部亲属，"
            "我没有当场指出这种做法违反纪律，是纪委书记提醒后才否定。",
        }
    ]
    other["measures"] = [
        {"heading": "严守纪律规矩", "body": "3月底前逐条对照纪律处分条例，列出个人风险清单。"}
    ]
    return other


def test_a_problem_copied_with_other_words_is_found_with_both_members() -> None:
    a = Member("1", "张三", MAYOR)
    b = Member("2", "李四", copied(MAYOR))
    result = crosscheck.crosscheck(SIGE, [a, b])
    assert len(result.twins) == 1
    twin = result.twins[0]
    assert {twin.a.member.name, twin.b.member.name} == {"张三", "李四"}
    assert "学纪知纪" in twin.a.text and "学纪知纪" in twin.b.text
    assert twin.a.label.endswith("第1个问题")


def test_the_fixture_reports_are_distinct() -> None:
    items = []
    for flow_id in ("2022-liuge", "2023-zhuti", "2024-sige", "2025-zuofeng", "zuzhi"):
        member = Member(flow_id, flow_id, fixture(flow_id))
        flow = FLOWS[flow_id]
        items += crosscheck.problems_of(flow, member) + crosscheck.measures_of(flow, member)
    assert crosscheck.twins(items) == []


def test_one_member_repeating_himself_is_not_a_cross_report_finding() -> None:
    answers = copy.deepcopy(MAYOR)
    answers["t2_problems"] = answers["t2_problems"] + answers["t2_problems"][:1]
    assert crosscheck.crosscheck(SIGE, [Member("1", "张三", answers)]).twins == ()


def test_a_theme_nobody_wrote_problems_for_and_members_under_the_minimum() -> None:
    a = copy.deepcopy(MAYOR)
    b = copy.deepcopy(MAYOR)
    a["t3_problems"] = []
    b.pop("t3_problems")
    result = crosscheck.crosscheck(SIGE, [Member("1", "张三", a), Member("2", "李四", b)])
    assert result.uncovered == (SIGE.sections[2].title,)
    assert [(s.member.name, s.count, s.minimum) for s in result.shortfalls] == [
        ("张三", 0, 1),
        ("李四", 0, 1),
    ]


def test_themes_not_picked_in_zuzhi_are_not_asked_of_anyone() -> None:
    flow = FLOWS["zuzhi"]
    result = crosscheck.crosscheck(flow, [Member("1", "王五", fixture("zuzhi"))])
    assert result.uncovered == () and result.shortfalls == ()


@pytest.mark.parametrize(
    ("text", "limited"),
    [
        ("2025年3月底前完成排查。", True),
        ("年底前形成制度。", True),
        ("每季度专题研究一次。", True),
        ("长期坚持，抓常抓长。", True),
        ("6月前完成。", True),
        ("一季度完成风险点排查。", True),
        ("进校检查每所学校每学期不超过2次。", True),
        ("实行月调度、季通报。", True),
        ("到县纪委跟班学习不少于1个月。", True),
        ("进一步提高认识，切实加强学习，不断提高能力。", False),
        ("严格执行中央八项规定精神，主动接受群众监督。", False),
    ],
)
def test_a_measure_needs_a_time_limit(text: str, limited: bool) -> None:
    assert crosscheck.has_time_limit(text) is limited


def test_undated_measures_are_listed_per_member() -> None:
    answers = copy.deepcopy(MAYOR)
    answers["measures"] = [
        {"heading": "加强理论学习", "body": "进一步提高认识，切实加强学习，不断提高能力。"},
        *answers["measures"],
    ]
    result = crosscheck.crosscheck(SIGE, [Member("1", "张三", answers)])
    assert [(m.member.name, m.label) for m in result.undated] == [("张三", "第1条整改措施")]


def test_a_member_learns_only_which_of_their_own_problems_are_too_like_others() -> None:
    mine = Member("2", "李四", copied(MAYOR))
    found = crosscheck.too_like_others(SIGE, mine, [Member("1", "张三", MAYOR)])
    assert [i.member.key for i in found] == ["2"]
    assert found[0].label.endswith("第1个问题") and "学纪知纪" in found[0].text
    assert crosscheck.too_like_others(SIGE, mine, [mine]) == []
