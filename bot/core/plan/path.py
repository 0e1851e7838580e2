"""The path as data: knowledge/path.yaml -> validated, frozen Steps.

A curator changes prerequisites, lead times, bounding events, hard/advice and the /progress
checklist (a step's `milestone`) there without touching code. Every problem names the file, the
step and the field, like the knowledge loader.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.core import texts
from bot.core.errors import InvalidKnowledge
from bot.core.knowledge import Problem, default_knowledge_dir
from bot.core.models import (
    BOOL_FIELDS,
    FIELD_CHOICES,
    INT_RANGES,
    PROFILE_FIELDS,
    Profile,
)
from bot.core.yamlfile import load_yaml

FILE = "path.yaml"
BUNDLED = Path(__file__).resolve().parents[3] / "knowledge"
STEP_KEYS = frozenset(
    {
        "id",
        "title",
        "topic",
        "kind",
        "requires",
        "lead",
        "lead_by",
        "events",
        "verb",
        "done_when",
        "milestone",
    }
)
MILESTONE_KEYS = frozenset({"label", "requires", "done_when", "shown_when"})
REQUIRED_KEYS = ("id", "title", "topic", "kind")
KINDS = ("hard", "advice")
UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}
LEAD_RE = re.compile(r"^(\d+) (days?|weeks?|months?)$")
MIN_RE = re.compile(r"^>=(\d+)$")


class PathError(InvalidKnowledge):
    """path.yaml did not validate; `problems` lists everything found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))


Conditions = Mapping[str, tuple[object, ...]]  # profile field -> values, any one is enough


@dataclass(frozen=True)
class Milestone:
    """How a step shows in the /progress checklist (see the header of knowledge/path.yaml).

    The checklist is coarser than the plan, so it has its own prerequisites (other milestones)
    and may judge "done" differently (the plan's Match Week is done once the result is known;
    the checklist's Match only when matched)."""

    label: str
    requires: tuple[str, ...] = ()
    done_when: Conditions | None = None  # None: the step's own done_when
    shown_when: Conditions | None = None  # None: shown to everyone


@dataclass(frozen=True)
class Step:
    """One step of the road (see the header of knowledge/path.yaml for each field)."""

    id: str
    title: str
    topic: str
    kind: Literal["hard", "advice"]
    lead: Mapping[str, int]  # days, by status of `lead_by` ("default" always present)
    requires: tuple[str, ...] = ()
    lead_by: str | None = None
    events: tuple[str, ...] = ()
    verb: str = texts.PLAN_DEFAULT_VERB
    done_when: Conditions = field(default_factory=dict)
    milestone: Milestone | None = None

    @property
    def hard(self) -> bool:
        return self.kind == "hard"

    def lead_for(self, profile: Profile) -> timedelta:
        """How long the step still takes for this person (a booked exam takes less)."""
        status = getattr(profile, self.lead_by) if self.lead_by else None
        return timedelta(days=self.lead.get(str(status), self.lead["default"]))

    def done(self, profile: Profile) -> bool:
        """Whether the profile says the step is done (any one condition is enough)."""
        return _met(profile, self.done_when)

    def milestone_done(self, profile: Profile) -> bool:
        """Whether the step's /progress milestone is done (the step's test unless it has one)."""
        own = self.milestone.done_when if self.milestone else None
        return _met(profile, self.done_when if own is None else own)

    def milestone_shown(self, profile: Profile) -> bool:
        """Whether /progress lists the step for this person (only steps with a milestone)."""
        if self.milestone is None:
            return False
        shown_when = self.milestone.shown_when
        return shown_when is None or _met(profile, shown_when)


def _met(profile: Profile, conditions: Conditions) -> bool:
    return any(_holds(getattr(profile, name), values) for name, values in conditions.items())


def _holds(value: object, accepted: tuple[object, ...]) -> bool:
    if value is None:
        return False
    for want in accepted:
        if want == "any" or want == value:
            return True
        minimum = MIN_RE.match(want) if isinstance(want, str) else None
        if minimum and isinstance(value, int) and value >= int(minimum.group(1)):
            return True
    return False


@dataclass(frozen=True)
class Road:
    """The validated steps in file order (which is also the tie-break order)."""

    steps: tuple[Step, ...]

    def __getitem__(self, step_id: str) -> Step:
        return self._by_id[step_id]

    def __contains__(self, step_id: object) -> bool:
        return step_id in self._by_id

    def order(self, step_id: str) -> int:
        return self._order[step_id]

    @property
    def _by_id(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}

    @property
    def _order(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.steps)}


# -- reading and checking --------------------------------------------------------------------


