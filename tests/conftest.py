"""Shared fixtures."""

from __future__ import annotations

import pytest

from bot.core.loader import parse_flow
from bot.core.model import Flow
from tests.small_flow import SMALL_FLOW


@pytest.fixture
def small_flow() -> Flow:
    return parse_flow(SMALL_FLOW, "small.yaml")


@pytest.fixture(scope="session")
def flows() -> dict[str, Flow]:
    """The shipped flows."""
    from bot.flows import load_all

    return load_all()
