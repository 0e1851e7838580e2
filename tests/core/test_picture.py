"""The road picture and its caption, drawn from plain rows and actions (no service needed)."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from bot.core.models import Action
from bot.core.plan.picture import LATE, MAX_CAPTION, WIDTH, caption, draw_road

TODAY = date(2026, 11, 21)
ROWS = [
    ("ecfmg-registration", "Register with ECFMG", "done"),
    ("usmle-step1", "Pass USMLE Step 1", "next"),
    ("eras-application", "Submit ERAS", "later"),
]


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


def test_more_dated_steps_make_a_taller_picture_and_the_width_is_fixed() -> None:
    undated = decode(draw_road(ROWS, [Action("interviews", "Prepare", "why")], TODAY, 2028))
    dated = [Action("usmle-step1", f"Step {n}", "why", date(2027, n, 1)) for n in range(1, 8)]
    with_dates = decode(draw_road(ROWS, dated, TODAY, 2028))
    assert undated.width == with_dates.width == WIDTH
    assert with_dates.height > undated.height  # at most five dated steps are listed
    assert with_dates.height == decode(draw_road(ROWS, dated[:5], TODAY, 2028)).height


def test_an_overdue_step_is_drawn_in_red() -> None:
    late = [Action("eras-application", "Submit ERAS now", "why", date(2026, 9, 2))]
    image = decode(draw_road(ROWS, late, TODAY, 2027)).convert("RGB")
    colours = dict((colour, count) for count, colour in image.getcolors(1 << 20) or [])
    assert colours.get(LATE, 0) > 500
    on_time = [Action("eras-application", "Submit ERAS", "why", date(2027, 9, 1))]
    image = decode(draw_road(ROWS, on_time, TODAY, 2028)).convert("RGB")
    assert LATE not in dict((colour, n) for n, colour in image.getcolors(1 << 20) or [])


def test_caption_is_the_next_three_actions_within_the_limit() -> None:
    actions = [Action("t", f"Action {n}", "why", date(2027, 1, n)) for n in range(1, 6)]
    assert caption(actions) == (
        "Next:\n1. Action 1 (by 1 Jan 2027)\n2. Action 2 (by 2 Jan 2027)\n"
        "3. Action 3 (by 3 Jan 2027)"
    )
    long = [Action("t", "x" * 600, "why") for _ in range(3)]
    assert len(caption(long)) == MAX_CAPTION and caption(long).endswith("…")
    assert "Well done" in caption([])
