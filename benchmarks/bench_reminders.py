"""Reminder planning for 100,000 subscribers, and outbox delivery at Telegram's flood limit.

    .venv/bin/python benchmarks/bench_reminders.py [--subscribers 100000] [--messages 3000]

1. A temporary SQLite database (migrated by SqliteStorage.open) gets `--subscribers` users with
   reminders on (default leads 30/7/1, a mix of time zones, target Match year = the current
   cycle), bulk-inserted with executemany. The knowledge is a copy of knowledge/ in which one
   event of that cycle is moved so its 1-day reminder fell due a minute ago: every subscriber
   has exactly one reminder due.
2. Planning: `Service.plan_reminders()` (subscribers query + calendar.due_reminders + texts +
   enqueue into the outbox), timed; then again, as every later sweep does (nothing new).
3. Delivery: the real `bot.tg.notifier.deliver` with a real `telegram.ext.ExtBot` using
   `bot.tg.delivery.RetryingRateLimiter`, against a FakeBotApi enforcing Telegram's limits
   (30/s overall, 1/s per chat); it stops taking chats after `--messages` were marked sent
   (sending all 100,000 would take an hour at 30/s). Sustained rate = messages / (last - first
   arrival at the fake), and without the first second (the limiter's initial burst).
4. RSS: VmHWM (peak) of this process, which holds the fake server too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_bot import Results, proc_status  # noqa: E402
from fakeapi import FakeBotApi  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.ext import Defaults, ExtBot  # noqa: E402

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.reminders import calendar  # noqa: E402
from bot.core.service import Service  # noqa: E402
from bot.core.storage import SqliteStorage  # noqa: E402
from bot.tg import notifier  # noqa: E402
from bot.tg.delivery import RetryingRateLimiter  # noqa: E402

KNOWLEDGE = ROOT / "knowledge"
MOVED_SUFFIX = "soap"
ZONES = ("UTC", "Asia/Karachi", "Asia/Kolkata", "Africa/Cairo", "America/New_York", "Europe/London")
TARGET_PLAN_S = 2.0
TARGET_RATE = 28.0
TARGET_RSS_MB = 200.0


def knowledge_with_event_due(target: Path, now: datetime) -> tuple[str, int]:
    """Copy knowledge/; move `<cycle>-soap` so its 1-day reminder fell due a minute ago."""
    shutil.copytree(KNOWLEDGE, target)
    kb = load_knowledge(KNOWLEDGE)
    cycle = calendar.default_cycle(kb.deadlines, now)
    assert cycle is not None
    event_id = f"{cycle}-{MOVED_SUFFIX}"
    at = now + timedelta(days=1) - timedelta(minutes=1)
    path = target / "deadlines.yaml"
    text = path.read_text(encoding="utf-8")
    block = re.compile(rf"(  - id: {re.escape(event_id)}\n)(.*?)(?=\n  - id: |\n  #|\Z)", re.S)
    match = block.search(text)
    assert match, f"{event_id} not in deadlines.yaml"
    body = re.sub(
        r"(?m)^    date: .*$", f"    date: {at.isoformat(timespec='seconds')}", match.group(2)
    )
    path.write_text(text[: match.start(2)] + body + text[match.end(2) :], encoding="utf-8")
    return event_id, cycle


def bulk_subscribers(db_path: Path, count: int, cycle: int, now: datetime) -> float:
    """executemany users, profiles and reminder settings; returns seconds taken."""
    t = time.perf_counter()
    stamp = now.isoformat(timespec="microseconds")
    profile = json.dumps({"target_match_year": cycle}, sort_keys=True)
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        ids = range(10_000_000, 10_000_000 + count)
        db.executemany(
            "INSERT INTO users (id, name, language, first_seen, last_seen)"
            " VALUES (?, ?, 'en', ?, ?)",
            ((i, f"user{i}", stamp, stamp) for i in ids),
        )
        db.executemany(
            "INSERT INTO profiles (user_id, data, updated) VALUES (?, ?, ?)",
            ((i, profile, stamp) for i in ids),
        )
        db.executemany(
            "INSERT INTO reminders (chat_id, enabled, leads, tz, quiet_start, quiet_end, send_hour)"
            " VALUES (?, 1, '30,7,1', ?, NULL, NULL, 9)",
            ((i, ZONES[i % len(ZONES)]) for i in ids),
        )
        db.execute("COMMIT")
    finally:
        db.close()
    return time.perf_counter() - t


async def plan(svc: Service, out: Results, subscribers: int) -> None:
    storage = svc.storage
    t = time.perf_counter()
    subs = await storage.subscribers()
    t_query = time.perf_counter() - t
    t = time.perf_counter()
    due = calendar.due_reminders(
        subs, svc.kb.deadlines, svc.clock(), basis_of=svc.reminders.basis_finder(svc.clock())
    )
    t_due = time.perf_counter() - t
    due_count = len(due)
    del subs, due  # not kept alive through the measured run
    t = time.perf_counter()
    planned = await svc.plan_reminders()
    t_plan = time.perf_counter() - t
    t = time.perf_counter()
    again = await svc.plan_reminders()
    t_again = time.perf_counter() - t
    out.add(
        f"plan_reminders, {subscribers} subscribers",
        f"{t_plan:.2f} s ({planned} rows enqueued)",
        f"< {TARGET_PLAN_S:g} s",
        "ok" if t_plan < TARGET_PLAN_S and planned == due_count else "MISSED",
    )
    out.add("  of which: subscribers() query", f"{t_query:.2f} s ({subscribers} rows)")
    out.add("  of which: calendar.due_reminders", f"{t_due:.2f} s ({due_count} due)")
    out.add("re-plan, nothing new (every sweep)", f"{t_again:.2f} s ({again} new)")
    if planned != subscribers:
        out.failures.append(f"expected {subscribers} reminders planned, got {planned}")


async def deliver(svc: Service, fake: FakeBotApi, out: Results, messages: int) -> None:
    storage = svc.storage
    sent = 0
    mark_sent_many = storage.mark_sent_many  # what the outbox calls after each chat's send

    async def counting_mark_sent_many(item_ids: Sequence[int], now: datetime) -> None:
        nonlocal sent
        await mark_sent_many(item_ids, now)
        sent += len(item_ids)

    storage.mark_sent_many = counting_mark_sent_many  # type: ignore[method-assign]
    bot = ExtBot(
        fake.token,
        base_url=fake.base_url,
        rate_limiter=RetryingRateLimiter(),
        defaults=Defaults(parse_mode=ParseMode.HTML),
    )
    async with bot:
        since = fake.mark()
        t = time.perf_counter()
        delivered = await notifier.deliver(bot, svc, lambda: sent < messages)
        wall = time.perf_counter() - t
    calls = [c for c in fake.calls("sendMessage", since=since)]
    ok = [c for c in calls if c.ok]
    times = sorted(c.time for c in ok)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span else 0.0
    steady = [x for x in times if x >= times[0] + 1.0] if times else []
    steady_rate = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else 0.0
    too_many = sum(1 for c in calls if c.status == 429)
    first_second = sum(1 for x in times if x < times[0] + 1.0) if times else 0
    out.add(
        f"delivery through notifier.deliver, {delivered} messages",
        f"{rate:.1f} msg/s sustained ({span:.1f} s first to last; {wall:.1f} s wall)",
        f">= {TARGET_RATE:g}/s",
        "ok" if rate >= TARGET_RATE else "MISSED",
    )
    out.add(
        "  after the first second",
        f"{steady_rate:.1f} msg/s ({first_second} sent in the first second)",
    )
    out.add("  429 answers from the fake", str(too_many), "0", "ok" if too_many == 0 else "MISSED")
    counts = await storage.outbox_counts()
    out.add("  outbox after delivery", f"{counts}")
    if delivered != len(ok) or delivered < messages:
        out.failures.append(f"delivered {delivered}, fake accepted {len(ok)}, wanted >= {messages}")


async def run(args: argparse.Namespace, out: Results) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    try:
        now = datetime.now(UTC)
        event_id, cycle = knowledge_with_event_due(tmp / "knowledge", now)
        kb = load_knowledge(tmp / "knowledge")
        db_path = tmp / "imgbot.sqlite3"
        storage = await SqliteStorage.open(db_path)
        try:
            t_insert = bulk_subscribers(db_path, args.subscribers, cycle, now)
            out.add(
                f"bulk insert {args.subscribers} subscribers (executemany)", f"{t_insert:.2f} s"
            )
            clock_now = now
            svc = Service(kb, storage, clock=lambda: clock_now)
            await plan(svc, out, args.subscribers)
            rss_plan = proc_status_self()
            svc.clock = lambda: datetime.now(UTC)  # delivery uses the real clock
            with FakeBotApi() as fake:
                fake.enforce_limits()
                await deliver(svc, fake, out, args.messages)
        finally:
            await storage.close()
        hwm = proc_status_self("VmHWM")
        out.add("RSS after planning (this process)", f"{rss_plan:.1f} MB")
        out.add(
            "peak RSS (VmHWM, incl. the fake)",
            f"{hwm:.1f} MB",
            f"< {TARGET_RSS_MB:g} MB",
            "ok" if hwm < TARGET_RSS_MB else "MISSED",
        )
        out.add("event due", f"{event_id} (1-day lead), cycle {cycle}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def proc_status_self(key: str = "VmRSS") -> float:
    import os

    return proc_status(os.getpid()).get(key, 0) / 1024


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--subscribers", type=int, default=100_000)
    p.add_argument("--messages", type=int, default=3000, help="messages to deliver")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Results()
    t = time.monotonic()
    asyncio.run(run(args, out))
    print(f"bench_reminders: python {sys.version.split()[0]}, {time.monotonic() - t:.0f} s total")
    print(out.table())
    for failure in out.failures:
        print("FAIL:", failure)
    missed = any(r[3] == "MISSED" for r in out.rows)
    return 1 if out.failures or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
