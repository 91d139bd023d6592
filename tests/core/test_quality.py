"""The reviewer's checks, on written examples good and bad."""

from __future__ import annotations

import pytest

from bot.core import quality
from bot.core.loader import parse_flow

FLOW = parse_flow(
    """
id: q
title: 测试
version: 1
meeting: 民主生活会
year: 2026
template: x.j2
total_chars: {min: 100, max: 2000}
sections:
  - id: t1
    title: 在理论学习方面
    target_chars: 50
    questions:
      - id: t1_problems
        kind: repeat
        role: problems
        prompt: 问题
        questions:
          - {id: summary, kind: text, prompt: 概括}
          - {id: detail, kind: long_text, prompt: 表现}
          - {id: case, kind: long_text, prompt: 实例, optional: true}
  - id: t2
    title: 在廉洁自律方面
    questions:
      - id: t2_problems
        kind: repeat
        role: problems
        prompt: 问题
        questions:
          - {id: summary, kind: text, prompt: 概括}
          - {id: detail, kind: long_text, prompt: 表现}
  - id: causes
    title: 原因
    questions:
      - id: causes
        kind: repeat
        role: causes
        prompt: 原因
        questions:
          - {id: text, kind: long_text, prompt: 原因}
  - id: measures
    title: 措施
    questions:
      - id: measures
        kind: repeat
        role: measures
        prompt: 措施
        questions:
          - {id: heading, kind: text, prompt: 标题}
          - {id: body, kind: long_text, prompt: 做法}
"""
)

STUDY = {
    "summary": "理论学习系统性不够",
    "detail": "个人自学缺少计划，碎片化阅读多，原著读得少，学习笔记时断时续。",
    "case": "今年制定的自学计划列了12个专题，只完成了7个。",
}
CLEAN = {
    "summary": "公务接待把关不严",
    "detail": "对分管站所的公务接待审批只看金额，不看陪同人数和接待对象，全年有5次超标准陪同。",
}
GOOD = {
    "t1_problems": [STUDY],
    "t2_problems": [CLEAN],
    "causes": [{"text": "理想信念有所松懈，对党性修养的要求放松，宗旨意识淡化。"}],
    "measures": [
        {
            "heading": "抓好理论学习",
            "body": "制定自学计划，每周半天研读原著，按季度写学习笔记，年底前完成全部专题。",
        },
        {
            "heading": "严把接待关口",
            "body": "公务接待逐项审批陪同人数和接待对象，每季度抽查分管站所接待台账。",
        },
    ],
}


def kinds(answers) -> list[str]:
    return [f.kind for f in quality.check(FLOW, answers)]


def test_a_good_draft_has_no_findings():
    assert quality.check(FLOW, GOOD) == []


def test_links_show_which_problem_each_measure_answers():
    links = quality.links(FLOW, GOOD)
    assert [[p.label for p in link.problems] for link in links] == [
        ["“理论学习”第1个问题（理论学习系统性不够）"],
        ["“廉洁自律”第1个问题（公务接待把关不严）"],
    ]


@pytest.mark.parametrize(
    ("problem", "vague"),
    [
        ({"summary": "学习不够", "detail": "学得不深不透，用得也不好。"}, True),
        (
            {"summary": "学习不够", "detail": "学得不深不透。", "case": "参加研讨只发言一次。"},
            False,
        ),
        ({"summary": "学习不够", "detail": "比如研讨时照本宣科。"}, False),
        ({"summary": "学习不够", "detail": "2023年只读了两本书。"}, False),
        ({"summary": "学习不够", "detail": "三个月没有记笔记。"}, False),
    ],
)
def test_a_problem_without_a_case_number_or_date_is_flagged(problem, vague):
    answers = {**GOOD, "t1_problems": [problem]}
    findings = [f for f in quality.check(FLOW, answers) if f.kind == "vague"]
    assert bool(findings) is vague
    if vague:
        assert findings[0].message.startswith("“理论学习”第1个问题（学习不够）没有具体实例")
        # The fix opens the problem's 实例 question itself.
        assert findings[0].step == "t1_problems[0].case"
        assert findings[0].id == "vague:t1_problems[0]"


def test_a_cause_restating_a_problem_names_the_problem():
    restated = {"text": "个人自学缺少计划，碎片化阅读多，原著读得少，学习笔记时断时续。"}
    findings = [
        f for f in quality.check(FLOW, {**GOOD, "causes": [restated]}) if f.kind == "restated"
    ]
    assert len(findings) == 1
    assert "第1条原因" in findings[0].message
    assert "“理论学习”第1个问题（理论学习系统性不够）" in findings[0].message
    assert findings[0].step == "causes[0].text"


