"""The interview in a terminal: read a line, hand it to the service, print the reply.

Every line is saved before the next prompt is printed, so Ctrl-C or a closed stdin
loses nothing; the next run resumes where the user stopped.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.core import engine, replies
from bot.core.commands import parse_command, typed_number
from bot.core.replies import Button, Prompt, Reply
from bot.core.state import Input
from bot.errors import StorageError
from bot.report.render import build_document, render_files
from bot.report.writers.text import to_text
from bot.service import Interviews, Outcome
from bot.storage import Interview

WELCOME = (
    "对照检查材料写作助手：按主题逐条回答问题，最后生成规范格式的 Word 文档。每答一题都会自动保存。"
)
CHOOSE_FLOW = "请选择要写的材料（输入序号）："
RESUMING = "继续上次未写完的材料：{title}"
SAVED_BYE = "\n答案都已保存。下次运行 duizhao console 会从这里继续。"
WROTE = "报告已生成（{zishu} 字）："
ASK_EDIT = "输入 /edit 加序号修改，例如 /edit 2："
NOTHING_TO_EDIT = "还没有可以修改的题目。"
UNKNOWN_CHOICE = "请输入列表中的序号。"
LIST_HEADER = "您的材料："
STATUS_LINE = "  {title}：已答 {answered}/{total} 题，{chars} 字"
NO_FINDING = "请输入审阅意见的序号，例如 /fix 1（全文字数这类意见没有对应的题目）。"
NO_GUIDE = "这一部分没有补充说明。"
NO_SAMPLES = "这一题没有参考表述。"
SAMPLES_HEADER = "参考表述（输入 /sample 加序号放进草稿，再把“××”换成您自己的情况）："
CONFIRM_RESTART = "这会清空本部分已写的全部答案，无法恢复。确定要重写，请输入 /restart 确定"
CONFIRM_WORDS = ("确定", "是", "yes", "y")
NOT_UTF8 = (
    "（您的终端发送的不是 UTF-8 编码的文字，已按 {encoding} 读取；如有乱码，请把终端设为 UTF-8。）"
)
DB_BUSY = "数据库正被另一个程序（机器人或另一个终端）占用，正在等待……您输入的这一行没有丢，会在可以写入时保存。"
# Seconds between attempts while the database stays locked (each attempt itself waits up to
# the connection's busy timeout).
LOCKED_RETRY_SECONDS = 1.0
HELP = """可用命令：
  /back 上一步    /skip 跳过本题    /done 完成本题（长回答写完时）
  /keep 保留原答案    /edit 修改已答的题    /restart 本部分重写（会先确认）
  /guide 本部分说明    /samples 参考表述    /sample 序号 使用参考表述    /clear 清空草稿
  /status 查看进度    /preview 预览草稿    /new 新建一份材料
  /list 我的材料    /quit 退出（答案已自动保存）    /help 本帮助
