"""The folder tree is the architecture: layers import downward only, and the core does no I/O.

Layers, lowest first: the core (and the exception family) → flows on disk, the report, last
year's report → storage → the service → the adapters (console, telegram, web) → the command
line. A module may import its own layer or lower ones; adapters do not import each other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

LAYERS = (
    ("bot.errors", "bot.core"),
    ("bot.flows", "bot.report", "bot.lastyear"),
    ("bot.storage",),
    ("bot.service", "bot.meetings"),
    ("bot.console", "bot.telegram", "bot.web"),
    ("bot.cli", "bot.__main__"),
)
ADAPTERS = LAYERS[4]
# What the pure core must never import: I/O of any kind.
IO_MODULES = {
    "telegram",
    "sqlite3",
    "sqlite_utils",
    "httpx",
    "httpcore",
    "socket",
    "http",
    "urllib",
    "asyncio",
    "subprocess",
    "os",
    "shutil",
    "pathlib",
    "io",
    "time",
    "platformdirs",
    "docx",
}
# Calls that read the clock or touch files, whatever module they come from.
IO_CALLS = {
    "now",
    "today",
    "utcnow",
    "time",
    "monotonic",
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "mkdir",
    "unlink",
    "glob",
    "iterdir",
    "input",
    "print",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> tuple[int, str] | None:
    if module == "bot":  # the package itself holds nothing
        return 0, "bot"
    for rank, group in enumerate(LAYERS):
        for prefix in group:
            if module == prefix or module.startswith(prefix + "."):
                return rank, prefix
    return None


def imports_of(source: str, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the source, function-level ones too."""
    found = []
    package = module if module.count(".") == 0 else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.append((node.lineno, base))
            # `from bot import lastyear` imports the module bot.lastyear
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def faults(source: str, module: str) -> list[str]:
    """Every import that goes upward or sideways between adapters, and every I/O in the core."""
    here = layer_of(module)
    if here is None:
        return [f"{module}: not in any layer; add it to LAYERS"]
    found = []
    for line, imported in imports_of(source, module):
        there = layer_of(imported)
        if there is not None:
            if there[0] > here[0]:
                found.append(f"{module}:{line} imports {imported} from a higher layer")
            elif here[1] in ADAPTERS and there[1] in ADAPTERS and there[1] != here[1]:
                found.append(f"{module}:{line} imports {imported}: adapters stay apart")
        elif here[1] == "bot.core" and imported.split(".")[0] in IO_MODULES:
            found.append(f"{module}:{line} imports {imported}: the core does no I/O")
    if here[1] == "bot.core":
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in IO_CALLS:
                    found.append(f"{module}:{node.lineno} calls {name}(): the core does no I/O")
    return found


MODULES = sorted(BOT.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_downward(path):
    assert faults(path.read_text(encoding="utf-8"), module_name(path)) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("bot.core.engine", "import telegram\n", "the core does no I/O"),
        ("bot.core.engine", "from sqlite3 import connect\n", "the core does no I/O"),
        ("bot.core.steps", "import datetime\nx = datetime.datetime.now()\n", "calls now()"),
        ("bot.core.loader", "from pathlib import Path\n", "the core does no I/O"),
        ("bot.core.model", "from bot.storage import Storage\n", "from a higher layer"),
        ("bot.report.render", "from bot.service import Interviews\n", "from a higher layer"),
        ("bot.storage.inbox", "from bot.telegram import inbox\n", "from a higher layer"),
        ("bot.console", "from bot.telegram.view import button\n", "adapters stay apart"),
        ("bot.core.engine", "from ..storage import Storage\n", "from a higher layer"),
    ],
)
def test_the_check_catches_what_it_forbids(module, source, expected):
    found = faults(source, module)
    assert found and expected in found[0], found


def test_importing_the_core_loads_no_adapter():
    code = (
        "import sys, bot.core.engine, bot.core.loader, bot.core.model, bot.report.render;"
        "bad = [m for m in ('telegram', 'sqlite3', 'sqlite_utils', 'httpx') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
