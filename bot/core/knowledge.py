"""Load the curated knowledge (YAML) into frozen models, or say exactly what is wrong with it.

People act on these answers, so a bad file must stop start-up (and a failed /reload must keep the
old knowledge serving) with a message an editor can fix without reading code: every problem names
the file, the line, the entry and the field. Validation therefore collects *all* problems instead of
stopping at the first, and never raises; `load_knowledge` raises once, with the whole list.

Layout of a knowledge directory::

    topics/*.yaml     one stage per file, read in filename order: {stage, topics: [...]}
    entries/*.yaml    optional, one topic per file: {topic, entries: [...]}; the specific
                      questions people ask inside that topic, each with a short answer
    deadlines.yaml    optional: {deadlines: [...]} (contract in shared/design.md)
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from bot.core.audience import CONDITIONS
from bot.core.errors import InvalidKnowledge
from bot.core.models import STAGE_IDS, Audience, Deadline, Entry, KnowledgeBase, Source, Topic
from bot.core.yamlfile import SAFE_LOADER

__all__ = [
    "KnowledgeError",
    "Problem",
    "default_knowledge_dir",
    "load_knowledge",
    "validate_dir",
]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SUMMARY = 400  # a summary is what a group chat sees: one or two sentences
MAX_ANSWER = 3500  # below Telegram's 4096-character message limit, leaving room for the footer
MIN_CYCLE, MAX_CYCLE = 2000, 2100
STATUSES = ("confirmed", "estimated")
# Date-only deadlines are official US dates: they start at midnight US Eastern time.
EASTERN = ZoneInfo("America/New_York")
# A reviewer may be up to UTC+14 ahead of the server; a date later than that is a typo.
AHEAD_OF_UTC = timedelta(hours=14)

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
ENTRY_FILE_KEYS = ("topic", "entries")
ENTRY_KEYS = ("id", "question", "answer", "basis", "variants", "sources", "reviewed")
ENTRY_OPTIONAL_KEYS = ("keywords", "related")
BASES = ("official", "reported")
MAX_QUESTION = 120  # the question is a button label and a title: one line on a phone
MAX_ENTRY_ANSWER = 900  # 1-4 sentences; a longer answer belongs in the topic overview
# Entry ids travel in callback data ("e:<id>", at most 64 bytes) with room for a version prefix.
MAX_ENTRY_ID = 48
SOURCE_KEYS = ("title", "url")
DEADLINE_FILE_KEYS = ("deadlines",)
DEADLINE_KEYS = ("id", "title", "cycle", "date", "topic", "status", "source")
DEADLINE_OPTIONAL_KEYS = ("audience", "weekend")
AUDIENCE_KEYS = ("who", "why")

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


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the knowledge, located precisely enough to fix it.

    `entry` is the entry's id, or "#N" (1-based position in its list) when the id is missing or
    unusable; `field` is a path inside the entry such as "sources[0].url".
    """

    file: str
    entry: str | None
    field: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        located = [f"entry '{self.entry}'"] if self.entry is not None else []
        located += [f"field '{self.field}'"] if self.field is not None else []
        return ": ".join(
            [where, ", ".join(located), self.message] if located else [where, self.message]
        )


