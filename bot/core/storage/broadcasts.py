"""Admin broadcasts: drafts, then queued into the outbox once confirmed."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.storage.base import SqliteBase, _ts


class Broadcasts(Protocol):
    """Broadcast drafts and their status (draft, queued, cancelled)."""

    async def create_broadcast(self, admin_id: int, text: str, now: datetime) -> int: ...
    async def get_broadcast(self, broadcast_id: int) -> tuple[str, str] | None: ...
    async def set_broadcast_status(self, broadcast_id: int, status: str) -> None: ...


class BroadcastsSql(SqliteBase):
    """`Broadcasts` on SQLite."""

    # -- broadcasts -----------------------------------------------------------------------------

    async def create_broadcast(self, admin_id: int, text: str, now: datetime) -> int:
        """A draft; the admin confirms before it is fanned out."""
        async with self._lock:
            cursor = await self._db.execute(
                "INSERT INTO broadcasts (admin_id, text, status, created) VALUES (?, ?, ?, ?)",
                (admin_id, text, "draft", _ts(now)),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get_broadcast(self, broadcast_id: int) -> tuple[str, str] | None:
        """(text, status)."""
        row = await self._row("SELECT text, status FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else (row[0], row[1])

    async def set_broadcast_status(self, broadcast_id: int, status: str) -> None:
        await self._write("UPDATE broadcasts SET status = ? WHERE id = ?", (status, broadcast_id))
