"""The 版式与措辞 choices (a flow's `style` section) as the reader of the report sees them."""

from __future__ import annotations

from typing import Any

import pytest

from bot.report.document import Document, Kind
from bot.report.render import build_document
from bot.report.writers.text import to_text
from tests.report.answers import DATE, RUN_IN, answers_2022, flow

FLOWS = ("2022-liuge", "2023-zhuti", "2024-sige", "2025-zuofeng", "zuzhi")
STYLE_KEYS = {
    "style_defaults",
    "title_suffix",
    "title_text",
    "h_problems",
    "h_causes",
    "h_measures",
    "h_ly",
    "opening_start",
    "opening_close",
    "causes_lead",
    "bridge",
    "case_word",
    "theme_heading",
    "points",
    "last_year_at",
    "signature",
    "sign_date",
}


def styled(flow_id: str = "2022-liuge", **style: Any) -> Document:
    answers = answers_2022(style_defaults=False, **style)
    return build_document(flow(flow_id), answers, date=DATE)


def run_in(**style: Any) -> Document:
    """A 2022 report in the run-in layout, for choices whose effect reads in one paragraph."""
    return build_document(flow("2022-liuge"), answers_2022(**(RUN_IN | style)), date=DATE)


def headings(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if b.kind is Kind.HEADING]


@pytest.mark.parametrize("flow_id", FLOWS)
def test_every_flow_offers_every_choice_with_a_default(flow_id: str) -> None:
    section = next(s for s in flow(flow_id).sections if s.id == "style")
    assert {q.id for q in section.questions} == STYLE_KEYS
    assert all(q.default is not None for q in section.questions if q.kind == "choice")


def test_choices_count_only_when_the_user_did_not_accept_the_defaults() -> None:
    chosen = {"h_problems": "存在的问题不足", "signature": "none"}
    default = build_document(flow("2022-liuge"), answers_2022(), date=DATE)
    accepted = build_document(
        flow("2022-liuge"), answers_2022(style_defaults=True, **chosen), date=DATE
    )
    assert to_text(accepted) == to_text(default)
    assert to_text(styled(**chosen)) != to_text(default)


def test_section_headings_are_chosen_or_typed() -> None:
    doc = styled(h_problems="存在的问题不足", h_causes="原因分析", h_measures="我单位的整改措施")
    assert headings(doc) == [
        "一、存在的问题不足",
        "二、上年度整改落实情况",
        "三、原因分析",
        "四、我单位的整改措施",
    ]


def test_title_suffix() -> None:
    assert styled(title_suffix="检视剖析材料").title.endswith("“六个带头”检视剖析材料")
    assert styled("2024-sige", title_suffix="对照检查材料（含案例）").title == (
        "青石镇副镇长2024年度民主生活会对照检查材料（含案例）"
    )


@pytest.mark.parametrize(
    ("start", "words"),
    [
        ("genju", "根据县纪委、县委组织部〔2022〕8号文件要求，"),
        ("anzhao", "按照县纪委、县委组织部〔2022〕8号文件的部署和要求，"),
        ("anzhao_short", "按照县纪委、县委组织部〔2022〕8号文件要求，"),
    ],
)
def test_opening_first_words(start: str, words: str) -> None:
    assert styled(opening_start=start).blocks[0].text.startswith(words)


def test_opening_close_chosen_or_typed() -> None:
    opening = styled(opening_close="weirao").blocks[0].text
    assert opening.endswith(
        "报告。谈心谈话14人次，征求意见9条。现围绕“六个带头”，将个人存在问题、原因剖析、整改措施汇报如下："
    )
    assert "在此基础上" not in opening
    typed = styled(opening_close="现将个人对照检查材料报告如下。").blocks[0].text
    assert typed.endswith("征求意见9条。现将个人对照检查材料报告如下。")


@pytest.mark.parametrize(
    ("bridge", "body"),
    [
        ("shangji", "能坚持第一时间传达学习上级会议精神，但对照上级党委要求，还存在一些问题。一是"),
        ("yixia", "能坚持第一时间传达学习上级会议精神。但还存在以下不足：一是"),
        ("biaozhun", "能坚持第一时间传达学习上级会议精神，但对照标准，还存在一些不足：一是"),
        ("weave", "能坚持第一时间传达学习上级会议精神，但一是"),
        ("none", "能坚持第一时间传达学习上级会议精神。一是"),
        (
            "对照反思还存在一些不足：",
            "能坚持第一时间传达学习上级会议精神，对照反思还存在一些不足：一是",
        ),
    ],
)
def test_bridge_after_an_affirmation(bridge: str, body: str) -> None:
    assert run_in(bridge=bridge).blocks[2].text.startswith(body)


def test_case_word() -> None:
    assert "例如，去年有一次开会没准备" in run_in(case_word="例如").blocks[2].text


