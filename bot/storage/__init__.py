"""Interviews, answers and the event log in one SQLite file, through sqlite-utils.

Every input is saved in one transaction (event + changed answers + cursor) before the
adapter shows the next prompt, so a killed process loses nothing the user was told is saved.
Each group of tables has its own module; `Storage` puts them on one connection.
"""

from bot.storage.backup import backup
from bot.storage.imports import ImportRows
from bot.storage.inbox import InboxRows
from bot.storage.interviews import Interview, InterviewRows
from bot.storage.meetings import MeetingRows
from bot.storage.reminders import ReminderRows
from bot.storage.weblinks import WebLinkRows


class Storage(InterviewRows, ReminderRows, ImportRows, InboxRows, WebLinkRows, MeetingRows):
    """The SQLite database of one installation; safe to share between threads."""


__all__ = ["Interview", "Storage", "backup"]
