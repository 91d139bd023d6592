"""Small answer sets for both shipped flows, and helpers to load the flows they answer."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from bot.core.model import Flow
from bot.flows import load_flow

ROOT = Path(__file__).resolve().parents[2]
DATE = datetime.date(2026, 1, 8)

# The layout the product wrote before its defaults followed the genre (run-in theme headings,
# 一是…；二是… in one paragraph): tests about something else whose expectations read in it.
RUN_IN: dict[str, Any] = {"style_defaults": False, "theme_heading": "runin", "points": "inline"}


def flow(flow_id: str) -> Flow:
    return load_flow(ROOT / "flows" / f"{flow_id}.yaml")


def answers_2022(**changes: Any) -> dict[str, Any]:
    """Two themes answered, one with an affirmation; everything else the flow asks."""
    answers: dict[str, Any] = {
        "t1_good": "能坚持第一时间传达学习上级会议精神。",
        "t1_problems": [
            {
                "summary": "学用结合不紧",
                "detail": "学了不用，用得不多。",
                "case": "去年有一次开会没准备。",
            },
            {"summary": "对标对表不够", "detail": "有时只看与分管工作相关的条款", "case": None},
        ],
        "t2_problems": [{"summary": "学习不系统", "detail": "碎片化阅读多，原著读得少。"}],
        "causes": [{"text": "理论学习的动力不足。"}, {"text": "党性锻炼有所放松"}],
        "measures": [
            {"heading": "加强理论学习", "body": "每周自学半天，每季度写一篇体会。"},
            {"heading": "改进工作作风", "body": "每月下村不少于6天"},
        ],
        "ly_include": True,
        "ly_text": "去年提出的3项措施已完成2项。",
        "position": "青石镇副镇长",
        "name": "周明远",
        "notice": "县纪委、县委组织部〔2022〕8号文件",
        "study": "参加集中学习4次，自学了党的二十大报告",
        "solicit": "谈心谈话14人次，征求意见9条",
    }
    answers.update(changes)
    return answers


def answers_2023(**changes: Any) -> dict[str, Any]:
    """Two areas: one with summaries and 比如 cases, one in prose without summaries."""
    answers: dict[str, Any] = {
        "t1_good": "通读了规定书目",
        "t1_problems": [
            {
                "summary": "学习深度不够",
                "detail": "很多篇目只通读一遍。",
                "case": "心得联系实际不足300字。",
            },
        ],
        "t5_problems": [
            {
                "summary": None,
                "detail": "调查研究还不够深入。听汇报多。",
                "case": "只走访了9位老人",
            },
            {"detail": "抓落实跟踪问效不够。", "case": None},
        ],
        "causes": [
            {"heading": "理论武装的内生动力不足", "body": "把学习当作规定动作。"},
            {"heading": "宗旨意识有所淡化", "body": "装着考核指标多，装着群众冷暖少"},
        ],
        "measures": [{"heading": "在以学促干上下功夫", "body": "每周原文自学不少于4小时。"}],
        "ly_include": False,
        "position": "青石镇副镇长",
        "name": None,
        "notice": None,
        "study": "参加读书班集中学习4天",
        "solicit": None,
    }
    answers.update(changes)
    return answers
