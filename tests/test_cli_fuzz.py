"""No input file makes `duizhao render`, `import` or `flows check` print a traceback: every
broken answers file or flow file, however broken, gets a one-line reason and exit code 1.

Property-based: the shipped files, mutated (values replaced by what YAML or Python trip
over, text cut or inserted, other encodings) by hypothesis.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.flows import flow_files

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = sorted((ROOT / "tests" / "fixtures" / "answers").glob("*.yaml"))
FLOWS = flow_files()

NASTY = [
    "2023-13-45",
    "2024-02-30",
    "!!int abc",
    "!!float abc",
    "!!timestamp 2023-99-99",
    "!!binary ===",
    "!!set {a}",
    "!!omap [a]",
    "!!python/object:os.system x",
    "9" * 5000,
    "-" + "9" * 5000,
    "1e99999",
    ".nan",
    "[" * 3000,
    "{" * 3000,
    "- " * 2000 + "x",
    "[a, list]",
    "{a: b}",
    "[]",
    "{}",
    "~",
    "123",
    "true",
    "*nothing",
    "&a [*a, *a]",
    "? [a, b]\n  : c",
    "'unterminated",
    '"\\x00"',
    "|\n  block",
    "\t\t",
    "①",
    "²",
    "x" * 5000,
]

ENCODINGS = ["utf-8", "utf-16", "utf-16-le", "gbk", "big5", "latin-1"]


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> bytes:
    text = draw(st.sampled_from(files)).read_text(encoding="utf-8")
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["value", "line", "cut", "insert", "drop"]))
        nasty = draw(st.sampled_from(NASTY))
        if how == "value" and ":" in lines[i]:
            lines[i] = lines[i].split(":", 1)[0] + ": " + nasty
        elif how == "line":
            lines[i] = nasty
        elif how == "cut":
            lines = lines[:i]
        elif how == "insert":
            lines.insert(i, draw(st.text(max_size=30)))
        else:
            del lines[i : i + draw(st.integers(1, 20))]
    out = "\n".join(lines)
    encoding = draw(st.sampled_from(ENCODINGS))
    return out.encode(encoding, errors="replace")


def _run(args: list[str], capsys) -> None:
    code = main(args)  # an escaping exception fails the test with its traceback
    captured = capsys.readouterr()
    assert code in (0, 1)
    assert "Traceback" not in captured.err
    if code:
        assert captured.err.strip()


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=mutated(ANSWERS))
def test_render_and_import_explain_every_broken_answers_file(data: bytes, capsys) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.yaml"
        path.write_bytes(data)
        _run(["render", str(path), "-o", folder, "--format", "txt"], capsys)
        _run(["import", str(path), "--db", str(Path(folder) / "d.db"), "--user", "t"], capsys)


@SETTINGS
@given(data=mutated(FLOWS))
def test_flows_check_explains_every_broken_flow_file(data: bytes, capsys) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "flows" / "broken.yaml"
        path.parent.mkdir()
        path.write_bytes(data)
        _run(["flows", "check", str(path)], capsys)


@pytest.mark.parametrize("nasty", NASTY)
def test_each_nasty_value_in_place_of_the_date_flow_and_an_answer(nasty, tmp_path, capsys):
    text = ANSWERS[0].read_text(encoding="utf-8")
    for old in ("date: ", "flow: ", "  unit: "):
        at = text.index(old) + len(old) if old in text else None
        if at is None:
            continue
        end = text.index("\n", at)
        path = tmp_path / "a.yaml"
        path.write_text(text[:at] + nasty + text[end:], encoding="utf-8")
        _run(["render", str(path), "-o", str(tmp_path), "--format", "txt"], capsys)
