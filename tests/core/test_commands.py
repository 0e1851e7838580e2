"""The one command table: its rows are served by real Service methods, /help and the README list
exactly its commands, and what a row promises (personal, scopes, menu limits) holds."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core import commands
from bot.core.commands import COMMANDS, Invocation
from bot.core.models import Chat, KnowledgeBase, User
from bot.core.service import PRIVATE_COMMANDS, Service
from bot.core.storage import SqliteStorage

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ANNA = User(id=101, name="Anna")
PRIVATE = Chat(id=101)
GROUP = Chat(id=-500, kind="group", title="Batch 2027")
BULLET = re.compile(r"^• /(\w+):", re.MULTILINE)


@pytest.fixture
async def svc(tmp_path: Path, repo_knowledge: KnowledgeBase) -> AsyncIterator[Service]:
    storage = await SqliteStorage.open(tmp_path / "db.sqlite3")
    yield Service(repo_knowledge, storage, lambda: NOW, admins={7})
    await storage.close()


def names(scope: commands.Scope) -> list[str]:
    return [c.name for c in commands.in_scope(scope)]


def test_every_row_names_a_coroutine_method_of_the_service(svc: Service) -> None:
    for command in COMMANDS:
        method = functools.reduce(getattr, command.method.split("."), svc)
        assert inspect.iscoroutinefunction(method), command.name


def test_names_scopes_and_menu_lines_are_valid_for_telegram() -> None:
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)
    for command in COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command.name)
        assert command.scopes and command.scopes <= set(commands.SCOPES)
        for line in (command.description, command.chat_admin or "x"):
            assert 1 <= len(line) <= 256
    assert not set(names("admin")) & (set(names("private")) | set(names("group")))


def test_personal_commands_are_private_and_deep_linkable() -> None:
    """A group gets a button into the private chat for these: `/start NAME` must run them."""
    personal = [c for c in COMMANDS if c.personal]
    assert personal
    for command in personal:
        assert command.scopes == {"private"}, command.name
        assert command.name in PRIVATE_COMMANDS, command.name


def test_help_lists_exactly_the_commands_of_its_scope() -> None:
    assert BULLET.findall(commands.help_text("private")) == names("private")
    assert BULLET.findall(commands.help_text("group")) == names("group")
    for command in COMMANDS:
        if command.personal:
            assert f"/{command.name}" in commands.help_text("group")  # named as private-only
    for admin_only in names("admin"):
        assert f"/{admin_only}" not in commands.help_text("private") + commands.help_text("group")


async def test_the_service_gives_each_chat_its_help(svc: Service) -> None:
    assert (await svc.help(ANNA, PRIVATE)).text == commands.help_text("private")
    assert (await svc.help(ANNA, GROUP)).text == commands.help_text("group")


def test_readme_command_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text()
    assert commands.markdown_table() in readme, (
        "README.md's command table is out of date; paste bot.core.commands.markdown_table():\n"
        + commands.markdown_table()
    )


def test_find_ignores_case_and_the_bot_username() -> None:
    assert commands.find("Remind@IMGPathwayBot") is commands.BY_NAME["remind"]
    assert commands.find("nosuch") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/ask", "Type your question after /ask"),
        ("/profile set step1 passed", "passed"),
        ("/broadcast hello\nall", "hello\nall"),
        ("/stats", "Users:"),
    ],
)
async def test_run_passes_each_argument_style(svc: Service, line: str, expected: str) -> None:
    word, _, rest = line[1:].partition(" ")
    command = commands.find(word)
    assert command is not None
    call = Invocation(User(id=7), Chat(id=7), tuple(rest.split()), rest)
    replies = await commands.run(svc, command, call)
    assert expected in "\n".join(r.text for r in replies)
