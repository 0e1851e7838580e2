"""Deadline arithmetic with an injected `now`: what is upcoming, which reminders are due.

Time rules, in one place:
- A date-only (all-day) event is an official US date: it stays upcoming until the end of that
  day in US Eastern time. A timed event is upcoming while its instant is ahead.
- Days left are calendar days in the reader's own zone.
- A day-lead reminder for an all-day event is due at the reader's `send_hour` on (event date -
  lead); for a timed event it is due `lead` days before the instant (a same-day lead of 0 is
  due at `send_hour` that local day, or an hour before the event if that is earlier).
- After downtime only the latest due lead per (chat, event) is sent, never a burst of stale
  ones; nothing is sent for past events or during quiet hours (it becomes due when they end).

The sweep runs over every subscriber every few minutes, so `due_reminders` does the date work
once per distinct (settings, profile shape) and only builds small tuples per chat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import icalendar

from bot.core import texts
from bot.core.audience import conditions_of
from bot.core.models import Deadline, DueReminder, Profile, ReminderSettings

EASTERN_NAME = "America/New_York"
PRODID = "-//IMG Pathway Bot//imgbot//EN"
GROUP_SEND_HOUR = 9  # UTC: groups span many zones, so one neutral morning hour


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """ZoneInfo objects are cached by zoneinfo too, but this skips its key normalisation."""
    return ZoneInfo(name)


EASTERN = zone(EASTERN_NAME)


@dataclass(frozen=True)
class PersonalDeadline:
    """A calendar event that matters to one person, and why it matters to them."""

    deadline: Deadline
    why: str


# -- basic date rules ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def event_date(deadline: Deadline) -> date:
    """The event's date in US Eastern time, the zone the organisers publish dates in."""
    return deadline.at.astimezone(EASTERN).date()


@lru_cache(maxsize=4096)
def ends_at(deadline: Deadline) -> datetime:
    """The instant the event stops being upcoming."""
    if deadline.all_day:
        return datetime.combine(event_date(deadline) + timedelta(days=1), time(0), EASTERN)
    return deadline.at


def is_upcoming(deadline: Deadline, now: datetime) -> bool:
    return ends_at(deadline) > now


def upcoming(
    deadlines: Iterable[Deadline], now: datetime, cycle: int | None = None
) -> list[Deadline]:
    """Events still ahead at `now` (optionally of one Match cycle), soonest first."""
    ahead = [d for d in deadlines if (cycle is None or d.cycle == cycle) and is_upcoming(d, now)]
    return sorted(ahead, key=lambda d: (d.at, d.id))


def local_date(deadline: Deadline, tz: str) -> date:
    """The day a reader in `tz` should write in their diary."""
    if deadline.all_day:
        return event_date(deadline)
    return deadline.at.astimezone(zone(tz)).date()


def days_left(deadline: Deadline, now: datetime, tz: str) -> int:
    """Calendar days from the reader's today to the event's day (0 = today)."""
    return (local_date(deadline, tz) - now.astimezone(zone(tz)).date()).days


