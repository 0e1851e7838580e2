"""Checking one mapping (a topic, an entry, a deadline, a source): each field read records a
located problem instead of raising, so validation can list every problem at once. Also what
every kind of item shares: ids, sources, the review date, dated claims, and what was read."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.core.knowledge.lines import Map, Seq, kind
from bot.core.knowledge.problems import Problem
from bot.core.models import Source

__all__ = [
    "Candidate",
    "Fields",
    "Result",
    "check_dated",
    "check_id",
    "listed",
    "mappings",
    "read_related",
    "read_reviewed",
    "read_sources",
    "sentences",
    "undated_claims",
]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_KEYS = ("title", "url")

# A fee or a calendar date is only true for one year or cycle: people pay and plan by it, so the
# year must stand in the same sentence ("$935 (2025 fee)", "3 March 2027"), or the sentence must
# say the rule recurs ("every year on 1 July").
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_FEE_OR_DATE = re.compile(
    r"(?:US\$|A\$|\$|€|£|\b(?:USD|AUD|EUR|GBP)\s?)\s?\d"
    r"|\b\d[\d,]*\s?(?:dollars|USD|AUD)\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_RECURRING = re.compile(
    r"\b(?:every|each)\s+(?:year|season|cycle)\b|\byearly\b|\bannually\b", re.IGNORECASE
)
# Abbreviations whose dot does not end a sentence.
_ABBREVIATIONS = re.compile(r"\b(?:a\.m|p\.m|U\.S|e\.g|i\.e|approx|vs|No|Dr|St)\.", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class Fields:
    """One mapping under check: reads fields, recording problems instead of raising."""

    node: Map
    file: str
    entry: str | None
    sink: list[Problem]
    prefix: str = ""  # e.g. "sources[0]." for a mapping nested in an entry

    def problem(self, key: str, message: str, line: int | None = None) -> None:
        name = f"{self.prefix}{key}"
        self.sink.append(Problem(self.file, self.entry, name, message, line or self.node.line))

    def _reporter(self, key: str, line: int) -> Callable[[str], None]:
        return lambda message: self.problem(key, message, line)

    def line(self, key: str) -> int:
        return self.node.lines.get(key, self.node.line)

    def check_keys(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        """Unknown keys (typos like `varients`), repeated keys and missing required keys."""
        allowed = required + optional
        for key in self.node:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problem(str(key), f"unknown field{hint}", self.line(key))
        for key, line in self.node.duplicates:
            self.problem(str(key), "given more than once", line)
        for key in required:
            if key not in self.node:
                self.problem(key, "is required")

    def text(self, key: str, max_len: int | None = None) -> str | None:
        if key not in self.node:
            return None
        return _text(self.node[key], max_len, self._reporter(key, self.line(key)))

    def texts(self, key: str) -> tuple[str, ...]:
        """A non-empty list of distinct non-empty strings (what matching is built from); a
        repeat, ignoring case and spacing, is a copy-paste slip that only weighs one text twice."""
        result = []
        first: dict[str, int] = {}
        for i, item, line in self.items(key, allow_empty=False):
            report = self._reporter(f"{key}[{i}]", line)
            value = _text(item, None, report)
            if value is None:
                continue
            plain = " ".join(value.lower().split())
            if plain in first:
                report(f"repeats {key}[{first[plain]}]")
                continue
            first[plain] = i
            result.append(value)
        return tuple(result)

    def items(self, key: str, *, allow_empty: bool) -> list[tuple[int, Any, int]]:
        """(index, value, line) of a list field; records a problem when it is not a list."""
        if key not in self.node:
            return []
        value = self.node[key]
        if not isinstance(value, Seq):
            self.problem(key, f"must be a list, not {kind(value)}", self.line(key))
            return []
        if not value and not allow_empty:
            self.problem(key, "must not be empty", self.line(key))
        return [(i, item, value.lines[i]) for i, item in enumerate(value)]

    def url(self, key: str) -> str | None:
        value = self.text(key)
        message = _url_problem(value) if value is not None else None
        if message is not None:
            self.problem(key, message, self.line(key))
            return None
        return value


def _text(value: object, max_len: int | None, report: Callable[[str], None]) -> str | None:
    if not isinstance(value, str):
        report("must not be empty" if value is None else f"must be text, not {kind(value)}")
        return None
    value = value.strip()
    if not value:
        report("must not be empty")
        return None
    if max_len is not None and len(value) > max_len:
        report(f"is {len(value)} characters long; at most {max_len}")
        return None
    return value


def _id_problem(value: str) -> str | None:
    """Why an id cannot be used (it travels in callback data and links), or None."""
    if ID_PATTERN.match(value):
        return None
    return "must be lowercase kebab-case: letters a-z, digits and single hyphens"


def _url_problem(value: str) -> str | None:
    if not value.startswith("https://"):
        return "must start with https://"
    parts = urlsplit(value)
    if not parts.hostname or "." not in parts.hostname or any(c.isspace() for c in value):
        return "is not a valid web address"
    return None


def sentences(text: str) -> list[str]:
    """An answer's sentences: split after . ! ? and at line breaks, not after "a.m." or "U.S."."""
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\0"), text)
    return [s.replace("\0", ".").strip() for s in _SENTENCE_END.split(protected)]


