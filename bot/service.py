"""One user's interviews: the engine's transitions saved through storage.

Both adapters (console and Telegram) go through this, so an input is handled the same way
everywhere: load the active interview, step the engine, commit, then reply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateNotFound

from bot.core import engine, replies, wordcount
from bot.core.model import Flow
from bot.core.replies import Reply
from bot.core.state import Input
from bot.report.render import build_document
from bot.storage import Interview, Storage


@dataclass(frozen=True)
class Outcome:
    """The interview after an input, and what to tell the user."""

    interview: Interview
    reply: Reply


class Interviews:
    """Start, resume and answer interviews for any owner."""

    def __init__(self, storage: Storage, flows: dict[str, Flow]):
        self.storage = storage
        self.flows = flows

    def flow_of(self, interview: Interview) -> Flow:
        return self.flows[interview.flow_id]

    def show(self, interview: Interview) -> Reply:
        """What the interview shows now (its question or its review), nothing changed."""
        with wordcount.counting(report_zishu):
            return replies.show(self.flow_of(interview), interview.state)

    def start(self, owner: str, flow_id: str, source: str | None = None) -> Outcome:
        """A new interview; the same `source` (a Telegram update) twice starts only one."""
        flow = self.flows[flow_id]
        with wordcount.counting(report_zishu):
            state, reply = engine.start(flow)
        interview = self.storage.create(owner, flow, state, source)
        if interview.state != state:  # started by this source before, and answered since
            return self.resume(interview)
        return Outcome(interview, reply)

    def active(self, owner: str) -> Interview | None:
        """The owner's active interview, if its flow is still shipped."""
        interview = self.storage.active(owner)
        if interview is None or interview.flow_id not in self.flows:
            return None
        return interview

    def resume(self, interview: Interview) -> Outcome:
        """Where the user was; a flow that changed since is followed, answers kept by id."""
        with wordcount.counting(report_zishu):
            state, reply = engine.resume(self.flow_of(interview), interview.state)
        if state != interview.state:
            interview = self.storage.save(interview, Input("resume"), state) or interview
        return Outcome(interview, reply)

    def bring_in(
        self, interview: Interview, answers: dict[str, Any], context: dict[str, Any]
    ) -> Outcome:
        """Add imported answers and context (last year's report), logged as one input."""
        flow = self.flow_of(interview)
        with wordcount.counting(report_zishu):
            state, reply = engine.bring_in(flow, interview.state, answers, context)
        saved = self.storage.save(interview, Input("import", ",".join(sorted(answers))), state)
        return Outcome(saved or interview, reply)

    def answer(self, interview: Interview, inp: Input, source: str | None = None) -> Outcome | None:
        """Apply and save one input; None if `source` was handled before."""
        flow = self.flow_of(interview)
        with wordcount.counting(report_zishu):
            state, reply = engine.step(flow, interview.state, inp)
        saved = self.storage.save(interview, inp, state, source)
        if saved is None:
            return None
        return Outcome(saved, reply)


def report_zishu(flow: Flow, answers: Mapping[str, Any]) -> int | None:
    """The 字数 of the report these answers make, exactly as it will be generated: what the
    review's total and its length advice say (the date's 字数 does not depend on the day).
    None for a flow without its template (one made in memory), counted by its answers."""
    try:
        return build_document(flow, answers, date=dt.date.today()).zishu
    except TemplateNotFound:
        return None
