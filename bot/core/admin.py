"""The admin room: /stats, /broadcast (preview, then confirm), /reload of the knowledge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.core import callbacks, numbers, texts
from bot.core.errors import InvalidKnowledge
from bot.core.models import Button, Chat, KnowledgeBase, Reply, User
from bot.core.shared import Deps, owner
from bot.core.storage import BROADCAST_KEY_PREFIX


class Admin:
    """What the bot's administrators (IMGBOT_ADMINS) may do; everyone else is told so."""

    def __init__(
        self,
        deps: Deps,
        reload: Callable[[Path | None], KnowledgeBase],
        plan_reminders: Callable[[], Awaitable[int]],
    ) -> None:
        self.deps = deps
        self.reload = reload  # swaps the knowledge for every room, or raises InvalidKnowledge
        self.plan_reminders = plan_reminders

    async def stats(self, user: User) -> Reply:
        """/stats for admins: users, activity, answer rate, unanswered, reminders."""
        if not self.deps.is_admin(user):
            return Reply(texts.ADMINS_ONLY)
        data = await self.deps.storage.stats(self.deps.clock())
        per_day = ", ".join(f"{day}: {n}" for day, n in sorted(data["questions_per_day"].items()))
        unanswered = "\n".join(f"  {n}× {q}" for q, n in data["top_unanswered"]) or "  none"
        text = texts.STATS.format(
            users=data["users"],
            active=data["active_users"],
            per_day=per_day or "none",
            rate=f"{data['answer_rate']:.0%}",
            sent=data["reminders_sent"],
            outbox=data["outbox"],
            unanswered=unanswered,
        )
        return Reply(text, title=texts.STATS_TITLE)

    async def broadcast(self, user: User, text: str) -> Reply:
        """/broadcast TEXT for admins: a preview with confirm and cancel buttons."""
        if not self.deps.is_admin(user):
            return Reply(texts.ADMINS_ONLY)
        text = text.strip()
        if not text:
            return Reply(texts.BROADCAST_USAGE)
        broadcast_id = await self.deps.storage.create_broadcast(user.id, text, self.deps.clock())
        count = len(await self.deps.storage.user_ids(active_only=True))
        buttons = (
            (
                Button(
                    texts.BROADCAST_SEND.format(count=count),
                    data=callbacks.encode("b", "yes", broadcast_id, owner=owner(user)),
                ),
                Button(
                    texts.BROADCAST_CANCEL,
                    data=callbacks.encode("b", "no", broadcast_id, owner=owner(user)),
                ),
            ),
        )
        return Reply(text, title=texts.BROADCAST_PREVIEW, buttons=buttons)

    async def on_broadcast(self, user: User, chat: Chat, answer: str, raw_id: str) -> Reply:
        broadcast_id = numbers.parse_int(raw_id, 1, numbers.SQLITE_MAX)
        if not self.deps.is_admin(user):
            return Reply("", notice=texts.ADMINS_ONLY)
        if broadcast_id is None or answer not in ("yes", "no"):
            return Reply("", notice=texts.STALE_BUTTON)
        found = await self.deps.storage.get_broadcast(broadcast_id)
        if found is None or found[1] != "draft":
            return Reply("", notice=texts.BROADCAST_DONE)
        text, _ = found
        if answer != "yes":
            await self.deps.storage.set_broadcast_status(broadcast_id, "cancelled")
            return Reply(texts.BROADCAST_CANCELLED, edit=True)
        users = await self.deps.storage.user_ids(active_only=True)
        entries = [(uid, f"{BROADCAST_KEY_PREFIX}{broadcast_id}:{uid}", text) for uid in users]
        queued = await self.deps.storage.enqueue(entries, self.deps.clock())
        await self.deps.storage.set_broadcast_status(broadcast_id, "queued")
        return Reply(texts.BROADCAST_QUEUED.format(count=queued), edit=True)

    async def reload_knowledge(self, user: User | None, path: Path | None = None) -> Reply:
        """/reload (admins) or SIGHUP (user None): reload, keep the old knowledge on error."""
        if user is not None and not self.deps.is_admin(user):
            return Reply(texts.ADMINS_ONLY)
        try:
            kb = self.reload(path)
        except InvalidKnowledge as exc:
            return Reply(f"{texts.RELOAD_FAILED}\n\n{exc}")
        planned = await self.plan_reminders()
        return Reply(
            texts.RELOADED.format(
                topics=len(kb.topics), deadlines=len(kb.deadlines), planned=planned
            )
        )
