"""RetryingRateLimiter's retry rules, through its public process_request with a fake send."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from telegram.error import ChatMigrated, NetworkError, TimedOut

from bot.tg.delivery import BACKOFF_SECONDS, TIMEOUT_RETRIES, RetryingRateLimiter


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
