"""/remind settings: valid changes apply, invalid ones raise and change nothing."""

from __future__ import annotations

import pytest

from bot.core.models import ReminderSettings
from bot.core.reminders.settings import SettingError, apply_setting, describe

BASE = ReminderSettings()


def test_on_off_leads_tz_quiet():
    s = apply_setting(BASE, "on", [])
    assert s.enabled
    s = apply_setting(s, "leads", ["7", "30", "1", "7"])
    assert s.leads == (30, 7, 1)
    s = apply_setting(s, "tz", ["Europe/Rome"])
    assert s.tz == "Europe/Rome"
    s = apply_setting(s, "quiet", ["22-07"])
    assert (s.quiet_start, s.quiet_end) == (22, 7)
    assert "22:00-07:00" in describe(s) and "Europe/Rome" in describe(s)
    assert apply_setting(s, "quiet", ["off"]).quiet_start is None
    assert not apply_setting(s, "off", []).enabled


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("leads", []),
        ("leads", ["soon"]),
        ("leads", ["-1"]),
        ("leads", ["400"]),
        ("leads", ["1", "2", "3", "4", "5", "6"]),
        ("tz", ["Mars/Olympus"]),
        ("tz", ["../../etc/passwd"]),
        ("tz", ["America"]),  # a directory of zones: zoneinfo raised IsADirectoryError
        ("tz", ["Europe"]),
        ("tz", ["Etc/"]),
        ("tz", ["A" * 300]),  # zoneinfo raised OSError: file name too long
        ("tz", ["/etc/localtime"]),
        ("tz", ["Europe/Rome\n"]),
        ("tz", ["localtime"]),  # the server's zone, not the person's
        ("tz", ["posix/Europe/Rome"]),
        ("leads", ["²"]),  # passes str.isdigit(), then int() raises
        ("leads", ["٣٠"]),  # other scripts' digits: int() takes them, we do not
        ("leads", ["1_0"]),
        ("quiet", ["٢٢-٠٧"]),
        ("tz", []),
        ("quiet", ["25-07"]),
        ("quiet", ["7-7"]),
        ("quiet", ["night"]),
        ("volume", ["11"]),
        ("on", ["now"]),
    ],
)
def test_invalid_changes_raise_with_a_message(name, args):
    with pytest.raises(SettingError) as err:
        apply_setting(BASE, name, args)
    assert str(err.value)


def test_an_unknown_zone_is_quoted_short():
    with pytest.raises(SettingError) as err:
        apply_setting(BASE, "tz", ["A" * 5000])
    assert "not a time zone I know" in str(err.value) and len(str(err.value)) < 200


@pytest.mark.parametrize(
    "zone", ["Asia/Kolkata", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"]
)
def test_real_zones_apply(zone):
    assert apply_setting(BASE, "tz", [zone]).tz == zone
