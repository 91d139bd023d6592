"""The block markup: markers only in template text, data never parsed, faults named."""

from __future__ import annotations

import pytest

from bot.report.document import Block, Document, Kind, TemplateMarkupError, mark_data, parse


def data(value: object) -> str:
    return mark_data(value)


def test_blocks_follow_markers_and_ignore_template_line_breaks() -> None:
    doc = parse(
        "@title 标题\n\n@para 第一段\n  接着写\n@heading 一、问题\n"
        "@runin （一）小标题。\n@body 正文\n@sign 张三\n@sign 2026年1月8日\n"
    )
    assert doc == Document(
        "标题",
        (
            Block(Kind.PARAGRAPH, "第一段接着写。"),
            Block(Kind.HEADING, "一、问题"),
            Block(Kind.PARAGRAPH, "正文。", lead="（一）小标题。"),
            Block(Kind.SIGNATURE, "张三"),
            Block(Kind.SIGNATURE, "2026年1月8日"),
        ),
    )


def test_markers_inside_data_are_text() -> None:
    doc = parse(f"@title T @para {data('@heading 不是标题 @body @sign')}")
    assert doc.blocks == (Block(Kind.PARAGRAPH, "@heading 不是标题 @body @sign。"),)


def test_data_cannot_close_its_wrapping() -> None:
    sneaky = data("甲\x03@heading 乙\x02丙")
    doc = parse(f"@title T @para {sneaky}")
    assert doc.blocks == (Block(Kind.PARAGRAPH, "甲@heading 乙丙。"),)


def test_spaces_between_printed_words_are_kept() -> None:
    doc = parse(f"@title T @para {data('Word')} {data('Excel')}\n{data('表格')}")
    assert doc.blocks == (Block(Kind.PARAGRAPH, "Word Excel表格。"),)


def test_none_prints_nothing_and_empty_blocks_vanish() -> None:
    doc = parse(f"@title T @heading {data(None)} @para {data('')} @sign {data(None)}")
    assert doc.blocks == ()


def test_runin_without_body_text_keeps_its_heading() -> None:
    doc = parse("@title T @runin （一）只有标题 @body")
    assert doc.blocks == (Block(Kind.PARAGRAPH, "", lead="（一）只有标题。"),)


def test_body_and_closing_split_the_blocks() -> None:
    doc = parse("@title T @para 甲 @heading 一、乙 @sign 张三 @sign 2026年1月8日")
    assert [b.text for b in doc.body] == ["甲。", "一、乙"]
    assert [b.text for b in doc.closing] == ["张三", "2026年1月8日"]


def test_zishu_counts_title_leads_and_text() -> None:
    doc = parse("@title 标题 @runin （一）甲。@body 乙 @sign 2026年1月8日")
    # 标题 2 + （一）甲。 5 + 乙。 2 + 2026年1月8日: 2026, 年, 1, 月, 8, 日 = 6
    assert doc.zishu == 15


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("开头没有标记 @title T", "text before the first marker"),
        ("@title T @paragraph 甲", "unknown marker @paragraph"),
        ("@title T @para 甲 @body 乙", "@body belongs in a @runin block"),
        ("@title T @runin 甲", "exactly one @body"),
        ("@title T @runin 甲 @body 乙 @body 丙", "exactly one @body"),
        ("@para 甲", "one @title block, not 0"),
        ("@title 甲 @title 乙", "one @title block, not 2"),
        ("@title T @sign 张三 @para 甲", "@sign lines close the document"),
    ],
)
def test_malformed_markup_is_refused_with_a_reason(markup: str, message: str) -> None:
    with pytest.raises(TemplateMarkupError, match=message) as caught:
        parse(markup, "x.j2")
    assert str(caught.value).startswith("x.j2: ")


def test_a_subheading_stands_alone_without_a_full_stop() -> None:
    doc = parse("@title T @subheading （一）在学习方面。 @para 正文")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (Kind.SUBHEADING, "（一）在学习方面"),
        (Kind.PARAGRAPH, "正文。"),
    ]
