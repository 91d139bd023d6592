"""Document → Markdown: title `#`, level-1 headings `##`, level-2 headings on their own line
`###`, run-in headings in bold."""

from __future__ import annotations

import re

from bot.report.document import Block, Document, Kind

# The ASCII marks that CommonMark or GitHub's extensions read anywhere in a line (links need
# [ ], so ( ) and ! are harmless once those are escaped).
_INLINE = re.compile(r"([\\`*_\[\]<>#|~&$])")
# Marks that only mean something at the start of a line: lists, quotes, setext underlines.
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def to_markdown(doc: Document) -> str:
    """The whole document; the text is escaped, so nothing in it is read as Markdown."""
    parts = [f"# {_escape(doc.title)}"]
    parts += (_block(b) for b in doc.blocks)
    return "\n\n".join(parts) + "\n"


def _block(block: Block) -> str:
    if block.kind is Kind.HEADING:
        return f"## {_escape(block.text)}"
    if block.kind is Kind.SUBHEADING:
        return f"### {_escape(block.text)}"
    if not block.lead:
        return _escape(block.text)
    # The closing ** must not sit between a mark and a letter (CommonMark's flanking rule,
    # which Chinese text trips over), so the lead's final 。 goes after it.
    lead, stop = block.lead[:-1], block.lead[-1]
    return f"**{_escape(lead)}**{stop}{_escape(block.text, line_start=False)}"


def _escape(text: str, *, line_start: bool = True) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_line_start, text) if line_start else text


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"\\{match.group(3)}"
