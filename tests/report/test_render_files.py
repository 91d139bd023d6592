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


def test_files_are_named_for_the_person(tmp_path: Path) -> None:
    paths = render_files(flow("2022-liuge"), answers_2022(), date=DATE, out_dir=tmp_path)
    assert [p.name for p in paths] == [
        f"周明远2022年度民主生活会对照检查材料.{s}" for s in ("docx", "md", "txt")
    ]


def test_without_a_name_files_take_the_flow_title(tmp_path: Path) -> None:
    paths = render_files(
        flow("2022-liuge"), answers_2022(name=None), date=DATE, out_dir=tmp_path, formats=["txt"]
    )
    assert [p.name for p in paths] == ["2022年度民主生活会“六个带头”对照检查材料.txt"]


def test_a_name_with_characters_no_file_system_takes_is_cleaned(tmp_path: Path) -> None:
    paths = render_files(
        flow("2022-liuge"),
        answers_2022(name="周/明*远"),
        date=DATE,
        out_dir=tmp_path,
        formats=["txt"],
    )
    assert [p.name for p in paths] == ["周明远2022年度民主生活会对照检查材料.txt"]


def test_the_chosen_material_name_names_the_file(tmp_path: Path) -> None:
    answers = answers_2022(style_defaults=False, title_suffix="检视剖析材料")
    paths = render_files(flow("2022-liuge"), answers, date=DATE, out_dir=tmp_path, formats=["txt"])
    assert paths[0].name == "周明远2022年度民主生活会检视剖析材料.txt"


def test_writing_again_never_overwrites_an_earlier_file(tmp_path: Path) -> None:
    first = render_files(flow("2022-liuge"), answers_2022(), date=DATE, out_dir=tmp_path)
    first[0].write_bytes(b"edited in Word")
    first[2].unlink()  # one format gone still keeps the number the others hold
    second = render_files(flow("2022-liuge"), answers_2022(), date=DATE, out_dir=tmp_path)
    third = render_files(flow("2022-liuge"), answers_2022(), date=DATE, out_dir=tmp_path)
    assert first[0].read_bytes() == b"edited in Word"
    assert [p.name for p in second] == [
        f"周明远2022年度民主生活会对照检查材料（2）.{s}" for s in ("docx", "md", "txt")
    ]
    assert third[0].name == "周明远2022年度民主生活会对照检查材料（3）.docx"


def test_docx_properties_name_the_report_and_its_writer(tmp_path: Path) -> None:
    (path,) = render_files(
        flow("2022-liuge"), answers_2022(), date=DATE, out_dir=tmp_path, formats=["docx"]
    )
    props = docx.Document(str(path)).core_properties
    assert props.title == "青石镇副镇长2022年度民主生活会“六个带头”对照检查材料"
    assert props.author == props.last_modified_by == "周明远"
    assert "python-docx" not in f"{props.comments}{props.author}{props.title}"
    assert props.created.year >= 2026


def test_docx_without_a_name_has_no_author(tmp_path: Path) -> None:
    (path,) = render_files(
        flow("2022-liuge"), answers_2022(name=None), date=DATE, out_dir=tmp_path, formats=["docx"]
    )
    assert docx.Document(str(path)).core_properties.author == ""
