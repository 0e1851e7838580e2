"""The deadline file (deadlines.yaml, contract in shared/design.md): each event's date or
datetime, Match cycle, status, source and audience."""

from __future__ import annotations

import difflib
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.audience import CONDITIONS
from bot.core.knowledge.fields import Fields, Result, check_id, listed, mappings
from bot.core.knowledge.lines import Map, kind
from bot.core.models import Audience

__all__ = ["read_deadline_file"]

MIN_CYCLE, MAX_CYCLE = 2000, 2100
STATUSES = ("confirmed", "estimated")
# Date-only deadlines are official US dates: they start at midnight US Eastern time.
EASTERN = ZoneInfo("America/New_York")
DEADLINE_FILE_KEYS = ("deadlines",)
DEADLINE_KEYS = ("id", "title", "cycle", "date", "topic", "status", "source")
DEADLINE_OPTIONAL_KEYS = ("audience", "weekend")
AUDIENCE_KEYS = ("who", "why")


def read_deadline_file(rel: str, data: Map, topic_ids: set[str] | None, result: Result) -> None:
    """Check events; `topic_ids` is None when topics could not all be read (skip that check)."""
    top = Fields(data, rel, None, result.problems)
    top.check_keys(DEADLINE_FILE_KEYS)
    seen: dict[str, int] = {}
    for entry, event_id in listed(top, "deadlines", allow_empty=True):
        if event_id is not None and event_id in seen:
            entry.problem(
                "id", f"duplicate id; first defined at {rel}:{seen[event_id]}", entry.line("id")
            )
        elif event_id is not None:
            seen[event_id] = entry.node.line
        result.deadlines.append(_read_deadline(entry, event_id, topic_ids))


def _read_deadline(
    entry: Fields, event_id: str | None, topic_ids: set[str] | None
) -> dict[str, Any]:
    entry.check_keys(DEADLINE_KEYS, DEADLINE_OPTIONAL_KEYS)
    check_id(entry, event_id)
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


def _read_audience(entry: Fields) -> tuple[Audience, ...]:
    """Who the event concerns: [{who: condition, why: text}]; absent means everyone."""
    audience = []
    for item in mappings(entry, "audience", AUDIENCE_KEYS):
        who, why = item.text("who"), item.text("why")
        if who is not None and who not in CONDITIONS:
            close = difflib.get_close_matches(who, list(CONDITIONS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            item.problem("who", f"unknown audience '{who}'{hint}", item.line("who"))
        elif who is not None and why is not None:
            audience.append(Audience(who=who, why=why))
    return tuple(audience)


def _read_flag(entry: Fields, key: str) -> bool:
    value = entry.node.get(key, False)
    if not isinstance(value, bool):
        entry.problem(key, f"must be true or false, not {kind(value)}", entry.line(key))
        return False
    return value


def _read_cycle(entry: Fields) -> int | None:
    if "cycle" not in entry.node:
        return None
    value = entry.node["cycle"]
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_CYCLE <= value <= MAX_CYCLE:
        entry.problem(
            "cycle", f"must be a Match year ({MIN_CYCLE}-{MAX_CYCLE})", entry.line("cycle")
        )
        return None
    return value


def _read_when(entry: Fields) -> tuple[datetime | None, bool]:
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
    entry.problem("date", f"must be a date or datetime, not {kind(value)}", line)
    return None, False


def _parse_iso(text: str) -> date | datetime | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return None
