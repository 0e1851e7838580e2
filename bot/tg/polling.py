"""Long polling that confirms an update only after it was handled (at-least-once).

The Bot API forgets an update once a later getUpdates call passes an offset beyond it. PTB's
Updater asks for the next batch as soon as it has queued the last one, before any handler ran,
so a crash (kill -9, power loss) loses every update that was queued but not yet answered. Here
the offset only passes updates whose handling has finished: after a crash Telegram sends the
unconfirmed updates again. The price is that an update whose answer was sent just
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
# While updates are in flight getUpdates returns them again at once (they are unconfirmed), so
# polling waits for the batch, up to this long, before asking again. Short enough that one slow
# chat barely delays others; long enough not to re-read in-flight updates in a busy loop.
IN_FLIGHT_PAUSE = 0.5
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


class _Batches:
    """Updates being handled, and the offset that confirms exactly the finished prefix.

    Handling runs concurrently, so a slow update (a send being retried) does not hold up other
    chats; but the offset never passes an update still in flight. Until it finishes, getUpdates
    keeps returning it, and the ids already taken are skipped.
    """

    def __init__(self, app: Application) -> None:
        self.app = app
        self.running: dict[int, asyncio.Task[None]] = {}
        self.next_id: int | None = None  # one past the highest update id taken

    def take(self, updates: Sequence[Update]) -> None:
        for update in updates:
            if self.next_id is not None and update.update_id < self.next_id:
                continue  # in flight, or finished but not confirmable yet
            self.running[update.update_id] = asyncio.create_task(_handle(self.app, update))
            self.next_id = update.update_id + 1

    def reap(self) -> None:
        for update_id in [i for i, task in self.running.items() if task.done()]:
            del self.running[update_id]

    @property
    def offset(self) -> int | None:
        return min(self.running) if self.running else self.next_id

    async def wait(self) -> None:
        """Until what was taken is handled, but at most IN_FLIGHT_PAUSE: then poll again, so a
        slow update (a send being retried) holds up new ones by that long only."""
        if self.running:
            await asyncio.wait(self.running.values(), timeout=IN_FLIGHT_PAUSE)
        self.reap()

    async def drain(self) -> None:
        """On shutdown, let what was taken finish, so it is answered and not lost."""
        if self.running:
            await asyncio.wait(self.running.values())


async def _poll(app: Application, allowed_updates: Sequence[str], stop: asyncio.Event) -> None:
    """Fetch, hand updates to concurrent handlers, confirm only what has finished."""
    batches = _Batches(app)
    failures = 0
    while not stop.is_set():
        updates = await _fetch(app, batches.offset, allowed_updates, stop, bool(batches.running))
        if updates is None:
            failures += 1
            delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS)) - 1]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            continue
        failures = 0
        batches.take(updates)
        await batches.wait()
    await batches.drain()
    await _confirm(app, batches.offset)


async def _confirm(app: Application, offset: int | None) -> None:
    """Tell Telegram what was handled before stopping, or it would all come again next start."""
    if offset is None:
        return
    try:
        await app.bot.get_updates(offset=offset, timeout=0, limit=1)
    except NetworkError as exc:  # the next start answers those updates again: late, not lost
        log.warning("could not confirm handled updates before stopping (%s)", exc)


async def _fetch(
    app: Application,
    offset: int | None,
    allowed_updates: Sequence[str],
    stop: asyncio.Event,
    busy: bool,
) -> tuple[Update, ...] | None:
    """One getUpdates call, abandoned when a stop signal arrives; None after a network error.

    With updates in flight the call returns at once (they are unconfirmed), so it does not
    long-poll then.
    """
    timeout = 0 if busy else POLL_TIMEOUT
    fetch = asyncio.create_task(
        app.bot.get_updates(offset=offset, timeout=timeout, allowed_updates=allowed_updates)
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
