"""Cohorts: study groups, their members, leads, linked channel and sharing."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.core.errors import AlreadyExists
from bot.core.models import Profile
from bot.core.storage.base import Row, SqliteBase, _leads, _ts
from bot.core.storage.users_profiles import profile_from_json


@dataclass(frozen=True)
class Cohort:
    """A group chat of people aiming at the same Match year."""

    id: int
    name: str
    year: int
    chat_id: int
    code: str  # the invite code behind `/start join-CODE`
    channel_id: int | None = None
    leads: tuple[int, ...] = ()
    created_by: int | None = None  # None once the creator used /forget


_COHORT_SELECT = """
    SELECT c.id, c.name, c.year, c.chat_id, c.code, c.channel_id, c.created_by,
           (SELECT group_concat(user_id) FROM
               (SELECT user_id FROM cohort_leads WHERE cohort_id = c.id ORDER BY position))
    FROM cohorts c
"""


def _cohort(row: Row) -> Cohort:
    cohort_id, name, year, chat_id, code, channel_id, created_by, leads = row
    return Cohort(
        id=cohort_id,
        name=name,
        year=year,
        chat_id=chat_id,
        code=code,
        channel_id=channel_id,
        leads=_leads(leads),
        created_by=created_by,
    )


class CohortStore(Protocol):
    """Cohorts and the chats that move (a group becoming a supergroup)."""

    async def create_cohort(
        self, name: str, year: int, chat_id: int, code: str, created_by: int, now: datetime
    ) -> Cohort: ...
    async def get_cohort(self, cohort_id: int) -> Cohort | None: ...
    async def get_cohort_by_chat(self, chat_id: int) -> Cohort | None: ...
    async def get_cohort_by_code(self, code: str) -> Cohort | None: ...
    async def join_cohort(self, cohort_id: int, user_id: int, now: datetime) -> None: ...
    async def leave_cohort(self, user_id: int) -> bool: ...
    async def cohort_of_user(self, user_id: int) -> Cohort | None: ...
    async def cohort_members(self, cohort_id: int) -> list[int]: ...
    async def set_share(self, user_id: int, share: bool) -> None: ...
    async def get_share(self, user_id: int) -> bool: ...
    async def shared_profiles(self, cohort_id: int) -> list[Profile]: ...
    async def set_cohort_channel(self, cohort_id: int, channel_id: int | None) -> None: ...
    async def set_cohort_leads(self, cohort_id: int, leads: tuple[int, ...]) -> None: ...
    async def migrate_chat(self, old_id: int, new_id: int) -> None: ...


class CohortStoreSql(SqliteBase):
    """`CohortStore` on SQLite."""

    # -- cohorts --------------------------------------------------------------------------------

    async def create_cohort(
        self, name: str, year: int, chat_id: int, code: str, created_by: int, now: datetime
    ) -> Cohort:
        """Raises AlreadyExists when the chat already has a cohort or the code is taken."""
        async with self._lock:
            try:
                cursor = await self._db.execute(
                    "INSERT INTO cohorts (name, year, chat_id, code, created_by, created)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (name, year, chat_id, code, created_by, _ts(now)),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"cohort: {exc}") from None
            cohort_id = cursor.lastrowid
        assert cohort_id is not None
        return Cohort(cohort_id, name, year, chat_id, code, created_by=created_by)

    async def _cohort_where(self, condition: str, params: Sequence[Any]) -> Cohort | None:
        row = await self._row(f"{_COHORT_SELECT} WHERE {condition}", params)
        return None if row is None else _cohort(row)

    async def get_cohort(self, cohort_id: int) -> Cohort | None:
        return await self._cohort_where("c.id = ?", (cohort_id,))

    async def get_cohort_by_chat(self, chat_id: int) -> Cohort | None:
        return await self._cohort_where("c.chat_id = ?", (chat_id,))

    async def get_cohort_by_code(self, code: str) -> Cohort | None:
        return await self._cohort_where("c.code = ?", (code,))

    async def join_cohort(self, cohort_id: int, user_id: int, now: datetime) -> None:
        """A person is in one cohort at a time: joining another moves them."""
        await self._write(
            "INSERT INTO cohort_members (user_id, cohort_id, joined) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET cohort_id = excluded.cohort_id,"
            " joined = excluded.joined WHERE cohort_id != excluded.cohort_id",
            (user_id, cohort_id, _ts(now)),
        )

    async def leave_cohort(self, user_id: int) -> bool:
        """False when the user was not in a cohort."""
        return await self._write("DELETE FROM cohort_members WHERE user_id = ?", (user_id,)) > 0

    async def cohort_of_user(self, user_id: int) -> Cohort | None:
        return await self._cohort_where(
            "c.id = (SELECT cohort_id FROM cohort_members WHERE user_id = ?)", (user_id,)
        )

    async def cohort_members(self, cohort_id: int) -> list[int]:
        rows = await self._rows(
            "SELECT user_id FROM cohort_members WHERE cohort_id = ? ORDER BY joined, user_id",
            (cohort_id,),
        )
        return [row[0] for row in rows]

    async def set_share(self, user_id: int, share: bool) -> None:
        await self._write(
            "INSERT INTO users (id, share) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET share = excluded.share",
            (user_id, int(share)),
        )

    async def get_share(self, user_id: int) -> bool:
        """Sharing is opt-in: unknown users do not share."""
        return bool(await self._scalar("SELECT share FROM users WHERE id = ?", (user_id,)))

    async def shared_profiles(self, cohort_id: int) -> list[Profile]:
        """Profiles of members who opted in (empty for those who have not filled one in)."""
        rows = await self._rows(
            "SELECT p.data FROM cohort_members m JOIN users u ON u.id = m.user_id AND u.share = 1"
            " LEFT JOIN profiles p ON p.user_id = m.user_id"
            " WHERE m.cohort_id = ? ORDER BY m.joined, m.user_id",
            (cohort_id,),
        )
        return [profile_from_json(row[0]) for row in rows]

    async def set_cohort_channel(self, cohort_id: int, channel_id: int | None) -> None:
        await self._write("UPDATE cohorts SET channel_id = ? WHERE id = ?", (channel_id, cohort_id))

    async def set_cohort_leads(self, cohort_id: int, leads: tuple[int, ...]) -> None:
        """Replace the leads; order is kept (the first lead is the main contact)."""
        unique = list(dict.fromkeys(leads))
        async with self._transaction() as db:
            await db.execute("DELETE FROM cohort_leads WHERE cohort_id = ?", (cohort_id,))
            await db.executemany(
                "INSERT INTO cohort_leads (cohort_id, user_id, position) VALUES (?, ?, ?)",
                [(cohort_id, user_id, i) for i, user_id in enumerate(unique)],
            )

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move everything stored under the old chat id.

        Outbox keys start with the chat id ("{chat}:{deadline}:{lead}"), so they move too and
        the planner does not send the same reminder again under the new id.
        """
        old_prefix, new_prefix = f"{old_id}:", f"{new_id}:"
        async with self._transaction() as db:
            await db.execute(
                "UPDATE OR REPLACE chats SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            await db.execute(
                "UPDATE OR REPLACE reminders SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            await db.execute("UPDATE cohorts SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            await db.execute("UPDATE questions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            await db.execute(
                "UPDATE OR IGNORE outbox SET key = ? || substr(key, length(?) + 1)"
                " WHERE chat_id = ? AND substr(key, 1, length(?)) = ?",
                (new_prefix, old_prefix, old_id, old_prefix, old_prefix),
            )
            await db.execute("UPDATE outbox SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
