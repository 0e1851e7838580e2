"""The outbox's Telegram side: the repeating sweep job and the Sender that puts a text into a
chat. What a failure means for the rows (retry, dead letter, blocked chat) is core's policy
(bot.core.reminders.outbox); Telegram's errors are translated by `delivery.outcome_of`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot

from bot import heartbeat
from bot.core.models import Reply
from bot.core.reminders.outbox import PARALLEL_SENDS as PARALLEL_SENDS  # for the e2e bound
from bot.core.reminders.outbox import Delivered, Outcome
from bot.core.service import Service
from bot.tg.context import Context, service
from bot.tg.delivery import outcome_of
from bot.tg.render import render

log = logging.getLogger(__name__)


class TelegramSender:
    """`Sender` over a PTB Bot: renders the text (split if long) and sends it."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str) -> Outcome:
        try:
            for out in render(Reply(text), self.bot.username):
                await self.bot.send_message(chat_id, out.text, reply_markup=out.markup)
        except Exception as exc:  # every failure becomes an outcome recorded on the rows
            return outcome_of(exc)
        return Delivered()


async def sweep(context: Context) -> None:
    """The repeating job: plan due reminders, then deliver everything pending."""
    svc = service(context)
    planned = await svc.plan_reminders()
    settings = context.bot_data.settings
    if settings is not None:
        heartbeat.beat(settings.db_path)
    # On SIGTERM PTB waits for this job: stop taking new chats so shutdown stays quick; what is
    # left stays pending in the outbox for the next start.
    sent = await deliver(context.bot, svc, lambda: context.application.running)
    if planned or sent:
        log.info("reminder sweep: %d planned, %d delivered", planned, sent)


async def deliver(bot: Bot, svc: Service, running: Callable[[], bool] = lambda: True) -> int:
    """Send pending outbox items through this bot; returns how many were delivered."""
    return await svc.deliver(TelegramSender(bot), running)
