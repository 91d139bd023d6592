"""The ×× in a sample phrasing: the places where the user's own facts go."""

from __future__ import annotations

import re

SLOT = re.compile(r"×{2,}")
ASKED = "【？】"


def count(text: str) -> int:
    return len(SLOT.findall(text))


def fill(text: str, values: list[str], asking: bool = False) -> str:
    """The text with the first slots filled in order; with `asking`, the next one is marked."""
    pieces = SLOT.split(text)
    out = [pieces[0]]
    for i, piece in enumerate(pieces[1:]):
        if i < len(values):
            out.append(values[i])
        else:
            out.append(ASKED if asking and i == len(values) else "××")
        out.append(piece)
    return "".join(out)
