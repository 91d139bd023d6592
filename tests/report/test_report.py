"""Both shipped templates over small answer sets: structure, numbering, answers as data."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from bot.core.wordcount import zishu
from bot.report.document import Document, Kind
from bot.report.render import build_document
from bot.report.writers.text import to_text
from tests.report.answers import DATE, RUN_IN, answers_2022, answers_2023, flow

FLOW_2022 = flow("2022-liuge")
FLOW_2023 = flow("2023-zhuti")


def build_2022(**changes: object) -> Document:
    return build_document(FLOW_2022, answers_2022(**changes), date=DATE)


def build_2023(**changes: object) -> Document:
    return build_document(FLOW_2023, answers_2023(**changes), date=DATE)


def headings(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if b.kind is Kind.HEADING]


def leads(doc: Document) -> list[str]:
    return [b.lead for b in doc.blocks if b.lead]


def paragraph_after(doc: Document, heading: str) -> str:
    index = next(i for i, b in enumerate(doc.blocks) if b.text == heading)
    return doc.blocks[index + 1].text


# -- 2022 ---------------------------------------------------------------------------------


def test_2022_title_names_position_year_meeting_and_themes() -> None:
    assert build_2022().title == "青石镇副镇长2022年度民主生活会“六个带头”对照检查材料"


def test_2022_sections_in_order_with_last_year() -> None:
    assert headings(build_2022()) == [
        "一、存在的主要问题",
        "二、上年度整改落实情况",
        "三、产生问题的原因剖析",
        "四、整改措施",
    ]


def test_2022_numbering_closes_up_without_last_year() -> None:
    for changes in ({"ly_include": False}, {"ly_include": True, "ly_text": None}):
        assert headings(build_2022(**changes)) == [
            "一、存在的主要问题",
            "二、产生问题的原因剖析",
            "三、整改措施",
        ]


def test_2022_no_heading_is_left_for_an_empty_part() -> None:
    doc = build_2022(causes=None, measures=[], t1_good=None, t1_problems=None, t2_problems=None)
    assert headings(doc) == ["一、上年度整改落实情况"]
    assert not leads(doc)


def test_2022_opening_cites_the_notice_then_study_then_solicitation() -> None:
    opening = build_2022().blocks[0]
    assert opening.kind is Kind.PARAGRAPH and not opening.lead
    assert opening.text.startswith("根据县纪委、县委组织部〔2022〕8号文件要求，参加集中学习4次")
    assert "自学了党的二十大报告。谈心谈话14人次，征求意见9条。" in opening.text
    assert opening.text.endswith("现将个人对照检查情况报告如下：")


def test_2022_opening_without_notice_or_solicitation() -> None:
    opening = build_2022(notice=None, solicit=None).blocks[0].text
    assert opening.startswith(
        "按照上级部署和要求，参加集中学习4次，自学了党的二十大报告。在此基础上"
    )


def theme_title(section_id: str) -> str:
    return next(s.title for s in FLOW_2022.sections if s.id == section_id)


def test_2022_themes_are_headings_on_their_own_line_titled_by_the_flow() -> None:
    subheadings = [b.text for b in build_2022().blocks if b.kind is Kind.SUBHEADING]
    assert subheadings == [f"（一）{theme_title('t1')}", f"（二）{theme_title('t2')}"]


def test_2022_theme_is_affirmation_then_each_point_its_own_paragraph() -> None:
    assert [b.text for b in build_2022().blocks[3:6]] == [
        "能坚持第一时间传达学习上级会议精神，但对照“六个带头”的要求，还存在一些不足：",
        "一是学用结合不紧。学了不用，用得不多。比如，去年有一次开会没准备。",
        "二是对标对表不够。有时只看与分管工作相关的条款。",
    ]


def test_2022_theme_numbering_skips_an_unanswered_theme() -> None:
    doc = build_2022(
        **RUN_IN, t1_good=None, t1_problems=[], t3_problems=[{"summary": "甲", "detail": "乙"}]
    )
    assert leads(doc)[:2] == [
        f"（一）{theme_title('t2')}。",
        f"（二）{theme_title('t3')}。",
    ]


def test_a_title_typed_from_the_notice_replaces_the_theme_heading() -> None:
    doc = build_2022(
        **RUN_IN, custom_titles=True, t1_title="在带头深刻领悟“两个确立”决定性意义方面"
    )
    assert leads(doc)[0] == "（一）在带头深刻领悟“两个确立”决定性意义方面。"


def test_2022_theme_paragraph_is_affirmation_then_enumerated_points() -> None:
    body = build_2022(**RUN_IN).blocks[2].text
    assert body == (
        "能坚持第一时间传达学习上级会议精神，但对照“六个带头”的要求，还存在一些不足："
        "一是学用结合不紧。学了不用，用得不多。比如，去年有一次开会没准备；"
        "二是对标对表不够。有时只看与分管工作相关的条款。"
    )


def test_2022_theme_without_affirmation_starts_with_the_points() -> None:
    body = build_2022(**RUN_IN, t1_good=None).blocks[2].text
    assert body.startswith("一是学用结合不紧。")


def test_2022_causes_are_a_lead_then_one_paragraph_each() -> None:
    doc = build_2022()
    start = next(i for i, b in enumerate(doc.blocks) if b.text == "三、产生问题的原因剖析")
    assert [b.text for b in doc.blocks[start + 1 : start + 4]] == [
        "经认真反思，产生问题的主要原因有：",
        "一是理论学习的动力不足。",
        "二是党性锻炼有所放松。",
    ]


def test_2022_measures_are_run_in_paragraphs() -> None:
    measures = [b for b in build_2022().blocks if b.lead.startswith(("（一）加强", "（二）改进"))]
    assert [(b.lead, b.text) for b in measures] == [
        ("（一）加强理论学习。", "每周自学半天，每季度写一篇体会。"),
        ("（二）改进工作作风。", "每月下村不少于6天。"),
    ]


def test_2022_signature_is_name_then_date() -> None:
    closing = [b.text for b in build_2022().blocks if b.kind is Kind.SIGNATURE]
    assert closing == ["周明远", "2026年1月8日"]
    closing = [b.text for b in build_2022(name=None).blocks if b.kind is Kind.SIGNATURE]
    assert closing == ["2026年1月8日"]


def test_missing_answers_count_as_unanswered() -> None:
    answers = answers_2022()
    for key in ("name", "notice", "solicit", "ly_include", "ly_text", "t1_good"):
        del answers[key]
    doc = build_document(FLOW_2022, answers, date=DATE)
    assert doc.blocks[0].text.startswith("按照上级部署和要求")
    assert "二、产生问题的原因剖析" in headings(doc)


def test_repeat_items_missing_an_optional_field_render() -> None:
    doc = build_2022(t2_problems=[{"summary": "甲", "detail": "乙"}])
    assert "甲。乙。" in to_text(doc)


# -- 2023 ---------------------------------------------------------------------------------


def test_2023_title_and_sections() -> None:
    doc = build_2023()
    assert doc.title == "青石镇副镇长2023年度主题教育专题民主生活会个人对照检查材料"
    assert headings(doc) == ["一、存在的问题", "二、产生问题的原因剖析", "三、整改措施"]
    assert headings(build_2023(ly_include=True, ly_text="已整改。"))[1] == "二、上年度整改落实情况"


def test_2023_areas_are_prose_with_biru_cases() -> None:
    doc = build_2023(style_defaults=False, theme_heading="runin")
    first, second = (b for b in doc.blocks if b.lead.endswith("方面。"))
    assert first.lead == "（一）理论学习方面。"
    assert first.text == (
        "通读了规定书目，但对照主题教育的目标要求，还有不小差距："
        "学习深度不够。很多篇目只通读一遍。比如：心得联系实际不足300字。"
    )
    assert second.lead == "（二）工作作风方面。"
    assert (
        second.text == "调查研究还不够深入。听汇报多。比如：只走访了9位老人。抓落实跟踪问效不够。"
    )


def test_2023_causes_are_run_in_subsections() -> None:
    doc = build_2023()
    start = next(i for i, b in enumerate(doc.blocks) if b.text == "二、产生问题的原因剖析")
    assert [(b.lead, b.text) for b in doc.blocks[start + 1 : start + 3]] == [
        ("（一）理论武装的内生动力不足。", "把学习当作规定动作。"),
        ("（二）宗旨意识有所淡化。", "装着考核指标多，装着群众冷暖少。"),
    ]


def test_2023_without_name_closes_with_the_date() -> None:
    assert build_2023().blocks[-1].text == "2026年1月8日"
    assert build_2023().blocks[-2].kind is not Kind.SIGNATURE


# -- answers are data -----------------------------------------------------------------------

HOSTILE = [
    "{{ 7*7 }}",
    "{% raw %}",
    "{% endraw %}",
    "{# 注释 #}",
    "<b>粗体</b>",
    "# 标题",
    "*星号* **加粗** _下划线_",
    "@heading 假标题",
    "@body",
    "@title 假题目",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_answers_render_literally(text: str) -> None:
    for build in (build_2022, build_2023):
        doc = build(position=f"镇长{text}", study=text, measures=[{"heading": text, "body": text}])
        assert text.replace(" ", "") in doc.title.replace(" ", "")
        assert text in doc.blocks[0].text
        measure = next(b for b in doc.blocks if b.lead.startswith("（一）") and text in b.lead)
        assert measure.text.startswith(text)
        assert headings(doc) == headings(build())  # no block came from the answer


def test_control_characters_are_dropped() -> None:
    doc = build_2022(study="参加\x00集中\x1b学习\x08四次\ufffe", name="周\x07明远")
    assert "参加集中学习四次。" in doc.blocks[0].text
    assert doc.blocks[-2].text == "周明远"


def test_answers_sent_in_several_messages_join_into_one_paragraph() -> None:
    doc = build_2022(ly_text="去年提出3项措施\n已完成2项\n\n还有1项正在推进。")
    assert paragraph_after(doc, "二、上年度整改落实情况") == (
        "去年提出3项措施。已完成2项。还有1项正在推进。"
    )


def test_half_width_punctuation_in_answers_becomes_full_width() -> None:
    doc = build_2022(study="参加集中学习4次,自学党章;撰写心得2篇")
    assert "参加集中学习4次，自学党章；撰写心得2篇。" in doc.blocks[0].text


# -- the document as a whole -------------------------------------------------------------------


def test_zishu_is_the_word_count_of_the_whole_text() -> None:
    doc = build_2022()
    assert doc.zishu == zishu(to_text(doc)) > 300


def test_templates_dir_defaults_to_the_folder_beside_the_flows(tmp_path: Path) -> None:
    (tmp_path / "2022-liuge.j2").write_text("@title 别的模板 @para {{ position }}", "utf-8")
    doc = build_document(FLOW_2022, answers_2022(), date=DATE, templates_dir=tmp_path)
    assert doc.title == "别的模板"
    assert build_2022().title != "别的模板"


def test_a_misspelt_name_in_a_template_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "2022-liuge.j2").write_text("@title {{ positon }}", "utf-8")
    with pytest.raises(jinja2.UndefinedError):
        build_document(FLOW_2022, answers_2022(), date=DATE, templates_dir=tmp_path)


@pytest.mark.parametrize("flow_id", ["2022-liuge", "2023-zhuti"])
def test_a_draft_with_no_answers_yet_renders(flow_id: str) -> None:
    doc = build_document(flow(flow_id), {}, date=DATE)
    assert doc.blocks[0].text.startswith("按照上级部署和要求，我")
    assert not headings(doc)
    assert doc.blocks[-1].text == "2026年1月8日"


def test_a_typed_title_is_ignored_once_the_user_no_longer_wants_own_titles() -> None:
    title = "在带头深刻领悟“两个确立”决定性意义方面。"
    doc = build_2022(**RUN_IN, custom_titles=False, t1_title=title)
    assert leads(doc)[0] == f"（一）{theme_title('t1')}。"
    doc = build_2022(**RUN_IN, custom_titles=True, t1_title=title)
    assert leads(doc)[0] == "（一）在带头深刻领悟“两个确立”决定性意义方面。"


@pytest.mark.parametrize("flow_id", ["2022-liuge", "2023-zhuti", "2024-sige", "zuzhi"])
def test_a_notice_typed_with_a_full_stop_joins_cleanly(flow_id: str) -> None:
    answers = answers_2022(notice="县纪委、县委组织部[2022]8号文件。", study="参加集中学习4次。")
    opening = build_document(flow(flow_id), answers, date=DATE).blocks[0].text
    assert "县纪委、县委组织部〔2022〕8号文件要求，参加集中学习4次。" in opening
    assert "。要求" not in opening and "：。" not in opening and "。。" not in opening


def test_an_affirmation_ending_in_a_full_stop_or_colon_joins_the_bridge_cleanly() -> None:
    for good in ("能坚持学习。", "能坚持学习：", "能坚持学习；"):
        body = build_2022(**RUN_IN, t1_good=good).blocks[2].text
        assert body.startswith("能坚持学习，但对照“六个带头”的要求，还存在一些不足：一是")


def test_a_problem_without_summary_is_one_clause_and_a_theme_may_be_prose() -> None:
    doc = build_2022(
        **RUN_IN,
        t1_good=None,
        t1_problems=[
            {"detail": "落实责任力度不大，有时认为有专职领导负责"},
            {"summary": "“一岗双责”落实不够", "detail": "认为管好自己就行"},
        ],
        t2_problems=[{"detail": "满足于学了、记了。同时，指导实践还有差距"}],
    )
    assert doc.blocks[2].text == (
        "一是落实责任力度不大，有时认为有专职领导负责；二是“一岗双责”落实不够。认为管好自己就行。"
    )
    assert doc.blocks[3].text == "满足于学了、记了。同时，指导实践还有差距。"


def test_every_flow_lets_a_problem_go_without_summary() -> None:
    for flow_id in ("2022-liuge", "2023-zhuti", "2024-sige", "2025-zuofeng", "zuzhi"):
        loaded = flow(flow_id)
        problems = [q for q in map(loaded.question, loaded.question_ids) if q.role == "problems"]
        assert problems
        for q in problems:
            assert q.sub("summary").optional, (flow_id, q.id)
