"""Typed access to what handlers share: the Service, and turning updates into core values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.config import Settings
from bot.core.flood import FloodGuard
from bot.core.models import Chat, ChatKind, Reply, User
from bot.core.service import Service
from bot.tg.render import caption_html, render


@dataclass
class BotData:
    """Application-wide data (PTB's `bot_data`, made by ContextTypes with no arguments): named,
    typed fields instead of string keys, so a misspelt key is a type error, not a KeyError."""

    settings: Settings | None = None  # set in post_init, before any update is handled
    opened: Service | None = None  # set in post_init; None again never (closed at shutdown)
    floods: dict[str, FloodGuard] = field(default_factory=dict)  # bot.tg.handlers.flood's guards

    @property
    def service(self) -> Service:
        if self.opened is None:
            raise RuntimeError("the Service opens in post_init, before any handler runs")
        return self.opened


# ExtBot[int]: the bot runs with an AIORateLimiter, whose per-call argument is an int.
Context = CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]
App = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]

CHAT_KINDS: dict[str, ChatKind] = {
    ChatType.PRIVATE: "private",
    ChatType.GROUP: "group",
    ChatType.SUPERGROUP: "supergroup",
    ChatType.CHANNEL: "channel",
}


def service(context: Context) -> Service:
    return context.bot_data.service


# Accounts that are no person: "Telegram" forwards a linked channel's posts into its discussion
# group; bots, including GroupAnonymousBot and Channel_Bot, stand in for anonymous senders.
TELEGRAM_SERVICE_ID = 777000


def sender_is_person(update: Update) -> bool:
    """Whether a person we can tell apart sent this: not a forged update without `from`, not an
    admin posting anonymously as the group, not a channel, not a bot. Storing anything else
    would create a user (id 0, or a shared bot id) that /stats counts and broadcasts try."""
    tg = update.effective_user
    if tg is None or tg.is_bot or tg.id == TELEGRAM_SERVICE_ID:
        return False
    message = update.message or update.edited_message  # a button's message is the bot's own
    return message is None or message.sender_chat is None


def user_of(update: Update) -> User:
    """The sender as the core knows them; id 0 (which the core never stores) for no person."""
    tg = update.effective_user
    if tg is None or not sender_is_person(update):
        return User(id=0)
    return User(id=tg.id, name=tg.first_name or "", language=tg.language_code)


def chat_of(update: Update) -> Chat:
    tg = update.effective_chat
    if tg is None:
        return Chat(id=0)
    return Chat(id=tg.id, kind=CHAT_KINDS.get(tg.type, "private"), title=tg.title or "")


async def reply_to(message: Message, context: Context, replies: list[Reply]) -> None:
    """Send replies: quoted in groups (in the same forum topic), plain in private chats."""
    in_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    for reply in replies:
        for out in render(reply, context.bot.username):
            await message.reply_text(out.text, reply_markup=out.markup, do_quote=in_group)
        if reply.document:
            doc = reply.document
            await message.reply_document(
                document=doc.content,
                filename=doc.filename,
                caption=caption_html(doc.caption) if doc.caption else None,
            )
