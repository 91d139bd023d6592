"""How engine replies look in Telegram: HTML text (user text escaped) and inline keyboards."""

from __future__ import annotations

import re
from html import escape, unescape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.core import callbacks, texts
from bot.core.model import Flow
from bot.core.replies import Button, Prompt, Reply, Review

MAX_TEXT = 4096
# Telegram rejects a keyboard of more than 100 buttons or 8 a row, and one whose markup is
# too long (about 10 KB); lists longer than a page get 上一页/下一页 buttons.
PAGE_ROWS = 20
PAGE_FIXES = 30
# Short labels fit three to a row on a phone; longer ones get a row each.
SHORT_LABEL = 6

# Action codes in callback data (one character keeps payloads short).
ACTION_CODES = {
    "choose": "o",
    "back": "b",
    "skip": "s",
    "done": "d",
    "keep": "k",
    "default": "f",
    "edit": "e",
    "clear": "c",
    "sample": "u",
    "append": "a",
    "unsplit": "w",
    # These two only show something; the engine is not involved.
    "guide": "h",
    "samples": "p",
    "lastyear": "l",
    "page": "g",
}
COMMANDS_BY_CODE = {code: kind for kind, code in ACTION_CODES.items()}


def button(label: str, payload: callbacks.Payload) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode(payload))


def rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Three short buttons a row, or one long one."""
    if all(len(b.text) <= SHORT_LABEL for b in buttons):
        return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return [[b] for b in buttons]


def engine_buttons(interview_id: int, step: str, items: tuple[Button, ...]) -> list:
    return [
        button(
            b.label,
            callbacks.Payload(
                interview_id,
                b.value if b.kind == "edit" else step,
                ACTION_CODES[b.kind],
                "" if b.kind == "edit" else b.value,
            ),
        )
        for b in items
    ]


def prompt_text(prompt: Prompt, reply: Reply, with_section: bool) -> str:
    parts = []
    if reply.error:
        parts.append(f"⚠️ {escape(reply.error)}")
    elif reply.notice:
        parts.append(escape(reply.notice.strip()))
    if with_section:
        parts.append(f"<b>【{escape(prompt.section_title)}】</b>")
        if prompt.section_intro:
            parts.append(f"<i>{escape(prompt.section_intro)}</i>")
    body = [escape(prompt.progress)]
    if prompt.problems:
        body.append(escape(problems_block(prompt.problems)))
    body.append(f"<b>{escape(prompt.text)}</b>")
    if prompt.hint:
        body.append(f"<i>提示：{escape(prompt.hint)}</i>")
    if prompt.current is not None:
        body.append(f"当前答案：{escape(clip(prompt.current, 1500))}")
    if prompt.kind == "long_text":
        if prompt.draft_chars and not reply.notice:
            draft = escape(clip(prompt.draft_text, 1500))
            body.append(f"已收到的草稿（{prompt.draft_chars} 字）：\n{draft}")
            body.append("（接着发送的内容会接在草稿后面；点“完成”按草稿保存）")
        elif not prompt.draft_chars:
            body.append("（写好后一条消息发出即可；发出后还能点“补充”）")
    if prompt.kind == "multi":
        body.append("（可多选，选好后点“完成”）")
    parts.append("\n".join(body))
    return fit_html("\n\n".join(parts))


def problems_block(problems: tuple[str, ...]) -> str:
    return "\n".join([texts.PROBLEMS_SO_FAR, *(f"{i}. {p}" for i, p in enumerate(problems, 1))])


def prompt_keyboard(
    interview_id: int, prompt: Prompt, reply: Reply | None = None
) -> InlineKeyboardMarkup | None:
    options = engine_buttons(interview_id, prompt.step, prompt.options)
    for b in options:
        value = callbacks.decode(b.callback_data).value
        if value in prompt.picked:
            b._unfreeze()
            b.text = f"✅ {b.text}"
            b._freeze()
    actions = engine_buttons(interview_id, prompt.step, prompt.actions)
    if reply is not None:
        actions[:0] = after_input_buttons(interview_id, prompt.step, reply)
    keyboard = rows(options) + rows(actions)
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def after_input_buttons(interview_id: int, step: str, reply: Reply) -> list[InlineKeyboardButton]:
    """What the last input offers to undo or extend: 不拆分 after a split, 补充 after a long
    answer (its payload names the answer's step, like an edit)."""
    buttons = []
    if reply.undo_split:
        undo = callbacks.Payload(interview_id, step, ACTION_CODES["unsplit"])
        buttons.append(button(texts.ACTION_UNSPLIT, undo))
    if reply.appendable:
        append = callbacks.Payload(interview_id, reply.appendable, ACTION_CODES["append"])
        buttons.append(button(texts.ACTION_APPEND, append))
    return buttons


def review_parts(review: Review, reply: Reply, footer: str = "") -> list[str]:
    """The review as messages within Telegram's limit: the whole of it, in parts if long."""
    head = []
    if reply.error:
        head.append(f"⚠️ {escape(reply.error)}")
    elif reply.notice:
        head.append(escape(reply.notice))
    body = "\n\n".join([*head, escape(review.text), *([escape(footer)] if footer else [])])
    return split_text(body)


def review_keyboard(
    interview_id: int,
    review: Review,
    finished: bool,
    reply: Reply | None = None,
    page: int = 0,
) -> InlineKeyboardMarkup:
    generate = engine_buttons(interview_id, "review", review.options)
    if reply is not None:
        generate += after_input_buttons(interview_id, "review", reply)
    edits = [
        button(f"修改：{clip(s.title, 18)}", callbacks.Payload(interview_id, s.first_step, "e"))
        for s in review.sections
        if s.first_step
    ]
    fixes = [
        button(f"改意见{n}", callbacks.Payload(interview_id, f.step, "e"))
        for n, f in zip(review.numbers, review.findings, strict=True)
        if f.step
    ]
    shown, nav = _page(fixes, page, PAGE_FIXES, interview_id, "review", "r")
    return InlineKeyboardMarkup([[b] for b in generate] + rows(shown) + nav + [[b] for b in edits])


def edit_keyboard(
    interview_id: int, step: str, choices: tuple[Button, ...], page: int = 0
) -> InlineKeyboardMarkup:
    """/edit's list of answered questions (or sections), a page at a time."""
    buttons = engine_buttons(interview_id, step, choices)
    shown, nav = _page(buttons, page, PAGE_ROWS, interview_id, step, "e")
    return InlineKeyboardMarkup([[b] for b in shown] + nav)


def _page(
    buttons: list[InlineKeyboardButton],
    page: int,
    size: int,
    interview_id: int,
    step: str,
    what: str,
) -> tuple[list[InlineKeyboardButton], list[list[InlineKeyboardButton]]]:
    """One page of `buttons`, and the row that turns pages (none if one page holds all)."""
    pages = max((len(buttons) + size - 1) // size, 1)
    page = min(max(page, 0), pages - 1)
    nav = []
    if page > 0:
        nav.append(
            button("◀ 上一页", callbacks.Payload(interview_id, step, "g", f"{what}{page - 1}"))
        )
    if page < pages - 1:
        nav.append(
            button("下一页 ▶", callbacks.Payload(interview_id, step, "g", f"{what}{page + 1}"))
        )
    return buttons[page * size : (page + 1) * size], [nav] if nav else []


def with_web_app(
    keyboard: InlineKeyboardMarkup | None, web_url: str | None, interview_id: int
) -> InlineKeyboardMarkup | None:
    """The keyboard with a last row that opens the page as a Mini App, when one is served."""
    if not web_url:
        return keyboard
    page = InlineKeyboardButton(
        "在网页中查看和修改", web_app=WebAppInfo(f"{web_url}?interview={interview_id}")
    )
    rows_ = list(keyboard.inline_keyboard) if keyboard else []
    return InlineKeyboardMarkup([*rows_, [page]])


def samples_message(interview_id: int, prompt: Prompt) -> tuple[str, InlineKeyboardMarkup]:
    """The sample phrasings, each copyable, with a button that puts it into the draft."""
    lines = [
        "<b>参考表述</b>（点“用第N条”：带“××”的，我逐处问您填什么；不带的直接采用，之后还能补充）："
    ]
    lines += [f"{i}. <code>{escape(t)}</code>" for i, t in enumerate(prompt.samples, 1)]
    buttons = [
        button(f"用第{i}条", callbacks.Payload(interview_id, prompt.step, "u", str(i)))
        for i in range(1, len(prompt.samples) + 1)
    ]
    return fit_html("\n".join(lines)), InlineKeyboardMarkup(rows(buttons))


def flow_keyboard(flows: dict[str, Flow]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(f.title, callbacks.Payload(0, "", "n", f.id))] for f in flows.values()]
    )


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Messages of at most `limit` characters, split at paragraph boundaries."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        while len(paragraph) > limit:  # a paragraph longer than a message: cut it
            if current:
                chunks.append(current)
                current = ""
            chunks.append(paragraph[:limit])
            paragraph = paragraph[limit:]
        candidate = f"{current}\n{paragraph}" if current else paragraph
        if len(candidate) > limit:
            chunks.append(current)
            current = paragraph
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def clip(text: str, limit: int) -> str:
    """User text quoted in a reply, cut to `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip_html(html: str) -> str:
    """A message built of escaped lines, kept within Telegram's limit at a line break."""
    if len(html) <= MAX_TEXT:
        return html
    return html[: html.rfind("\n", 0, MAX_TEXT - 2)] + "\n…"


def fit_html(html: str) -> str:
    # Prompts are short; a current answer is clipped above, so this only guards the limit.
    # Telegram counts the text as shown: tags count nothing, "&amp;" one character.
    if len(unescape(re.sub(r"<[^>]*>", "", html))) <= MAX_TEXT:
        return html
    # Never end inside a tag or an entity, and close what is open, or Telegram rejects it.
    cut = re.sub(r"<[^>]*$|&[^;\s]*$", "", html[: MAX_TEXT - 1])
    tags: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z-]+)[^>]*>", cut):
        if not closing:
            tags.append(name)
        elif tags:
            tags.pop()
    return cut + "…" + "".join(f"</{name}>" for name in reversed(tags))
