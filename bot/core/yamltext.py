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
    return yaml.load(text, Loader=_StrictBoolLoader)  # noqa: S506 - a SafeLoader subclass


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
