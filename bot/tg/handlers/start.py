"""/start (with deep links) and /help."""

from __future__ import annotations

from telegram import Update

from bot.tg.context import Context, chat_of, reply_to, service, user_of


async def start(update: Update, context: Context) -> None:
    """Welcome; `/start t-TOPIC` opens a topic, `/start join-CODE` joins a cohort."""
    if update.effective_message is None:
        return
    payload = context.args[0] if context.args else None
    replies = await service(context).start(user_of(update), chat_of(update), payload)
    await reply_to(update.effective_message, context, replies)


async def help_command(update: Update, context: Context) -> None:
    """What the bot can do, in private or in a group."""
    if update.effective_message is None:
        return
    reply = await service(context).help(user_of(update), chat_of(update))
    await reply_to(update.effective_message, context, [reply])


async def unknown_command(update: Update, context: Context) -> None:
    """A command we don't have, in a private chat: say so instead of staying silent."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(
        "I don't know that command. Type /help to see what I can do."
    )
