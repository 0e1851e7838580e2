"""The one entry point every adapter calls (Telegram, terminal, CLI).

Adapters parse their input into plain values (User, Chat, text, args), call one method here and
render the Reply models they get back. No method takes or returns a Telegram object, so the same
conversation runs in Telegram, in the terminal and in tests.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.core import calendar, callbacks, dialog, numbers, reminders, texts
from bot.core.answers import Answers
from bot.core.cohorts import JOIN_PREFIX, Cohorts
from bot.core.knowledge import KnowledgeError, load_knowledge
from bot.core.matching import normalise
from bot.core.models import (
    PROFILE_FIELDS,
    STAGES,
    Button,
    Chat,
    Document,
    Image,
    KnowledgeBase,
    OutboxItem,
    Profile,
    ReminderSettings,
    Reply,
    User,
)
from bot.core.plan import picture, planner, rules
from bot.core.plan.cycle import fmt
from bot.core.profile import ProfileError, describe, parse_field, with_field
from bot.core.storage import BROADCAST_KEY_PREFIX, DialogState, Storage

MAX_QUESTION_CHARS = 1000  # Telegram allows 4096; a real question is far shorter than this
STATE_MARKS = {"done": "✅", "next": "➡️", "later": "⏳"}
PLAN_DETAILED = 5  # actions shown with their reasons in /next; the rest are listed
# Buttons that change one person's state act only for their owner: the user id the button
# carries (callbacks), or, for a button without one, the person whose private chat it is in (only
# they can press there). Buttons that can be shown in a group (/remind, /broadcast) carry one.
OWNED_KINDS = frozenset({"f", "p", "pk", "pb", "nt", "x", "r", "c", "b"})
# Personal buttons: their answers quote a profile, a plan or a cohort, never to be shown in a group.
PRIVATE_KINDS = frozenset({"f", "p", "pk", "pb", "nt", "x", "c"})
# Personal commands a group member is sent to the private chat for: `/start <command>` runs them.
PRIVATE_COMMANDS = ("next", "profile", "progress", "export", "forget", "remind", "cohort")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _owner(user: User) -> int | None:
    """The id a button is bound to; none for no person (id 0), whose buttons then act nowhere
    but in a private chat (see OWNED_KINDS)."""
    return user.id if user.id > 0 else None


class Service:
    """Knowledge, matching, advice, calendar and storage behind one async API."""

    def __init__(
        self,
        kb: KnowledgeBase,
        storage: Storage,
        clock: Callable[[], datetime] = utcnow,
        admins: frozenset[int] = frozenset(),
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.admins = admins
        self._set_knowledge(kb)
        self.cohorts = Cohorts(storage, lambda: self.kb, clock, admins)

    def _set_knowledge(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.answers = Answers(kb)

    def reload(self, path: Path | None = None) -> KnowledgeBase:
        """Load and validate the knowledge again; on any error the old knowledge keeps serving."""
        kb = load_knowledge(path)
        self._set_knowledge(kb)
        return kb

    # -- conversation -------------------------------------------------------------------------
    async def start(self, user: User, chat: Chat, payload: str | None = None) -> list[Reply]:
        """/start: welcome and what we store; reactivates a user who had blocked us."""
        await self._seen(user)
        await self.storage.set_active(chat.id, True)
        if payload and payload.startswith(JOIN_PREFIX):
            return [await self.cohorts.join(user, chat, payload.removeprefix(JOIN_PREFIX))]
        if payload in PRIVATE_COMMANDS and chat.kind == "private":
            return [await self._deep_linked(user, chat, payload)]
        if payload and payload.startswith("t-"):
            topic = self.kb.topic(payload[2:])
            if topic:
                return [self.answers.topic_reply(topic)]
        if payload and payload.startswith("e-"):
            entry = self.kb.entry(payload[2:])
            if entry:
                return [self.answers.entry_reply(entry)]
        buttons = (
            (Button("🧭 What should I do next?", data=callbacks.encode("n")),),
            (Button("📚 Browse topics", data=callbacks.encode("s", "all")),),
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
        """None in a private chat; elsewhere a refusal with a deep link into the private chat.

        Personal data (a profile, a plan, an export) must never be posted where others read it.
        """
        if chat.kind == "private":
            return None
        button = Button(texts.PRIVATE_BUTTON, start_payload=command)
        return Reply(texts.private_only(what), buttons=((button,),))

    async def help(self, user: User, chat: Chat) -> Reply:
        return Reply(texts.GROUP_HELP if chat.is_group else texts.HELP)

    async def ask(self, user: User, chat: Chat, text: str) -> list[Reply]:
        """Answer a free-text question, or take a typed answer to the dialog's open question."""
        await self._seen(user)
        text = text.strip()
        if len(text) > MAX_QUESTION_CHARS:
            return [Reply(texts.TOO_LONG.format(length=len(text), limit=MAX_QUESTION_CHARS))]
        if not chat.is_group:
            typed = await self._typed_dialog_answer(user, text)
            if typed is not None:
                return [typed]
        if not normalise(text):
            return [Reply(texts.EMPTY_QUESTION)]
        return [await self._answer(user, chat, text)]

    async def _answer(self, user: User, chat: Chat, text: str) -> Reply:
        result, reply = self.answers.respond(text, group=chat.is_group)
        best = result.matches[0] if result.matches else None
        await self.storage.log_question(
            user.id,
            chat.id,
            text,
            best.topic if best else None,
            best.score if best else 0.0,
            result.kind != "none",  # greetings are no gap in the knowledge
            self.clock(),
        )
        return reply

    async def topics(self, user: User, chat: Chat) -> Reply:
        """/topics: the stages of the path as buttons."""
        return self._stage_list()

    def _stage_list(self) -> Reply:
        stages = {t.stage for t in self.kb.topics}
        rows = tuple(
            (Button(f"{n}. {label}", data=callbacks.encode("s", sid)),)
            for n, (sid, label) in enumerate((s for s in STAGES if s[0] in stages), 1)
        )
        return Reply("The road to a US residency, stage by stage. Tap a stage:", buttons=rows)

    def _stage_topics(self, stage: str) -> Reply:
        label = dict(STAGES).get(stage)
        topics = [t for t in self.kb.topics if t.stage == stage]
        if not label or not topics:
            return Reply("", notice=texts.STALE_BUTTON)
        rows = [(Button(t.title, data=callbacks.encode("t", t.id)),) for t in topics]
        rows.append((Button("⬅️ All stages", data=callbacks.encode("s", "all")),))
        return Reply(f"{label}: tap a topic.", buttons=tuple(rows), edit=True)

    # -- buttons ---------------------------------------------------------------------------------
    async def button(self, user: User, chat: Chat, data: str) -> Reply:
        """A pressed button. Forged or stale data returns a Reply with only `notice` set."""
        cb = callbacks.decode(data)
        if cb is None:
            return Reply("", notice=texts.STALE_BUTTON)
        await self._seen(user)
        if not self._may_press(user, chat, cb):
            # A non-admin pressing a broadcast button learns the real reason: admins only.
            outsider = cb.kind == "b" and not self.is_admin(user)
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

    def _button_handlers(self) -> dict[str, Callable[..., object]]:
        return {
            "t": self._on_topic,
            "e": self._on_entry,
            "f": self._on_feedback,
            "s": self._on_stage,
            "p": self._on_dialog_answer,
            "pk": self._on_dialog_skip,
            "pb": self._on_dialog_back,
            "n": lambda user, chat: self.next(user, chat),
            "pr": lambda user, chat: self.progress(user, chat),
            "nt": self._on_target_choice,
            "x": self._on_forget,
            "r": self._on_remind_button,
            "b": self._on_broadcast,
            "c": self.cohorts.button,
        }

    async def _on_topic(self, user: User, chat: Chat, topic_id: str) -> Reply:
        topic = self.kb.topic(topic_id)
        if topic is None:
            return Reply("", notice="That topic no longer exists. Type /topics to see all topics.")
        return self.answers.for_chat(topic, chat.is_group)

    async def _on_entry(self, user: User, chat: Chat, entry_id: str) -> Reply:
        entry = self.kb.entry(entry_id)
        if entry is None:
            return Reply("", notice="That answer no longer exists. Type /topics to see all topics.")
        return self.answers.entry_for_chat(entry, chat.is_group)

    async def _on_feedback(self, user: User, chat: Chat, topic_id: str, vote: str) -> Reply:
        if self.kb.topic(topic_id) is None or vote not in ("u", "d"):
            return Reply("", notice=texts.STALE_BUTTON)
        await self.storage.add_feedback(user.id, topic_id, vote == "u", self.clock())
        return Reply("", notice="Thank you! Your feedback helps us improve the answers.")

    async def _on_stage(self, user: User, chat: Chat, stage: str) -> Reply:
        if stage == "all":
            list_reply = self._stage_list()
            return Reply(list_reply.text, buttons=list_reply.buttons, edit=True)
        return self._stage_topics(stage)

    # -- the guided dialog and the plan ----------------------------------------------------------
    async def next(self, user: User, chat: Chat) -> Reply:
        """/next: the next dialog question, or the plan once nothing relevant is left to ask."""
        if refusal := self.private_only(chat, "I show your plan", "next"):
            return refusal
        await self._seen(user)
        profile = await self.storage.get_profile(user.id)
        state = await self.storage.get_dialog(user.id) or DialogState(False, (), (), None)
        return await self._ask_or_plan(user, profile, state)

    async def _ask_or_plan(self, user: User, profile: Profile, state: DialogState) -> Reply:
        today = self.clock().date()
        question = dialog.next_question(profile, state.skipped, today)
        if question is None:
            # Skips outlive the dialog: /next after the plan shows the plan again instead of
            # asking what the person chose to skip (they can still /profile set it).
            done = DialogState(False, state.skipped, (), None) if state.skipped else None
            await self.storage.save_dialog(user.id, done)
            return self._plan_reply(profile)
        await self.storage.save_dialog(
            user.id, DialogState(True, state.skipped, state.history, question.field)
        )
        return self._question_reply(question, bool(state.history))

    def _question_reply(self, question: dialog.Question, can_go_back: bool) -> Reply:
        rows: list[tuple[Button, ...]] = []
        options = [
            Button(lbl, data=callbacks.encode("p", question.field, v))
            for lbl, v in question.options
        ]
        for i in range(0, len(options), 3):
            rows.append(tuple(options[i : i + 3]))
        nav = [Button("Skip ⏭", data=callbacks.encode("pk", question.field))]
        if can_go_back:
            nav.insert(0, Button("⬅️ Back", data=callbacks.encode("pb")))
        rows.append(tuple(nav))
        hint = "\n\nYou can also type the number." if question.typed else ""
        return Reply(question.text + hint, buttons=tuple(rows))

    def _plan_reply(self, profile: Profile, keep_target: bool = False) -> Reply:
        today = self.clock().date()
        planned = planner.make_plan(profile, today, self.kb.deadlines, keep_target=keep_target)
        plan = planned.plan
        lines = []
        for n, action in enumerate(plan.actions, 1):
            due = f" (by {fmt(action.due)})" if action.due else ""
            # The first few with their reasons; the rest as a list, so a phone shows one
            # message (Telegram cuts at 4096 characters) and the urgent part stays on top.
            reason = f"\n   {action.why}" if n <= PLAN_DETAILED else ""
            lines.append(f"{n}. {action.title}{due}{reason}")
            if n == PLAN_DETAILED and len(plan.actions) > n:
                lines.append("\nLater:")
        text = "\n".join(lines) if lines else "You have done every step I know about. Well done!"
        if plan.warnings:
            text = "\n".join(f"⚠️ {w}" for w in plan.warnings) + "\n\n" + text
        text += "\n\nDates marked as estimates must be confirmed on the official pages."
        topic_buttons = [
            (Button(f"📖 {a.title}", data=callbacks.encode("t", a.topic)),)
            for a in plan.actions[:3]
            if self.kb.topic(a.topic)
        ]
        rows = (
            *self._target_choice(planned),
            *topic_buttons,
            (Button("📋 Progress", data=callbacks.encode("pr")),),
        )
        image = self._road_image(profile, planned, "imgbot-plan.png")
        return Reply(text, title="Your plan, most urgent first", buttons=rows, image=image)

    @staticmethod
    def _target_choice(planned: planner.Planned) -> tuple[tuple[Button, ...], ...]:
        """When the target Match is out of reach the person chooses: move or keep it."""
        if planned.missed is None:
            return ()
        move = Button(
            f"➡️ Aim for the {planned.cycle} Match",
            data=callbacks.encode("nt", "move", planned.cycle),
        )
        keep = Button(
            f"Keep {planned.missed}: what would it take?",
            data=callbacks.encode("nt", "keep", planned.missed),
        )
        return ((move,), (keep,))

    async def _on_target_choice(self, user: User, chat: Chat, choice: str, raw: str) -> Reply:
        """Move the target to the reachable Match (saved), or see the kept target's plan once."""
        if choice not in ("keep", "move") or not raw.isdigit():
            return Reply("", notice=texts.STALE_BUTTON)
        profile = await self.storage.get_profile(user.id)
        if choice == "keep":
            return self._plan_reply(replace(profile, target_match_year=int(raw)), True)
        try:
            profile = with_field(
                profile, "target_match_year", parse_field("target_match_year", raw)
            )
        except ProfileError:
            return Reply("", notice=texts.STALE_BUTTON)
        await self.storage.save_profile(user.id, profile, self.clock())
        reply = self._plan_reply(profile)
        return replace(reply, notice=f"Your target is now the {raw} Match.")

    def _road_image(self, profile: Profile, planned: planner.Planned, name: str) -> Image:
        """The road picture; its caption is the next three actions (Telegram allows 1024)."""
        today = self.clock().date()
        rows = rules.progress(profile, today)
        png = picture.draw_road(rows, planned.plan.actions, today, planned.cycle)
        return Image(name, png, picture.caption(planned.plan.actions))

    async def _on_dialog_answer(self, user: User, chat: Chat, field: str, value: str) -> Reply:
        """A dialog button. Old buttons still work: the answer is valid whatever was asked last."""
        if field not in PROFILE_FIELDS:
            return Reply("", notice=texts.STALE_BUTTON)
        try:
            parsed = parse_field(field, value)
        except ProfileError:
            return Reply("", notice=texts.STALE_BUTTON)
        return await self._record_answer(user, field, parsed)

    async def _record_answer(self, user: User, field: str, value: object) -> Reply:
        profile = with_field(await self.storage.get_profile(user.id), field, value)
        await self.storage.save_profile(user.id, profile, self.clock())
        state = await self.storage.get_dialog(user.id) or DialogState(True, (), (), None)
        history = (*tuple(f for f in state.history if f != field), field)
        skipped = tuple(f for f in state.skipped if f != field)
        reply = await self._ask_or_plan(user, profile, DialogState(True, skipped, history, None))
        return replace(reply, notice="Saved ✅")

    async def _typed_dialog_answer(self, user: User, text: str) -> Reply | None:
        """While the dialog waits on a number (a year, months), a typed number answers it."""
        state = await self.storage.get_dialog(user.id)
        if state is None or not state.active or state.awaiting is None:
            return None
        question = dialog.next_question(
            await self.storage.get_profile(user.id), state.skipped, self.clock().date()
        )
        typed_number = numbers.parse_int(text.strip(), 0, 10**6) is not None
        if question is None or not question.typed or not typed_number:
            return None
        try:
            value = parse_field(question.field, text.strip())
        except ProfileError as exc:
            return Reply(f"{exc} Please try again, or tap Skip.")
        return await self._record_answer(user, question.field, value)

    async def _on_dialog_skip(self, user: User, chat: Chat, field: str) -> Reply:
        if field not in PROFILE_FIELDS:
            return Reply("", notice=texts.STALE_BUTTON)
        state = await self.storage.get_dialog(user.id) or DialogState(True, (), (), None)
        skipped = (*tuple(f for f in state.skipped if f != field), field)
        history = (*tuple(f for f in state.history if f != field), field)
        profile = await self.storage.get_profile(user.id)
        return await self._ask_or_plan(user, profile, DialogState(True, skipped, history, None))

    async def _on_dialog_back(self, user: User, chat: Chat) -> Reply:
        state = await self.storage.get_dialog(user.id)
        if state is None or not state.history:
            return Reply("", notice="There is no earlier question. Type /next to continue.")
        field = state.history[-1]
        profile = with_field(await self.storage.get_profile(user.id), field, None)
        await self.storage.save_profile(user.id, profile, self.clock())
        back = DialogState(
            True, tuple(f for f in state.skipped if f != field), state.history[:-1], None
        )
        return await self._ask_or_plan(user, profile, back)

    async def profile(self, user: User, chat: Chat, args: list[str]) -> Reply:
        """/profile shows the answers; `/profile set FIELD VALUE` changes one."""
        if refusal := self.private_only(chat, "I show your profile", "profile"):
            return refusal
        await self._seen(user)
        if args and args[0].lower() == "set":
            return await self._profile_set(user, args[1:])
        if args:
            return Reply("Usage: /profile to see your answers, or /profile set FIELD VALUE.")
        profile = await self.storage.get_profile(user.id)
        rows = describe(profile)
        body = "\n".join(f"• {label}: {value}" for label, value in rows) or "No answers yet."
        text = (
            f"{body}\n\nChange one with /profile set FIELD VALUE, for example "
            "/profile set step1 passed. Fields: " + ", ".join(PROFILE_FIELDS) + "."
        )
        return Reply(
            text,
            title="Your profile",
            buttons=((Button("🧭 My plan", data=callbacks.encode("n")),),),
        )

    async def _profile_set(self, user: User, args: list[str]) -> Reply:
        if len(args) < 2:
            return Reply(
                "Usage: /profile set FIELD VALUE, for example /profile set step2ck passed."
            )
        field = args[0].lower().replace("-", "_")
        if field not in PROFILE_FIELDS:
            return Reply(
                f"There is no field {texts.excerpt(args[0])}. Fields: {', '.join(PROFILE_FIELDS)}."
            )
        try:
            value = parse_field(field, " ".join(args[1:]))
        except ProfileError as exc:
            return Reply(f"{exc} Nothing was changed.")
        profile = with_field(await self.storage.get_profile(user.id), field, value)
        await self.storage.save_profile(user.id, profile, self.clock())
        return Reply(f"Saved: {field} = {value}. Type /next to see your updated plan.")

    async def progress(self, user: User, chat: Chat) -> Reply:
        """/progress: the whole path as a checklist of done, next and later."""
        if refusal := self.private_only(chat, "I show your progress", "progress"):
            return refusal
        profile = await self.storage.get_profile(user.id)
        items = rules.progress(profile, self.clock().date())
        text = "\n".join(f"{STATE_MARKS.get(state, '•')} {label}" for _, label, state in items)
        text += "\n\n✅ done   ➡️ next   ⏳ later"
        planned = planner.make_plan(profile, self.clock().date(), self.kb.deadlines)
        return Reply(
            text,
            title="Your path",
            buttons=((Button("🧭 My plan", data=callbacks.encode("n")),),),
            image=self._road_image(profile, planned, "imgbot-progress.png"),
        )

    # -- privacy ---------------------------------------------------------------------------------
    async def export(self, user: User, chat: Chat) -> Reply:
        """/export: a JSON document of everything stored about the user."""
        if refusal := self.private_only(chat, "I send your data", "export"):
            return refusal
        data = await self.storage.export_user(user.id)
        content = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()
        doc = Document(f"imgbot-data-{user.id}.json", content, "application/json")
        return Reply("Here is everything I store about you.", document=doc)

    async def forget(self, user: User, chat: Chat) -> Reply:
        """/forget: asks for confirmation; the button deletes."""
        if refusal := self.private_only(chat, "I delete your data", "forget"):
            return refusal
        buttons = (
            (
                Button(
                    "Yes, delete everything", data=callbacks.encode("x", "yes", owner=_owner(user))
                ),
                Button("No, keep it", data=callbacks.encode("x", "no", owner=_owner(user))),
            ),
        )
        return Reply(
            "Delete everything I store about you (profile, plan, reminders, questions, feedback, "
            "cohort membership)? This cannot be undone.",
            buttons=buttons,
        )

    async def _on_forget(self, user: User, chat: Chat, answer: str) -> Reply:
        if answer == "yes":
            await self.storage.forget_user(user.id)
            return Reply("Done: I deleted everything I stored about you.", edit=True)
        if answer == "no":
            return Reply("OK, nothing was deleted.", edit=True)
        return Reply("", notice=texts.STALE_BUTTON)

    # -- deadlines and reminders -----------------------------------------------------------------
    async def deadlines(self, user: User, chat: Chat) -> Reply:
        """/deadlines: what is ahead for this person, with days left in their time zone."""
        settings = await self.storage.get_reminders(chat.id)
        now = self.clock()
        items = await self._personal_deadlines(chat.id, now)
        if not items:
            return Reply("I have no upcoming deadlines for you. Set your target year with /next.")
        lines = []
        for item in items:
            d = item.deadline
            left = calendar.days_left(d, now, settings.tz)
            mark = "estimated: confirm on the official page" if d.estimated else "confirmed"
            lines.append(
                f"• {d.title}\n  {calendar.when_text(d, settings.tz)}: {left} days left ({mark})\n"
                f"  {item.why}\n  {d.source}"
            )
        text = "\n".join(lines) + f"\n\nDays are counted in your time zone ({settings.tz})."
        return Reply(text, title="Your deadlines")

    async def _personal_deadlines(
        self, chat_id: int, now: datetime
    ) -> list[calendar.PersonalDeadline]:
        """The deadlines of the cycle the planner plans for (so /deadlines matches /next)."""
        profile = await self.storage.get_profile(chat_id)
        cycle = planner.target_cycle(profile, now.date(), self.kb.deadlines)
        return calendar.personal_deadlines(profile, self.kb.deadlines, now, cycle)

    async def calendar(self, user: User, chat: Chat) -> Reply:
        """/calendar: an .ics Document of the user's deadlines."""
        now = self.clock()
        items = [i.deadline for i in await self._personal_deadlines(chat.id, now)]
        if not items:
            return Reply("I have no upcoming deadlines for you. Set your target year with /next.")
        content = calendar.to_ics(items, now, "IMG Pathway deadlines")
        doc = Document("imgbot-deadlines.ics", content, "text/calendar")
        return Reply(
            "Your deadlines as a calendar file: open it to add them to Google or Apple Calendar. "
            "Estimated dates are marked [estimated].",
            document=doc,
        )

    async def remind(self, user: User, chat: Chat, args: list[str]) -> Reply:
        """/remind: show the settings, or change one: on, off, leads, tz, quiet.

        In a group these are the group's reminders: anyone may look, only its admins change them.
        """
        await self._seen(user)
        settings = await self.storage.get_reminders(chat.id)
        if not args:
            return self._remind_reply(settings, user)
        if not await self._may_change_reminders(user, chat):
            button = Button(texts.PRIVATE_BUTTON, start_payload="remind")
            return Reply(texts.GROUP_REMINDERS_ADMINS, buttons=((button,),))
        try:
            changed = reminders.apply_setting(settings, args[0].lower(), args[1:])
        except reminders.SettingError as exc:
            return Reply(f"{exc} Nothing was changed.\n\n{reminders.USAGE}")
        await self.storage.save_reminders(chat.id, changed)
        return self._remind_reply(changed, user, notice="Saved ✅")

    def _remind_reply(
        self, settings: ReminderSettings, owner: User, notice: str | None = None
    ) -> Reply:
        toggle = ("off", "🔕 Turn off") if settings.enabled else ("on", "🔔 Turn on")
        rows: list[tuple[Button, ...]] = [
            (Button(toggle[1], data=callbacks.encode("r", toggle[0], "1", owner=_owner(owner))),)
        ]
        zones = [
            Button(label, data=callbacks.encode("r", "tz", tz, owner=_owner(owner)))
            for label, tz in reminders.COMMON_ZONES
        ]
        rows += [tuple(zones[i : i + 3]) for i in range(0, len(zones), 3)]
        return Reply(
            reminders.describe(settings) + "\n\n" + reminders.USAGE,
            title="Deadline reminders",
            buttons=tuple(rows),
            notice=notice,
        )

    async def _may_change_reminders(self, user: User, chat: Chat) -> bool:
        """Private reminders are the person's own; a group's belong to its admins."""
        return chat.kind == "private" or await self.cohorts.may_manage(user, chat.id)

    async def _on_remind_button(self, user: User, chat: Chat, setting: str, value: str) -> Reply:
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
        now = self.clock()
        subscribers = await self.storage.subscribers()
        zones = {chat_id: settings.tz for chat_id, settings, _ in subscribers}
        events = {d.id: d for d in self.kb.deadlines}
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
                subscribers, self.kb.deadlines, now, cycle_of=self._cycle_finder(now)
            )
        ]
        return await self.storage.enqueue(entries, now)

    def outbox_text(self, item: OutboxItem) -> str | None:
        """The text to send for an outbox row now, or None when it must not go out.

        Reminders are rendered from the knowledge serving now, so a /reload that moved a date
        is reflected, and an event that was removed or is already past sends nothing.
        """
        deadline_id = item.meta.get("deadline")
        if deadline_id is None:
            return item.text
        now = self.clock()
        event = next((d for d in self.kb.deadlines if d.id == deadline_id), None)
        if event is None or not calendar.is_upcoming(event, now):
            return None
        return calendar.reminder_text(event, int(item.meta["lead"]), now, item.meta["tz"])

    def _cycle_finder(self, now: datetime) -> Callable[[Profile], int | None]:
        """planner.target_cycle, memoised per profile for one sweep over many subscribers."""
        cache: dict[Profile, int] = {}

        def cycle_of(profile: Profile) -> int:
            if profile not in cache:
                cache[profile] = planner.target_cycle(profile, now.date(), self.kb.deadlines)
            return cache[profile]

        return cycle_of

    # -- admins ----------------------------------------------------------------------------------
    def is_admin(self, user: User) -> bool:
        return user.id in self.admins

    async def stats(self, user: User) -> Reply:
        """/stats for admins: users, activity, answer rate, unanswered, reminders."""
        if not self.is_admin(user):
            return Reply(texts.ADMINS_ONLY)
        data = await self.storage.stats(self.clock())
        per_day = ", ".join(f"{day}: {n}" for day, n in sorted(data["questions_per_day"].items()))
        unanswered = "\n".join(f"  {n}× {q}" for q, n in data["top_unanswered"]) or "  none"
        text = (
            f"Users: {data['users']} ({data['active_users']} active)\n"
            f"Questions per day (last 7 days): {per_day or 'none'}\n"
            f"Answer rate (7 days): {data['answer_rate']:.0%}\n"
            f"Reminders and broadcasts sent: {data['reminders_sent']}\n"
            f"Outbox: {data['outbox']}\n"
            f"Top unanswered:\n{unanswered}"
        )
        return Reply(text, title="Bot statistics")

    async def broadcast(self, user: User, text: str) -> Reply:
        """/broadcast TEXT for admins: a preview with confirm and cancel buttons."""
        if not self.is_admin(user):
            return Reply(texts.ADMINS_ONLY)
        text = text.strip()
        if not text:
            return Reply("Usage: /broadcast TEXT. You will see a preview before anything is sent.")
        broadcast_id = await self.storage.create_broadcast(user.id, text, self.clock())
        count = len(await self.storage.user_ids(active_only=True))
        buttons = (
            (
                Button(
                    f"Send to {count} people",
                    data=callbacks.encode("b", "yes", broadcast_id, owner=_owner(user)),
                ),
                Button(
                    "Cancel", data=callbacks.encode("b", "no", broadcast_id, owner=_owner(user))
                ),
            ),
        )
        return Reply(text, title="Preview of your broadcast", buttons=buttons)

    async def _on_broadcast(self, user: User, chat: Chat, answer: str, raw_id: str) -> Reply:
        broadcast_id = numbers.parse_int(raw_id, 1, numbers.SQLITE_MAX)
        if not self.is_admin(user):
            return Reply("", notice=texts.ADMINS_ONLY)
        if broadcast_id is None or answer not in ("yes", "no"):
            return Reply("", notice=texts.STALE_BUTTON)
        found = await self.storage.get_broadcast(broadcast_id)
        if found is None or found[1] != "draft":
            return Reply("", notice="This broadcast was already sent or cancelled.")
        text, _ = found
        if answer != "yes":
            await self.storage.set_broadcast_status(broadcast_id, "cancelled")
            return Reply("Broadcast cancelled. Nothing was sent.", edit=True)
        users = await self.storage.user_ids(active_only=True)
        entries = [(uid, f"{BROADCAST_KEY_PREFIX}{broadcast_id}:{uid}", text) for uid in users]
        queued = await self.storage.enqueue(entries, self.clock())
        await self.storage.set_broadcast_status(broadcast_id, "queued")
        return Reply(f"Broadcast queued for {queued} people.", edit=True)

    async def reload_knowledge(self, user: User | None, path: Path | None = None) -> Reply:
        """/reload (admins) or SIGHUP (user None): reload, keep the old knowledge on error."""
        if user is not None and not self.is_admin(user):
            return Reply(texts.ADMINS_ONLY)
        try:
            kb = self.reload(path)
        except KnowledgeError as exc:
            return Reply(f"{texts.RELOAD_FAILED}\n\n{exc}")
        planned = await self.plan_reminders()
        return Reply(
            f"Reloaded: {len(kb.topics)} topics, {len(kb.deadlines)} deadlines. "
            f"{planned} new reminders planned; pending ones will use the new dates."
        )

    # -- delivery state ----------------------------------------------------------------------------
    async def set_active(self, chat_id: int, active: bool) -> None:
        """403 or a `kicked` my_chat_member: stop sending; /start: resume."""
        await self.storage.set_active(chat_id, active)

    async def _seen(self, user: User) -> None:
        """Remember a person; ids below 1 are no person (an update without a sender)."""
        if user.id > 0:
            await self.storage.upsert_user(user, self.clock())
