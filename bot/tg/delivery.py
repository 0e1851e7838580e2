"""Sending that survives Telegram's bad moments.

AIORateLimiter already spaces messages (30/s overall, 20/min per group) and retries 429s after
`retry_after`; it never retries a 5xx or a timeout. This subclass adds a bounded retry with
backoff for those, so every send in the bot gets the same treatment from one place.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

NETWORK_RETRIES = 3
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
RETRY_AFTER_RETRIES = 5
# Telegram allows about 30 messages/s in bulk; at exactly 30 request jitter makes bursts that
# a limit-enforcing server answers with 429 (which pauses all sending). 28 measured 0 such 429s
# and a higher sustained rate (benchmarks/bench_group_fanout.py).
OVERALL_PER_SECOND = 28


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter that also retries 5xx answers and timeouts, a bounded number of times."""

    def __init__(self, backoff: tuple[float, ...] = BACKOFF_SECONDS) -> None:
        super().__init__(overall_max_rate=OVERALL_PER_SECOND, max_retries=RETRY_AFTER_RETRIES)
        self.backoff = backoff

    async def process_request(self, *args: Any, **kwargs: Any) -> Any:
        endpoint = kwargs.get("endpoint", "")
        for attempt in range(len(self.backoff) + 1):
            try:
                return await super().process_request(*args, **kwargs)
            except (Forbidden, BadRequest, RetryAfter):
                raise
            except NetworkError as exc:
                if attempt == len(self.backoff):
                    raise
                delay = self.backoff[attempt]
                log.warning("%s failed (%s); retry %d in %.1fs", endpoint, exc, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
