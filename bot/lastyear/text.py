"""Last year's report as text → its problems, causes and measures.

The parser is tolerant rather than exact. It finds the level-1 parts by their heading words
(存在的问题 / 原因剖析 / 整改措施 / 上年度整改落实情况 and their usual variants), numbered 一、,
第一部分, （一） or not at all; inside a part it splits at the numbering the document uses
(（一） run-in headings, 1. or （1） lines, ①, inline 一是……；二是……, 第一，, 首先/其次), and a
problem paragraph written as prose at its 比如 cases. Pure: no I/O beyond the text given.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.lastyear.parsed import NotAReport, ParsedReport, Point
from bot.report.genre import CJK, full_width_marks

# Last year's report is 3,000–6,000 字; anything much longer is not one, and reading it would
# keep the bot busy for nothing.
MAX_CHARS = 100_000
TOO_LONG = (
    "内容太长（超过 10 万字符），对照检查材料一般只有几千字。"
    "请只发送去年材料的正文，或者把正文另存为 .docx 文件再发送。"
)


def parse_text(text: str, max_chars: int | None = MAX_CHARS) -> ParsedReport:
    """Pasted or decoded text → the report's parts; NotAReport when there are none or the
    text is longer than `max_chars` characters."""
    if max_chars is not None and len(text) > max_chars:
        raise NotAReport(TOO_LONG)
    lines = _normalize(text)
    if not lines:
        raise NotAReport("内容是空的，没有读到任何文字。")
    sections, title = _sections(lines)
    if not any(kind in ("problems", "measures") for kind, _ in sections):
        raise NotAReport(
            "没有找到“存在的问题”“整改措施”这样的标题，看起来不是对照检查材料。"
            "请确认发送的是去年的对照检查材料全文。"
        )
    parts: dict[str, list[str]] = {}
    for kind, body in sections:
        parts.setdefault(kind, []).extend(body)
    themes, problems = _problem_part(parts.get("problems", []))
    causes = _point_part(parts.get("causes", []))
    measures = _point_part(parts.get("measures", []))
    if not problems and not measures:
        raise NotAReport(
            "找到了“存在的问题”或“整改措施”的标题，但下面没有读出具体内容。"
            "请确认发送的是完整的对照检查材料。"
        )
    return ParsedReport(
        title=title,
        problems=tuple(problems),
        causes=tuple(causes),
        measures=tuple(measures),
        themes=tuple(themes),
    )


# -- text normalisation ------------------------------------------------------------------

_CJK_CHAR = re.compile(f"[{CJK}]")
_SPACES = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\u200b-\u200d\ufeff]")
_MARKDOWN_HEADING = re.compile(r"^(?:#{1,6}\s+|>\s*)")
_BOLD_START = re.compile(r"^\*\*(.+?)\*\*")
_HALF_BRACKETS = re.compile(r"^\(\s*([一二三四五六七八九十\d]{1,3})\s*\)")


def _normalize(text: str) -> list[str]:
    """Non-empty lines with full-width marks in Chinese text and no stray spaces."""
    lines = []
    for raw in _LINE_BREAK.split(text):
        line = _CONTROL.sub("", raw).replace("\t", " ").replace("\xa0", " ").replace("\u3000", " ")
        line = _MARKDOWN_HEADING.sub("", line.strip())
        line = _BOLD_START.sub(r"\1", line)
        line = _HALF_BRACKETS.sub(r"（\1）", line)
        line = _no_spaces_near_cjk(full_width_marks(line)).strip()
        if line:
            lines.append(line)
    return lines


def _no_spaces_near_cjk(line: str) -> str:
    """Blanks next to a CJK character go ("学 习" is 学习; "Word 文档" is Word文档)."""

    def blank(match: re.Match[str]) -> str:
        start, end = match.span()
        near = (start > 0 and _CJK_CHAR.match(line[start - 1])) or (
            end < len(line) and _CJK_CHAR.match(line[end])
        )
        return "" if near else match.group()

    return _SPACES.sub(blank, line)


# -- numbering ---------------------------------------------------------------------------

_NUMERAL = "[一二三四五六七八九十]{1,3}"
# Line-start numbering, most senior first. Each style's pattern consumes the number and the
# mark after it; what follows is the line's text.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"^第{_NUMERAL}部分[、，：:。.．\s]*")),
    ("一、", re.compile(rf"^{_NUMERAL}[、.．。，,]\s*")),
    ("（一）", re.compile(rf"^（{_NUMERAL}）[、.．]?\s*")),
    ("1.", re.compile(r"^[0-9０-９]{1,2}(?:[.．、](?![0-9０-９])|[)）])\s*")),
    ("（1）", re.compile(r"^[（(][0-9０-９]{1,2}[）)][、.．]?\s*")),
    ("①", re.compile(r"^[①-⑳]\s*")),
    ("一是", re.compile(rf"^{_NUMERAL}是")),
    ("第一", re.compile(rf"^第{_NUMERAL}[，、,：:]\s*")),
    ("首先", re.compile(r"^(?:首先|其次|再次|最后)[，、,：:]\s*")),
)
_SENIORITY = ("part", "一、", "（一）", "1.")
_INLINE_STYLES = ("一是", "第一", "首先")


def _marker(line: str) -> tuple[str, str] | None:
    """(style, text after the number) for a numbered line."""
    for style, pattern in _MARKERS:
        match = pattern.match(line)
        if match and match.end() < len(line):
            return style, line[match.end() :]
    return None


# -- level-1 parts -----------------------------------------------------------------------

_STRICT = {
    "lastyear": re.compile(
        r"(?:上一?年度?|去年|上次|前次)?[^。，]{0,14}?整改(?:措施)?(?:的)?(?:落实|完成|推进)?情况"
    ),
    "causes": re.compile(
        r"(?:剖析|分析|深挖)?(?:对)?(?:产生|存在)?(?:上述|以上)?(?:问题)?(?:产生)?的?(?:主要)?"
        r"(?:思想)?(?:原因|根源)(?:(?:和|与|及)(?:原因|根源))?的?"
        r"(?:剖析|分析|查找|查摆|深度剖析|深刻剖析)?"
    ),
    "measures": re.compile(
        r"(?:下步|下一步|今后)?的?(?:(?:努力方向|整改方向|改进方向)(?:和|与|及)?)?"
        r"(?:整改|改进)?(?:措施|举措|打算)?(?:(?:和|与|及)(?:努力方向|今后打算))?"
    ),
    "problems": re.compile(
        r"(?:个人|本人|自身)?(?:(?:存在|查摆|检视|查找|对照检查)(?:出)?的?(?:主要|突出)?|主要|突出)?"
        r"(?:问题|不足)(?:(?:和|与|及)?(?:不足|差距|表现))?(?:查摆|清单)?"
    ),
}
_LOOSE = (
    ("lastyear", re.compile(r"整改.*情况|上一?年度.*整改|去年.*整改")),
    ("causes", re.compile(r"原因|根源")),
    ("measures", re.compile(r"措施|努力方向|整改方向|改进方向|举措|打算")),
    ("problems", re.compile(r"问题|不足|差距")),
)
_MEASURE_WORDS = re.compile(r"措施|方向|举措|打算")


def _kind(head: str, strict: bool) -> str | None:
    if strict:
        for kind, pattern in _STRICT.items():
            if pattern.fullmatch(head):
                if kind == "measures" and not _MEASURE_WORDS.search(head):
                    continue
                return kind
        return None
    for kind, pattern in _LOOSE:
        if pattern.search(head):
            return kind
    return None


def _heading(line: str) -> tuple[str, str | None, str] | None:
    """(kind, numbering style, run-in rest) when the line is a level-1 heading candidate;
    kind "other" for a numbered short line that names no part we know."""
    marked = _marker(line)
    style, rest = marked if marked else (None, line)
    if style not in (None, *_SENIORITY):
        return None
    cut = re.search(r"[。：:]", rest)
    head, tail = (rest[: cut.start()], rest[cut.end() :]) if cut else (rest, "")
    head = re.sub(r"\s+", "", head)
    if not head or len(head) > 24:
        return None
    loose = style in ("part", "一、")
    if not loose and tail:
        return None
    kind = _kind(head, strict=not loose)
    if kind is None:
        if loose and not tail and len(head) <= 20 and not re.search(r"[，；]", head):
            return "other", style, ""
        return None
    return kind, style, tail


def _sections(lines: list[str]) -> tuple[list[tuple[str, list[str]]], str]:
    """The level-1 parts in order, each with its lines, and the title."""
    candidates = {i: h for i, line in enumerate(lines) if (h := _heading(line))}
    styles = {h[1] for h in candidates.values() if h[0] != "other" and h[1]}
    level = next((s for s in _SENIORITY if s in styles), None)
    headings = {
        i: h
        for i, h in candidates.items()
        if (h[0] != "other" and (h[1] is None or h[1] == level))
        or (h[0] == "other" and h[1] == level and level in ("part", "一、"))
    }
    sections: list[tuple[str, list[str]]] = []
    first = min((i for i, h in headings.items() if h[0] != "other"), default=len(lines))
    for i, line in enumerate(lines):
        if i in headings:
            kind, _, tail = headings[i]
            sections.append((kind, [tail] if tail else []))
        elif sections:
            sections[-1][1].append(line)
    if sections:
        _drop_closing(sections[-1][1])
    return sections, _title(lines[:first])


_DATE = re.compile(
    r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|[〇零○一二三四五六七八九]{4}年"
    r"(?:[一二三四五六七八九十]{1,2}月(?:[一二三四五六七八九十]{1,3}日)?)?"
)
_CLOSING = re.compile(
    r"批评指正|帮助指正|请.{0,6}批评|以上(?:是|为|发言|材料)|签名|署名|^(?:发言人|报告人|姓名)[：:]"
)


def _drop_closing(lines: list[str]) -> None:
    """The name, date and 以上……请批评指正 lines that end a report are not part of it."""
    while lines:
        last = lines[-1]
        short = len(last) <= 8 and not re.search(r"[。，；：！？、]", last) and not _marker(last)
        if _DATE.fullmatch(last) or short or (_CLOSING.search(last) and len(last) <= 60):
            lines.pop()
        else:
            break


def _title(opening: list[str]) -> str:
    for line in opening[:3]:
        if (
            re.search(r"对照检查|发言提纲|检视剖析|检查材料|剖析材料|发言材料", line)
            and len(line) <= 80
        ):
            return line
    if opening and len(opening[0]) <= 40 and not re.search(r"[。，；：]", opening[0]):
        return opening[0]
    return ""


# -- items inside a part -----------------------------------------------------------------

_CASE = ("比如", "例如", "譬如")
_BOUNDARY = "：:。；;，,！？!?\n"
_ITEM_END = "；;，,、 \n"
_LEADING_MARKS = "。！？!?：:；;，,、 \n"
_DIGITS = "一二三四五六七八九"


def _chinese(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("" if tens == 1 else _DIGITS[tens - 1]) + "十"
    return head + (_DIGITS[ones - 1] if ones else "")


_SEQUENCES: tuple[tuple[tuple[str, ...], ...], ...] = (
    tuple((_chinese(n) + "是",) for n in range(1, 31)),
    tuple(tuple(f"第{_chinese(n)}{m}" for m in "，、,：:") for n in range(1, 31)),
    (
        ("首先，", "首先、", "首先"),
        ("其次，", "其次、", "其次"),
        ("再次，", "再次"),
        ("最后，", "最后"),
    ),
)


def _inline_items(text: str) -> tuple[str, list[str]] | None:
    """(lead-in, items) for text enumerated inline as 一是……；二是…… (or 第一，/首先 其次)."""
    for sequence in _SEQUENCES:
        found: list[tuple[int, int]] = []
        start = 0
        for position, markers in enumerate(sequence):
            at = _find_marker(text, markers, start)
            if at is None:
                if sequence is _SEQUENCES[2] and position == 2:
                    continue  # 首先、其次、最后 without 再次
                break
            found.append(at)
            start = at[1]
        if len(found) >= 2:
            bounds = [*found, (len(text), len(text))]
            items = [text[bounds[k][1] : bounds[k + 1][0]] for k in range(len(found))]
            return text[: found[0][0]], items
    return None


def _find_marker(text: str, markers: tuple[str, ...], start: int) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    for marker in markers:
        at = text.find(marker, start)
        while at >= 0 and at > 0 and text[at - 1] not in _BOUNDARY:
            at = text.find(marker, at + 1)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, at + len(marker))
    return best


_STOP = re.compile(r"[。！？]")
_COLON = re.compile(r"[：:]")
_BLANK_OR_LEADING = frozenset(_LEADING_MARKS)


def _point(text: str) -> Point | None:
    """An item's text, its numbering removed → heading (up to the first full stop) and body.

    Sentences before the first one with a word in it (stray marks) are passed over. One
    position moves forward through the text, so the work grows with its length.
    """
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] in _ITEM_END):
        end -= 1
    last_word = next((i for i in range(end - 1, -1, -1) if text[i].isalnum()), -1)
    at = 0
    while True:
        while at < end and (text[at].isspace() or text[at] in _BLANK_OR_LEADING):
            at += 1
        if at > last_word:
            return None
        line_end = text.find("\n", at, end)
        line_end = end if line_end < 0 else line_end
        stop = _STOP.search(text, at, line_end)
        stop_at = stop.start() if stop else line_end
        # A colon early in the line ends the heading too (……方面：); look only that far.
        colon = _COLON.search(text, at, min(stop_at, at + 31))
        if colon:
            stop = colon
        if stop:
            heading, rest = text[at : stop.start()], stop.end()
        else:
            heading, rest = text[at:line_end], line_end + 1
        heading = heading.strip().rstrip("。；，：")
        if _has_word(heading):
            return Point(heading, _body(text[rest:end]))
        at = rest  # only marks before the stop: the point starts after it


def _body(text: str) -> str:
    """The rest of an item, ended as a sentence (the ； that joined it to the next dropped)."""
    text = text.strip().rstrip(_ITEM_END)
    if text and text[-1] not in "。！？…”’）》":
        text += "。"
    return text


def _numbered_items(lines: list[str], minimum: int) -> tuple[list[str], list[str]] | None:
    """(preamble lines, item texts) split at the first line-start numbering style used."""
    styles = [m[0] for line in lines if (m := _marker(line))]
    if not styles:
        return None
    style = styles[0]
    # A lone 一是/第一/首先 line is an inline list starting at the line's head, not a list of lines.
    if styles.count(style) < (max(minimum, 2) if style in _INLINE_STYLES else minimum):
        return None
    preamble: list[str] = []
    items: list[list[str]] = []
    for line in lines:
        marked = _marker(line)
        if marked and marked[0] == style:
            items.append([marked[1]])
        elif items:
            items[-1].append(line)
        else:
            preamble.append(line)
    return preamble, ["\n".join(i) for i in items]


def _is_heading_line(line: str) -> bool:
    """An unnumbered line that reads as a heading: short, one phrase, no full stop at its end."""
    bare = line.rstrip("：:")
    return len(bare) <= 30 and _has_word(bare) and not re.search(r"[。，；！？]", bare)


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _is_lead_in(line: str) -> bool:
    """A line that announces the items (……如下： / ……主要有：) rather than being one."""
    if re.search(r"(?:如下|以下|几个方面|几点)[。：:]?$", line):
        return True
    return line.endswith(("：", ":")) and not _is_heading_line(line)


def _groups(lines: list[str]) -> list[tuple[str | None, str]]:
    """Unnumbered paragraphs: a heading-like line gathers the paragraphs after it."""
    groups: list[tuple[str | None, list[str]]] = []
    for line in lines:
        if _is_heading_line(line):
            groups.append((line.rstrip("：:"), []))
        elif groups and groups[-1][0] is not None:
            groups[-1][1].append(line)
        else:
            groups.append((None, [line]))
    return [(h, "\n".join(body)) for h, body in groups]


def _point_part(lines: list[str]) -> list[Point]:
    """Causes or measures: numbered run-in items, an inline 一是 list, or paragraphs."""
    numbered = _numbered_items(lines, minimum=1)
    if numbered:
        return [p for text in numbered[1] if (p := _point(text))]
    start = 0
    while start < len(lines) and _is_lead_in(lines[start]):
        start += 1  # 针对以上问题，我将从以下几个方面整改：
    points: list[Point] = []
    for heading, body in _groups(lines[start:]):
        if heading is not None:
            points.append(Point(heading, _body(body)))
            continue
        inline = _inline_items(body)
        texts = inline[1] if inline else [body]
        points.extend(p for text in texts if (p := _point(text)))
    return points


# -- the problems part -------------------------------------------------------------------

_THEME_WORDS = re.compile(r"方面")
_LEAD_IN_COLON = re.compile(r"[：:]")
_LEAD_IN_WORDS = re.compile(r"但|存在|还有|如下|以下|几个方面")
_LEAD_IN_STOP = re.compile(r"(?:问题|不足|差距|短板)[^。]{0,6}。$")


def _problem_part(lines: list[str]) -> tuple[list[str], list[Point]]:
    """(theme headings, problems): per theme paragraph, then per point inside it."""
    themes: list[str] = []
    problems: list[Point] = []
    numbered = _numbered_items(lines, minimum=1)
    units: list[tuple[str | None, str]]
    if numbered:
        units = []
        for text in numbered[1]:
            point = _point(text)
            if point:
                units.append((point.heading, point.body))
    else:
        units = _groups(lines)
    for heading, content in units:
        if heading is None:
            first = _point(content)
            if first and len(first.heading) <= 60 and _THEME_WORDS.search(first.heading):
                heading, content = first.heading, first.body
            else:
                problems.extend(_theme_problems(content))
                continue
        is_theme = (
            _THEME_WORDS.search(heading)
            or _sub_items(content) is not None
            or _case_count(content) >= 2
        )
        if is_theme:
            themes.append(heading)
            problems.extend(replace(p, theme=heading) for p in _theme_problems(content))
        elif _has_word(heading):
            problems.append(Point(heading, _body(content)))
        else:
            problems.extend(_theme_problems(content))
    return themes, problems


def _sub_items(content: str) -> list[str] | None:
    lines = content.split("\n")
    numbered = _numbered_items(lines, minimum=2)
    if numbered:
        return numbered[1]
    inline = _inline_items(content)
    return inline[1] if inline else None


def _case_count(text: str) -> int:
    return sum(1 for s in _sentences(text) if s.startswith(_CASE))


def _sentences(text: str) -> list[str]:
    """Sentences with their closing marks; line breaks end sentences too."""
    return [s.strip() for s in re.findall(r"[^。！？\n]+[。！？]*", text) if s.strip()]


def _theme_problems(content: str) -> list[Point]:
    """A theme's problems: its numbered or 一是 points, else its prose split at 比如 cases."""
    items = _sub_items(content)
    if items is not None:
        return [p for text in items if (p := _point(text))]
    sentences = _sentences(_strip_affirmation(content))
    units: list[list[str]] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence)
        if sentence.startswith(_CASE):
            units.append(current)
            current = []
    if current:
        units.append(current)
    return [p for unit in units if (p := _point("".join(unit)))]


def _strip_affirmation(content: str) -> str:
    """Prose after the affirmation's lead-in (……，但对照要求，还存在一些不足：)."""
    case = min((content.find(w) for w in _CASE if w in content), default=len(content))
    colon = _LEAD_IN_COLON.search(content, 0, case)
    if colon:
        sentence_start = max(content.rfind(m, 0, colon.start()) for m in "。！？\n") + 1
        if _LEAD_IN_WORDS.search(content, sentence_start, colon.start()):
            return content[colon.end() :]
    start = 0
    # Every sentence ended by 。 before the first case (split, not a regex that would look
    # for a 。 again from every position of a text that has none).
    for piece in content[:case].split("。")[:-1]:
        sentence = piece + "。"
        start += len(sentence)
        if "但" in sentence and _LEAD_IN_STOP.search(sentence) and start < len(content):
            return content[start:]
    return content
