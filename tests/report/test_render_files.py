"""render_files: one document, written in each format asked for."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from bot.report.render import render_files
from tests.report.answers import DATE, answers_2022, flow


def test_writes_every_format_from_one_document(tmp_path: Path) -> None:
    paths = render_files(
        flow("2022-liuge"), answers_2022(), date=DATE, out_dir=tmp_path / "out", basename="报告"
    )
    assert paths == [tmp_path / "out" / f"报告.{s}" for s in ("docx", "md", "txt")]
    text = paths[2].read_text(encoding="utf-8")
    assert paths[1].read_text(encoding="utf-8").startswith("# 青石镇副镇长2022年度")
    paragraphs = [p.text for p in docx.Document(str(paths[0])).paragraphs][1:]
    assert paragraphs == [line for line in text.split("\n")[1:] if line]


def test_writes_only_the_formats_asked_for(tmp_path: Path) -> None:
    paths = render_files(
        flow("2022-liuge"),
        answers_2022(),
        date=DATE,
        out_dir=tmp_path,
        formats=["txt"],
        basename="x",
    )
    assert paths == [tmp_path / "x.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_refuses_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pdf"):
        render_files(
            flow("2022-liuge"),
            answers_2022(),
            date=DATE,
            out_dir=tmp_path,
            formats=["pdf"],
            basename="x",
        )
