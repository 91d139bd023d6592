"""The .docx read back: every GB/T 9704 value the writer promises, run by run."""

from __future__ import annotations

import gc
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pytest
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from bot.core.wordcount import zishu
from bot.report.document import Document, Kind
from bot.report.render import build_document
from bot.report.writers import docx as docx_writer
from bot.report.writers.docx import balanced_lines, to_docx
from tests.budget import within
from tests.report.answers import DATE, RUN_IN, answers_2022, flow

FONT_SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")


@pytest.fixture(scope="module")
def doc() -> Document:
    return build_document(flow("2022-liuge"), answers_2022(), date=DATE)


@pytest.fixture(scope="module")
def word(doc: Document, tmp_path_factory: pytest.TempPathFactory) -> WordDocument:
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    to_docx(doc, path)
    return docx.Document(str(path))


def attr(element: etree._Element | None, path: str, name: str) -> str | None:
    """`name` of the first element at `path` under `element` (w: prefixes allowed)."""
    found = element.find(path, {"w": element.nsmap["w"]}) if element is not None else None
    return None if found is None else found.get(qn(f"w:{name}"))


def fonts(rpr: etree._Element) -> dict[str, str | None]:
    return {slot: attr(rpr, "w:rFonts", slot) for slot in FONT_SLOTS}


def run_face(run) -> str:
    faces = set(fonts(run._r.rPr).values())
    assert len(faces) == 1, f"run {run.text!r} has mixed fonts {faces}"
    return faces.pop()


def run_size(run) -> int:
    return int(attr(run._r.rPr, "w:sz", "val"))


def ppr(paragraph: Paragraph) -> etree._Element:
    return paragraph._p.pPr


# -- page ---------------------------------------------------------------------------------


def test_page_is_a4_with_the_standard_margins(word: WordDocument) -> None:
    sect = word.sections[0]._sectPr
    assert (attr(sect, "w:pgSz", "w"), attr(sect, "w:pgSz", "h")) == ("11906", "16838")
    margins = {side: attr(sect, "w:pgMar", side) for side in ("top", "bottom", "left", "right")}
    assert margins == {"top": "2098", "bottom": "1984", "left": "1588", "right": "1474"}


def test_line_grid_is_the_body_pitch(word: WordDocument) -> None:
    sect = word.sections[0]._sectPr
    assert (attr(sect, "w:docGrid", "type"), attr(sect, "w:docGrid", "linePitch")) == (
        "lines",
        "579",
    )


# -- styles -------------------------------------------------------------------------------


def test_normal_style_and_defaults_carry_the_body_format(word: WordDocument) -> None:
    defaults = word.styles.element.find(qn("w:docDefaults"))
    normal = word.styles["Normal"].element
    for rpr in (defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), normal.rPr):
        assert fonts(rpr) == dict.fromkeys(FONT_SLOTS, "仿宋_GB2312")
        assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None
        assert attr(rpr, "w:sz", "val") == "32"
    assert attr(defaults, "w:rPrDefault/w:rPr/w:lang", "eastAsia") == "zh-CN"
    assert attr(normal.pPr, "w:ind", "firstLineChars") == "200"
    assert attr(normal.pPr, "w:ind", "firstLine") == "640"
    assert attr(normal.pPr, "w:spacing", "line") == "579"
    assert attr(normal.pPr, "w:spacing", "lineRule") == "exact"
    assert attr(normal.pPr, "w:jc", "val") == "both"


# -- every paragraph and run ---------------------------------------------------------------


def test_one_paragraph_per_block_and_no_empty_ones(word: WordDocument, doc: Document) -> None:
    texts = [p.text for p in word.paragraphs]
    assert texts[1:] == [b.lead + b.text for b in doc.blocks]
    assert all(t.strip() for t in texts)


def test_every_run_names_one_face_in_every_slot(word: WordDocument) -> None:
    runs = [r for p in word.paragraphs for r in p.runs]
    runs += [r for p in word.sections[0].footer.paragraphs for r in p.runs]
    for run in runs:
        assert None not in fonts(run._r.rPr).values(), run.text
        run_face(run)
        rfonts = run._r.rPr.find(qn("w:rFonts"))
        assert not any("Theme" in name or "theme" in name for name in rfonts.attrib)


def test_every_paragraph_has_exact_spacing_and_no_space_around(word: WordDocument) -> None:
    for paragraph in word.paragraphs:
        assert attr(ppr(paragraph), "w:spacing", "line") == "579"
        assert attr(ppr(paragraph), "w:spacing", "lineRule") == "exact"
    body = [p for p in word.paragraphs[1:] if p.runs and run_face(p.runs[-1]) != "方正小标宋简体"]
    closing = [p for p in body if attr(ppr(p), "w:jc", "val") == "right"]
    for paragraph in body:
        before = "579" if paragraph is closing[0] else "0"
        assert attr(ppr(paragraph), "w:spacing", "before") == before
        assert attr(ppr(paragraph), "w:spacing", "after") == "0"


