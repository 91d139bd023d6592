"""Document → plain text: the form the bot sends in chat and the reference files use."""

from __future__ import annotations

from bot.report.document import Document


def to_text(doc: Document) -> str:
    """Title, a blank line, then one line per paragraph; a blank line sets off the signature."""
    lines = [doc.title, "", *(b.lead + b.text for b in doc.body)]
    if doc.closing:
        lines += ["", *(b.text for b in doc.closing)]
    return "\n".join(lines) + "\n"
