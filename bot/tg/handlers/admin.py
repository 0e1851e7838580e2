"""Admin commands (IMGBOT_ADMINS only): /stats, /broadcast, /reload. Others get a refusal."""

from __future__ import annotations

from pathlib import Path

from telegram import Update

from bot.tg.context import Context, reply_to, service, user_of


async def stats(update: Update, context: Context) -> None:
    """Usage numbers for the people who run the bot."""
    if update.effective_message is None:
        return
    reply = await service(context).stats(user_of(update))
    await reply_to(update.effective_message, context, [reply])


async def broadcast(update: Update, context: Context) -> None:
    """/broadcast TEXT: preview first; the confirm button queues it through the outbox."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    parts = message.text.split(maxsplit=1)  # keeps the line breaks inside the text
    text = parts[1] if len(parts) > 1 else ""
    reply = await service(context).broadcast(user_of(update), text)
    await reply_to(message, context, [reply])


async def reload(update: Update, context: Context) -> None:
    """/reload: read the knowledge again; a broken file keeps the old knowledge serving."""
    if update.effective_message is None:
        return
    reply = await service(context).reload_knowledge(user_of(update), _knowledge_dir(context))
    await reply_to(update.effective_message, context, [reply])


def _knowledge_dir(context: Context) -> Path | None:
    settings = context.bot_data.get("settings")
    return settings.knowledge_dir if settings else None