def undated_claims(text: str) -> list[str]:
    """Sentences that state a fee or a calendar date without its year (or saying it recurs)."""
    found = []
    for sentence in sentences(text):
        if _FEE_OR_DATE.search(sentence) and not (
            _YEAR.search(sentence) or _RECURRING.search(sentence)
        ):
            found.append(sentence)
    return found


def check_dated(entry: Fields, key: str, value: str | None) -> None:
    """A problem for each sentence of the field that states a fee or date without its year."""
    for sentence in undated_claims(value or ""):
        excerpt = sentence if len(sentence) <= 90 else sentence[:87] + "..."
        message = f"a fee or date needs its year or cycle in the same sentence: '{excerpt}'"
        entry.problem(key, message, entry.line(key))


def _entry_label(node: object, position: int) -> tuple[str, str | None]:
    """The label problems use for an entry, and its id when the id itself is usable."""
    raw = node.get("id") if isinstance(node, Map) else None
    if isinstance(raw, str) and raw.strip():
        usable = raw.strip() if ID_PATTERN.match(raw.strip()) else None
        return raw.strip(), usable
    return f"#{position}", None


def check_id(item: Fields, item_id: str | None) -> None:
    """An id that was given but cannot be used (`listed` found none) is a problem."""
    raw = item.text("id")
    if raw is not None and item_id is None:
        item.problem("id", _id_problem(raw) or "is invalid", item.line("id"))


def read_related(item: Fields, noun: str) -> list[tuple[int, str, int]]:
    """The item's `related` ids as (index, id, line) for the cross-file check; anything that
    is not an id is a problem. `noun`: "a topic" or "an entry", for the message."""
    related = []
    for i, value, line in item.items("related", allow_empty=True):
        if not isinstance(value, str) or _id_problem(value) is not None:
            item.problem(f"related[{i}]", f"must be {noun} id (lowercase kebab-case)", line)
        else:
            related.append((i, value, line))
    return related


def listed(top: Fields, key: str, *, allow_empty: bool) -> Iterator[tuple[Fields, str | None]]:
    """Each mapping of a file's list (topics, entries, deadlines) under check, labelled for its
    problems, with its id when usable; an item that is not a mapping is a problem, skipped."""
    for i, node, line in top.items(key, allow_empty=allow_empty):
        label, item_id = _entry_label(node, i + 1)
        if not isinstance(node, Map):
            message = f"must be a mapping, not {kind(node)}"
            top.sink.append(Problem(top.file, label, None, message, line))
            continue
        yield Fields(node, top.file, label, top.sink), item_id


@dataclass
class Candidate:
    """A topic or entry as read; `values` becomes a Topic or Entry once the directory is clean."""

    file: str
    label: str
    id: str | None
    line: int
    related: list[tuple[int, str, int]]  # (index, id, line) for the cross-file check
    values: dict[str, Any]


@dataclass
class Result:
    """A directory as read so far: every problem found, and the items that may still load."""

    problems: list[Problem] = field(default_factory=list)
    # False when a topic file could not be read: its ids are unknown, so "unknown topic id"
    # would only echo the syntax error, once per reference.
    all_topics_read: bool = True
    all_entries_read: bool = True
    topics: list[Candidate] = field(default_factory=list)
    entries: list[Candidate] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)


def mappings(entry: Fields, key: str, keys: tuple[str, ...]) -> Iterator[Fields]:
    """Each item of a non-empty list of small mappings (sources, audience), keys checked."""
    for i, node, line in entry.items(key, allow_empty=False):
        if not isinstance(node, Map):
            entry.problem(f"{key}[{i}]", f"must be a mapping with {' and '.join(keys)}", line)
            continue
        item = Fields(node, entry.file, entry.entry, entry.sink, f"{key}[{i}].")
        item.check_keys(keys)
        yield item


def read_sources(entry: Fields) -> tuple[Source, ...]:
    """The official pages an answer cites: each a title and an https address."""
    sources = []
    for source in mappings(entry, "sources", SOURCE_KEYS):
        title, url = source.text("title"), source.url("url")
        if title is not None and url is not None:
            sources.append(Source(title=title, url=url))
    return tuple(sources)


def read_reviewed(entry: Fields, today: date) -> date | None:
    """The last-reviewed date every answer carries: a real date, not in the future."""
    if "reviewed" not in entry.node:
        return None
    value, line = entry.node["reviewed"], entry.line("reviewed")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            entry.problem("reviewed", f"'{value}' is not a date like 2026-11-21", line)
            return None
    if isinstance(value, datetime) or not isinstance(value, date):
        entry.problem("reviewed", f"must be a date like 2026-11-21, not {kind(value)}", line)
        return None
    if value > today:
        entry.problem("reviewed", f"{value.isoformat()} is in the future", line)
        return None
    return value
