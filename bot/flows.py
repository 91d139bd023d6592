"""The shipped flows: where they live and loading them all."""

from __future__ import annotations

from pathlib import Path

from bot.errors import UnknownFlow
from bot.loader import load_flow
from bot.model import Flow

PROJECT_DIR = Path(__file__).resolve().parent.parent
FLOWS_DIR = PROJECT_DIR / "flows"


def flow_files(folder: Path = FLOWS_DIR) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def load_all(folder: Path = FLOWS_DIR) -> dict[str, Flow]:
    """Every flow in the folder by id; raises FlowError on the first broken file."""
    flows = [load_flow(path) for path in flow_files(folder)]
    return {flow.id: flow for flow in sorted(flows, key=lambda f: (-f.year, f.id))}


def pick(flows: dict[str, Flow], flow_id: str) -> Flow:
    try:
        return flows[flow_id]
    except KeyError:
        known = "、".join(flows) or "（无）"
        raise UnknownFlow(f"没有这个材料模板：{flow_id}。可用的有：{known}") from None
