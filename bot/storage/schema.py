"""The database schema, as sqlite-utils migrations applied in order at start-up."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("duizhao")


def unknown_migrations(db: Database) -> list[str]:
    """Migrations applied to `db` that this program does not have: a newer program made it."""
    known = {m.name for m in migrations.pending(Database(memory=True))}
    return [m.name for m in migrations.applied(db) if m.name not in known]


@migrations()
def m001_initial(db: Database) -> None:
    db["interviews"].create(
        {
            "id": int,
            "owner": str,
            "flow_id": str,
            "flow_version": int,
            "status": str,
            "cursor": str,
            "drafts": str,
            "return_to": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"owner", "flow_id", "status", "cursor"},
    )
    db["interviews"].create_index(["owner"])
    db["answers"].create(
        {"interview_id": int, "question_id": str, "value": str, "updated_at": str},
        pk=("interview_id", "question_id"),
        foreign_keys=[("interview_id", "interviews", "id")],
    )
    db["events"].create(
        {
            "id": int,
            "interview_id": int,
            "at": str,
            "step": str,
            "kind": str,
            "value": str,
            "source": str,
        },
        pk="id",
        foreign_keys=[("interview_id", "interviews", "id")],
    )
    db["events"].create_index(["interview_id"])
    # An update delivered twice (a restart before Telegram saw it confirmed) is applied once.
    db["events"].create_index(["source"], unique=True)
    db["owners"].create({"owner": str, "active_interview": int}, pk="owner")


@migrations()
def m002_inbox(db: Database) -> None:
    # Telegram updates are kept here from receipt until handled, so one that arrives just
    # before a crash is handled after the restart instead of being lost.
    db["inbox"].create(
        {"update_id": int, "chat": str, "body": str, "received_at": str}, pk="update_id"
    )
    db["settings"].create({"key": str, "value": str}, pk="key")


@migrations()
def m003_reminders(db: Database) -> None:
    db["interviews"].add_column("deadline", str)
    db["owners"].add_column("remind", int, not_null_default=1)
    db["owners"].add_column("quiet_days", int)
    db["owners"].add_column("blocked", int, not_null_default=0)
    # One row per reminder sent: the same reason is never sent twice, across restarts.
    db["reminders"].create(
        {"interview_id": int, "reason": str, "sent_at": str},
        pk=("interview_id", "reason"),
        foreign_keys=[("interview_id", "interviews", "id")],
    )


@migrations()
def m004_context(db: Database) -> None:
    db["interviews"].add_column("context", str)


@migrations()
def m005_imports(db: Database) -> None:
    # Last year's report between upload (or paste) and the user's confirmation.
    db["imports"].create(
        {"owner": str, "interview_id": int, "text": str, "parsed": str, "created_at": str},
        pk="owner",
    )


@migrations()
def m006_versions(db: Database) -> None:
    # Every save checks the version it was computed from: two consoles (or the bot and a
    # console) on one interview never silently overwrite each other's answers.
    db["interviews"].add_column("version", int, not_null_default=0)


@migrations()
def m007_import_pasting(db: Database) -> None:
    # Paste mode ends (a command, a failed parse) without losing the pasted text: it stays
    # to be used as an answer or dropped by the user's choice.
    db["imports"].add_column("pasting", int, not_null_default=1)


@migrations()
def m008_inbox_attempts(db: Database) -> None:
    # How often handling an update began; one that began twice without finishing (the
    # process died each time) is set aside instead of crashing every restart.
    db["inbox"].add_column("attempts", int, not_null_default=0)
    db["inbox"].add_column("set_aside_at", str)


@migrations()
def m009_updates_seen(db: Database) -> None:
    # The ids of updates a webhook delivered: Telegram sends one again when it did not see
    # our answer, possibly after it was handled and left the inbox.
    db["updates_seen"].create({"update_id": int, "seen_at": str}, pk="update_id")


@migrations()
def m010_web_links(db: Database) -> None:
    # One secret per owner signs their desktop links; a new link or /web off replaces or
    # deletes it, which revokes every link signed before.
    db["web_links"].create({"owner": str, "secret": str, "created_at": str}, pk="owner")


@migrations()
def m011_meetings(db: Database) -> None:
    # A meeting of one 班子: its flow, deadline and invite code (a secret, replaced to revoke).
    db["meetings"].create(
        {
            "id": int,
            "code": str,
            "flow_id": str,
            "name": str,
            "deadline": str,
            "organiser": str,
            "organiser_name": str,
            "roster": str,
            "team_interview": int,  # the organiser's 领导班子 report, when begun
            "created_at": str,
        },
        pk="id",
        not_null={"code", "flow_id", "name", "deadline", "organiser"},
    )
    db["meetings"].create_index(["code"], unique=True)
    db["meeting_members"].create(
        {
            "meeting_id": int,
            "owner": str,
            "name": str,
            "role": str,  # member | co (a co-organiser, named by the organiser)
            "interview_id": int,
            "joined_at": str,
        },
        pk=("meeting_id", "owner"),
        foreign_keys=[("meeting_id", "meetings", "id")],
    )
    db["meeting_members"].create_index(["owner"])
    # What a member submitted: a copy of the answers at that moment, so later edits stay
    # private until submitted again. Withdrawing or leaving deletes the copy.
    db["submissions"].create(
        {
            "meeting_id": int,
            "owner": str,
            "interview_id": int,
            "answers": str,
            "submitted_at": str,
        },
        pk=("meeting_id", "owner"),
        foreign_keys=[("meeting_id", "meetings", "id")],
    )
    db["meeting_reminders"].create(
        {"meeting_id": int, "owner": str, "reason": str, "sent_at": str},
        pk=("meeting_id", "owner", "reason"),
        foreign_keys=[("meeting_id", "meetings", "id")],
    )
    # A /meeting new conversation in progress (flow, deadline, name, roster so far).
    db["meeting_drafts"].create({"owner": str, "data": str, "created_at": str}, pk="owner")
