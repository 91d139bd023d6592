"""The python-telegram-bot Application: handlers that turn updates into service calls.

Each handler is short: find the user's interview, hand the input to the service (which
commits it), then draw the reply. Updates reach the handlers through `telegram_inbox`, which
stores each one before confirming it to Telegram and keeps one user's updates in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from collections.abc import Callable
from html import escape
from zoneinfo import ZoneInfo

from telegram import Bot, BotCommand, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import lastyear
from bot import telegram_texts as say
from bot import telegram_view as view
from bot.config import BotConfig
from bot.core import answersfile, callbacks, engine, reminders
from bot.core.commands import MENU, parse_command
from bot.core.engine import Input, Reply
from bot.errors import StorageError, UnknownInterview
from bot.lastyear.carryover import carry_over, from_json, to_json
from bot.report.render import build_document
from bot.report.writers.docx import to_docx
from bot.report.writers.markdown import to_markdown
from bot.report.writers.text import to_text
from bot.service import Interviews, Outcome
from bot.storage import Interview
from bot.telegram_request import FewConnections

# Reports built and being sent at once. Users of a busy bot finish together; each report
# waits its turn behind the rate limit, and holding them all in memory at once is what
# made the bot grow by hundreds of MB.
REPORTS_AT_ONCE = 4
log = logging.getLogger("duizhao.bot")

# Commands the engine handles itself; the others are the bot's own.
ENGINE_COMMANDS = {"back": "back", "skip": "skip"}
# Commands that read what follows them (/start's is a deep-link payload, ignored).
TAKES_ARGS = {"start", "deadline", "remind"}


def owner_of(update: Update) -> str:
    return f"tg:{update.effective_user.id}"


class DuizhaoBot:
    """The handlers, bound to one service."""

    def __init__(
        self,
        service: Interviews,
        config: BotConfig,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ):
        self.service = service
        self.config = config
        self.now = now
        self._reports = asyncio.Semaphore(REPORTS_AT_ONCE)

    def today(self) -> dt.date:
        """The user's calendar day (reports are dated and deadlines counted in China time)."""
        return self.now().astimezone(ZoneInfo(reminders.DEFAULT_TZ)).date()

    def build(self) -> Application:
        app = (
            Application.builder()
            .token(self.config.token)
            .base_url(self.config.api_base_url)
            .base_file_url(self.config.api_base_url.replace("/bot", "/file/bot"))
            .updater(None)
            .defaults(Defaults(parse_mode=ParseMode.HTML))
            .rate_limiter(AIORateLimiter(max_retries=3))
            .request(FewConnections())
            .post_init(self._post_init)
            .build()
        )
        app.add_handler(TypeHandler(Update, self.guard), group=-1)
        commands = {
            "start": self.cmd_start,
            "new": self.cmd_new,
            "resume": self.cmd_resume,
            "list": self.cmd_list,
            "back": self.cmd_engine,
            "skip": self.cmd_engine,
            "edit": self.cmd_edit,
            "status": self.cmd_status,
            "preview": self.cmd_preview,
            "report": self.cmd_report,
            "export": self.cmd_export,
            "delete": self.cmd_delete,
            "help": self.cmd_help,
            "cancel": self.cmd_cancel,
            "deadline": self.cmd_deadline,
            "lastyear": self.cmd_lastyear,
            "remind": self.cmd_remind,
        }
        # New messages only: an edited "/back" is an edit (on_edited), not a second command.
        new = filters.UpdateType.MESSAGE
        for name, handler in commands.items():
            if name not in TAKES_ARGS:
                handler = self._no_args(name, handler)
            app.add_handler(CommandHandler(name, handler, filters=new))
        app.add_handler(MessageHandler(new & filters.COMMAND, self.cmd_unknown))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, self.on_text
            )
        )
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, self.on_edited))
        app.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, self.on_document)
        )
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_other))
        app.add_error_handler(self.on_error)
        if self.config.remind_interval:
            app.job_queue.run_repeating(
                self.remind_tick, interval=self.config.remind_interval, first=5
            )
        return app

    def _no_args(self, name: str, handler: Callable) -> Callable:
        """The handler, saying first that the words after the command were not read."""

        async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if context.args:
                await self._send(update, say.NO_ARGS.format(name=name), parse_mode=None)
            await handler(update, context)

        return run

    async def _post_init(self, app: Application) -> None:
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in MENU])

    # -- who may talk to the bot -------------------------------------------------------------

    async def guard(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Drop what is not a private chat with an allowed user, before any handler runs."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or update.channel_post or update.edited_channel_post:
            raise ApplicationHandlerStop
        if update.my_chat_member:  # the user blocked or unblocked the bot
            blocked = update.my_chat_member.new_chat_member.status == "kicked"
            self.service.storage.set_blocked(owner_of(update), blocked)
            raise ApplicationHandlerStop
        # Groups first: a group hears at most one line per command, whoever sends it.
        if chat.type != ChatType.PRIVATE:
            if update.message and update.message.text and update.message.text.startswith("/"):
                await self._refuse(update, say.PRIVATE_CHAT_ONLY)
            elif update.callback_query:
                await self._refuse(update, say.PRIVATE_CHAT_ONLY)
            raise ApplicationHandlerStop
        allowed = self.config.allowed_users
        if allowed is not None and user.id not in allowed:
            await self._refuse(update, say.PRIVATE_BOT)
            raise ApplicationHandlerStop

    async def _refuse(self, update: Update, text: str) -> None:
        if update.callback_query:
            await self._answer_query(update, text)
        elif update.effective_message:
            await update.effective_message.reply_text(text, parse_mode=None)

    # -- commands --------------------------------------------------------------------------

    async def cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet; resume the active interview or offer the flows."""
        await self._send(update, say.WELCOME)
        interview = self.service.active(owner_of(update))
        if interview is None:
            await self._send(update, say.CHOOSE_FLOW, view.flow_keyboard(self.service.flows))
            return
        await self._resume(update, interview)

    async def cmd_new(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Offer the flows for a new interview."""
        await self._send(update, say.CHOOSE_FLOW, view.flow_keyboard(self.service.flows))

    async def cmd_resume(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the current question of the active interview."""
        interview = await self._active_or_offer(update)
        if interview:
            await self._resume(update, interview)

    async def cmd_list(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The user's interviews, each a button that makes it the active one."""
        interviews = self.service.storage.list(owner_of(update))
        if not interviews:
            await self._send(update, say.LIST_EMPTY, view.flow_keyboard(self.service.flows))
            return
        active = self.service.active(owner_of(update))
        buttons = [
            view.button(
                self._label(i, active),
                callbacks.Payload(i.id, "", "r"),
            )
            for i in interviews
            if i.flow_id in self.service.flows
        ]
        await self._send(update, say.LIST_HEADER, InlineKeyboardMarkup([[b] for b in buttons]))

    def _label(self, interview: Interview, active: Interview | None) -> str:
        flow = self.service.flows[interview.flow_id]
        status = "已完成" if interview.finished else "进行中"
        mark = "▶ " if active and active.id == interview.id else ""
        return f"{mark}#{interview.id} {flow.year}年 · {status}"

    async def cmd_engine(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/back and /skip: the same as their buttons."""
        name, _ = parse_command(update.message.text) or ("", "")
        await self._apply(update, Input(ENGINE_COMMANDS[name]))

    async def cmd_cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Leave an edit without changing the answer."""
        interview = await self._active_or_offer(update)
        if interview:
            await self._apply(update, Input("cancel"), interview)

    async def cmd_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the answered questions (or, at the review, the sections) as buttons."""
        interview = await self._active_or_offer(update)
        if interview is None:
            return
        flow = self.service.flow_of(interview)
        choices = engine.edit_choices(flow, interview.state)
        if not choices:
            await self._send(update, say.NOTHING_TO_EDIT)
            return
        buttons = view.engine_buttons(interview.id, interview.state.cursor, choices)
        await self._send(update, say.EDIT_PICK, InlineKeyboardMarkup([[b] for b in buttons]))

    async def cmd_status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Progress per section."""
        interview = await self._active_or_offer(update)
        if interview is None:
            return
        flow = self.service.flow_of(interview)
        lines = [say.STATUS_HEADER.format(title=flow.title)]
        if interview.deadline:
            lines.insert(0, self._days_left(interview.deadline))
        for s in engine.summarize(flow, interview.state):
            mark = "✅" if s.total and s.answered == s.total else "▫️"
            lines.append(
                say.STATUS_LINE.format(
                    mark=mark, title=s.title, answered=s.answered, total=s.total, chars=s.chars
                )
            )
        await self._send(update, "\n".join(lines), parse_mode=None)

    async def cmd_preview(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The draft so far, as text messages."""
        interview = await self._active_or_offer(update)
        if interview is None:
            return
        flow = self.service.flow_of(interview)
        doc = await asyncio.to_thread(
            build_document, flow, interview.state.answers, date=self.today()
        )
        await self._send_long(update, say.PREVIEW_HEADER.format(zishu=doc.zishu), to_text(doc))

    async def cmd_report(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The finished report; an unfinished interview is told what is missing."""
        interview = await self._active_or_offer(update)
        if interview is None:
            return
        if interview.state.cursor == engine.REVIEW:
            await self._apply(update, Input("done"), interview)
        elif not interview.finished:
            await self._send(update, say.REPORT_NOT_READY)
        else:
            await self._send_report(update, interview)

    async def cmd_export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The answers as a YAML file."""
        interview = await self._active_or_offer(update)
        if interview is None:
            return
        flow = self.service.flow_of(interview)
        text = answersfile.dump(flow, interview.state.answers)
        await update.effective_chat.send_document(
            io.BytesIO(text.encode("utf-8")),
            filename=f"{flow.id}-{interview.id}-answers.yaml",
            caption=say.EXPORT_CAPTION,
        )

    async def cmd_delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Pick an interview to delete; deletion itself needs a second, explicit press."""
        interviews = self.service.storage.list(owner_of(update))
        if not interviews:
            await self._send(update, say.LIST_EMPTY)
            return
        active = self.service.active(owner_of(update))
        buttons = [
            [view.button(self._label(i, active), callbacks.Payload(i.id, "", "x"))]
            for i in interviews
            if i.flow_id in self.service.flows
        ]
        await self._send(update, say.DELETE_PICK, InlineKeyboardMarkup(buttons))

    async def cmd_deadline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/deadline 12月20日 sets the meeting date; /deadline 取消 clears it."""
        interview = await self._active_or_offer(update)
        if interview is None:
            return
        _, arg = parse_command(update.message.text) or ("", "")
        owner = owner_of(update)
        if not arg:
            current = self._days_left(interview.deadline) if interview.deadline else say.NO_DEADLINE
            await self._send(update, f"{current}\n{say.DEADLINE_USAGE}", parse_mode=None)
        elif arg in ("取消", "无", "off", "清除"):
            self.service.storage.set_deadline(interview.id, owner, None)
            await self._send(update, say.DEADLINE_CLEARED)
        elif (date := reminders.parse_deadline(arg, self.today())) is None:
            await self._send(update, say.DEADLINE_BAD.format(text=arg), parse_mode=None)
        else:
            interview = self.service.storage.set_deadline(interview.id, owner, date)
            await self._send(update, say.DEADLINE_SET + self._days_left(date), parse_mode=None)

    async def cmd_remind(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/remind on|off: reminders for unfinished interviews."""
        _, arg = parse_command(update.message.text) or ("", "")
        owner = owner_of(update)
        if arg.lower() in ("on", "开", "开启"):
            self.service.storage.set_reminders(owner, True)
            await self._send(update, say.REMIND_ON)
        elif arg.lower() in ("off", "关", "关闭"):
            self.service.storage.set_reminders(owner, False)
            await self._send(update, say.REMIND_OFF)
        else:
            state = "开启" if self.service.storage.reminders_enabled(owner) else "关闭"
            await self._send(update, say.REMIND_STATUS.format(state=state))

    def _days_left(self, deadline: dt.date) -> str:
        left = (deadline - self.today()).days
        when = f"{deadline.year}年{deadline.month}月{deadline.day}日"
        if left < 0:
            return say.DEADLINE_PASSED.format(date=when)
        return say.DAYS_LEFT.format(date=when, days=left)

    # -- reminders -------------------------------------------------------------------------

    async def remind_tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The JobQueue's periodic check."""
        await self.send_reminders(context.bot)

    async def send_reminders(self, bot: Bot) -> int:
        """Send what is due now; returns how many were sent."""
        now = self.now()
        sent = 0
        storage = self.service.storage
        for owner, candidate in await asyncio.to_thread(storage.reminder_candidates):
            reasons = reminders.due(candidate, now)
            # Recorded before sending: a crash in between loses one reminder, never doubles it.
            if not reasons or not await asyncio.to_thread(
                storage.record_reminder, candidate.interview_id, reasons
            ):
                continue
            interview = storage.get(candidate.interview_id)
            if interview.flow_id not in self.service.flows:
                continue
            text = self._reminder_text(interview)
            keyboard = InlineKeyboardMarkup(
                [[view.button(say.CONTINUE, callbacks.Payload(interview.id, "", "r"))]]
            )
            try:
                await bot.send_message(int(owner.split(":", 1)[1]), text, reply_markup=keyboard)
                sent += 1
                log.info("reminder sent for interview %s (%s)", interview.id, ", ".join(reasons))
            except Forbidden:
                storage.set_blocked(owner, True)
            except TelegramError as exc:  # one unreachable chat must not stop the others
                log.warning("reminder for interview %s not sent: %s", interview.id, exc)
        return sent

    def _reminder_text(self, interview: Interview) -> str:
        flow = self.service.flow_of(interview)
        parts = engine.summarize(flow, interview.state)
        done = sum(1 for p in parts if p.total and p.answered == p.total)
        chars = sum(p.chars for p in parts)
        lines = [
            say.REMINDER.format(title=escape(flow.title), done=done, parts=len(parts), chars=chars)
        ]
        if interview.deadline:
            lines.append(escape(self._days_left(interview.deadline)))
        return "\n".join(lines)

    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The commands, in Chinese."""
        await self._send(update, say.HELP, parse_mode=None)

    async def cmd_unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A slash command the bot does not have."""
        await self._send(update, say.UNKNOWN_COMMAND)

    # -- answers ---------------------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text answers the current question (or, after /lastyear, is last year's report)."""
        pending = self.service.storage.pending_import(owner_of(update))
        if pending and not pending["parsed"]:
            await self._collect_paste(update, pending)
            return
        interview = await self._active_or_offer(update)
        if interview:
            await self._apply(update, Input.text(update.message.text), interview)

    # -- last year's report ------------------------------------------------------------------

    async def cmd_lastyear(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Start taking last year's report as pasted text (a sent .docx/.txt needs no command)."""
        interview = await self._active_or_offer(update)
        if interview is None:
            return
        self.service.storage.put_import(owner_of(update), interview.id)
        await self._send(update, say.PASTE_START, self._import_keyboard(interview.id, parse=False))

    async def _collect_paste(self, update: Update, pending: dict) -> None:
        source = f"tg:{update.update_id}"
        if self.service.storage.seen(source):  # delivered again after a crash: kept already
            text = pending["text"]
        else:
            text = (
                f"{pending['text']}\n{update.message.text}"
                if pending["text"]
                else update.message.text
            )
            self.service.storage.put_import(
                owner_of(update), pending["interview_id"], text=text, source=source
            )
        keyboard = self._import_keyboard(pending["interview_id"], parse=True)
        await self._send(update, say.PASTE_RECEIVED.format(chars=len(text)), keyboard)

    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A .docx or .txt is taken as last year's report; anything else is refused unread."""
        document = update.message.document
        name = document.file_name or ""
        if (document.file_size or 0) > lastyear.MAX_BYTES:
            await self._send(update, say.IMPORT_TOO_BIG)
            return
        if not name.lower().endswith((".docx", ".txt")):
            await self._send(update, say.IMPORT_WRONG_KIND)
            return
        interview = await self._active_or_offer(update)
        if interview is None:
            return
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
        await self._parse_and_offer(update, interview.id, lambda: lastyear.parse_upload(name, data))

    async def _parse_and_offer(
        self, update: Update, interview_id: int, parse: Callable[[], lastyear.ParsedReport]
    ) -> None:
        owner = owner_of(update)
        try:
            report = await asyncio.to_thread(parse)
        except lastyear.NotAReport as exc:
            self.service.storage.drop_import(owner)
            await self._send(update, escape(str(exc)))
            return
        self.service.storage.put_import(owner, interview_id, parsed=to_json(report))
        lines = [say.IMPORT_FOUND.format(summary=escape(report.summary()))]
        lines += [f"{i}. {escape(m.heading)}" for i, m in enumerate(report.measures[:10], 1)]
        lines.append(say.IMPORT_CONFIRM)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    view.button(say.IMPORT_YES, callbacks.Payload(interview_id, "", "i", "y")),
                    view.button(say.IMPORT_NO, callbacks.Payload(interview_id, "", "i", "n")),
                ]
            ]
        )
        await self._send(update, view.clip_html("\n".join(lines)), keyboard)

    def _import_keyboard(self, interview_id: int, parse: bool) -> InlineKeyboardMarkup:
        buttons = [view.button(say.IMPORT_NO, callbacks.Payload(interview_id, "", "i", "n"))]
        if parse:
            buttons.insert(
                0, view.button(say.PASTE_PARSE, callbacks.Payload(interview_id, "", "i", "p"))
            )
        return InlineKeyboardMarkup([buttons])

    async def _import_button(self, update: Update, payload: callbacks.Payload) -> None:
        """解析 (p) the pasted text, 确认导入 (y) or 取消 (n)."""
        owner = owner_of(update)
        pending = self.service.storage.pending_import(owner)
        interview = self.service.active(owner)
        if pending is None or interview is None or pending["interview_id"] != payload.interview_id:
            await self._stale(update)
            return
        if payload.value == "n":
            self.service.storage.drop_import(owner)
            await self._send(update, say.IMPORT_CANCELLED)
        elif payload.value == "p" and pending["text"]:
            text = pending["text"]
            await self._parse_and_offer(update, interview.id, lambda: lastyear.parse_text(text))
        elif payload.value == "y" and pending["parsed"]:
            report = from_json(pending["parsed"])
            flow = self.service.flow_of(interview)
            answers, extra = carry_over(flow, report)
            outcome = await asyncio.to_thread(self.service.bring_in, interview, answers, extra)
            self.service.storage.drop_import(owner)
            log.info("last year's report imported into interview %s", interview.id)
            await self._show(update, outcome)
        else:
            await self._stale(update)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Editing a sent message does not change an answer (an explicit /edit does)."""
        await update.edited_message.reply_text(say.EDITED, parse_mode=None)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files, locations…: nothing is stored."""
        await update.message.reply_text(say.NOT_TEXT, parse_mode=None)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every press is answered at once; stale or forged ones re-show the current question."""
        query = update.callback_query
        await self._answer_query(update)
        payload = callbacks.decode(query.data or "")
        owner = owner_of(update)
        if payload is None:
            await self._stale(update)
            return
        if payload.action == "n":
            await self._start_flow(update, payload.value)
            return
        if payload.action in ("r", "x", "y", "z"):
            await self._manage(update, payload)
            return
        if payload.action == "i":
            await self._import_button(update, payload)
            return
        interview = self.service.active(owner)
        kind = view.COMMANDS_BY_CODE.get(payload.action)
        if interview is None or interview.id != payload.interview_id or kind is None:
            await self._stale(update)
            return
        if self.service.storage.seen(f"tg:{update.update_id}"):
            # Delivered again after a crash: applied already, and the step has moved on, so
            # not stale; _apply re-shows where it led (the report, if it finished).
            await self._apply(update, Input(kind, payload.value), interview)
        elif kind == "edit":
            await self._apply(update, Input("edit", payload.step), interview)
        elif payload.step != interview.state.cursor:
            await self._stale(update)
        elif kind in ("guide", "samples", "lastyear"):
            await self._show_help(update, interview, kind)
        else:
            await self._apply(update, Input(kind, payload.value), interview)

    async def _show_help(self, update: Update, interview: Interview, kind: str) -> None:
        """The section's 说明 or the question's 参考表述; nothing changes."""
        prompt = engine.show(self.service.flow_of(interview), interview.state).prompt
        if prompt is None:
            await self._stale(update)
        elif kind == "guide":
            text = f"<b>说明</b>\n{escape(prompt.guide or say.NO_GUIDE)}"
            await self._send(update, text)
        elif kind == "lastyear":
            lines = [say.LAST_YEAR_PROBLEMS] + [
                f"{i}. {p}" for i, p in enumerate(prompt.last_year, 1)
            ]
            await self._send_long(update, lines[0], "\n".join(lines[1:]))
        elif prompt.samples:
            text, keyboard = view.samples_message(interview.id, prompt)
            await self._send(update, text, keyboard)

    async def _manage(self, update: Update, payload: callbacks.Payload) -> None:
        """Resume (r), ask to delete (x), delete (y) or keep (z) one of the user's interviews."""
        owner = owner_of(update)
        try:
            interview = self.service.storage.get(payload.interview_id, owner)
        except UnknownInterview:
            await self._stale(update)
            return
        flow = self.service.flows.get(interview.flow_id)
        if payload.action == "r" and flow:
            interview = self.service.storage.activate(owner, interview.id)
            await self._resume(update, interview)
        elif payload.action == "x" and flow:
            keyboard = InlineKeyboardMarkup(
                [
                    [
                        view.button(say.DELETE_YES, callbacks.Payload(interview.id, "", "y")),
                        view.button(say.DELETE_NO, callbacks.Payload(interview.id, "", "z")),
                    ]
                ]
            )
            text = say.DELETE_CONFIRM.format(title=flow.title, id=interview.id)
            await self._send(update, text, keyboard, parse_mode=None)
        elif payload.action == "y":
            self.service.storage.delete(interview.id, owner)
            log.info("interview %s deleted", interview.id)
            await self._send(update, say.DELETED)
        else:
            await self._send(update, say.DELETE_KEPT)

    async def _start_flow(self, update: Update, flow_id: str) -> None:
        if flow_id not in self.service.flows:
            await self._stale(update)
            return
        outcome = self.service.start(owner_of(update), flow_id, f"tg:{update.update_id}")
        log.info("interview %s started (%s)", outcome.interview.id, flow_id)
        title = self.service.flows[flow_id].title
        await self._send(update, say.STARTED.format(title=title) + "\n" + say.DEADLINE_TIP)
        await self._show(update, outcome, with_section=True)

    async def _apply(self, update: Update, inp: Input, interview: Interview | None = None) -> None:
        """Commit one input, then draw the reply; an update seen before only re-shows."""
        interview = interview or await self._active_or_offer(update)
        if interview is None:
            return
        was_finished = interview.finished
        outcome = await asyncio.to_thread(
            self.service.answer, interview, inp, f"tg:{update.update_id}"
        )
        replayed = outcome is None
        if replayed:  # delivered twice: the first delivery was applied
            outcome = self.service.resume(self.service.storage.get(interview.id))
        await self._show(
            update, outcome, compact=outcome.interview.state.cursor == interview.state.cursor
        )
        # Delivered again after a crash: the first delivery may have died before the report.
        if outcome.interview.finished and (not was_finished or replayed):
            log.info("interview %s finished", interview.id)
            await self._send_report(update, outcome.interview)

    async def _active_or_offer(self, update: Update) -> Interview | None:
        interview = self.service.active(owner_of(update))
        if interview is None:
            await self._send(update, say.NO_INTERVIEW, view.flow_keyboard(self.service.flows))
        return interview

    async def _resume(self, update: Update, interview: Interview) -> None:
        flow = self.service.flow_of(interview)
        if interview.finished:  # nothing to continue: say so, or the chat shows nothing
            text = say.ALREADY_FINISHED.format(title=flow.title)
            await self._send(update, text, parse_mode=None)
            return
        await self._send(update, say.RESUMED.format(title=flow.title))
        await self._show(update, self.service.resume(interview), with_section=True)

    async def _stale(self, update: Update) -> None:
        interview = self.service.active(owner_of(update))
        if interview is None:
            await self._send(update, say.STALE_NOTHING, view.flow_keyboard(self.service.flows))
            return
        if interview.finished:  # no current question to show below the notice
            title = self.service.flow_of(interview).title
            text = say.STALE_FINISHED + say.ALREADY_FINISHED.format(title=title)
            await self._send(update, text, parse_mode=None)
            return
        await self._show(update, self.service.resume(interview), notice=say.STALE)

    # -- drawing ---------------------------------------------------------------------------

    async def _show(
        self,
        update: Update,
        outcome: Outcome,
        with_section: bool = False,
        compact: bool = False,
        notice: str = "",
    ) -> None:
        reply: Reply = outcome.reply
        if notice:
            reply = Reply(
                notice=notice,
                prompt=reply.prompt,
                review=reply.review,
                finished=reply.finished,
            )
        interview_id = outcome.interview.id
        if reply.prompt is not None:
            keyboard = view.prompt_keyboard(interview_id, reply.prompt)
            if compact and not reply.error and reply.notice and reply.prompt.kind == "long_text":
                await self._send(update, escape(reply.notice), keyboard)
                return
            text = view.prompt_text(reply.prompt, reply, with_section or reply.entered_section)
            await self._send(update, text, keyboard)
        elif reply.review is not None:
            if reply.finished and not reply.error:
                if reply.notice:  # the report itself follows from _apply
                    await self._send(update, escape(reply.notice))
                return
            keyboard = view.review_keyboard(interview_id, reply.review, reply.finished)
            text = view.review_text(reply.review, reply)
            if outcome.interview.deadline:
                text += "\n\n" + escape(self._days_left(outcome.interview.deadline))
            await self._send(update, text, keyboard)

    async def _send(
        self,
        update: Update,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
        parse_mode: str | None = ParseMode.HTML,
    ) -> None:
        try:
            await update.effective_chat.send_message(
                text, reply_markup=keyboard, parse_mode=parse_mode
            )
        except Forbidden:
            log.info("chat %s blocked the bot", update.effective_chat.id)

    async def _send_long(self, update: Update, header: str, text: str) -> None:
        await self._send(update, header, parse_mode=None)
        for chunk in view.split_text(text):
            await self._send(update, chunk, parse_mode=None)

    async def _send_report(self, update: Update, interview: Interview) -> None:
        async with self._reports:
            flow = self.service.flow_of(interview)
            today = self.today()
            doc = await asyncio.to_thread(build_document, flow, interview.state.answers, date=today)
            await self._send_long(update, say.REPORT_HEADER.format(zishu=doc.zishu), to_text(doc))
            docx = io.BytesIO()
            await asyncio.to_thread(to_docx, doc, docx)
            name = f"{flow.title}-{today.isoformat()}"
            chat = update.effective_chat
            await chat.send_document(
                docx.getvalue(), filename=f"{name}.docx", caption=say.REPORT_FILES
            )
            await chat.send_document(to_markdown(doc).encode("utf-8"), filename=f"{name}.md")

    async def _answer_query(self, update: Update, text: str | None = None) -> None:
        try:
            await update.callback_query.answer(text)
        except BadRequest:  # too old or answered already: nothing the user can see
            pass

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log one line; tell the user their answers are safe."""
        log.error("error handling an update: %s: %s", type(context.error).__name__, context.error)
        # A failed write was rolled back: the user must not be told it was saved.
        text = say.NOT_SAVED if isinstance(context.error, StorageError) else say.ERROR
        if isinstance(update, Update) and update.effective_chat:
            try:
                await update.effective_chat.send_message(text, parse_mode=None)
            except Exception as exc:  # the chat may be unreachable; the log line above stands
                log.warning("could not tell chat about the error: %s", exc)
