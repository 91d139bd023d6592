"""What a user typed, as it must appear in the report (end punctuation aside)."""

from __future__ import annotations

from typing import Any

from bot.core.model import Flow

TEXT_KINDS = ("text", "long_text")


def typed_texts(flow: Flow, answers: dict[str, Any]) -> list[str]:
    """Every paragraph of every text answer; choices are ids, not typed text."""
    texts: list[str] = []
    for qid, value in answers.items():
        q = flow.question(qid)
        if q.kind in TEXT_KINDS and isinstance(value, str):
            texts.append(value)
        elif q.kind == "repeat":
            kinds = {sub.id: sub.kind for sub in q.questions}
            texts += [
                v
                for item in value or []
                for key, v in item.items()
                if kinds.get(key) in TEXT_KINDS and isinstance(v, str)
            ]
    return [p.rstrip("。；，") for text in texts for p in text.split("\n") if p.strip()]
