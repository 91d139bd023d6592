"""The shipped templates over the full fixtures, compared with reviewed renderings.

After an intended change, regenerate and review the diff:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_golden.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.yamltext import load_yaml
from bot.report.document import Document
from bot.report.render import build_document
from bot.report.writers.markdown import to_markdown
from bot.report.writers.text import to_text
from tests.report.answers import ROOT, flow

GOLDEN = ROOT / "tests" / "golden"
FIXTURES = ROOT / "tests" / "fixtures" / "answers"
WRITERS: dict[str, Callable[[Document], str]] = {"txt": to_text, "md": to_markdown}


def fixture_document(flow_id: str) -> Document:
    fixture = load_yaml((FIXTURES / f"{flow_id}.yaml").read_text(encoding="utf-8"))
    assert fixture["flow"] == flow_id
    return build_document(flow(flow_id), fixture["answers"], date=fixture["date"])


@pytest.mark.parametrize("suffix", WRITERS)
@pytest.mark.parametrize(
    "flow_id", ["2022-liuge", "2023-zhuti", "2024-sige", "2025-zuofeng", "zuzhi"]
)
def test_rendering_matches_golden_file(flow_id: str, suffix: str) -> None:
    rendered = WRITERS[suffix](fixture_document(flow_id))
    golden: Path = GOLDEN / f"{flow_id}.{suffix}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8"), f"differs from {golden}"