def in_quiet_hours(settings: ReminderSettings, now: datetime) -> bool:
    """Whether `now` falls in the reader's quiet window; 22-07 wraps past midnight."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return False
    hour = now.astimezone(zone(settings.tz)).hour
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def reminder_due_at(deadline: Deadline, lead_days: int, settings: ReminderSettings) -> datetime:
    """When the reminder `lead_days` before this event becomes due (timezone-aware)."""
    return _due_at(deadline, lead_days, settings.tz, settings.send_hour)


@lru_cache(maxsize=65536)
def _due_at(deadline: Deadline, lead: int, tz: str, send_hour: int) -> datetime:
    tzinfo = zone(tz)
    if deadline.all_day:
        return datetime.combine(
            event_date(deadline) - timedelta(days=lead), time(send_hour), tzinfo
        )
    if lead > 0:
        return deadline.at - timedelta(days=lead)
    morning = datetime.combine(local_date(deadline, tz), time(send_hour), tzinfo)
    return min(morning, deadline.at - timedelta(hours=1))


# -- personal deadlines -------------------------------------------------------------------------


class _Shape(NamedTuple):
    """The only facts that change which events matter; many people share one shape."""

    cycle: int | None
    conditions: frozenset[str]  # the audience conditions that hold (bot.core.audience)


def default_cycle(deadlines: Iterable[Deadline], now: datetime) -> int | None:
    """The next cycle whose rank-list deadline is still ahead (the one people apply to now)."""
    ahead = [d.cycle for d in deadlines if d.id.endswith("-rol-deadline") and is_upcoming(d, now)]
    return min(ahead) if ahead else None


def _shape(profile: Profile, cycle: int | None) -> _Shape:
    return _Shape(cycle, conditions_of(profile))


def reasons(deadline: Deadline, conditions: frozenset[str]) -> list[str]:
    """Why the event matters to someone for whom `conditions` hold; empty = it does not.

    The audience is data (knowledge/deadlines.yaml); an event without one concerns everyone in
    its cycle, for the reason its title gives.
    """
    if not deadline.audience:
        return [deadline.title]
    return [a.why.rstrip(".") for a in deadline.audience if a.who in conditions]


def _personal(s: _Shape, deadlines: Sequence[Deadline], now: datetime) -> list[PersonalDeadline]:
    if s.cycle is None:
        return []
    items = []
    for d in upcoming(deadlines, now, s.cycle):
        why = reasons(d, s.conditions)
        if why:
            items.append(PersonalDeadline(d, "; ".join(why) + "."))
    return items


def personal_deadlines(
    profile: Profile, deadlines: Sequence[Deadline], now: datetime, cycle: int | None = None
) -> list[PersonalDeadline]:
    """Upcoming events of the person's cycle that concern them.

    `cycle` defaults to the target year, else the cycle people apply to now; the service passes
    the planner's choice so that /deadlines and /next always talk about the same Match.
    """
    cycle = cycle or profile.target_match_year or default_cycle(deadlines, now)
    return _personal(_shape(profile, cycle), deadlines, now)


# -- due reminders ------------------------------------------------------------------------------

_Due = tuple[tuple[str, int], ...]  # (deadline id, lead) pairs due now


def _latest_due_lead(
    deadline: Deadline, leads: tuple[int, ...], tz: str, send_hour: int, now: datetime
) -> int | None:
    """The smallest lead whose due time has passed: after downtime, only the freshest one."""
    due = [lead for lead in leads if _due_at(deadline, lead, tz, send_hour) <= now]
    return min(due) if due else None


class _Sweep:
    """One reminder sweep at a fixed `now`, with the date work shared between chats.

    The expensive part (which lead of which event is due) depends only on the time zone, send
    hour and leads, of which there are few distinct combinations; which events concern a chat
    depends only on its profile shape. Each is computed once per sweep and then combined.
    """

    def __init__(self, deadlines: Sequence[Deadline], now: datetime) -> None:
        self.deadlines = deadlines
        self.now = now
        self.ahead = upcoming(deadlines, now)
        self._leads: dict[tuple[str, int, tuple[int, ...]], dict[str, int]] = {}
        self._events: dict[_Shape, tuple[str, ...]] = {}
        self._plans: dict[tuple[ReminderSettings, _Shape | int], _Due] = {}

    def _lead_map(self, settings: ReminderSettings) -> dict[str, int]:
        key = (settings.tz, settings.send_hour, settings.leads)
        found = self._leads.get(key)
        if found is None:
            found = self._leads[key] = {
                d.id: lead
                for d in self.ahead
                if (lead := _latest_due_lead(d, settings.leads, *key[:2], self.now)) is not None
            }
        return found

    def _plan(self, settings: ReminderSettings, ids: tuple[str, ...]) -> _Due:
        if in_quiet_hours(settings, self.now):
            return ()
        leads = self._lead_map(settings)
        return tuple((i, leads[i]) for i in ids if i in leads)

    def personal(self, settings: ReminderSettings, shape: _Shape) -> _Due:
        plan = self._plans.get((settings, shape))
        if plan is None:
            ids = self._events.get(shape)
            if ids is None:
                found = _personal(shape, self.deadlines, self.now)
                ids = self._events[shape] = tuple(p.deadline.id for p in found)
            plan = self._plans[(settings, shape)] = self._plan(settings, ids)
        return plan

    def cycle(self, settings: ReminderSettings, cycle: int) -> _Due:
        plan = self._plans.get((settings, cycle))
        if plan is None:
            ids = tuple(d.id for d in self.ahead if d.cycle == cycle)
            plan = self._plans[(settings, cycle)] = self._plan(settings, ids)
        return plan


def due_reminders(
    subscribers: Iterable[tuple[int, ReminderSettings, Profile]],
    deadlines: Sequence[Deadline],
    now: datetime,
    *,
    basis_of: Callable[[Profile], tuple[int | None, Profile]] | None = None,
) -> list[DueReminder]:
    """Reminders due at `now` for private subscribers; keys make re-sending idempotent.

    `basis_of` gives the Match a person's reminders are for and the profile as read for it
    (planner.plan_basis; default: their target year, else the cycle people apply to now, and
    the profile as stored).
    """
    sweep = _Sweep(deadlines, now)
    fallback = default_cycle(deadlines, now)
    out: list[DueReminder] = []
    for chat_id, settings, profile in subscribers:
        if not settings.enabled:
            continue
        cycle, as_planned = (
            basis_of(profile) if basis_of else (profile.target_match_year or fallback, profile)
        )
        for i, lead in sweep.personal(settings, _shape(as_planned, cycle)):
            out.append(DueReminder(chat_id, i, lead, f"{chat_id}:{i}:{lead}"))
    return out


def group_due_reminders(
    cohorts: Iterable[tuple[int, int, tuple[int, ...]]],
    deadlines: Sequence[Deadline],
    now: datetime,
) -> list[DueReminder]:
    """Reminders for group and channel chats: every event of their cycle, at 09:00 UTC."""
    sweep = _Sweep(deadlines, now)
    out: list[DueReminder] = []
    for chat_id, cycle, leads in cohorts:
        settings = ReminderSettings(enabled=True, leads=leads, tz="UTC", send_hour=GROUP_SEND_HOUR)
        for i, lead in sweep.cycle(settings, cycle):
            out.append(DueReminder(chat_id, i, lead, f"{chat_id}:{i}:{lead}"))
    return out


# -- text and calendar files --------------------------------------------------------------------


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def when_text(deadline: Deadline, tz: str) -> str:
    """The date (and time) in words, in US Eastern terms and the reader's own zone."""
    if deadline.all_day:
        return texts.WHEN_ALL_DAY.format(day=_day_text(event_date(deadline)))
    eastern = deadline.at.astimezone(EASTERN)
    local = deadline.at.astimezone(zone(tz))
    text = texts.WHEN_EASTERN.format(day=_day_text(eastern.date()), time=f"{eastern:%H:%M}")
    if tz != EASTERN_NAME:
        text += texts.WHEN_LOCAL.format(day=_day_text(local.date()), time=f"{local:%H:%M}", tz=tz)
    return text


