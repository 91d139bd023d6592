"""Last year's 对照检查材料, read back: its problems, causes and measures.

A user sends last year's report as a .docx or .txt file (`files`) or as pasted text
(`text`). The measures become this year's checklist for 上年度整改落实情况 (`carryover`); the
problems are context, and bot/core/quality.py notices a new problem that repeats an old one.
Pure: no I/O beyond the bytes or text given.
"""

from bot.lastyear.files import MAX_BYTES, parse_docx, parse_upload
from bot.lastyear.parsed import NotAReport, ParsedReport, Point
from bot.lastyear.text import MAX_CHARS, parse_text

__all__ = [
    "MAX_BYTES",
    "MAX_CHARS",
    "NotAReport",
    "ParsedReport",
    "Point",
    "parse_docx",
    "parse_text",
    "parse_upload",
]
