"""Groups, channels and cohorts on Telegram: supergroup upgrades, linking a channel (/cohort
itself is a row of the command table, bot.core.commands).

The rules live in bot.core.cohorts; this module only turns updates into core calls and gives
the core the one fact it cannot know by itself: who is an admin of a chat (getChatMember).
"""

from __future__ import annotations

import logging

from telegram import Bot, ChatMember, Update
from telegram.error import BadRequest, Forbidden

from bot.core.service import ChatAdminCheck
from bot.tg.context import App, Context, service, user_of
from bot.tg.render import render

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def admin_check(bot: Bot) -> ChatAdminCheck:
    """Ask Telegram whether a user administers a chat; a chat we cannot see says no."""

    async def is_admin(chat_id: int, user_id: int) -> bool:
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except (BadRequest, Forbidden):  # not in that chat, or it is gone: no proof of rights
            return False
        return member.status in ADMIN_STATUSES

    return is_admin


def setup(app: App, interval: float) -> None:
    """At start-up: schedule the weekly digest planner.

    The planner runs at the reminder sweep's pace but plans each channel's digest once per ISO
    week (outbox keys), and the sweep delivers it with every guarantee of a reminder.
    """
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    app.job_queue.run_repeating(digest_job, interval=interval, first=1, name="cohort-digest")


async def digest_job(context: Context) -> None:
    """Plan this week's "what's ahead" digest for every linked channel."""
    planned = await service(context).plan_digests()
    if planned:
        log.info("weekly digest planned for %d channels", planned)


async def migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: Telegram says so in both chats; move the cohort along."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    log.info("group %s became supergroup %s", old, new)
    await service(context).migrate_chat(old, new)


async def channel_member(update: Update, context: Context) -> None:
    """The bot was made admin of a channel: ask the person who did it, in private, to link it."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status != ChatMember.ADMINISTRATOR:
        return
    if change.old_chat_member.status == ChatMember.ADMINISTRATOR or change.from_user.is_bot:
        return  # only its rights changed, or a bot did it: nobody to ask
    adder = user_of(update)
    reply = await service(context).channel_added(adder, change.chat.id, change.chat.title or "")
    try:
        for out in render(reply, context.bot.username):
            await context.bot.send_message(adder.id, out.text, reply_markup=out.markup)
    except Forbidden:  # they never opened a private chat with the bot: nothing to link then
        log.info("cannot ask user %s about channel %s in private", adder.id, change.chat.id)
