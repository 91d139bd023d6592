"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.loader import parse_flow
from bot.core.model import Flow
from tests.small_flow import SMALL_FLOW


@pytest.fixture
def small_flow() -> Flow:
    # As if it lay in tests/flows/: its report template is tests/templates/small.j2.
    return parse_flow(SMALL_FLOW, str(Path(__file__).parent / "flows" / "small.yaml"))


@pytest.fixture(scope="session")
def flows() -> dict[str, Flow]:
    """The shipped flows."""
    from bot.flows import load_all

    return load_all()
