"""The terminal chat serves the same command table as Telegram: every command answers there."""

from __future__ import annotations

import fnmatch
import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.console import Console
from bot.core import commands, texts
from bot.core.models import KnowledgeBase
from bot.core.service import Service
from bot.core.storage import SqliteStorage


@pytest.fixture
async def console(tmp_path: Path, repo_knowledge: KnowledgeBase) -> AsyncIterator[Console]:
    storage = await SqliteStorage.open(tmp_path / "db.sqlite3")
    service = Service(repo_knowledge, storage)
    yield Console(service, out=io.StringIO(), save_dir=tmp_path)
    await storage.close()


async def test_every_command_of_the_table_answers_in_the_terminal(console: Console) -> None:
    for command in commands.COMMANDS:
        replies = await console.handle(f"/{command.name}")
        shown = "\n".join(r.text for r in replies)
        assert replies and commands.UNKNOWN not in shown, command.name
        if "admin" in command.scopes:  # the terminal user is none of the bot's admins
            assert texts.ADMINS_ONLY in shown, command.name
    assert [r.text for r in await console.handle("/nosuch")] == [commands.UNKNOWN]


async def test_help_in_the_terminal_is_the_private_help(console: Console) -> None:
    replies = await console.handle("/HELP")
    assert [r.text for r in replies] == [commands.help_text("private")]


async def test_calendar_writes_the_ics_file_and_says_where(
    console: Console, tmp_path: Path
) -> None:
    await console.handle("/profile set target_match_year 2027")
    for reply in await console.handle("/calendar"):
        console.show(reply)
    saved = tmp_path / "imgbot-deadlines.ics"
    assert saved.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert f"[file saved: {saved}]" in console.out.getvalue()  # type: ignore[attr-defined]


def test_imgbot_chat_answers_cohort(imgbot: Callable[..., Any], tmp_path: Path) -> None:
    """The bug that made the table: /help offered /cohort, the terminal did not know it."""
    done = imgbot("chat", stdin="/cohort\n", env={"IMGBOT_DB": str(tmp_path / "db.sqlite3")})
    assert done.returncode == 0, done.stderr
    assert "You are not in a cohort" in done.stdout
    assert "I don't know" not in done.stdout


def test_what_the_terminal_saves_in_the_repo_is_never_committed() -> None:
    # The README runs the chat from the repo: the files it saves (road pictures, the calendar,
    # an /export with one person's data) must match a .gitignore line. Names from the core.
    repo = Path(__file__).resolve().parents[1]
    ignored = [
        line.strip().lstrip("/")
        for line in (repo / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = "\n".join(p.read_text("utf-8") for p in (repo / "bot" / "core").rglob("*.py"))
    names = set(re.findall(r'"(imgbot-[\w{}.-]+\.(?:png|ics|json))"', sources))
    assert {"imgbot-progress.png", "imgbot-deadlines.ics"} <= names, names
    for name in names:
        sample = re.sub(r"\{[^}]*\}", "1", name)  # "imgbot-data-{user.id}.json"
        assert any(fnmatch.fnmatch(sample, pattern) for pattern in ignored), name
