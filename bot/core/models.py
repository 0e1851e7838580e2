"""Plain, frozen data types shared by the core and every adapter.

Nothing here knows about Telegram or the terminal: the core returns these, adapters render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Literal

# Stages of the path, in order; /topics browses by these and /progress walks them.
STAGES: tuple[tuple[str, str], ...] = (
    ("start", "Getting started"),
    ("exams", "USMLE exams"),
    ("certification", "ECFMG certification"),
    ("experience", "US clinical experience"),
    ("application", "Applying (ERAS)"),
    ("match", "Interviews and the Match"),
    ("visa", "Visas"),
    ("residency", "Residency and after"),
)
STAGE_IDS: tuple[str, ...] = tuple(s for s, _ in STAGES)


@dataclass(frozen=True)
class Source:
    """An official page an answer is based on."""

    title: str
    url: str


@dataclass(frozen=True)
class Topic:
    """One curated answer in the knowledge base."""

    id: str
    title: str
    stage: str
    summary: str  # one or two sentences: the key fact; used in groups and inline mode
    answer: str  # the full answer: short paragraphs separated by blank lines
    variants: tuple[str, ...]  # ways people ask this, written by us (never copied from evals)
    keywords: tuple[str, ...]  # words and phrases that point to this topic
    related: tuple[str, ...]  # ids of topics to offer next
    sources: tuple[Source, ...]
    reviewed: date


Basis = Literal["official", "reported"]


@dataclass(frozen=True)
class Entry:
    """One specific question people ask inside a topic, with a short answer (the fact first).

    A topic is the overview; entries answer at the grain of a question ("how much is the ERAS
    fee", "how many programs in SOAP"). `basis` says whether the fact was seen on an official
    page or only reported by third parties, so the answer can say how sure it is.
    """

    id: str
    topic: str
    question: str  # the question in our words: the button label and the reply's title
    answer: str  # 1-4 sentences, the fact first
    basis: Basis
    variants: tuple[str, ...]  # other ways people ask it, written by us (never from evals)
    keywords: tuple[str, ...]
    related: tuple[str, ...]  # ids of entries to offer next
    sources: tuple[Source, ...]
    reviewed: date


@dataclass(frozen=True)
class Audience:
    """Who an event concerns (a condition name of bot.core.audience) and why it matters to them."""

    who: str
    why: str


@dataclass(frozen=True)
class Deadline:
    """One dated event of a Match cycle (contract: knowledge/deadlines.yaml)."""

    id: str
    title: str
    cycle: int
    at: datetime  # timezone-aware; a date-only event is 00:00 America/New_York of that day
    all_day: bool  # a date-only event: open until the end of that day in US Eastern time
    topic: str
    status: Literal["confirmed", "estimated"]
    source: str
    audience: tuple[Audience, ...] = ()  # empty: everyone in the cycle, for the event's title
    weekend: bool = False  # the date is meant to fall on a weekend (a fixed date like 1 July)

    @property
    def estimated(self) -> bool:
        return self.status == "estimated"


@dataclass(frozen=True)
class KnowledgeBase:
    """Validated knowledge: topics in file order, their entries and the deadline calendar."""

    topics: tuple[Topic, ...]
    deadlines: tuple[Deadline, ...] = ()
    entries: tuple[Entry, ...] = ()

    def topic(self, topic_id: str) -> Topic | None:
        return self._by_id.get(topic_id)

    def entry(self, entry_id: str) -> Entry | None:
        return self._entries_by_id.get(entry_id)

    def entries_of(self, topic_id: str) -> tuple[Entry, ...]:
        """A topic's entries in file order."""
        return tuple(e for e in self.entries if e.topic == topic_id)

    @property
    def _by_id(self) -> dict[str, Topic]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {t.id: t for t in self.topics}
            object.__setattr__(self, "_index", cached)
        return cached

    @property
    def _entries_by_id(self) -> dict[str, Entry]:
        cached = self.__dict__.get("_entry_index")
        if cached is None:
            cached = {e.id: e for e in self.entries}
            object.__setattr__(self, "_entry_index", cached)
        return cached


StepStatus = Literal["not-started", "preparing", "scheduled", "passed", "failed"]
STEP_STATUSES: tuple[str, ...] = ("not-started", "preparing", "scheduled", "passed", "failed")
ENGLISH_STATUSES: tuple[str, ...] = ("not-started", "passed")
# An ECFMG clinical-skills Pathway: applied means the application is in and ECFMG decides.
PATHWAY_STATUSES: tuple[str, ...] = ("not-started", "applied", "accepted")
PATHWAY_IN: tuple[str, ...] = ("applied", "accepted")  # the application is with ECFMG
MATCH_RESULTS: tuple[str, ...] = ("pending", "matched", "unmatched")
STAGES_OF_STUDY: tuple[str, ...] = ("student", "graduate")


@dataclass(frozen=True)
class Profile:
    """What we know of one person's situation (contract: the `imgbot next` profile fields).

    Every field is optional: None means "not asked yet / unknown".
    """

    stage: str | None = None
    school_year: int | None = None
    graduation_year: int | None = None
    step1: str | None = None
    step2ck: str | None = None
    step3: str | None = None
    english: str | None = None
    pathway: str | None = None
    ecfmg_registered: bool | None = None
    ecfmg_certified: bool | None = None
    usce_months: int | None = None
    us_lors: int | None = None
    target_match_year: int | None = None
    needs_visa: bool | None = None
    eras_submitted: bool | None = None
    nrmp_registered: bool | None = None
    rol_certified: bool | None = None
    match_result: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Only the known fields, for storage and export."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


PROFILE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Profile))
# The values a profile field with a fixed set may take: profile.fields parses answers into them,
# plan.path checks path.yaml's `done_when` against them.
FIELD_CHOICES: dict[str, tuple[str, ...]] = {
    "stage": STAGES_OF_STUDY,
    "step1": STEP_STATUSES,
    "step2ck": STEP_STATUSES,
    "step3": STEP_STATUSES,
    "english": ENGLISH_STATUSES,
    "pathway": PATHWAY_STATUSES,
    "match_result": MATCH_RESULTS,
}
# The whole-number fields and their inclusive ranges: wide enough for real people, narrow enough
# to catch typos (e.g. 20027). profile.fields parses answers into them, plan.path checks
# path.yaml's `done_when` against them.
INT_RANGES: dict[str, tuple[int, int]] = {
    "school_year": (1, 7),
    "graduation_year": (1950, 2040),
    "usce_months": (0, 120),
    "us_lors": (0, 20),
    "target_match_year": (2020, 2040),
}
# The answers that belong to one Match's application: they start over with another Match
# (exam results, OET and USCE carry on).
APPLICATION_FIELDS: tuple[str, ...] = (
    "eras_submitted",
    "nrmp_registered",
    "rol_certified",
    "match_result",
)
# The yes/no answers of a profile, for parsers that read "yes"/"no" into them.
BOOL_FIELDS: tuple[str, ...] = (
    "ecfmg_registered",
    "ecfmg_certified",
    "needs_visa",
    "eras_submitted",
    "nrmp_registered",
    "rol_certified",
)


