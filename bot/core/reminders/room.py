"""The reminders room: /deadlines, /calendar, /remind, and planning what is due into the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.core import callbacks, texts
from bot.core.models import (
    Button,
    Chat,
    Document,
    OutboxItem,
    Profile,
    ReminderSettings,
    Reply,
    User,
)
from bot.core.plan import planner
from bot.core.reminders import calendar
from bot.core.reminders import settings as reminders
from bot.core.shared import Deps, owner

MayManage = Callable[[User, int], Awaitable[bool]]  # (person, chat id) -> may change its settings


class Reminders:
    """Deadlines as a person sees them, their reminder settings, and the planning sweep."""

    def __init__(self, deps: Deps, may_manage: MayManage) -> None:
        self.deps = deps
        self.may_manage = may_manage  # a group's admins, as the cohorts room knows them

    async def deadlines(self, user: User, chat: Chat) -> Reply:
        """/deadlines: what is ahead for this person, with days left in their time zone."""
        settings = await self.deps.storage.get_reminders(chat.id)
        now = self.deps.clock()
        cycle, items = await self._personal_deadlines(chat.id, now)
        if not items:
            return Reply(texts.NO_DEADLINES)
        lines = [texts.DEADLINES_FOR.format(cycle=cycle), ""]
        for item in items:
            d = item.deadline
            left = calendar.days_left(d, now, settings.tz)
            mark = texts.ESTIMATED if d.estimated else texts.CONFIRMED
            when = calendar.when_text(d, settings.tz)
            lines.append(
                texts.DEADLINE_LINE.format(
                    title=d.title, when=when, left=left, mark=mark, why=item.why, source=d.source
                )
            )
        text = "\n".join(lines) + "\n\n" + texts.DAYS_IN_ZONE.format(tz=settings.tz)
        return Reply(text, title=texts.DEADLINES_TITLE)

    async def _personal_deadlines(
        self, chat_id: int, now: datetime
    ) -> tuple[int, list[calendar.PersonalDeadline]]:
        """The Match the planner plans for (so /deadlines matches /next) and its deadlines."""
        profile = await self.deps.storage.get_profile(chat_id)
        cycle, as_planned = planner.plan_basis(
            profile, now.date(), self.deps.kb.deadlines, self.deps.road
        )
        return cycle, calendar.personal_deadlines(as_planned, self.deps.kb.deadlines, now, cycle)

    async def calendar(self, user: User, chat: Chat) -> Reply:
        """/calendar: an .ics Document of the user's deadlines."""
        now = self.deps.clock()
        _, personal = await self._personal_deadlines(chat.id, now)
        items = [i.deadline for i in personal]
        if not items:
            return Reply(texts.NO_DEADLINES)
        content = calendar.to_ics(items, now, texts.CALENDAR_NAME)
        doc = Document("imgbot-deadlines.ics", content, "text/calendar")
        return Reply(
            texts.CALENDAR_FILE,
            document=doc,
        )

    async def remind(self, user: User, chat: Chat, args: list[str]) -> Reply:
        """/remind: show the settings, or change one: on, off, leads, tz, quiet.

        In a group these are the group's reminders: anyone may look, only its admins change them.
        """
        await self.deps.seen(user)
        settings = await self.deps.storage.get_reminders(chat.id)
        if not args:
            return self._remind_reply(settings, user)
        if not await self._may_change_reminders(user, chat):
            button = Button(texts.PRIVATE_BUTTON, start_payload="remind")
            return Reply(texts.GROUP_REMINDERS_ADMINS, buttons=((button,),))
        try:
            changed = reminders.apply_setting(settings, args[0].lower(), args[1:])
        except reminders.SettingError as exc:
            return Reply(f"{exc} {texts.NOTHING_CHANGED}\n\n{texts.REMIND_USAGE}")
        await self.deps.storage.save_reminders(chat.id, changed)
        return self._remind_reply(changed, user, notice=texts.SAVED)

    def _remind_reply(
        self, settings: ReminderSettings, person: User, notice: str | None = None
    ) -> Reply:
        toggle = (
            ("off", texts.REMINDERS_OFF_BUTTON)
            if settings.enabled
            else ("on", texts.REMINDERS_ON_BUTTON)
        )
        rows: list[tuple[Button, ...]] = [
            (Button(toggle[1], data=callbacks.encode("r", toggle[0], "1", owner=owner(person))),)
        ]
        zones = [
            Button(label, data=callbacks.encode("r", "tz", tz, owner=owner(person)))
            for label, tz in reminders.COMMON_ZONES
        ]
        rows += [tuple(zones[i : i + 3]) for i in range(0, len(zones), 3)]
        return Reply(
            reminders.describe(settings) + "\n\n" + texts.REMIND_USAGE,
            title=texts.REMINDERS_TITLE,
            buttons=tuple(rows),
            notice=notice,
        )

    async def _may_change_reminders(self, user: User, chat: Chat) -> bool:
        """Private reminders are the person's own; a group's belong to its admins."""
        return chat.kind == "private" or await self.may_manage(user, chat.id)

    async def on_remind_button(self, user: User, chat: Chat, setting: str, value: str) -> Reply:
        if setting not in ("on", "off", "tz"):
            return Reply("", notice=texts.STALE_BUTTON)
        if not await self._may_change_reminders(user, chat):
            return Reply("", notice=texts.GROUP_REMINDERS_NOTICE)  # the settings stay on show
        reply = await self.remind(user, chat, [setting] if setting != "tz" else [setting, value])
        return Reply(
            reply.text, title=reply.title, buttons=reply.buttons, notice=reply.notice, edit=True
        )

    async def plan_reminders(self) -> int:
        """Write every reminder due now into the durable outbox; returns how many are new.

        Keys are unique per chat, event and lead, so planning again (every sweep, or after a
        crash mid-sweep) never duplicates a reminder. The row remembers which event it is for,
        so its text is written again from the current knowledge when it is sent.
        """
        now = self.deps.clock()
        subscribers = await self.deps.storage.subscribers()
        zones = {chat_id: settings.tz for chat_id, settings, _ in subscribers}
        events = {d.id: d for d in self.deps.kb.deadlines}
        # Text and meta depend only on (event, lead, zone): built once per sweep and shared, as
        # 100,000 subscribers have a handful of distinct combinations (benchmarks/bench_reminders).
        shared: dict[tuple[str, int, str], tuple[str, dict[str, str]]] = {}

        def text_meta(deadline_id: str, lead: int, tz: str) -> tuple[str, dict[str, str]]:
            found = shared.get((deadline_id, lead, tz))
            if found is None:
                text = calendar.reminder_text(events[deadline_id], lead, now, tz)
                meta = {"deadline": deadline_id, "lead": str(lead), "tz": tz}
                found = shared[(deadline_id, lead, tz)] = (text, meta)
            return found

        entries = [
            (due.chat_id, due.key, *text_meta(due.deadline_id, due.lead_days, zones[due.chat_id]))
            for due in calendar.due_reminders(
                subscribers, self.deps.kb.deadlines, now, basis_of=self.basis_finder(now)
            )
        ]
        return await self.deps.storage.enqueue(entries, now)

    def outbox_text(self, item: OutboxItem) -> str | None:
        """The text to send for an outbox row now, or None when it must not go out.

        Reminders are rendered from the knowledge serving now, so a /reload that moved a date
        is reflected, and an event that was removed or is already past sends nothing.
        """
        deadline_id = item.meta.get("deadline")
        if deadline_id is None:
            return item.text
        now = self.deps.clock()
        event = next((d for d in self.deps.kb.deadlines if d.id == deadline_id), None)
        if event is None or not calendar.is_upcoming(event, now):
            return None
        return calendar.reminder_text(event, int(item.meta["lead"]), now, item.meta["tz"])

    def basis_finder(self, now: datetime) -> Callable[[Profile], tuple[int | None, Profile]]:
        """planner.plan_basis, memoised per profile for one sweep over many subscribers."""
        cache: dict[Profile, tuple[int | None, Profile]] = {}

        def basis_of(profile: Profile) -> tuple[int | None, Profile]:
            if profile not in cache:
                cache[profile] = planner.plan_basis(
                    profile, now.date(), self.deps.kb.deadlines, self.deps.road
                )
            return cache[profile]

        return basis_of