def parse_lead(text: object) -> int | None:
    """'5 months' -> 150 days (a month counts as 30 days); None when unreadable."""
    found = LEAD_RE.match(text.strip()) if isinstance(text, str) else None
    return int(found.group(1)) * UNIT_DAYS[found.group(2)] if found else None


class _Checker:
    """Collects problems for one step while building it."""

    def __init__(self, step_id: str, problems: list[Problem]) -> None:
        self.step_id = step_id
        self.problems = problems

    def add(self, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(FILE, self.step_id, field_name, message))


def read_road(
    data: object,
    topics: Collection[str] | None = None,
    events: Collection[str] | None = None,
) -> tuple[Road, list[Problem]]:
    """Build the Road from parsed YAML, checking it against known topic ids and event suffixes
    (None skips that check). The Road is only usable when the problem list is empty."""
    problems: list[Problem] = []
    raw = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        return Road(()), [Problem(FILE, None, "steps", "must be a non-empty list of steps")]
    steps: list[Step] = []
    for n, item in enumerate(raw, 1):
        step = _read_step(item, n, topics, events, problems)
        if step is not None:
            steps.append(step)
    ids = [s.id for s in steps]
    for step_id in {i for i in ids if ids.count(i) > 1}:
        problems.append(Problem(FILE, step_id, "id", "duplicate step id"))
    # Ids of steps with other problems still count, so one mistake is reported once.
    known = {i["id"] for i in raw if isinstance(i, dict) and isinstance(i.get("id"), str)}
    for step in steps:
        for req in step.requires:
            if req not in known:
                problems.append(Problem(FILE, step.id, "requires", f"unknown step '{req}'"))
    problems += _cycles(steps, known)
    problems += _milestone_order(steps)
    return Road(tuple(steps)), problems


def _read_step(
    item: object,
    n: int,
    topics: Collection[str] | None,
    events: Collection[str] | None,
    problems: list[Problem],
) -> Step | None:
    if not isinstance(item, dict):
        problems.append(Problem(FILE, f"#{n}", None, "a step must be a mapping"))
        return None
    raw_id = item.get("id")
    step_id = raw_id if isinstance(raw_id, str) else f"#{n}"
    check = _Checker(step_id, problems)
    before = len(problems)
    for key in sorted(set(item) - STEP_KEYS):
        check.add(key, "unknown field")
    for key in REQUIRED_KEYS:
        if not isinstance(item.get(key), str) or not item[key].strip():
            check.add(key, "required text is missing")
    if item.get("kind") not in (*KINDS, None):
        check.add("kind", f"must be one of {', '.join(KINDS)}")
    if topics is not None and isinstance(item.get("topic"), str) and item["topic"] not in topics:
        check.add("topic", f"unknown topic '{item['topic']}'")
    requires = _str_list(item.get("requires", []), "requires", check)
    step_events = _str_list(item.get("events", []), "events", check)
    for event in step_events:
        if events is not None and event not in events:
            check.add("events", f"unknown event '{event}' (no deadline id ends with it)")
    lead = _read_lead(item, check)
    done_when = _read_done_when(item.get("done_when", {}), check)
    milestone = _read_milestone(item["milestone"], check) if "milestone" in item else None
    if len(problems) > before or lead is None:
        return None
    return Step(
        id=step_id,
        title=item["title"].strip(),
        topic=item["topic"],
        kind=item["kind"],
        lead=lead,
        requires=requires,
        lead_by=item.get("lead_by"),
        events=step_events,
        verb=str(item.get("verb", texts.PLAN_DEFAULT_VERB)),
        done_when=done_when,
        milestone=milestone,
    )


def _str_list(value: object, name: str, check: _Checker) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.add(name, "must be a list of names")
        return ()
    return tuple(value)


def _read_lead(item: dict[str, Any], check: _Checker) -> dict[str, int] | None:
    raw, lead_by = item.get("lead"), item.get("lead_by")
    if lead_by is not None and lead_by not in PROFILE_FIELDS:
        check.add("lead_by", f"unknown profile field '{lead_by}'")
    table = raw if isinstance(raw, dict) else {"default": raw}
    if isinstance(raw, dict) and lead_by is None:
        check.add("lead_by", "a lead per status needs lead_by (the profile field)")
    if raw is None:
        check.add("lead", "required: how long the step takes, like '4 weeks'")
        return None
    if "default" not in table:
        check.add("lead", "a lead per status needs a 'default'")
        return None
    out: dict[str, int] = {}
    for status, text in table.items():
        days = parse_lead(text)
        if days is None:
            check.add("lead", f"'{text}' is not like '4 weeks' (days, weeks or months)")
            return None
        out[str(status)] = days
    return out


