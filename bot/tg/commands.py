"""The command table (bot.core.commands) on Telegram: one handler per command, scoped menus.

Every command gets the same thin handler: read the update into an Invocation, let the core run
it, render the replies. The menus follow the table's scopes, as the PTB team's rules-bot does:
private chats, groups and the groups' admins each see their own list, and the bot's
administrators alone see the admin commands, in their own private chat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Coroutine
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import CommandHandler

from bot.core import commands
from bot.core.commands import Command, Invocation, Scope
from bot.tg.context import Context, chat_of, reply_to, service, user_of
from bot.tg.render import caption_html

log = logging.getLogger(__name__)

Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


def handler_for(command: Command) -> Callback:
    """The callback that serves `command` in any chat; the Service decides what a chat may do."""

    async def handle(update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        parts = message.text.split(maxsplit=1)  # the rest keeps its line breaks (/broadcast)
        settings = context.bot_data.settings
        call = Invocation(
            user=user_of(update),
            chat=chat_of(update),
            words=tuple(context.args or ()),
            text=parts[1] if len(parts) > 1 else "",
            bot_username=context.bot.username,
            knowledge_dir=settings.knowledge_dir if settings else None,
        )
        replies = await commands.run(service(context), command, call)
        for reply in replies:
            if reply.image:  # the picture first, the text with its buttons under it
                await message.reply_photo(
                    photo=reply.image.content,
                    filename=reply.image.filename,
                    caption=caption_html(reply.image.caption) if reply.image.caption else None,
                )
            await reply_to(message, context, [reply])

    handle.__doc__ = f"/{command.name}: {command.description}."
    return handle


async def unknown(update: Update, context: Context) -> None:
    """A command not in the table, in a private chat: say so instead of staying silent."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(commands.UNKNOWN)


def command_handlers() -> list[CommandHandler[Context, None]]:
    """A CommandHandler for every command of the table, in table order."""
    return [CommandHandler(c.name, handler_for(c)) for c in commands.COMMANDS]


def _menu(scope: Scope, chat_admin: bool = False) -> list[BotCommand]:
    return [BotCommand(c.name, c.menu_line(scope, chat_admin)) for c in commands.in_scope(scope)]


def menus(admins: Collection[int]) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """Each menu scope with its commands. Telegram shows a chat the most specific list set for
    it, so an admin's own chat list replaces the private one there and must repeat it."""
    private = _menu("private")
    scoped: list[tuple[BotCommandScope, list[BotCommand]]] = [
        # Any chat no other scope covers falls back to the default list: the private one.
        (BotCommandScopeDefault(), private),
        (BotCommandScopeAllPrivateChats(), private),
        (BotCommandScopeAllGroupChats(), _menu("group")),
        (BotCommandScopeAllChatAdministrators(), _menu("group", chat_admin=True)),
    ]
    admin = private + _menu("admin")
    scoped += [(BotCommandScopeChat(chat_id), admin) for chat_id in sorted(admins)]
    return scoped


async def set_menus(bot: Bot, admins: Collection[int]) -> None:
    """Set every menu. An administrator who never opened a chat with the bot cannot get one
    (400 chat not found): logged and skipped, or the retry would fail for ever. Any other
    error propagates, so the caller tries again later."""
    for scope, menu in menus(admins):
        try:
            await bot.set_my_commands(menu, scope=scope)
        except BadRequest as exc:
            if not isinstance(scope, BotCommandScopeChat):
                raise
            log.info("no admin command menu for chat %s: %s", scope.chat_id, exc)
