"""The profile room: the guided dialog, the plan (/next), /profile, /progress, /export, /forget.

Everything here is personal: it answers only in a private chat (see `shared.private_only`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from bot.core import callbacks, numbers, texts
from bot.core.models import PROFILE_FIELDS, Button, Chat, Document, Image, Profile, Reply, User
from bot.core.plan import picture, planner, rules
from bot.core.plan.cycle import fmt
from bot.core.profile import dialog
from bot.core.profile.fields import (
    LABELS,
    ProfileError,
    cleared_by,
    describe,
    parse_field,
    with_field,
)
from bot.core.questions.words import normalise
from bot.core.quoting import excerpt
from bot.core.shared import Deps, owner, private_only
from bot.core.storage import DialogState

STATE_MARKS = {"done": "✅", "next": "➡️", "later": "⏳"}
PLAN_DETAILED = 5  # actions shown with their reasons in /next; the rest are listed


@dataclass(frozen=True)
class OpenQuestion:
    """The dialog question waiting on an answer, and whether an earlier one can be gone back to."""

    question: dialog.Question
    can_go_back: bool


class ProfileRoom:
    """A person's answers, their plan and their data."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def next(self, user: User, chat: Chat) -> Reply:
        """/next: the next dialog question, or the plan once nothing relevant is left to ask."""
        if refusal := private_only(chat, texts.PRIVATE_PLAN, "next"):
            return refusal
        await self.deps.seen(user)
        profile = await self.deps.storage.get_profile(user.id)
        state = await self.deps.storage.get_dialog(user.id) or DialogState(False, (), (), None)
        return await self._ask_or_plan(user, profile, state)

    async def _ask_or_plan(self, user: User, profile: Profile, state: DialogState) -> Reply:
        today = self.deps.clock().date()
        question = dialog.next_question(profile, state.skipped, today)
        if question is None:
            # Skips outlive the dialog: /next after the plan shows the plan again instead of
            # asking what the person chose to skip (they can still /profile set it).
            done = DialogState(False, state.skipped, (), None) if state.skipped else None
            await self.deps.storage.save_dialog(user.id, done)
            return self._plan_reply(profile)
        await self.deps.storage.save_dialog(
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
        nav = [Button(texts.SKIP_BUTTON, data=callbacks.encode("pk", question.field))]
        if can_go_back:
            nav.insert(0, Button(texts.BACK_BUTTON, data=callbacks.encode("pb")))
        rows.append(tuple(nav))
        text = question.text
        if question.typed:
            text += "\n\n" + texts.TYPE_THE_NUMBER
        return Reply(text, buttons=tuple(rows))

    def _plan_reply(self, profile: Profile, keep_target: bool = False) -> Reply:
        today = self.deps.clock().date()
        planned = planner.make_plan(
            profile, today, self.deps.kb.deadlines, self.deps.road, keep_target=keep_target
        )
        plan = planned.plan
        lines = []
        for n, action in enumerate(plan.actions, 1):
            template = texts.PLAN_ACTION_DUE if action.due else texts.PLAN_ACTION
            due = fmt(action.due) if action.due else ""
            lines.append(template.format(number=n, title=action.title, due=due))
            # The first few with their reasons; the rest as a list, so a phone shows one
            # message (Telegram cuts at 4096 characters) and the urgent part stays on top.
            if n <= PLAN_DETAILED:
                lines.append(texts.PLAN_REASON.format(why=action.why))
            if n == PLAN_DETAILED and len(plan.actions) > n:
                lines.extend(("", texts.PLAN_LATER))
        text = "\n".join(lines) if lines else texts.PLAN_ALL_DONE
        if plan.warnings:
            warnings = (texts.PLAN_WARNING.format(warning=w) for w in plan.warnings)
            text = "\n".join(warnings) + "\n\n" + text
        text += "\n\n" + texts.PLAN_ESTIMATES
        topic_buttons = [
            (Button(texts.TOPIC_BUTTON.format(title=a.title), data=callbacks.encode("t", a.topic)),)
            for a in plan.actions[:3]
            if self.deps.kb.topic(a.topic)
        ]
        rows = (
            *self._target_choice(planned),
            *topic_buttons,
            (Button(texts.PROGRESS_BUTTON, data=callbacks.encode("pr")),),
        )
        image = self._road_image(profile, planned, "imgbot-plan.png")
        return Reply(text, title=texts.PLAN_TITLE, buttons=rows, image=image)

    @staticmethod
    def _target_choice(planned: planner.Planned) -> tuple[tuple[Button, ...], ...]:
        """When the target Match is out of reach the person chooses: move or keep it."""
        if planned.missed is None:
            return ()
        move = Button(
            texts.TARGET_MOVE_BUTTON.format(year=planned.cycle),
            data=callbacks.encode("nt", "move", planned.cycle),
        )
        keep = Button(
            texts.TARGET_KEEP_BUTTON.format(year=planned.missed),
            data=callbacks.encode("nt", "keep", planned.missed),
        )
        return ((move,), (keep,))

    async def on_target_choice(self, user: User, chat: Chat, choice: str, raw: str) -> Reply:
        """Move the target to the reachable Match (saved), or see the kept target's plan once."""
        if choice not in ("keep", "move") or not raw.isdigit():
            return Reply("", notice=texts.STALE_BUTTON)
        profile = await self.deps.storage.get_profile(user.id)
        if choice == "keep":
            return self._plan_reply(replace(profile, target_match_year=int(raw)), True)
        try:
            profile = with_field(
                profile, "target_match_year", parse_field("target_match_year", raw)
            )
        except ProfileError:
            return Reply("", notice=texts.STALE_BUTTON)
        await self.deps.storage.save_profile(user.id, profile, self.deps.clock())
        reply = self._plan_reply(profile)
        return replace(reply, notice=texts.TARGET_MOVED.format(year=raw))

    def _road_image(self, profile: Profile, planned: planner.Planned, name: str) -> Image:
        """The road picture; its caption is the next three actions (Telegram allows 1024)."""
        today = self.deps.clock().date()
        rows = rules.progress(profile, today, self.deps.road)
        png = picture.draw_road(rows, planned.plan.actions, today, planned.cycle)
        return Image(name, png, picture.caption(planned.plan.actions))

    async def on_dialog_answer(self, user: User, chat: Chat, field: str, value: str) -> Reply:
        """A dialog button. Old buttons still work: the answer is valid whatever was asked last."""
        if field not in PROFILE_FIELDS:
            return Reply("", notice=texts.STALE_BUTTON)
        try:
            parsed = parse_field(field, value)
        except ProfileError:
            return Reply("", notice=texts.STALE_BUTTON)
        return await self._record_answer(user, field, parsed)

    async def _record_answer(self, user: User, field: str, value: object) -> Reply:
        profile = with_field(await self.deps.storage.get_profile(user.id), field, value)
        await self.deps.storage.save_profile(user.id, profile, self.deps.clock())
        state = await self.deps.storage.get_dialog(user.id) or DialogState(True, (), (), None)
        history = (*tuple(f for f in state.history if f != field), field)
        skipped = tuple(f for f in state.skipped if f != field)
        reply = await self._ask_or_plan(user, profile, DialogState(True, skipped, history, None))
        return replace(reply, notice=texts.SAVED)

    async def open_question(self, user: User) -> OpenQuestion | None:
        """The dialog question waiting on an answer, if one is: read once per private message,
        for `typed_answer` and, when the message is no answer, `asked_again`."""
        state = await self.deps.storage.get_dialog(user.id)
        if state is None or not state.active or state.awaiting is None:
            return None
        question = dialog.next_question(
            await self.deps.storage.get_profile(user.id), state.skipped, self.deps.clock().date()
        )
        return None if question is None else OpenQuestion(question, bool(state.history))

    async def typed_answer(
        self, user: User, chat: Chat, text: str, open_: OpenQuestion
    ) -> Reply | None:
        """A typed number (a year, months) or a typed button label ("passed", "yes", "skip",
        "back") answers the open question; any other text is a question (None)."""
        question, typed = open_.question, normalise(text)
        if typed == normalise(texts.SKIP_BUTTON):
            return await self.on_dialog_skip(user, chat, question.field)
        if typed == normalise(texts.BACK_BUTTON):
            back = await self.on_dialog_back(user, chat)
            return back if back.text else self._again(question, False, texts.NO_EARLIER_TYPED)
        value = dialog.typed_option(question, text)
        if (
            value is None
            and question.typed
            and numbers.parse_int(text.strip(), 0, 10**6) is not None
        ):
            value = text.strip()
        if value is None:
            return None
        try:
            parsed = parse_field(question.field, value)
        except ProfileError as exc:
            return Reply(texts.TRY_AGAIN.format(error=exc))
        return await self._record_answer(user, question.field, parsed)

    def asked_again(self, open_: OpenQuestion) -> Reply:
        """The open question again, after a message the bot read as neither its answer nor a
        question it knows."""
        return self._again(open_.question, open_.can_go_back, texts.STILL_ASKING)

    def _again(self, question: dialog.Question, can_go_back: bool, lead: str) -> Reply:
        reply = self._question_reply(question, can_go_back)
        return replace(reply, text=f"{lead}\n\n{reply.text}")

    async def on_dialog_skip(self, user: User, chat: Chat, field: str) -> Reply:
        if field not in PROFILE_FIELDS:
            return Reply("", notice=texts.STALE_BUTTON)
        state = await self.deps.storage.get_dialog(user.id) or DialogState(True, (), (), None)
        skipped = (*tuple(f for f in state.skipped if f != field), field)
        history = (*tuple(f for f in state.history if f != field), field)
        profile = await self.deps.storage.get_profile(user.id)
        return await self._ask_or_plan(user, profile, DialogState(True, skipped, history, None))

    async def on_dialog_back(self, user: User, chat: Chat) -> Reply:
        state = await self.deps.storage.get_dialog(user.id)
        if state is None or not state.history:
            return Reply("", notice=texts.NO_EARLIER_QUESTION)
        field = state.history[-1]
        profile = with_field(await self.deps.storage.get_profile(user.id), field, None)
        await self.deps.storage.save_profile(user.id, profile, self.deps.clock())
        back = DialogState(
            True, tuple(f for f in state.skipped if f != field), state.history[:-1], None
        )
        return await self._ask_or_plan(user, profile, back)

    async def profile(self, user: User, chat: Chat, args: list[str]) -> Reply:
        """/profile shows the answers; `/profile set FIELD VALUE` changes one."""
        if refusal := private_only(chat, texts.PRIVATE_PROFILE, "profile"):
            return refusal
        await self.deps.seen(user)
        if args and args[0].lower() == "set":
            return await self._profile_set(user, args[1:])
        if args:
            return Reply(texts.PROFILE_USAGE)
        profile = await self.deps.storage.get_profile(user.id)
        rows = describe(profile)
        lines = (texts.PROFILE_LINE.format(label=label, value=value) for label, value in rows)
        body = "\n".join(lines) or texts.PROFILE_EMPTY
        fields = ", ".join(PROFILE_FIELDS)
        text = f"{body}\n\n" + texts.PROFILE_HOW_TO_CHANGE.format(fields=fields)
        return Reply(
            text,
            title=texts.PROFILE_TITLE,
            buttons=((Button(texts.MY_PLAN_BUTTON, data=callbacks.encode("n")),),),
        )

    async def _profile_set(self, user: User, args: list[str]) -> Reply:
        if len(args) < 2:
            return Reply(texts.PROFILE_SET_USAGE)
        field = args[0].lower().replace("-", "_")
        if field not in PROFILE_FIELDS:
            fields = ", ".join(PROFILE_FIELDS)
            return Reply(texts.NO_SUCH_FIELD.format(field=excerpt(args[0]), fields=fields))
        try:
            value = parse_field(field, " ".join(args[1:]))
        except ProfileError as exc:
            return Reply(texts.NOT_CHANGED.format(error=exc))
        before = await self.deps.storage.get_profile(user.id)
        profile = with_field(before, field, value)
        await self.deps.storage.save_profile(user.id, profile, self.deps.clock())
        text = texts.PROFILE_SAVED.format(field=field, value=value)
        if cleared := cleared_by(before, field, value):
            labels = ", ".join(LABELS[f] for f in cleared)
            old, new = before.target_match_year, value
            text += "\n\n" + texts.PROFILE_APPLICATION_CLEARED.format(
                old=old, new=new, fields=labels
            )
        return Reply(text)

    async def progress(self, user: User, chat: Chat) -> Reply:
        """/progress: the whole path as a checklist of done, next and later."""
        if refusal := private_only(chat, texts.PRIVATE_PROGRESS, "progress"):
            return refusal
        profile = await self.deps.storage.get_profile(user.id)
        items = rules.progress(profile, self.deps.clock().date(), self.deps.road)
        text = "\n".join(
            texts.PROGRESS_LINE.format(mark=STATE_MARKS.get(state, "•"), label=label)
            for _, label, state in items
        )
        text += "\n\n" + texts.PROGRESS_LEGEND
        planned = planner.make_plan(
            profile, self.deps.clock().date(), self.deps.kb.deadlines, self.deps.road
        )
        return Reply(
            text,
            title=texts.PROGRESS_TITLE,
            buttons=((Button(texts.MY_PLAN_BUTTON, data=callbacks.encode("n")),),),
            image=self._road_image(profile, planned, "imgbot-progress.png"),
        )

    # -- privacy ---------------------------------------------------------------------------------
    async def export(self, user: User, chat: Chat) -> Reply:
        """/export: a JSON document of everything stored about the user."""
        if refusal := private_only(chat, texts.PRIVATE_EXPORT, "export"):
            return refusal
        data = await self.deps.storage.export_user(user.id)
        content = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()
        doc = Document(f"imgbot-data-{user.id}.json", content, "application/json")
        return Reply(texts.EXPORT_SENT, document=doc)

    async def forget(self, user: User, chat: Chat) -> Reply:
        """/forget: asks for confirmation; the button deletes."""
        if refusal := private_only(chat, texts.PRIVATE_FORGET, "forget"):
            return refusal
        buttons = (
            (
                Button(
                    texts.FORGET_YES_BUTTON, data=callbacks.encode("x", "yes", owner=owner(user))
                ),
                Button(texts.FORGET_NO_BUTTON, data=callbacks.encode("x", "no", owner=owner(user))),
            ),
        )
        return Reply(texts.FORGET_ASK, buttons=buttons)

    async def on_forget(self, user: User, chat: Chat, answer: str) -> Reply:
        if answer == "yes":
            await self.deps.storage.forget_user(user.id)
            return Reply(texts.FORGOTTEN, edit=True)
        if answer == "no":
            return Reply(texts.NOT_FORGOTTEN, edit=True)
        return Reply("", notice=texts.STALE_BUTTON)
