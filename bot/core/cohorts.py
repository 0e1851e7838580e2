"""Cohorts: a group chat (and optionally a channel) of people aiming at the same Match year.

Everything a group or a channel sees is about the cohort, never about a person: progress is shown
only as anonymous counts over the members who opted in, and only when enough of them share that
no count points at one person. Permissions are checked here, not in the adapter, so every entry
point (command, button, terminal) gets the same rules: a group's admins (as Telegram tells the
adapter through `is_chat_admin`) and the bot's own admins manage a cohort; nobody else does.

Group and channel reminders reuse the personal machinery: the chat gets a Profile with the
cohort's target year and ReminderSettings, so `Service.plan_reminders` plans them into the same
durable outbox, with the same once-only keys, and stops as soon as the chat is inactive.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, time, timedelta

from bot.core import callbacks, numbers, texts
from bot.core.errors import AlreadyExists
from bot.core.models import Button, Chat, KnowledgeBase, Profile, ReminderSettings, Reply, User
from bot.core.reminders import calendar
from bot.core.reminders import settings as reminders
from bot.core.storage import Cohort, Storage

ChatAdminCheck = Callable[[int, int], Awaitable[bool]]  # (chat id, user id) -> is an admin there

CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,20}")  # what a deep link may carry, capped by us
CODE_BYTES = 9  # token_urlsafe(9) is 12 characters: unguessable, short enough for any link
JOIN_PREFIX = "join-"
DEFAULT_GROUP_LEADS = (7, 1)  # a week's notice and a last call; groups tire of more
MIN_SHARED = 3  # fewer sharers than this and a count could point at one person: show none
MAX_NAME = 60
YEARS_AHEAD = 6  # a first-year student aims about six Match cycles ahead
STATUS_DEADLINES = 3
DIGEST_DEADLINES = 5
DIGEST_WEEKDAY_HOUR = 9  # UTC, Monday: the week's digest is planned from this hour on


async def _nobody(chat_id: int, user_id: int) -> bool:
    """Default check when no adapter can ask Telegram: nobody is a chat admin."""
    return False


def new_code() -> str:
    """An invite code for `/start join-CODE`: random, URL-safe, at most 20 characters."""
    return secrets.token_urlsafe(CODE_BYTES)


# -- anonymous progress --------------------------------------------------------------------------

MILESTONES: tuple[tuple[str, Callable[[Profile], bool]], ...] = (
    (texts.COHORT_STEP1, lambda p: p.step1 == "passed"),
    (texts.COHORT_STEP2CK, lambda p: p.step2ck == "passed"),
    (texts.COHORT_OET, lambda p: p.english == "passed"),
    (texts.COHORT_CERTIFIED, lambda p: bool(p.ecfmg_certified)),
    (texts.COHORT_STEP3, lambda p: p.step3 == "passed"),
    (texts.COHORT_ERAS, lambda p: bool(p.eras_submitted)),
    (texts.COHORT_MATCHED, lambda p: p.match_result == "matched"),
)
ALWAYS_SHOWN = 3  # the exam milestones are shown even at zero; the rest once someone gets there


def aggregate_text(profiles: list[Profile]) -> str:
    """Counts over opted-in members only; nothing that names or singles out anyone."""
    if len(profiles) < MIN_SHARED:
        return texts.COHORT_FEW_SHARE.format(minimum=MIN_SHARED)
    parts = []
    for i, (label, reached) in enumerate(MILESTONES):
        count = sum(1 for p in profiles if reached(p))
        if count or i < ALWAYS_SHOWN:
            parts.append(texts.COHORT_COUNT.format(count=count, milestone=label))
    return texts.COHORT_COUNTS.format(members=len(profiles), counts=", ".join(parts))


# -- the cohort service --------------------------------------------------------------------------


class Cohorts:
    """Create, join, leave, share, status, reminders and channel links for cohorts."""

    def __init__(
        self,
        storage: Storage,
        knowledge: Callable[[], KnowledgeBase],
        clock: Callable[[], datetime],
        admins: frozenset[int] = frozenset(),
        is_chat_admin: ChatAdminCheck | None = None,
    ) -> None:
        self.storage = storage
        self.knowledge = knowledge  # a callable: a /reload swaps the knowledge under us
        self.clock = clock
        self.admins = admins
        # The Telegram adapter passes getChatMember in when it builds the Service.
        self.is_chat_admin: ChatAdminCheck = is_chat_admin or _nobody
        self._digest_week: str | None = None

    # -- the /cohort command ---------------------------------------------------------------------
    async def command(self, user: User, chat: Chat, args: list[str], bot_username: str) -> Reply:
        """/cohort with its sub-commands; what is allowed depends on where it is typed."""
        verb = args[0].lower() if args else ""
        rest = args[1:]
        if chat.kind == "channel":
            return Reply(texts.COHORT_USAGE)
        if chat.is_group:
            if verb == "":
                return await self.group_status(chat, bot_username)
            if verb == "create":
                return await self.create(user, chat, rest, bot_username)
            if verb == "reminders":
                return await self.set_reminders(user, chat, rest)
            if verb in ("share", "leave"):
                button = Button(texts.PRIVATE_BUTTON, start_payload="cohort")
                return Reply(texts.COHORT_PRIVATE_ONLY, buttons=((button,),))
            return Reply(texts.COHORT_USAGE)
        if verb == "":
            return await self.private_status(user)
        if verb == "share" and len(rest) == 1 and rest[0].lower() in ("on", "off"):
            return await self.set_share(user, rest[0].lower() == "on")
        if verb == "leave" and not rest:
            return await self.leave(user)
        if verb in ("create", "reminders"):
            return Reply(texts.COHORT_IN_THE_GROUP)
        return Reply(texts.COHORT_USAGE)

    async def may_manage(self, user: User, chat_id: int) -> bool:
        """Bot admins, and admins of the chat as Telegram says (asked only when needed)."""
        return user.id in self.admins or await self.is_chat_admin(chat_id, user.id)

    # -- creating and joining --------------------------------------------------------------------
    async def create(self, user: User, chat: Chat, args: list[str], bot_username: str) -> Reply:
        """`/cohort create NAME YEAR` in a group, by one of its admins."""
        if not await self.may_manage(user, chat.id):
            return Reply(texts.COHORT_NOT_ADMIN)
        parsed = self._parse_create(args)
        if isinstance(parsed, Reply):
            return parsed
        name, year = parsed
        existing = await self.storage.get_cohort_by_chat(chat.id)
        if existing is not None:
            return Reply(texts.COHORT_EXISTS.format(name=existing.name, year=existing.year))
        now = self.clock()
        try:
            cohort = await self.storage.create_cohort(name, year, chat.id, new_code(), user.id, now)
        except AlreadyExists:  # another admin created it a moment ago
            return Reply(texts.COHORT_JUST_CREATED)
        await self.storage.set_cohort_leads(cohort.id, (user.id,))
        await self.storage.join_cohort(cohort.id, user.id, now)
        await self._subscribe(
            chat.id, year, ReminderSettings(enabled=True, leads=DEFAULT_GROUP_LEADS, tz="UTC")
        )
        return self._created_reply(cohort, bot_username)

    def _parse_create(self, args: list[str]) -> tuple[str, int] | Reply:
        usage = Reply(texts.COHORT_CREATE_USAGE)
        year = numbers.parse_int(args[-1], 0, 9999) if len(args) >= 2 else None
        if year is None:
            return usage
        name = " ".join(args[:-1]).strip()
        this_year = self.clock().year
        if not name or len(name) > MAX_NAME:
            return Reply(texts.COHORT_NAME_LENGTH.format(limit=MAX_NAME))
        if not this_year <= year <= this_year + YEARS_AHEAD:
            last = this_year + YEARS_AHEAD
            return Reply(texts.COHORT_YEAR_RANGE.format(first=this_year, last=last))
        return name, year

    def _created_reply(self, cohort: Cohort, bot_username: str) -> Reply:
        link = f"https://t.me/{bot_username}?start={JOIN_PREFIX}{cohort.code}"
        leads = " and ".join(str(d) for d in DEFAULT_GROUP_LEADS)
        text = texts.COHORT_CREATED.format(
            name=cohort.name, year=cohort.year, link=link, leads=leads
        )
        button = Button(
            texts.COHORT_JOIN_NAMED_BUTTON.format(name=cohort.name),
            start_payload=f"{JOIN_PREFIX}{cohort.code}",
        )
        return Reply(text, title=texts.COHORT_CREATED_TITLE, buttons=((button,),))

    async def join(self, user: User, chat: Chat, code: str) -> Reply:
        """`/start join-CODE` in private: join, and adopt the cohort's year if none is set."""
        if chat.is_group:
            return Reply(texts.COHORT_JOIN_IN_PRIVATE)
        cohort = await self._by_code(code)
        if cohort is None:
            return Reply(texts.COHORT_BAD_LINK)
        now = self.clock()
        await self.storage.join_cohort(cohort.id, user.id, now)
        profile = await self.storage.get_profile(user.id)
        note = ""
        if profile.target_match_year is None:
            await self.storage.save_profile(
                user.id, replace(profile, target_match_year=cohort.year), now
            )
            note = texts.COHORT_YEAR_SET.format(year=cohort.year)
        elif profile.target_match_year != cohort.year:
            note = texts.COHORT_YEAR_KEPT.format(own=profile.target_match_year, year=cohort.year)
        text = texts.COHORT_JOINED.format(
            name=cohort.name, year=cohort.year, note=note, minimum=MIN_SHARED
        )
        return Reply(text, title=texts.COHORT_JOINED_TITLE, buttons=self._share_buttons(False))

    async def _by_code(self, code: str) -> Cohort | None:
        if not CODE_PATTERN.fullmatch(code):
            return None
        return await self.storage.get_cohort_by_code(code)

    # -- status ----------------------------------------------------------------------------------
    async def group_status(self, chat: Chat, bot_username: str) -> Reply:
        """/cohort in a group: name, year, members, next deadlines, anonymous progress."""
        cohort = await self.storage.get_cohort_by_chat(chat.id)
        if cohort is None:
            return Reply(texts.COHORT_NONE_HERE)
        members = len(await self.storage.cohort_members(cohort.id))
        shared = await self.storage.shared_profiles(cohort.id)
        settings = await self.storage.get_reminders(chat.id)
        text = "\n\n".join(
            [
                (texts.COHORT_ONE_MEMBER if members == 1 else texts.COHORT_MEMBERS).format(
                    year=cohort.year, members=members
                ),
                self._deadlines_text(cohort.year, STATUS_DEADLINES),
                aggregate_text(shared),
                texts.COHORT_REMINDERS.format(leads=self._leads_text(settings)),
            ]
        )
        button = Button(texts.COHORT_JOIN_BUTTON, start_payload=f"{JOIN_PREFIX}{cohort.code}")
        return Reply(text, title=texts.COHORT_TITLE.format(name=cohort.name), buttons=((button,),))

    def _deadlines_text(self, year: int, limit: int) -> str:
        now = self.clock()
        ahead = calendar.upcoming(self.knowledge().deadlines, now, year)[:limit]
        if not ahead:
            return texts.COHORT_NO_DEADLINES.format(year=year)
        lines = [texts.COHORT_DEADLINES.format(year=year)]
        for d in ahead:
            line = texts.COHORT_DEADLINE_ESTIMATED if d.estimated else texts.COHORT_DEADLINE
            when = calendar.when_text(d, "UTC")
            lines.append(
                line.format(title=d.title, when=when, left=calendar.days_left(d, now, "UTC"))
            )
        return "\n".join(lines)

    @staticmethod
    def _leads_text(settings: ReminderSettings) -> str:
        if not settings.enabled or not settings.leads:
            return texts.COHORT_LEADS_OFF
        return texts.COHORT_LEADS.format(days=" and ".join(str(d) for d in settings.leads))

    async def private_status(self, user: User) -> Reply:
        """/cohort in private: your cohort, whether you share, and buttons to change it."""
        cohort = await self.storage.cohort_of_user(user.id)
        if cohort is None:
            return Reply(texts.COHORT_NOT_IN)
        share = await self.storage.get_share(user.id)
        members = len(await self.storage.cohort_members(cohort.id))
        text = texts.COHORT_YOURS.format(name=cohort.name, year=cohort.year, members=members)
        text += "\n\n" + (texts.COHORT_SHARING if share else texts.COHORT_NOT_SHARING)
        return Reply(text, title=texts.COHORT_YOURS_TITLE, buttons=self._share_buttons(share))

    @staticmethod
    def _share_buttons(share: bool) -> tuple[tuple[Button, ...], ...]:
        toggle = (
            Button(texts.STOP_SHARING_BUTTON, data=callbacks.encode("c", "share", "off"))
            if share
            else Button(texts.SHARE_BUTTON, data=callbacks.encode("c", "share", "on"))
        )
        leave = Button(texts.LEAVE_COHORT_BUTTON, data=callbacks.encode("c", "leave", "yes"))
        return ((toggle,), (leave,))

    # -- personal choices --------------------------------------------------------------------------
    async def set_share(self, user: User, share: bool) -> Reply:
        """Opt in or out of the anonymous counts."""
        if await self.storage.cohort_of_user(user.id) is None:
            return Reply(texts.COHORT_NOT_IN)
        await self.storage.set_share(user.id, share)
        reply = await self.private_status(user)
        return replace(reply, notice=texts.SHARING_ON if share else texts.SHARING_OFF)

    async def leave(self, user: User) -> Reply:
        """Leave the cohort; the profile stays, it just stops counting for the group."""
        cohort = await self.storage.cohort_of_user(user.id)
        if cohort is None or not await self.storage.leave_cohort(user.id):
            return Reply(texts.COHORT_NOT_IN)
        return Reply(texts.COHORT_LEFT.format(name=cohort.name), notice=texts.COHORT_LEFT_NOTICE)

    # -- group reminders -------------------------------------------------------------------------
    async def set_reminders(self, user: User, chat: Chat, args: list[str]) -> Reply:
        """`/cohort reminders 30 7 1 | off` by a group admin; a linked channel follows."""
        cohort = await self.storage.get_cohort_by_chat(chat.id)
        if cohort is None:
            return Reply(texts.COHORT_NONE_HERE)
        if not await self.may_manage(user, chat.id):
            return Reply(texts.COHORT_NOT_ADMIN)
        current = await self.storage.get_reminders(chat.id)
        if [a.lower() for a in args] == ["off"]:
            changed = replace(current, enabled=False)
        else:
            try:
                changed = replace(
                    reminders.apply_setting(current, "leads", args), enabled=True, tz="UTC"
                )
            except reminders.SettingError as exc:
                return Reply(texts.COHORT_REMINDERS_BAD.format(error=exc))
        for chat_id in (chat.id, cohort.channel_id):
            if chat_id is not None:
                await self.storage.save_reminders(chat_id, changed)
        return Reply(texts.COHORT_REMINDERS_SAVED.format(leads=self._leads_text(changed)))

    async def _subscribe(self, chat_id: int, year: int, settings: ReminderSettings) -> None:
        """Make a group or channel a reminder subscriber for its cohort's cycle."""
        await self.storage.save_profile(chat_id, Profile(target_match_year=year), self.clock())
        await self.storage.save_reminders(chat_id, settings)
        await self.storage.set_active(chat_id, True)

    async def migrate(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move its rows, including the cohort's year profile.

        `storage.migrate_chat` moves chats, reminders, cohorts and the outbox; the group's
        profile (its target year, which drives its reminders) is ours to move. Safe to repeat:
        Telegram announces a migration in both chats, and a failed send may report it again.
        """
        await self.storage.migrate_chat(old_id, new_id)
        profile = await self.storage.get_profile(old_id)
        if profile.to_dict():
            await self.storage.save_profile(new_id, profile, self.clock())

    # -- buttons ---------------------------------------------------------------------------------
    async def button(self, user: User, chat: Chat, verb: str, arg: str) -> Reply:
        """A pressed "c" button: share on/off, leave, link or skip a channel."""
        if verb == "share" and arg in ("on", "off"):
            return replace(await self.set_share(user, arg == "on"), edit=True)
        if verb == "leave" and arg == "yes":
            return replace(await self.leave(user), edit=True)
        channel_id = numbers.parse_int(arg, -numbers.SQLITE_MAX, -1)  # channel ids are negative
        if verb in ("link", "skip") and channel_id is not None:
            if verb == "skip":
                return Reply(texts.CHANNEL_SKIPPED, notice=texts.CHANNEL_SKIPPED_NOTICE, edit=True)
            return await self.link_channel(user, channel_id)
        return Reply("", notice=texts.STALE_BUTTON)

    # -- channels --------------------------------------------------------------------------------
    async def channel_added(self, user: User, channel_id: int, title: str) -> Reply:
        """The bot became admin of a channel: ask the person who added it, in private."""
        cohort = await self.storage.cohort_of_user(user.id)
        channel = title or texts.CHANNEL_NAMELESS
        if cohort is None:
            return Reply(texts.CHANNEL_ADDED_NO_COHORT.format(channel=channel))
        buttons = (
            (
                Button(texts.LINK_BUTTON, data=callbacks.encode("c", "link", channel_id)),
                Button(texts.NO_LINK_BUTTON, data=callbacks.encode("c", "skip", channel_id)),
            ),
        )
        text = texts.CHANNEL_ADDED.format(channel=channel, name=cohort.name, year=cohort.year)
        return Reply(text, buttons=buttons)

    async def link_channel(self, user: User, channel_id: int) -> Reply:
        """Confirm a link: the presser must manage the cohort and administer the channel."""
        cohort = await self.storage.cohort_of_user(user.id)
        if cohort is None:
            return Reply("", notice=texts.LINK_NOT_IN_COHORT)
        manages = user.id == cohort.created_by or user.id in cohort.leads
        if not (manages or await self.may_manage(user, cohort.chat_id)):
            return Reply("", notice=texts.LINK_NOT_GROUP_ADMIN)
        if not await self.may_manage(user, channel_id):
            return Reply("", notice=texts.LINK_NOT_CHANNEL_ADMIN)
        await self.storage.set_cohort_channel(cohort.id, channel_id)
        settings = await self.storage.get_reminders(cohort.chat_id)
        await self._subscribe(channel_id, cohort.year, settings)
        await self.plan_digest(replace(cohort, channel_id=channel_id), self.clock())
        leads = self._leads_text(settings).removesuffix(".")
        return Reply(
            texts.CHANNEL_LINKED.format(name=cohort.name, leads=leads),
            notice=texts.CHANNEL_LINKED_NOTICE,
            edit=True,
        )

    # -- the weekly digest -------------------------------------------------------------------------
    @staticmethod
    def week_of(now: datetime) -> str:
        iso = now.astimezone(calendar.zone("UTC")).isocalendar()
        return f"{iso.year}-W{iso.week:02d}"

    def digest_text(self, cohort: Cohort) -> str:
        """What is ahead for the cohort's cycle: the next few deadlines, with days left."""
        deadlines = self._deadlines_text(cohort.year, DIGEST_DEADLINES)
        return texts.DIGEST.format(name=cohort.name, year=cohort.year, deadlines=deadlines)

    async def plan_digest(self, cohort: Cohort, now: datetime) -> int:
        """Put this week's digest for the cohort's channel into the outbox (once per week)."""
        if cohort.channel_id is None or not await self.storage.is_active(cohort.channel_id):
            return 0
        key = f"{cohort.channel_id}:digest:{self.week_of(now)}"
        return await self.storage.enqueue([(cohort.channel_id, key, self.digest_text(cohort))], now)

    async def plan_digests(self) -> int:
        """The weekly job: one digest per linked channel per ISO week, from Monday 09:00 UTC.

        Keys make it idempotent, so the job may run as often as the reminder sweep; after the
        first run of a week this process remembers it and skips the scan.
        """
        now = self.clock()
        utc = now.astimezone(calendar.zone("UTC"))
        week = self.week_of(utc)
        monday = utc.date() - timedelta(days=utc.weekday())
        start = datetime.combine(monday, time(DIGEST_WEEKDAY_HOUR), calendar.zone("UTC"))
        if self._digest_week == week or now < start:
            return 0
        planned = 0
        for cohort in await self._linked_cohorts():
            planned += await self.plan_digest(cohort, now)
        self._digest_week = week
        return planned

    async def _linked_cohorts(self) -> list[Cohort]:
        """Cohorts with a channel, found through the groups that subscribe to reminders.

        (A group whose reminders are off silences its channel too, digest included.)
        """
        found = []
        for chat_id, _, _ in await self.storage.subscribers():
            if chat_id < 0:
                cohort = await self.storage.get_cohort_by_chat(chat_id)
                if cohort is not None and cohort.channel_id is not None:
                    found.append(cohort)
        return found
