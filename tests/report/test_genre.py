"""The genre's text rules: numbering, joining points, punctuation at the joins."""

from __future__ import annotations

import datetime

import pytest

from bot.report.genre import (
    bare,
    chinese_date,
    chinese_number,
    clean_text,
    finish,
    full_width_marks,
    ordinal,
    points,
    problem,
    sentences,
    tidy,
)
from tests.budget import within

ONE_TO_TWENTY = (
    "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()
)


def test_chinese_numbers_one_to_twenty() -> None:
    assert [chinese_number(n) for n in range(1, 21)] == ONE_TO_TWENTY


@pytest.mark.parametrize(("n", "text"), [(21, "二十一"), (30, "三十"), (99, "九十九")])
def test_chinese_numbers_beyond_twenty(n: int, text: str) -> None:
    assert chinese_number(n) == text


@pytest.mark.parametrize("n", [0, -1, 100])
def test_chinese_numbers_out_of_range(n: int) -> None:
    with pytest.raises(ValueError):
        chinese_number(n)


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("一、", [f"{c}、" for c in ONE_TO_TWENTY]),
        ("（一）", [f"（{c}）" for c in ONE_TO_TWENTY]),
        ("一是", [f"{c}是" for c in ONE_TO_TWENTY]),
    ],
)
def test_ordinal_forms_one_to_twenty(form: str, expected: list[str]) -> None:
    assert [ordinal(n, form) for n in range(1, 21)] == expected


def test_ordinal_defaults_to_level_one() -> None:
    assert ordinal(3) == "三、"


@pytest.mark.parametrize("form", ["（）", "一一"])
def test_ordinal_form_must_hold_one_yi(form: str) -> None:
    with pytest.raises(ValueError):
        ordinal(1, form)


def test_points_are_numbered_and_joined_with_semicolons() -> None:
    assert points(["甲", "乙", "丙"]) == "一是甲；二是乙；三是丙。"


def test_points_drop_the_marks_the_join_supplies() -> None:
    assert points(["甲。", "乙；", "丙，"]) == "一是甲；二是乙；三是丙。"


def test_points_keep_marks_inside_a_point() -> None:
    assert points(["学用有差距。有时只是读了", "乙"]) == "一是学用有差距。有时只是读了；二是乙。"


def test_points_skip_empty_items_and_keep_numbering_continuous() -> None:
    assert points(["甲", None, "  ", "乙"]) == "一是甲；二是乙。"


def test_a_single_point_is_not_numbered() -> None:
    assert points(["只有一条。"]) == "只有一条。"


def test_no_points_is_nothing() -> None:
    assert points([]) == ""


def test_points_beyond_ten() -> None:
    joined = points([f"第{n}条" for n in range(1, 13)])
    assert "；十是第10条；十一是第11条；十二是第12条。" in joined


def test_problem_is_summary_detail_and_case() -> None:
    item = {"summary": "学用结合不紧。", "detail": "学了不用", "case": "去年开会没准备。"}
    assert problem(item) == "学用结合不紧。学了不用。比如，去年开会没准备"


def test_problem_case_intro_can_be_a_colon() -> None:
    item = {"summary": None, "detail": "听汇报多", "case": "只走访了9位老人"}
    assert problem(item, "比如：") == "听汇报多。比如：只走访了9位老人"


def test_problem_case_already_saying_biru_is_not_doubled() -> None:
    item = {"summary": "甲", "detail": "乙", "case": "例如，去年"}
    assert problem(item) == "甲。乙。例如，去年"


def test_problem_without_case_or_summary() -> None:
    assert problem({"detail": "只有表现。"}) == "只有表现"
    assert problem({"summary": "只有概括", "detail": None, "case": None}) == "只有概括"


def test_sentences_end_each_piece() -> None:
    assert sentences(["甲", "乙。", None, "丙！"]) == "甲。乙。丙！"


