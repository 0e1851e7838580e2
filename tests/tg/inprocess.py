"""The bot's Application in the test's own process, talking HTTP to the fake Bot API server.

The end-to-end tests start `imgbot run` as a subprocess, which is the point when start-up,
polling, signals or crashes are under test, and slow otherwise. For handler behaviour (who may
press a button, what a group sees), this builds the very same Application (`build_application`,
every handler, rate limiter and post_init) and feeds it updates with `Application.process_update`,
as python-telegram-bot's own test suite does. Each call returns once every handler and every Bot
API request it made are done, so a test reads the fake's record without waiting or polling.

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
from telegram import Update
from telegram.ext import Application

from bot.config import Secret, Settings
from bot.core.knowledge import load_knowledge
from bot.tg.app import build_application

JSON = dict[str, Any]


class InProcessBot:
    """An initialised Application plus helpers that feed it the fake's updates."""

    def __init__(self, fake: FakeBotApi, app: Application) -> None:
        self.fake = fake
        self.app = app
        self._update_ids = itertools.count(1)

    @property
    def service(self) -> Any:
        return self.app.bot_data["service"]

    async def feed(self, update: JSON) -> None:
        """Process one update (built by the fake with push=False) through every handler."""
        update = {"update_id": next(self._update_ids), **update}
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def say(self, chat_id: int, text: str, **message_kwargs: Any) -> list[JSON]:
        """A user's message; returns what the bot showed in that chat in answer to it."""
        since = self.fake.mark()
        await self.feed(self.fake.message(chat_id, text, push=False, **message_kwargs))
        return self.fake.sent_messages(chat_id, since=since)

    async def press(self, user_id: int, data: str, chat_id: int | None = None) -> Pressed:
        """A press of a button carrying `data` on the bot's latest message in `chat_id`."""
        since = self.fake.mark()
        update = self.fake.callback(user_id, data, chat_id=chat_id, push=False)
        await self.feed(update)
        return Pressed(self.fake, update, since, user_id if chat_id is None else chat_id)


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
        self.notice: str = answers[0].params.get("text") or ""
        self.shown = fake.sent_messages(chat_id, since=since)


def settings_for(fake: FakeBotApi, workdir: Path, **overrides: Any) -> Settings:
    """Settings as `imgbot run` would read them, pointed at the fake and a fresh SQLite file."""
    values: dict[str, Any] = {
        "token": Secret(fake.token),
        "api_url": fake.base_url,
        "db_path": str(workdir / "imgbot.sqlite3"),
        "reminder_interval": 3600,  # the job queue is never started here: no sweeps run
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def inprocess_bot(
    fake: FakeBotApi,
    workdir: Path,
    admins: set[int] | frozenset[int] = frozenset(),
    **settings: Any,
) -> AsyncIterator[InProcessBot]:
    """The Application built and initialised (getMe, post_init) against `fake`; shut down after."""
    config = settings_for(fake, workdir, admins=frozenset(admins), **settings)
    app = build_application(config, load_knowledge(config.knowledge_dir))
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    try:
        yield InProcessBot(fake, app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
