"""`duizhao run` as a child process against the fake Bot API: the real code path, killable."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.fakeapi import FakeBotAPI

TOKEN = "123456789:AAtesttokentesttokentesttokentest12"
REPO = Path(__file__).resolve().parents[2]
DUIZHAO_RUN = [sys.executable, "-m", "bot", "run", "--poll-timeout", "1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotProcess:
    """One bot process (`duizhao run` unless another `command` is given); `start` waits until
    it is polling (or, with `webhook`, has set its webhook), `kill` is SIGKILL."""

    def __init__(
        self,
        api: FakeBotAPI,
        db: Path,
        log: Path,
        allowed: str | None = None,
        command: list[str] = DUIZHAO_RUN,
        env: dict[str, str] | None = None,
        webhook: bool = False,
    ):
        self.api = api
        self.db = db
        self.log = log
        self.allowed = allowed
        self.command = command
        self.env = env or {}
        # The same port across restarts, as a webhook's URL stays the same.
        self.port = free_port() if webhook else None
        if self.port:
            self.env = {
                "BOT_WEBHOOK_URL": self.webhook_url,
                "BOT_WEBHOOK_PORT": str(self.port),
                **self.env,
            }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> BotProcess:
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "BOT_DB": str(self.db),
            "BOT_API_BASE_URL": self.api.base_url,
            "PYTHONUNBUFFERED": "1",
        }
        for name in (
            "BOT_ALLOWED_USERS",
            "BOT_FLOWS",
            "BOT_WEBHOOK_URL",
            "BOT_WEBHOOK_SECRET",
            "BOT_WEBHOOK_LISTEN",
            "BOT_WEBHOOK_PORT",
        ):
            env.pop(name, None)
        env.update(self.env)
        if self.allowed is not None:
            env["BOT_ALLOWED_USERS"] = self.allowed
        ready = self.api.webhook_sets if self.port else self.api.polls
        before = ready()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while ready() <= before:
            if self.process.poll() is not None:
                raise AssertionError(f"bot exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"bot did not start receiving:\n{self.output()}")
            time.sleep(0.05)
        return self

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

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