@pytest.mark.parametrize(
    ("raw", "tidied"),
    [
        ("甲。；乙", "甲；乙"),
        ("甲。。乙", "甲。乙"),
        ("甲，。", "甲。"),
        ("甲；。", "甲。"),
        ("甲。，但乙", "甲，但乙"),
        ("甲！。", "甲！"),
        ("学习,工作;生活:好?是!", "学习，工作；生活：好？是！"),
        ("学习 , 工作", "学习，工作"),
        ("共3次,每次2小时", "共3次，每次2小时"),
        ("学习.工作.", "学习。工作。"),
        ("1,000人 9:30开会", "1,000人 9:30开会"),
        ("1.加强学习", "1.加强学习"),
        ("Word, Excel", "Word, Excel"),
        ("认真 学习  党章", "认真学习党章"),
        ("全角，标点（括号）“引号”保留？", "全角，标点（括号）“引号”保留？"),
        ("“两个维护”,做到", "“两个维护”，做到"),
    ],
)
def test_tidy(raw: str, tidied: str) -> None:
    assert tidy(raw) == tidied


@pytest.mark.parametrize(
    ("raw", "finished"),
    [
        ("没有句号", "没有句号。"),
        ("句号。", "句号。"),
        ("分号；", "分号。"),
        ("逗号，", "逗号。"),
        ("报告如下：", "报告如下："),
        ("感叹！", "感叹！"),
        ("存在“老好人”", "存在“老好人”。"),
        ("他说：“好。”", "他说：“好。”"),
        ("", ""),
    ],
)
def test_finish(raw: str, finished: str) -> None:
    assert finish(raw) == finished


def test_clean_text_runs_messages_into_one_paragraph() -> None:
    assert clean_text("第一条\n第二条。\r\n\n第三条：\n一是") == "第一条。第二条。第三条：一是"


def test_clean_text_drops_what_word_cannot_store() -> None:
    assert clean_text("甲\x00乙\x1b丙\x7f丁\ufffe戊\x08") == "甲乙丙丁戊"
    assert clean_text("甲\t乙") == "甲 乙"


def test_chinese_date_has_no_zero_padding() -> None:
    assert chinese_date(datetime.date(2026, 1, 8)) == "2026年1月8日"
    assert chinese_date(datetime.date(2023, 12, 31)) == "2023年12月31日"


def test_clean_text_knows_every_line_break() -> None:
    assert clean_text("甲\u2028乙\x85丙\v丁\f戊") == "甲。乙。丙。丁。戊"


@pytest.mark.parametrize(
    ("raw", "tidied"),
    [
        ("中,,,,好", "中，好"),  # each converts; the seams then keep one mark
        (",,,中", "，中"),
        ("中 , , a", "中，a"),
        ("a,.中", "a,.中"),  # a full stop only right after CJK
        ("中..", "中.."),
        ("中, .", "中。"),  # both convert; the seam keeps the later
    ],
)
def test_runs_of_half_width_marks(raw: str, tidied: str) -> None:
    assert tidy(raw) == tidied


def test_a_long_run_of_commas_takes_linear_time() -> None:
    """Commas count 0 字, so no 字 limit stops a run of them; converting one per pass over
    the text took hours for this one."""
    with within(10):
        assert full_width_marks("中" + "," * 100_000) == "中" + "，" * 100_000
        assert full_width_marks("," * 100_000 + "中") == "，" * 100_000 + "中"


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("甲\u202e乙", "甲乙"),  # an override never closed would turn the line around
        ("甲\u202e乙\u202c丙", "甲\u202e乙\u202c丙"),
        ("\u202c甲", "甲"),
        ("\u2067甲\u202b乙\u2069丙", "\u2067甲乙\u2069丙"),  # the isolate closes the embedding
        ("甲\u2069\u2066乙", "甲乙"),
    ],
)
def test_unbalanced_bidi_controls_are_dropped(raw: str, kept: str) -> None:
    assert clean_text(raw) == kept


@pytest.mark.parametrize(
    "raw",
    [
        "县委组织部[2022]5号",
        "县委组织部【2022】5号",
        "县委组织部（2022）5号",
        "县委组织部(2022) 5号",
        "县委组织部〔2022〕5号",
        "县委组织部［2022］5号",
    ],
)
def test_wenhao_year_brackets_become_liuhao(raw: str) -> None:
    assert tidy(raw) == "县委组织部〔2022〕5号"


def test_wenhao_placeholder_numbers_and_other_brackets_stay() -> None:
    assert tidy("县纪委〔2022〕***号文件") == "县纪委〔2022〕***号文件"
    assert tidy("完成了（2022）年度的任务") == "完成了（2022）年度的任务"


@pytest.mark.parametrize("raw", ["县委文件。", "县委文件：", "县委文件；", "县委文件， "])
def test_bare_drops_the_marks_a_join_supplies(raw: str) -> None:
    assert bare(raw) == "县委文件"