class KnowledgeError(InvalidKnowledge):
    """The knowledge did not validate; `problems` lists everything found, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def default_knowledge_dir() -> Path:
    """IMGBOT_KNOWLEDGE_DIR when set (deployments mount their own), else the repo's knowledge/."""
    configured = os.environ.get("IMGBOT_KNOWLEDGE_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[2] / "knowledge"


def validate_dir(path: Path, *, today: date | None = None) -> list[Problem]:
    """Every problem in every file of a knowledge directory; an empty list means it loads.

    `today` bounds `reviewed` dates (default: the latest calendar date anywhere on Earth now).
    """
    return _read_dir(Path(path), today).problems


def load_knowledge(path: Path | None = None, *, today: date | None = None) -> KnowledgeBase:
    """Validated knowledge as frozen models; raises KnowledgeError listing every problem."""
    result = _read_dir(Path(path) if path is not None else default_knowledge_dir(), today)
    if result.problems:
        raise KnowledgeError(result.problems)
    topics = tuple(Topic(**c.values) for c in result.topics)
    entries = tuple(Entry(**c.values) for c in result.entries)
    deadlines = tuple(Deadline(**values) for values in result.deadlines)
    return KnowledgeBase(
        topics=topics,
        deadlines=tuple(sorted(deadlines, key=_deadline_order)),
        entries=entries,
    )


def _deadline_order(d: Deadline) -> tuple[datetime, str]:
    return d.at, d.id


# -- YAML with line numbers -------------------------------------------------------------------


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers where it and each value start, for located problems."""

    line: int
    lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]  # PyYAML silently keeps the last of repeated keys


class _Seq(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    line: int
    lines: list[int]


class _Loader(SAFE_LOADER):  # type: ignore[valid-type,misc]
    """Safe loading (libyaml when available, for speed) that builds _Map and _Seq."""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Map:
    result = _Map()
    result.line, result.lines, result.duplicates = _line(node), {}, []
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            )
        if key in result:
            result.duplicates.append((key, _line(key_node)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = _line(value_node)
    return result


def _construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.lines = _line(node), [_line(child) for child in node.value]
    return result


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    """An impossible date (2026-02-30) stays text, so it becomes a located problem, not a crash."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _parse(path: Path, rel: str, sink: list[Problem]) -> _Map | None:
    """One file's top-level mapping, or None after recording why it cannot be read."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        context = f" ({exc.context})" if exc.context else ""
        sink.append(Problem(rel, None, None, f"YAML syntax error: {exc.problem}{context}", line))
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        sink.append(Problem(rel, None, None, f"cannot read: {exc}"))
        return None
    if not isinstance(data, _Map):
        what = "empty" if data is None else f"{_kind(data)}, not a mapping"
        sink.append(Problem(rel, None, None, f"the file is {what}", 1))
        return None
    return data


def _kind(value: object) -> str:
    """How a YAML author would name what they wrote, for messages."""
    names = {bool: "yes/no", int: "a number", float: "a number", str: "text", _Seq: "a list"}
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, _Map):
        return "a mapping"
    return names.get(type(value), type(value).__name__) if value is not None else "empty"


# -- checking one mapping ---------------------------------------------------------------------


@dataclass
class _Fields:
    """One mapping under check: reads fields, recording problems instead of raising."""

    node: _Map
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
        """A non-empty list of non-empty strings (what matching is built from)."""
        result = []
        for i, item, line in self.items(key, allow_empty=False):
            report = self._reporter(f"{key}[{i}]", line)
            value = _text(item, None, report)
            if value is not None:
                result.append(value)
        return tuple(result)

    def items(self, key: str, *, allow_empty: bool) -> list[tuple[int, Any, int]]:
        """(index, value, line) of a list field; records a problem when it is not a list."""
        if key not in self.node:
            return []
        value = self.node[key]
        if not isinstance(value, _Seq):
            self.problem(key, f"must be a list, not {_kind(value)}", self.line(key))
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
        report("must not be empty" if value is None else f"must be text, not {_kind(value)}")
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


def _check_dated(entry: _Fields, key: str, value: str | None) -> None:
    for sentence in undated_claims(value or ""):
        excerpt = sentence if len(sentence) <= 90 else sentence[:87] + "..."
        message = f"a fee or date needs its year or cycle in the same sentence: '{excerpt}'"
        entry.problem(key, message, entry.line(key))


def _entry_label(node: object, position: int) -> tuple[str, str | None]:
    """The label problems use for an entry, and its id when the id itself is usable."""
    raw = node.get("id") if isinstance(node, _Map) else None
    if isinstance(raw, str) and raw.strip():
        usable = raw.strip() if ID_PATTERN.match(raw.strip()) else None
        return raw.strip(), usable
    return f"#{position}", None


# -- topics -----------------------------------------------------------------------------------


@dataclass
class _Candidate:
    """A topic or entry as read; `values` becomes a Topic or Entry once the directory is clean."""

    file: str
    label: str
    id: str | None
    line: int
    related: list[tuple[int, str, int]]  # (index, id, line) for the cross-file check
    values: dict[str, Any]


@dataclass
class _Result:
    problems: list[Problem] = field(default_factory=list)
    # False when a topic file could not be read: its ids are unknown, so "unknown topic id"
    # would only echo the syntax error, once per reference.
    all_topics_read: bool = True
    all_entries_read: bool = True
    topics: list[_Candidate] = field(default_factory=list)
    entries: list[_Candidate] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)


def _read_topic_file(rel: str, data: _Map, today: date, result: _Result) -> None:
    top = _Fields(data, rel, None, result.problems)
    top.check_keys(TOPIC_FILE_KEYS)
    stage = top.text("stage")
    if stage is not None and stage not in STAGE_IDS:
        top.problem(
            "stage", f"unknown stage '{stage}'; one of: {', '.join(STAGE_IDS)}", top.line("stage")
        )
    for i, node, line in top.items("topics", allow_empty=False):
        label, topic_id = _entry_label(node, i + 1)
        if not isinstance(node, _Map):
            result.problems.append(
                Problem(rel, label, None, f"must be a mapping, not {_kind(node)}", line)
            )
            continue
        result.topics.append(
            _read_topic(_Fields(node, rel, label, result.problems), topic_id, stage, today)
        )


def _read_topic(entry: _Fields, topic_id: str | None, stage: str | None, today: date) -> _Candidate:
    entry.check_keys(TOPIC_KEYS)
    raw_id = entry.text("id")
    if raw_id is not None and topic_id is None:
        entry.problem("id", _id_problem(raw_id) or "is invalid", entry.line("id"))
    related: list[tuple[int, str, int]] = []
    for i, item, line in entry.items("related", allow_empty=True):
        if not isinstance(item, str) or _id_problem(item) is not None:
            entry.problem(f"related[{i}]", "must be a topic id (lowercase kebab-case)", line)
        else:
            related.append((i, item, line))
    title = entry.text("title")
    summary, answer = entry.text("summary", MAX_SUMMARY), entry.text("answer", MAX_ANSWER)
    _check_dated(entry, "summary", summary)
    _check_dated(entry, "answer", answer)
    values = {
        "id": topic_id,
        "title": title,
        "stage": stage,
        "summary": summary,
        "answer": answer,
        "variants": entry.texts("variants"),
        "keywords": entry.texts("keywords"),
        "related": tuple(r for _, r, _ in related),
        "sources": _read_sources(entry),
        "reviewed": _read_reviewed(entry, today),
    }
    return _Candidate(entry.file, entry.entry or "", topic_id, entry.node.line, related, values)


def _mappings(entry: _Fields, key: str, keys: tuple[str, ...]) -> Iterator[_Fields]:
    """Each item of a non-empty list of small mappings (sources, audience), keys checked."""
    for i, node, line in entry.items(key, allow_empty=False):
        if not isinstance(node, _Map):
            entry.problem(f"{key}[{i}]", f"must be a mapping with {' and '.join(keys)}", line)
            continue
        item = _Fields(node, entry.file, entry.entry, entry.sink, f"{key}[{i}].")
        item.check_keys(keys)
        yield item


def _read_sources(entry: _Fields) -> tuple[Source, ...]:
    sources = []
    for source in _mappings(entry, "sources", SOURCE_KEYS):
        title, url = source.text("title"), source.url("url")
        if title is not None and url is not None:
            sources.append(Source(title=title, url=url))
    return tuple(sources)


def _read_reviewed(entry: _Fields, today: date) -> date | None:
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
        entry.problem("reviewed", f"must be a date like 2026-11-21, not {_kind(value)}", line)
        return None
    if value > today:
        entry.problem("reviewed", f"{value.isoformat()} is in the future", line)
        return None
    return value


def _check_links(candidates: list[_Candidate], noun: str, all_read: bool, result: _Result) -> None:
    """Ids unique across all files; every related id exists and is not the item itself.

    `all_read` is False when a file could not be read: its ids are unknown, so "unknown id" would
    only echo that file's syntax error once per reference.
    """
    first: dict[str, _Candidate] = {}
    for c in candidates:
        if c.id is None:
            continue
        if c.id in first:
            where = f"{first[c.id].file}:{first[c.id].line}"
            result.problems.append(
                Problem(c.file, c.label, "id", f"duplicate id; first defined at {where}", c.line)
            )
        else:
            first[c.id] = c
    for c in candidates:
        for i, related, line in c.related:
            if related == c.id:
                message = f"{'an' if noun == 'entry' else 'a'} {noun} cannot be related to itself"
            elif related not in first and all_read:
                message = f"unknown {noun} id '{related}'"
            else:
                continue
            result.problems.append(Problem(c.file, c.label, f"related[{i}]", message, line))


# -- entries ----------------------------------------------------------------------------------


def _read_entry_file(rel: str, data: _Map, today: date, result: _Result) -> None:
    top = _Fields(data, rel, None, result.problems)
    top.check_keys(ENTRY_FILE_KEYS)
    topic = top.text("topic")
    topic_ids = {c.id for c in result.topics if c.id is not None}
    # A topic whose own id is broken already has a problem; do not echo it once per entry file.
    ids_known = result.all_topics_read and len(topic_ids) == len(result.topics)
    if topic is not None and ids_known and topic not in topic_ids:
        top.problem("topic", f"unknown topic id '{topic}'", top.line("topic"))
    for i, node, line in top.items("entries", allow_empty=False):
        label, entry_id = _entry_label(node, i + 1)
        if not isinstance(node, _Map):
            result.problems.append(
                Problem(rel, label, None, f"must be a mapping, not {_kind(node)}", line)
            )
            continue
        fields_ = _Fields(node, rel, label, result.problems)
        result.entries.append(_read_entry(fields_, entry_id, topic, today))


def _read_entry(entry: _Fields, entry_id: str | None, topic: str | None, today: date) -> _Candidate:
    entry.check_keys(ENTRY_KEYS, ENTRY_OPTIONAL_KEYS)
    raw_id = entry.text("id")
    if raw_id is not None and entry_id is None:
        entry.problem("id", _id_problem(raw_id) or "is invalid", entry.line("id"))
    elif entry_id is not None and len(entry_id) > MAX_ENTRY_ID:
        entry.problem("id", f"is {len(entry_id)} characters long; at most {MAX_ENTRY_ID}")
        entry_id = None
    basis = entry.text("basis")
    if basis is not None and basis not in BASES:
        entry.problem("basis", f"must be one of: {', '.join(BASES)}", entry.line("basis"))
    related: list[tuple[int, str, int]] = []
    for i, item, line in entry.items("related", allow_empty=True):
        if not isinstance(item, str) or _id_problem(item) is not None:
            entry.problem(f"related[{i}]", "must be an entry id (lowercase kebab-case)", line)
        else:
            related.append((i, item, line))
    answer = entry.text("answer", MAX_ENTRY_ANSWER)
    _check_dated(entry, "answer", answer)
    values = {
        "id": entry_id,
        "topic": topic,
        "question": entry.text("question", MAX_QUESTION),
        "answer": answer,
        "basis": basis,
        "variants": entry.texts("variants"),
        "keywords": entry.texts("keywords") if "keywords" in entry.node else (),
        "related": tuple(r for _, r, _ in related),
        "sources": _read_sources(entry),
        "reviewed": _read_reviewed(entry, today),
    }
    return _Candidate(entry.file, entry.entry or "", entry_id, entry.node.line, related, values)


# -- deadlines --------------------------------------------------------------------------------


def _read_deadline_file(rel: str, data: _Map, topic_ids: set[str] | None, result: _Result) -> None:
    """Check events; `topic_ids` is None when topics could not all be read (skip that check)."""
    top = _Fields(data, rel, None, result.problems)
    top.check_keys(DEADLINE_FILE_KEYS)
    seen: dict[str, int] = {}
    for i, node, line in top.items("deadlines", allow_empty=True):
        label, event_id = _entry_label(node, i + 1)
        if not isinstance(node, _Map):
            result.problems.append(
                Problem(rel, label, None, f"must be a mapping, not {_kind(node)}", line)
            )
            continue
        entry = _Fields(node, rel, label, result.problems)
        if event_id is not None and event_id in seen:
            entry.problem(
                "id", f"duplicate id; first defined at {rel}:{seen[event_id]}", entry.line("id")
            )
        elif event_id is not None:
            seen[event_id] = node.line
        result.deadlines.append(_read_deadline(entry, event_id, topic_ids))


def _read_deadline(
    entry: _Fields, event_id: str | None, topic_ids: set[str] | None
) -> dict[str, Any]:
    entry.check_keys(DEADLINE_KEYS, DEADLINE_OPTIONAL_KEYS)
    raw_id = entry.text("id")
    if raw_id is not None and event_id is None:
        entry.problem("id", _id_problem(raw_id) or "is invalid", entry.line("id"))
    topic = entry.text("topic")
    if topic is not None and topic_ids is not None and topic not in topic_ids:
        entry.problem("topic", f"unknown topic id '{topic}'", entry.line("topic"))
    status = entry.text("status")
    if status is not None and status not in STATUSES:
        entry.problem("status", f"must be one of: {', '.join(STATUSES)}", entry.line("status"))
    cycle = _read_cycle(entry)
    at, all_day = _read_when(entry)
    if at is not None and cycle is not None and at.year not in (cycle - 1, cycle):
        message = f"the {cycle} Match cycle runs in {cycle - 1}-{cycle}, not {at.year}"
        entry.problem("date", message, entry.line("date"))
    return {
        "id": event_id,
        "title": entry.text("title"),
        "cycle": cycle,
        "at": at,
        "all_day": all_day,
        "topic": topic,
        "status": status,
        "source": entry.url("source"),
        "audience": _read_audience(entry),
        "weekend": _read_flag(entry, "weekend"),
    }


def _read_audience(entry: _Fields) -> tuple[Audience, ...]:
    """Who the event concerns: [{who: condition, why: text}]; absent means everyone."""
    audience = []
    for item in _mappings(entry, "audience", AUDIENCE_KEYS):
        who, why = item.text("who"), item.text("why")
        if who is not None and who not in CONDITIONS:
            close = difflib.get_close_matches(who, list(CONDITIONS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            item.problem("who", f"unknown audience '{who}'{hint}", item.line("who"))
        elif who is not None and why is not None:
            audience.append(Audience(who=who, why=why))
    return tuple(audience)


def _read_flag(entry: _Fields, key: str) -> bool:
    value = entry.node.get(key, False)
    if not isinstance(value, bool):
        entry.problem(key, f"must be true or false, not {_kind(value)}", entry.line(key))
        return False
    return value


def _read_cycle(entry: _Fields) -> int | None:
    if "cycle" not in entry.node:
        return None
    value = entry.node["cycle"]
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_CYCLE <= value <= MAX_CYCLE:
        entry.problem(
            "cycle", f"must be a Match year ({MIN_CYCLE}-{MAX_CYCLE})", entry.line("cycle")
        )
        return None
    return value


def _read_when(entry: _Fields) -> tuple[datetime | None, bool]:
    """(at, all_day): a date is midnight US Eastern; a datetime must carry its UTC offset."""
    if "date" not in entry.node:
        return None, False
    value, line = entry.node["date"], entry.line("date")
    if isinstance(value, str):
        value = _parse_iso(value.strip())
        if value is None:
            shown = entry.node["date"]
            entry.problem(
                "date", f"'{shown}' is not a date (2026-06-03) or datetime with offset", line
            )
            return None, False
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            entry.problem("date", "a time needs a UTC offset, e.g. 2026-06-03T09:00:00-04:00", line)
            return None, False
        return value, False
    if isinstance(value, date):
        return datetime.combine(value, time(0), EASTERN), True
    entry.problem("date", f"must be a date or datetime, not {_kind(value)}", line)
    return None, False


def _parse_iso(text: str) -> date | datetime | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return None


# -- the directory ----------------------------------------------------------------------------


def _read_dir(path: Path, today: date | None) -> _Result:
    result = _Result()
    today = today or (datetime.now(UTC) + AHEAD_OF_UTC).date()
    topic_dir = path / "topics"
    if not path.is_dir():
        result.problems.append(Problem(str(path), None, None, "knowledge directory not found"))
        return result
    files = sorted(topic_dir.glob("*.yaml")) if topic_dir.is_dir() else []
    for stray in sorted(topic_dir.glob("*.yml")) if topic_dir.is_dir() else []:
        result.problems.append(
            Problem(_rel(stray, path), None, None, "ignored: name topic files *.yaml")
        )
    if not files:
        result.problems.append(Problem("topics", None, None, "no topic files (topics/*.yaml)"))
    for file in files:
        rel = _rel(file, path)
        data = _parse(file, rel, result.problems)
        if data is None:
            result.all_topics_read = False
        else:
            _read_topic_file(rel, data, today, result)
    _check_links(result.topics, "topic", result.all_topics_read, result)
    _read_entries_dir(path, today, result)
    deadlines = path / "deadlines.yaml"
    if deadlines.exists():
        data = _parse(deadlines, "deadlines.yaml", result.problems)
        if data is not None:
            ids = {c.id for c in result.topics if c.id is not None}
            _read_deadline_file(
                "deadlines.yaml", data, ids if result.all_topics_read else None, result
            )
    return result


def _read_entries_dir(path: Path, today: date, result: _Result) -> None:
    entry_dir = path / "entries"
    if not entry_dir.is_dir():
        return
    for stray in sorted(entry_dir.glob("*.yml")):
        result.problems.append(
            Problem(_rel(stray, path), None, None, "ignored: name entry files *.yaml")
        )
    for file in sorted(entry_dir.glob("*.yaml")):
        rel = _rel(file, path)
        data = _parse(file, rel, result.problems)
        if data is None:
            result.all_entries_read = False
        else:
            _read_entry_file(rel, data, today, result)
    _check_links(result.entries, "entry", result.all_entries_read, result)


def _rel(file: Path, root: Path) -> str:
    return file.relative_to(root).as_posix()
