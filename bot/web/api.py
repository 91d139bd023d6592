"""The page's HTTP routes: the page itself, its static files, and a small JSON API.

Every API request names its owner through the Authorization header (see `auth`); an
interview of anyone else is "not found". Saves go through the same service as a chat answer
and carry the version they were made from. Bodies are capped, each owner (or, before
authentication, each address) is rate-limited, and every response says what the browser may
run: no inline script, nothing from elsewhere but Telegram's own script.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core.state import REVIEW, Input
from bot.errors import StaleInterview, UnknownInterview
from bot.meetings import CO, ORGANISER, MeetingError, Meetings
from bot.report.render import build_document, report_name
from bot.report.writers.docx import to_docx
from bot.service import Interviews
from bot.storage import Interview
from bot.web.auth import Gate, Refused, Viewer
from bot.web.page import page_data

STATIC = Path(__file__).parent / "static"
# A long answer is at most 10,000 characters; JSON may spell each as six bytes (\\uXXXX).
MAX_BODY = 64 * 1024
CSP = (
    "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

NOT_FOUND = "没有找到这份材料。"
NO_INTERVIEW = "您还没有开始写材料，请先在聊天里发送 /new。"
NO_MEETING = "没有找到您组织的会议。"
TOO_BIG = "内容太长，没有保存。"
TOO_MANY = "操作太频繁，请稍等一分钟再试。"
BAD_REQUEST = "请求的格式不对，请刷新页面后再试。"
STALE = "这份材料刚在别处（聊天或另一个页面）改过，您的修改没有保存；页面已换成最新的文字，请在此基础上重新修改。"
SENT = "报告已发到聊天里。"

# Sends the finished report (text and .docx) into the owner's Telegram chat.
ChatSender = Callable[[Interview], Awaitable[None]]


class RateLimit:
    """At most `count` requests per `seconds` for each key (an owner, or an address)."""

    def __init__(
        self, count: int = 60, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.count = count
        self.seconds = seconds
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] >= self.seconds:
            times.popleft()
        if len(times) >= self.count:
            return False
        times.append(now)
        if len(self._seen) > 10_000:  # forget idle keys so the table cannot grow without end
            self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < self.seconds}
        return True


class _Refusal(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message


class _Headers:
    """Wraps an ASGI app so its responses carry the security headers."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                present = {k.lower() for k, _ in message["headers"]}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        message["headers"].append((name.lower().encode(), value.encode()))
            await send(message)

        await self.app(scope, receive, with_headers)


