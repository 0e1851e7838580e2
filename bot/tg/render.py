"""The only place that turns core Reply models into Telegram HTML text and keyboards.

Telegram limits a message to 4096 characters, so long answers are split at paragraph boundaries
(then at line boundaries for a giant paragraph); the keyboard goes on the last part. Telegram
counts its limits in UTF-16 code units, not Python's code points: an emoji or a rare CJK
character outside the Basic Multilingual Plane is one code point but two units, so every length
here is measured with `utf16_len`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.models import Button, Reply

MAX_MESSAGE = 4096  # UTF-16 units, after entity parsing; we count the HTML, which is longer
MAX_CAPTION = 1024
MAX_NOTICE = 200  # answerCallbackQuery text


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int) -> int:
    """How many code points of `text` fit in `limit` UTF-16 units (never half a surrogate pair)."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 units, with an ellipsis when something was cut."""
    if utf16_len(text) <= limit:
        return text
    return text[: fit(text, limit - 1)] + "…"


@dataclass(frozen=True)
class Outgoing:
    text: str
    markup: InlineKeyboardMarkup | None = None


def caption_html(text: str) -> str:
    """Plain text as an HTML caption within Telegram's 1024 units, cut before escaping so that
    no entity (&amp;) is split; each pass shortens by what escaping added."""
    limit = MAX_CAPTION
    html = escape(text)
    while utf16_len(html) > MAX_CAPTION:
        limit -= utf16_len(html) - MAX_CAPTION
        html = escape(shorten(text, limit))
    return html


def to_html(reply: Reply) -> str:
    """The reply as Telegram HTML: bold title, escaped text, linked sources, italic footer."""
    parts: list[str] = []
    if reply.title:
        parts.append(f"<b>{escape(reply.title)}</b>")
    if reply.text:
        parts.append(escape(reply.text))
    if reply.links:
        links = "\n".join(
            f'• <a href="{escape(link.url, quote=True)}">{escape(link.label)}</a>'
            for link in reply.links
        )
        parts.append(f"Official sources:\n{links}")
    if reply.footer:
        parts.append(f"<i>{escape(reply.footer)}</i>")
    return "\n\n".join(parts)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at blank lines, then newlines, then hard, so no part exceeds `limit`.

    Splitting between paragraphs keeps HTML tags intact because to_html never spans a tag
    across a blank line. Pieces that fit together again keep their original separator, so a
    long list still reads as a list and nothing is lost or added.
    """
    if utf16_len(text) <= limit:
        return [text]
    parts: list[str] = []
    current: str | None = None
    for separator, piece in _pieces(text, limit):
        candidate = piece if current is None else f"{current}{separator}{piece}"
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[tuple[str, str]]:
    """(separator before it, piece): paragraphs, then lines of a giant one, then hard cuts."""
    pieces: list[tuple[str, str]] = []
    for paragraph in text.split("\n\n"):
        if utf16_len(paragraph) <= limit:
            pieces.append(("\n\n", paragraph))
            continue
        for i, line in enumerate(paragraph.split("\n")):
            for j, cut in enumerate(_hard_split(line, limit)):
                pieces.append(("" if j else "\n" if i else "\n\n", cut))
    return pieces


def _hard_split(line: str, limit: int) -> list[str]:
    """Cut a line longer than `limit`, never inside an entity (&amp;) or a tag (<a href>),
    which Telegram would refuse to parse."""
    parts: list[str] = []
    while utf16_len(line) > limit:
        cut = fit(line, limit)
        for opener, closer in (("&", ";"), ("<", ">")):
            start = line.rfind(opener, 0, cut)
            if start > 0 and line.find(closer, start, cut) == -1:
                cut = min(cut, start)
        parts.append(line[:cut])
        line = line[cut:]
    return [*parts, line] if line else parts


def keyboard(reply: Reply, bot_username: str) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    rows = [[_button(b, bot_username) for b in row] for row in reply.buttons]
    return InlineKeyboardMarkup(rows)


def _button(button: Button, bot_username: str) -> InlineKeyboardButton:
    if button.data:
        return InlineKeyboardButton(button.label, callback_data=button.data)
    if button.start_payload:
        url = f"https://t.me/{bot_username}?start={button.start_payload}"
        return InlineKeyboardButton(button.label, url=url)
    return InlineKeyboardButton(button.label, url=button.url)


def render(reply: Reply, bot_username: str) -> list[Outgoing]:
    """A reply as the messages to send, keyboard on the last one."""
    html = to_html(reply)
    if not html:
        return []
    chunks = split_message(html)
    markup = keyboard(reply, bot_username)
    return [Outgoing(c, markup if i == len(chunks) - 1 else None) for i, c in enumerate(chunks)]
