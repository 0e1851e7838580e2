"""Long polling that loses no update on a crash, and where no chat waits for another.

The Bot API forgets an update once a later getUpdates call passes an offset beyond it. PTB's
Updater asks for the next batch as soon as it has queued the last one, before any handler ran,
so a crash (kill -9, power loss) loses every update that was queued but not yet answered.

Here each batch is first journaled in SQLite (the update inbox), and only then confirmed by the
next getUpdates call; an update's row is erased when its handling finished. After a crash the
next start handles what the inbox still holds: nothing is lost, and an update whose answer went
out just before the crash can be answered twice. Confirming at once (instead of waiting for the
oldest unfinished update, as an earlier version did) matters because getUpdates returns at most
100 updates from the offset: one hung send would hold back every other chat behind them.

An update that python-telegram-bot cannot parse (a field missing, from a newer or a third-party
Bot API) is logged with its id and skipped, as PTB's own loop does, instead of failing the whole
batch at every start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import warnings
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, EndPointNotFound, InvalidToken, NetworkError, TimedOut
from telegram.warnings import PTBUserWarning

from bot.core.service import Service
from bot.tg.context import App

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates call open when there is nothing new
READ_MARGIN = 5  # seconds on top of POLL_TIMEOUT before the HTTP read gives up (PTB's default)
BACKOFF_SECONDS = (1, 2, 5, 10, 30)  # after errors, capped at the last value
# Updates being handled at once; beyond this polling waits, so a stuck handler cannot make the
# process hold an unbounded backlog in memory (it is journaled anyway). The update processor
# runs at most 64 at a time; 1,000 is 10 full batches waiting behind them.
MAX_IN_FLIGHT = 1000


def run_polling(
    app: App, allowed_updates: Sequence[str], backoff: Sequence[float] = BACKOFF_SECONDS
) -> None:
    """Run the application until SIGINT/SIGTERM, with the same hooks as PTB's run_polling.
    `backoff`: the waits after consecutive getUpdates errors (Settings.backoff scales them)."""
    asyncio.run(_run(app, allowed_updates, backoff))


async def _run(app: App, allowed_updates: Sequence[str], backoff: Sequence[float]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # We read getUpdates' raw JSON on purpose (to parse each update alone); PTB warns about it.
    warnings.filterwarnings("ignore", r"Please use 'Bot\.getUpdates'", PTBUserWarning)
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.bot.delete_webhook()
        await app.start()
        await _poll(app, allowed_updates, stop, backoff)
    finally:
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


class _Inbox:
    """The updates being handled, each journaled until its handling finished."""

    def __init__(self, app: App, svc: Service) -> None:
        self.app = app
        self.svc = svc
        self.running: set[asyncio.Task[None]] = set()

    async def resume(self) -> None:
        """Handle what a previous run journaled but did not finish (it crashed)."""
        left = await self.svc.unfinished_updates()
        if left:
            log.info("handling %d update(s) left unfinished by the last run", len(left))
        self._start(left)

    async def take(self, batch: Sequence[dict[str, Any]]) -> None:
        """Journal a batch (after this it may be confirmed to Telegram), then handle it."""
        rows = [(raw["update_id"], json.dumps(raw, ensure_ascii=False)) for raw in batch]
        self._start(await self.svc.journal_updates(rows))

    def _start(self, rows: Sequence[tuple[int, str]]) -> None:
        for update_id, body in rows:
            task = asyncio.create_task(self._handle(update_id, body))
            self.running.add(task)
            task.add_done_callback(self.running.discard)

    async def _handle(self, update_id: int, body: str) -> None:
        """Through the update processor (per-chat order, bounded concurrency) and the handlers;
        the row is erased afterwards whatever happened (errors go to the error handler)."""
        try:
            update = Update.de_json(json.loads(body), self.app.bot)
        except Exception as exc:  # any field PTB rejects; the rest of the batch goes on
            log.error("update %s cannot be read (%r); skipped", update_id, exc)
        else:
            await self.app.update_processor.process_update(update, self.app.process_update(update))
        try:
            await self.svc.update_handled(update_id)
        except Exception as exc:  # handled already; at worst it is handled again next start
            log.warning("could not mark update %s as handled (%s)", update_id, exc)

    async def room(self, stop: asyncio.Event) -> None:
        """Wait while MAX_IN_FLIGHT updates are being handled (or until stopping)."""
        while len(self.running) >= MAX_IN_FLIGHT and not stop.is_set():
            await asyncio.wait(self.running, return_when=asyncio.FIRST_COMPLETED)

    async def drain(self) -> None:
        """On shutdown, let what was taken finish, so it is answered now rather than next start."""
        if self.running:
            await asyncio.wait(self.running)


async def _poll(
    app: App, allowed_updates: Sequence[str], stop: asyncio.Event, backoff: Sequence[float]
) -> None:
    """Fetch, journal, hand updates to concurrent handlers; the next fetch confirms the batch."""
    inbox = _Inbox(app, app.bot_data.service)
    await inbox.resume()
    offset: int | None = None
    failures = 0
    while not stop.is_set():
        batch = await _fetch(app, offset, allowed_updates, stop)
        if batch:
            try:
                await inbox.take(batch)
            except Exception as exc:  # disk full, a stuck lock: what is not journaled stays
                log.error("could not journal updates (%s); not confirming them", exc)
                batch = None
            else:
                offset = batch[-1]["update_id"] + 1
        if batch is None:
            failures += 1
            await _back_off(stop, backoff[min(failures, len(backoff)) - 1])
            continue
        failures = 0
        await inbox.room(stop)
    await inbox.drain()
    await _confirm(app, offset)


async def _back_off(stop: asyncio.Event, delay: float) -> None:
    """Wait `delay` seconds, or until a stop signal."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), delay)


async def _confirm(app: App, offset: int | None) -> None:
    """Tell Telegram what was journaled before stopping; otherwise the next start fetches it
    again (and skips it, being in the inbox already): tidy, not essential."""
    if offset is None:
        return
    try:
        await app.bot.get_updates(offset=offset, timeout=0, limit=1)
    except NetworkError as exc:
        log.warning("could not confirm handled updates before stopping (%s)", exc)


async def _fetch(
    app: App, offset: int | None, allowed_updates: Sequence[str], stop: asyncio.Event
) -> list[dict[str, Any]] | None:
    """One getUpdates call as raw JSON, abandoned when a stop signal arrives; None after an
    error (the caller backs off).

    Raw, because PTB parses the whole batch at once: one update it cannot read would fail the
    call, again and again, and nothing behind it would ever be handled.
    """
    fetch = asyncio.create_task(
        app.bot.do_api_request(
            "getUpdates",
            api_kwargs={
                **({} if offset is None else {"offset": offset}),
                "timeout": POLL_TIMEOUT,
                "allowed_updates": list(allowed_updates),
            },
            read_timeout=POLL_TIMEOUT + READ_MARGIN,
        )
    )
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not fetch.done():
        fetch.cancel()  # nothing new was confirmed: Telegram keeps these updates
        return []
    try:
        return list(fetch.result())
    except (InvalidToken, EndPointNotFound):  # (PTB says the latter for a 401 after start-up)
        raise InvalidToken("the token was rejected by Telegram") from None
    except TimedOut:
        return []
    except Conflict:
        log.warning(
            "another bot instance is polling with this token (409 Conflict, e.g. during a "
            "deploy); backing off and retrying"
        )
        return None
    except NetworkError as exc:
        log.warning("getUpdates failed (%s); retrying", exc)
        return None