选择题可以直接输入序号。"""


class Console:
    """A terminal session for one owner."""

    def __init__(
        self,
        service: Interviews,
        owner: str,
        out_dir: Path,
        read: Callable[[str], str] = input,
        out: TextIO | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        pause: Callable[[float], None] = time.sleep,
    ):
        self.service = service
        self.owner = owner
        self.out_dir = out_dir
        self.read = read
        self.out = out
        self.today = today
        self.pause = pause
        self.interview: Interview | None = None
        self._fallback = ""

    def say(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out, flush=True)

    def run(self, flow_id: str | None = None) -> int:
        self.say(WELCOME)
        try:
            self._begin(flow_id)
            while True:
                line = self._read_line()
                if not self._handle(line):
                    break
        except (EOFError, KeyboardInterrupt):
            self.say(SAVED_BYE)
        return 0

    def _begin(self, flow_id: str | None) -> None:
        active = self.service.active(self.owner)
        if flow_id is None and active is not None:
            flow = self.service.flow_of(active)
            self.say(RESUMING.format(title=flow.title))
            outcome = self.service.resume(active)
            self.interview = outcome.interview
            self._show(outcome.reply, force_section=True)
            return
        if flow_id is not None and active is not None and active.flow_id == flow_id:
            outcome = self.service.resume(active)
        else:
            outcome = self.service.start(self.owner, flow_id or self._choose_flow())
        self.interview = outcome.interview
        self._show(outcome.reply, force_section=True)

    def _read_line(self) -> str:
        """One typed line. A terminal in another encoding than the locale's (GBK over SSH)
        sends bytes the locale cannot decode; they arrive as surrogates (see
        `terminal_input`) and are read as GB18030, or with replacements, and the user is told."""
        line = self.read("> ")
        text, fallback = decode_line(line)
        if fallback and fallback != self._fallback:
            self._fallback = fallback
            self.say(NOT_UTF8.format(encoding=fallback))
        return text

    def _choose_flow(self) -> str:
        flows = list(self.service.flows.values())
        self.say(CHOOSE_FLOW)
        self.say(*(f"  {i}. {f.title}" for i, f in enumerate(flows, 1)))
        while True:
            number = typed_number(self._read_line())
            if number is not None and 1 <= number <= len(flows):
                return flows[number - 1].id
            self.say(UNKNOWN_CHOICE)

    # -- one line ----------------------------------------------------------------------------

    def _handle(self, line: str) -> bool:
        """Handle one line; False ends the session."""
        command = parse_command(line)
        if command is None:
            self._apply(Input.text(line))
            return True
        name, arg = command
        if name == "quit":
            self.say(SAVED_BYE)
            return False
        local = {
            "help": lambda: self.say(HELP),
            "status": self._status,
            "preview": self._preview,
            "list": self._list,
            "new": lambda: self._begin(self._choose_flow()),
            "edit": lambda: self._edit(arg),
            "guide": self._guide,
            "fix": lambda: self._fix(arg),
            "samples": self._samples,
            "restart": lambda: self._restart(arg),
        }
        if name in local:
            local[name]()
        elif name in engine.COMMANDS:
            self._apply(Input(name, arg))
        else:
            self.say(f"没有这个命令：/{name}。输入 /help 查看全部命令。")
        return True

    def _apply(self, inp: Input) -> None:
        assert self.interview is not None
        was_finished = self.interview.finished
        before = self.interview.state.cursor
        outcome = self._saving(lambda: self.service.answer(self.interview, inp))
        if outcome is None:
            return
        self.interview = outcome.interview
        self._show(outcome.reply, compact=self.interview.state.cursor == before)
        if self.interview.finished and not was_finished:
            self._write_report()

    def _saving(self, save: Callable[[], Outcome | None]) -> Outcome | None:
        """Save, waiting as long as another program holds the database: the line the user
        typed is kept in hand, never dropped because the bot was busy writing."""
        while True:
            try:
                return save()
            except StorageError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                self.say(DB_BUSY)
                self.pause(LOCKED_RETRY_SECONDS)

    def _restart(self, arg: str) -> None:
        """Empty the current section, only once the user confirms: it cannot be undone."""
        if arg not in CONFIRM_WORDS:
            self.say(CONFIRM_RESTART)
            return
        self._apply(Input("restart"))

    def _edit(self, arg: str) -> None:
        assert self.interview is not None
        flow = self.service.flow_of(self.interview)
        choices = replies.edit_choices(flow, self.interview.state)
        if not choices:
            self.say(NOTHING_TO_EDIT)
            return
        number = typed_number(arg)
        if number is not None and 1 <= number <= len(choices):
            self._apply(Input("edit", choices[number - 1].value))
            return
        if arg:
            self._apply(Input("edit", arg))
            return
        self.say(ASK_EDIT, *(f"  {i}. {c.label}" for i, c in enumerate(choices, 1)))

    def _fix(self, arg: str) -> None:
        """Open the step a review finding points at."""
        assert self.interview is not None
        review = replies.show(self.service.flow_of(self.interview), self.interview.state).review
        findings = review.findings if review else ()
        number = typed_number(arg)
        if number is None or not 1 <= number <= len(findings) or not findings[number - 1].step:
            self.say(NO_FINDING)
            return
        self._apply(Input("edit", findings[number - 1].step))

    def _current_prompt(self) -> Prompt | None:
        assert self.interview is not None
        return replies.show(self.service.flow_of(self.interview), self.interview.state).prompt

    def _guide(self) -> None:
        prompt = self._current_prompt()
        self.say(prompt.guide if prompt and prompt.guide else NO_GUIDE)

    def _samples(self) -> None:
        prompt = self._current_prompt()
        if not prompt or not prompt.samples:
            self.say(NO_SAMPLES)
            return
        self.say(SAMPLES_HEADER, *(f"  {i}. {t}" for i, t in enumerate(prompt.samples, 1)))

    def _status(self) -> None:
        assert self.interview is not None
        flow = self.service.flow_of(self.interview)
        self.say(flow.title)
        for s in replies.summarize(flow, self.interview.state):
            self.say(
                STATUS_LINE.format(title=s.title, answered=s.answered, total=s.total, chars=s.chars)
            )

    def _preview(self) -> None:
        assert self.interview is not None
        flow = self.service.flow_of(self.interview)
        doc = build_document(flow, self.interview.state.answers, date=self.today())
        self.say("—— 草稿预览 ——", to_text(doc), f"—— 共 {doc.zishu} 字 ——")

    def _list(self) -> None:
        self.say(LIST_HEADER)
        for i in self.service.storage.list(self.owner):
            title = self.service.flows[i.flow_id].title if i.flow_id in self.service.flows else ""
            mark = "（当前）" if self.interview and i.id == self.interview.id else ""
            status = "已完成" if i.finished else "进行中"
            self.say(f"  #{i.id} {title} · {status}{mark}")

    def _write_report(self) -> None:
        assert self.interview is not None
        flow = self.service.flow_of(self.interview)
        today = self.today()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        paths = render_files(
            flow,
            self.interview.state.answers,
            date=today,
            out_dir=self.out_dir,
            basename=f"{flow.id}-{today.isoformat()}",
        )
        doc = build_document(flow, self.interview.state.answers, date=today)
        self.say(WROTE.format(zishu=doc.zishu), *(f"  {p}" for p in paths))

    # -- printing -----------------------------------------------------------------------------

    def _show(self, reply: Reply, force_section: bool = False, compact: bool = False) -> None:
        if reply.error:
            self.say(f"⚠ {reply.error}")
        if reply.notice:
            self.say(reply.notice.strip())
        prompt = reply.prompt
        if compact and prompt is not None and (reply.error or reply.notice):
            # Same question as before (a draft piece, a refusal): no need to repeat it.
            self._show_buttons(prompt.options, prompt.actions)
            return
        if prompt is not None:
            if reply.entered_section or force_section:
                self.say("", f"【{prompt.section_title}】")
                if prompt.section_intro:
                    self.say(prompt.section_intro)
            self.say("", prompt.progress, prompt.text)
            if prompt.hint:
                self.say(f"提示：{prompt.hint}")
            if prompt.current is not None:
                self.say(f"当前答案：{prompt.current}")
            if prompt.draft_chars and not reply.notice:
                self.say(f"（已收到草稿 {prompt.draft_chars} 字，接着输入或 /done 完成）")
            self._show_buttons(prompt.options, prompt.actions)
        if reply.review is not None:
            self.say("", reply.review.text)
            self.say("", "各部分：")
            self.say(*(f"  {i}. {s.title}" for i, s in enumerate(reply.review.sections, 1)))
            self.say("输入 /done 生成报告，或 /edit 加部分序号修改（如 /edit 1）；")
            if any(f.step for f in reply.review.findings):
                self.say("按审阅意见修改：输入 /fix 加意见序号（如 /fix 1）。")

    def _show_buttons(self, options: tuple[Button, ...], actions: tuple[Button, ...]) -> None:
        if options:
            self.say("  ".join(f"{i}. {o.label}" for i, o in enumerate(options, 1)))
        if actions:
            self.say("（" + " · ".join(f"/{a.kind} {a.label}" for a in actions) + "）")


def terminal_input(stream: TextIO = sys.stdin) -> Callable[[str], str]:
    """`input`, with bytes the terminal's encoding cannot decode kept as surrogates for
    `decode_line` instead of raising UnicodeDecodeError on the first Chinese character."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="surrogateescape")
    return input


def decode_line(line: str) -> tuple[str, str]:
    """The line as the user meant it, and the encoding fallen back to ("" if none)."""
    try:
        line.encode("utf-8")
        return line, ""
    except UnicodeEncodeError:
        pass
    encoding = getattr(sys.stdin, "encoding", None) or "utf-8"
    raw = line.encode(encoding, "surrogateescape")
    try:
        return raw.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        return raw.decode(encoding, "replace"), "替换无法识别的字符"
