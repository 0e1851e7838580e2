"""Delivering the outbox: reminders, group reminders and broadcasts, with the same guarantees.

The policy lives here, the wire does not: an adapter implements `Sender` (one message to one
chat) and says what happened in core's words (an `Outcome`); this module decides what that means
for the rows. A row is marked sent only after the sender reports it delivered, and at once (its
own short write), so a crash (even kill -9) loses nothing and repeats at most the messages in
flight at that moment: at most PARALLEL_SENDS. Several items for one chat go out as one message,
which keeps within Telegram's one-message-per-second-per-chat limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.models import OutboxItem
from bot.core.storage import Storage

log = logging.getLogger(__name__)

BATCH = 500
MAX_PER_SWEEP = 20_000  # bounds one sweep; the rest goes out on the next one
# Chats being sent to at once: what a crash can repeat. The rate limiter spaces sends at 28/s;
# at Telegram's usual 100-300 ms per send, 10 in flight keep up with that rate (10 / 0.3 s = 33/s)
# where 30 in flight repeated up to 30 messages after a kill -9.
PARALLEL_SENDS = 10
RETRY_DELAY = timedelta(seconds=60)


@dataclass(frozen=True)
class Delivered:
    """The chat has the message. `unsure` when it may be missing: the send timed out after
    every allowed attempt, and another try could show it once more (counted as sent)."""

    unsure: bool = False


@dataclass(frozen=True)
class Retry:
    """Not delivered, try again: after `after` (a flood wait) or RETRY_DELAY."""

    reason: str
    after: timedelta | None = None


@dataclass(frozen=True)
class Gone:
    """The chat blocked the bot or removed it: no more messages to it until it comes back."""

    reason: str


@dataclass(frozen=True)
class Refused:
    """This message can never be delivered (the platform rejected it): a dead letter."""

    reason: str


@dataclass(frozen=True)
class Moved:
    """The chat has a new id (a group that became a supergroup); its rows follow it."""

    new_chat_id: int


Outcome = Delivered | Retry | Gone | Refused | Moved


class Sender(Protocol):
    """What an adapter provides: send one text to one chat and say what happened. It never
    raises for a delivery failure; it translates its own errors into an Outcome."""

    async def send(self, chat_id: int, text: str) -> Outcome: ...


class Outbox:
    """Sends the pending rows of the outbox through a Sender and records each outcome."""

    def __init__(
        self,
        storage: Storage,
        clock: Callable[[], datetime],
        text_of: Callable[[OutboxItem], str | None],
        on_moved: Callable[[int, int], Awaitable[None]],
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.text_of = text_of  # None: the row must not go out (its event is gone or past)
        self.on_moved = on_moved

    async def deliver(self, sender: Sender, running: Callable[[], bool] = lambda: True) -> int:
        """Send pending items until none is due (or `running()` turns false, as when the bot is
        shutting down); returns how many items were delivered."""
        delivered = 0
        gate = asyncio.Semaphore(PARALLEL_SENDS)
        seen: set[int] = set()
        while delivered < MAX_PER_SWEEP and running():
            pending = await self.storage.pending(BATCH, self.clock())
            items = [i for i in pending if i.id not in seen]
            if not items:
                break
            seen.update(i.id for i in items)
            by_chat: dict[int, list[OutboxItem]] = defaultdict(list)
            for item in items:
                by_chat[item.chat_id].append(item)
            results = await asyncio.gather(
                *(
                    self._send_chat(sender, chat_id, group, gate, running)
                    for chat_id, group in by_chat.items()
                )
            )
            delivered += sum(results)
        return delivered

    async def _send_chat(
        self,
        sender: Sender,
        chat_id: int,
        items: list[OutboxItem],
        gate: asyncio.Semaphore,
        running: Callable[[], bool],
    ) -> int:
        """One message (the sender may split a long one) for all of a chat's pending items."""
        async with gate:
            if not running():
                return 0  # shutting down: the rows stay pending
            texts = {item.id: self.text_of(item) for item in items}
            for item in items:
                if texts[item.id] is None:
                    await self.storage.mark_dead(item.id, "the event was removed or is past")
            items = [item for item in items if texts[item.id] is not None]
            if not items:
                return 0
            outcome = await sender.send(chat_id, "\n\n".join(str(texts[i.id]) for i in items))
            return await self._record(chat_id, items, outcome)

    async def _record(self, chat_id: int, items: list[OutboxItem], outcome: Outcome) -> int:
        """What the outcome means for the rows; returns how many count as delivered."""
        ids = [item.id for item in items]
        match outcome:
            case Delivered(unsure=unsure):
                if unsure:
                    log.warning(
                        "chat %s: send timed out; counted as delivered (may be missing)", chat_id
                    )
                await self.storage.mark_sent_many(ids, self.clock())
                return 0 if unsure else len(ids)
            case Gone(reason=reason):
                log.info("chat %s is gone (%s); no more messages", chat_id, reason)
                await self.storage.set_active(chat_id, False)
                await self.storage.drop_pending_for(chat_id)
            case Moved(new_chat_id=new_id):
                log.info("chat %s became supergroup %s", chat_id, new_id)
                await self.on_moved(chat_id, new_id)  # the rows move; the next sweep sends them
            case Refused(reason=reason):
                for item_id in ids:
                    await self.storage.mark_dead(item_id, reason)
                log.warning("chat %s: message refused (%s); not retried", chat_id, reason)
            case Retry(reason=reason, after=after):
                next_attempt = self.clock() + (after or RETRY_DELAY)
                for item_id in ids:
                    await self.storage.mark_retry(item_id, reason, next_attempt)
        return 0
