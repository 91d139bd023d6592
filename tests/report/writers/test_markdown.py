"""Markdown: the structure in Markdown syntax, the text always literal."""

from __future__ import annotations

import pytest

from bot.report.document import Block, Document, Kind
from bot.report.writers.markdown import to_markdown


def test_title_headings_and_bold_run_in_heading() -> None:
    doc = Document(
        "标题",
        (
            Block(Kind.PARAGRAPH, "开头："),
            Block(Kind.HEADING, "一、存在的问题"),
            Block(Kind.PARAGRAPH, "正文。", lead="（一）在“两个维护”方面。"),
            Block(Kind.SIGNATURE, "2026年1月8日"),
        ),
    )
    assert to_markdown(doc) == (
        "# 标题\n\n开头：\n\n## 一、存在的问题\n\n"
        "**（一）在“两个维护”方面**。正文。\n\n2026年1月8日\n"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("*强调* **加粗** _下划线_", r"\*强调\* \*\*加粗\*\* \_下划线\_"),
        ("<b>粗体</b>", r"\<b\>粗体\</b\>"),
        ("# 不是标题", r"\# 不是标题"),
        ("[链接](http://x)", r"\[链接\](http://x)"),
        ("`代码` ~~删除~~ a|b", r"\`代码\` \~\~删除\~\~ a\|b"),
        ("&amp; $x$ 反斜杠\\", r"\&amp; \$x\$ 反斜杠\\"),
        ("1. 不是列表", r"1\. 不是列表"),
        ("2) 不是列表", r"2\) 不是列表"),
        ("- 不是列表", r"\- 不是列表"),
        ("+ 不是列表", r"\+ 不是列表"),
        ("> 不是引用", r"\> 不是引用"),
        ("共1. 5次", "共1. 5次"),
        ("{{ 7*7 }}", r"{{ 7\*7 }}"),
    ],
)
def test_metacharacters_in_text_are_escaped(text: str, escaped: str) -> None:
    doc = Document("T", (Block(Kind.PARAGRAPH, text),))
    assert to_markdown(doc) == f"# T\n\n{escaped}\n"


def test_text_in_titles_headings_and_run_in_headings_is_escaped() -> None:
    doc = Document(
        "#T*", (Block(Kind.HEADING, "一、_甲_"), Block(Kind.PARAGRAPH, "1. 乙", "（一）*丙*。"))
    )
    assert to_markdown(doc) == "# \\#T\\*\n\n## 一、\\_甲\\_\n\n**（一）\\*丙\\***。1. 乙\n"


def test_a_heading_on_its_own_line_is_level_three() -> None:
    doc = Document(
        "标题", (Block(Kind.SUBHEADING, "（一）在“两个维护”方面"), Block(Kind.PARAGRAPH, "正文。"))
    )
    assert to_markdown(doc) == "# 标题\n\n### （一）在“两个维护”方面\n\n正文。\n"
