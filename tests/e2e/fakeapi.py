"""A fake Telegram Bot API server on 127.0.0.1, and a simulated user, for offline e2e tests.

The real python-telegram-bot ``Application`` talks to it over HTTP::

    with FakeBotAPI() as api:
        app = (
            Application.builder()
            .token("123:TEST")
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .build()
        )
        ...add handlers...
        with run_application(app):
            user = api.user(42)
            user.send("/start")
            assert "欢迎" in user.wait_reply().text
            user.click("开始")

The server enforces the limits of /work/shared/spec/telegram.md the way Telegram does (HTTP 400
``Bad Request: ...``), so a bot that passes here does not trip over them in production.
Everything is stdlib: one ``ThreadingHTTPServer`` thread plus one thread per connection, all
state behind one condition variable so tests may inject updates from any thread.
"""

from __future__ import annotations

import asyncio
import html
import http.client
import json
import re
import select
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from telegram.ext import Application

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_BUTTONS, MAX_ROW, MAX_MARKUP = 100, 8, 10 * 1024
MAX_DOCUMENT = 50 * 1024 * 1024

# Parameters that arrive as strings in form bodies but carry JSON, integers or booleans.
# PTB's HTTPXRequest sends every parameter as a form field: strings raw, anything else
# json.dumps'ed (so chat_id=42 arrives as "42" and reply_markup as a JSON object string).
_JSON_PARAMS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "allowed_updates",
    "reply_parameters",
    "link_preview_options",
}
_INT_PARAMS = {"message_id", "offset", "limit", "timeout", "cache_time", "message_thread_id"}
_BOOL_PARAMS = {"show_alert", "drop_pending_updates", "disable_notification", "protect_content"}

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_BUTTON_ACTIONS = {
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
}
_FAILURE_TEXT = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status = error_code."""

    def __init__(self, description: str, code: int = 400, parameters: dict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(message: str) -> ApiError:
    return ApiError(f"Bad Request: {message}")


# --- HTML parse mode ---------------------------------------------------------------------------

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
_ATTR = r"""([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?"""
_TAG_RE = re.compile(rf"<(/?)([a-zA-Z][\w-]*)((?:\s+{_ATTR})*)\s*>")
_ATTR_RE = re.compile(_ATTR)
_CHAR_REF_RE = re.compile(r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(lt|gt|amp|quot));")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cant_parse(reason: str) -> ApiError:
    return _bad(f"can't parse entities: {reason}")


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the visible text of an HTML-mode message and the entities Telegram makes of it.

    Raises ApiError ``can't parse entities`` where Telegram rejects the markup: unknown tags,
    unclosed or mismatched tags, a ``<`` that is not a tag, a ``&`` that is not an entity.
    Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
    """
    out: list[str] = []
    offset = 0
    stack: list[tuple[str, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    while pos < len(source):
        special = [i for i in (source.find("<", pos), source.find("&", pos)) if i >= 0]
        end = min(special, default=len(source))
        if end > pos:
            out.append(source[pos:end])
            offset += _utf16_len(source[pos:end])
            pos = end
            continue
        at = f"byte offset {len(source[:pos].encode())}"
        if source[pos] == "&":
            ref = _CHAR_REF_RE.match(source, pos)
            if ref is None:
                raise _cant_parse(f"character entity expected at {at}")
            try:
                char = _NAMED_REFS.get(ref[3] or "") or chr(
                    int(ref[1] or ref[2], 10 if ref[1] else 16)
                )
            except (ValueError, OverflowError):
                raise _cant_parse(f"invalid character entity at {at}") from None
            out.append(char)
            offset += _utf16_len(char)
            pos = ref.end()
            continue
        tag = _TAG_RE.match(source, pos)
        if tag is None:
            raise _cant_parse(f"unexpected character '<' at {at}: escape it as &lt;")
        name = tag[2].lower()
        if tag[1]:
            if not stack:
                raise _cant_parse(f'unexpected end tag "{name}" at {at}')
            opened, entity = stack.pop()
            if opened != name:
                raise _cant_parse(
                    f'unmatched end tag at {at}, expected "</{opened}>", found "</{name}>"'
                )
            entity["length"] = offset - entity["offset"]
            if entity["type"] and entity["length"]:
                entities.append(entity)
        else:
            attrs = {
                m[1].lower(): html.unescape(m[2] or m[3] or m[4] or "")
                for m in _ATTR_RE.finditer(tag[3])
            }
            stack.append((name, _open_entity(name, attrs, offset, stack, at)))
        pos = tag.end()
    if stack:
        raise _cant_parse(f'can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _open_entity(
    name: str, attrs: dict[str, str], offset: int, stack: list[tuple[str, dict]], at: str
) -> dict[str, Any]:
    """The entity an opening tag starts; its type is None when the tag makes no entity."""
    if name not in _TAG_ENTITY:
        raise _cant_parse(f'unsupported start tag "{name}" at {at}')
    entity: dict[str, Any] = {"type": _TAG_ENTITY[name], "offset": offset}
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _cant_parse(f'tag "span" must have class "tg-spoiler" at {at}')
    if name == "a":
        if "href" in attrs:
            entity["url"] = attrs["href"]
        else:
            entity["type"] = None
    if name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    if name == "code" and stack and stack[-1][0] == "pre":
        # <pre><code class="language-x"> is one pre entity with a language, not two entities.
        entity["type"] = None
        if attrs.get("class", "").startswith("language-"):
            stack[-1][1]["language"] = attrs["class"].removeprefix("language-")
    return entity


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, shifting and clipping the entities."""
    lead = _utf16_len(text) - _utf16_len(text.lstrip())
    end = _utf16_len(text.rstrip())
    clipped = []
    for entity in entities:
        start = max(entity["offset"], lead)
        stop = min(entity["offset"] + entity["length"], end)
        if stop > start:
            clipped.append({**entity, "offset": start - lead, "length": stop - start})
    return text.strip(), clipped


def _render(text: Any, parse_mode: Any, empty_error: str | None) -> tuple[str, list[dict]]:
    """Visible text and entities of a text or caption; empty_error=None allows empty text."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise _bad("text must be a string")
    mode = (parse_mode or "").lower()
    if mode == "html":
        visible, entities = parse_html(text)
    elif mode in ("", "markdown", "markdownv2"):
        # Markdown is not modelled (the project avoids it for user text): shown as sent.
        visible, entities = text, []
    else:
        raise _bad(f"unsupported parse_mode {parse_mode}")
    visible, entities = _strip(visible, entities)
    if not visible and empty_error:
        raise _bad(empty_error)
    return visible, entities


def _inline_keyboard(markup: Any) -> dict | None:
    """Validate reply_markup; return it when it is an inline keyboard (the kind a message keeps)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None  # reply keyboards, ReplyKeyboardRemove, ForceReply: accepted, not echoed
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad("can't parse inline keyboard JSON object")
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise _bad("can't parse inline keyboard button: Text is not specified")
        if not _BUTTON_ACTIONS & button.keys():
            raise _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if "callback_data" in button and not (
            isinstance(data, str) and 1 <= len(data.encode()) <= MAX_CALLBACK_DATA
        ):
            raise _bad("BUTTON_DATA_INVALID")
    # Telegram's limits on one keyboard: 100 buttons, 8 a row, and about 10 KB of markup.
    if (
        sum(len(row) for row in rows) > MAX_BUTTONS
        or any(len(row) > MAX_ROW for row in rows)
        or len(json.dumps(markup, ensure_ascii=False).encode()) > MAX_MARKUP
    ):
        raise _bad("reply markup is too long")
    # An empty inline keyboard is how a bot removes the keyboard of a message.
    return {"inline_keyboard": rows} if any(rows) else None


# --- request decoding ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Upload:
    filename: str
    mime_type: str
    data: bytes


def _form_unquote(value: str) -> str:
    # httpx escapes `"` as %22, `\` as `\\` and control characters as %XX in multipart headers.
    return re.sub(
        r"\\(.)|%(22|[01][0-9A-F])",
        lambda m: m[1] if m[1] is not None else chr(int(m[2], 16)),
        value,
    )


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, _Upload]]:
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    if boundary is None:
        raise _bad("multipart body without a boundary")
    fields: dict[str, str] = {}
    files: dict[str, _Upload] = {}
    for part in (b"\r\n" + body).split(b"\r\n--" + boundary[1].encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                headers[key.strip().lower()] = value.strip()
        params = {
            key.lower(): _form_unquote(value)
            for key, value in re.findall(
                r'(\w+)="((?:[^"\\]|\\.)*)"', headers.get("content-disposition", "")
            )
        }
        if "name" not in params:
            continue
        if "filename" in params:
            mime = headers.get("content-type", "application/octet-stream")
            files[params["name"]] = _Upload(params["filename"], mime, data)
        else:
            fields[params["name"]] = data.decode()
    return fields, files


def _decode_params(content_type: str, body: bytes, query: str) -> tuple[dict, dict[str, _Upload]]:
    """Parameters of a Bot API call, from the query string and a JSON, form or multipart body."""
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    files: dict[str, _Upload] = {}
    mime = content_type.partition(";")[0].strip().lower()
    try:
        if mime == "application/json" and body:
            params.update(json.loads(body))
        elif mime == "application/x-www-form-urlencoded":
            params.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        elif mime == "multipart/form-data":
            fields, files = _parse_multipart(body, content_type)
            params.update(fields)
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        raise _bad("can't parse request body") from None
    for key, value in params.items():
        if not isinstance(value, str):
            continue
        try:
            if key in _JSON_PARAMS:
                params[key] = json.loads(value)
            elif key in _INT_PARAMS or (key == "chat_id" and re.fullmatch(r"-?\d+", value)):
                params[key] = int(value)
            elif key in _BOOL_PARAMS:
                params[key] = value.lower() == "true"
        except ValueError:
            if key == "reply_markup":
                raise _bad("can't parse reply keyboard markup JSON object") from None
            raise _bad(f"wrong parameter {key} in request") from None
    return params, files


# --- recorded state ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentDocument:
    """A document the bot sent: the uploaded bytes, so a test can open the .docx."""

    file_id: str
    file_name: str
    mime_type: str
    data: bytes = field(repr=False)
    caption: str | None = None


@dataclass(frozen=True)
class BotMessage:
    """A snapshot of one message the bot sent, as it stands after any edits."""

    chat_id: int
    message_id: int
    text: str | None  # visible text (tags stripped, entities unescaped); a document's caption
    reply_markup: dict | None = None  # the inline keyboard, if any
    document: SentDocument | None = None
    edited: bool = False
    deleted: bool = False
    raw: dict = field(default_factory=dict, repr=False, compare=False)  # the API's Message object
    seq: int = field(default=0, repr=False, compare=False)  # when last sent/edited (server-wide)

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[button["text"] for button in row] for row in rows]


@dataclass
class _Chat:
    info: dict  # the Chat object
    next_message_id: int = 1  # Telegram numbers the messages of a private chat in one sequence
    messages: dict[int, BotMessage] = field(default_factory=dict)  # bot messages, sending order
    user_message_ids: set[int] = field(default_factory=set)
    blocked: bool = False
    last_change: float = 0.0  # time.monotonic() of the last bot send/edit/delete

    def take_message_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id - 1


@dataclass
class _Callback:
    chat_id: int
    issued: float
    answered: bool = False


# --- the server ---------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    # Non-daemon handler threads are joined by server_close(): stop() leaves no thread behind.
    daemon_threads = False
    block_on_close = True
    api: FakeBotAPI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    timeout = 60  # backstop for an idle keep-alive connection; stop() closes them explicitly
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.api._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.api._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean; api.sent records every call

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _client_alive(self) -> bool:
        """False once the client closed the connection (PTB cancels its long poll on stop)."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        try:
            return not readable or self.connection.recv(1, socket.MSG_PEEK) != b""
        except OSError:
            return False

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)  # httpx sends the token's ":" as %3A in file URLs
        api = self.server.api
        content_type = "application/json"
        if call := re.fullmatch(r"/bot([^/]+)/(\w+)", path):
            status, result = api._handle(
                call[1],
                call[2],
                self.headers.get("Content-Type", ""),
                body,
                url.query,
                self._client_alive,
            )
            payload = json.dumps(result, ensure_ascii=False).encode()
        elif (download := re.fullmatch(r"/file/bot([^/]+)/(.+)", path)) and (
            data := api._download(download[1], download[2])
        ) is not None:
            status, payload, content_type = 200, data, "application/octet-stream"
        else:
            status, payload = 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client gave up, e.g. PTB cancelling its long poll


class FakeBotAPI:
    """A fake Bot API server for one bot. Use as a context manager, or start() and stop().

    Public records (read them while holding no expectations about order across chats):
    ``sent`` every call as (method, params); ``errors`` every rejected call as
    (method, params, description); ``callback_answers`` every accepted answerCallbackQuery.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "duizhao_test_bot",
        callback_timeout: float = 15.0,
    ) -> None:
        """token: if given, calls with another token get 401; callback_timeout: seconds after
        which answerCallbackQuery fails with `query is too old`."""
        self.token = token
        self.callback_timeout = callback_timeout
        self.bot_user = {
            "id": 7000000001,
            "is_bot": True,
            "first_name": "对照测试",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.sent: list[tuple[str, dict]] = []
        self.errors: list[tuple[str, dict, str]] = []
        self.callback_answers: list[dict] = []
        self._cond = threading.Condition()
        self._updates: list[dict] = []  # unconfirmed updates, oldest first
        self._last_update_id = 0
        self._allowed_updates: set[str] = set()
        self._chats: dict[int, _Chat] = {}
        self._callbacks: dict[str, _Callback] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, data)
        self._commands: dict[tuple[str, str], list] = {}
        self._failures: dict[str, list[ApiError]] = {}
        self._stalled: set[str] = set()
        self._seq = 0
        self._inflight = 0  # calls being processed, long polls excluded
        self._last_call = 0.0
        self._poll_id = 0  # the getUpdates call allowed to wait; an older one gets 409
        self._closing = False
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # A set webhook: {"url", "secret_token"}; while set, updates are POSTed to it one at a
        # time, oldest first, and getUpdates is refused as Telegram refuses it.
        self._webhook: dict[str, str] | None = None
        self._delivered: dict[int, dict] = {}  # update_id -> update, once the bot answered 200
        self.deliveries: list[tuple[int, int | str]] = []  # (update_id, HTTP status or error)
        self._deliverer: threading.Thread | None = None
        self._held: set[str] = set()  # methods whose calls wait (see hold)
        self._methods: dict[str, tuple[str, Callable[[dict, dict], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": lambda p, f: self.bot_user,
                "logOut": lambda p, f: True,
                "close": lambda p, f: True,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendDocument": self._send_document,
                "sendChatAction": self._send_chat_action,
                "getFile": self._get_file,
            }.items()
        }

    # lifecycle

    def start(self) -> FakeBotAPI:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="FakeBotAPI"
        )
        self._thread.start()
        self._deliverer = threading.Thread(target=self._deliver, name="FakeBotAPI-webhook")
        self._deliverer.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        with self._cond:
            self._closing = True  # ends waiting long polls
            self._cond.notify_all()
        self._server.shutdown()
        with self._cond:
            connections = list(self._connections)
        for connection in connections:  # wake handler threads blocked reading a keep-alive socket
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()  # joins the handler threads
        self._thread.join()
        if self._deliverer is not None:
            self._deliverer.join()
        self._server = self._thread = self._deliverer = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeBotAPI is not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # test controls

    def user(self, user_id: int, first_name: str = "用户", chat_id: int | None = None) -> FakeUser:
        """A user in a private chat with the bot (chat id = user id unless given)."""
        user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "zh-hans",
        }
        chat_id = user_id if chat_id is None else chat_id
        with self._cond:
            self._chat(chat_id, {"id": chat_id, "type": "private", "first_name": first_name})
        return FakeUser(self, user, chat_id)

    def group_message(
        self, chat_id: int, user_id: int, text: str, first_name: str = "群友", title: str = "测试群"
    ) -> int:
        """A text message from user_id in a group chat; returns its message_id."""
        sender = {"id": user_id, "is_bot": False, "first_name": first_name}
        with self._cond:
            chat = self._chat(chat_id, {"id": chat_id, "type": "group", "title": title})
            return self._incoming(chat, "message", {"from": sender, **_text_content(text)})

    def channel_post(self, chat_id: int, text: str, title: str = "测试频道") -> int:
        """A post in a channel the bot is in; returns its message_id."""
        with self._cond:
            chat = self._chat(chat_id, {"id": chat_id, "type": "channel", "title": title})
            return self._incoming(
                chat, "channel_post", {"sender_chat": chat.info, **_text_content(text)}
            )

    def fail_next(
        self,
        method: str,
        code: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail (default: 429 with retry_after)."""
        parameters = None
        if code == 429:
            description = description or f"Too Many Requests: retry after {retry_after}"
            parameters = {"retry_after": retry_after}
        error = ApiError(description or _FAILURE_TEXT.get(code, f"Error {code}"), code, parameters)
        with self._cond:
            self._failures.setdefault(method.lower(), []).extend([error] * times)

    def stall(self, method: str, stalled: bool = True) -> None:
        """Hold every call of `method` unanswered until `stall(method, False)`: the bot stays
        in the middle of handling whatever made the call (to kill it there)."""
        with self._cond:
            (self._stalled.add if stalled else self._stalled.discard)(method.lower())
            self._cond.notify_all()

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """The command list set by setMyCommands for this scope and language."""
        with self._cond:
            return list(self._commands.get(_commands_key(scope, language_code), []))

    def polls(self) -> int:
        """How many getUpdates calls the bot has made."""
        return sum(1 for method, _ in list(self.sent) if method.lower() == "getupdates")

    def hold(self, *methods: str) -> None:
        """Make calls of these methods wait until `release`; a call whose client is gone by
        then (the bot was killed) is dropped, as Telegram never got it."""
        with self._cond:
            self._held.update(methods)

    def release(self) -> None:
        with self._cond:
            self._held.clear()
            self._cond.notify_all()

    def webhook_sets(self) -> int:
        """How many setWebhook calls the bot has made."""
        return sum(1 for method, _ in list(self.sent) if method == "setWebhook")

    @property
    def webhook(self) -> dict[str, str] | None:
        """The webhook the bot set ({"url", "secret_token"}), None while it polls."""
        with self._cond:
            return dict(self._webhook) if self._webhook else None

    def redeliver(self, update_id: int) -> int | str:
        """POST an update the bot already answered once more, as Telegram does when our 200
        did not reach it; returns the HTTP status."""
        with self._cond:
            update, hook = self._delivered[update_id], dict(self._webhook or {})
        status, connection = _post_update(None, hook, update)
        if connection is not None:
            connection.close()
        return status

    def wait_idle(self, timeout: float = 10.0, quiet: float = 0.2) -> None:
        """Wait until every update is confirmed and the bot made no call for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (
                not self._updates
                and self._inflight == 0
                and time.monotonic() - self._last_call >= quiet
            ):
                if time.monotonic() >= deadline:
                    raise AssertionError(
                        f"bot not idle after {timeout}s: {len(self._updates)} unconfirmed "
                        f"updates, {self._inflight} calls in flight; last calls: {self.sent[-5:]}"
                    )
                self._cond.wait(0.05)

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Every bot message in a chat in sending order, deleted ones flagged."""
        with self._cond:
            chat = self._chats.get(chat_id)
            return list(chat.messages.values()) if chat else []

    def transcript(self, chat_id: int) -> str:
        """The bot's messages in a chat, one line each, for assertion messages."""
        lines = []
        for m in self.messages(chat_id):
            flags = "".join((" (edited)" if m.edited else "", " (deleted)" if m.deleted else ""))
            extra = f" [document {m.document.file_name}]" if m.document else ""
            keys = f" buttons={m.buttons}" if m.buttons else ""
            lines.append(f"  #{m.message_id}{flags}{extra}: {m.text!r}{keys}")
        return f"chat {chat_id} transcript:\n" + ("\n".join(lines) or "  (no bot messages)")

    # internals shared with FakeUser; callers hold self._cond

    def _chat(self, chat_id: int, info: dict) -> _Chat:
        if chat_id not in self._chats:
            self._chats[chat_id] = _Chat(info)
        return self._chats[chat_id]

    def _enqueue(self, kind: str, payload: dict) -> None:
        self._last_update_id += 1
        self._updates.append({"update_id": self._last_update_id, kind: payload})
        self._cond.notify_all()

    def _incoming(self, chat: _Chat, kind: str, content: dict) -> int:
        """Enqueue a new message from the chat's side; returns its message_id."""
        message_id = chat.take_message_id()
        chat.user_message_ids.add(message_id)
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat.info, **content}
        self._enqueue(kind, message)
        return message_id

    def _store_file(self, data: bytes, folder: str, name: str) -> dict[str, Any]:
        """Keep a file for getFile/download; returns the common fields of a File object."""
        number = len(self._files) + 1
        file_id = f"BQACAgUAAxkBAAI{number:06d}"
        suffix = re.search(r"\.\w+$", name)
        self._files[file_id] = (f"{folder}/file_{number}{suffix[0] if suffix else ''}", data)
        return {"file_id": file_id, "file_unique_id": f"AgAD{number:06d}", "file_size": len(data)}

    def _record(self, chat: _Chat, message: BotMessage) -> None:
        """Store a sent or edited bot message, stamped with the next sequence number."""
        self._seq += 1
        chat.messages[message.message_id] = replace(message, seq=self._seq)
        chat.last_change = time.monotonic()
        self._cond.notify_all()

    def _track(self, connection: socket.socket, add: bool) -> None:
        with self._cond:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # request handling

    def _handle(
        self,
        token: str,
        method: str,
        content_type: str,
        body: bytes,
        query: str,
        client_alive: Callable[[], bool],
    ) -> tuple[int, dict]:
        polling = method.lower() == "getupdates"
        name, handler = (
            ("getUpdates", None) if polling else self._methods.get(method.lower(), (method, None))
        )
        with self._cond:
            self._last_call = time.monotonic()
            if not polling:
                self._inflight += 1
            held = name in self._held
            while name in self._held and not self._closing:
                self._cond.wait(0.05)
        params: dict = {}
        try:
            if held and not client_alive():
                raise ApiError("the client went away before the call was made", 499)
            params, files = _decode_params(content_type, body, query)
            with self._cond:
                self.sent.append((name, params))
                if self.token is not None and token != self.token:
                    raise ApiError("Unauthorized", 401)
                if handler is None and not polling:
                    raise ApiError("Not Found", 404)
                while name.lower() in self._stalled and client_alive():
                    self._cond.wait(0.1)
                failures = self._failures.get(name.lower())
                if failures:
                    raise failures.pop(0)
                if polling and self._webhook:
                    raise ApiError(
                        "Conflict: can't use getUpdates method while webhook is active; use "
                        "deleteWebhook to delete the webhook first",
                        409,
                    )
                if not polling:
                    assert handler is not None
                    return 200, {"ok": True, "result": handler(params, files)}
            # Outside the lock's `with`: the long poll waits on the condition itself.
            return 200, {"ok": True, "result": self._get_updates(params, client_alive)}
        except ApiError as error:
            with self._cond:
                self.errors.append((name, params, error.description))
            return error.code, error.payload()
        finally:
            with self._cond:
                if not polling:
                    self._inflight -= 1
                    self._last_call = time.monotonic()
                self._cond.notify_all()

    def _download(self, token: str, path: str) -> bytes | None:
        with self._cond:
            if self.token is not None and token != self.token:
                return None
            return next((data for p, data in self._files.values() if p == path), None)

    def _get_updates(self, params: dict, client_alive: Callable[[], bool]) -> list[dict]:
        offset = params.get("offset") or 0
        limit = min(max(params.get("limit") or 100, 1), 100)
        deadline = time.monotonic() + max(params.get("timeout") or 0, 0)
        with self._cond:
            self._poll_id += 1
            me = self._poll_id
            if offset > 0:  # confirms every update below the offset
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:  # keeps only the last -offset updates
                self._updates = self._updates[offset:]
            if params.get("allowed_updates"):
                self._allowed_updates = set(params["allowed_updates"])
            if self._allowed_updates:  # Telegram drops the kinds the bot did not ask for
                self._updates = [u for u in self._updates if self._allowed_updates & u.keys()]
            self._cond.notify_all()
            while True:
                if self._poll_id != me:
                    if not client_alive():
                        return []  # an abandoned poll: nobody to tell about the conflict
                    raise ApiError(
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                        409,
                    )
                if self._updates or self._closing or time.monotonic() >= deadline:
                    break
                self._cond.wait(deadline - time.monotonic())
            batch = self._updates[:limit]
            if batch:
                self._last_call = time.monotonic()
            return batch

    def _target(self, params: dict) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str):  # "@username" of a public chat
            chat = next(
                (c for c in self._chats.values() if f"@{c.info.get('username')}" == chat_id), None
            )
        else:
            chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad("chat not found")
        if chat.blocked:
            raise ApiError("Forbidden: bot was blocked by the user", 403)
        return chat

    def _new_message(self, chat: _Chat, content: dict) -> dict:
        return {
            "message_id": chat.take_message_id(),
            "from": self.bot_user,
            "chat": chat.info,
            "date": int(time.time()),
            **content,
        }

    def _send_message(self, params: dict, files: dict) -> dict:
        chat = self._target(params)
        text, entities = _render(
            params.get("text"), params.get("parse_mode"), "message text is empty"
        )
        if len(text) > MAX_TEXT:
            raise _bad("message is too long")
        markup = _inline_keyboard(params.get("reply_markup"))
        raw = self._new_message(chat, _content(text, entities, markup))
        self._record(chat, BotMessage(chat.info["id"], raw["message_id"], text, markup, raw=raw))
        return raw

    def _editable(self, params: dict) -> tuple[_Chat, BotMessage]:
        if "inline_message_id" in params:
            raise _bad("inline messages are not supported by the fake")
        chat = self._target(params)
        message = chat.messages.get(params.get("message_id") or 0)
        if message is None or message.deleted:
            if params.get("message_id") in chat.user_message_ids:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return chat, message

    def _edit(self, chat: _Chat, old: BotMessage, text: str, entities: list, markup: Any) -> dict:
        if (
            text == old.text
            and entities == old.raw.get("entities", [])
            and markup == old.reply_markup
        ):
            raise _bad(_NOT_MODIFIED)
        raw = {k: v for k, v in old.raw.items() if k not in ("text", "entities", "reply_markup")}
        raw.update(_content(text, entities, markup), edit_date=int(time.time()))
        self._record(chat, replace(old, text=text, reply_markup=markup, edited=True, raw=raw))
        return raw

    def _edit_message_text(self, params: dict, files: dict) -> dict:
        chat, old = self._editable(params)
        if old.document:
            raise _bad("there is no text in the message to edit")
        text, entities = _render(
            params.get("text"), params.get("parse_mode"), "message text is empty"
        )
        if len(text) > MAX_TEXT:
            raise _bad("message is too long")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        return self._edit(chat, old, text, entities, _inline_keyboard(params.get("reply_markup")))

    def _edit_message_reply_markup(self, params: dict, files: dict) -> dict:
        chat, old = self._editable(params)
        markup = _inline_keyboard(params.get("reply_markup"))
        if old.document:
            if markup == old.reply_markup:
                raise _bad(_NOT_MODIFIED)
            raw = {k: v for k, v in old.raw.items() if k != "reply_markup"}
            raw.update({"reply_markup": markup} if markup else {}, edit_date=int(time.time()))
            self._record(chat, replace(old, reply_markup=markup, edited=True, raw=raw))
            return raw
        return self._edit(chat, old, old.text or "", old.raw.get("entities", []), markup)

    def _delete_message(self, params: dict, files: dict) -> bool:
        chat = self._target(params)
        message_id = params.get("message_id")
        message = chat.messages.get(message_id or 0)
        if message is not None and not message.deleted:
            chat.messages[message.message_id] = replace(message, deleted=True)
            chat.last_change = time.monotonic()
            self._cond.notify_all()
        elif message_id in chat.user_message_ids:
            chat.user_message_ids.discard(message_id)
        else:
            raise _bad("message to delete not found")
        return True

    def _answer_callback_query(self, params: dict, files: dict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        callback = self._callbacks.get(query_id)
        if (
            callback is None
            or callback.answered
            or time.monotonic() - callback.issued > self.callback_timeout
        ):
            raise _bad(_QUERY_TOO_OLD)
        callback.answered = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "chat_id": callback.chat_id,
                "text": params.get("text"),
                "show_alert": params.get("show_alert", False),
            }
        )
        return True

    def _send_document(self, params: dict, files: dict[str, _Upload]) -> dict:
        chat = self._target(params)
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            upload = files.get(document.removeprefix("attach://"))
        else:
            upload = files.get("document")
        if upload is None and isinstance(document, str) and document in self._files:
            previous = next(  # re-sending by file_id
                m.document
                for c in self._chats.values()
                for m in c.messages.values()
                if m.document and m.document.file_id == document
            )
            upload = _Upload(previous.file_name, previous.mime_type, previous.data)
        if upload is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if not upload.data:
            raise _bad("file must be non-empty")
        if len(upload.data) > MAX_DOCUMENT:
            raise ApiError("Request Entity Too Large", 413)
        caption, entities = _render(params.get("caption"), params.get("parse_mode"), None)
        if len(caption) > MAX_CAPTION:
            raise _bad("message caption is too long")
        markup = _inline_keyboard(params.get("reply_markup"))
        stored = self._store_file(upload.data, "documents", upload.filename)
        document_object = {**stored, "file_name": upload.filename, "mime_type": upload.mime_type}
        content: dict[str, Any] = {"document": document_object}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        if markup:
            content["reply_markup"] = markup
        raw = self._new_message(chat, content)
        sent = SentDocument(
            stored["file_id"], upload.filename, upload.mime_type, upload.data, caption or None
        )
        self._record(
            chat,
            BotMessage(chat.info["id"], raw["message_id"], caption or None, markup, sent, raw=raw),
        )
        return raw

    def _send_chat_action(self, params: dict, files: dict) -> bool:
        self._target(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _get_file(self, params: dict, files: dict) -> dict:
        file_id = params.get("file_id")
        if file_id not in self._files:
            raise _bad("invalid file_id")
        path, data = self._files[file_id]
        number = int(file_id[-6:])
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{number:06d}",
            "file_size": len(data),
            "file_path": path,
        }

    def _delete_webhook(self, params: dict, files: dict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        return True

    def _set_webhook(self, params: dict, files: dict) -> bool:
        url = params.get("url")
        if not isinstance(url, str) or not re.match(r"https?://", url):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token") or ""
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if params.get("allowed_updates"):
            self._allowed_updates = set(params["allowed_updates"])
        self._webhook = {"url": url, "secret_token": secret}
        self._poll_id += 1  # a long poll under way ends with a conflict
        self._cond.notify_all()
        return True

    def _get_webhook_info(self, params: dict, files: dict) -> dict:
        return {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _deliver(self) -> None:
        """While a webhook is set, POST the oldest update until the bot answers 200, then the
        next; a failure (refused, timed out, not 200) is retried after a moment."""
        connection: http.client.HTTPConnection | None = None
        while True:
            with self._cond:
                while not self._closing and not (self._webhook and self._updates):
                    self._cond.wait(0.5)
                if self._closing:
                    break
                hook, update = dict(self._webhook), self._updates[0]
            status, connection = _post_update(connection, hook, update)
            with self._cond:
                self.deliveries.append((update["update_id"], status))
                if status == 200:
                    self._delivered[update["update_id"]] = update
                    self._updates = [u for u in self._updates if u is not update]
                self._cond.notify_all()
            if status != 200:
                time.sleep(0.1)
        if connection is not None:
            connection.close()

    def _set_my_commands(self, params: dict, files: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad("command description must be non-empty")
        key = _commands_key(params.get("scope"), params.get("language_code") or "")
        self._commands[key] = commands
        return True

    def _get_my_commands(self, params: dict, files: dict) -> list:
        key = _commands_key(params.get("scope"), params.get("language_code") or "")
        return self._commands.get(key, [])

    def _delete_my_commands(self, params: dict, files: dict) -> bool:
        self._commands.pop(
            _commands_key(params.get("scope"), params.get("language_code") or ""), None
        )
        return True


def _post_update(
    connection: http.client.HTTPConnection | None, hook: dict[str, str], update: dict
) -> tuple[int | str, http.client.HTTPConnection | None]:
    """POST one update to a webhook as Telegram does; (HTTP status or the error, the
    connection to reuse or None)."""
    url = urllib.parse.urlsplit(hook["url"])
    if connection is None:
        connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    headers = {"Content-Type": "application/json"}
    if hook.get("secret_token"):
        headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
    try:
        connection.request("POST", url.path or "/", json.dumps(update).encode(), headers)
        response = connection.getresponse()
        response.read()
        return response.status, connection
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        return type(exc).__name__, None


def _commands_key(scope: dict | None, language_code: str) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _content(text: str, entities: list, markup: dict | None) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    if markup:
        content["reply_markup"] = markup
    return content


def _text_content(text: str) -> dict[str, Any]:
    """A user's text with the bot_command entity Telegram adds, so CommandHandler matches."""
    content: dict[str, Any] = {"text": text}
    command = re.match(r"/[A-Za-z0-9_]{1,32}(?:@\w+)?", text)
    if command:
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command[0])}]
    return content


