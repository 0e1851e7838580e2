"""Runs before every other handler: text from someone flooding the bot is slowed, not answered."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.core.flood import FloodGuard
from bot.tg.context import Context
from bot.tg.updates import arrival_time

SLOW_DOWN = "You are sending messages very fast. I will answer again in a few seconds."


async def guard(update: Update, context: Context) -> None:
    """Let the update through, warn once, or stop it before any other handler sees it."""
    message = update.message
    if message is None or message.text is None or update.effective_user is None:
        return
    flood: FloodGuard = context.bot_data.setdefault("flood", FloodGuard())
    now = arrival_time(context.application, update)  # not its turn: replies may be paced
    verdict = flood.check(update.effective_user.id, now)
    if verdict == "allow":
        if len(flood) > 10_000:
            flood.forget_idle(now)
        return
    if verdict == "warn":
        await message.reply_text(SLOW_DOWN)
    raise ApplicationHandlerStop
