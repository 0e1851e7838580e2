"""Typed access to what handlers share: the Service, and turning updates into core values."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import CallbackContext, ExtBot

from bot.core.models import Chat, Reply, User
from bot.core.service import Service
from bot.tg.render import render


class BotData(dict[str, Any]):
    """Application-wide data: the Service lives under "service"."""


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]

CHAT_KINDS = {
    ChatType.PRIVATE: "private",
    ChatType.GROUP: "group",
    ChatType.SUPERGROUP: "supergroup",
    ChatType.CHANNEL: "channel",
}


def service(context: Context) -> Service:
    return context.bot_data["service"]


def user_of(update: Update) -> User:
    tg = update.effective_user
    if tg is None:
        return User(id=0)
    return User(id=tg.id, name=tg.first_name or "", language=tg.language_code)


def chat_of(update: Update) -> Chat:
    tg = update.effective_chat
    if tg is None:
        return Chat(id=0)
    return Chat(id=tg.id, kind=CHAT_KINDS.get(tg.type, "private"), title=tg.title or "")  # type: ignore[arg-type]


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
                caption=escape(doc.caption) if doc.caption else None,  # plain text, sent as HTML
            )
