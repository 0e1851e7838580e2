"""Deadline maths: time zones, DST, lead times, quiet hours, catch-up, keys and .ics files."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import yaml

from bot.core import texts
from bot.core.models import Audience, Deadline, Profile, ReminderSettings
from bot.core.reminders.calendar import (
    PersonalDeadline,
    days_left,
    due_reminders,
    group_due_reminders,
    in_quiet_hours,
    personal_deadlines,
    reminder_due_at,
    reminder_text,
    to_ics,
    upcoming,
)

ET = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[2]


def load_real_deadlines() -> tuple[Deadline, ...]:
    data = yaml.safe_load((ROOT / "knowledge" / "deadlines.yaml").read_text(encoding="utf-8"))
    out = []
    for e in data["deadlines"]:
        when = e["date"]
        timed = isinstance(when, datetime)
        at = when if timed else datetime.combine(when, time(0), ET)
        fields = (e["title"], e["cycle"], at, not timed, e["topic"], e["status"], e["source"])
        audience = tuple(Audience(**a) for a in e.get("audience", ()))
        out.append(Deadline(e["id"], *fields, audience=audience, weekend=e.get("weekend", False)))
    return tuple(out)


REAL = load_real_deadlines()
BY_ID = {d.id: d for d in REAL}
ROL = BY_ID["2027-rol-deadline"]  # 3 Mar 2027 21:00 EST = 4 Mar 02:00 UTC
LATE_FEE = BY_ID["2027-nrmp-late-fee"]  # all day Fri 29 Jan 2027 (31 Jan is a Sunday)
MATCH_WEEK = BY_ID["2027-match-week"]  # 15 Mar 2027 10:00 EDT, the day after the DST switch


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def all_day(event_id: str, day: str, status: str = "confirmed") -> Deadline:
    at = datetime.combine(date.fromisoformat(day), time(0), ET)
    return Deadline(
        event_id,
        f"Event {event_id}",
        int(event_id[:4]),
        at,
        True,
        "nrmp-match",
        status,
        "https://x.test/",
    )


def settings(tz: str = "UTC", **kw: object) -> ReminderSettings:
    return ReminderSettings(enabled=True, tz=tz, **kw)  # type: ignore[arg-type]


# -- the real file -------------------------------------------------------------------------------


def test_real_file_has_every_contract_event_for_both_cycles() -> None:
    suffixes = {
        "eras-opens",
        "eras-submit",
        "eras-review",
        "residencycas-opens",
        "nrmp-registration-opens",
        "nrmp-late-fee",
        "rol-opens",
        "rol-deadline",
        "match-week",
        "soap",
        "match-day",
        "program-start",
    }
    for cycle in (2027, 2028):
        assert {f"{cycle}-{s}" for s in suffixes} <= set(BY_ID)
    assert "2027-pathways-deadline" in BY_ID
    assert all(d.status in ("confirmed", "estimated") for d in REAL)
    assert all(d.source.startswith("https://") for d in REAL)


def test_real_file_key_dates() -> None:
    assert ROL.at == datetime(2027, 3, 3, 21, 0, tzinfo=ET)
    assert ROL.at.utcoffset() == timedelta(hours=-5)
    assert MATCH_WEEK.at.utcoffset() == timedelta(hours=-4)  # DST began 14 Mar 2027
    assert BY_ID["2027-match-day"].at == datetime(2027, 3, 19, 12, 0, tzinfo=ET)
    assert BY_ID["2028-match-day"].at == datetime(2028, 3, 17, 12, 0, tzinfo=ET)
    assert BY_ID["2027-match-day"].at.weekday() == 4
    assert BY_ID["2027-match-week"].at.weekday() == 0
    assert BY_ID["2027-program-start"].at.date() == date(2027, 7, 1)
    assert BY_ID["2027-rol-deadline"].estimated


# -- upcoming and days left ----------------------------------------------------------------------


def test_all_day_event_is_upcoming_until_the_end_of_its_eastern_day() -> None:
    assert upcoming([LATE_FEE], utc("2027-01-30T04:59:59")) == [LATE_FEE]  # 23:59:59 EST
    assert upcoming([LATE_FEE], utc("2027-01-30T05:00:00")) == []


def test_timed_event_is_upcoming_while_ahead() -> None:
    assert upcoming([ROL], utc("2027-03-04T01:59:59")) == [ROL]
    assert upcoming([ROL], utc("2027-03-04T02:00:00")) == []


def test_upcoming_filters_by_cycle_and_sorts() -> None:
    now = utc("2026-11-21T12:00:00")
    ahead = upcoming(REAL, now, cycle=2027)
    assert {ahead[0].id, ahead[1].id} == {"2027-nrmp-late-fee", "2027-pathways-deadline"}
    assert all(d.cycle == 2027 for d in ahead)
    assert [d.at for d in ahead] == sorted(d.at for d in ahead)
    assert "2027-eras-submit" not in {d.id for d in ahead}
    assert len(upcoming(REAL, now)) == len(ahead) + 14  # every 2028 event


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        ("America/New_York", "2027-03-03T12:00:00", 0),  # 07:00 EST, deadline tonight
        ("Asia/Kolkata", "2027-03-03T12:00:00", 1),  # 17:30 IST; deadline is 07:30 on 4 Mar
        ("Pacific/Auckland", "2027-03-03T12:00:00", 0),  # 01:00 on 4 Mar; deadline 15:00 that day
        ("Europe/Rome", "2027-03-02T22:59:00", 2),  # 23:59 on 2 Mar; deadline 03:00 on 4 Mar
        ("Europe/Rome", "2027-03-02T23:00:00", 1),
    ],
)
def test_days_left_counts_calendar_days_in_the_readers_zone(
    tz: str, now: str, expected: int
) -> None:
    assert days_left(ROL, utc(now), tz) == expected


def test_days_left_for_all_day_events_uses_the_us_date() -> None:
    assert days_left(LATE_FEE, utc("2027-01-28T20:00:00"), "Asia/Kolkata") == 0  # 01:30 29 Jan
    assert days_left(LATE_FEE, utc("2027-01-28T20:00:00"), "America/Los_Angeles") == 1


# -- quiet hours -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "quiet"),
    [(21, False), (22, True), (23, True), (0, True), (6, True), (7, False), (12, False)],
)
def test_quiet_hours_across_midnight_in_local_time(hour: int, quiet: bool) -> None:
    rome = settings("Europe/Rome", quiet_start=22, quiet_end=7)
    now = datetime(2027, 1, 15, hour, 30, tzinfo=ZoneInfo("Europe/Rome"))
    assert in_quiet_hours(rome, now) is quiet
    assert in_quiet_hours(rome, now.astimezone(UTC)) is quiet


def test_quiet_hours_same_day_window_and_off() -> None:
    afternoon = settings(quiet_start=13, quiet_end=15)
    assert in_quiet_hours(afternoon, utc("2027-01-15T13:00:00"))
    assert not in_quiet_hours(afternoon, utc("2027-01-15T15:00:00"))
    assert not in_quiet_hours(settings(), utc("2027-01-15T03:00:00"))
    assert not in_quiet_hours(settings(quiet_start=5, quiet_end=5), utc("2027-01-15T05:00:00"))


# -- when reminders fall due ----------------------------------------------------------------------


def test_all_day_lead_is_send_hour_local_on_the_day_before() -> None:
    india = settings("Asia/Kolkata", send_hour=9)
    assert reminder_due_at(LATE_FEE, 7, india) == utc("2027-01-22T03:30:00")
    assert reminder_due_at(LATE_FEE, 0, india) == utc("2027-01-29T03:30:00")


def test_new_york_dst_switch_moves_the_utc_send_time() -> None:
    event = all_day("2027-x", "2027-03-15")
    ny = settings("America/New_York", send_hour=9)
    assert reminder_due_at(event, 1, ny) == utc("2027-03-14T13:00:00")  # EDT from 14 Mar
    assert reminder_due_at(event, 2, ny) == utc("2027-03-13T14:00:00")  # still EST


def test_rome_dst_switch() -> None:
    event = all_day("2027-x", "2027-03-29")
    rome = settings("Europe/Rome", send_hour=9)
    assert reminder_due_at(event, 1, rome) == utc("2027-03-28T07:00:00")  # CEST
    assert reminder_due_at(event, 2, rome) == utc("2027-03-27T08:00:00")  # CET


def test_auckland_dst_end() -> None:
    event = all_day("2027-x", "2027-04-05")
    nz = settings("Pacific/Auckland", send_hour=9)
    assert reminder_due_at(event, 1, nz) == utc("2027-04-03T21:00:00")  # NZST, +12
    assert reminder_due_at(event, 2, nz) == utc("2027-04-02T20:00:00")  # NZDT, +13


def test_timed_event_lead_is_exact() -> None:
    india = settings("Asia/Kolkata")
    assert reminder_due_at(ROL, 1, india) == ROL.at - timedelta(days=1)
    assert reminder_due_at(MATCH_WEEK, 7, india) == utc("2027-03-08T14:00:00")


def test_timed_event_same_day_lead_is_never_after_the_event() -> None:
    ny = settings("America/New_York", send_hour=9)
    assert reminder_due_at(ROL, 0, ny) == datetime(2027, 3, 3, 9, 0, tzinfo=ET)
    late = settings("America/New_York", send_hour=23)
    assert reminder_due_at(ROL, 0, late) == datetime(2027, 3, 3, 20, 0, tzinfo=ET)


# -- due reminders --------------------------------------------------------------------------------

APPLICANT = Profile(stage="graduate", target_match_year=2027)


def due(now: str, s: ReminderSettings, profile: Profile = APPLICANT, chat: int = 42) -> set[str]:
    return {r.key for r in due_reminders([(chat, s, profile)], REAL, utc(now))}


def test_only_the_latest_passed_lead_is_due() -> None:
    india = settings("Asia/Kolkata", leads=(30, 7, 1))
    keys = due("2027-02-28T12:00:00", india)
    assert "42:2027-rol-deadline:7" in keys
    assert not any(k.startswith("42:2027-rol-deadline:") and k.endswith(":30") for k in keys)


def test_catch_up_after_downtime_sends_one_reminder_not_three() -> None:
    india = settings("Asia/Kolkata", leads=(30, 7, 1))
    keys = due("2027-03-03T05:00:00", india)  # the bot was down for weeks
    assert [k for k in keys if "rol-deadline" in k] == ["42:2027-rol-deadline:1"]


def test_nothing_for_past_deadlines() -> None:
    keys = due("2027-03-04T02:00:00", settings(leads=(30, 7, 1)))
    assert not any("rol-deadline" in k or "late-fee" in k for k in keys)


def test_not_yet_due_before_the_first_lead() -> None:
    assert due("2026-11-21T12:00:00", settings(leads=(7,))) == set()


def test_quiet_hours_hold_reminders_until_they_end() -> None:
    rome = settings("Europe/Rome", leads=(1,), quiet_start=22, quiet_end=7)
    # The lead-1 reminder for the 21:00 ET deadline fell due at 03:00 Rome: inside quiet hours.
    assert due("2027-03-03T02:30:00", rome) == set()
    assert "42:2027-rol-deadline:1" in due("2027-03-03T06:00:00", rome)  # 07:00 Rome


def test_disabled_subscribers_get_nothing() -> None:
    off = ReminderSettings(enabled=False, leads=(30, 7, 1))
    assert due("2027-03-03T05:00:00", off) == set()


def test_keys_are_stable_and_unique_per_chat_event_lead() -> None:
    s = settings(leads=(30, 7, 1))
    now = utc("2027-03-01T12:00:00")
    subs = [(1, s, APPLICANT), (2, s, APPLICANT)]
    first = due_reminders(subs, REAL, now)
    assert first == due_reminders(subs, REAL, now)
    assert len({r.key for r in first}) == len(first)
    for r in first:
        assert r.key == f"{r.chat_id}:{r.deadline_id}:{r.lead_days}"
    assert {r.chat_id for r in first} == {1, 2}


def test_profile_decides_which_events_remind() -> None:
    done = Profile(
        target_match_year=2027,
        ecfmg_certified=True,
        nrmp_registered=True,
        rol_certified=True,
        eras_submitted=True,
    )
    keys = due("2027-03-03T05:00:00", settings(leads=(1,)), done)
    assert not any("rol-deadline" in k for k in keys)
    visa = Profile(**{**done.to_dict(), "eras_submitted": None, "needs_visa": True})
    # an H-1B hopeful hears about Step 3 when ranking opens, while it can still be planned
    assert "42:2027-rol-opens:1" in due("2027-01-31T10:00:00", settings(leads=(1,)), visa)
    assert "42:2027-rol-opens:1" not in due("2027-01-31T10:00:00", settings(leads=(1,)), done)


def test_the_basis_overrides_the_cycle_and_the_profile_read() -> None:
    s = settings(leads=(400,))
    now = utc("2026-11-21T12:00:00")
    mine = due_reminders([(7, s, Profile())], REAL, now, basis_of=lambda p: (2028, p))
    assert mine and all(r.deadline_id.startswith("2028-") for r in mine)
    # Unmatched in 2027: the stored answers say ERAS was submitted; read for 2028 they start over
    # (planner.plan_basis), so the 2028 ERAS reminder is due again.
    stored = Profile(eras_submitted=True, nrmp_registered=True, match_result="unmatched")
    fresh = Profile()
    as_stored = due_reminders([(7, s, stored)], REAL, now, basis_of=lambda p: (2028, p))
    as_planned = due_reminders([(7, s, stored)], REAL, now, basis_of=lambda p: (2028, fresh))
    assert "2028-eras-submit" not in {r.deadline_id for r in as_stored}
    assert "2028-eras-submit" in {r.deadline_id for r in as_planned}


def test_unknown_target_uses_the_cycle_people_apply_to_now() -> None:
    now = utc("2026-11-21T12:00:00")
    items = personal_deadlines(Profile(), REAL, now)
    assert items and all(i.deadline.cycle == 2027 for i in items)
    later = personal_deadlines(Profile(), REAL, utc("2027-03-05T00:00:00"))
    assert later and all(i.deadline.cycle == 2028 for i in later)


def test_personal_deadlines_explain_why() -> None:
    now = utc("2026-11-21T12:00:00")
    items = {
        i.deadline.id: i.why
        for i in personal_deadlines(Profile(target_match_year=2027, needs_visa=True), REAL, now)
    }
    assert "ECFMG must confirm" in items["2027-rol-deadline"]
    assert "Step 3" in items["2027-rol-opens"]
    assert "late fee" in items["2027-nrmp-late-fee"]
    assert "2027-eras-submit" not in items  # past
    matched = Profile(target_match_year=2027, match_result="matched", ecfmg_certified=True)
    ids = {i.deadline.id for i in personal_deadlines(matched, REAL, now)}
    assert "2027-soap" not in ids and "2027-program-start" in ids
    assert all(isinstance(i, PersonalDeadline) for i in personal_deadlines(matched, REAL, now))


def test_group_reminders_cover_the_whole_cycle_at_nine_utc() -> None:
    before_nine = group_due_reminders([(-100, 2027, (1,))], REAL, utc("2027-01-28T08:59:00"))
    assert before_nine == []
    at_nine = group_due_reminders([(-100, 2027, (1,))], REAL, utc("2027-01-28T09:00:00"))
    assert {r.key for r in at_nine} == {
        "-100:2027-nrmp-late-fee:1",
        "-100:2027-pathways-deadline:1",
    }


def test_many_subscribers_share_the_work() -> None:
    shapes = [settings(tz, leads=(30, 7, 1)) for tz in ("UTC", "Asia/Kolkata", "Europe/Rome")]
    subs = [(i, shapes[i % 3], APPLICANT) for i in range(3000)]
    out = due_reminders(subs, REAL, utc("2027-03-03T05:00:00"))
    assert len({r.chat_id for r in out}) == 3000


# -- text and .ics -------------------------------------------------------------------------------


def test_reminder_text_shows_local_time_days_left_estimate_and_source() -> None:
    text = reminder_text(ROL, 1, utc("2027-03-03T00:00:00"), "Asia/Kolkata")
    assert ROL.title in text
    assert "Wed 3 Mar 2027, 21:00 US Eastern" in text
    assert "Thu 4 Mar 2027, 07:30 your time (Asia/Kolkata)" in text
    assert "1 day left." in text
    assert texts.ESTIMATED_DATE in text
    assert ROL.source in text


def test_reminder_text_for_confirmed_all_day_event_today() -> None:
    event = all_day("2027-x", "2027-01-31")
    text = reminder_text(event, 7, utc("2027-01-31T15:00:00"), "Europe/Rome")
    assert "Sun 31 Jan 2027 (all day, US date)" in text
    assert "That is today." in text
    assert "estimated" not in text


def test_ics_parses_back_with_stable_uids_and_date_values() -> None:
    events = [LATE_FEE, ROL, all_day("2027-y", "2027-02-10")]
    now = utc("2026-11-21T12:00:00")
    data = to_ics(events, now, "My deadlines")
    assert data == to_ics(events, now, "My deadlines")
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0"
    assert "IMG Pathway Bot" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "My deadlines"
    vevents = list(cal.walk("VEVENT"))
    assert [str(e["UID"]) for e in vevents] == [
        "2027-nrmp-late-fee@imgbot",
        "2027-rol-deadline@imgbot",
        "2027-y@imgbot",
    ]
    late, rol, confirmed = vevents
    start = late.decoded("DTSTART")
    assert type(start) is date and start == date(2027, 1, 29)
    assert late.decoded("DTEND") == date(2027, 1, 30)
    assert b"DTSTART;VALUE=DATE:20270129" in data
    assert b"DTEND;VALUE=DATE:20270130" in data
    assert rol.decoded("DTSTART") == ROL.at
    assert rol.decoded("DTSTART").tzinfo is not None
    assert str(late["SUMMARY"]).startswith("[estimated] ")
    assert not str(confirmed["SUMMARY"]).startswith("[estimated]")
    assert LATE_FEE.source in str(late["DESCRIPTION"])
    assert str(late["URL"]) == LATE_FEE.source
    assert late.decoded("DTSTAMP") == now
    alarms = list(rol.walk("VALARM"))
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == timedelta(days=-1)


def test_the_residencycas_deadline_reaches_eras_applicants_too() -> None:
    # Internal medicine on ERAS and emergency medicine on ResidencyCAS: submitting ERAS first
    # must not silence ResidencyCAS's one hard deadline.
    submitted = Profile(target_match_year=2028, eras_submitted=True)
    ids = {i.deadline.id for i in personal_deadlines(submitted, REAL, utc("2027-09-05T00:00:00"))}
    assert "2028-residencycas-deadline" in ids and "2028-eras-review" not in ids


def test_the_start_of_residency_reminds_only_the_matched() -> None:
    unmatched = Profile(target_match_year=2027, match_result="unmatched")
    ids = {i.deadline.id for i in personal_deadlines(unmatched, REAL, utc("2027-06-01T00:00:00"))}
    assert "2027-program-start" not in ids
