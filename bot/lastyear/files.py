"""Last year's report as a file: .docx read as Word, text files decoded, the rest refused.

Uploads are checked before they are read (size, kind, unpacked size); whatever cannot be
read becomes a NotAReport whose message tells the user what to send instead.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

import docx
from docx.document import Document as WordDocument
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from bot.lastyear.parsed import NotAReport, ParsedReport
from bot.lastyear.text import MAX_CHARS, TOO_LONG, parse_text

MAX_BYTES = 2 * 1024 * 1024
# XML elements in all of a .docx's parts. A real report has some ten thousand (styles, theme
# and every run with its properties); far beyond that, loading it would cost seconds and
# hundreds of MB for a file that is not one.
MAX_ELEMENTS = 100_000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_T, _W_P = _W + "t", _W + "p"
_TOO_COMPLEX = "这个 Word 文件的结构异常复杂（元素过多），不像一份对照检查材料，没有读取。"

_PASTE_HINT = "请在 Word 或 WPS 里“另存为” .docx 格式后再发送，或者直接把全文复制粘贴过来。"
_TOO_COMPLEX += _PASTE_HINT


_IMAGE_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
)
_IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "bmp", "webp", "heic", "heif", "tif", "tiff"}
_SHEET_EXTENSIONS = {"xls", "xlsx", "et", "csv", "ods"}
_TEXT_EXTENSIONS = {"txt", "md", "text", "markdown"}


def parse_upload(filename: str, data: bytes) -> ParsedReport:
    """A file the user sent: .docx read as Word, .txt/.md decoded, anything else refused."""
    _check_size(data)
    name = filename.strip().lower()
    ext = name.rsplit(".", 1)[1] if "." in name else ""
    if ext == "docx":
        return parse_docx(data)
    if ext in _TEXT_EXTENSIONS:
        if data.startswith(b"PK\x03\x04"):  # a .docx someone renamed
            return parse_docx(data)
        return parse_text(_decode(data))
    if ext == "doc" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotAReport("暂不支持旧版 Word（.doc）文件。" + _PASTE_HINT)
    if ext == "wps":
        raise NotAReport("暂不支持 WPS 格式（.wps）文件。" + _PASTE_HINT)
    if ext == "pdf" or data.startswith(b"%PDF"):
        raise NotAReport("暂不支持 PDF 文件，无法从中准确读出文字。" + _PASTE_HINT)
    if ext in _IMAGE_EXTENSIONS or _is_image(data):
        raise NotAReport("这是一张图片，无法读出其中的文字。" + _PASTE_HINT)
    if ext in _SHEET_EXTENSIONS:
        raise NotAReport("这是一个表格文件，不是对照检查材料。" + _PASTE_HINT)
    if not ext:  # no name to go by: a zip is tried as Word, anything else as text
        return parse_docx(data) if data.startswith(b"PK\x03\x04") else parse_text(_decode(data))
    shown = f" .{ext} " if ext else "这种"
    raise NotAReport(f"暂不支持{shown}文件，只能读取 .docx 和 .txt 文件。" + _PASTE_HINT)


def parse_docx(data: bytes, max_chars: int | None = MAX_CHARS) -> ParsedReport:
    """A .docx file's paragraphs (and table cells), in order, read as text."""
    _check_size(data)
    if _is_image(data):
        raise NotAReport("这是一张图片，不是 Word 文档，无法读出其中的文字。" + _PASTE_HINT)
    if data.startswith(b"%PDF"):
        raise NotAReport("这是一个 PDF 文件，不是 Word 文档。" + _PASTE_HINT)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(i.file_size for i in archive.infolist())
    except Exception:  # not a zip, a damaged one, or one zipfile cannot open
        raise NotAReport(
            "这个文件已损坏，或者不是 Word（.docx）文档，无法读取。" + _PASTE_HINT
        ) from None
    if "word/document.xml" not in names:
        if any(n.startswith("xl/") for n in names):
            raise NotAReport("这是一个 Excel 表格，不是 Word 文档。" + _PASTE_HINT)
        if any(n.startswith("ppt/") for n in names):
            raise NotAReport("这是一个演示文稿，不是 Word 文档。" + _PASTE_HINT)
        raise NotAReport("这个文件不是 Word（.docx）文档，无法读取。" + _PASTE_HINT)
    if unpacked > 40 * MAX_BYTES:
        raise NotAReport("这个文件解压后太大，无法读取。" + _PASTE_HINT)
    _check_parts(data, max_chars)
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document))
    except Exception:  # a damaged or unusual file: whatever python-docx trips over
        raise NotAReport("这个 Word 文件无法读取，可能已损坏。" + _PASTE_HINT) from None
    return parse_text("\n".join(lines), max_chars)


