"""Delivers the outbox: reminders, group reminders and broadcasts, with the same guarantees.

One repeating job plans what is due into SQLite, then sends what is pending. A row is marked
sent only after Telegram accepted it, and at once (its own short write), so a crash (even
kill -9) loses nothing and repeats at most the messages in flight at that moment: at most
PARALLEL_SENDS. Several items for one chat go out as one message, which keeps within Telegram's
one-message-per-second-per-chat limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot import heartbeat
from bot.core.models import OutboxItem, Reply
from bot.core.service import Service
from bot.tg.context import Context, service
from bot.tg.delivery import maybe_delivered
from bot.tg.render import render

log = logging.getLogger(__name__)

BATCH = 500
MAX_PER_SWEEP = 20_000  # bounds one sweep; the rest goes out on the next one
# Chats being sent to at once: what a crash can repeat. The rate limiter spaces sends at 28/s;
# at Telegram's usual 100-300 ms per send, 10 in flight keep up with that rate (10 / 0.3 s = 33/s)
# where 30 in flight repeated up to 30 messages after a kill -9.
PARALLEL_SENDS = 10
RETRY_DELAY = timedelta(seconds=60)


async def sweep(context: Context) -> None:
    """The repeating job: plan due reminders, then deliver everything pending."""
    svc = service(context)
    planned = await svc.plan_reminders()
    settings = context.bot_data.get("settings")
    if settings is not None:
        heartbeat.beat(settings.db_path)
    # On SIGTERM PTB waits for this job: stop taking new chats so shutdown stays quick; what is
    # left stays pending in the outbox for the next start.
    sent = await deliver(context.bot, svc, lambda: context.application.running)
    if planned or sent:
        log.info("reminder sweep: %d planned, %d delivered", planned, sent)


async def deliver(bot: Bot, svc: Service, running: Callable[[], bool] = lambda: True) -> int:
    """Send pending outbox items until none is due (or `running()` turns false, as when the
    bot is shutting down); returns how many items were delivered."""
    delivered = 0
    gate = asyncio.Semaphore(PARALLEL_SENDS)
    seen: set[int] = set()
    while delivered < MAX_PER_SWEEP and running():
        items = [i for i in await svc.storage.pending(BATCH, svc.clock()) if i.id not in seen]
        if not items:
            break
        seen.update(i.id for i in items)
        by_chat: dict[int, list[OutboxItem]] = defaultdict(list)
        for item in items:
            by_chat[item.chat_id].append(item)
        results = await asyncio.gather(
            *(
                _send_chat(bot, svc, chat_id, group, gate, running)
                for chat_id, group in by_chat.items()
            )
        )
        delivered += sum(results)
    return delivered


async def _send_chat(
    bot: Bot,
    svc: Service,
    chat_id: int,
    items: list[OutboxItem],
    gate: asyncio.Semaphore,
    running: Callable[[], bool],
) -> int:
    """One message (or a few, if long) for all of a chat's pending items."""
    async with gate:
        if not running():
            return 0  # shutting down: the rows stay pending
        texts = {item.id: svc.outbox_text(item) for item in items}
        for item in items:
            if texts[item.id] is None:
                await svc.storage.mark_dead(item.id, "the event was removed or is past")
        items = [item for item in items if texts[item.id] is not None]
        if not items:
            return 0
        text = "\n\n".join(str(texts[item.id]) for item in items)
        try:
            for out in render(Reply(text), bot.username):
                await bot.send_message(chat_id, out.text, reply_markup=out.markup)
        except Exception as exc:  # every failure is recorded on the rows, none is lost
            await _failed(svc, chat_id, items, exc)
            return 0
        await svc.storage.mark_sent_many([item.id for item in items], svc.clock())
        return len(items)


async def _failed(svc: Service, chat_id: int, items: list[OutboxItem], exc: Exception) -> None:
    """Classify a failure: gone for good, move to a new chat id, or try again later."""
    storage, now = svc.storage, svc.clock()
    if isinstance(exc, Forbidden):
        log.info("chat %s blocked the bot or removed it; no more messages", chat_id)
        await svc.set_active(chat_id, False)
        await storage.drop_pending_for(chat_id)
        return
    if isinstance(exc, ChatMigrated):
        log.info("chat %s became supergroup %s", chat_id, exc.new_chat_id)
        await svc.cohorts.migrate(chat_id, exc.new_chat_id)  # the cohort's year profile too
        return
    if isinstance(exc, TimedOut) and maybe_delivered(exc):
        # Telegram may have shown it already, after each of the two attempts the rate limiter
        # made: another try could show it a third time. Counted as sent, and the log says so.
        log.warning("chat %s: send timed out twice; counted as delivered (may be missing)", chat_id)
        await storage.mark_sent_many([item.id for item in items], now)
        return
    if isinstance(exc, BadRequest):
        for item in items:
            await storage.mark_dead(item.id, str(exc))
        log.warning("chat %s: message refused (%s); not retried", chat_id, exc)
        return
    delay = _retry_after(exc) if isinstance(exc, RetryAfter) else RETRY_DELAY
    if not isinstance(exc, NetworkError | RetryAfter):
        log.error("chat %s: unexpected delivery error", chat_id, exc_info=exc)
    for item in items:
        await storage.mark_retry(item.id, f"{type(exc).__name__}: {exc}", now + delay)


def _retry_after(exc: RetryAfter) -> timedelta:
    """PTB gives retry_after as int seconds or a timedelta, depending on its settings."""
    value = exc.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=value)
