"""What the organiser gets out of a meeting: the cross-report check as a message and as a
审核意见 document, and every submitted report as one .zip of .docx files named by member."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.crosscheck import CrossCheck, Item, Twin
from bot.core.model import Flow
from bot.report.document import Block, Document, Kind
from bot.report.genre import chinese_date, ordinal, tidy
from bot.report.render import build_document
from bot.report.writers.docx import to_docx

CLIP = 60  # characters of each text quoted in the chat message
SHOWN = 20  # findings of one kind listed in the chat message; the document has them all


def _pair_line(twin: Twin, clip: int | None) -> str:
    a, b = twin.a, twin.b
    kind = "问题" if a.kind == "problem" else "整改措施"
    return (
        f"{a.member.name}的{a.label}与{b.member.name}的{b.label}表述基本相同"
        f"（{kind}，相似度 {twin.similarity:.0%}）。"
        f"{a.member.name}：“{_clip(a.text, clip)}”；{b.member.name}：“{_clip(b.text, clip)}”"
    )


def _undated_line(item: Item, clip: int | None) -> str:
    return f"{item.member.name}的{item.label}（{_clip(item.title or item.text, clip)}）没有写明完成时限。"


def _parts(check: CrossCheck, clip: int | None) -> list[tuple[str, list[str]]]:
    """(heading, lines) for each kind of finding that has any."""
    parts = []
    if check.twins:
        parts.append(("内容雷同", [_pair_line(t, clip) for t in check.twins]))
    if check.uncovered:
        parts.append(
            ("方面缺漏", [f"“{t}”方面，所有成员都没有查摆问题。" for t in check.uncovered])
        )
    if check.shortfalls:
        parts.append(
            (
                "问题数量不足",
                [
                    f"{s.member.name}在“{s.theme}”方面查摆了 {s.count} 个问题，少于要求的 {s.minimum} 个。"
                    for s in check.shortfalls
                ],
            )
        )
    if check.undated:
        parts.append(("整改措施缺少时限", [_undated_line(i, clip) for i in check.undated]))
    return parts


def opinion_text(check: CrossCheck, meeting_name: str) -> str:
    """The check as a chat message (long texts clipped)."""
    lines = [f"《{meeting_name}》交叉审核：共 {check.members} 份已提交的材料。"]
    if check.members == 0:
        return lines[0] + "\n还没有人提交材料。"
    if check.clean:
        lines.append("未发现内容雷同、方面缺漏、问题数量不足或措施缺少时限的情况。")
    for heading, found in _parts(check, CLIP):
        lines += ["", f"【{heading}】{len(found)} 处"]
        lines += [f"{i}. {line}" for i, line in enumerate(found[:SHOWN], 1)]
        if len(found) > SHOWN:
            lines.append(f"……另有 {len(found) - SHOWN} 处，见审核意见文档。")
    return "\n".join(lines)


def opinion_document(check: CrossCheck, meeting_name: str, date: dt.date) -> Document:
    """The 审核意见 the organiser can forward, as the report writers' Document."""
    blocks = [
        Block(
            Kind.PARAGRAPH,
            f"对已提交的 {check.members} 份对照检查材料逐份进行了比对，"
            "重点看问题是否千篇一律、各方面是否都查摆到位、问题数量是否达到要求、"
            "整改措施是否明确时限。现将审核意见反馈如下，请相关同志对照修改完善。",
        )
    ]
    parts = _parts(check, None)
    if not parts:
        blocks.append(
            Block(
                Kind.PARAGRAPH,
                "经审核，未发现内容雷同、方面缺漏、问题数量不足或整改措施缺少时限的情况。",
            )
        )
    for n, (heading, found) in enumerate(parts, 1):
        blocks.append(Block(Kind.HEADING, f"{ordinal(n)}{heading}"))
        blocks += [
            Block(Kind.PARAGRAPH, tidy(line), lead=_lead(i)) for i, line in enumerate(found, 1)
        ]
    blocks.append(Block(Kind.SIGNATURE, chinese_date(date)))
    return Document(f"关于{meeting_name}对照检查材料的审核意见", tuple(blocks))


def opinion_docx(check: CrossCheck, meeting_name: str, date: dt.date) -> bytes:
    out = io.BytesIO()
    to_docx(opinion_document(check, meeting_name, date), out)
    return out.getvalue()


def submissions_zip(
    flow: Flow, reports: Sequence[tuple[str, Mapping[str, Any]]], date: dt.date
) -> bytes:
    """Every (member name, answers) as `NN-name.docx` in one .zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for n, (name, answers) in enumerate(reports, 1):
            docx = io.BytesIO()
            to_docx(build_document(flow, dict(answers), date=date), docx)
            bundle.writestr(f"{n:02d}-{safe_name(name)}-{flow.title}.docx", docx.getvalue())
    return out.getvalue()


def safe_name(name: str) -> str:
    """A member's name as part of a file name: no path separators or control characters."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or "成员"


def _lead(n: int) -> str:
    return ordinal(n, "（一）") if n < 100 else f"（{n}）"


def _clip(text: str, limit: int | None) -> str:
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[:limit] + "…"
