"""Slash commands, shared by the console and the Telegram menu."""

from __future__ import annotations

import unicodedata

# (name, description shown in Telegram's menu and in help)
MENU = (
    ("start", "开始或继续写材料"),
    ("new", "新建一份材料"),
    ("resume", "继续写当前材料"),
    ("list", "我的全部材料"),
    ("back", "回到上一题"),
    ("skip", "跳过本题（选填题）"),
    ("edit", "修改已答的题"),
    ("status", "查看各部分进度"),
    ("preview", "预览目前的草稿"),
    ("report", "生成报告"),
    ("export", "导出全部答案"),
    ("delete", "删除一份材料"),
    ("help", "使用说明"),
    ("cancel", "取消当前操作"),
    ("deadline", "设置会议或提交日期"),
    ("lastyear", "导入去年的材料"),
    ("remind", "开启或关闭提醒"),
    ("meeting", "班子会议：组织或参加"),
)


def parse_command(text: str) -> tuple[str, str] | None:
    """`/edit t1_good` → ("edit", "t1_good"); None for ordinary text.

    Accepts the full-width slash a Chinese keyboard types, the "、" a Chinese input method
    makes of "/" (then only before a command's Latin letters) and Telegram's `/cmd@botname`.
    """
    text = text.strip()
    if not text or text[0] not in "/／、":
        return None
    if text[0] == "、" and not text[1:2].isascii():
        return None
    head, _, arg = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name.isascii() or not name.isalpha():
        return None
    return name, arg.strip()


def typed_number(text: str) -> int | None:
    """A number the user typed to pick from a list: ASCII or full-width digits, and the
    circled or superscript forms a Chinese keyboard offers (①, ²), which Python's isdigit
    accepts but int() does not; None for anything else (or absurdly long)."""
    plain = unicodedata.normalize("NFKC", text.strip())
    if plain.isascii() and plain.isdigit() and len(plain) <= 6:
        return int(plain)
    return None
