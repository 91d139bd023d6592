"""What last year's report held, as the parser hands it on: points in document order."""

from __future__ import annotations

from dataclasses import dataclass


class NotAReport(ValueError):
    """The text or file is not a 对照检查材料 this module can read; the message says why."""


@dataclass(frozen=True)
class Point:
    """One problem, cause or measure: its run-in heading or summary clause, then the rest.

    `theme` is the （一）…方面 heading a problem was listed under ("" for causes, measures
    and problems outside any theme).
    """

    heading: str
    body: str
    theme: str = ""


@dataclass(frozen=True)
class ParsedReport:
    """What last year's report held, in document order."""

    title: str
    problems: tuple[Point, ...]
    causes: tuple[Point, ...]
    measures: tuple[Point, ...]
    themes: tuple[str, ...] = ()

    def summary(self) -> str:
        """The confirmation line shown to the user: 找到：问题 12 条、原因 5 条、整改措施 4 条。"""
        parts = [
            f"{name} {len(points)} 条"
            for name, points in (
                ("问题", self.problems),
                ("原因", self.causes),
                ("整改措施", self.measures),
            )
            if points
        ]
        if not parts:
            return "没有找到问题、原因或整改措施。"
        return "找到：" + "、".join(parts) + "。"
