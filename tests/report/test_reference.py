"""Real reports reproduced through the answers file alone: their content typed as answers,
their wording and layout as 版式与措辞 choices, rendered, and compared with the text.

`reference-2022-liuge` is the real report in tests/fixtures/reference/ (a town mayor, 2022).
The others are house styles genre.md lists ("How real reports vary"), each written out by
hand in tests/fixtures/expected/ the way such an office types it.
"""

from __future__ import annotations

import difflib
import re

import pytest

from bot.core.answersfile import parse
from bot.flows import load_all
from bot.report.render import build_document
from bot.report.writers.text import to_text
from tests.report.answers import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
CASES = {
    "reference-2022-liuge": (FIXTURES / "reference" / "2022-town-mayor-liuge-daitou.txt", 0.995),
}
CASES.update(
    {
        path.stem: (path, 0.99)
        for path in sorted((FIXTURES / "expected").glob("*.txt"))
        if path.stem not in CASES
    }
)
_NUMBERED = re.compile(r"[一二三四五六七八九十]是")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_SUBHEADING = re.compile(r"^（[一二三四五六七八九十]+）")


def rendered(name: str) -> str:
    text = (FIXTURES / "answers" / f"{name}.yaml").read_text(encoding="utf-8")
    flow, answers = parse(text, load_all())
    return to_text(build_document(flow, answers.answers, date=answers.date))


def structure(text: str) -> list[tuple[str, int]]:
    """Each non-empty line as its kind (title, heading, subheading, text) and its 一是 count."""
    lines = [line for line in text.split("\n") if line.strip()]
    kinds = []
    for i, line in enumerate(lines):
        kind = "title" if i == 0 else "heading" if _HEADING.match(line) else "text"
        if kind == "text" and _SUBHEADING.match(line):
            kind = "subheading"
        kinds.append((kind, len(_NUMBERED.findall(line))))
    return kinds


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_real_house_style_reproduces_through_the_answers_file(name: str) -> None:
    expected_path, floor = CASES[name]
    expected = expected_path.read_text(encoding="utf-8")
    text = rendered(name)
    ratio = difflib.SequenceMatcher(None, text, expected, autojunk=False).ratio()
    assert ratio >= floor, "\n".join(
        difflib.unified_diff(expected.split("\n"), text.split("\n"), lineterm="", n=0)
    )
    assert structure(text) == structure(expected)
    headings = [line for line in text.split("\n") if _HEADING.match(line)]
    assert headings == [line for line in expected.split("\n") if _HEADING.match(line)]
