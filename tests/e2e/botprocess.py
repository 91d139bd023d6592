"""`duizhao run` as a child process against the fake Bot API: the real code path, killable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.fakeapi import FakeBotAPI

TOKEN = "123456789:AAtesttokentesttokentesttokentest12"
REPO = Path(__file__).resolve().parents[2]
DUIZHAO_RUN = [sys.executable, "-m", "bot", "run", "--poll-timeout", "1"]


class BotProcess:
    """One bot process (`duizhao run` unless another `command` is given); `start` waits until
    it is polling, `kill` is SIGKILL."""

    def __init__(
        self,
        api: FakeBotAPI,
        db: Path,
        log: Path,
        allowed: str | None = None,
        command: list[str] = DUIZHAO_RUN,
        env: dict[str, str] | None = None,
    ):
        self.api = api
        self.db = db
        self.log = log
        self.allowed = allowed
        self.command = command
        self.env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> BotProcess:
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "BOT_DB": str(self.db),
            "BOT_API_BASE_URL": self.api.base_url,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("BOT_ALLOWED_USERS", "BOT_FLOWS"):
            env.pop(name, None)
        env.update(self.env)
        if self.allowed is not None:
            env["BOT_ALLOWED_USERS"] = self.allowed
        polls_before = self.api.polls()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while self.api.polls() <= polls_before:
            if self.process.poll() is not None:
                raise AssertionError(f"bot exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"bot did not start polling:\n{self.output()}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self, grace: float = 15.0) -> int:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode if self.process else 0

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
