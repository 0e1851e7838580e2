"""The questions room: free-text questions, browsing topics, answer buttons and inline mode."""

from __future__ import annotations

from bot.core import callbacks, texts
from bot.core.models import STAGES, Button, Chat, Entry, Reply, Topic, User
from bot.core.questions.words import normalise
from bot.core.shared import Deps

MAX_QUESTION_CHARS = 1000  # Telegram allows 4096; a real question is far shorter than this
# Asked about most, in the order people meet them: what an empty inline query offers.
POPULAR = (
    "usmle-step1",
    "usmle-step2ck",
    "english-proficiency",
    "ecfmg-certification",
    "usce",
    "eras-application",
    "nrmp-match",
    "visa-j1",
)


class Questions:
    """Matching a question to the knowledge and the replies that carry the answer."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @staticmethod
    def too_long(text: str) -> Reply | None:
        """The refusal for a paste rather than a question, or None to go on."""
        if len(text) > MAX_QUESTION_CHARS:
            return Reply(texts.TOO_LONG.format(length=len(text), limit=MAX_QUESTION_CHARS))
        return None

    @staticmethod
    def empty(text: str) -> Reply | None:
        """The refusal for a message without words (only punctuation, emoji), or None."""
        return None if normalise(text) else Reply(texts.EMPTY_QUESTION)

    async def answer(self, user: User, chat: Chat, text: str) -> tuple[Reply, bool]:
        """The answer and whether it named no topic (a refusal or small talk), with the
        question logged (unanswered ones show the gaps in /stats)."""
        deps = self.deps
        result, reply = deps.answers.respond(text, group=chat.is_group)
        best = result.matches[0] if result.matches else None
        await deps.storage.log_question(
            user.id,
            chat.id,
            text,
            best.topic if best else None,
            best.score if best else 0.0,
            result.kind != "none",  # greetings are no gap in the knowledge
            deps.clock(),
        )
        return reply, result.kind in ("none", "smalltalk")

    def deep_link(self, payload: str) -> Reply | None:
        """`/start t-TOPIC` or `/start e-ENTRY` (a group answer's "full answer" button)."""
        kb, answers = self.deps.kb, self.deps.answers
        if payload.startswith("t-") and (topic := kb.topic(payload[2:])):
            return answers.topic_reply(topic)
        if payload.startswith("e-") and (entry := kb.entry(payload[2:])):
            return answers.entry_reply(entry)
        return None

    def stage_list(self) -> Reply:
        """/topics: the stages of the path as buttons."""
        stages = {t.stage for t in self.deps.kb.topics}
        rows = tuple(
            (Button(f"{n}. {label}", data=callbacks.encode("s", sid)),)
            for n, (sid, label) in enumerate((s for s in STAGES if s[0] in stages), 1)
        )
        return Reply(texts.STAGE_LIST, buttons=rows)

    def _stage_topics(self, stage: str) -> Reply:
        label = dict(STAGES).get(stage)
        topics = [t for t in self.deps.kb.topics if t.stage == stage]
        if not label or not topics:
            return Reply("", notice=texts.STALE_BUTTON)
        rows = [(Button(t.title, data=callbacks.encode("t", t.id)),) for t in topics]
        rows.append((Button(texts.ALL_STAGES_BUTTON, data=callbacks.encode("s", "all")),))
        return Reply(texts.STAGE_TOPICS.format(stage=label), buttons=tuple(rows), edit=True)

    # -- buttons -----------------------------------------------------------------------------------
    async def on_topic(self, user: User, chat: Chat, topic_id: str) -> Reply:
        topic = self.deps.kb.topic(topic_id)
        if topic is None:
            return Reply("", notice=texts.TOPIC_GONE)
        return self.deps.answers.for_chat(topic, chat.is_group)

    async def on_entry(self, user: User, chat: Chat, entry_id: str) -> Reply:
        entry = self.deps.kb.entry(entry_id)
        if entry is None:
            return Reply("", notice=texts.ENTRY_GONE)
        return self.deps.answers.entry_for_chat(entry, chat.is_group)

    async def on_feedback(self, user: User, chat: Chat, topic_id: str, vote: str) -> Reply:
        if self.deps.kb.topic(topic_id) is None or vote not in ("u", "d"):
            return Reply("", notice=texts.STALE_BUTTON)
        await self.deps.storage.add_feedback(user.id, topic_id, vote == "u", self.deps.clock())
        return Reply("", notice=texts.FEEDBACK_THANKS)

    async def on_stage(self, user: User, chat: Chat, stage: str) -> Reply:
        if stage == "all":
            list_reply = self.stage_list()
            return Reply(list_reply.text, buttons=list_reply.buttons, edit=True)
        return self._stage_topics(stage)

    # -- inline mode ---------------------------------------------------------------------------
    def inline_choices(self, query: str, limit: int) -> tuple[Entry | None, list[Topic]]:
        """What the bot would say to the query: the entry it answers with (if any) and the
        topics it answers or offers; popular topics for an empty query."""
        kb = self.deps.kb
        if not query.strip():
            found = [kb.topic(topic_id) for topic_id in POPULAR]
            return None, [t for t in found if t is not None][:limit] or list(kb.topics[:5])
        result = self.deps.answers.matcher.match(query)  # none and smalltalk carry no matches
        entry = kb.entry(result.entry) if result.kind == "answer" and result.entry else None
        topics = [kb.topic(m.topic) for m in result.matches[:limit]]
        return entry, [t for t in topics if t is not None]