def test_title_is_centred_unindented_xiaobiaosong_22pt(word: WordDocument) -> None:
    title = word.paragraphs[0]
    assert attr(ppr(title), "w:jc", "val") == "center"
    assert attr(ppr(title), "w:ind", "firstLineChars") == "0"
    assert attr(ppr(title), "w:ind", "firstLine") == "0"
    assert attr(ppr(title), "w:snapToGrid", "val") == "0"
    assert attr(ppr(title), "w:spacing", "after") == "579"  # one line's space before the body
    assert [(run_face(r), run_size(r)) for r in title.runs] == [("方正小标宋简体", 44)]


def test_long_title_breaks_into_balanced_lines(word: WordDocument) -> None:
    title = word.paragraphs[0]
    assert len(title._p.findall(".//" + qn("w:br"))) == 1
    assert title.text == "青石镇副镇长2022年度民主生活会\n“六个带头”对照检查材料"


def test_body_paragraphs_are_fangsong_16pt_justified_indented(
    word: WordDocument, doc: Document
) -> None:
    plain = [
        p for p, b in zip(word.paragraphs[1:], doc.blocks, strict=True) if b.kind is Kind.PARAGRAPH
    ]
    assert plain
    for paragraph in plain:
        assert attr(ppr(paragraph), "w:jc", "val") == "both"
        assert attr(ppr(paragraph), "w:ind", "firstLineChars") == "200"
        assert attr(ppr(paragraph), "w:ind", "firstLine") == "640"
        assert (run_face(paragraph.runs[-1]), run_size(paragraph.runs[-1])) == ("仿宋_GB2312", 32)


def test_body_text_is_condensed_to_28_characters_a_line(word: WordDocument) -> None:
    for paragraph in word.paragraphs[1:]:
        for run in paragraph.runs:
            assert attr(run._r.rPr, "w:spacing", "val") == "-5"
    assert attr(word.paragraphs[0].runs[0]._r.rPr, "w:spacing", "val") is None


def test_level_one_headings_are_heiti_on_their_own_indented_line(
    word: WordDocument, doc: Document
) -> None:
    pairs = zip(word.paragraphs[1:], doc.blocks, strict=True)
    headings = [p for p, b in pairs if b.kind is Kind.HEADING]
    assert [p.text for p in headings] == [
        "一、存在的主要问题",
        "二、上年度整改落实情况",
        "三、产生问题的原因剖析",
        "四、整改措施",
    ]
    for paragraph in headings:
        assert [(run_face(r), run_size(r)) for r in paragraph.runs] == [("黑体", 32)]
        assert attr(ppr(paragraph), "w:ind", "firstLineChars") == "200"
        assert ppr(paragraph).find(qn("w:keepNext")) is not None


def test_run_in_heading_is_kaiti_then_fangsong_in_one_paragraph(tmp_path: Path) -> None:
    doc = build_document(flow("2022-liuge"), answers_2022(**RUN_IN), date=DATE)
    to_docx(doc, tmp_path / "run-in.docx")
    word = docx.Document(str(tmp_path / "run-in.docx"))
    pairs = [(p, b) for p, b in zip(word.paragraphs[1:], doc.blocks, strict=True) if b.lead]
    assert len(pairs) == 4  # two themes, two measures
    for paragraph, block in pairs:
        assert [(r.text, run_face(r), run_size(r)) for r in paragraph.runs] == [
            (block.lead, "楷体_GB2312", 32),
            (block.text, "仿宋_GB2312", 32),
        ]


def test_signature_and_date_are_right_aligned_four_characters_in(word: WordDocument) -> None:
    name, date = word.paragraphs[-2:]
    assert (name.text, date.text) == ("周明远", "2026年1月8日")
    for paragraph in (name, date):
        assert attr(ppr(paragraph), "w:jc", "val") == "right"
        assert attr(ppr(paragraph), "w:ind", "firstLineChars") == "0"
        assert run_face(paragraph.runs[0]) == "仿宋_GB2312"
    # The date is the longer line: 4 characters in; the name is centred above it.
    assert attr(ppr(date), "w:ind", "rightChars") == "400"
    assert attr(ppr(date), "w:ind", "right") == "1280"
    assert attr(ppr(name), "w:ind", "rightChars") == "550"  # 4 + (6 − 3) / 2: digits are half


# -- footer -------------------------------------------------------------------------------


