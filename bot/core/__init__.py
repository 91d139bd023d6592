"""The interview itself, pure: flows as data, the engine, the review's checks.

Nothing here touches Telegram, SQLite, the network, the clock or the file system; the
adapters around it (storage, telegram, console, web) pass in what it needs.
"""