def _check_parts(data: bytes, max_chars: int | None) -> None:
    """Stream every XML part once, counting elements and the document's text, and refuse
    the file as soon as either passes what a real report has. python-docx then builds
    trees of bounded size: a few hundred KB of zip can otherwise unpack into millions of
    tiny runs or empty paragraphs, which take minutes and gigabytes to load."""
    budget = MAX_ELEMENTS
    chars = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                with archive.open(info) as stream:
                    events = etree.iterparse(
                        stream,
                        events=("start", "end"),
                        resolve_entities=False,
                        no_network=True,
                        load_dtd=False,
                    )
                    for event, element in events:
                        if event == "start":
                            budget -= 1
                            if budget < 0:
                                raise NotAReport(_TOO_COMPLEX)
                            continue
                        # The text as the parser will see it: runs' text, a line per paragraph.
                        if element.tag == _W_T and element.text:
                            chars += len(element.text)
                        elif element.tag == _W_P:
                            chars += 1
                        if max_chars is not None and chars > max_chars:
                            raise NotAReport(TOO_LONG)
                        # Keep the scan's own memory flat: drop what was read.
                        element.clear()
                        while element.getprevious() is not None:
                            del element.getparent()[0]
    except NotAReport:
        raise
    except (etree.XMLSyntaxError, zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise NotAReport("这个 Word 文件无法读取，可能已损坏。" + _PASTE_HINT) from None


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise NotAReport(
            "文件太大（超过 2 MB），对照检查材料一般不会这么大。"
            "请只保留正文另存为 .docx，或者直接把全文复制粘贴过来。"
        )
    if not data:
        raise NotAReport("文件是空的，没有读到任何文字。")


def _is_image(data: bytes) -> bool:
    if data.startswith(_IMAGE_MAGIC):
        return True
    return (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or data[4:12] in (
        b"ftypheic",
        b"ftypheix",
        b"ftypmif1",
    )


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        raise NotAReport("这个文件不是文字文件，无法读取。" + _PASTE_HINT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # GB18030 decodes almost any byte string, Big5 (Taiwan, Hong Kong) included, into
    # nonsense: of the encodings that decode, the one whose text reads as Chinese wins.
    readings = []
    for encoding in ("gb18030", "big5"):
        try:
            readings.append((_chinese_score(data.decode(encoding)), encoding))
        except UnicodeDecodeError:
            continue
    if not readings:
        raise NotAReport("无法识别这个文件的文字编码。" + _PASTE_HINT)
    _, encoding = max(readings)
    text = data.decode(encoding)
    # The parser knows the genre's words in simplified characters.
    return text.translate(_TO_SIMPLIFIED) if encoding == "big5" else text


def _chinese_score(text: str) -> int:
    """How much of `text` is the commonest Chinese, written the same in both scripts."""
    return sum(1 for ch in text if ch in _COMMON)


# Characters of every Chinese text, the same in simplified and traditional writing.
_COMMON = frozenset("的一是在不了有人我和大上中要以出也就年自生子作地于方面问主工部分思想其党")
# Traditional → simplified for the words the genre uses (headings, numbering, stock
# phrases); a Big5 report reads as one in simplified characters for these.
_TO_SIMPLIFIED = str.maketrans(
    "問題產對檢視舉實進況與現單個後擺學習這們為會說時國經關幹黨員組織設務應開議點條項於從還沒長間總結來電當將發動體機種無義紀規讓認識責據強調處層潔風帶頭歷論範級領導覺團隊衛護勞萬區縣鄉鎮幫報書記計劃統籌數質業濟環態傳達貫徹執財資錢權監辦讀寫聽講話語緊張際標準鬥爭嚴肅親戰線維穩氣變邊齊壓歸廣觀勵滿熱難營續選鬆倉純紮",
    "问题产对检视举实进况与现单个后摆学习这们为会说时国经关干党员组织设务应开议点条项于从还没长间总结来电当将发动体机种无义纪规让认识责据强调处层洁风带头历论范级领导觉团队卫护劳万区县乡镇帮报书记计划统筹数质业济环态传达贯彻执财资钱权监办读写听讲话语紧张际标准斗争严肃亲战线维稳气变边齐压归广观励满热难营续选松仓纯扎",
)


def _docx_lines(document: WordDocument) -> Iterator[str]:
    seen: set[int] = set()
    first = True

    def paragraph_lines(text: str) -> list[str]:
        nonlocal first
        if first and text.strip():
            first = False
            return [text.replace("\n", "")]  # a title broken over lines is one title
        return text.split("\n")

    def walk(items: Iterable[Paragraph | Table]) -> Iterator[str]:
        for item in items:
            if isinstance(item, Paragraph):
                yield from paragraph_lines(item.text)
                continue
            for row in item.rows:
                for cell in row.cells:
                    if _seen_cell(cell, seen):  # a merged cell comes back once per column
                        continue
                    yield from walk(cell.iter_inner_content())

    yield from walk(document.iter_inner_content())


def _seen_cell(cell: _Cell, seen: set[int]) -> bool:
    key = id(cell._tc)
    if key in seen:
        return True
    seen.add(key)
    return False
