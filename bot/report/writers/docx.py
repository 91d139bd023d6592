"""Document → .docx in the GB/T 9704-2012 format (the values: shared/spec/gbt9704.md).

Every paragraph carries its own format and every run its own fonts, East Asian slot
included, so the file looks the same in Word, WPS and LibreOffice whatever their defaults.
The Normal style and the document defaults carry the body format too, so that text a user
adds in Word comes out right.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
import threading
from pathlib import Path
from typing import IO

import docx
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, Pt, Twips
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from bot.report.document import Block, Document, Kind

PAGE_WIDTH, PAGE_HEIGHT = Twips(11906), Twips(16838)  # A4
MARGIN_TOP, MARGIN_BOTTOM = Twips(2098), Twips(1984)  # 37 mm, 35 mm
MARGIN_LEFT, MARGIN_RIGHT = Twips(1588), Twips(1474)  # 28 mm, 26 mm: a 156 mm text block
FOOTER_DISTANCE = Twips(1304)  # puts the page number about 7 mm below the text block
LINE = Twips(579)  # exactly 28.95 pt: 22 lines fill the 225 mm text block
GRID_LINE = (LINE, WD_LINE_SPACING.EXACTLY)
SINGLE_LINE = (Twips(240), WD_LINE_SPACING.MULTIPLE)
NO_SPACE = Twips(0)  # before and after paragraphs: blocks follow each other line by line

TITLE_FACE, BODY_FACE = "方正小标宋简体", "仿宋_GB2312"
HEADING_FACE, LEAD_FACE, PAGE_NUMBER_FACE = "黑体", "楷体_GB2312", "宋体"
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE = Pt(22), Pt(16), Pt(14)  # 2号, 3号, 4号
# 28 characters of 3号 a line would need 448 pt, but the text block is 442 pt wide. Word's own
# remedy, a character grid (docGrid linesAndChars), LibreOffice draws wrongly, so the body
# text is condensed by 0.25 pt a character instead, which every program honours.
BODY_CONDENSE = Twips(-5)
INDENT_CHARS = 2  # first-line indent of body paragraphs and level-1 headings
SIGNATURE_RIGHT_CHARS = 4  # the longest closing line stands this far in from the right margin

_THEME_FONT_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
_OPENING_MARKS = "“‘（《「『〔"
_CLOSING_MARKS = "”’）》」』〕。，、；：！？"
# The words titles of this genre are made of: a title breaks between them, never inside.
_TITLE_WORDS = re.compile(
    r"\d+年度|主题教育|专题|民主生活会|组织生活会|个人|对照检查材料|“[^“”]*”|（[^（）]*）"
)


TITLE_CHARS_PER_LINE = (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / TITLE_SIZE
# A longer title is filled line by line instead of balanced.
MAX_BALANCED_LINES = 6

_ONE_AT_A_TIME = threading.Lock()


def to_docx(doc: Document, target: str | Path | IO[bytes]) -> None:
    """Write the document as a .docx file to a path or a binary stream."""
    # python-docx's parts point at each other, so a written document (a few MB, mostly
    # lxml's) is freed only by the cycle collector, whose full pass is rare: when many users
    # of the bot finished at once, the documents piled up. One at a time, each is still in
    # the young generations when it is done, and collecting those takes about 1 ms. The lock
    # covers writing this document and nothing else: the title is laid out before it.
    title = balanced_lines(doc.title, TITLE_CHARS_PER_LINE)
    with _ONE_AT_A_TIME:
        _word(doc, title).save(target)
        gc.collect(1)


def _word(doc: Document, title: list[str]) -> WordDocument:
    word = docx.Document()
    _set_properties(word, doc)
    _set_up_styles(word)
    _set_up_page(word)
    _write_title(word, title)
    for block in doc.body:
        _write_block(word, block)
    widest = max((_width(b.text) for b in doc.closing), default=0.0)
    for i, block in enumerate(doc.closing):
        _write_closing_line(word, block.text, widest, first=i == 0)
    return word


def balanced_lines(text: str, chars_per_line: float) -> list[str]:
    """A title too long for one line, broken into lines of nearly equal width, away from
    quotes, brackets and runs of Latin letters or digits where possible.

    Titles of more than MAX_BALANCED_LINES lines (no real one is) are filled line by line.
    """
    # Widths in half characters, so that sums are exact integers.
    halves = [0]
    for ch in text:
        halves.append(halves[-1] + (1 if ord(ch) < 0x80 else 2))
    total, limit = halves[-1], chars_per_line * 2
    count = math.ceil(total / limit)
    if count <= 1:
        return [text]
    if count > MAX_BALANCED_LINES:
        return _filled_lines(text, halves, limit)
    target = total / 2 / count
    penalty = _break_penalties(text)
    n = len(text)
    # best[k][end]: the cheapest (cost, previous end) putting text[:end] on k lines. Line k can
    # only end where k full lines reach and the rest still fits on the lines left; that keeps
    # each row within about one line's width of text, so the work grows with the title.
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}]
    for k in range(1, count + 1):
        row: dict[int, tuple[float, int]] = {}
        low, high = total - (count - k) * limit, k * limit
        ends = [n] if k == count else [e for e in range(1, n) if low <= halves[e] <= high]
        for end in ends:
            for start, (cost, _) in best[k - 1].items():
                width = halves[end] - halves[start]
                if start >= end or width > limit:
                    continue
                total_cost = cost + (width / 2 - target) ** 2 + penalty[end]
                if end not in row or total_cost < row[end][0]:
                    row[end] = (total_cost, start)
        best.append(row)
    if n not in best[count]:
        return [text]  # no split fits: let the word processor wrap it
    cuts = [n]
    for k in range(count, 0, -1):
        cuts.append(best[k][cuts[-1]][1])
    cuts.reverse()
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def _filled_lines(text: str, halves: list[int], limit: float) -> list[str]:
    """Each line as full as it can be."""
    lines, start = [], 0
    for end in range(1, len(text) + 1):
        if halves[end] - halves[start] > limit:
            lines.append(text[start : end - 1])
            start = end - 1
    lines.append(text[start:])
    return lines


def _width(text: str) -> float:
    """Width in characters of the font size: Latin letters and digits are half as wide."""
    return sum(0.5 if ord(ch) < 0x80 else 1.0 for ch in text)


def _break_penalties(text: str) -> list[float]:
    """The cost of breaking the line before each position (none at the very end)."""
    inside, border = set(), set()
    for word in _TITLE_WORDS.finditer(text):
        inside.update(range(word.start() + 1, word.end()))
        border.update((word.start(), word.end()))
    penalties = [0.0] * (len(text) + 1)
    for at in range(1, len(text)):
        before, after = text[at - 1], text[at]
        if after in _CLOSING_MARKS or before in _OPENING_MARKS:
            penalties[at] = 100.0
        elif before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
            penalties[at] = 100.0
        elif at in inside:
            penalties[at] = 100.0
        elif at not in border:
            # Beside a quote or bracket a word certainly ends; elsewhere the break may split
            # a word, which a reader notices more than a little imbalance.
            penalties[at] = 0.0 if after in _OPENING_MARKS or before in _CLOSING_MARKS else 6.0
    return penalties


# -- blocks ------------------------------------------------------------------------------


def _write_title(word: WordDocument, lines: list[str]) -> None:
    paragraph = _paragraph(word, WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0, after=LINE)
    # 2号 glyphs are taller than a grid line; snapped, each title line would take two.
    no_snap = OxmlElement("w:snapToGrid")
    no_snap.set(qn("w:val"), "0")
    paragraph._p.pPr.find(qn("w:spacing")).addprevious(no_snap)
    _run(paragraph, "\n".join(lines), TITLE_FACE, TITLE_SIZE)


def _write_block(word: WordDocument, block: Block) -> None:
    paragraph = _paragraph(word, WD_ALIGN_PARAGRAPH.JUSTIFY)
    if block.kind in (Kind.HEADING, Kind.SUBHEADING):
        paragraph.paragraph_format.keep_with_next = True  # never a heading alone at a page foot
        face = HEADING_FACE if block.kind is Kind.HEADING else LEAD_FACE
        _run(paragraph, block.text, face, BODY_SIZE)
        return
    if block.lead:
        _run(paragraph, block.lead, LEAD_FACE, BODY_SIZE)
    _run(paragraph, block.text, BODY_FACE, BODY_SIZE)


def _write_closing_line(word: WordDocument, text: str, widest: float, first: bool) -> None:
    """Name and date right-aligned, each centred on the longest of them, one line's space
    above the first."""
    right = SIGNATURE_RIGHT_CHARS + (widest - _width(text)) / 2
    paragraph = _paragraph(
        word,
        WD_ALIGN_PARAGRAPH.RIGHT,
        indent_chars=0,
        right_chars=right,
        before=LINE if first else NO_SPACE,
    )
    _run(paragraph, text, BODY_FACE, BODY_SIZE)


def _paragraph(
    word: WordDocument,
    align: WD_ALIGN_PARAGRAPH,
    *,
    indent_chars: int = INDENT_CHARS,
    right_chars: float = 0,
    before: Length = NO_SPACE,
    after: Length = NO_SPACE,
) -> Paragraph:
    paragraph = word.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    _format_paragraph(ppr, align, indent_chars, right_chars)
    ppr.spacing_before, ppr.spacing_after = before, after
    return paragraph


def _format_paragraph(
    ppr: CT_PPr,
    align: WD_ALIGN_PARAGRAPH,
    indent_chars: int,
    right_chars: float = 0,
    line: tuple[Length, WD_LINE_SPACING] = GRID_LINE,
) -> None:
    """Alignment, line spacing, no space around, and indents counted in characters
    (w:firstLineChars), which Word and WPS keep right if the font size changes."""
    ppr.jc_val = align
    ppr.spacing_line, ppr.spacing_lineRule = line
    ppr.spacing_before = ppr.spacing_after = NO_SPACE
    ind = ppr.get_or_add_ind()
    char = BODY_SIZE.twips
    ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
    ind.set(qn("w:firstLine"), str(indent_chars * char))
    if right_chars:
        ind.set(qn("w:rightChars"), str(round(right_chars * 100)))
        ind.set(qn("w:right"), str(round(right_chars * char)))


def _run(paragraph: Paragraph, text: str, face: str, size: Length) -> Run:
    run = paragraph.add_run(text)
    _set_font(run._r.get_or_add_rPr(), face, size)
    return run


def _set_font(rpr: CT_RPr, face: str, size: Length) -> None:
    """The face in every slot, East Asian included (python-docx sets only the Latin ones),
    with no theme font left to override it; the size; the body's condensed spacing."""
    fonts = rpr.get_or_add_rFonts()
    for slot in _THEME_FONT_SLOTS:
        fonts.attrib.pop(qn(slot), None)
    for slot in _FONT_SLOTS:
        fonts.set(qn(slot), face)
    rpr.sz_val = size
    sz = rpr.find(qn("w:sz"))
    if size == BODY_SIZE:
        sz.addprevious(_valued("w:spacing", BODY_CONDENSE.twips))
    if rpr.find(qn("w:szCs")) is None:
        sz.addnext(_valued("w:szCs", sz.get(qn("w:val"))))


