"""Persistence: the `Storage` interface, one piece per feature, and its SQLite implementation.

SQLite holds the truth for users, profiles, the /next dialog, reminders and the outbox, so nothing
a user did is lost on a crash or restart. Callers get models (Profile, ReminderSettings,
OutboxItem, DialogState, Cohort), never rows, so a PostgreSQL implementation can follow for
several replicas behind a webhook without touching the service.

One module per feature, each with its piece of the protocol and its SQLite methods:
users_profiles (people, chats, profiles, the dialog), questions (asked questions, feedback),
reminders_outbox (settings, the outbox, the update inbox), cohorts, broadcasts; base holds the
connection, its lock and the migrations (bot/core/migrations/*.sql).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.core.errors import StorageError
from bot.core.storage.base import MIGRATIONS_DIR, SqliteBase
from bot.core.storage.broadcasts import Broadcasts, BroadcastsSql
from bot.core.storage.cohorts import Cohort, CohortStore, CohortStoreSql
from bot.core.storage.questions import QuestionLog, QuestionLogSql, normalise_question
from bot.core.storage.reminders_outbox import (
    BROADCAST_KEY_PREFIX,
    OutboxEntry,
    RemindersOutbox,
    RemindersOutboxSql,
)
from bot.core.storage.users_profiles import (
    USER_FIELDS,
    DialogState,
    UsersProfiles,
    UsersProfilesSql,
    dialog_json,
)

__all__ = [
    "BROADCAST_KEY_PREFIX",
    "MIGRATIONS_DIR",
    "Cohort",
    "DialogState",
    "OutboxEntry",
    "SqliteStorage",
    "Storage",
    "StorageError",
    "normalise_question",
]


class Storage(UsersProfiles, QuestionLog, RemindersOutbox, CohortStore, Broadcasts, Protocol):
    """What the service needs from persistence; every time is timezone-aware."""

    async def close(self) -> None: ...

    # privacy and stats
    async def export_user(self, user_id: int) -> dict[str, Any]: ...
    async def forget_user(self, user_id: int) -> None: ...
    async def stats(self, now: datetime) -> dict[str, Any]: ...


class SqliteStorage(
    UsersProfilesSql, QuestionLogSql, RemindersOutboxSql, CohortStoreSql, BroadcastsSql, SqliteBase
):
    """`Storage` on one aiosqlite connection; build it with `await SqliteStorage.open(path)`.
    Privacy and stats span every room, so they live here."""

    # -- privacy --------------------------------------------------------------------------------

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one person, as JSON-ready data (for /export)."""
        user = await self._row(
            f"SELECT {', '.join(USER_FIELDS)}, share FROM users WHERE id = ?",
            (user_id,),
        )
        dialog = await self.get_dialog(user_id)
        reminders = await self.get_reminders(user_id)
        cohort = await self.cohort_of_user(user_id)
        return {
            "user": None if user is None else dict(zip(USER_FIELDS, user[:5], strict=True)),
            "active": await self.is_active(user_id),
            "profile": (await self.get_profile(user_id)).to_dict(),
            "dialog": None if dialog is None else json.loads(dialog_json(dialog)),
            "reminders": {**asdict(reminders), "leads": list(reminders.leads)},
            "questions": await self._export_questions(user_id),
            "feedback": await self._export_feedback(user_id),
            "cohort": None if cohort is None else {"name": cohort.name, "year": cohort.year},
            "share": bool(user[5]) if user is not None else False,
        }

    async def forget_user(self, user_id: int) -> None:
        """/forget: delete every row about the person in one transaction (all or nothing).

        Rows that belong to others but name the person (a cohort they created, a broadcast they
        sent as admin) keep existing with the reference cleared.
        """
        deletes = (
            ("users", "id = ?"),
            ("chats", "chat_id = ?"),
            ("profiles", "user_id = ?"),
            ("dialogs", "user_id = ?"),
            ("feedback", "user_id = ?"),
            ("reminders", "chat_id = ?"),
            ("outbox", "chat_id = ?"),
            ("cohort_members", "user_id = ?"),
            ("cohort_leads", "user_id = ?"),
        )
        async with self._transaction() as db:
            for table, condition in deletes:
                await db.execute(f"DELETE FROM {table} WHERE {condition}", (user_id,))
            await db.execute(
                "DELETE FROM questions WHERE user_id = ? OR chat_id = ?", (user_id, user_id)
            )
            await db.execute(
                "UPDATE cohorts SET created_by = NULL WHERE created_by = ?", (user_id,)
            )
            await db.execute("UPDATE broadcasts SET admin_id = NULL WHERE admin_id = ?", (user_id,))

    # -- stats ----------------------------------------------------------------------------------

    async def stats(self, now: datetime) -> dict[str, Any]:
        """The admin /stats numbers; days are UTC dates, the last 7 ending today."""
        today = now.astimezone(UTC).date()
        first = today - timedelta(days=6)
        since = datetime(first.year, first.month, first.day, tzinfo=UTC)
        users, active = await self.count_users()
        questions = await self.question_stats(since)
        days = [(first + timedelta(days=i)).isoformat() for i in range(7)]
        per_day = {day: questions["per_day"].get(day, 0) for day in days}
        outbox = await self.outbox_counts()
        asked = questions["questions"]
        return {
            "users": users,
            "active_users": active,
            "questions_per_day": per_day,
            "questions_7d": asked,
            "answered_7d": questions["answered"],
            "answer_rate": questions["answered"] / asked if asked else 0.0,
            "reminders_sent": outbox["sent"],
            "outbox": outbox,
            "top_unanswered": await self.top_unanswered(5),
        }
