"""Users, chats, profiles and the /next dialog state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.models import PROFILE_FIELDS, Profile, User
from bot.core.storage.base import SqliteBase, _ts

_PROFILE_KEYS = frozenset(PROFILE_FIELDS)
USER_FIELDS = ("id", "name", "language", "first_seen", "last_seen")


@dataclass(frozen=True)
class DialogState:
    """Where a user is in the /next guided dialog."""

    active: bool = False
    skipped: tuple[str, ...] = ()  # profile fields the user chose not to answer
    history: tuple[str, ...] = ()  # fields asked so far, for "back"
    awaiting: str | None = None  # the field whose typed answer we wait for


def profile_from_json(data: str | None) -> Profile:
    """Ignores unknown keys, so a field removed from Profile does not break old rows."""
    if not data:
        return Profile()
    raw = json.loads(data)
    if raw.keys() <= _PROFILE_KEYS:  # the usual case: skip the filtering copy
        return Profile(**raw)
    return Profile(**{k: v for k, v in raw.items() if k in _PROFILE_KEYS})


def _profile_json(profile: Profile) -> str:
    return json.dumps(profile.to_dict(), sort_keys=True)


def dialog_json(state: DialogState) -> str:
    return json.dumps(
        {
            "active": state.active,
            "skipped": list(state.skipped),
            "history": list(state.history),
            "awaiting": state.awaiting,
        }
    )


def _dialog_from_json(data: str) -> DialogState:
    raw = json.loads(data)
    return DialogState(
        active=bool(raw.get("active", False)),
        skipped=tuple(raw.get("skipped", ())),
        history=tuple(raw.get("history", ())),
        awaiting=raw.get("awaiting"),
    )


class UsersProfiles(Protocol):
    """People, chats (active or not), profiles and dialog states."""

    async def upsert_user(self, user: User, now: datetime) -> None: ...
    async def set_active(self, chat_id: int, active: bool) -> None: ...
    async def is_active(self, chat_id: int) -> bool: ...
    async def user_ids(self, active_only: bool = False) -> list[int]: ...
    async def count_users(self) -> tuple[int, int]: ...

    # profiles and the /next dialog
    async def get_profile(self, user_id: int) -> Profile: ...
    async def save_profile(self, user_id: int, profile: Profile, now: datetime) -> None: ...
    async def get_dialog(self, user_id: int) -> DialogState | None: ...
    async def save_dialog(self, user_id: int, state: DialogState | None) -> None: ...


class UsersProfilesSql(SqliteBase):
    """`UsersProfiles` on SQLite."""

    async def upsert_user(self, user: User, now: datetime) -> None:
        """Remember name and last contact; `active` is a chat property and stays untouched."""
        await self._write(
            "INSERT INTO users (id, name, language, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
            " language = excluded.language, last_seen = excluded.last_seen,"
            " first_seen = coalesce(users.first_seen, excluded.first_seen)",
            (user.id, user.name, user.language, _ts(now), _ts(now)),
        )

    async def set_active(self, chat_id: int, active: bool) -> None:
        await self._write(
            "INSERT INTO chats (chat_id, active) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET active = excluded.active",
            (chat_id, int(active)),
        )

    async def is_active(self, chat_id: int) -> bool:
        """Unknown chats are active: we only learn a chat is gone when Telegram tells us."""
        active = await self._scalar("SELECT active FROM chats WHERE chat_id = ?", (chat_id,))
        return active is None or bool(active)

    async def user_ids(self, active_only: bool = False) -> list[int]:
        sql = "SELECT id FROM users"
        if active_only:
            sql += " WHERE NOT EXISTS (SELECT 1 FROM chats WHERE chat_id = id AND active = 0)"
        return [row[0] for row in await self._rows(sql + " ORDER BY id")]

    async def count_users(self) -> tuple[int, int]:
        """(all users, users whose private chat has not blocked us)."""
        row = await self._row(
            "SELECT count(*), count(*) - count(c.chat_id) FROM users u"
            " LEFT JOIN chats c ON c.chat_id = u.id AND c.active = 0"
        )
        assert row is not None
        return row[0], row[1]

    # -- profiles and dialogs -------------------------------------------------------------------

    async def get_profile(self, user_id: int) -> Profile:
        return profile_from_json(
            await self._scalar("SELECT data FROM profiles WHERE user_id = ?", (user_id,))
        )

    async def save_profile(self, user_id: int, profile: Profile, now: datetime) -> None:
        await self._write(
            "INSERT INTO profiles (user_id, data, updated) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, updated = excluded.updated",
            (user_id, _profile_json(profile), _ts(now)),
        )

    async def get_dialog(self, user_id: int) -> DialogState | None:
        data = await self._scalar("SELECT data FROM dialogs WHERE user_id = ?", (user_id,))
        return None if data is None else _dialog_from_json(data)

    async def save_dialog(self, user_id: int, state: DialogState | None) -> None:
        """None ends the dialog and removes its row."""
        if state is None:
            await self._write("DELETE FROM dialogs WHERE user_id = ?", (user_id,))
            return
        await self._write(
            "INSERT INTO dialogs (user_id, data) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data",
            (user_id, dialog_json(state)),
        )

    # -- questions and feedback -----------------------------------------------------------------
