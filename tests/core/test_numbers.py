"""Numbers from people and buttons: ASCII digits within a range, or None, never an exception."""

from __future__ import annotations

import pytest

from bot.core.numbers import SQLITE_MAX, parse_int


@pytest.mark.parametrize(
    ("text", "low", "high", "expected"),
    [
        ("2027", 2026, 2032, 2027),
        ("0", 0, 5, 0),
        ("-1001234567890", -SQLITE_MAX, -1, -1001234567890),
    ],
)
def test_plain_digits_in_range_parse(text, low, high, expected):
    assert parse_int(text, low, high) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "²",
        "²⁰²⁷",
        "٢٠٢٧",
        "२०२७",
        "2_027",
        "+2027",
        " 2027",
        "2027\n",
        "20.27",
        "1" * 19,
        "1" * 40,
    ],
)
def test_anything_else_is_none(text):
    assert parse_int(text, -SQLITE_MAX, SQLITE_MAX) is None


def test_out_of_range_is_none():
    assert parse_int("2099", 2026, 2032) is None
    assert parse_int("5", 6, 9) is None
