"""Long polling that confirms an update only after it was handled (at-least-once).

The Bot API forgets an update once a later getUpdates call passes an offset beyond it. PTB's
Updater asks for the next batch as soon as it has queued the last one, before any handler ran,
so a crash (kill -9, power loss) loses every update that was queued but not yet answered. Here
the offset moves only after the whole batch went through the handlers: after a crash Telegram
sends the unconfirmed updates again. The price is that an update whose answer was sent just
before the crash can be answered twice, which is better than a question never answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates call open when there is nothing new
BACKOFF_SECONDS = (1, 2, 5, 10, 30)  # after network errors, capped at the last value


def run_polling(app: Application, allowed_updates: Sequence[str]) -> None:
    """Run the application until SIGINT/SIGTERM, with the same hooks as PTB's run_polling."""
    asyncio.run(_run(app, allowed_updates))


async def _run(app: Application, allowed_updates: Sequence[str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.bot.delete_webhook()
        await app.start()
        await _poll(app, allowed_updates, stop)
    finally:
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def _poll(app: Application, allowed_updates: Sequence[str], stop: asyncio.Event) -> None:
    """Fetch a batch, handle all of it, and only then confirm it with the next offset."""
    offset: int | None = None
    failures = 0
    while not stop.is_set():
        updates = await _fetch(app, offset, allowed_updates, stop)
        if updates is None:
            failures += 1
            delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS)) - 1]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            continue
        failures = 0
        if updates:
            await asyncio.gather(*(_handle(app, update) for update in updates))
            offset = updates[-1].update_id + 1


async def _fetch(
    app: Application, offset: int | None, allowed_updates: Sequence[str], stop: asyncio.Event
) -> tuple[Update, ...] | None:
    """One getUpdates call, abandoned when a stop signal arrives; None after a network error."""
    fetch = asyncio.create_task(
        app.bot.get_updates(offset=offset, timeout=POLL_TIMEOUT, allowed_updates=allowed_updates)
    )
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not fetch.done():
        fetch.cancel()  # nothing was confirmed: Telegram keeps these updates for the next start
        return ()
    try:
        return fetch.result()
    except TimedOut:
        return ()
    except NetworkError as exc:
        log.warning("getUpdates failed (%s); retrying", exc)
        return None


async def _handle(app: Application, update: Update) -> None:
    """Through the update processor (per-chat order, bounded concurrency) and the handlers."""
    await app.update_processor.process_update(update, app.process_update(update))
