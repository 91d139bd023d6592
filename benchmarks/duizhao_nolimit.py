"""`duizhao run` with the 30 requests/s cap of its AIORateLimiter lifted: the bot's own cost.

bot/telegram/app.py builds the Application with AIORateLimiter(max_retries=3), whose default
overall_max_rate of 30 requests a second matches Telegram's limit and is right for
production. Under benchmarks/load.py that cap, not the bot's own work, sets the latency as
soon as the users want more than 30 messages a second. This wrapper replaces the limiter
with AIORateLimiter(overall_max_rate=0, max_retries=3) (PTB: 0 means no overall limit;
RetryAfter handling stays) in this process only, then runs the unchanged `duizhao run`, so
the bot's own cost can be compared with the echo bot. Nothing in bot/ is modified.

    python benchmarks/duizhao_nolimit.py --poll-timeout 1     # same env as duizhao run
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import AIORateLimiter  # noqa: E402

import bot.telegram.app  # noqa: E402
from bot.cli import main  # noqa: E402

bot.telegram.app.AIORateLimiter = functools.partial(AIORateLimiter, overall_max_rate=0)

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
