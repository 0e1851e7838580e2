"""Group reminder fan-out: N cohorts whose reminder is due at the same minute, delivered for real.

    .venv/bin/python benchmarks/bench_group_fanout.py [--cohorts 2000] [--overall-rate R]

Builds N cohorts on a temporary SQLite file (each group subscribed like `/cohort create` does),
plans the due reminder with `Service.plan_reminders`, then times `bot.tg.notifier.deliver` with a
real `ExtBot` and our `RetryingRateLimiter` against the fake Bot API server in limit-enforcing mode
(30 messages/s overall, 20/min per group: Telegram's limits). Reported: elapsed time, delivery
rate, and how many sends the fake answered with 429 (the target is zero: the rate limiter should
keep us under the limits rather than lean on retries). `--overall-rate R` runs the same limiter
with its overall budget set to R messages/s, to measure headroom below Telegram's 30/s.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from aiolimiter import AsyncLimiter  # noqa: E402
from fakeapi import FakeBotApi  # noqa: E402
from telegram.ext import ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.models import Chat, Deadline, KnowledgeBase, User  # noqa: E402
from bot.core.service import Service  # noqa: E402
from bot.core.storage import SqliteStorage  # noqa: E402
from bot.tg.delivery import RetryingRateLimiter  # noqa: E402
from bot.tg.notifier import deliver  # noqa: E402

ADMIN = User(1, "Admin")
FIRST_GROUP = -2_000_000  # plain groups (not -100...): the fake applies the 20/min group bucket


def knowledge(now: datetime) -> KnowledgeBase:
    """The real topics and one 2027 event whose 1-day reminder is due at `now`."""
    soon = Deadline(
        id="2027-eras-review",
        title="ERAS: programs can download applications",
        cycle=2027,
        at=now + timedelta(days=1) - timedelta(minutes=5),
        all_day=False,
        topic="eras-application",
        status="estimated",
        source="https://students-residents.aamc.org/applying-residencies-eras",
    )
    return KnowledgeBase(topics=load_knowledge().topics, deadlines=(soon,))


async def build(svc: Service, count: int) -> None:
    """`count` cohorts, created the way a group admin does (here a bot admin, no Telegram)."""
    for i in range(count):
        chat = Chat(FIRST_GROUP - i, "group", f"Group {i}")
        await svc.cohorts.command(ADMIN, chat, ["create", f"C{i}", "2027"], "img_pathway_bot")


def limiter(overall_rate: float | None) -> RetryingRateLimiter:
    """The production limiter; with `overall_rate`, the same one with a smaller overall budget."""
    chosen = RetryingRateLimiter()
    if overall_rate is not None:
        chosen._base_limiter = AsyncLimiter(overall_rate, 1)  # PTB's overall_max_rate
    return chosen


async def run(count: int, overall_rate: float | None = None) -> None:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp, FakeBotApi() as fake:
        storage = await SqliteStorage.open(Path(tmp) / "bench.sqlite3")
        admins = frozenset({ADMIN.id})
        svc = Service(knowledge(now), storage, clock=lambda: datetime.now(UTC), admins=admins)
        await build(svc, count)
        planned = await svc.plan_reminders()
        fake.enforce_limits()
        bot = ExtBot(
            fake.token,
            base_url=fake.base_url,
            request=HTTPXRequest(connection_pool_size=64),
            rate_limiter=limiter(overall_rate),
        )
        async with bot:
            start = time.perf_counter()
            delivered = await deliver(bot, svc)
            elapsed = time.perf_counter() - start
        outbox = await storage.outbox_counts()
        await storage.close()
        sends = len(fake.calls("sendMessage"))
        print(
            f"overall_rate={overall_rate or 'default (30/s)'} cohorts={count} "
            f"planned={planned} delivered={delivered} "
            f"elapsed={elapsed:.1f}s rate={delivered / elapsed:.1f} msg/s "
            f"429s={fake.count_429} send_calls={sends} outbox={outbox}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohorts", type=int, default=2000)
    parser.add_argument("--overall-rate", type=float, default=None)
    args = parser.parse_args()
    asyncio.run(run(args.cohorts, args.overall_rate))


if __name__ == "__main__":
    main()
