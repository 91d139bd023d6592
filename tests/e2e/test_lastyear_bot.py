"""Last year's report into this year's interview, through the real bot."""

from __future__ import annotations

import io
import json
import sqlite3

from bot.core.answersfile import parse
from bot.flows import load_all
from bot.report.render import build_document
from bot.report.writers.docx import to_docx
from tests.e2e.test_bot import FIXTURES, start_flow
from tests.golden_paths import GOLDEN

FLOWS = load_all()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FOUND = "从去年的材料里找到：问题 18 条、原因 5 条、整改措施 5 条。"


def last_years_docx() -> bytes:
    flow, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)
    out = io.BytesIO()
    to_docx(build_document(flow, data.answers, date=data.date), out)
    return out.getvalue()


def stored(db, user_id: int) -> tuple[dict, dict]:
    with sqlite3.connect(db) as conn:
        iid, context = conn.execute(
            "select id, context from interviews where owner = ?", [f"tg:{user_id}"]
        ).fetchone()
        answers = {
            k: json.loads(v)
            for k, v in conn.execute(
                "select question_id, value from answers where interview_id = ?", [iid]
            )
        }
    return answers, json.loads(context or "{}")


def test_a_sent_docx_becomes_the_checklist_and_the_context(user, running):
    start_flow(user, FLOWS["2023-zhuti"].title)
    user.send_document("2022年对照检查材料.docx", last_years_docx(), DOCX)
    offer = user.wait_for(lambda m: m.text.startswith("从去年的材料里"), timeout=20)
    assert offer.text.splitlines()[0] == FOUND
    assert "1. 持之以恒加强理论武装" in offer.text
    assert offer.text.endswith("将新增 5 条措施。")
    user.click("确认导入")
    assert user.wait_reply().text.startswith("已导入去年的材料。")
    answers, context = stored(running.db, user.id)
    assert answers["ly_include"] is True
    assert [i["measure"][:8] for i in answers["ly_items"]][:2] == [
        "持之以恒加强理论",
        "严格执行党的组织",
    ]
    assert len(context["last_year_problems"]) == 18
    user.click("跳过")  # t1_good
    user.wait_reply()
    user.click("去年的问题")
    listing = user.wait_for(lambda m: m.text.startswith("1. "))
    assert "对“两个确立”的理解还停留在面上" in listing.text


def test_pasted_text_is_parsed_and_can_be_cancelled(user, running):
    start_flow(user, FLOWS["2023-zhuti"].title)
    before = stored(running.db, user.id)
    text = (GOLDEN / "2022-liuge.txt").read_text(encoding="utf-8")
    user.send("/lastyear")
    assert "粘贴" in user.wait_reply().text
    half = text.index("\n", len(text) // 2)
    user.send(text[:half])
    user.wait_reply()
    user.send(text[half + 1 :])
    assert user.wait_reply().text.startswith("已收到")
    user.click("解析")
    assert user.wait_for(lambda m: m.text.startswith(FOUND))
    user.click("取消")
    assert user.wait_reply().text == "已取消，没有导入任何内容。"
    assert stored(running.db, user.id) == before


def test_files_that_are_not_reports_change_nothing(user, running, api):
    start_flow(user, FLOWS["2023-zhuti"].title)
    before = stored(running.db, user.id)
    user.send_document("去年的材料.pdf", b"%PDF-1.4 fake", "application/pdf")
    assert user.wait_reply().text.startswith("我只能读取 Word（.docx）或文本（.txt）文件")
    user.send_document("随笔.txt", "今天天气很好，我们去公园散步。".encode(), "text/plain")
    assert "看起来不是对照检查材料" in user.wait_reply().text
    user.send_document("图片.docx", b"\x89PNG\r\n\x1a\n" + b"0" * 100, DOCX)
    assert user.wait_reply().text
    downloads = sum(1 for m, _ in api.sent if m.lower() == "getfile")
    user.send_document("大文件.docx", b"0" * (2 * 1024 * 1024 + 1), DOCX)
    assert user.wait_reply().text.startswith("文件超过 2 MB")
    assert sum(1 for m, _ in api.sent if m.lower() == "getfile") == downloads
    assert stored(running.db, user.id) == before


def _everything_typed(db, user_id: int) -> str:
    """Answers and drafts of the user's interview, as one string to search."""
    with sqlite3.connect(db) as conn:
        iid, drafts = conn.execute(
            "select id, drafts from interviews where owner = ?", [f"tg:{user_id}"]
        ).fetchone()
        values = [
            v for (v,) in conn.execute("select value from answers where interview_id = ?", [iid])
        ]
    return json.dumps(values, ensure_ascii=False) + (drafts or "")


def test_cancel_resume_and_any_command_leave_paste_mode(user, running):
    start_flow(user, FLOWS["2023-zhuti"].title)
    user.send("/lastyear")
    assert "粘贴" in user.wait_reply().text
    user.send("/cancel")
    assert "退出" in user.wait_reply().text
    user.send("/resume")
    user.wait_for(lambda m: "第" in m.text and "部分" in m.text)
    user.send("理论学习系统性不够，满足于读原文、记笔记")
    assert "个字符" not in user.wait_reply().text
    assert "理论学习系统性不够" in _everything_typed(running.db, user.id)
    user.send("/lastyear")
    user.wait_reply()
    user.send("/status")
    user.wait_for(lambda m: "退出" in m.text)
    user.wait_for(lambda m: "总进度" in m.text)
    user.send("调研不深入，到基层少")
    assert "个字符" not in user.wait_reply().text
    assert "调研不深入" in _everything_typed(running.db, user.id)


def test_text_that_does_not_parse_is_offered_back_as_the_answer(user, running):
    start_flow(user, FLOWS["2023-zhuti"].title)
    user.send("/lastyear")
    user.wait_reply()
    user.send("对理论学习重视不够，学得不深不透")
    assert user.wait_reply().text.startswith("已收到")
    user.click("解析")
    refusal = user.wait_reply()
    assert "没有导入" in refusal.text
    user.click("作为本题的回答")
    user.wait_reply()
    assert "学得不深不透" in _everything_typed(running.db, user.id)
