"""The flows on disk: where the shipped ones live, an organisation's own folder of them,
reading and validating flow files.

A folder of flows holds `flows/*.yaml` and their report templates in `templates/`, side by
side: the repository's top level, the installed package's `bot/data`, and an organisation's
own folder (`--flows DIR` / `BOT_FLOWS`) all look the same.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from bot.core.loader import parse_flow
from bot.core.model import Flow
from bot.core.yamltext import decode
from bot.errors import DuizhaoError, FlowError, FlowFault, UnknownFlow

log = logging.getLogger("duizhao.flows")

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
        text = decode(path.read_bytes())
    except OSError as exc:
        fault = FlowFault(str(path), "", f"cannot read the file: {exc}")
        raise FlowError(str(path), [fault]) from None
    except UnicodeDecodeError as exc:
        fault = FlowFault(str(path), "", f"not UTF-8 text (byte {exc.start}); save it as UTF-8")
        raise FlowError(str(path), [fault]) from None
    tdir = Path(templates_dir) if templates_dir else default_templates_dir(path)
    return parse_flow(text, str(path), lambda name: (tdir / name).is_file())


class NoFlows(DuizhaoError):
    """There is no flow to offer, or the own flows folder is not laid out as one."""


def flow_files(folder: Path = FLOWS_DIR) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def own_flow_files(folder: Path) -> list[Path]:
    """The flow files of an organisation's folder: <folder>/flows/*.yaml."""
    if not folder.is_dir():
        raise NoFlows(f"自定义流程目录不存在：{folder}")
    flows_dir = folder / "flows"
    if not flows_dir.is_dir():
        raise NoFlows(
            f"自定义流程目录 {folder} 里没有 flows 文件夹："
            f"流程文件请放在 {flows_dir}/，报告模板放在 {folder / 'templates'}/"
        )
    files = flow_files(flows_dir)
    if not files:
        raise NoFlows(f"自定义流程目录 {flows_dir} 里没有流程文件（*.yaml）")
    return files


def load_all(own: Path | None = None, shipped: Path = FLOWS_DIR) -> dict[str, Flow]:
    """The shipped flows and an organisation's own by id, newest year first. An own flow with
    a shipped flow's id replaces it (logged). Raises FlowError on the first broken file and
    NoFlows when there is no flow at all."""
    flows = _load_files(flow_files(shipped))
    for flow_id, flow in _load_files(own_flow_files(own) if own else []).items():
        if flow_id in flows:
            log.warning("自定义流程 %s（%s）替换了内置的同名流程", flow_id, flow.source)
        flows[flow_id] = flow
    if not flows:
        raise NoFlows(
            "没有可用的材料模板：安装包里缺少内置流程（请重新安装 duizhao），"
            "也没有用 --flows 或 BOT_FLOWS 指定自己的流程目录"
        )
    return {flow.id: flow for flow in sorted(flows.values(), key=lambda f: (-f.year, f.id))}


def _load_files(paths: list[Path]) -> dict[str, Flow]:
    """The flows of one folder by id; two files with one id are a fault of the second."""
    flows: dict[str, Flow] = {}
    for path in paths:
        flow = load_flow(path)
        if flow.id in flows:
            fault = FlowFault(
                str(path), "id", f"id {flow.id!r} is already used by {flows[flow.id].source}"
            )
            raise FlowError(str(path), [fault])
        flows[flow.id] = flow
    return flows


def pick(flows: dict[str, Flow], flow_id: str) -> Flow:
    try:
        return flows[flow_id]
    except KeyError:
        known = "、".join(flows) or "（无）"
        raise UnknownFlow(f"没有这个材料模板：{flow_id}。可用的有：{known}") from None
