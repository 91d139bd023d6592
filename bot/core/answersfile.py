"""Answers as a YAML file: stable keys (question ids), readable, and re-importable.

The file makes a report reproducible (`duizhao render`), serves as a backup, and lets a
user draft answers on a computer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml

from bot.core.limits import char_cap
from bot.core.model import Flow, Question
from bot.core.wordcount import zishu
from bot.core.yamltext import dump_yaml, load_yaml
from bot.errors import AnswersFileError


@dataclass(frozen=True)
class AnswersFile:
    """A flow id, its answers, and optionally the date to print on the report."""

    flow_id: str
    version: int
    answers: dict[str, Any]
    date: dt.date | None = None


def dump(flow: Flow, answers: dict[str, Any], date: dt.date | None = None) -> str:
    """YAML text in the flow's question order, block style for long text."""
    ordered = {qid: answers[qid] for qid in flow.question_ids if qid in answers}
    ordered.update({k: v for k, v in answers.items() if k not in ordered})
    data: dict[str, Any] = {"flow": flow.id, "version": flow.version}
    if date:
        data["date"] = date.isoformat()
    data["answers"] = ordered
    return dump_yaml(data)


def parse(text: str, flows: dict[str, Flow]) -> tuple[Flow, AnswersFile]:
    """Read and check an answers file against its flow; raises AnswersFileError."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise AnswersFileError(f"不是有效的 YAML：{_clip(str(exc))}") from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise AnswersFileError("答案文件需要 flow 和 answers 两项")
    flow_id = data.get("flow")
    if not isinstance(flow_id, str) or flow_id not in flows:
        raise AnswersFileError(
            f"未知的材料模板：{_clip(repr(flow_id))}；可用的有：{'、'.join(flows)}"
        )
    flow = flows[flow_id]
    date = data.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise AnswersFileError(
                f"date 应写成 2026-01-08 的形式，现在是 {_clip(repr(date))}"
            ) from None
    if date is not None and not isinstance(date, dt.date):
        raise AnswersFileError(f"date 应写成 2026-01-08 的形式，现在是 {_clip(repr(date))}")
    answers = data["answers"]
    problems = check(flow, answers)
    if problems:
        raise AnswersFileError("答案文件有以下问题：\n" + "\n".join(f"  - {p}" for p in problems))
    version = data.get("version", flow.version)
    return flow, AnswersFile(flow.id, version if isinstance(version, int) else 0, answers, date)


def _clip(text: str, limit: int = 80) -> str:
    """A value quoted in an error message, short enough to read."""
    return text if len(text) <= limit else text[:limit] + "…"


def check(flow: Flow, answers: dict[str, Any]) -> list[str]:
    """Every way the answers do not fit the flow, one line each."""
    problems = [f"{key}：流程里没有这一题" for key in answers if not flow.has_question(key)]
    for qid, value in answers.items():
        if flow.has_question(qid) and value is not None:
            problems += _check_value(flow.question(qid), value, qid)
    return problems


def _check_value(q: Question, value: Any, place: str) -> list[str]:
    if q.kind in ("text", "long_text"):
        if not isinstance(value, str):
            return [f"{place}：应为文字"]
        chars = zishu(value)
        if q.max_chars is not None and chars > q.max_chars:
            return [f"{place}：{chars} 字，超过上限 {q.max_chars} 字"]
        if q.min_chars is not None and chars < q.min_chars:
            return [f"{place}：{chars} 字，少于 {q.min_chars} 字"]
        if len(value) > char_cap(q):
            return [f"{place}：{len(value)} 个字符，超过上限 {char_cap(q)} 个字符"]
        return []
    if q.kind == "yesno":
        return [] if isinstance(value, bool) else [f"{place}：应为 true 或 false"]
    if q.kind == "choice":
        if q.option(value) or (q.free_text and isinstance(value, str) and value.strip()):
            return []
        return [f"{place}：{value!r} 不是可选项"]
    if q.kind == "multi":
        ok = isinstance(value, list) and all(q.option(v) for v in value)
        return [] if ok else [f"{place}：应为可选项的列表"]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return [f"{place}：应为列表，每项包含 {', '.join(s.id for s in q.questions)}"]
    if len(value) > q.max:
        return [f"{place}：最多 {q.max} 项，现在 {len(value)} 项"]
    problems = []
    for i, item in enumerate(value):
        for key, sub_value in item.items():
            sub = next((s for s in q.questions if s.id == key), None)
            if sub is None:
                problems.append(f"{place}[{i}].{key}：流程里没有这一题")
            elif sub_value is not None:
                problems += _check_value(sub, sub_value, f"{place}[{i}].{key}")
    return problems
