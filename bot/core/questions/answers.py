"""From a question to the reply a person gets: matching decision -> Reply model.

Pure (no storage, no I/O besides the vector cache) so that `imgbot ask`, the terminal chat,
Telegram and inline mode all give the same answer to the same question. A specific question that
an entry answers gets the entry's short answer (the fact first, its source, whether the fact is
official or reported, the review date) with buttons to the whole topic and related entries; a
general question gets the topic overview.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core import callbacks, texts
from bot.core.models import (
    Button,
    Entry,
    KnowledgeBase,
    Link,
    MatchResult,
    Reply,
    Source,
    Topic,
)
from bot.core.questions.hybrid import QuestionMatcher
from bot.core.questions.matching import Matcher
from bot.core.questions.semantic import cache_dir, shared_encoder
from bot.core.questions.words import not_english

RELATED_BUTTONS = 3
RELATED_ENTRIES = 3
# A direct answer whose next topic scored within this of it offers that topic too: a question
# about two things ("do i need step 3 for an h1b": the H-1B and Step 3 both 85) reads as well
# from either. Of the 358 such direct answers of the tuning and read sets, 103 had the next
# topic as the writer's or a second right one (`also`); on the unseen sets, a random 24 of 92
# judged blind (the question, what was answered, the two button lists): with it better 9,
# without 3, equal 12.
NEARBY_WINDOW = 5.0
SUGGESTIONS = 3
BUTTON_CHARS = 60  # a longer label is cut on phones anyway
REPORTED_NOTE = (
    "This is what applicants report, not an official rule: check the source before you act on it."
)


class MatchesQuestions(Protocol):
    def match(self, text: str) -> MatchResult: ...


def build_matcher(kb: KnowledgeBase, mode: str = "hybrid") -> MatchesQuestions:
    """The matcher for a knowledge base.

    hybrid: words + sentence vectors over topics and entries (lexical only, with one log line,
    when the model package is missing). lexical: the same without vectors. legacy: the lexical
    topic matcher as it was before entries (for comparisons: `imgbot ask --legacy`).
    """
    if mode == "legacy":
        return Matcher(kb)
    key = (kb.topics, kb.entries, mode)
    if key not in _MATCHERS:
        encoder = shared_encoder() if mode == "hybrid" else None
        _MATCHERS[key] = QuestionMatcher(kb, encoder, cache_dir())
        while len(_MATCHERS) > MATCHERS_KEPT:
            _MATCHERS.pop(next(iter(_MATCHERS)))
    return _MATCHERS[key]


# Building a matcher for the full knowledge takes ~1.5 s (three word indexes, the vectors from
# the cache). A matcher never changes once built and reads only the topics and entries, so equal
# ones (a /reload of unchanged files or of a moved deadline, a test's knowledge copy with its own
# deadlines) reuse it. Keyed by value: topics and entries are tuples of frozen dataclasses.
MATCHERS_KEPT = 4
_MATCHERS: dict[tuple[tuple[Topic, ...], tuple[Entry, ...], str], QuestionMatcher] = {}


def _cut(label: str) -> str:
    return label if len(label) <= BUTTON_CHARS else label[: BUTTON_CHARS - 1] + "…"


def _entry_button(entry: Entry) -> tuple[Button, ...]:
    """A row with one button that opens an entry's short answer."""
    return (Button(_cut(f"❓ {entry.question}"), data=callbacks.encode("e", entry.id)),)


