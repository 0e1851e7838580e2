"""Reminder settings: parse what people type in /remind and describe the result.

Every change is validated whole before it is applied, so bad input changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from zoneinfo import ZoneInfoNotFoundError, available_timezones

from bot.core import texts
from bot.core.errors import BadInput
from bot.core.models import ReminderSettings
from bot.core.quoting import excerpt
from bot.core.reminders import calendar

MAX_LEADS = 5
MAX_LEAD_DAYS = 365
COMMON_ZONES: tuple[tuple[str, str], ...] = (
    ("India", "Asia/Kolkata"),
    ("Pakistan", "Asia/Karachi"),
    ("Egypt", "Africa/Cairo"),
    ("Nigeria", "Africa/Lagos"),
    ("Philippines", "Asia/Manila"),
    ("Brazil", "America/Sao_Paulo"),
    ("Italy", "Europe/Rome"),
    ("US East", "America/New_York"),
    ("UTC", "UTC"),
)
QUIET_RE = re.compile(r"([0-9]{1,2})\s*-\s*([0-9]{1,2})")  # fullmatch; ASCII digits only
LEAD_RE = re.compile(r"[0-9]{1,3}")  # fullmatch: "²" passes str.isdigit(), "٣" passes int()
# An IANA name: Area/Location words. Checked before zoneinfo sees it: zoneinfo opens the name as
# a path, so "America" (a directory) raised IsADirectoryError and a 300-character name OSError.
ZONE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,29}(/[A-Za-z0-9][A-Za-z0-9_+-]{0,29}){0,2}")


class SettingError(BadInput):
    """A /remind change we cannot apply; the message says what is wrong."""


def check_zone(name: str) -> None:
    """Raise SettingError for a name that is not an IANA time zone."""
    unknown = SettingError(
        f"{excerpt(name)} is not a time zone I know. Use a name like Asia/Kolkata or Europe/Rome."
    )
    if not ZONE_RE.fullmatch(name) or name not in _known_zones():
        raise unknown
    try:
        calendar.zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory, a bad file
        raise unknown from None


@cache
def _known_zones() -> frozenset[str]:
    """The IANA names this machine has, read once. "posix/...", "right/..." and "localtime" are
    files in the zone directory too, but not names a person means (localtime is the server's)."""
    return frozenset(available_timezones() - {"localtime"})


def apply_setting(settings: ReminderSettings, name: str, args: list[str]) -> ReminderSettings:
    """Return new settings with one change applied, or raise SettingError."""
    if name in ("on", "off") and not args:
        return replace(settings, enabled=name == "on")
    if name == "leads":
        return replace(settings, leads=_parse_leads(args))
    if name in ("tz", "timezone") and len(args) == 1:
        check_zone(args[0])
        return replace(settings, tz=args[0])
    if name == "quiet" and len(args) >= 1:
        start, end = _parse_quiet(" ".join(args))
        return replace(settings, quiet_start=start, quiet_end=end)
    raise SettingError("I did not understand that reminder setting.")


def _parse_leads(args: list[str]) -> tuple[int, ...]:
    if not all(LEAD_RE.fullmatch(a) for a in args):
        raise SettingError(
            f"Lead times must be whole numbers of days from 0 to {MAX_LEAD_DAYS}, like 30 7 1."
        )
    leads = sorted({int(a) for a in args}, reverse=True)
    if not leads or len(leads) > MAX_LEADS:
        raise SettingError(f"Give between 1 and {MAX_LEADS} lead times, like 30 7 1.")
    if leads[-1] < 0 or leads[0] > MAX_LEAD_DAYS:
        raise SettingError(f"Each lead time must be between 0 and {MAX_LEAD_DAYS} days.")
    return tuple(leads)


def _parse_quiet(text: str) -> tuple[int | None, int | None]:
    if text.lower() in ("off", "none", "no"):
        return None, None
    found = QUIET_RE.fullmatch(text.strip())
    if not found:
        raise SettingError("Quiet hours look like 22-07 (from 22:00 to 07:00), or 'off'.")
    start, end = int(found[1]), int(found[2])
    if not (0 <= start <= 23 and 0 <= end <= 23) or start == end:
        raise SettingError("Quiet hours must be two different hours from 0 to 23, like 22-07.")
    return start, end


def describe(settings: ReminderSettings) -> str:
    """The settings in one short paragraph."""
    state = texts.REMIND_ON if settings.enabled else texts.REMIND_OFF
    leads = ", ".join(
        texts.REMIND_DAYS.format(days=d) if d != 1 else texts.REMIND_ONE_DAY for d in settings.leads
    )
    quiet = (
        f"{settings.quiet_start:02d}:00-{settings.quiet_end:02d}:00"
        if settings.quiet_start is not None and settings.quiet_end is not None
        else texts.REMIND_NO_QUIET
    )
    return texts.REMIND_SETTINGS.format(state=state, leads=leads, tz=settings.tz, quiet=quiet)