def routes(
    service: Interviews,
    gate: Gate,
    today: Callable[[], datetime.date],
    send_to_chat: ChatSender | None = None,
    limit: RateLimit | None = None,
) -> list[BaseRoute]:
    """The page at `/`, its files at `/static/`, the API at `/api/`."""
    limit = limit or RateLimit()

    async def viewer_of(request: Request) -> Viewer:
        address = request.client.host if request.client else "?"
        try:
            viewer = gate.viewer(request.headers.get("authorization"))
        except Refused as exc:
            if not limit.allow(f"addr:{address}"):
                raise _Refusal(429, TOO_MANY) from exc
            raise _Refusal(401, str(exc)) from exc
        if not limit.allow(viewer.owner):
            raise _Refusal(429, TOO_MANY)
        return viewer

    def interview_of(viewer: Viewer, interview_id: Any) -> Interview:
        if interview_id in (None, ""):
            interview = service.active(viewer.owner)
            if interview is None:
                raise _Refusal(404, NO_INTERVIEW)
            return interview
        try:
            interview = service.storage.get(int(interview_id), viewer.owner)
        except (UnknownInterview, ValueError, TypeError) as exc:
            raise _Refusal(404, NOT_FOUND) from exc
        if interview.flow_id not in service.flows:
            raise _Refusal(404, NOT_FOUND)
        return interview

    def day_of(interview: Interview) -> datetime.date:
        # As the chat's report: dated the meeting day when the user set one.
        return interview.deadline or today()

    def document(interview: Interview) -> dict[str, Any]:
        return page_data(service.flow_of(interview), interview, day_of(interview))

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "page.html", media_type="text/html; charset=utf-8")

    async def get_document(request: Request) -> Response:
        viewer = await viewer_of(request)
        interview = interview_of(viewer, request.query_params.get("interview"))
        return JSONResponse(await asyncio.to_thread(document, interview))

    async def save(request: Request) -> Response:
        viewer = await viewer_of(request)
        body = await _json_body(request)
        key, text, version = body.get("key"), body.get("text"), body.get("version")
        if not (isinstance(key, str) and isinstance(text, str) and isinstance(version, int)):
            raise _Refusal(400, BAD_REQUEST)
        interview = interview_of(viewer, body.get("interview"))

        def revise() -> tuple[int, dict[str, Any]]:
            try:
                result = service.revise(
                    interview.id, viewer.owner, key, text, version, f"web:{uuid.uuid4().hex}"
                )
            except StaleInterview:
                result = None
            if result is None or result.stale:
                fresh = service.storage.get(interview.id, viewer.owner)
                return 409, {"error": STALE, "document": document(fresh)}
            if result.error:
                return 422, {"error": result.error}
            # The page asks for the redrawn document next; the save itself stays quick.
            return 200, {"version": result.interview.version}

        status, payload = await asyncio.to_thread(revise)
        return JSONResponse(payload, status_code=status)

    async def generate(request: Request) -> Response:
        viewer = await viewer_of(request)
        body = await _json_body(request)
        interview = interview_of(viewer, body.get("interview"))
        if interview.state.cursor == REVIEW:
            # As 生成报告 in the chat: the interview is finished (and can still be edited).
            done = Input("done")
            outcome = await asyncio.to_thread(
                service.answer, interview, done, f"web:{uuid.uuid4().hex}"
            )
            interview = outcome.interview if outcome else interview
        if viewer.in_telegram and send_to_chat is not None:
            await send_to_chat(interview)
            return JSONResponse({"message": SENT})
        flow = service.flow_of(interview)
        day = day_of(interview)

        def docx() -> bytes:
            out = io.BytesIO()
            to_docx(build_document(flow, interview.state.answers, date=day), out)
            return out.getvalue()

        name = quote(f"{report_name(flow, interview.state.answers)}.docx")
        return Response(
            await asyncio.to_thread(docx),
            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        )

    meetings = Meetings(service)

    async def get_meeting(request: Request) -> Response:
        """A meeting's status table for its organiser and co-organisers (the chat's
        /meeting status): per member joined, progress, submitted; never a draft."""
        viewer = await viewer_of(request)
        wanted = request.query_params.get("meeting", "")
        mine = [
            m
            for m in meetings.meetings_of(viewer.owner)
            if meetings.role(m, viewer.owner) in (ORGANISER, CO)
        ]
        meeting = next((m for m in mine if str(m.id) == wanted), None) if wanted else None
        meeting = meeting or (None if wanted else next(iter(mine), None))
        if meeting is None:
            raise _Refusal(404, NO_MEETING)
        try:
            rows = await asyncio.to_thread(meetings.status, meeting.id, viewer.owner)
        except MeetingError as exc:
            raise _Refusal(404, NO_MEETING) from exc
        return JSONResponse(
            {
                "meeting": meeting.id,
                "name": meeting.name,
                "deadline": meeting.deadline.isoformat(),
                "members": [
                    {
                        "name": r.name,
                        "joined": r.joined,
                        "co_organiser": r.role == CO,
                        "parts_done": r.parts_done,
                        "parts": r.parts,
                        "zishu": r.chars,
                        "finished": r.finished,
                        "submitted": r.submitted,
                    }
                    for r in rows
                ],
            }
        )

    def guarded(endpoint: Callable[[Request], Awaitable[Response]]):
        async def run(request: Request) -> Response:
            try:
                response = await endpoint(request)
            except _Refusal as refusal:
                response = JSONResponse({"error": refusal.message}, status_code=refusal.status)
            response.headers.update(SECURITY_HEADERS)
            return response

        return run

    return [
        Route("/", guarded(page), methods=["GET"]),
        Route("/api/document", guarded(get_document), methods=["GET"]),
        Route("/api/save", guarded(save), methods=["POST"]),
        Route("/api/generate", guarded(generate), methods=["POST"]),
        Route("/api/meeting", guarded(get_meeting), methods=["GET"]),
        Mount("/static", app=_Headers(StaticFiles(directory=STATIC)), name="static"),
    ]


async def _json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, read no further than MAX_BODY bytes."""
    declared = request.headers.get("content-length")
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise _Refusal(413, TOO_BIG)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _Refusal(413, TOO_BIG)
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Refusal(400, BAD_REQUEST) from exc
    if not isinstance(body, dict):
        raise _Refusal(400, BAD_REQUEST)
    return body
