"""Quoting what a person typed back to them, short: errors say what was wrong, not repeat it."""

from __future__ import annotations

EXCERPT_CHARS = 40  # enough to recognise what was typed; a 100k paste is not repeated back


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """A user's value quoted back on one line and at most `limit` characters."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"
