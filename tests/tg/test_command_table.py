"""The command table on Telegram, in process: a handler for every row, the scoped menus, and an
answer (never "I don't know", never the error handler's apology) for every command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from inprocess import InProcessBot, inprocess_bot
from telegram.error import BadRequest
from telegram.ext import CommandHandler, MessageHandler

from bot.core import commands, texts
from bot.tg.commands import set_menus
from bot.tg.handlers.errors import SORRY

ADMIN, OTHER_ADMIN = 7, 8
USER = 42
GROUP = -300
PRIVATE = {c.name for c in commands.in_scope("private")}
GROUP_COMMANDS = {c.name for c in commands.in_scope("group")}
ADMIN_ONLY = {c.name for c in commands.in_scope("admin")}


@pytest.fixture
async def bot(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[InProcessBot]:
    async with inprocess_bot(fake_api, tmp_path, admins={ADMIN, OTHER_ADMIN}) as running:
        yield running


def menu(fake: FakeBotApi, scope: dict[str, object]) -> dict[str, str]:
    return {c["command"]: c["description"] for c in fake.commands(scope)}


def test_every_command_of_the_table_has_a_handler_before_the_free_text(bot: InProcessBot) -> None:
    handlers = bot.app.handlers[0]
    registered = [
        (i, name)
        for i, h in enumerate(handlers)
        if isinstance(h, CommandHandler)
        for name in h.commands
    ]
    assert sorted(name for _, name in registered) == sorted(c.name for c in commands.COMMANDS)
    first_text = min(i for i, h in enumerate(handlers) if isinstance(h, MessageHandler))
    assert max(i for i, _ in registered) < first_text, "free text must never see a command"


async def test_menus_per_scope_hold_exactly_the_tables_commands(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    await set_menus(bot.app.bot, bot.app.bot_data.settings.admins)
    private = menu(fake_api, {"type": "all_private_chats"})
    assert list(private) == [c.name for c in commands.in_scope("private")]
    assert private["next"] == commands.BY_NAME["next"].description
    assert menu(fake_api, {"type": "default"}) == private
    group = menu(fake_api, {"type": "all_group_chats"})
    assert set(group) == GROUP_COMMANDS
    chat_admins = menu(fake_api, {"type": "all_chat_administrators"})
    assert set(chat_admins) == GROUP_COMMANDS
    assert chat_admins["cohort"] == commands.BY_NAME["cohort"].chat_admin != group["cohort"]
    for admin in (ADMIN, OTHER_ADMIN):
        assert set(menu(fake_api, {"type": "chat", "chat_id": admin})) == PRIVATE | ADMIN_ONLY
    # Admin tools are advertised to the bot's administrators only.
    assert not ADMIN_ONLY & (set(private) | set(group) | set(chat_admins))


async def test_an_admin_who_never_opened_a_chat_costs_only_their_own_menu(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    fake_api.fail_next("setMyCommands", 400, "Bad Request: chat not found", chat_id=ADMIN)
    await set_menus(bot.app.bot, {ADMIN, OTHER_ADMIN})
    assert menu(fake_api, {"type": "chat", "chat_id": ADMIN}) == {}
    assert set(menu(fake_api, {"type": "chat", "chat_id": OTHER_ADMIN})) == PRIVATE | ADMIN_ONLY
    assert set(menu(fake_api, {"type": "all_group_chats"})) == GROUP_COMMANDS
    # A public menu refused is a real failure: it propagates, so start-up tries again later.
    fake_api.fail_next("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID")
    with pytest.raises(BadRequest):
        await set_menus(bot.app.bot, {OTHER_ADMIN})


async def test_every_command_is_answered_in_a_private_chat(
    bot: InProcessBot, fake_api: FakeBotApi, clock
) -> None:
    for command in commands.COMMANDS:
        clock.advance(2)  # a person trying each command, not a flood (the guard refills 1/2 s)
        user = ADMIN if command.name in ADMIN_ONLY else USER
        shown = [m["text"] for m in await bot.say(user, f"/{command.name}")]
        assert shown, f"/{command.name} drew no answer"
        assert commands.UNKNOWN not in shown and SORRY not in shown, (command.name, shown)
    assert "Usage: /broadcast TEXT" in (await bot.say(ADMIN, "/broadcast"))[0]["text"]
    assert texts.ADMINS_ONLY in (await bot.say(USER, "/stats"))[0]["text"]
    assert commands.UNKNOWN in (await bot.say(USER, "/nosuchcommand"))[0]["text"]


async def test_group_help_lists_the_group_commands_and_a_broadcast_keeps_its_lines(
    bot: InProcessBot,
) -> None:
    shown = (await bot.say(GROUP, "/help", user_id=USER))[0]["text"]
    assert all(f"/{name}:" in shown for name in GROUP_COMMANDS)
    assert "/next:" not in shown
    preview = await bot.say(ADMIN, "/broadcast line one\nline two")
    assert "line one\nline two" in preview[0]["text"]
