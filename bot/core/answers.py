"""From a question to the reply a person gets: matching decision -> Reply model.

Pure (no storage, no I/O) so that `imgbot ask`, the terminal chat, Telegram and inline mode all
give the same answer to the same question.
"""

from __future__ import annotations

from bot.core import callbacks, texts
from bot.core.matching import Matcher
from bot.core.models import Button, KnowledgeBase, Link, MatchResult, Reply, Topic

RELATED_BUTTONS = 3
SUGGESTIONS = 3


class Answers:
    """Turns questions and topics into replies for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.matcher = Matcher(kb)

    def respond(self, text: str, group: bool = False) -> tuple[MatchResult, Reply]:
        """Match a question and build the reply for a private chat or (shorter) a group."""
        result = self.matcher.match(text)
        if result.kind == "smalltalk":
            return result, Reply(result.smalltalk or "Hello!")
        if result.kind == "none" or not result.matches:
            return result, Reply(texts.OUT_OF_SCOPE)
        if result.kind == "suggest":
            return result, self.suggest_reply([m.topic for m in result.matches[:SUGGESTIONS]])
        topic = self.kb.topic(result.matches[0].topic)
        assert topic is not None, "the matcher only returns topics of its knowledge base"
        return result, self.for_chat(topic, group)

    def for_chat(self, topic: Topic, group: bool) -> Reply:
        return self.group_reply(topic) if group else self.topic_reply(topic)

    def suggest_reply(self, topic_ids: list[str]) -> Reply:
        """ "Did you mean": one button per candidate topic."""
        topics = [t for t in map(self.kb.topic, topic_ids) if t]
        buttons = tuple((Button(t.title, data=callbacks.encode("t", t.id)),) for t in topics)
        return Reply(texts.SUGGEST, buttons=buttons)

    def topic_reply(self, topic: Topic) -> Reply:
        """A full answer: text, official sources, review date, related topics and feedback."""
        related = [t for t in map(self.kb.topic, topic.related[:RELATED_BUTTONS]) if t]
        rows = [(Button(f"➡️ {t.title}", data=callbacks.encode("t", t.id)),) for t in related]
        rows.append(
            (
                Button("👍 Helpful", data=callbacks.encode("f", topic.id, "u")),
                Button("👎 Not helpful", data=callbacks.encode("f", topic.id, "d")),
            )
        )
        return Reply(
            topic.answer,
            title=topic.title,
            links=tuple(Link(s.title, s.url) for s in topic.sources),
            footer=texts.SOURCES_FOOTER.format(reviewed=topic.reviewed.isoformat()),
            buttons=tuple(rows),
        )

    def group_reply(self, topic: Topic) -> Reply:
        """The short answer for a group, with a button to read the rest in private."""
        return Reply(
            topic.summary,
            title=topic.title,
            links=tuple(Link(s.title, s.url) for s in topic.sources[:1]),
            footer=texts.SOURCES_FOOTER.format(reviewed=topic.reviewed.isoformat()),
            buttons=((Button("Full answer in private", start_payload=f"t-{topic.id}"),),),
        )
