"""The Telegram adapter (python-telegram-bot v22): durable long polling, the handlers by what
the user does, and how replies look. `app` shows which handler answers which update."""