# --- the simulated user ----------------------------------------------------------------------------


class FakeUser:
    """A Telegram user in a chat with the bot. Every method may be called from any thread."""

    def __init__(self, api: FakeBotAPI, user: dict, chat_id: int) -> None:
        self.api = api
        self.user = user
        self.id: int = user["id"]
        self.chat_id = chat_id
        self._mark = api._seq  # bot activity after this counts as a reply to the last action

    @property
    def _chat(self) -> _Chat:
        return self.api._chats[self.chat_id]

    def _message(self, content: dict, kind: str = "message") -> int:
        with self.api._cond:
            self._mark = self.api._seq
            return self.api._incoming(self._chat, kind, {"from": self.user, **content})

    def _file(self, data: bytes, folder: str, name: str) -> dict[str, Any]:
        with self.api._cond:
            return self.api._store_file(data, folder, name)

    # actions; each returns the new message's id (click: the callback query id)

    def send(self, text: str) -> int:
        return self._message(_text_content(text))

    def send_sticker(self, emoji: str = "👍") -> int:
        sticker = self._file(b"RIFF-fake-webp", "stickers", "sticker.webp")
        sticker.update(width=512, height=512, is_animated=False, is_video=False, type="regular")
        return self._message({"sticker": {**sticker, "emoji": emoji}})

    def send_photo(self, data: bytes = b"\xff\xd8fake-jpeg") -> int:
        photo = self._file(data, "photos", "photo.jpg")
        return self._message({"photo": [{**photo, "width": 800, "height": 600}]})

    def send_voice(self, duration: int = 3) -> int:
        voice = self._file(b"OggS-fake-voice", "voice", "voice.oga")
        return self._message({"voice": {**voice, "duration": duration, "mime_type": "audio/ogg"}})

    def send_document(
        self,
        filename: str = "材料.pdf",
        data: bytes = b"%PDF-1.4 fake",
        mime: str = "application/pdf",
    ) -> int:
        document = self._file(data, "documents", filename)
        return self._message({"document": {**document, "file_name": filename, "mime_type": mime}})

    def send_location(self, latitude: float = 39.9042, longitude: float = 116.4074) -> int:
        return self._message({"location": {"latitude": latitude, "longitude": longitude}})

    def send_contact(self, phone_number: str = "+8613800138000") -> int:
        contact = {
            "phone_number": phone_number,
            "first_name": self.user["first_name"],
            "user_id": self.id,
        }
        return self._message({"contact": contact})

    def edit(self, message_id: int, text: str) -> None:
        """Edit one of this user's earlier messages (an `edited_message` update)."""
        with self.api._cond:
            if message_id not in self._chat.user_message_ids:
                raise AssertionError(f"message {message_id} is not a message of this user")
            self._mark = self.api._seq
            now = int(time.time())
            message = {
                "message_id": message_id,
                "from": self.user,
                "chat": self._chat.info,
                "date": now,
                "edit_date": now,
                **_text_content(text),
            }
            self.api._enqueue("edited_message", message)

    def click(self, label: str, message: BotMessage | None = None) -> str:
        """Press the button labelled `label` (or the only one containing it) on `message`,
        by default the latest bot message with an inline keyboard."""
        with self.api._cond:
            if message is None:
                target = next(
                    (m for m in reversed(self.messages) if m.reply_markup and not m.deleted), None
                )
            else:
                target = self._chat.messages.get(message.message_id)
            if target is None or target.deleted or not target.reply_markup:
                raise AssertionError(
                    f"no inline keyboard to press {label!r} on\n{self.api.transcript(self.chat_id)}"
                )
            buttons = [b for row in target.reply_markup["inline_keyboard"] for b in row]
            matches = [b for b in buttons if b["text"] == label] or [
                b for b in buttons if label in b["text"]
            ]
            if len(matches) != 1 or "callback_data" not in matches[0]:
                problem = "no callback button" if not matches else "ambiguous button"
                raise AssertionError(
                    f"{problem} {label!r} on message #{target.message_id}; available: "
                    f"{target.buttons}\n{self.api.transcript(self.chat_id)}"
                )
            return self._press(target, matches[0]["callback_data"])

    def click_data(self, data: str, message_id: int) -> str:
        """Deliver a callback query with arbitrary data on a bot message (a forged press)."""
        with self.api._cond:
            target = self._chat.messages.get(message_id)
            if target is None or target.deleted:
                raise AssertionError(f"no bot message #{message_id} in chat {self.chat_id}")
            return self._press(target, data)

    def _press(self, message: BotMessage, data: str) -> str:
        query_id = f"{self.id}{len(self.api._callbacks) + 1:08d}"
        self.api._callbacks[query_id] = _Callback(self.chat_id, time.monotonic())
        self._mark = self.api._seq
        query = {
            "id": query_id,
            "from": self.user,
            "message": message.raw,
            "chat_instance": str(abs(hash(("instance", self.chat_id)))),
            "data": data,
        }
        self.api._enqueue("callback_query", query)
        return query_id

    def block(self) -> None:
        """Block the bot: a my_chat_member update, then sends to this chat fail with 403."""
        self._set_blocked(True)

    def unblock(self) -> None:
        self._set_blocked(False)

    def _set_blocked(self, blocked: bool) -> None:
        statuses = [{"status": "member"}, {"status": "kicked", "until_date": 0}]
        old, new = statuses[::-1] if not blocked else statuses
        with self.api._cond:
            self._chat.blocked = blocked
            self._mark = self.api._seq
            update = {
                "chat": self._chat.info,
                "from": self.user,
                "date": int(time.time()),
                "old_chat_member": {**old, "user": self.api.bot_user},
                "new_chat_member": {**new, "user": self.api.bot_user},
            }
            self.api._enqueue("my_chat_member", update)

    # observations

    @property
    def messages(self) -> list[BotMessage]:
        """Every bot message in this chat in sending order, deleted ones flagged."""
        return self.api.messages(self.chat_id)

    @property
    def last(self) -> BotMessage | None:
        """The latest bot message still in the chat."""
        return next((m for m in reversed(self.messages) if not m.deleted), None)

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the latest inline keyboard in the chat ([] when there is none)."""
        keyboard = next(
            (m for m in reversed(self.messages) if m.reply_markup and not m.deleted), None
        )
        return keyboard.buttons if keyboard else []

    @property
    def documents(self) -> list[SentDocument]:
        return [m.document for m in self.messages if m.document and not m.deleted]

    @property
    def callback_answers(self) -> list[dict]:
        with self.api._cond:
            return [a for a in self.api.callback_answers if a["chat_id"] == self.chat_id]

    def transcript(self) -> str:
        return self.api.transcript(self.chat_id)

    def _fresh(self) -> list[BotMessage]:
        """Messages sent or edited since the last action, most recently changed first."""
        changed = [m for m in self._chat.messages.values() if m.seq > self._mark and not m.deleted]
        return sorted(changed, key=lambda m: m.seq, reverse=True)

    def wait_reply(self, timeout: float = 10.0, settle: float = 0.1) -> BotMessage:
        """Wait for the bot to send or edit something here after the last action; return the
        most recently sent/edited message once the chat has been quiet for `settle` seconds
        (so an edit followed by a new question returns the question)."""
        deadline = time.monotonic() + timeout
        with self.api._cond:
            while True:
                fresh = self._fresh()
                quiet = time.monotonic() - self._chat.last_change >= settle
                if fresh and (quiet or time.monotonic() >= deadline):
                    return fresh[0]
                if time.monotonic() >= deadline:
                    raise AssertionError(f"no reply within {timeout}s\n{self.transcript()}")
                self.api._cond.wait(min(settle, deadline - time.monotonic()))

    def wait_for(self, predicate: Callable[[BotMessage], Any], timeout: float = 10.0) -> BotMessage:
        """Wait for a message sent or edited since the last action that satisfies predicate."""
        deadline = time.monotonic() + timeout
        with self.api._cond:
            while True:
                match = next((m for m in self._fresh() if predicate(m)), None)
                if match is not None:
                    return match
                if time.monotonic() >= deadline:
                    raise AssertionError(
                        f"no matching bot message within {timeout}s\n{self.transcript()}"
                    )
                self.api._cond.wait(deadline - time.monotonic())


# --- running a PTB Application against the fake ------------------------------------------------

T = TypeVar("T")


class RunningApplication:
    """Handle on an Application polling in a background thread (see run_application)."""

    def __init__(self, application: Application, loop: asyncio.AbstractEventLoop) -> None:
        self.application = application
        self.loop = loop

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the application's loop, e.g. a bot method, and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@contextmanager
def run_application(application: Application, **polling: Any) -> Iterator[RunningApplication]:
    """Run `application` in a background thread the way run_polling() does (post_init,
    polling, start; on exit stop, post_stop, shutdown, post_shutdown) and stop it on exit.

    run_polling() itself is not used: it can only be stopped from inside its loop, and stopping
    its loop before start() has finished breaks it.
    """
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop = asyncio.Event()
    failure: list[BaseException] = []

    async def main() -> None:
        async with application:  # initialize() ... shutdown()
            if application.post_init:
                await application.post_init(application)
            assert application.updater is not None, "build the Application with an Updater"
            await application.updater.start_polling(**polling)
            await application.start()
            started.set()
            await stop.wait()
            await application.updater.stop()
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        if application.post_shutdown:
            await application.post_shutdown(application)

    def target() -> None:
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # reported to the test thread below
            failure.append(exc)
        finally:
            loop.close()
            started.set()

    thread = threading.Thread(target=target, name="PTB-Application")
    thread.start()
    if not started.wait(30):
        loop.call_soon_threadsafe(stop.set)
    if failure or not thread.is_alive() or not application.running:
        thread.join(30)
        raise RuntimeError("the application failed to start") from (failure or [None])[0]
    try:
        yield RunningApplication(application, loop)
    finally:
        if thread.is_alive():
            loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        if thread.is_alive():
            raise RuntimeError("the application did not stop within 30 s")
        if failure:
            raise RuntimeError("the application failed") from failure[0]
