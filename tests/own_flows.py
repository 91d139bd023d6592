"""The README's "write your own interview" example, written out as a folder of own flows."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
# The example's fenced blocks name their file on the first line, as a YAML or Jinja comment.
_BLOCK = re.compile(r"```(?:yaml|jinja)\n((?:# |\{# )(myflows/\S+?)(?: #\})?\n.*?)```", re.S)

# What a person answers in the example: one problem, one measure, the name.
ANSWERS = {
    "t1_problems": [
        {
            "summary": "理论学习不够系统",
            "detail": "满足于参加集中学习，自学时间少。今年只读完两本原著。",
        }
    ],
    "measures": [{"text": "每周自学不少于3小时，年内读完4本原著。"}],
    "name": "张三",
}


def write_readme_example(folder: Path) -> Path:
    """Write the README's example files under folder; returns the own flows folder."""
    blocks = _BLOCK.findall(README.read_text(encoding="utf-8"))
    assert sorted(name for _, name in blocks) == [
        "myflows/flows/county-2025.yaml",
        "myflows/templates/county-2025.j2",
    ], blocks
    for text, name in blocks:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder / "myflows"
