"""A per-user flood guard: someone pasting 100 messages a second is slowed, not served 100 answers.

A token bucket per user: `burst` messages at once, then `rate` per second. The first message
over the limit gets one warning; the rest are dropped quietly until the bucket refills.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Generous for a person typing on a phone (a burst of 8, then one every 2 seconds), far below
# what a script or a paste of many lines produces.
BURST = 8
RATE_PER_SECOND = 0.5
FORGET_AFTER_SECONDS = 600

Verdict = Literal["allow", "warn", "drop"]


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGuard:
    """Decides per message whether to answer; `now` is injected (seconds, monotonic)."""

    def __init__(self, burst: int = BURST, rate: float = RATE_PER_SECOND) -> None:
        self.burst = burst
        self.rate = rate
        self._buckets: dict[int, _Bucket] = {}

    def check(self, user_id: int, now: float) -> Verdict:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return "allow"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"

    def forget_idle(self, now: float) -> None:
        """Drop buckets of users idle long enough to be full again, so memory stays flat."""
        idle = [uid for uid, b in self._buckets.items() if now - b.updated > FORGET_AFTER_SECONDS]
        for uid in idle:
            del self._buckets[uid]

    def __len__(self) -> int:
        return len(self._buckets)
