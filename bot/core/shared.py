"""What every room of the service shares: the database, the clock, the admins and the knowledge
serving now, plus the two rules every room applies the same way (whose button, which chat)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core import texts
from bot.core.models import Button, Chat, KnowledgeBase, Reply, User
from bot.core.plan.path import Road
from bot.core.questions.answers import Answers
from bot.core.storage import Storage


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    """Held by every room and read at call time, so a /reload (new `kb`, `answers`, `road`) or a
    test's clock reaches all of them at once."""

    storage: Storage
    clock: Callable[[], datetime]
    admins: frozenset[int]
    kb: KnowledgeBase
    answers: Answers
    road: Road  # knowledge/path.yaml, swapped with `kb` by a /reload

    def is_admin(self, user: User) -> bool:
        return user.id in self.admins

    async def seen(self, user: User) -> None:
        """Remember a person; ids below 1 are no person (an update without a sender)."""
        if user.id > 0:
            await self.storage.upsert_user(user, self.clock())


def owner(user: User) -> int | None:
    """The id a button is bound to; none for no person (id 0), whose buttons then act nowhere
    but in a private chat (see service.OWNED_KINDS)."""
    return user.id if user.id > 0 else None


def private_only(chat: Chat, what: str, command: str) -> Reply | None:
    """None in a private chat; elsewhere a refusal with a deep link into the private chat.

    Personal data (a profile, a plan, an export) must never be posted where others read it.
    """
    if chat.kind == "private":
        return None
    button = Button(texts.PRIVATE_BUTTON, start_payload=command)
    return Reply(texts.PRIVATE_ONLY.format(what=what), buttons=((button,),))