class Answers:
    """Turns questions, topics and entries into replies for one knowledge base."""

    def __init__(self, kb: KnowledgeBase, matcher: MatchesQuestions | None = None) -> None:
        self.kb = kb
        self.matcher = matcher if matcher is not None else build_matcher(kb)

    def respond(self, text: str, group: bool = False) -> tuple[MatchResult, Reply]:
        """Match a question and build the reply for a private chat or (shorter) a group."""
        result = self.matcher.match(text)
        if result.kind == "smalltalk":
            return result, Reply(result.smalltalk or texts.HELLO)
        if result.kind == "none" or not result.matches:
            return result, Reply(texts.ENGLISH_ONLY if not_english(text) else texts.OUT_OF_SCOPE)
        if result.kind == "suggest":
            topic_ids = [m.topic for m in result.matches[:SUGGESTIONS]]
            entry = self.kb.entry(result.entry) if result.entry else None
            return result, self.suggest_reply(topic_ids, entry)
        entry = self.kb.entry(result.entry) if result.entry else None
        close = [e for e in map(self.kb.entry, result.close) if e is not None]
        nearby = self._nearby(result)
        if entry is not None:
            return result, self.entry_for_chat(entry, group, close, nearby)
        topic = self.kb.topic(result.matches[0].topic)
        assert topic is not None, "the matcher only returns topics of its knowledge base"
        return result, self.for_chat(topic, group, close, nearby)

    def _nearby(self, result: MatchResult) -> Topic | None:
        """The next topic of a direct answer when it scored nearly as well (`NEARBY_WINDOW`)."""
        if len(result.matches) < 2:
            return None
        first, second = result.matches[0], result.matches[1]
        return self.kb.topic(second.topic) if first.score - second.score <= NEARBY_WINDOW else None

    def for_chat(
        self, topic: Topic, group: bool, close: Sequence[Entry] = (), nearby: Topic | None = None
    ) -> Reply:
        return self.group_reply(topic) if group else self.topic_reply(topic, close, nearby)

    def entry_for_chat(
        self, entry: Entry, group: bool, close: Sequence[Entry] = (), nearby: Topic | None = None
    ) -> Reply:
        if group:
            return self.entry_group_reply(entry)
        return self.entry_reply(entry, close, nearby)

    def suggest_reply(self, topic_ids: list[str], entry: Entry | None = None) -> Reply:
        """ "Did you mean": one button per candidate topic, a well-fitting entry first, and that
        entry's fact before the buttons, with its source and date.

        A guess shown as a guess beats a bare list: of 24 unseen menus with an entry (of 113),
        judged blind by a helper told to count a confident-looking answer to another question
        as harm (the question and the two replies in random order), the menu with the entry's
        fact first was better 21 times, the bare menu twice, equal once."""
        topics = [t for t in map(self.kb.topic, topic_ids) if t]
        rows = [(Button(t.title, data=callbacks.encode("t", t.id)),) for t in topics]
        if entry is None:
            return Reply(texts.SUGGEST, buttons=tuple(rows))
        rows.insert(0, (Button(_cut(entry.question), data=callbacks.encode("e", entry.id)),))
        guess = _quoted(texts.SUGGEST_GUESS, entry)
        return _sourced(f"{guess}\n\n{texts.SUGGEST_AFTER_GUESS}", None, entry, buttons=tuple(rows))

    def topic_reply(
        self, topic: Topic, close: Sequence[Entry] = (), nearby: Topic | None = None
    ) -> Reply:
        """A full answer: text, official sources, review date, related topics and feedback;
        first, the entries that fit the question well (`MatchResult.close`), a tap away, and
        the topic that scored nearly as well (`nearby`) first among the related ones."""
        related = [t for t in map(self.kb.topic, topic.related[:RELATED_BUTTONS]) if t]
        if nearby is not None:
            related = [nearby, *(t for t in related if t != nearby)][:RELATED_BUTTONS]
        rows = [_entry_button(e) for e in close]
        rows += [(Button(f"➡️ {t.title}", data=callbacks.encode("t", t.id)),) for t in related]
        rows.append(_feedback_row(topic.id))
        if not close:
            return _sourced(topic.answer, topic.title, topic, buttons=tuple(rows))
        return _sourced(
            f"{_quoted(texts.IN_SHORT, close[0])}\n\n{topic.answer}",
            topic.title,
            topic,
            buttons=tuple(rows),
            more_sources=close[0].sources,
        )

    def group_reply(self, topic: Topic) -> Reply:
        """The short answer for a group, with a button to read the rest in private."""
        return _sourced(
            topic.summary,
            topic.title,
            topic,
            first_source_only=True,
            buttons=((Button(texts.FULL_ANSWER_IN_PRIVATE, start_payload=f"t-{topic.id}"),),),
        )

    def entry_reply(
        self, entry: Entry, close: Sequence[Entry] = (), nearby: Topic | None = None
    ) -> Reply:
        """An entry's short answer: the fact, its sources, basis and date; topic and related.
        First, the entries that fit the question nearly as well (`MatchResult.close`): when the
        pick was close, the other reading of the question is the first button; after the
        entry's own topic, the topic that scored nearly as well (`nearby`)."""
        topic = self.kb.topic(entry.topic)
        rows = [_entry_button(other) for other in close]
        if topic is not None:
            label = _cut(texts.ALL_ABOUT_BUTTON.format(title=topic.title))
            rows.append((Button(label, data=callbacks.encode("t", topic.id)),))
        if nearby is not None:
            label = _cut(f"➡️ {nearby.title}")
            rows.append((Button(label, data=callbacks.encode("t", nearby.id)),))
        related = [e for e in self.related_entries(entry) if e not in close]
        rows += [_entry_button(other) for other in related[: RELATED_ENTRIES - len(close)]]
        rows.append(_feedback_row(entry.topic))
        return _sourced(_entry_text(entry), entry.question, entry, buttons=tuple(rows))

    def entry_group_reply(self, entry: Entry) -> Reply:
        """The entry's answer in a group (short by nature), with the full topic in private."""
        return _sourced(
            _entry_text(entry),
            entry.question,
            entry,
            first_source_only=True,
            buttons=((Button(texts.MORE_IN_PRIVATE, start_payload=f"e-{entry.id}"),),),
        )

    def related_entries(self, entry: Entry) -> list[Entry]:
        """Up to 3 entries to read next: the ones it names, then its topic's next entries."""
        named = [e for e in map(self.kb.entry, entry.related) if e is not None]
        siblings = list(self.kb.entries_of(entry.topic))
        start = siblings.index(entry) + 1 if entry in siblings else 0
        after = siblings[start:] + siblings[:start]
        out: list[Entry] = []
        for other in [*named, *after]:
            if other.id != entry.id and other not in out:
                out.append(other)
        return out[:RELATED_ENTRIES]


