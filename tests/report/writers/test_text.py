"""Plain text: the chat form, shaped like the reference files."""

from __future__ import annotations

from bot.report.document import Block, Document, Kind
from bot.report.writers.text import to_text

DOC = Document(
    "标题",
    (
        Block(Kind.PARAGRAPH, "开头。"),
        Block(Kind.HEADING, "一、存在的问题"),
        Block(Kind.PARAGRAPH, "正文。", lead="（一）小标题。"),
        Block(Kind.SIGNATURE, "张三"),
        Block(Kind.SIGNATURE, "2026年1月8日"),
    ),
)


def test_one_line_per_paragraph_with_run_in_heading_inline() -> None:
    assert to_text(DOC) == (
        "标题\n\n开头。\n一、存在的问题\n（一）小标题。正文。\n\n张三\n2026年1月8日\n"
    )


def test_no_signature_means_no_trailing_blank_line() -> None:
    assert to_text(Document("标题", (Block(Kind.PARAGRAPH, "甲。"),))) == "标题\n\n甲。\n"


def test_a_heading_on_its_own_line_is_its_own_line() -> None:
    doc = Document(
        "标题", (Block(Kind.SUBHEADING, "（一）小标题"), Block(Kind.PARAGRAPH, "正文。"))
    )
    assert to_text(doc) == "标题\n\n（一）小标题\n正文。\n"