def test_footer_is_a_centred_page_field_between_em_dashes(word: WordDocument) -> None:
    (footer,) = word.sections[0].footer.paragraphs
    assert footer.text == "— 1 —"
    assert attr(ppr(footer), "w:jc", "val") == "center"
    assert attr(ppr(footer), "w:ind", "firstLineChars") == "0"
    assert attr(ppr(footer), "w:spacing", "lineRule") == "auto"
    kinds = [c.get(qn("w:fldCharType")) for c in footer._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    instructions = [i.text.strip() for i in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]
    for run in footer.runs:
        assert (run_face(run), run_size(run)) == ("宋体", 28)


# -- the file -----------------------------------------------------------------------------


def test_writes_to_a_stream_and_counts_the_same_words(doc: Document) -> None:
    stream = io.BytesIO()
    to_docx(doc, stream)
    stream.seek(0)
    text = "".join(p.text for p in docx.Document(stream).paragraphs)
    assert zishu(text) == doc.zishu


def test_answers_with_control_characters_still_make_a_file(tmp_path: Path) -> None:
    answers = answers_2022(study="参加\x00集中\x0b学习\x1f四次", name="\x07周明远\ud800")
    doc = build_document(flow("2022-liuge"), answers, date=DATE)
    to_docx(doc, tmp_path / "x.docx")
    assert docx.Document(str(tmp_path / "x.docx")).paragraphs[-2].text == "周明远"


def test_a_document_without_signature(tmp_path: Path) -> None:
    doc = Document("短标题", ())
    to_docx(doc, tmp_path / "x.docx")
    assert [p.text for p in docx.Document(str(tmp_path / "x.docx")).paragraphs] == ["短标题"]


# -- title lines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("镇长对照检查材料", ["镇长对照检查材料"]),
        (
            "青石镇副镇长2022年度民主生活会“六个带头”对照检查材料",
            ["青石镇副镇长2022年度民主生活会", "“六个带头”对照检查材料"],
        ),
        (
            "某某县某某镇党委副书记、镇长2022年度民主生活会“六个带头”对照检查材料",
            ["某某县某某镇党委副书记、镇长2022年度", "民主生活会“六个带头”对照检查材料"],
        ),
        (
            "青石镇副镇长2023年度主题教育专题民主生活会个人对照检查材料",
            ["青石镇副镇长2023年度主题教育", "专题民主生活会个人对照检查材料"],
        ),
    ],
)
def test_balanced_title_lines(title: str, lines: list[str]) -> None:
    assert balanced_lines(title, 20.1) == lines


def test_balanced_lines_each_fit() -> None:
    title = "某某省某某市某某县某某镇党委委员、人大主席团主席、副镇长2023年度主题教育专题民主生活会个人对照检查材料"
    lines = balanced_lines(title, 20.1)
    assert "".join(lines) == title and len(lines) == 3
    assert all(len(line) <= 20 for line in lines)


def test_a_title_of_a_thousand_latin_letters_is_laid_out_at_once() -> None:
    """Latin letters count one 字 a run: such a title passed the 字数 limit of 职务 and took
    minutes to balance, inside the lock every report waits for."""
    title = "镇长" + "a" * 1500 + "2022年度民主生活会对照检查材料"
    with within(5):
        lines = balanced_lines(title, 20.1)
    assert "".join(lines) == title
    assert all(len(line) <= 40 for line in lines)


def test_the_title_is_laid_out_before_the_writing_lock_is_taken(doc: Document, monkeypatch):
    def laid_out(text: str, chars_per_line: float) -> list[str]:
        assert not docx_writer._ONE_AT_A_TIME.locked(), "title laid out inside the lock"
        return balanced_lines(text, chars_per_line)

    monkeypatch.setattr(docx_writer, "balanced_lines", laid_out)
    to_docx(doc, io.BytesIO())


def test_reports_written_at_once_do_not_pile_up_in_memory(doc: Document) -> None:
    """Many users finishing together: each written document is freed when it is done, not
    at the cycle collector's next full pass (python-docx's objects point at each other)."""

    def write(_: int) -> int:
        out = io.BytesIO()
        to_docx(doc, out)
        return len(out.getvalue())

    with ThreadPoolExecutor(6) as pool:
        sizes = list(pool.map(write, range(24)))
    assert all(size > 10_000 for size in sizes)
    alive = [o for o in gc.get_objects() if isinstance(o, docx.document.Document)]
    assert len(alive) <= 1, f"{len(alive)} documents still in memory"


def test_a_theme_heading_on_its_own_line_is_kaiti_indented_and_kept_with_its_text(
    tmp_path: Path,
) -> None:
    answers = answers_2022(style_defaults=False, theme_heading="own_line", points="paragraphs")
    doc = build_document(flow("2022-liuge"), answers, date=DATE)
    to_docx(doc, tmp_path / "x.docx")
    paragraphs = docx.Document(str(tmp_path / "x.docx")).paragraphs[1:]
    pairs = [(p, b) for p, b in zip(paragraphs, doc.blocks, strict=True)]
    subheadings = [p for p, b in pairs if b.kind is Kind.SUBHEADING]
    assert [p.text[:3] for p in subheadings] == ["（一）", "（二）"]
    for paragraph in subheadings:
        assert [(run_face(r), run_size(r)) for r in paragraph.runs] == [("楷体_GB2312", 32)]
        assert attr(ppr(paragraph), "w:ind", "firstLineChars") == "200"
        assert ppr(paragraph).find(qn("w:keepNext")) is not None
    points = [p for p, b in pairs if b.text.startswith(("一是", "二是"))]
    assert len(points) == 4  # two problems of the first theme, two causes
    assert all([run_face(r) for r in p.runs] == ["仿宋_GB2312"] for p in points)
