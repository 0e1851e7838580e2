"""Process updates concurrently across chats but one at a time within a chat.

Different people should not wait for each other, but two quick taps by one person must not race
on their profile or dialog state.

An update may wait here for its chat's earlier ones, whose replies can be held back by per-chat
pacing (bot.tg.delivery): the flood guard judges how fast a person writes by `arrival_time`, not
by when the update's turn came, or pacing would let a flood through at the paced rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

MAX_CONCURRENT = 64


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent updates with a lock per chat (or per user when there is no chat)."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self.arrivals: dict[int, float] = {}  # update_id -> time.monotonic() on arrival

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        update_id = update.update_id if isinstance(update, Update) else None
        if update_id is not None:
            self.arrivals[update_id] = time.monotonic()
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]
            if update_id is not None:
                self.arrivals.pop(update_id, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def arrival_time(app: Application, update: Update) -> float:
    """When `update` reached the processor (time.monotonic()), before waiting for its chat."""
    processor = app.update_processor
    if isinstance(processor, PerChatUpdateProcessor):
        return processor.arrivals.get(update.update_id, time.monotonic())
    return time.monotonic()


def _key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0
