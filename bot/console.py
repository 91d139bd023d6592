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

from bot import lastyear
from bot.core import engine, replies, texts
from bot.core.commands import parse_command, typed_number
from bot.core.replies import Button, Prompt, Reply
from bot.core.state import REVIEW, Input
from bot.errors import StorageError
from bot.lastyear.carryover import carry_over
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
NO_FINDING = "请输入审阅意见的序号，例如 /fix 1（全文字数这类意见没有对应的题目）。"
NO_GUIDE = "这一部分没有补充说明。"
NOTHING_TO_ADD = "现在没有刚写好的长回答可以补充。要改以前的回答，输入 /edit。"
ADD_TIP = "（想补充刚才的回答：输入 /add，或 /add 加补充的内容）"
# The console's command for an action whose button name is taken by another command.
ACTION_COMMANDS = {"lastyear": "old"}
NO_SAMPLES = "这一题没有参考表述。"
NO_LAST_YEAR_PROBLEMS = "这里没有去年的问题可以对照（先用 /lastyear 导入去年的材料）。"
LAST_YEAR_PROBLEMS = "去年查摆的问题（仅供对照，今年的问题要写新的情况，不要照抄）："
SAMPLES_HEADER = (
    "参考表述（输入 /sample 加序号：带“××”的，我逐处问您填什么；不带的直接采用，之后还能补充）："
)
RESTART_CONFIRM = (
    "确定要清空“{title}”已写的 {answered} 个答案、从头重写吗？输入“是”确认，输入其他内容取消。"
)
RESTART_KEPT = "好的，没有清空，答案都还在。"
LAST_YEAR_PASTE = (
    "请把去年的对照检查材料全文粘贴进来，贴完后单独输入一行 /end；不导入了输入 /cancel。"
)
PASTE_TOO_LONG = "粘贴的内容超过 10 万字符，对照检查材料一般只有几千字。没有导入，请只粘贴正文。"
NO_FILE = "没有找到文件：{path}"
FILE_TOO_BIG = "文件超过 2 MB，没有读取。请用去年材料的 Word（.docx）或文本（.txt）文件。"
IMPORT_FOUND = "从去年的材料里{summary}\n整改措施："
IMPORT_CONFIRM = (
    "确认后，这些措施会成为“上年度整改落实情况”的清单，我会逐条问您落实得怎样；"
    "去年的问题会在写今年问题时供您对照（/old）。确认导入吗？输入“是”确认，输入其他内容取消。"
)
IMPORT_CANCELLED = "已取消，没有导入任何内容。"
IMPORT_KEEPS = "清单里已有的 {n} 条措施（连同您写的落实情况）保持不变。"
IMPORT_ADDS = "将新增 {n} 条措施。"
IMPORT_ADDS_NONE = "去年的措施都已在清单里，不会重复添加。"
IMPORT_OVER = "清单最多只能放这么多条，另有 {n} 条没有加入。"
REPORT_NOT_READY = "还没有答完：答完并在检查页面输入 /done 生成报告后，才能生成报告文件。可以先用 /preview 预览草稿。"
NOT_UTF8 = (
    "（您的终端发送的不是 UTF-8 编码的文字，已按 {encoding} 读取；如有乱码，请把终端设为 UTF-8。）"
)
DB_BUSY = "数据库正被另一个程序（机器人或另一个终端）占用，正在等待……您输入的这一行没有丢，会在可以写入时保存。"
# Seconds between attempts while the database stays locked (each attempt itself waits up to
# the connection's busy timeout).
LOCKED_RETRY_SECONDS = 1.0
HELP = """每题写好后一次输入、回车即保存；想接着补充刚才的回答，输入 /add（或 /add 加内容）。
一整个问题可以一次写完：先一句话概括，再写具体表现，最后“比如……”写实例，我会自动拆开；
几条一起粘贴（一是……二是……、1. 2.）会存成几条。拆得不对，输入 /unsplit 按原样保存。
可用命令：
  /back 上一步    /skip 跳过本题    /keep 保留原答案    /cancel 取消修改
  /edit 修改已答的题    /fix 序号 按审阅意见修改    /restart 本部分重写（会先确认）
  /guide 本部分说明    /samples 参考表述    /sample 序号 使用参考表述    /clear 清空草稿
  /lastyear 文件路径 导入去年的材料（.docx 或 .txt；只输入 /lastyear 则粘贴全文）
  /old 去年的问题    /status 查看进度    /preview 预览草稿    /report 重新生成报告文件
  /new 新建一份材料
  /list 我的材料    /quit 退出（答案已自动保存）    /help 本帮助
选择题直接输入序号；多选题输入几个序号后回车。草稿里有内容时，直接回车就按草稿保存。
"""


PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


def _newlines(text: str) -> str:
    """A terminal pastes line breaks as carriage returns."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def use_line_editing() -> None:
    """GNU readline for input() in a terminal: arrow keys, history, and bracketed paste, so
    that a pasted block of lines is one message instead of one answer per line."""
    if not sys.stdin.isatty():
        return
    try:
        import readline
    except ImportError:  # Windows: no readline; a paste's lines come one by one
        return
    readline.parse_and_bind("set enable-bracketed-paste on")


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
        # The long answer the last input saved, for /add (补充).
        self.appendable = ""
        self._fallback = ""

    def say(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out, flush=True)

    def run(self, flow_id: str | None = None) -> int:
        self.say(WELCOME)
        if self.read is input:
            use_line_editing()
        try:
            self._begin(flow_id)
            while True:
                if not self._handle(self._message()):
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

    def _read_line(self, prompt: str = "> ") -> str:
        """One typed line. A terminal in another encoding than the locale's (GBK over SSH)
        sends bytes the locale cannot decode; they arrive as surrogates (see
        `terminal_input`) and are read as GB18030, or with replacements, and the user is told."""
        text, fallback = decode_line(self.read(prompt))
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

    def _message(self) -> str:
        """One message: a line, or a whole paste of several lines. With GNU readline (a
        terminal) a paste arrives as one line holding its line breaks; a terminal that marks
        pastes itself (bracketed paste, ESC[200~ … ESC[201~) has its lines joined here."""
        line = _newlines(self._read_line())
        if PASTE_START not in line:
            return line
        lines = [line.replace(PASTE_START, "")]
        while PASTE_END not in lines[-1]:
            lines.append(_newlines(self._read_line("")))
        lines[-1] = lines[-1].replace(PASTE_END, "")
        return "\n".join(lines)

    # -- one line ----------------------------------------------------------------------------

    def _handle(self, line: str) -> bool:
        """Handle one line; False ends the session."""
        command = parse_command(line)
        if command is None:
            self._apply(self._typed(line))
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
            "add": lambda: self._add(arg),
            "old": self._last_year_problems,
            "lastyear": lambda: self._last_year(arg),
            "restart": self._restart,
            "report": self._report,
        }
        if name in local:
            local[name]()
        elif name in engine.COMMANDS:
            self._apply(Input(name, arg))
        else:
            self.say(f"没有这个命令：/{name}。输入 /help 查看全部命令。")
        return True

    def _typed(self, line: str) -> Input:
        """A typed line; an empty Enter finishes a draft or a multiple choice, as 完成 would."""
        if line.strip():
            return Input.text(line)
        prompt = self._current_prompt()
        if prompt is not None and (prompt.kind == "multi" or prompt.draft_chars):
            return Input("done")
        return Input.text(line)

    def _add(self, text: str) -> None:
        """/add: add to the long answer just saved (or the one shown, after /back or /edit);
        /add TEXT does it in one line."""
        prompt = self._current_prompt()
        if not self.appendable and prompt and prompt.kind == "long_text" and prompt.current:
            self.appendable = prompt.step
        if not self.appendable:
            self.say(NOTHING_TO_ADD)
            return
        if not text:
            self._apply(Input("append", self.appendable))
            return
        # In one line: open the answer quietly, then the text is added and saved.
        outcome = self.service.answer(self.interview, Input("append", self.appendable))
        if outcome is None or outcome.reply.error:
            self._apply(Input("append", self.appendable))
            return
        self.interview = outcome.interview
        self._apply(Input.text(text))

    def _apply(self, inp: Input) -> None:
        assert self.interview is not None
        was_finished = self.interview.finished
        before = self.interview.state.cursor
        outcome = self._saving(lambda: self.service.answer(self.interview, inp))
        if outcome is None:
            return
        self.interview = outcome.interview
        self.appendable = outcome.reply.appendable
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
        review = self.service.show(self.interview).review
        number = typed_number(arg)
        finding = review.finding(number) if review and number is not None else None
        if finding is None or not finding.step:
            self.say(NO_FINDING)
            return
        self._apply(Input("edit", finding.step))

    def _current_prompt(self) -> Prompt | None:
        assert self.interview is not None
        return self.service.show(self.interview).prompt

    def _guide(self) -> None:
        prompt = self._current_prompt()
        self.say_console(prompt.guide if prompt and prompt.guide else NO_GUIDE)
        if prompt is not None:  # the question again, to answer right after reading
            flow = self.service.flow_of(self.interview)
            self._show(replies.show(flow, self.interview.state))

    def _samples(self) -> None:
        prompt = self._current_prompt()
        if not prompt or not prompt.samples:
            self.say(NO_SAMPLES)
            return
        self.say(SAMPLES_HEADER, *(f"  {i}. {t}" for i, t in enumerate(prompt.samples, 1)))

    def _confirm(self, question: str) -> bool:
        self.say(question)
        return self._read_line().strip().lower() in ("是", "y", "yes", "确定", "确认")

    def _restart(self) -> None:
        """Rewrite the current part, after the user confirms: it wipes the part's answers."""
        assert self.interview is not None
        prompt = self._current_prompt()
        if prompt is None:
            self._apply(Input("restart"))  # refused by the engine with its reason
            return
        flow = self.service.flow_of(self.interview)
        part = next(
            s for s in replies.summarize(flow, self.interview.state) if s.id == prompt.section_id
        )
        if part.answered and not self._confirm(
            RESTART_CONFIRM.format(title=part.title, answered=part.answered)
        ):
            self.say(RESTART_KEPT)
            return
        self._apply(Input("restart"))

    def _last_year(self, path: str) -> None:
        """/lastyear FILE reads last year's report from a .docx or .txt; /lastyear alone takes
        it pasted, up to a line /end. What was found is shown and imported once confirmed."""
        assert self.interview is not None
        try:
            report = self._read_last_year(path)
        except lastyear.NotAReport as exc:
            self.say(f"⚠ {exc}")
            return
        if report is None:
            return
        flow = self.service.flow_of(self.interview)
        change = carry_over(flow, report, self.interview.state.answers)
        self.say(IMPORT_FOUND.format(summary=report.summary()))
        self.say(*(f"  {i}. {m.heading}" for i, m in enumerate(report.measures[:10], 1)))
        if change.kept:
            self.say(IMPORT_KEEPS.format(n=change.kept))
        self.say(IMPORT_ADDS.format(n=change.added) if change.added else IMPORT_ADDS_NONE)
        if change.over:
            self.say(IMPORT_OVER.format(n=change.over))
        if not self._confirm(IMPORT_CONFIRM):
            self.say(IMPORT_CANCELLED)
            return

        def carry(current: dict) -> tuple[dict, dict]:
            merged = carry_over(flow, report, current)
            return merged.answers, merged.context

        outcome = self.service.bring_in(self.interview, carry)
        self.interview = outcome.interview
        self._show(outcome.reply)

    def _read_last_year(self, path: str) -> lastyear.ParsedReport | None:
        if path:
            file = Path(path.strip().strip("'\"")).expanduser()
            if not file.is_file():
                self.say(f"⚠ {NO_FILE.format(path=file)}")
                return None
            if file.stat().st_size > lastyear.MAX_BYTES:
                self.say(f"⚠ {FILE_TOO_BIG}")
                return None
            return lastyear.parse_upload(file.name, file.read_bytes())
        self.say(LAST_YEAR_PASTE)
        lines: list[str] = []
        while True:
            line = self._message()
            if line.strip() in ("/end", "／end", "、end"):
                break
            if line.strip() in ("/cancel", "／cancel", "、cancel"):
                self.say(IMPORT_CANCELLED)
                return None
            lines.append(line)
            if sum(len(x) for x in lines) > lastyear.MAX_CHARS:
                self.say(f"⚠ {PASTE_TOO_LONG}")
                return None
        return lastyear.parse_text("\n".join(lines))

    def _last_year_problems(self) -> None:
        prompt = self._current_prompt()
        if not prompt or not prompt.last_year:
            self.say(NO_LAST_YEAR_PROBLEMS)
            return
        self.say(LAST_YEAR_PROBLEMS, *(f"  {i}. {p}" for i, p in enumerate(prompt.last_year, 1)))

    def _status(self) -> None:
        assert self.interview is not None
        flow = self.service.flow_of(self.interview)
        self.say(flow.title, *replies.status_lines(flow, self.interview.state))

    def _preview(self) -> None:
        assert self.interview is not None
        flow = self.service.flow_of(self.interview)
        doc = build_document(flow, self.interview.state.answers, date=self._report_date())
        self.say("—— 草稿预览 ——", to_text(doc), f"—— 共 {doc.zishu} 字 ——")

    def _list(self) -> None:
        self.say(LIST_HEADER)
        for i in self.service.storage.list(self.owner):
            title = self.service.flows[i.flow_id].title if i.flow_id in self.service.flows else ""
            mark = "（当前）" if self.interview and i.id == self.interview.id else ""
            status = "已完成" if i.finished else "进行中"
            self.say(f"  #{i.id} {title} · {status}{mark}")

    def _report(self) -> None:
        """/report: the files of a finished interview written again (next to the earlier
        ones); at the review it finishes the interview first."""
        assert self.interview is not None
        if self.interview.finished:
            self._write_report()
        elif self.interview.state.cursor == REVIEW:
            self._apply(Input("done"))
        else:
            self.say(REPORT_NOT_READY)

    def _report_date(self) -> dt.date:
        """The date the report is signed with: the meeting date when set, else today."""
        assert self.interview is not None
        return self.interview.deadline or self.today()

    def _write_report(self) -> None:
        assert self.interview is not None
        flow = self.service.flow_of(self.interview)
        day = self._report_date()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        paths = render_files(flow, self.interview.state.answers, date=day, out_dir=self.out_dir)
        doc = build_document(flow, self.interview.state.answers, date=day)
        self.say(WROTE.format(zishu=doc.zishu), *(f"  {p}" for p in paths))

    # -- printing -----------------------------------------------------------------------------

    def _show(self, reply: Reply, force_section: bool = False, compact: bool = False) -> None:
        say = self.say_console
        if reply.error:
            say(f"⚠ {reply.error}")
        if reply.notice:
            say(reply.notice.strip())
        if reply.appendable and "/add" not in texts.for_console(reply.notice):
            self.say(ADD_TIP)
        prompt = reply.prompt
        if compact and prompt is not None and (reply.error or reply.notice):
            # Same question as before (a draft piece, a refusal): no need to repeat it.
            self._show_buttons(prompt.options, prompt.actions)
            return
        if prompt is not None:
            entered = reply.entered_section or force_section
            if entered:
                self.say("", f"【{prompt.section_title}】")
                if prompt.section_intro:
                    say(prompt.section_intro)
            self.say("", prompt.progress)
            if prompt.problems and (entered or "[0]." in prompt.step or prompt.kind == "more"):
                self.say(texts.PROBLEMS_SO_FAR)
                self.say(*(f"  {i}. {p}" for i, p in enumerate(prompt.problems, 1)))
            say(prompt.text)
            if prompt.hint:
                say(f"提示：{prompt.hint}")
            if prompt.current is not None:
                self.say(f"当前答案：{prompt.current}")
            if prompt.draft_chars and not reply.notice:
                self.say(
                    f"已收到的草稿（{prompt.draft_chars} 字）：",
                    prompt.draft_text,
                    "（接着输入的内容会接在草稿后面；直接回车按草稿保存）",
                )
            self._show_buttons(prompt.options, prompt.actions)
        if reply.review is not None:
            say("", reply.review.text)
            self.say("", "各部分：")
            self.say(*(f"  {i}. {s.title}" for i, s in enumerate(reply.review.sections, 1)))
            self.say("输入 /done 生成报告，或 /edit 加部分序号修改（如 /edit 1）；")
            if any(f.step for f in reply.review.findings):
                self.say("按审阅意见修改：输入 /fix 加意见序号（如 /fix 1）。")

    def say_console(self, *lines: str) -> None:
        """Lines from the core or a flow, in the console's wording (no buttons to tap)."""
        self.say(*(texts.for_console(line) for line in lines))

    def _show_buttons(self, options: tuple[Button, ...], actions: tuple[Button, ...]) -> None:
        if options:
            self.say("  ".join(f"{i}. {o.label}" for i, o in enumerate(options, 1)))
        if actions:
            typed = " · ".join(f"/{ACTION_COMMANDS.get(a.kind, a.kind)} {a.label}" for a in actions)
            self.say(f"（{typed}）")


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