def test_a_measure_answering_nothing_and_an_uncovered_theme():
    measures = [
        GOOD["measures"][0],
        {"heading": "改进文风", "body": "开短会、讲短话，压缩发文数量。"},
    ]
    findings = quality.check(FLOW, {**GOOD, "measures": measures})
    assert [(f.kind, f.step) for f in findings if f.kind in ("unlinked", "uncovered")] == [
        ("unlinked", "measures[1].body"),
        ("uncovered", "measures[+]"),  # adds a measure
    ]
    uncovered = next(f for f in findings if f.kind == "uncovered")
    assert uncovered.message == "“廉洁自律”方面的问题还没有对应的整改措施，可以加一条措施。"
    assert uncovered.id == "uncovered:t2"


def test_short_sections_and_the_total_range():
    answers = {"t1_problems": [{"summary": "学习不够", "detail": "学了12次"}]}
    findings = [f for f in quality.check(FLOW, answers) if f.kind in ("short", "total")]
    assert findings[0].message == "“理论学习”写了 8 字，建议不少于 50 字。"
    assert findings[0].step == "t1_problems[0].detail"  # its shortest written long answer
    assert findings[1].message.startswith("全文约")


def test_duplicate_sentences_stock_phrases_and_placeholders():
    problem = {
        "summary": "学习进一步不够",
        "detail": "进一步学习进一步思考进一步提高进一步落实。对上级部署的理解还不够深刻。",
        "case": "对上级部署的理解还不够深刻。今年××月开会时没有发言。",
    }
    found = kinds({**GOOD, "t1_problems": [problem]})
    assert found.count("duplicate") == 1
    assert "stock" in found
    assert "placeholder" in found


def test_checks_advise_on_an_empty_draft_without_crashing():
    assert kinds({}) == ["total"]


def test_a_problem_copied_from_last_year_is_flagged():
    last_year = ["个人自学缺少计划，碎片化阅读多，原著读得少，学习笔记时断时续。", "下基层调研少。"]
    findings = quality.check(FLOW, GOOD, last_year)
    copied = [f for f in findings if f.kind == "copied"]
    assert [f.step for f in copied] == ["t1_problems[0].detail"]
    assert "和去年的问题“个人自学缺少计划，碎片化阅读多，…”几乎一样" in copied[0].message
    assert [
        f for f in quality.check(FLOW, GOOD, ["公务用车管理不严格。"]) if f.kind == "copied"
    ] == []


def _split(text: str, first: str, rest: str) -> dict[str, str]:
    head, _, tail = text.partition("。")
    return {first: head, rest: tail}


def test_the_issues_xinfang_measure_answers_the_xinfang_problem():
    """Issue 12, observation 3: 切实践行群众路线 (信访积案逐件过堂) plainly answers the problem
    about 群众来信来访, and that theme has a measure."""
    from bot.core.yamltext import load_yaml
    from bot.flows import FLOWS_DIR, load_flow

    data = (FLOWS_DIR.parent / "benchmarks" / "data" / "links.yaml").read_text(encoding="utf-8")
    case = next(c for c in load_yaml(data)["cases"] if c["id"] == "issue12-xinfang")
    flow = load_flow(FLOWS_DIR / "2022-liuge.yaml")
    answers: dict = {}
    for p in case["problems"]:
        answers.setdefault(f"{p['theme']}_problems", []).append(
            _split(p["text"], "summary", "detail")
        )
    answers["causes"] = [{"text": c["text"]} for c in case["causes"]]
    answers["measures"] = [_split(m["text"], "heading", "body") for m in case["measures"]]

    mass_line = quality.links(flow, answers)[1]
    assert mass_line.measure.label.startswith("第2条措施（切实践行群众路线）")
    assert [p.label for p in mass_line.problems] == [
        "“带头践行以人民为中心的发…”第1个问题（回应群众来信来访不够及时彻底）"
    ]
    messages = [f.message for f in quality.check(flow, answers)]
    assert not any("第2条措施" in m and "看不出" in m for m in messages)
    assert not any("还没有对应的整改措施" in m for m in messages)
    assert any("第6条措施（永葆共产党人政治本色）看不出针对哪个问题" in m for m in messages)


def test_a_sentence_repeated_many_times_is_one_finding_with_its_true_count():
    same = "对上级部署的理解还不够深刻。"
    problems = [
        {"summary": f"问题{i}", "detail": same + f"第{i}件事没有办好。", "case": same}
        for i in range(5)
    ]
    findings = [
        f for f in quality.check(FLOW, {**GOOD, "t1_problems": problems}) if f.kind == "duplicate"
    ]
    assert len(findings) == 1
    assert findings[0].message == "这句话出现了 10 次：“对上级部署的理解还不够深刻”"
    assert findings[0].step == "t1_problems[0].case"
