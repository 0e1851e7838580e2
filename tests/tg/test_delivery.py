"""RetryingRateLimiter's retry rules, through its public process_request with a fake send."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from telegram.error import ChatMigrated, NetworkError, TimedOut

from bot.tg.delivery import (
    BACKOFF_SECONDS,
    PRIVATE_BURST,
    PRIVATE_PER_SECOND,
    TIMEOUT_RETRIES,
    RetryingRateLimiter,
)


def timed_out(cause: Exception) -> TimedOut:
    """How PTB reports an httpx timeout: TimedOut raised from it."""
    error = TimedOut()
    error.__cause__ = cause
    return error


class Telegram:
    """A send that fails with the given errors, in order, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[dict[str, Any]] = []

    async def __call__(self, endpoint: str, data: dict[str, Any]) -> str:
        self.sent.append(dict(data))
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def send(limiter: RetryingRateLimiter, telegram: Telegram, data: dict[str, Any]) -> Any:
    return await limiter.process_request(
        callback=telegram,
        args=("sendMessage", data),
        kwargs={},
        endpoint="sendMessage",
        data=data,
        rate_limit_args=None,
    )


def limiter() -> RetryingRateLimiter:
    return RetryingRateLimiter(backoff=(0.0,) * len(BACKOFF_SECONDS))


async def test_a_read_timeout_is_retried_once_only() -> None:
    telegram = Telegram(*(timed_out(httpx.ReadTimeout("lost")) for _ in range(5)))
    with pytest.raises(TimedOut):
        await send(limiter(), telegram, {"text": "hi"})
    assert len(telegram.sent) == 1 + TIMEOUT_RETRIES


async def test_connect_timeouts_and_network_errors_are_retried_with_backoff() -> None:
    telegram = Telegram(timed_out(httpx.ConnectTimeout("no route")), NetworkError("502"))
    assert await send(limiter(), telegram, {"text": "hi"}) == "ok"
    telegram = Telegram(*(NetworkError("502") for _ in range(10)))
    with pytest.raises(NetworkError):
        await send(limiter(), telegram, {"text": "hi"})
    assert len(telegram.sent) == 1 + len(BACKOFF_SECONDS)


async def test_chat_migrated_moves_the_chat_and_resends_without_the_quote() -> None:
    moved: list[tuple[int, int]] = []

    async def on_migrate(old: int, new: int) -> None:
        moved.append((old, new))

    chosen = limiter()
    chosen.on_migrate = on_migrate
    telegram = Telegram(ChatMigrated(-100777))
    data = {"chat_id": -777, "text": "hi", "reply_parameters": {"message_id": 5}}
    assert await send(chosen, telegram, data) == "ok"
    assert moved == [(-777, -100777)]
    assert telegram.sent[-1] == {"chat_id": -100777, "text": "hi"}


class Clocked(Telegram):
    """A send that succeeds and notes when each request went out (event loop time)."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    async def __call__(self, endpoint: str, data: dict[str, Any]) -> str:
        self.at.append(asyncio.get_running_loop().time())
        return await super().__call__(endpoint, data)


async def test_private_chats_are_paced_after_a_burst_and_other_chats_do_not_wait() -> None:
    # The production pacing (PRIVATE_BURST, then PRIVATE_PER_SECOND) at 50/s instead of 0.9/s:
    # the same limiter, 20 ms instead of 1.1 s a message.
    rate = 50.0
    paced = RetryingRateLimiter(private_per_second=rate)
    chat, other = Clocked(), Clocked()
    for _ in range(PRIVATE_BURST + 3):
        await send(paced, chat, {"chat_id": 42, "text": "hi"})
    await send(paced, other, {"chat_id": 43, "text": "hi"})
    burst = chat.at[PRIVATE_BURST - 1] - chat.at[0]
    after = chat.at[-1] - chat.at[PRIVATE_BURST - 1]
    assert burst < 3 / rate, "the first PRIVATE_BURST messages go out at once"
    assert after >= 0.9 * 3 / rate, "then about one per 1/rate seconds"
    assert other.at[0] - chat.at[-1] < 1 / rate, "another chat has its own pace"


async def test_pacing_off_sends_at_once() -> None:
    unpaced = RetryingRateLimiter(private_per_second=None)
    chat = Clocked()
    for _ in range(PRIVATE_BURST + 10):
        await send(unpaced, chat, {"chat_id": 42, "text": "hi"})
    assert chat.at[-1] - chat.at[0] < 10 / PRIVATE_PER_SECOND / 2
