"""One user's interviews: the engine's transitions saved through storage.

Both adapters (console and Telegram) go through this, so an input is handled the same way
everywhere: load the active interview, step the engine, commit, then reply.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.core import engine, replies, texts, wordcount
from bot.core.model import Flow
from bot.core.replies import Reply
from bot.core.state import Input
from bot.errors import StaleInterview
from bot.report.render import build_document
from bot.storage import Interview, Storage

# Saves retried from the fresh state before giving up; only a third writer racing every
# retry would exhaust them.
_RETRIES = 5


@dataclass(frozen=True)
class Revision:
    """An edit from the web page: the interview as stored now, and why the edit was refused
    (`stale`: it was made from an older version; `error`: the answer's own checks)."""

    interview: Interview
    error: str = ""
    stale: bool = False


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
        for _ in range(_RETRIES):
            with wordcount.counting(report_zishu):
                state, reply = engine.resume(self.flow_of(interview), interview.state)
            if state == interview.state:
                break
            try:
                interview = self.storage.save(interview, Input("resume"), state) or interview
                break
            except StaleInterview:
                interview = self.storage.get(interview.id)
        return Outcome(interview, reply)

    def bring_in(
        self,
        interview: Interview,
        carry: Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]],
    ) -> Outcome:
        """Add imported answers and context (last year's report), logged as one input.

        `carry` computes them from the interview's current answers (imports merge); a save
        that raced another is computed again from the fresh answers.
        """
        flow = self.flow_of(interview)
        for _ in range(_RETRIES):
            answers, context = carry(interview.state.answers)
            inp = Input("import", ",".join(sorted(answers)))
            with wordcount.counting(report_zishu):
                state, reply = engine.bring_in(flow, interview.state, answers, context)
            try:
                saved = self.storage.save(interview, inp, state)
                return Outcome(saved or interview, reply)
            except StaleInterview:
                interview = self.storage.get(interview.id)
        raise StaleInterview(f"材料 {interview.id} 一直在别处修改")

    def answer(self, interview: Interview, inp: Input, source: str | None = None) -> Outcome | None:
        """Apply and save one input; None if `source` was handled before.

        When the interview was saved elsewhere since it was read (a second console, the bot),
        the input is applied again to the fresh state if the user is still at the question
        they answered; otherwise it is refused with a message and only logged.
        """
        flow = self.flow_of(interview)
        shown = (interview.state.cursor, interview.state.return_to)
        for _ in range(_RETRIES):
            fresh = (interview.state.cursor, interview.state.return_to)
            if fresh != shown:
                return self._refuse_stale(interview, inp, source)
            with wordcount.counting(report_zishu):
                state, reply = engine.step(flow, interview.state, inp)
            try:
                saved = self.storage.save(interview, inp, state, source)
            except StaleInterview:
                interview = self.storage.get(interview.id)
                continue
            if saved is None:
                return None
            return Outcome(saved, reply)
        raise StaleInterview(f"材料 {interview.id} 一直在别处修改")

    def _refuse_stale(self, interview: Interview, inp: Input, source: str | None) -> Outcome | None:
        """Log the input without applying it, and show where the interview is now."""
        for _ in range(_RETRIES):
            try:
                saved = self.storage.save(interview, inp, interview.state, source)
                break
            except StaleInterview:
                interview = self.storage.get(interview.id)
        else:
            raise StaleInterview(f"材料 {interview.id} 一直在别处修改")
        if saved is None:
            return None
        with wordcount.counting(report_zishu):
            _, reply = engine.resume(self.flow_of(saved), saved.state)
        return Outcome(saved, replace(reply, error=texts.ERR_CHANGED_ELSEWHERE, notice=""))

    def revise(
        self, interview_id: int, owner: str, key: str, text: str, version: int, source: str
    ) -> Revision:
        """Replace one text answer, made from `version` of the interview (the web page).

        An edit made from an older version is refused, never merged: the user answered in
        the chat meanwhile and sees the fresh text first. Refused edits are logged too, so
        no text the user sent is lost. Raises UnknownInterview for another owner's id.
        """
        interview = self.storage.get(interview_id, owner)
        flow = self.flow_of(interview)
        inp = Input("revise", json.dumps({"step": key, "text": text}, ensure_ascii=False))
        if interview.version == version:
            state, error = engine.revise(flow, interview.state, key, text)
            try:
                saved = self.storage.save(interview, inp, state, source)
            except StaleInterview:
                interview = self.storage.get(interview_id, owner)
            else:
                return Revision(saved or self.storage.get(interview_id), error=error)
        for _ in range(_RETRIES):
            try:
                saved = self.storage.save(interview, inp, interview.state, source)
                return Revision(saved or self.storage.get(interview_id), stale=True)
            except StaleInterview:
                interview = self.storage.get(interview_id, owner)
        raise StaleInterview(f"材料 {interview.id} 一直在别处修改")


def report_zishu(flow: Flow, answers: Mapping[str, Any]) -> int:
    """The 字数 of the report these answers make, exactly as it will be generated: what the
    review's total and its length advice say (the date's 字数 does not depend on the day)."""
    return build_document(flow, answers, date=dt.date.today()).zishu
