"""The road from school to residency as a PNG: stages, what is done, where the person is, and
the dated next steps on a timeline.

Drawn with Pillow and its bundled font (ImageFont.load_default(size=...)), so no system fonts
are needed. Sized for a phone: 1080 px wide (Telegram shows photos up to 1280 px) with text of
30-54 px, which stays readable when the photo is shown about 400 px wide.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from bot.core import texts
from bot.core.models import Action
from bot.core.plan.cycle import fmt

WIDTH = 1080
MARGIN = 60
ROW = 62  # one milestone row
HEADER = 190
TIMELINE_ROW = 96  # one dated step under the timeline
MAX_DATED = 5
MAX_CAPTION = 1024  # Telegram's limit for a photo caption

BG = (250, 250, 247)
INK = (33, 37, 41)
MUTED = (134, 142, 150)
DONE = (47, 158, 68)
NEXT = (25, 113, 194)
LATER = (206, 212, 218)
LATE = (201, 42, 42)


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def draw_road(
    rows: Sequence[tuple[str, str, str]],
    actions: Sequence[Action],
    today: date,
    cycle: int,
) -> bytes:
    """The picture as PNG bytes. `rows` are (topic, label, done|next|later) in path order;
    `actions` the plan, most urgent first (the dated ones go on the timeline)."""
    dated = [a for a in actions if a.due is not None][:MAX_DATED]
    road_height = ROW * len(rows) + 40
    timeline_height = 170 + TIMELINE_ROW * len(dated) if dated else 120
    height = HEADER + road_height + timeline_height
    # A palette image: a quarter of the memory of RGB (Pillow keeps RGB at 4 bytes a pixel,
    # ~8 MB for this size) and a smaller PNG; text is drawn without anti-aliasing, which at
    # 30 px and up still reads cleanly on a phone.
    image = Image.new("P", (WIDTH, height), BG)
    draw = ImageDraw.Draw(image)
    _header(draw, today, cycle, rows)
    _road(draw, rows, HEADER)
    _timeline(draw, dated, today, HEADER + road_height)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)  # 3: fast, and flat colours stay small
    return out.getvalue()


def _header(
    draw: ImageDraw.ImageDraw, today: date, cycle: int, rows: Sequence[tuple[str, str, str]]
) -> None:
    done = sum(1 for r in rows if r[2] == "done")
    draw.text((MARGIN, 40), texts.ROAD_TITLE, font=font(54), fill=INK)
    subtitle = texts.ROAD_SUBTITLE.format(done=done, total=len(rows), cycle=cycle, today=fmt(today))
    draw.text((MARGIN, 115), subtitle, font=font(30), fill=MUTED)


def _road(draw: ImageDraw.ImageDraw, rows: Sequence[tuple[str, str, str]], top: int) -> None:
    """A vertical road: a node per milestone; the first one not done is 'you are here'."""
    x = MARGIN + 28
    if rows:
        draw.line((x, top + ROW // 2, x, top + ROW * (len(rows) - 1) + ROW // 2), LATER, 6)
    here = next((i for i, r in enumerate(rows) if r[2] != "done"), None)
    for i, (_, label, state) in enumerate(rows):
        y = top + ROW * i + ROW // 2
        if state == "done":
            draw.ellipse((x - 20, y - 20, x + 20, y + 20), fill=DONE)
            draw.line((x - 10, y, x - 3, y + 8, x + 11, y - 9), fill="white", width=5)
        elif state == "next":
            draw.ellipse((x - 20, y - 20, x + 20, y + 20), fill=BG, outline=NEXT, width=6)
        else:
            draw.ellipse((x - 14, y - 14, x + 14, y + 14), fill=LATER)
        colour = {"done": MUTED, "next": INK}.get(state, MUTED)
        size = 36 if i == here else 32
        draw.text((x + 50, y), label, font=font(size), fill=colour, anchor="lm")
        if i == here:
            tag = texts.ROAD_HERE
            right = WIDTH - MARGIN
            width = draw.textlength(tag, font=font(28)) + 28
            draw.rounded_rectangle((right - width, y - 22, right, y + 22), 22, fill=NEXT)
            draw.text((right - width / 2, y), tag, font=font(28), fill="white", anchor="mm")


def _timeline(draw: ImageDraw.ImageDraw, dated: Sequence[Action], today: date, top: int) -> None:
    """Today on the left, the furthest due date on the right, a marker per dated step."""
    draw.line((MARGIN, top, WIDTH - MARGIN, top), LATER, 2)
    draw.text((MARGIN, top + 24), texts.ROAD_DATED, font=font(40), fill=INK)
    if not dated:
        draw.text((MARGIN, top + 76), texts.ROAD_NO_DATED, font=font(30), fill=MUTED)
        return
    axis_y = top + 130
    left, right = MARGIN + 10, WIDTH - MARGIN - 10
    first = min([today, *(a.due for a in dated if a.due)])
    last = max(a.due for a in dated if a.due)
    span = max((last - first).days, 1)

    def at(day: date) -> float:
        return left + (right - left) * (day - first).days / span

    draw.line((left, axis_y, right, axis_y), INK, 4)
    tx = at(today)
    draw.line((tx, axis_y - 22, tx, axis_y + 22), NEXT, 5)
    draw.text((tx, axis_y - 28), texts.ROAD_TODAY, font=font(26), fill=NEXT, anchor="ls")
    numbers: dict[date, list[int]] = {}
    for n, action in enumerate(dated, 1):
        numbers.setdefault(action.due or today, []).append(n)
    for day, ns in numbers.items():  # steps due the same day share one marker: "1-4"
        label = str(ns[0]) if len(ns) == 1 else f"{ns[0]}-{ns[-1]}"
        x = at(day)
        half = max(17, draw.textlength(label, font=font(24)) / 2 + 10)
        colour = LATE if day < today else NEXT
        draw.rounded_rectangle((x - half, axis_y - 17, x + half, axis_y + 17), 17, fill=colour)
        draw.text((x, axis_y), label, font=font(24), fill="white", anchor="mm")
    for n, action in enumerate(dated, 1):
        assert action.due is not None
        colour = LATE if action.due < today else NEXT
        y = axis_y + 50 + TIMELINE_ROW * (n - 1)
        draw.ellipse((MARGIN, y, MARGIN + 40, y + 40), fill=colour)
        draw.text((MARGIN + 20, y + 20), str(n), font=font(26), fill="white", anchor="mm")
        draw.text((MARGIN + 60, y - 2), fmt(action.due), font=font(28), fill=colour)
        draw.text((MARGIN + 60, y + 32), _fit(draw, action.title, 32), font=font(32), fill=INK)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int) -> str:
    """Cut a title to the width of the picture, with an ellipsis."""
    room = WIDTH - 2 * MARGIN - 60
    if draw.textlength(text, font=font(size)) <= room:
        return text
    while text and draw.textlength(text + "…", font=font(size)) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def caption(actions: Sequence[Action]) -> str:
    """The next three actions as a short caption, within Telegram's 1024 characters."""
    if not actions:
        return texts.PLAN_ALL_DONE
    lines = [texts.CAPTION_NEXT]
    for n, action in enumerate(actions[:3], 1):
        template = texts.PLAN_ACTION_DUE if action.due else texts.PLAN_ACTION
        due = fmt(action.due) if action.due else ""
        lines.append(template.format(number=n, title=action.title, due=due))
    text = "\n".join(lines)
    return text if len(text) <= MAX_CAPTION else text[: MAX_CAPTION - 1] + "…"
