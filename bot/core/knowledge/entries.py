"""Entry files (entries/*.yaml): one topic's specific questions, each a short answer with its
basis, sources and review date."""

from __future__ import annotations

from datetime import date

from bot.core.knowledge.fields import (
    Candidate,
    Fields,
    Result,
    check_dated,
    check_id,
    listed,
    read_related,
    read_reviewed,
    read_sources,
)
from bot.core.knowledge.lines import Map

__all__ = ["read_entry_file"]

ENTRY_FILE_KEYS = ("topic", "entries")
ENTRY_KEYS = ("id", "question", "answer", "basis", "variants", "sources", "reviewed")
ENTRY_OPTIONAL_KEYS = ("keywords", "related")
BASES = ("official", "reported")
MAX_QUESTION = 120  # the question is a button label and a title: one line on a phone
MAX_ENTRY_ANSWER = 900  # 1-4 sentences; a longer answer belongs in the topic overview
# Entry ids travel in callback data ("e:<id>", at most 64 bytes) with room for a version prefix.
MAX_ENTRY_ID = 48


def read_entry_file(rel: str, data: Map, today: date, result: Result) -> None:
    """One entry file: its topic must be a known topic id (once the topics are all read)."""
    top = Fields(data, rel, None, result.problems)
    top.check_keys(ENTRY_FILE_KEYS)
    topic = top.text("topic")
    topic_ids = {c.id for c in result.topics if c.id is not None}
    # A topic whose own id is broken already has a problem; do not echo it once per entry file.
    ids_known = result.all_topics_read and len(topic_ids) == len(result.topics)
    if topic is not None and ids_known and topic not in topic_ids:
        top.problem("topic", f"unknown topic id '{topic}'", top.line("topic"))
    for item, entry_id in listed(top, "entries", allow_empty=False):
        result.entries.append(_read_entry(item, entry_id, topic, today))


def _read_entry(entry: Fields, entry_id: str | None, topic: str | None, today: date) -> Candidate:
    entry.check_keys(ENTRY_KEYS, ENTRY_OPTIONAL_KEYS)
    check_id(entry, entry_id)
    if entry_id is not None and len(entry_id) > MAX_ENTRY_ID:
        entry.problem("id", f"is {len(entry_id)} characters long; at most {MAX_ENTRY_ID}")
        entry_id = None
    basis = entry.text("basis")
    if basis is not None and basis not in BASES:
        entry.problem("basis", f"must be one of: {', '.join(BASES)}", entry.line("basis"))
    related = read_related(entry, "an entry")
    answer = entry.text("answer", MAX_ENTRY_ANSWER)
    check_dated(entry, "answer", answer)
    values = {
        "id": entry_id,
        "topic": topic,
        "question": entry.text("question", MAX_QUESTION),
        "answer": answer,
        "basis": basis,
        "variants": entry.texts("variants"),
        "keywords": entry.texts("keywords") if "keywords" in entry.node else (),
        "related": tuple(r for _, r, _ in related),
        "sources": read_sources(entry),
        "reviewed": read_reviewed(entry, today),
    }
    return Candidate(entry.file, entry.entry or "", entry_id, entry.node.line, related, values)
