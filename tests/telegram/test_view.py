"""What the chat shows stays within Telegram's limits however much the user wrote."""

from __future__ import annotations

import json

from bot.core.quality import Finding
from bot.core.replies import Button, Reply, Review, SectionSummary
from bot.telegram import view


def _limits_kept(markup) -> list[str]:
    """Telegram's limits on one keyboard: 100 buttons, 8 a row, about 10 KB."""
    rows = markup.to_dict()["inline_keyboard"]
    size = len(json.dumps(markup.to_dict(), ensure_ascii=False).encode())
    return [
        *(["over 100 buttons"] if sum(len(r) for r in rows) > 100 else []),
        *(["over 8 in a row"] if any(len(r) > 8 for r in rows) else []),
        *([f"{size} bytes"] if size > 8 * 1024 else []),
    ]


def _labels(markup) -> list[str]:
    return [b["text"] for row in markup.to_dict()["inline_keyboard"] for b in row]


def _review(findings: int, sections: int = 12) -> Review:
    return Review(
        text="\n".join(f"{i}. 第{i}条意见：" + "这句话重复出现了。" * 30 for i in range(findings)),
        sections=tuple(
            SectionSummary(f"s{i}", f"在带头……方面第{i}部分" * 3, 1, 1, 100, f"t{i}_good")
            for i in range(sections)
        ),
        total_chars=5000,
        options=(Button("choose", "生成报告", "done"),),
        findings=tuple(
            Finding("repeat", "重复", f"t{i % 6}_problems[{i % 5}].detail", f"r{i}")
            for i in range(findings)
        ),
        numbers=tuple(range(1, findings + 1)),
    )


def test_the_review_keyboard_pages_its_fix_buttons():
    review = _review(findings=104)
    first = view.review_keyboard(1234567890, review, finished=False)
    assert _limits_kept(first) == []
    assert "改意见1" in _labels(first) and "改意见31" not in _labels(first)
    assert "下一页 ▶" in _labels(first)
    last = view.review_keyboard(1234567890, review, finished=False, page=3)
    assert "改意见104" in _labels(last) and "◀ 上一页" in _labels(last)
    assert _limits_kept(last) == []


def test_a_long_review_is_sent_whole_in_parts():
    review = _review(findings=60)
    parts = view.review_parts(review, Reply(notice="全部问题已答完"), footer="截止日期还有 3 天。")
    assert len(parts) > 1
    assert all(len(p) <= view.MAX_TEXT for p in parts)
    assert "\n".join(parts).count("第59条意见") == 1
    assert parts[-1].endswith("截止日期还有 3 天。")


def test_edit_lists_of_any_length_are_paged():
    choices = tuple(
        Button("edit", f"第{i}个问题 · 具体表现：" + "长" * 30, f"t1_problems[{i}].detail")
        for i in range(121)
    )
    pages = [view.edit_keyboard(1234567890, "t3_good", choices, page) for page in range(7)]
    assert all(_limits_kept(p) == [] for p in pages)
    shown = [label for p in pages for label in _labels(p) if "第" in label]
    assert len(shown) == 121
