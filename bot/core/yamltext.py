"""YAML reading that keeps `yes/no/on/off` as strings: only `true`/`false` are booleans."""

from __future__ import annotations

import re
from typing import Any

import yaml


class _StrictBoolLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are YAML 1.2's: `true` and `false` only."""


_StrictBoolLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictBoolLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str) -> Any:
    """The YAML document; any text that does not make one raises yaml.YAMLError.

    PyYAML builds tagged and implicit values with Python's own constructors, which raise
    their own errors (`!!int abc`, a date 2023-13-45, a 5,000-digit integer), and it
    composes nested brackets recursively: all are reported as YAML errors.
    """
    try:
        return yaml.load(text, Loader=_StrictBoolLoader)  # noqa: S506 - a SafeLoader subclass
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise yaml.YAMLError(f"a value cannot be read: {reason}") from None


def decode(data: bytes) -> str:
    """A YAML file's text: UTF-8 (with or without BOM), or UTF-16/32 with a BOM, as YAML
    allows; anything else raises UnicodeDecodeError."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding)
    return data.decode("utf-8")


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
