"""The flows on disk: where the shipped ones live, reading and validating flow files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot.core.loader import parse_flow
from bot.core.model import Flow
from bot.errors import FlowError, FlowFault, UnknownFlow

PROJECT_DIR = Path(__file__).resolve().parent.parent


def shipped_dir(name: str) -> Path:
    """The shipped `flows` or `templates` folder: bot/data/<name> in an installed package (the
    wheel puts them there), else the repository's top-level folder (a source checkout)."""
    packaged = resources.files("bot") / "data" / name
    if packaged.is_dir():
        # pip installs wheels unpacked, so the resource is a real folder on disk.
        return Path(str(packaged))
    return PROJECT_DIR / name


FLOWS_DIR = shipped_dir("flows")


def default_templates_dir(flow_file: Path) -> Path:
    return flow_file.resolve().parent.parent / "templates"


def load_flow(path: str | Path, templates_dir: str | Path | None = None) -> Flow:
    """Read and validate one flow file; raises FlowError listing every fault."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fault = FlowFault(str(path), "", f"cannot read the file: {exc}")
        raise FlowError(str(path), [fault]) from None
    tdir = Path(templates_dir) if templates_dir else default_templates_dir(path)
    return parse_flow(text, str(path), lambda name: (tdir / name).is_file())


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
