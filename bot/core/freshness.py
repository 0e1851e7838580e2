"""Checks that do not make knowledge invalid but that a curator must see: weekend deadlines,
answers that speak of a passed date as still to come, and answers not reviewed for a long time.

Official deadlines almost never fall on a Saturday or Sunday (past calendars moved them to the
Friday before), so a weekend date is usually a derivation mistake; an event meant to fall on one
(residency starts on 1 July whatever the weekday) says `weekend: true`. Rules and fees change every
cycle, so `imgbot validate --max-age DAYS` lists what has not been reviewed within DAYS.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.core.knowledge import sentences
from bot.core.models import KnowledgeBase

EASTERN = ZoneInfo("America/New_York")
SATURDAY = 5
# English month names (the knowledge's language); `calendar.month_name` follows the locale.
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
)
_MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES.split(), start=1)}
# "15 September 2026" (that day) or "September 2026" (the month's last day: "late May 2027" is
# still to come in May 2027).
_DATE = re.compile(rf"\b(?:(\d{{1,2}})\s+)?({'|'.join(_MONTHS)})\s+(20\d\d)\b")
# Words that present a date as still to come ("it opens on 15 September 2026"); a sentence that
# says the date recurs ("every year on 15 September", "each season closes") is a rule, not news.
_TO_COME = re.compile(
    r"\b(?:opens|starts|begins|closes|ends) (?:on|in|from)\b|\b(?:is|are) due\b|\bupcoming\b"
    r"|\bexpected\b|\bruns\b|\bwill (?:open|start|begin|close|end|run|be)\b",
    re.IGNORECASE,
)
_RECURRING = re.compile(r"\b(?:every|each|yearly|annually)\b", re.IGNORECASE)


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


def passed_dates(kb: KnowledgeBase, today: date) -> list[str]:
    """Sentences that present only passed dates as still to come ("It opens on 15 September
    2026" read in December 2026): true when written, misleading now. One line per sentence."""
    texts = [(f"topic '{t.id}'", t.answer) for t in kb.topics]
    texts += [(f"entry '{e.id}' (topic '{e.topic}')", e.answer) for e in kb.entries]
    lines = []
    for what, text in texts:
        for sentence in sentences(text):
            days = [_last_day(*found) for found in _DATE.findall(sentence)]
            if (
                days
                and max(days) < today
                and _TO_COME.search(sentence)
                and not _RECURRING.search(sentence)
            ):
                excerpt = " ".join(sentence.split())[:100]
                lines.append(f"{what}: '{excerpt}' speaks of {max(days).isoformat()} as to come")
    return lines


def _last_day(day: str, month: str, year: str) -> date:
    """The date a match names; a month without a day counts until that month's last day."""
    y, m = int(year), _MONTHS[month]
    return date(y, m, int(day) if day else calendar.monthrange(y, m)[1])
