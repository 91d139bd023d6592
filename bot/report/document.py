"""The document model every writer reads, and the template markup that produces it.

A template's output is markup: a block starts at a marker written in the template's own text
(`@title`, `@heading`, `@subheading`, `@para`, `@runin` … `@body` …,
`@sign`) and runs on to the next
marker; line breaks and indentation in the template do not matter. Everything a template
prints through `{{ … }}` arrives wrapped by `mark_data` between two control characters that
no printed text can contain, so answers are data: markers, `#`, `<b>` or `{{ }}` in an answer
are just characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.wordcount import zishu
from bot.errors import DuizhaoError
from bot.report.genre import clean_text, finish, tidy

_DATA_OPEN, _DATA_CLOSE = "\x02", "\x03"
_DATA = re.compile(f"({_DATA_OPEN}[^{_DATA_OPEN}{_DATA_CLOSE}]*{_DATA_CLOSE})")
_MARKER = re.compile(r"@([a-z]+)")
_LAYOUT = re.compile(r"[ \t]*\n\s*")  # a line break in the template and the indentation after it
_BLOCK_MARKERS = ("title", "heading", "subheading", "para", "runin", "sign")


class TemplateMarkupError(DuizhaoError):
    """A report template's output is not well-formed block markup."""


class Kind(StrEnum):
    """What a block is; the title is not a block but the Document's own field."""

    HEADING = "heading"  # level 1 (一、…), on its own line
    SUBHEADING = "subheading"  # level 2 (（一）…) on its own line, 楷体, no full stop
    PARAGRAPH = "paragraph"  # body text; may open with a run-in heading (`lead`)
    SIGNATURE = "signature"  # a right-aligned closing line: name, date


@dataclass(frozen=True)
class Block:
    """One paragraph of the document, as every writer sees it."""

    kind: Kind
    text: str
    lead: str = ""  # a run-in level-2 heading (（一）….) set in 楷体 before `text`


@dataclass(frozen=True)
class Document:
    """A finished report: its title and its blocks in order, text already tidied."""

    title: str
    blocks: tuple[Block, ...]
    author: str = ""  # the writer's name, for the file's properties; empty when not given

    @property
    def body(self) -> tuple[Block, ...]:
        """Everything but the closing lines."""
        return tuple(b for b in self.blocks if b.kind is not Kind.SIGNATURE)

    @property
    def closing(self) -> tuple[Block, ...]:
        """The signature lines (name, date) that end the document."""
        return tuple(b for b in self.blocks if b.kind is Kind.SIGNATURE)

    @property
    def zishu(self) -> int:
        """The 字数 Word shows for the whole document."""
        return zishu(self.title) + sum(zishu(b.lead) + zishu(b.text) for b in self.blocks)


class Markup(str):
    """A macro's output printed back into its template (`{{ part()|markup }}`): markup
    already, its answers already marked as data, so `mark_data` leaves it as it is."""


def mark_data(value: Any) -> str:
    """The Jinja2 `finalize` hook: printed values become data, None prints nothing."""
    if isinstance(value, Markup):
        return str(value)
    text = "" if value is None else clean_text(str(value))
    return f"{_DATA_OPEN}{text}{_DATA_CLOSE}" if text else ""


def parse(markup: str, source: str = "template") -> Document:
    """Turn a template's output into a Document; `source` names the template in errors."""
    raws = _raw_blocks(markup, source)
    titles = [raw for raw in raws if raw.marker == "title"]
    if len(titles) != 1:
        raise TemplateMarkupError(f"{source}: the output needs one @title block, not {len(titles)}")
    blocks = [b for b in (_block(raw, source) for raw in raws if raw.marker != "title") if b]
    kinds = [b.kind for b in blocks]
    if Kind.SIGNATURE in kinds and set(kinds[kinds.index(Kind.SIGNATURE) :]) != {Kind.SIGNATURE}:
        raise TemplateMarkupError(f"{source}: @sign lines close the document; nothing follows them")
    return Document(tidy(titles[0].text(source)), tuple(blocks))


@dataclass
class _RawBlock:
    """One block as the template wrote it: its marker, its text pieces, where @body fell."""

    marker: str
    parts: list[str] = field(default_factory=list)
    body_at: list[int] = field(default_factory=list)

    def text(self, source: str) -> str:
        if self.body_at:
            raise TemplateMarkupError(
                f"{source}: @body belongs in a @runin block, not @{self.marker}"
            )
        return "".join(self.parts)


def _raw_blocks(markup: str, source: str) -> list[_RawBlock]:
    blocks: list[_RawBlock] = []

    def current(text: str) -> _RawBlock:
        if not blocks:
            raise TemplateMarkupError(
                f"{source}: text before the first marker: {text[:30]!r}; start blocks with @para"
            )
        return blocks[-1]

    for piece in _DATA.split(markup):
        if piece.startswith(_DATA_OPEN):
            current(piece[1:-1]).parts.append(piece[1:-1])
            continue
        for i, chunk in enumerate(_MARKER.split(_LAYOUT.sub("", piece))):
            if i % 2 == 0:
                if chunk.strip() or (blocks and chunk):  # spaces between words are kept
                    current(chunk).parts.append(chunk)
            elif chunk in _BLOCK_MARKERS:
                blocks.append(_RawBlock(chunk))
            elif chunk == "body":
                raw = current("@body")
                raw.body_at.append(len(raw.parts))
            else:
                raise TemplateMarkupError(
                    f"{source}: unknown marker @{chunk}; the markers are "
                    + ", ".join(f"@{m}" for m in (*_BLOCK_MARKERS, "body"))
                    + " (print a literal @ as {{ '@' }})"
                )
    return blocks


def _block(raw: _RawBlock, source: str) -> Block | None:
    """The finished block, or None when the template left it empty."""
    if raw.marker == "runin":
        if len(raw.body_at) != 1:
            raise TemplateMarkupError(f"{source}: a @runin block needs exactly one @body")
        cut = raw.body_at[0]
        lead = finish(tidy("".join(raw.parts[:cut])))
        text = finish(tidy("".join(raw.parts[cut:])))
        return Block(Kind.PARAGRAPH, text, lead) if lead or text else None
    text = raw.text(source)
    if raw.marker == "heading":
        block = Block(Kind.HEADING, tidy(text))
    elif raw.marker == "subheading":
        block = Block(Kind.SUBHEADING, tidy(text).rstrip("。；，、："))
    elif raw.marker == "para":
        block = Block(Kind.PARAGRAPH, finish(tidy(text)))
    else:
        block = Block(Kind.SIGNATURE, text.strip())
    return block if block.text else None
