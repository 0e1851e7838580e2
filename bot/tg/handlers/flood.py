"""Runs before every other handler: a flood is slowed, not answered, and only people are served.

Every update that can draw an answer counts against its sender: new and edited messages of any
kind (an edit is answered like a message, so 30 quick edits drew 30 answers before), and button
presses, which have their own, larger bucket because a person tapping through the /next dialog
presses a dozen buttons in a row.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, filters

from bot.core import texts
from bot.core.flood import FloodGuard, Verdict
from bot.tg.context import Context, sender_is_person
from bot.tg.updates import arrival_time

SLOW_DOWN = "You are sending messages very fast. I will answer again in a few seconds."
# Buttons: a burst of 20 and one a second covers the whole /next dialog (about 12 questions)
# tapped as fast as a phone allows, and still stops a script pressing hundreds.
BUTTON_BURST = 20
BUTTON_RATE = 1.0  # per second
MAX_TRACKED = 10_000  # buckets kept before idle ones are dropped


async def guard(update: Update, context: Context) -> None:
    """Let the update through, warn once, or stop it before any other handler sees it."""
    message = update.message or update.edited_message
    query = update.callback_query
    if message is not None and filters.StatusUpdate.ALL.check_update(update):
        return  # service messages (a group migrating, members joining) are facts, not requests
    if message is not None and message.text is None and message.chat.type != ChatType.PRIVATE:
        return  # a photo in a group draws no answer, so it costs nothing
    if (message is not None or query is not None) and not sender_is_person(update):
        await _not_a_person(update, context)
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is None or (message is None and query is None):
        return
    now = arrival_time(context.application, update)  # not its turn: replies may be paced
    verdict = _check(context, "flood" if message is not None else "flood_buttons", user.id, now)
    if verdict == "allow":
        return
    if query is not None:
        with contextlib.suppress(BadRequest):  # too old to answer: nothing to slow down then
            await query.answer(SLOW_DOWN if verdict == "warn" else None)  # always answer a press
    elif verdict == "warn" and message is not None:
        await message.reply_text(SLOW_DOWN)
    raise ApplicationHandlerStop


def _check(context: Context, key: str, sender: int, now: float) -> Verdict:
    """One sender's verdict from the guard kept under `key` (messages, or buttons)."""
    flood = context.bot_data.floods.get(key)
    if flood is None:
        flood = context.bot_data.floods[key] = (
            FloodGuard() if key != "flood_buttons" else FloodGuard(BUTTON_BURST, BUTTON_RATE)
        )
    verdict = flood.check(sender, now)
    if len(flood) > MAX_TRACKED:
        flood.forget_idle(now)
    return verdict


async def _not_a_person(update: Update, context: Context) -> None:
    """An admin posting anonymously who types a command in a group is told why nothing happens
    (once per flood, counted against the group); anything else without a person behind it
    (forged, a channel, a bot) is dropped quietly."""
    message = update.message
    if (
        message is not None
        and message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        and message.sender_chat is not None
        and message.sender_chat.id == message.chat.id
        and filters.COMMAND.check_update(update)
        and _check(context, "flood", message.chat.id, arrival_time(context.application, update))
        == "allow"
    ):
        await message.reply_text(texts.ANONYMOUS)