def _left_text(days: int) -> str:
    if days <= 0:
        return texts.TODAY_LEFT
    return texts.ONE_DAY_LEFT if days == 1 else texts.DAYS_LEFT.format(days=days)


def reminder_text(deadline: Deadline, lead: int, now: datetime, tz: str) -> str:
    """A plain-text reminder. Days left are counted from `now`, not from `lead`, so a reminder
    caught up after downtime never claims more time than is really left."""
    del lead  # part of the outbox key; the text uses the real days left
    left = _left_text(days_left(deadline, now, tz))
    lines = [texts.REMINDER.format(title=deadline.title, when=when_text(deadline, tz), left=left)]
    if deadline.estimated:
        lines.append(texts.ESTIMATED_DATE)
    lines.append(texts.REMINDER_SOURCE.format(source=deadline.source))
    return "\n".join(lines)


def to_ics(deadlines: Sequence[Deadline], now: datetime, name: str) -> bytes:
    """An RFC 5545 calendar: stable UIDs so re-imports update events instead of duplicating."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for deadline in deadlines:
        cal.add_component(_vevent(deadline, now))
    ics: bytes = cal.to_ical()
    return ics


def _vevent(deadline: Deadline, now: datetime) -> icalendar.Event:
    event = icalendar.Event()
    summary = ("[estimated] " if deadline.estimated else "") + deadline.title
    event.add("uid", f"{deadline.id}@imgbot")
    event.add("dtstamp", now.astimezone(zone("UTC")))
    if deadline.all_day:
        day = event_date(deadline)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
    else:
        event.add("dtstart", deadline.at.astimezone(zone("UTC")))
    event.add("summary", summary)
    note = f"\n{texts.ESTIMATED_DATE}" if deadline.estimated else ""
    event.add("description", f"Official page: {deadline.source}{note}")
    event.add("url", deadline.source)
    event.add("status", "TENTATIVE" if deadline.estimated else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event
