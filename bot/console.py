"""The bot's private-chat conversation in a terminal (`imgbot chat`).

Same Service, same database, same replies as Telegram: only the rendering differs. Buttons are
numbered; typing a number presses one. Works with piped input (no terminal needed).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.core import commands
from bot.core.commands import Invocation
from bot.core.models import Button, Chat, Reply, User
from bot.core.numbers import parse_int

if TYPE_CHECKING:
    from bot.core.service import Service

CONSOLE_USER = User(id=1, name="terminal")
CONSOLE_CHAT = Chat(id=1, kind="private", title="terminal")


def render_text(reply: Reply) -> str:
    """A Reply as plain text; returns the buttons in display order for numbering."""
    parts: list[str] = []
    if reply.title:
        parts.append(f"== {reply.title} ==")
    if reply.text:
        parts.append(reply.text)
    if reply.links:
        parts.append(
            "Sources:\n" + "\n".join(f"  - {link.label}: {link.url}" for link in reply.links)
        )
    if reply.footer:
        parts.append(reply.footer)
    return "\n\n".join(parts)


def flat_buttons(reply: Reply) -> list[Button]:
    return [b for row in reply.buttons for b in row]


class Console:
    """Reads lines, sends them through the Service, prints replies."""

    def __init__(self, service: Service, out: TextIO = sys.stdout, save_dir: Path | None = None):
        self.service = service
        self.out = out
        self.save_dir = save_dir or Path.cwd()
        self.buttons: list[Button] = []

    def show(self, reply: Reply) -> None:
        if reply.notice:
            self.out.write(f"({reply.notice})\n")
        text = render_text(reply)
        if text:
            self.out.write(text + "\n")
        if reply.image:  # a terminal cannot show it: save the PNG and say where
            path = self.save_dir / reply.image.filename
            path.write_bytes(reply.image.content)
            self.out.write(f"[picture saved: {path}]\n")
            if reply.image.caption:
                self.out.write(reply.image.caption + "\n")
        if reply.document:
            path = self.save_dir / reply.document.filename
            path.write_bytes(reply.document.content)
            self.out.write(f"[file saved: {path}]\n")
        buttons = flat_buttons(reply)
        if buttons:
            self.buttons = buttons
            for n, button in enumerate(buttons, 1):
                self.out.write(f"  [{n}] {button.label}\n")
        self.out.write("\n")
        self.out.flush()

    async def handle(self, line: str) -> list[Reply]:
        """One input line: a button number, a /command or a question."""
        line = line.strip()
        number = parse_int(line, 1, len(self.buttons))  # "²" passes isdigit(), then int() raises
        if number is not None:
            return await self._press(self.buttons[number - 1])
        if line.startswith("/"):
            return await self._command(line)
        return await self.service.ask(CONSOLE_USER, CONSOLE_CHAT, line)

    async def _press(self, button: Button) -> list[Reply]:
        if button.data:
            return [await self.service.button(CONSOLE_USER, CONSOLE_CHAT, button.data)]
        if button.start_payload:
            return await self.service.start(CONSOLE_USER, CONSOLE_CHAT, button.start_payload)
        return [Reply(f"Open {button.url}")]

    async def _command(self, line: str) -> list[Reply]:
        """A /command, served from the one command table like on Telegram."""
        word, _, rest = line[1:].partition(" ")
        command = commands.find(word)
        if command is None:
            return [Reply(commands.UNKNOWN)]
        call = Invocation(CONSOLE_USER, CONSOLE_CHAT, tuple(rest.split()), rest.strip())
        return await commands.run(self.service, command, call)

    async def run(self, lines: TextIO) -> None:
        """The loop: until end of input or /quit."""
        self.out.write("IMG Pathway Bot (terminal). Type a question, a /command, or /quit.\n\n")
        for reply in await self.service.start(CONSOLE_USER, CONSOLE_CHAT):
            self.show(reply)
        while True:
            line = await asyncio.to_thread(lines.readline)
            if not line or line.strip().lower() in ("/quit", "/exit"):
                break
            if not line.strip():
                continue
            for reply in await self.handle(line):
                self.show(reply)