def _sourced(
    text: str,
    title: str | None,
    origin: Topic | Entry,
    *,
    buttons: tuple[tuple[Button, ...], ...],
    first_source_only: bool = False,
    more_sources: Sequence[Source] = (),
) -> Reply:
    """A reply from the knowledge: its sources as links (only the first in a group, to stay
    short) and the reviewed date in the footer, the same for topics, entries and a menu's guess;
    `more_sources` are those of an entry quoted in an overview (`_quoted`)."""
    sources = origin.sources[:1] if first_source_only else origin.sources
    sources = (*sources, *(s for s in more_sources if s not in sources))
    return Reply(
        text,
        title=title,
        links=tuple(Link(s.title, s.url) for s in sources),
        footer=texts.SOURCES_FOOTER.format(reviewed=origin.reviewed.isoformat()),
        buttons=buttons,
    )


def _quoted(template: str, entry: Entry) -> str:
    """An entry's fact quoted in another reply: a menu's guess (`texts.SUGGEST_GUESS`) or the
    first line of an overview (`texts.IN_SHORT`), marked when it is only reported.

    An overview answers when the topic is clear but two of its entries fit about equally, or
    none clearly: its first lines are the topic's, not the fact asked. On the unseen held-out
    sets 52 overview answers have such an entry; judged blind by helpers (the question and the
    two replies in random order, two samples of 24 and 28): with this line first better 27
    times, without it 9, equal 16. Replacing the overview by the entry instead: 6 / 5 / 1 of 12.
    """
    line = template.format(question=entry.question, answer=entry.answer)
    return line if entry.basis == "official" else f"{line} ({texts.REPORTED_SHORT})"


def _entry_text(entry: Entry) -> str:
    return entry.answer if entry.basis == "official" else f"{entry.answer}\n\n{REPORTED_NOTE}"


def _feedback_row(topic_id: str) -> tuple[Button, ...]:
    return (
        Button(texts.HELPFUL_BUTTON, data=callbacks.encode("f", topic_id, "u")),
        Button(texts.NOT_HELPFUL_BUTTON, data=callbacks.encode("f", topic_id, "d")),
    )
