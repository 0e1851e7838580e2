"""Topic files (topics/*.yaml): one stage per file, its topic overviews checked field by field."""

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
from bot.core.models import STAGE_IDS

__all__ = ["read_topic_file"]

MAX_SUMMARY = 400  # a summary is what a group chat sees: one or two sentences
MAX_ANSWER = 3500  # below Telegram's 4096-character message limit, leaving room for the footer

TOPIC_FILE_KEYS = ("stage", "topics")
TOPIC_KEYS = (
    "id",
    "title",
    "summary",
    "answer",
    "variants",
    "keywords",
    "related",
    "sources",
    "reviewed",
)


def read_topic_file(rel: str, data: Map, today: date, result: Result) -> None:
    """One stage's file: its stage must be one of the road's stages, then each topic."""
    top = Fields(data, rel, None, result.problems)
    top.check_keys(TOPIC_FILE_KEYS)
    stage = top.text("stage")
    if stage is not None and stage not in STAGE_IDS:
        top.problem(
            "stage", f"unknown stage '{stage}'; one of: {', '.join(STAGE_IDS)}", top.line("stage")
        )
    for item, topic_id in listed(top, "topics", allow_empty=False):
        result.topics.append(_read_topic(item, topic_id, stage, today))


def _read_topic(entry: Fields, topic_id: str | None, stage: str | None, today: date) -> Candidate:
    entry.check_keys(TOPIC_KEYS)
    check_id(entry, topic_id)
    related = read_related(entry, "a topic")
    title = entry.text("title")
    summary, answer = entry.text("summary", MAX_SUMMARY), entry.text("answer", MAX_ANSWER)
    check_dated(entry, "summary", summary)
    check_dated(entry, "answer", answer)
    values = {
        "id": topic_id,
        "title": title,
        "stage": stage,
        "summary": summary,
        "answer": answer,
        "variants": entry.texts("variants"),
        "keywords": entry.texts("keywords"),
        "related": tuple(r for _, r, _ in related),
        "sources": read_sources(entry),
        "reviewed": read_reviewed(entry, today),
    }
    return Candidate(entry.file, entry.entry or "", topic_id, entry.node.line, related, values)
