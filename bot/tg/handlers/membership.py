"""Who can be reached: a user who blocks the bot (or removes it from a group) is not tried again."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType

from bot.tg.context import Context, service
from bot.tg.handlers import groups

GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def my_chat_member(update: Update, context: Context) -> None:
    """Mark the chat inactive when we are kicked or leave; active again when re-added.

    In a channel, being made admin also starts linking it to a cohort (see groups).
    """
    change = update.my_chat_member
    if change is None:
        return
    active = change.new_chat_member.status not in GONE
    await service(context).set_active(change.chat.id, active)
    if active and change.chat.type == ChatType.CHANNEL:
        await groups.channel_member(update, context)
