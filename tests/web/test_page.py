"""What the page shows: the writers' Document, each answer marked where it is printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import answersfile, engine
from bot.flows import load_all
from bot.report.render import build_document
from bot.storage import Storage
from bot.web.page import page_data
from tests.report.answers import DATE, ROOT

FLOWS = load_all()
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def stored(tmp_path: Path, flow_id: str, **changes):
    text = (ROOT / "tests" / "fixtures" / "answers" / f"{flow_id}.yaml").read_text("utf-8")
    flow, data = answersfile.parse(text, FLOWS)
    answers = {**data.answers, **changes}
    interview = Storage(tmp_path / "d.db").create("tg:1", flow, engine.adopt(flow, answers))
    return flow, interview


def printed(data) -> list[str]:
    return [
        "".join(t for t, _ in block["lead"]) + "".join(t for t, _ in block["text"])
        for part in data["parts"]
        for block in part["blocks"]
    ]


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_the_page_prints_the_writers_document_word_for_word(tmp_path, flow_id):
    flow, interview = stored(tmp_path, flow_id)
    data = page_data(flow, interview, DATE)
    doc = build_document(flow, interview.state.answers, date=DATE)
    assert printed(data)[0] == doc.title
    assert printed(data)[1:] == [b.lead + b.text for b in doc.blocks]
    assert data["zishu"] == doc.zishu == sum(p["zishu"] for p in data["parts"])


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_every_text_answer_is_editable_where_it_stands(tmp_path, flow_id):
    flow, interview = stored(tmp_path, flow_id)
    data = page_data(flow, interview, DATE)
    marked = {
        key for part in data["parts"] for b in part["blocks"] for _, key in b["lead"] + b["text"]
    } - {None}
    assert marked | set(data["unplaced"]) == set(data["fields"])
    # The shipped fixtures print every answer they hold; a skipped one can be filled in apart.
    assert all(data["fields"][key]["value"] == "" for key in data["unplaced"])


def test_a_problem_summary_is_marked_in_its_theme_paragraph(tmp_path):
    flow, interview = stored(tmp_path, "2024-sige")
    data = page_data(flow, interview, DATE)
    pieces = {key: text for p in data["parts"] for b in p["blocks"] for text, key in b["text"]}
    assert pieces["t1_problems[0].summary"] == "落实上级决策部署有时不够坚决及时"
    assert data["fields"]["t1_problems[0].summary"]["value"] == "落实上级决策部署有时不够坚决及时"


def test_findings_sit_beside_the_paragraph_they_concern(tmp_path):
    flow, interview = stored(tmp_path, "2024-sige")
    problems = [dict(p) for p in interview.state.answers["t2_problems"]]
    problems[0] = {"summary": "学习不够深入", "detail": "学得不深。", "case": None}
    flow, interview = stored(tmp_path / "..", "2024-sige", t2_problems=problems)
    data = page_data(flow, interview, DATE)
    theme = next(
        b
        for p in data["parts"]
        for b in p["blocks"]
        if ("学习不够深入", "t2_problems[0].summary") in [tuple(s) for s in b["text"]]
    )
    assert any("没有具体实例" in f["message"] for f in theme["findings"]), theme["findings"]


def test_an_answer_with_markup_stays_text(tmp_path):
    flow, interview = stored(tmp_path, "2024-sige", t1_good=XSS)
    data = page_data(flow, interview, DATE)
    pieces = {key: text for p in data["parts"] for b in p["blocks"] for text, key in b["text"]}
    assert "<script>alert(1)</script>" in pieces["t1_good"]
