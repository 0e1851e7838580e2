"""The bot's Application in the test's own process, talking HTTP to the fake Bot API server.

A real `imgbot run` process (tests marked `e2e`) is the point only when start-up, polling,
signals or crashes are under test. For handler behaviour this builds the very same Application
(`build_application`, every handler, rate limiter and post_init) and feeds it updates with
`Application.process_update`, as python-telegram-bot's own test suite does. Each call returns
once every handler and every Bot API request it made are done, so a test reads the fake's record
without waiting for silence.

    async with inprocess_bot(fake_api, tmp_path, admins={7}) as bot:
        replies = await bot.say(42, "/start")
        assert "Welcome" in replies[0]["text"]
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fakeapi import FakeBotApi
from helpers import db_rows
from knowledge_once import repo_knowledge
from telegram import Update
from telegram.ext import Application, CallbackContext

from bot.config import Secret, Settings
from bot.core.knowledge import load_knowledge
from bot.tg import notifier
from bot.tg.app import build_application
from bot.tg.delivery import BACKOFF_SECONDS, PRIVATE_PER_SECOND, RetryingRateLimiter
from bot.tg.handlers import groups

JSON = dict[str, Any]


class InProcessBot:
    """An initialised Application plus helpers that feed it the fake's updates."""

    def __init__(self, fake: FakeBotApi, app: Application, db_path: Path) -> None:
        self.fake = fake
        self.app = app
        self.db_path = db_path
        self._update_ids = itertools.count(1)

    @property
    def service(self) -> Any:
        return self.app.bot_data.service

    async def feed(self, update: JSON) -> JSON:
        """Process one update (built by the fake with push=False) through every handler."""
        update = {"update_id": next(self._update_ids), **update}
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return update

    async def message(self, chat_id: int, text: str, **message_kwargs: Any) -> JSON:
        """A user's message (see FakeBotApi.message), handled; returns the update."""
        return await self.feed(self.fake.message(chat_id, text, push=False, **message_kwargs))

    async def say(self, chat_id: int, text: str, **message_kwargs: Any) -> list[JSON]:
        """A user's message; returns what the bot showed in that chat in answer to it."""
        since = self.fake.mark()
        await self.message(chat_id, text, **message_kwargs)
        return self.fake.sent_messages(chat_id, since=since)

    async def press(self, user_id: int, data: str, chat_id: int | None = None) -> Pressed:
        """A press of a button carrying `data` on the bot's latest message in `chat_id` (or a
        forged press: any data works)."""
        since = self.fake.mark()
        update = await self.feed(self.fake.callback(user_id, data, chat_id=chat_id, push=False))
        return Pressed(self.fake, update, since, user_id if chat_id is None else chat_id)

    async def press_button(
        self, user_id: int, label: str, chat_id: int | None = None, message_id: int | None = None
    ) -> Pressed:
        """A press of the button whose text contains `label`, as the user would do it."""
        since = self.fake.mark()
        update = self.fake.press_button(user_id, label, chat_id, message_id, push=False)
        await self.feed(update)
        return Pressed(self.fake, update, since, user_id if chat_id is None else chat_id)

    async def sweep(self) -> int:
        """What the repeating jobs do (the job queue is not started here): plan the channels'
        weekly digests, plan due reminders, deliver the outbox. Returns how many went out."""
        await groups.digest_job(CallbackContext(self.app))
        await self.service.plan_reminders()
        return await notifier.deliver(self.app.bot, self.service)

    def db_rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of the bot's SQLite file, read as an operator would (read-only)."""
        return db_rows(self.db_path, sql, params)


class Pressed:
    """What one button press drew: the callback answer (toast) and the messages shown."""

    def __init__(self, fake: FakeBotApi, update: JSON, since: int, chat_id: int) -> None:
        query_id = update["callback_query"]["id"]
        answers = [
            c
            for c in fake.calls("answerCallbackQuery", since=since)
            if c.params.get("callback_query_id") == query_id
        ]
        assert len(answers) == 1, f"a press must be answered exactly once: {fake.dump()}"
        self.answer = answers[0]
        self.notice: str = answers[0].params.get("text") or ""
        self.shown = fake.sent_messages(chat_id, since=since)


def settings_for(fake: FakeBotApi, workdir: Path, **overrides: Any) -> Settings:
    """Settings as `imgbot run` would read them, pointed at the fake and a fresh SQLite file."""
    values: dict[str, Any] = {
        "token": Secret(fake.token),
        "api_url": fake.base_url,
        "db_path": str(workdir / "imgbot.sqlite3"),
        "reminder_interval": 3600,  # the job queue is never started here: no sweeps run
        "backoff_scale": 0.1,  # a retry a test waits for comes 0.05 s after a 502, not 0.5 s
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def inprocess_bot(
    fake: FakeBotApi,
    workdir: Path,
    admins: set[int] | frozenset[int] = frozenset(),
    *,
    paced: bool = False,
    **settings: Any,
) -> AsyncIterator[InProcessBot]:
    """The Application built and initialised (getMe, post_init) against `fake`; shut down after.

    Per-chat pacing (about 1 message/s) is off unless `paced`: a test of what a chat is shown
    would otherwise wait a second per reply; tests/tg/test_delivery.py proves the pacing.
    """
    config = settings_for(fake, workdir, admins=frozenset(admins), **settings)
    backoff = config.backoff(BACKOFF_SECONDS)
    limiter = RetryingRateLimiter(backoff, PRIVATE_PER_SECOND if paced else None)
    kb = load_knowledge(config.knowledge_dir) if config.knowledge_dir else repo_knowledge()
    app = build_application(config, kb, limiter)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    try:
        yield InProcessBot(fake, app, Path(config.db_path))
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
