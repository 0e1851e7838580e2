"""Whole numbers from people and from callback data, parsed strictly.

`str.isdigit()` and `int()` accept far more than a person means by a number: superscripts ("²"
passes isdigit, then int() raises), other scripts' digits, "1_000", and any length (a 40-digit id
overflows SQLite's 64-bit integers). Every number we read from a user or a button goes through
`parse_int`: ASCII digits, an optional minus sign, and a range, or None.
"""

from __future__ import annotations

import re

_INT = re.compile(r"-?[0-9]{1,18}")  # 18 digits always fit a signed 64-bit SQLite integer

SQLITE_MAX = 2**63 - 1


def parse_int(text: str, low: int, high: int) -> int | None:
    """The number `text` spells in ASCII digits if it lies in [low, high]; None otherwise."""
    if not isinstance(text, str) or not _INT.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None
