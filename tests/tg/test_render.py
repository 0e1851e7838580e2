"""Rendering for Telegram: every limit is measured in UTF-16 code units, as Telegram counts."""

from __future__ import annotations

from html import unescape

import pytest

from bot.core.models import Reply
from bot.tg.render import (
    MAX_CAPTION,
    MAX_MESSAGE,
    caption_html,
    render,
    shorten,
    split_message,
    utf16_len,
)

ASTRAL = "𝔸"  # one code point, two UTF-16 units
EMOJI = "🩺"


def test_utf16_len_counts_surrogate_pairs_twice():
    assert utf16_len("abc") == 3 and utf16_len(ASTRAL) == 2 and utf16_len(EMOJI + "a") == 3


@pytest.mark.parametrize(
    "text",
    [
        ASTRAL * 4095,  # 4095 code points, 8190 units: one message by code points, too long
        ("a" * 4095 + "\n\n") * 3,
        (EMOJI + " step one\n") * 900,
        "x" + ASTRAL * 5000,  # a surrogate pair must never be cut in half
    ],
)
def test_every_part_fits_telegrams_limit_and_nothing_is_lost(text):
    parts = split_message(text)
    assert all(utf16_len(p) <= MAX_MESSAGE for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_a_4095_character_astral_reply_is_rendered_as_two_messages():
    messages = render(Reply(ASTRAL * 4095), "bot")
    assert len(messages) == 2 and all(utf16_len(m.text) <= MAX_MESSAGE for m in messages)


def test_shorten_cuts_by_units_and_marks_the_cut():
    assert shorten("short", 200) == "short"
    cut = shorten(EMOJI * 150, 200)
    assert utf16_len(cut) <= 200 and cut.endswith("…") and cut[:-1] == EMOJI * 99


@pytest.mark.parametrize("text", ["&" * 2000, ASTRAL * 1000, "<b>" * 500, "plain"])
def test_a_caption_fits_1024_units_after_escaping_and_never_splits_an_entity(text):
    html = caption_html(text)
    assert utf16_len(html) <= MAX_CAPTION
    assert text.startswith(unescape(html).removesuffix("…"))