def _valued(tag: str, value: object) -> BaseOxmlElement:
    element = OxmlElement(tag)
    element.set(qn("w:val"), str(value))
    return element


# -- styles and page ---------------------------------------------------------------------


def _set_properties(word: WordDocument, doc: Document) -> None:
    """What Word shows under File → Info: the report's title and its writer, written now
    (python-docx's template would say "python-docx", in 2013)."""
    props = word.core_properties
    props.title = doc.title
    props.author = props.last_modified_by = doc.author
    props.comments = ""
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0)
    props.revision = 1


def _set_up_styles(word: WordDocument) -> None:
    """The body format on the document defaults and on Normal, for text added in Word."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_font(rpr, BODY_FACE, BODY_SIZE)
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _format_paragraph(ppr, WD_ALIGN_PARAGRAPH.JUSTIFY, 0)

    normal = word.styles["Normal"].element
    _set_font(normal.get_or_add_rPr(), BODY_FACE, BODY_SIZE)
    ppr = normal.get_or_add_pPr()
    _format_paragraph(ppr, WD_ALIGN_PARAGRAPH.JUSTIFY, INDENT_CHARS)
    # Every page keeps all 22 lines: no line moves over to save a widow.
    ppr.get_or_add_widowControl().set(qn("w:val"), "0")


def _set_up_page(word: WordDocument) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.footer_distance = FOOTER_DISTANCE
    # A line grid of the body's pitch: Word's page setup then reads "22 lines a page".
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE.twips))
    _write_page_number(section.footer.paragraphs[0])


def _write_page_number(paragraph: Paragraph) -> None:
    """`— N —` centred: a PAGE field between em dashes, 宋体 4号, single-spaced."""
    _format_paragraph(paragraph._p.get_or_add_pPr(), WD_ALIGN_PARAGRAPH.CENTER, 0, line=SINGLE_LINE)
    field = (
        _field_char("begin"),
        _instruction("PAGE"),
        _field_char("separate"),
        "1",  # shown until the field is updated, as on the first page
        _field_char("end"),
    )
    for part in ("— ", *field, " —"):
        if isinstance(part, str):
            _run(paragraph, part, PAGE_NUMBER_FACE, PAGE_NUMBER_SIZE)
        else:
            _run(paragraph, "", PAGE_NUMBER_FACE, PAGE_NUMBER_SIZE)._r.append(part)


def _field_char(kind: str) -> BaseOxmlElement:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    return char


def _instruction(code: str) -> BaseOxmlElement:
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {code} "
    return instruction
