"""The outbox's delivery policy, in core: what each outcome a Sender reports does to the rows.

A scripted Sender stands in for Telegram, so every branch (delivered, unsure, retry, flood wait,
gone, refused, moved, a reminder whose event is gone) is checked on a real SQLite file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.models import OutboxItem
from bot.core.reminders.outbox import (
    PARALLEL_SENDS,
    RETRY_DELAY,
    Delivered,
    Gone,
    Moved,
    Outbox,
    Outcome,
    Refused,
    Retry,
)
from bot.core.storage import SqliteStorage

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class ScriptedSender:
    """Answers each chat with the outcome given for it (Delivered by default); records sends."""

    def __init__(self, outcomes: dict[int, Outcome] | None = None) -> None:
        self.outcomes = outcomes or {}
        self.sent: list[tuple[int, str]] = []

    async def send(self, chat_id: int, text: str) -> Outcome:
        self.sent.append((chat_id, text))
        return self.outcomes.get(chat_id, Delivered())


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    storage = await SqliteStorage.open(tmp_path / "db.sqlite3")
    yield storage
    await storage.close()


def outbox(store: SqliteStorage, moved: list[tuple[int, int]] | None = None) -> Outbox:
    def text_of(item: OutboxItem) -> str | None:
        return None if item.meta.get("gone") else item.text

    async def on_moved(old: int, new: int) -> None:
        (moved if moved is not None else []).append((old, new))
        await store.migrate_chat(old, new)

    return Outbox(store, lambda: NOW, text_of, on_moved)


async def test_a_chats_items_go_out_as_one_message_and_are_marked_sent(store) -> None:
    await store.enqueue([(1, "a", "first"), (1, "b", "second"), (2, "c", "other")], NOW)
    sender = ScriptedSender()
    assert await outbox(store).deliver(sender) == 3
    assert sorted(sender.sent) == [(1, "first\n\nsecond"), (2, "other")]
    assert await store.outbox_counts() == {"pending": 0, "sent": 3, "dead": 0}
    assert await outbox(store).deliver(sender) == 0, "nothing is sent twice"


async def test_retry_waits_the_default_delay_or_the_flood_wait(store) -> None:
    await store.enqueue([(1, "a", "x"), (2, "b", "y")], NOW)
    sender = ScriptedSender({1: Retry("NetworkError"), 2: Retry("RetryAfter", timedelta(hours=1))})
    assert await outbox(store).deliver(sender) == 0
    assert await store.outbox_counts() == {"pending": 2, "sent": 0, "dead": 0}
    assert await store.pending(10, NOW + RETRY_DELAY - timedelta(seconds=1)) == []
    due = await store.pending(10, NOW + RETRY_DELAY)
    assert [i.chat_id for i in due] == [1], "the flood wait holds chat 2 for an hour"
    assert due[0].attempts == 1
    assert [i.chat_id for i in await store.pending(10, NOW + timedelta(hours=1))] == [1, 2]


async def test_a_gone_chat_is_deactivated_and_its_pending_rows_dropped(store) -> None:
    await store.set_active(1, True)
    await store.enqueue([(1, "a", "x"), (1, "b", "y")], NOW)
    assert await outbox(store).deliver(ScriptedSender({1: Gone("blocked")})) == 0
    assert not await store.is_active(1)
    assert await store.pending(10, NOW + timedelta(days=1)) == []


async def test_a_refused_message_is_a_dead_letter_not_retried(store) -> None:
    await store.enqueue([(1, "a", "x")], NOW)
    assert await outbox(store).deliver(ScriptedSender({1: Refused("chat not found")})) == 0
    assert await store.outbox_counts() == {"pending": 0, "sent": 0, "dead": 1}


async def test_an_unsure_delivery_is_marked_sent_but_not_counted(store) -> None:
    await store.enqueue([(1, "a", "x")], NOW)
    assert await outbox(store).deliver(ScriptedSender({1: Delivered(unsure=True)})) == 0
    assert await store.outbox_counts() == {"pending": 0, "sent": 1, "dead": 0}


async def test_a_moved_chat_takes_its_rows_to_the_new_id(store) -> None:
    await store.enqueue([(-5, "a", "x")], NOW)
    moved: list[tuple[int, int]] = []
    assert await outbox(store, moved).deliver(ScriptedSender({-5: Moved(-1005)})) == 0
    assert moved == [(-5, -1005)]
    sender = ScriptedSender()
    assert await outbox(store).deliver(sender) == 1
    assert sender.sent == [(-1005, "x")]


async def test_an_item_without_text_now_is_dead_and_not_sent(store) -> None:
    await store.enqueue([(1, "a", "x", {"gone": "1"}), (1, "b", "kept")], NOW)
    sender = ScriptedSender()
    assert await outbox(store).deliver(sender) == 1
    assert sender.sent == [(1, "kept")]
    assert await store.outbox_counts() == {"pending": 0, "sent": 1, "dead": 1}


async def test_stopping_leaves_the_rows_pending(store) -> None:
    await store.enqueue([(i, f"k{i}", "x") for i in range(1, 4)], NOW)
    sender = ScriptedSender()
    assert await outbox(store).deliver(sender, running=lambda: False) == 0
    assert sender.sent == []
    assert (await store.outbox_counts())["pending"] == 3


async def test_at_most_parallel_sends_chats_are_in_flight(store) -> None:
    await store.enqueue([(i, f"k{i}", "x") for i in range(1, 3 * PARALLEL_SENDS)], NOW)
    in_flight = peak = 0

    class Slow(ScriptedSender):
        async def send(self, chat_id: int, text: str) -> Outcome:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0)
            in_flight -= 1
            return Delivered()

    assert await outbox(store).deliver(Slow()) == 3 * PARALLEL_SENDS - 1
    assert peak == PARALLEL_SENDS
