"""Sending that survives Telegram's bad moments, from one place for every send in the bot.

AIORateLimiter already spaces messages overall (OVERALL_PER_SECOND) and per group (20/min) and
retries 429s after `retry_after`. This subclass adds:

- pacing per private chat: Telegram allows about one message per second in a chat, with short
  bursts; without it a reminder right after two command replies drew a 429;
- bounded retries of 5xx answers and network errors, with backoff;
- at most one retry of a request that timed out once connected: the server may have got it
  (the answer was lost), so each retry can show the message once more. One retry bounds that
  to a double, where the earlier three retries could show a message four times. A connect
  timeout sent nothing and is retried like a network error;
- a send to a group that became a supergroup (ChatMigrated): the chat's rows move to the new id
  (`on_migrate`) and the same message goes there, instead of being lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

from bot.core.reminders.outbox import Delivered, Gone, Moved, Outcome, Refused, Retry

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (0.5, 1.0, 2.0)  # one retry per value for a 5xx or a network error
TIMEOUT_RETRIES = 1  # a timed-out send may have arrived: each retry risks one more copy
RETRY_AFTER_RETRIES = 5
# Telegram allows about 30 messages/s in bulk; at exactly 30 request jitter makes bursts that
# a limit-enforcing server answers with 429 (which pauses all sending). 28 measured 0 such 429s
# and a higher sustained rate (benchmarks/bench_group_fanout.py).
OVERALL_PER_SECOND = 28
# Per private chat: Telegram's FAQ says "avoid sending more than one message per second" in a
# chat and tolerates short bursts (the fake Bot API models 3, then 1/s). A burst of 3 covers a
# welcome with its privacy note and the next answer; after it, 0.9/s rather than 1/s leaves
# ~0.1 s for network jitter, which can bring two paced messages closer than they were sent.
PRIVATE_BURST = 3
PRIVATE_PER_SECOND = 0.9
# Idle private-chat limiters are dropped beyond this many, so memory stays bounded.
MAX_CHAT_LIMITERS = 10_000
# Methods that put a new message into a chat: the ones Telegram's per-chat limit counts.
MESSAGE_METHODS = frozenset(
    {"copyMessage", "copyMessages", "forwardMessage", "forwardMessages", "sendMediaGroup"}
)

Migrate = Callable[[int, int], Awaitable[None]]


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter plus per-chat pacing, bounded retries and ChatMigrated handling."""

    def __init__(
        self,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
        private_per_second: float | None = PRIVATE_PER_SECOND,
    ) -> None:
        """`private_per_second=None` turns the per-chat pacing off: tests that check what a
        chat is shown, not when, use it instead of waiting ~1 s per reply."""
        super().__init__(overall_max_rate=OVERALL_PER_SECOND, max_retries=RETRY_AFTER_RETRIES)
        self.backoff = backoff
        self.private_per_second = private_per_second
        # Set once storage is open (app post_init): moves a migrated group's rows.
        self.on_migrate: Migrate | None = None
        self._chats: dict[int, AsyncLimiter] = {}

    async def process_request(self, *args: Any, **kwargs: Any) -> Any:
        endpoint: str = kwargs.get("endpoint", "")
        data: dict[str, Any] = kwargs.get("data") or {}
        errors = timeouts = 0
        migrated = False
        while True:
            try:
                await self._pace(endpoint, data)
                return await super().process_request(*args, **kwargs)
            except ChatMigrated as exc:
                if migrated or self.on_migrate is None or "chat_id" not in data:
                    raise
                migrated = True
                await self._move(data, exc.new_chat_id)
            except (Forbidden, BadRequest, RetryAfter):
                raise
            except TimedOut as exc:
                if not maybe_delivered(exc):
                    errors += 1
                    if errors > len(self.backoff):
                        raise
                    await self._wait(endpoint, exc, errors - 1)
                    continue
                timeouts += 1
                if timeouts > TIMEOUT_RETRIES:
                    raise
                await self._wait(endpoint, exc, 0)
            except NetworkError as exc:
                errors += 1
                if errors > len(self.backoff):
                    raise
                await self._wait(endpoint, exc, errors - 1)

    async def _wait(self, endpoint: str, exc: Exception, attempt: int) -> None:
        delay = self.backoff[min(attempt, len(self.backoff) - 1)]
        log.warning("%s failed (%s); retrying in %.1fs", endpoint, exc, delay)
        await asyncio.sleep(delay)

    async def _pace(self, endpoint: str, data: dict[str, Any]) -> None:
        """Wait for the private chat's turn (groups are paced by AIORateLimiter itself)."""
        if not (endpoint in MESSAGE_METHODS or endpoint.startswith("send")):
            return
        if endpoint == "sendChatAction" or self.private_per_second is None:
            return
        chat_id = _int(data.get("chat_id"))
        if chat_id is None or chat_id < 0:
            return
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) >= MAX_CHAT_LIMITERS:
                self._forget_idle()
            limiter = AsyncLimiter(PRIVATE_BURST, PRIVATE_BURST / self.private_per_second)
            self._chats[chat_id] = limiter
        await limiter.acquire()

    def _forget_idle(self) -> None:
        """Drop limiters with a full bucket: they would let the next message through anyway."""
        for chat_id in [c for c, lim in self._chats.items() if lim.has_capacity(PRIVATE_BURST)]:
            del self._chats[chat_id]

    async def _move(self, data: dict[str, Any], new_chat_id: int) -> None:
        """The group is a supergroup now: move its rows, then send the same message there. A
        quoted message belongs to the old chat, so the quote is dropped."""
        old_chat_id = int(data["chat_id"])
        log.info("group %s became supergroup %s; sending there", old_chat_id, new_chat_id)
        assert self.on_migrate is not None
        await self.on_migrate(old_chat_id, new_chat_id)
        data["chat_id"] = new_chat_id
        data.pop("reply_parameters", None)
        data.pop("reply_to_message_id", None)


def maybe_delivered(exc: TimedOut) -> bool:
    """Whether Telegram may have carried out a request that timed out: yes, unless the
    connection was never made (connect or pool timeout, which PTB also reports as TimedOut)."""
    return not isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


def outcome_of(exc: Exception) -> Outcome:
    """A failed send in core's words (bot.core.reminders.outbox): the one place Telegram's
    errors are translated. What each outcome does to the outbox rows is core's decision."""
    if isinstance(exc, Forbidden):
        return Gone(str(exc))
    if isinstance(exc, ChatMigrated):
        return Moved(exc.new_chat_id)
    if isinstance(exc, TimedOut) and maybe_delivered(exc):
        # Telegram may have shown it already, after each of the two attempts the rate limiter
        # made: another try could show it a third time.
        return Delivered(unsure=True)
    if isinstance(exc, BadRequest):
        return Refused(str(exc))
    if isinstance(exc, RetryAfter):
        value = exc.retry_after  # int seconds or a timedelta, depending on PTB's settings
        after = value if isinstance(value, timedelta) else timedelta(seconds=value)
        return Retry(f"{type(exc).__name__}: {exc}", after)
    if not isinstance(exc, NetworkError):
        log.error("unexpected delivery error", exc_info=exc)
    return Retry(f"{type(exc).__name__}: {exc}")


def _int(value: object) -> int | None:
    """A numeric chat id (an @channel username is not a private chat)."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
