"""The one entry point every adapter calls (Telegram, terminal, CLI).

Adapters parse their input into plain values (User, Chat, text, args), call one method here and
render the Reply models they get back. No method takes or returns a Telegram object.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.core.models import Chat, KnowledgeBase, Reply, User


def utcnow() -> datetime:
    return datetime.now(UTC)


class Service:
    """Knowledge, matching, advice, calendar and storage behind one async API."""

    def __init__(self, kb: KnowledgeBase, storage: object, clock: Callable[[], datetime] = utcnow):
        raise NotImplementedError

    # -- conversation -------------------------------------------------------------------------
    async def start(self, user: User, chat: Chat, payload: str | None = None) -> list[Reply]:
        """/start: welcome, what we store and why; `join-CODE` joins a cohort; reactivates."""
        raise NotImplementedError

    async def help(self, user: User, chat: Chat) -> Reply:
        raise NotImplementedError

    async def ask(self, user: User, chat: Chat, text: str) -> list[Reply]:
        """Answer a free-text question (or a typed dialog answer when a dialog waits for one).

        In groups (chat.is_group) the answer is the short form with a "continue in private" hint.
        Returns one Reply per Telegram message (long answers are already split).
        """
        raise NotImplementedError

    async def button(self, user: User, chat: Chat, data: str) -> Reply:
        """A pressed button. Forged or stale data returns a Reply with only `notice` set."""
        raise NotImplementedError

    async def topics(self, user: User, chat: Chat) -> Reply:
        """/topics: the stages of the path as buttons."""
        raise NotImplementedError

    # -- profile and plan ---------------------------------------------------------------------
    async def next(self, user: User, chat: Chat) -> Reply:
        """/next: the next dialog question, or the plan once the profile is complete."""
        raise NotImplementedError

    async def profile(self, user: User, chat: Chat, args: list[str]) -> Reply:
        """/profile shows answers; `/profile set FIELD VALUE` edits one."""
        raise NotImplementedError

    async def progress(self, user: User, chat: Chat) -> Reply:
        raise NotImplementedError

    async def export(self, user: User, chat: Chat) -> Reply:
        """/export: a JSON document of everything stored about the user."""
        raise NotImplementedError

    async def forget(self, user: User, chat: Chat) -> Reply:
        """/forget: asks for confirmation with buttons; the button deletes."""
        raise NotImplementedError

    # -- deadlines and reminders ----------------------------------------------------------------
    async def deadlines(self, user: User, chat: Chat) -> Reply:
        raise NotImplementedError

    async def calendar(self, user: User, chat: Chat) -> Reply:
        """/calendar: an .ics Document of the user's deadlines."""
        raise NotImplementedError

    async def remind(self, user: User, chat: Chat, args: list[str]) -> Reply:
        raise NotImplementedError

    # -- delivery state (called by adapters' notifiers) -----------------------------------------
    async def set_active(self, chat_id: int, active: bool) -> None:
        """403 or a `kicked` my_chat_member: stop sending; /start: resume."""
        raise NotImplementedError
