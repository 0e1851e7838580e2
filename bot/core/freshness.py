"""Checks that do not make knowledge invalid but that a curator must see: weekend deadlines and
answers not reviewed for a long time.

Official deadlines almost never fall on a Saturday or Sunday (past calendars moved them to the
Friday before), so a weekend date is usually a derivation mistake; an event meant to fall on one
(residency starts on 1 July whatever the weekday) says `weekend: true`. Rules and fees change every
cycle, so `imgbot validate --max-age DAYS` lists what has not been reviewed within DAYS.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.core.models import KnowledgeBase

EASTERN = ZoneInfo("America/New_York")
SATURDAY = 5


def weekend_warnings(kb: KnowledgeBase) -> list[str]:
    """One line per event dated on a weekend (US Eastern) that does not say it is meant to be."""
    lines = []
    for d in kb.deadlines:
        day = d.at.astimezone(EASTERN).date()
        if day.weekday() >= SATURDAY and not d.weekend:
            lines.append(
                f"deadlines.yaml: entry '{d.id}', field 'date': {day.isoformat()} is a "
                f"{day:%A}; official deadlines usually move to the Friday before "
                "(set `weekend: true` if the date is meant to fall on a weekend)"
            )
    return lines


def stale(kb: KnowledgeBase, today: date, max_age_days: int) -> list[str]:
    """Topics and entries last reviewed more than `max_age_days` before `today`, oldest first."""
    cutoff = today - timedelta(days=max_age_days)
    items = [(t.reviewed, f"topic '{t.id}'") for t in kb.topics]
    items += [(e.reviewed, f"entry '{e.id}' (topic '{e.topic}')") for e in kb.entries]
    old = sorted((when, what) for when, what in items if when < cutoff)
    return [
        f"{what}: reviewed {when.isoformat()}, {(today - when).days} days ago" for when, what in old
    ]