@dataclass(frozen=True)
class Action:
    """One step of a person's plan."""

    topic: str
    title: str
    why: str
    due: date | None = None


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    topic: str
    score: float  # 0-100


MatchKind = Literal["answer", "suggest", "none", "smalltalk"]


@dataclass(frozen=True)
class MatchResult:
    """The matcher's decision for one question.

    answer: matches[0] is confident. suggest: 2-3 close candidates, ask "did you mean".
    none: out of scope. smalltalk: a greeting or thanks; `smalltalk` holds the reply.
    `matches` is always the ranked list (at most 5) that the decision was made on, except for
    none/smalltalk where it is empty. `entry`: for an answer, the entry (inside matches[0]'s
    topic) that answers the question at its grain (None: the topic overview); for suggest, an
    entry of matches[0] that fits well, offered first. `close`: for an overview answer, the
    entries of its topic that fit well but none clearly better than the others; for an entry
    answer, the entries of its topic that fit nearly as well as it. Both are offered first.
    """

    kind: MatchKind
    matches: tuple[Match, ...] = ()
    smalltalk: str | None = None
    entry: str | None = None
    close: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Button:
    """A button: `data` is a callback code (bot.core.callbacks), `url` a page, or a deep link."""

    label: str
    data: str | None = None
    url: str | None = None
    start_payload: str | None = None  # a deep link into a private chat with the bot


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime: str
    caption: str = ""


@dataclass(frozen=True)
class Image:
    """A picture to show with a reply (a PNG); the caption is plain text, at most 1024 chars
    (Telegram's caption limit)."""

    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Reply:
    """What the core says back, in plain text; adapters escape and format it.

    `text` paragraphs are separated by blank lines. Lines starting with "• " are list items.
    """

    text: str
    title: str | None = None
    links: tuple[Link, ...] = ()
    footer: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: Document | None = None
    image: Image | None = None  # shown before the text (Telegram: sendPhoto)
    notice: str | None = None  # a short answer for callback queries (toast), if any
    edit: bool = False  # a button answer that should replace the message it came from


@dataclass(frozen=True)
class User:
    """The person talking to us, as adapters know them."""

    id: int
    name: str = ""
    language: str | None = None


@dataclass(frozen=True)
class ReminderSettings:
    enabled: bool = False
    leads: tuple[int, ...] = (30, 7, 1)  # days before a deadline
    tz: str = "UTC"
    quiet_start: int | None = None  # hour 0-23, local; quiet when start <= hour or hour < end
    quiet_end: int | None = None
    send_hour: int = 9  # local hour at which day-lead reminders are due


@dataclass(frozen=True)
class DueReminder:
    """A reminder the calendar says is due now for one chat."""

    chat_id: int
    deadline_id: str
    lead_days: int
    key: str  # unique outbox key: f"{chat_id}:{deadline_id}:{lead_days}"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    key: str
    text: str
    attempts: int = 0
    created: datetime | None = None
    meta: dict[str, str] = field(default_factory=dict)


ChatKind = Literal["private", "group", "supergroup", "channel"]


@dataclass(frozen=True)
class Chat:
    """Where a message came from, as adapters know it."""

    id: int
    kind: ChatKind = "private"
    title: str = ""

    @property
    def is_group(self) -> bool:
        return self.kind in ("group", "supergroup")
