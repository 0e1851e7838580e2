"""Reminder settings per chat, the durable outbox of messages to send, and the update inbox."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.core.models import OutboxItem, Profile, ReminderSettings
from bot.core.storage.base import Row, SqliteBase, _dt, _leads, _leads_text, _ts
from bot.core.storage.users_profiles import profile_from_json

# Outbox keys: reminders are "{chat}:{event}:{lead}"; broadcasts start with this prefix.
BROADCAST_KEY_PREFIX = "b"

# (chat_id, key, text) or (chat_id, key, text, meta): one message to plan for delivery.
OutboxEntry = tuple[int, str, str] | tuple[int, str, str, Mapping[str, str]]


def _reminder_row(s: ReminderSettings) -> tuple[Any, ...]:
    return (int(s.enabled), _leads_text(s.leads), s.tz, s.quiet_start, s.quiet_end, s.send_hour)


def _reminders_from(row: Row) -> ReminderSettings:
    """`row` is (enabled, leads, tz, quiet_start, quiet_end, send_hour)."""
    enabled, leads, tz, quiet_start, quiet_end, send_hour = row
    return ReminderSettings(
        enabled=bool(enabled),
        leads=_leads(leads),
        tz=tz,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        send_hour=send_hour,
    )


def _outbox_item(row: Row) -> OutboxItem:
    item_id, chat_id, key, text, meta, attempts, created = row
    return OutboxItem(
        id=item_id,
        chat_id=chat_id,
        key=key,
        text=text,
        attempts=attempts,
        created=_dt(created),
        meta=json.loads(meta),
    )


def _outbox_params(entry: OutboxEntry, now: str) -> tuple[Any, ...]:
    chat_id, key, text = entry[0], entry[1], entry[2]
    meta = dict(entry[3]) if len(entry) == 4 else {}
    return (chat_id, key, text, json.dumps(meta), now, now)


class RemindersOutbox(Protocol):
    """Reminder settings, the outbox, and the journal of received updates."""

    # reminders
    async def get_reminders(self, chat_id: int) -> ReminderSettings: ...
    async def save_reminders(self, chat_id: int, s: ReminderSettings) -> None: ...
    async def subscribers(self) -> list[tuple[int, ReminderSettings, Profile]]: ...

    # outbox
    async def enqueue(self, items: Iterable[OutboxEntry], now: datetime) -> int: ...
    async def pending(self, limit: int, now: datetime) -> list[OutboxItem]: ...
    async def mark_sent(self, item_id: int, now: datetime) -> None: ...
    async def mark_sent_many(self, item_ids: Sequence[int], now: datetime) -> None: ...
    async def mark_retry(self, item_id: int, error: str, next_attempt: datetime) -> None: ...
    async def mark_dead(self, item_id: int, error: str) -> None: ...
    async def drop_pending_for(self, chat_id: int) -> int: ...
    async def delete_pending_where_key_prefix(self, prefix: str) -> int: ...
    async def outbox_counts(self) -> dict[str, int]: ...
    async def was_enqueued(self, key: str) -> bool: ...

    # the update inbox (long polling)
    async def inbox_add(self, updates: Sequence[tuple[int, str]]) -> list[tuple[int, str]]: ...
    async def inbox_done(self, update_id: int) -> None: ...
    async def inbox_pending(self) -> list[tuple[int, str]]: ...


class RemindersOutboxSql(SqliteBase):
    """`RemindersOutbox` on SQLite."""

    # -- reminders ------------------------------------------------------------------------------

    async def get_reminders(self, chat_id: int) -> ReminderSettings:
        row = await self._row(
            "SELECT enabled, leads, tz, quiet_start, quiet_end, send_hour FROM reminders"
            " WHERE chat_id = ?",
            (chat_id,),
        )
        return ReminderSettings() if row is None else _reminders_from(row)

    async def save_reminders(self, chat_id: int, s: ReminderSettings) -> None:
        await self._write(
            "INSERT OR REPLACE INTO reminders"
            " (chat_id, enabled, leads, tz, quiet_start, quiet_end, send_hour)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (chat_id, *_reminder_row(s)),
        )

    async def subscribers(self) -> list[tuple[int, ReminderSettings, Profile]]:
        """Every active chat with reminders on, with its profile (empty for groups).

        One query for all of them; identical settings and profiles are parsed once and shared
        (they are frozen), which keeps 100,000 subscribers well under a second.
        """
        rows = await self._rows(
            "SELECT r.chat_id, r.enabled, r.leads, r.tz, r.quiet_start, r.quiet_end,"
            " r.send_hour, p.data FROM reminders r"
            " LEFT JOIN chats c ON c.chat_id = r.chat_id"
            " LEFT JOIN profiles p ON p.user_id = r.chat_id"
            " WHERE r.enabled = 1 AND coalesce(c.active, 1) = 1 ORDER BY r.chat_id"
        )
        settings: dict[tuple[Any, ...], ReminderSettings] = {}
        profiles: dict[str | None, Profile] = {}
        result = []
        for row in rows:
            key = tuple(row[1:7])
            s = settings.get(key)
            if s is None:
                s = settings[key] = _reminders_from(key)
            profile = profiles.get(row[7])
            if profile is None:
                profile = profiles[row[7]] = profile_from_json(row[7])
            result.append((row[0], s, profile))
        return result

    # -- outbox ---------------------------------------------------------------------------------

    async def enqueue(self, items: Iterable[OutboxEntry], now: datetime) -> int:
        """Plan messages in one transaction; a key already planned is skipped. Returns new rows."""
        stamp = _ts(now)
        params = [_outbox_params(item, stamp) for item in items]
        if not params:
            return 0
        async with self._transaction() as db:
            before = db.total_changes
            await db.executemany(
                # ON CONFLICT (key), not OR IGNORE: only a duplicate key is skipped, a bad
                # row (e.g. no text) still fails the batch instead of vanishing.
                "INSERT INTO outbox (chat_id, key, text, meta, created, next_attempt)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                params,
            )
            return db.total_changes - before

    async def pending(self, limit: int, now: datetime) -> list[OutboxItem]:
        """Unsent, not dead, due by `now`; oldest first."""
        rows = await self._rows(
            "SELECT id, chat_id, key, text, meta, attempts, created FROM outbox"
            " WHERE sent_at IS NULL AND dead = 0 AND next_attempt <= ? ORDER BY id LIMIT ?",
            (_ts(now), limit),
        )
        return [_outbox_item(row) for row in rows]

    async def mark_sent(self, item_id: int, now: datetime) -> None:
        await self._write(
            "UPDATE outbox SET sent_at = ?, error = NULL WHERE id = ?", (_ts(now), item_id)
        )

    async def mark_sent_many(self, item_ids: Sequence[int], now: datetime) -> None:
        """The rows of one delivered message, in one short statement (its own transaction):
        called as soon as the send returns, so a crash repeats only messages in flight."""
        marks = ",".join("?" * len(item_ids))
        await self._write(
            f"UPDATE outbox SET sent_at = ?, error = NULL WHERE id IN ({marks})",
            (_ts(now), *item_ids),
        )

    async def mark_retry(self, item_id: int, error: str, next_attempt: datetime) -> None:
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, error = ?, next_attempt = ? WHERE id = ?",
            (error, _ts(next_attempt), item_id),
        )

    async def mark_dead(self, item_id: int, error: str) -> None:
        """Never retried: the failure is permanent (blocked, chat gone, bad request)."""
        await self._write(
            "UPDATE outbox SET dead = 1, attempts = attempts + 1, error = ? WHERE id = ?",
            (error, item_id),
        )

    async def drop_pending_for(self, chat_id: int) -> int:
        """The chat blocked us: its pending messages die instead of failing one by one."""
        return await self._write(
            "UPDATE outbox SET dead = 1, error = 'chat inactive'"
            " WHERE chat_id = ? AND sent_at IS NULL AND dead = 0",
            (chat_id,),
        )

    async def delete_pending_where_key_prefix(self, prefix: str) -> int:
        """Forget planned-but-unsent messages so they can be re-planned (e.g. after /reload)."""
        return await self._write(
            "DELETE FROM outbox WHERE sent_at IS NULL AND dead = 0"
            " AND substr(key, 1, length(?)) = ?",
            (prefix, prefix),
        )

    async def outbox_counts(self) -> dict[str, int]:
        row = await self._row(
            "SELECT count(*) FILTER (WHERE sent_at IS NULL AND dead = 0),"
            " count(*) FILTER (WHERE sent_at IS NOT NULL),"
            " count(*) FILTER (WHERE sent_at IS NULL AND dead = 1) FROM outbox"
        )
        assert row is not None
        return {"pending": row[0], "sent": row[1], "dead": row[2]}

    async def was_enqueued(self, key: str) -> bool:
        return await self._scalar("SELECT 1 FROM outbox WHERE key = ?", (key,)) is not None

    # -- update inbox ---------------------------------------------------------------------------

    async def inbox_add(self, updates: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
        """Journal a batch of (update_id, JSON) in one transaction; returns the new ones.

        An id already present was journaled before a crash that came before its confirmation:
        it is handled (or will be, from the journal) and is not returned. Handled rows below the
        batch can never come again (the offset confirmed them), so they are pruned here.
        """
        if not updates:
            return []
        async with self._transaction() as db:
            await db.execute(
                "DELETE FROM update_inbox WHERE body IS NULL AND update_id < ?",
                (min(update_id for update_id, _ in updates),),
            )
            fresh = []
            for update_id, body in updates:
                cursor = await db.execute(
                    "INSERT INTO update_inbox (update_id, body) VALUES (?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (update_id, body),
                )
                if cursor.rowcount:
                    fresh.append((update_id, body))
            return fresh

    async def inbox_done(self, update_id: int) -> None:
        """Handled: erase the content at once (it may hold a user's message)."""
        await self._write("UPDATE update_inbox SET body = NULL WHERE update_id = ?", (update_id,))

    async def inbox_pending(self) -> list[tuple[int, str]]:
        """Journaled but not handled (the bot stopped first), oldest first."""
        rows = await self._rows(
            "SELECT update_id, body FROM update_inbox WHERE body IS NOT NULL ORDER BY update_id"
        )
        return [(row[0], row[1]) for row in rows]
