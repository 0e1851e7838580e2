"""One Match cycle's dates: from the calendar when it has them, else from the organisers' rules.

Rule dates are only used to order and check feasibility, never shown as a due date: a due
date is always copied from knowledge/deadlines.yaml (an action without one has no due date).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.core import texts
from bot.core.models import Deadline

EASTERN = ZoneInfo("America/New_York")


def third_friday_of_march(year: int) -> date:
    """Match Day rule (facts.md): the third Friday of March."""
    first = date(year, 3, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def first_wednesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(2 - first.weekday()) % 7)


def rule_date(suffix: str, year: int) -> date | None:
    """The date the organisers' past rules give an event of the `year` Match (deadlines.yaml
    header): ERAS submission the first Wednesday of September, ROL deadline the Wednesday 16
    days before Match Day, Match Week the Monday before it, start 1 July."""
    match_day = third_friday_of_march(year)
    rules = {
        "eras-opens": first_wednesday(year - 1, 6),
        "eras-submit": first_wednesday(year - 1, 9),
        "eras-review": first_wednesday(year - 1, 9) + timedelta(days=21),
        "nrmp-registration-opens": date(year - 1, 9, 15),
        "nrmp-late-fee": date(year, 1, 31),
        "pathways-deadline": date(year, 1, 31),
        "rol-opens": date(year, 2, 1),
        "rol-deadline": match_day - timedelta(days=16),
        "match-week": match_day - timedelta(days=4),
        "soap": match_day - timedelta(days=4),
        "match-day": match_day,
        "program-start": date(year, 7, 1),
    }
    return rules.get(suffix)


def fmt(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Cycle:
    """One Match year and its dated events, keyed by id suffix (`eras-submit`, `rol-deadline`)."""

    year: int
    events: Mapping[str, Deadline] = field(default_factory=dict)

    def day(self, suffix: str) -> date | None:
        """The event's calendar date in US Eastern time, if the calendar has it."""
        event = self.events.get(suffix)
        return event.at.astimezone(EASTERN).date() if event else None

    def day_or_rule(self, suffix: str) -> date | None:
        """The calendar date, else the rule's date (for ordering and feasibility only)."""
        return self.day(suffix) or rule_date(suffix, self.year)

    def when(self, suffix: str) -> str:
        """The date as people read it in a reason, with '(estimated)' when it is not confirmed."""
        event = self.events.get(suffix)
        if event is None:
            return texts.PLAN_DATE_NOT_PUBLISHED
        return _estimated(event, fmt(event.at.astimezone(EASTERN).date()))

    def when_exact(self, suffix: str) -> str:
        """Like `when`, with the time for a timed event: '3 Mar 2027, 9 p.m. US Eastern'."""
        event = self.events.get(suffix)
        if event is None or event.all_day:
            return self.when(suffix)
        at = event.at.astimezone(EASTERN)
        minutes = f":{at.minute:02d}" if at.minute else ""
        clock = texts.PLAN_TIME_AM if at.hour < 12 else texts.PLAN_TIME_PM
        time = clock.format(hour=at.hour % 12 or 12, minutes=minutes)
        return _estimated(event, texts.PLAN_DATE_AT.format(date=fmt(at.date()), time=time))

    @property
    def match_day(self) -> date:
        return self.day_or_rule("match-day") or third_friday_of_march(self.year)

    @property
    def match_week(self) -> date:
        return self.day("match-week") or self.match_day - timedelta(days=4)

    @property
    def soap_end(self) -> date:
        """SOAP runs Monday to Thursday of Match Week."""
        return (self.day("soap") or self.match_week) + timedelta(days=3)

    @property
    def eras_submit(self) -> date:
        return self.day("eras-submit") or first_wednesday(self.year - 1, 9)


def _estimated(event: Deadline, when: str) -> str:
    return texts.PLAN_ESTIMATED.format(date=when) if event.estimated else when


def cycle_events(deadlines: Iterable[Deadline], year: int) -> Cycle:
    prefix = f"{year}-"
    events = {
        d.id[len(prefix) :]: d for d in deadlines if d.cycle == year and d.id.startswith(prefix)
    }
    return Cycle(year, events)
