"""The flows on disk: where the shipped ones live, reading and validating flow files."""

from __future__ import annotations

from pathlib import Path

from bot.core.loader import parse_flow
from bot.core.model import Flow
from bot.core.yamltext import decode
from bot.errors import FlowError, FlowFault, UnknownFlow

PROJECT_DIR = Path(__file__).resolve().parent.parent
FLOWS_DIR = PROJECT_DIR / "flows"


def default_templates_dir(flow_file: Path) -> Path:
    return flow_file.resolve().parent.parent / "templates"


def load_flow(path: str | Path, templates_dir: str | Path | None = None) -> Flow:
    """Read and validate one flow file; raises FlowError listing every fault."""
    path = Path(path)
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        fault = FlowFault(str(path), "", f"cannot read the file: {exc}")
        raise FlowError(str(path), [fault]) from None
    except UnicodeDecodeError as exc:
        fault = FlowFault(str(path), "", f"not UTF-8 text (byte {exc.start}); save it as UTF-8")
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