def _read_done_when(
    raw: object, check: _Checker, key: str = "done_when"
) -> dict[str, tuple[object, ...]]:
    if not isinstance(raw, dict):
        check.add(key, "must map profile fields to lists of values")
        return {}
    out: dict[str, tuple[object, ...]] = {}
    for name, values in raw.items():
        where = f"{key}.{name}"
        if name not in PROFILE_FIELDS:
            check.add(where, "unknown profile field")
        elif not isinstance(values, list) or not values:
            check.add(where, "must be a non-empty list of values")
        else:
            for value in values:
                if not _valid_value(name, value):
                    check.add(where, f"{value!r} is not a value of {name}")
            out[name] = tuple(values)
    return out


def _read_milestone(raw: object, check: _Checker) -> Milestone | None:
    """`milestone: {label, requires, done_when, shown_when}`; only the label is required."""
    if not isinstance(raw, dict):
        check.add("milestone", "must be a mapping with a label")
        return None
    for key in sorted(set(raw) - MILESTONE_KEYS):
        check.add(f"milestone.{key}", "unknown field")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        check.add("milestone.label", "required text is missing")
        return None
    conditions = {
        key: _read_done_when(raw[key], check, f"milestone.{key}")
        for key in ("done_when", "shown_when")
        if key in raw
    }
    return Milestone(
        label=label.strip(),
        requires=_str_list(raw.get("requires", []), "milestone.requires", check),
        done_when=conditions.get("done_when"),
        shown_when=conditions.get("shown_when"),
    )


def _milestone_order(steps: list[Step]) -> list[Problem]:
    """A milestone waits only on milestones above it, so the checklist reads top-down (and
    can have no cycle)."""
    problems: list[Problem] = []
    above: set[str] = set()
    for step in steps:
        if step.milestone is None:
            continue
        check = _Checker(step.id, problems)
        for req in step.milestone.requires:
            if req not in above:
                check.add(
                    "milestone.requires", f"'{req}' is not a step with a milestone above this one"
                )
        above.add(step.id)
    return problems


def _valid_value(name: str, value: object) -> bool:
    if value == "any":
        return True
    if name in BOOL_FIELDS:
        return isinstance(value, bool)
    if name in INT_RANGES:
        return isinstance(value, int) or bool(isinstance(value, str) and MIN_RE.match(value))
    return value in FIELD_CHOICES.get(name, ())


def _cycles(steps: list[Step], known: set[str]) -> list[Problem]:
    """A prerequisite cycle can never be started: report each step that sits on one."""
    graph = {s.id: [r for r in s.requires if r in known] for s in steps}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    on_cycle: set[str] = set()

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                on_cycle.update(trail[trail.index(nxt) :] if nxt in trail else [nxt])
            elif state.get(nxt) is None:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for step in steps:
        if step.id not in state:
            visit(step.id, [step.id])
    return [
        Problem(FILE, s.id, "requires", "prerequisites form a cycle")
        for s in steps
        if s.id in on_cycle
    ]


def event_suffixes(deadline_ids: Collection[str]) -> set[str]:
    """'2027-rol-deadline' -> 'rol-deadline': the names path.yaml uses for events."""
    return {d.split("-", 1)[1] for d in deadline_ids if "-" in d}


def validate_road(
    directory: Path, topics: Collection[str] | None, events: Collection[str] | None
) -> list[Problem]:
    """Every problem in <directory>/path.yaml; a missing file is a problem too."""
    return _load(directory, topics, events)[1]


def _load(
    directory: Path, topics: Collection[str] | None, events: Collection[str] | None
) -> tuple[Road, list[Problem]]:
    file = Path(directory) / FILE
    if not file.exists():
        return Road(()), [Problem(FILE, None, None, "file not found")]
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return Road(()), [Problem(FILE, None, None, f"not valid YAML: {exc}")]
    return read_road(data, topics, events)


@lru_cache(maxsize=8)
def load_road(directory: Path | None = None) -> Road:
    """`read_road_dir`, cached: what the planner uses when it is given no road."""
    return read_road_dir(directory)


def read_road_dir(directory: Path | None = None) -> Road:
    """The road read now (start-up and /reload: an edited path.yaml is seen at once), its
    structure checked (topics and events are checked by `imgbot validate`); raises PathError."""
    directory = directory or default_knowledge_dir()
    if not (directory / FILE).exists():
        directory = BUNDLED  # a deployment's own knowledge without a path uses the repo's
    road, problems = _load(directory, None, None)
    if problems:
        raise PathError(problems)
    return road
