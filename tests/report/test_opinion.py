"""The organiser's files: the cross-check as a message and a 审核意见, the reports as a .zip."""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document as WordDocument

from bot.core import crosscheck
from bot.core.answersfile import parse
from bot.core.crosscheck import Member
from bot.flows import load_all
from bot.report import opinion

FLOWS = load_all()
FLOW = FLOWS["2024-sige"]
ANSWERS = parse(
    (Path(__file__).parents[1] / "fixtures" / "answers" / "2024-sige.yaml").read_text("utf-8"),
    FLOWS,
)[1].answers
DAY = dt.date(2026, 12, 18)


def planted() -> crosscheck.CrossCheck:
    copy_of = copy.deepcopy(ANSWERS)
    for q in ("t1_problems", "t3_problems", "t4_problems"):
        copy_of[q] = [{"summary": "别的问题", "detail": "完全不同的表现" + q, "case": "实例" + q}]
    copy_of["measures"] = [{"heading": "加强学习", "body": "进一步提高认识，切实加强理论学习。"}]
    members = [Member("1", "张三", ANSWERS), Member("2", "李四", copy_of)]
    return crosscheck.crosscheck(FLOW, members)


def test_the_message_names_both_members_and_quotes_both_texts() -> None:
    text = opinion.opinion_text(planted(), "青石镇党委班子2024年度民主生活会")
    assert "【内容雷同】" in text and "张三" in text and "李四" in text
    assert "学纪知纪还不够深入" in text
    assert "【整改措施缺少时限】1 处" in text and "李四的第1条整改措施（加强学习）" in text


def test_nothing_found_and_nothing_submitted_are_said_plainly() -> None:
    clean = crosscheck.crosscheck(FLOW, [Member("1", "张三", ANSWERS)])
    assert "未发现" in opinion.opinion_text(clean, "会")
    assert "还没有人提交" in opinion.opinion_text(crosscheck.crosscheck(FLOW, []), "会")


def test_the_opinion_docx_has_a_heading_per_kind_and_the_date() -> None:
    data = opinion.opinion_docx(planted(), "青石镇党委班子2024年度民主生活会", DAY)
    paragraphs = [p.text for p in WordDocument(io.BytesIO(data)).paragraphs]
    text = "\n".join(paragraphs)
    assert "审核意见" in text
    assert "一、内容雷同" in text and "二、整改措施缺少时限" in text
    assert "2026年12月18日" in text


def test_the_zip_holds_one_docx_per_member_named_by_member() -> None:
    data = opinion.submissions_zip(FLOW, [("张三", ANSWERS), ("李/四", ANSWERS)], DAY)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [f"01-张三-{FLOW.title}.docx", f"02-李_四-{FLOW.title}.docx"]
