"""Telegram's errors in core's delivery vocabulary: the one translation (delivery.outcome_of)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.reminders.outbox import Delivered, Gone, Moved, Refused, Retry
from bot.tg.delivery import outcome_of


def timed_out(cause: Exception) -> TimedOut:
    error = TimedOut()
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Forbidden("bot was blocked by the user"), Gone("bot was blocked by the user")),
        (ChatMigrated(-1001), Moved(-1001)),
        (BadRequest("Chat not found"), Refused("Chat not found")),
        (timed_out(httpx.ReadTimeout("read")), Delivered(unsure=True)),
    ],
)
def test_each_telegram_error_has_its_outcome(error: Exception, expected: object) -> None:
    assert outcome_of(error) == expected


@pytest.mark.parametrize(
    "error",
    [
        NetworkError("connection reset"),
        timed_out(httpx.ConnectTimeout("connect")),  # never connected: nothing was sent
        RuntimeError("a bug"),
    ],
)
def test_anything_else_is_retried_after_the_default_delay(error: Exception) -> None:
    outcome = outcome_of(error)
    assert isinstance(outcome, Retry) and outcome.after is None
    assert type(error).__name__ in outcome.reason


def test_a_flood_wait_is_retried_after_telegrams_retry_after() -> None:
    outcome = outcome_of(RetryAfter(30))
    assert isinstance(outcome, Retry) and outcome.after == timedelta(seconds=30)
