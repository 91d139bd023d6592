"""Compact button payloads; Telegram allows at most 64 bytes of callback data.

The core owns the format because the flow loader must prove at load time that every
button a flow can produce fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
SEP = "|"
# The largest interview id and repeat item index the loader budgets for.
WORST_INTERVIEW_ID = 9_999_999_999


@dataclass(frozen=True)
class Payload:
    """What a button means: an action on one step of one interview."""

    interview_id: int
    step: str
    action: str
    value: str = ""


def encode(payload: Payload) -> str:
    return SEP.join((str(payload.interview_id), payload.step, payload.action, payload.value))


def decode(data: str) -> Payload | None:
    """The payload, or None for data of the wrong shape (stale clients, forgeries)."""
    parts = data.split(SEP)
    if len(parts) != 4 or not parts[2]:
        return None
    # ASCII digits only ("²".isdigit() is true), and few enough for an SQLite integer.
    if not (parts[0].isascii() and parts[0].isdigit() and len(parts[0]) <= 18):
        return None
    return Payload(int(parts[0]), parts[1], parts[2], parts[3])


def fits(payload: Payload) -> bool:
    return len(encode(payload).encode("utf-8")) <= MAX_BYTES


def worst_case_bytes(step: str, value: str) -> int:
    """Bytes of the longest payload a button on `step` carrying `value` can need."""
    return len(encode(Payload(WORST_INTERVIEW_ID, step, "o", value)).encode("utf-8"))


def pattern(actions: str) -> re.Pattern[str]:
    """Matches the data of well-formed buttons whose action is one of these one-letter codes,
    for routing presses to their handler."""
    return re.compile(rf"^[0-9]{{1,18}}\{SEP}[^{SEP}]*\{SEP}[{re.escape(actions)}]\{SEP}[^{SEP}]*$")
