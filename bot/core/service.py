"""The one entry point every adapter calls (Telegram, terminal, CLI): a thin facade.

Adapters parse their input into plain values (User, Chat, text, args), call one method here and
render the Reply models they get back. No method takes or returns a Telegram object, so the same
conversation runs in Telegram, in the terminal and in tests. The work is done in one room per
feature, which this class only wires together and routes to:

    questions/room.py   free-text questions, topics, answer buttons, inline mode
    profile/room.py     the dialog, the plan (/next), /profile, /progress, /export, /forget
    reminders/room.py   /deadlines, /calendar, /remind, planning; reminders/outbox.py delivery
    cohorts.py          study groups, group reminders, channel digests
    admin.py            /stats, /broadcast, /reload
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from bot.core import callbacks, commands, texts
from bot.core.admin import Admin
from bot.core.cohorts import JOIN_PREFIX, ChatAdminCheck, Cohorts
from bot.core.knowledge import load_knowledge
from bot.core.models import Button, Chat, Entry, KnowledgeBase, OutboxItem, Reply, Topic, User
from bot.core.plan.path import Road, load_road, read_road_dir
from bot.core.profile.room import ProfileRoom
from bot.core.questions.answers import Answers
from bot.core.questions.room import Questions
from bot.core.reminders.outbox import Outbox, Sender
from bot.core.reminders.room import Reminders
from bot.core.shared import Deps, private_only, utcnow
from bot.core.storage import SqliteStorage, Storage

# Buttons that change one person's state act only for their owner: the user id the button
# carries (callbacks), or, for a button without one, the person whose private chat it is in (only
# they can press there). Buttons that can be shown in a group (/remind, /broadcast) carry one.
OWNED_KINDS = frozenset({"f", "p", "pk", "pb", "nt", "x", "r", "c", "b"})
# Personal buttons: their answers quote a profile, a plan or a cohort, never to be shown in a group.
PRIVATE_KINDS = frozenset({"f", "p", "pk", "pb", "nt", "x", "c"})
# Personal commands a group member is sent to the private chat for: `/start <command>` runs them.
PRIVATE_COMMANDS = ("next", "profile", "progress", "export", "forget", "remind", "cohort")

__all__ = [
    "OWNED_KINDS",
    "PRIVATE_COMMANDS",
    "PRIVATE_KINDS",
    "ChatAdminCheck",
    "Service",
    "utcnow",
]

# What a button's code runs: the presser, the chat, then the code's arguments, as many as
# callbacks.KINDS gives its kind (0, 1 or 2; decode rejects any other count).
ButtonHandler = (
    Callable[[User, Chat], Awaitable[Reply]]
    | Callable[[User, Chat, str], Awaitable[Reply]]
    | Callable[[User, Chat, str, str], Awaitable[Reply]]
)


class Service:
    """Knowledge, matching, advice, calendar and storage behind one async API."""

    def __init__(
        self,
        kb: KnowledgeBase,
        storage: Storage,
        clock: Callable[[], datetime] = utcnow,
        admins: frozenset[int] = frozenset(),
        is_chat_admin: ChatAdminCheck | None = None,
        road: Road | None = None,
    ) -> None:
        road = road or load_road()
        self.deps = deps = Deps(storage, clock, admins, kb, Answers(kb), road)
        self.questions = Questions(deps)
        self.profiles = ProfileRoom(deps)
        self.cohorts = Cohorts(storage, lambda: deps.kb, clock, admins, is_chat_admin)
        self.reminders = Reminders(deps, self.cohorts.may_manage)
        self.admin = Admin(deps, self.reload, self.reminders.plan_reminders)
        self.outbox = Outbox(storage, lambda: deps.clock(), self.outbox_text, self.migrate_chat)

    @classmethod
    async def open(
        cls,
        kb: KnowledgeBase,
        db_path: str | Path,
        admins: frozenset[int] = frozenset(),
        is_chat_admin: ChatAdminCheck | None = None,
    ) -> Service:
        """The Service on a database file (created and migrated); `close()` it when done.
        Raises errors.StorageError, one line for the operator, when the file cannot serve."""
        storage = await SqliteStorage.open(db_path)
        return cls(kb, storage, admins=admins, is_chat_admin=is_chat_admin)

    async def close(self) -> None:
        await self.deps.storage.close()

    # What tests and benchmarks read or set; the rooms see the change through `deps`.
    @property
    def storage(self) -> Storage:
        return self.deps.storage

    @property
    def kb(self) -> KnowledgeBase:
        return self.deps.kb

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.deps.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.deps.clock = clock

    @property
    def admins(self) -> frozenset[int]:
        return self.deps.admins

    @admins.setter
    def admins(self, admins: frozenset[int]) -> None:
        self.deps.admins = admins

    def reload(self, path: Path | None = None) -> KnowledgeBase:
        """Load and validate the knowledge and path.yaml again; on any error (InvalidKnowledge)
        the old ones keep serving."""
        kb = load_knowledge(path)
        road = read_road_dir(path)  # checked as at start-up; `imgbot validate` checks the links
        self.deps.kb, self.deps.answers, self.deps.road = kb, Answers(kb), road
        return kb

    # -- conversation -------------------------------------------------------------------------
    async def start(self, user: User, chat: Chat, payload: str | None = None) -> list[Reply]:
        """/start: welcome and what we store; reactivates a user who had blocked us."""
        await self.deps.seen(user)
        await self.deps.storage.set_active(chat.id, True)
        if payload and payload.startswith(JOIN_PREFIX):
            return [await self.cohorts.join(user, chat, payload.removeprefix(JOIN_PREFIX))]
        if payload in PRIVATE_COMMANDS and chat.kind == "private":
            return [await self._deep_linked(user, chat, payload)]
        if payload and (answer := self.questions.deep_link(payload)):
            return [answer]
        buttons = (
            (Button(texts.WELCOME_NEXT_BUTTON, data=callbacks.encode("n")),),
            (Button(texts.WELCOME_TOPICS_BUTTON, data=callbacks.encode("s", "all")),),
        )
        return [Reply(texts.WELCOME, buttons=buttons), Reply(texts.PRIVACY)]

    async def _deep_linked(self, user: User, chat: Chat, command: str) -> Reply:
        """The personal command a group member was sent here for (a button's `start` payload)."""
        commands: dict[str, Callable[[], Awaitable[Reply]]] = {
            "next": lambda: self.next(user, chat),
            "profile": lambda: self.profile(user, chat, []),
            "progress": lambda: self.progress(user, chat),
            "export": lambda: self.export(user, chat),
            "forget": lambda: self.forget(user, chat),
            "remind": lambda: self.remind(user, chat, []),
            "cohort": lambda: self.cohorts.private_status(user),
        }
        return await commands[command]()

    @staticmethod
    def private_only(chat: Chat, what: str, command: str) -> Reply | None:
        """None in a private chat; elsewhere a refusal with a deep link into the private chat."""
        return private_only(chat, what, command)

    async def help(self, user: User, chat: Chat) -> Reply:
        # Generated from the command table, so it lists exactly the commands there are.
        return Reply(commands.help_text("group" if chat.is_group else "private"))

    async def ask(self, user: User, chat: Chat, text: str) -> list[Reply]:
        """Answer a free-text question, or take a typed answer to the dialog's open question."""
        await self.deps.seen(user)
        text = text.strip()
        if refusal := self.questions.too_long(text):
            return [refusal]
        open_ = None if chat.is_group else await self.profiles.open_question(user)
        if open_ and (typed := await self.profiles.typed_answer(user, chat, text, open_)):
            return [typed]
        if refusal := self.questions.empty(text):
            return [refusal]
        reply, no_topic = await self.questions.answer(user, chat, text)
        if no_topic and open_:  # an answer to the open question the bot could not read
            return [reply, self.profiles.asked_again(open_)]
        return [reply]

    async def topics(self, user: User, chat: Chat) -> Reply:
        """/topics: the stages of the path as buttons."""
        return self.questions.stage_list()

    def inline_choices(self, query: str, limit: int) -> tuple[Entry | None, list[Topic]]:
        """Inline mode: the entry the bot would answer with (if any) and up to `limit` topics."""
        return self.questions.inline_choices(query, limit)

    def group_reply(self, found: Topic | Entry) -> Reply:
        """A topic's or entry's answer as a group gets it (inline results quote it)."""
        answers = self.deps.answers
        if isinstance(found, Entry):
            return answers.entry_group_reply(found)
        return answers.group_reply(found)

    # -- buttons ---------------------------------------------------------------------------------
    async def button(self, user: User, chat: Chat, data: str) -> Reply:
        """A pressed button. Forged or stale data returns a Reply with only `notice` set."""
        cb = callbacks.decode(data)
        if cb is None:
            return Reply("", notice=texts.STALE_BUTTON)
        await self.deps.seen(user)
        if not self._may_press(user, chat, cb):
            # A non-admin pressing a broadcast button learns the real reason: admins only.
            outsider = cb.kind == "b" and not self.deps.is_admin(user)
            return Reply("", notice=texts.ADMINS_ONLY if outsider else texts.NOT_YOURS)
        if cb.kind in PRIVATE_KINDS and chat.kind != "private":
            return Reply("", notice=texts.STALE_BUTTON)
        handler = self._button_handlers().get(cb.kind)
        if handler is None:
            return Reply("", notice=texts.STALE_BUTTON)
        return await handler(user, chat, *cb.args)

    @staticmethod
    def _may_press(user: User, chat: Chat, cb: callbacks.Callback) -> bool:
        """Whether this person's press may act: see OWNED_KINDS."""
        if cb.owner is not None:
            return cb.owner == user.id
        if cb.kind not in OWNED_KINDS:
            return True
        return chat.kind == "private" and chat.id == user.id

    def _button_handlers(self) -> dict[str, ButtonHandler]:
        return {
            "t": self.questions.on_topic,
            "e": self.questions.on_entry,
            "f": self.questions.on_feedback,
            "s": self.questions.on_stage,
            "p": self.profiles.on_dialog_answer,
            "pk": self.profiles.on_dialog_skip,
            "pb": self.profiles.on_dialog_back,
            "n": self.next,
            "pr": self.progress,
            "nt": self.profiles.on_target_choice,
            "x": self.profiles.on_forget,
            "r": self.reminders.on_remind_button,
            "b": self.admin.on_broadcast,
            "c": self.cohorts.button,
        }

    # -- the dialog, the plan, the profile and privacy ------------------------------------------
    async def next(self, user: User, chat: Chat) -> Reply:
        """/next: the next dialog question, or the plan once nothing relevant is left to ask."""
        return await self.profiles.next(user, chat)

    async def profile(self, user: User, chat: Chat, args: list[str]) -> Reply:
        """/profile shows the answers; `/profile set FIELD VALUE` changes one."""
        return await self.profiles.profile(user, chat, args)

    async def progress(self, user: User, chat: Chat) -> Reply:
        """/progress: the whole path as a checklist of done, next and later."""
        return await self.profiles.progress(user, chat)

    async def export(self, user: User, chat: Chat) -> Reply:
        """/export: a JSON document of everything stored about the user."""
        return await self.profiles.export(user, chat)

    async def forget(self, user: User, chat: Chat) -> Reply:
        """/forget: asks for confirmation; the button deletes."""
        return await self.profiles.forget(user, chat)

    # -- deadlines, reminders and the outbox -----------------------------------------------------
    async def deadlines(self, user: User, chat: Chat) -> Reply:
        """/deadlines: what is ahead for this person, with days left in their time zone."""
        return await self.reminders.deadlines(user, chat)

    async def calendar(self, user: User, chat: Chat) -> Reply:
        """/calendar: an .ics Document of the user's deadlines."""
        return await self.reminders.calendar(user, chat)

    async def remind(self, user: User, chat: Chat, args: list[str]) -> Reply:
        """/remind: show the settings, or change one: on, off, leads, tz, quiet."""
        return await self.reminders.remind(user, chat, args)

    async def plan_reminders(self) -> int:
        """Write every reminder due now into the durable outbox; returns how many are new."""
        return await self.reminders.plan_reminders()

    def outbox_text(self, item: OutboxItem) -> str | None:
        """The text to send for an outbox row now, or None when it must not go out."""
        return self.reminders.outbox_text(item)

    async def deliver(self, sender: Sender, running: Callable[[], bool] = lambda: True) -> int:
        """Send what is pending in the outbox through the adapter's sender; returns how many
        items were delivered. Retries, dead letters and blocked chats are core's policy."""
        return await self.outbox.deliver(sender, running)

    # -- groups and cohorts ------------------------------------------------------------------------
    async def cohort(self, user: User, chat: Chat, args: list[str], bot_username: str) -> Reply:
        """/cohort with its sub-commands; what is allowed depends on where it is typed."""
        return await self.cohorts.command(user, chat, args, bot_username)

    async def plan_digests(self) -> int:
        """The weekly "what's ahead" digest of every linked channel, planned into the outbox."""
        return await self.cohorts.plan_digests()

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its cohort, settings and pending messages move along."""
        await self.cohorts.migrate(old_id, new_id)

    async def channel_added(self, user: User, channel_id: int, title: str) -> Reply:
        """The bot became admin of a channel: what to ask the person who added it, in private."""
        return await self.cohorts.channel_added(user, channel_id, title)

    # -- admins ----------------------------------------------------------------------------------
    def is_admin(self, user: User) -> bool:
        return self.deps.is_admin(user)

    async def stats(self, user: User) -> Reply:
        """/stats for admins: users, activity, answer rate, unanswered, reminders."""
        return await self.admin.stats(user)

    async def broadcast(self, user: User, text: str) -> Reply:
        """/broadcast TEXT for admins: a preview with confirm and cancel buttons."""
        return await self.admin.broadcast(user, text)

    async def reload_knowledge(self, user: User | None, path: Path | None = None) -> Reply:
        """/reload (admins) or SIGHUP (user None): reload, keep the old knowledge on error."""
        return await self.admin.reload_knowledge(user, path)

    # Operator commands that need the database but not the knowledge (so no matcher to build).
    @staticmethod
    async def top_unanswered_in(db_path: str | Path, limit: int = 20) -> list[tuple[str, int]]:
        """The questions asked most that found no answer (`imgbot unanswered`)."""
        async with await SqliteStorage.open(db_path) as storage:
            return await storage.top_unanswered(limit)

    @staticmethod
    async def check_database(db_path: str | Path) -> int:
        """Open (creating and migrating) the database once; returns its schema version. Raises
        errors.StorageError, one line for the operator, when the file cannot serve the bot."""
        async with await SqliteStorage.open(db_path) as storage:
            return await storage.schema_version()

    # -- delivery state and the update journal -----------------------------------------------------
    async def set_active(self, chat_id: int, active: bool) -> None:
        """403 or a `kicked` my_chat_member: stop sending; /start: resume."""
        await self.deps.storage.set_active(chat_id, active)

    async def journal_updates(self, updates: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Write received updates (id, raw JSON) before they are confirmed; returns the new ones."""
        return await self.deps.storage.inbox_add(updates)

    async def update_handled(self, update_id: int) -> None:
        await self.deps.storage.inbox_done(update_id)

    async def unfinished_updates(self) -> list[tuple[int, str]]:
        """Updates a previous run journaled but did not finish handling (it crashed)."""
        return await self.deps.storage.inbox_pending()