def test_theme_heading_on_its_own_line_and_points_one_per_paragraph() -> None:
    doc = styled(theme_heading="own_line", points="paragraphs")
    block = doc.blocks[2]
    assert block.kind is Kind.SUBHEADING and block.text.startswith("（一）在带头深刻领悟")
    assert block.text.endswith("方面")
    texts = [b.text for b in doc.blocks[3:6]]
    assert texts[0].startswith("能坚持第一时间传达学习上级会议精神，但")
    assert texts[1].startswith("一是学用结合不紧。") and texts[1].endswith("。")
    assert texts[2].startswith("二是对标对表不够。")
    causes = [b.text for b in doc.blocks if b.text.startswith(("一是理论", "二是党性"))]
    assert causes == ["一是理论学习的动力不足。", "二是党性锻炼有所放松。"]


def test_points_as_arabic_paragraphs_run_on_after_a_run_in_heading() -> None:
    doc = styled(theme_heading="runin", points="arabic", t1_good=None)
    assert doc.blocks[2].lead.startswith("（一）") and doc.blocks[2].text.startswith("1、学用")
    assert doc.blocks[3].text.startswith("2、对标对表不够。")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (
            "after_problems",
            ["一、存在的主要问题", "二、上年度整改落实情况", "三、产生问题的原因剖析"],
        ),
        ("first", ["一、上年度整改落实情况", "二、存在的主要问题", "三、产生问题的原因剖析"]),
        ("opening", ["一、存在的主要问题", "二、产生问题的原因剖析"]),
        ("none", ["一、存在的主要问题", "二、产生问题的原因剖析"]),
    ],
)
def test_last_year_placement(at: str, expected: list[str]) -> None:
    doc = styled(last_year_at=at)
    assert headings(doc)[:-1] == expected
    in_opening = "去年提出的3项措施已完成2项。" in doc.blocks[0].text
    assert in_opening is (at == "opening")


@pytest.mark.parametrize(
    ("signature", "lines"),
    [
        ("name_date", ["周明远", "2026年1月8日"]),
        ("name", ["周明远"]),
        ("date", ["2026年1月8日"]),
        ("none", []),
    ],
)
def test_signature_and_date_each_optional(signature: str, lines: list[str]) -> None:
    assert [b.text for b in styled(signature=signature).closing] == lines


def test_the_date_asked_is_the_date_printed() -> None:
    doc = styled(sign_date="2023年1月10日")
    assert [b.text for b in doc.closing] == ["周明远", "2023年1月10日"]


@pytest.mark.parametrize("flow_id", FLOWS)
def test_every_layout_renders_in_every_flow(flow_id: str) -> None:
    for heading in ("runin", "own_line"):
        for points in ("inline", "paragraphs", "arabic", "prose"):
            doc = styled(flow_id, theme_heading=heading, points=points)
            text = to_text(doc)
            assert "。。" not in text and "：。" not in text and "，。" not in text


def test_opening_first_words_typed_with_the_notice_in_place_of_dots() -> None:
    opening = styled(opening_start="依据……精神，").blocks[0].text
    assert opening.startswith("依据县纪委、县委组织部〔2022〕8号文件精神，参加集中学习4次")


@pytest.mark.parametrize(
    ("lead", "paragraph"),
    [
        ("default", "经认真反思，产生问题的主要原因有：一是理论学习的动力不足"),
        ("genyuan", "深入剖析，问题产生的根源主要有以下几个方面：一是理论学习的动力不足"),
        ("none", "一是理论学习的动力不足"),
        ("归结起来，原因有以下几点：", "归结起来，原因有以下几点：一是理论学习的动力不足"),
    ],
)
def test_causes_lead_in(lead: str, paragraph: str) -> None:
    doc = run_in(causes_lead=lead)
    after = doc.blocks.index(next(b for b in doc.blocks if b.text == "三、产生问题的原因剖析"))
    assert doc.blocks[after + 1].text.startswith(paragraph)


def test_answers_stay_data_in_every_layout() -> None:
    tricky = "@para 假段落 @heading 假标题 {{ name }}"
    for points in ("inline", "paragraphs", "arabic", "prose"):
        doc = styled(points=points, t2_problems=[{"detail": tricky}], causes=[{"text": tricky}])
        text = to_text(doc)
        assert text.count("@para 假段落 @heading 假标题 {{ name }}") == 2, points
        assert "假标题" not in [b.text for b in doc.blocks if b.kind is Kind.HEADING]


def test_the_whole_title_can_be_typed() -> None:
    doc = styled("zuzhi", title_text="2024年度组织生活会党员个人对照检查材料")
    assert doc.title == "2024年度组织生活会党员个人对照检查材料"
    assert styled("zuzhi").title == "2025年度组织生活会党员个人对照检查材料"
