"""The one error handler: log with context first, then tell the person kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import ChatMigrated, Forbidden

from bot.tg.context import Context, service

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."


async def on_error(update: object, context: Context) -> None:
    """Log the failure with the update that caused it; a 403 means the user blocked us."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and chat is not None:
        log.info("chat %s blocked the bot; marking it inactive", chat.id)
        await service(context).set_active(chat.id, False)
        return
    if isinstance(error, ChatMigrated) and chat is not None:
        log.info("group %s became supergroup %s", chat.id, error.new_chat_id)
        await service(context).migrate_chat(chat.id, error.new_chat_id)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "error while handling update %s in chat %s",
        update_id,
        chat.id if chat else None,
        exc_info=error,
        extra={"update_id": update_id, "chat_id": chat.id if chat else None},
    )
    if chat is None:
        return
    try:
        await context.bot.send_message(chat.id, SORRY)
    except Exception:  # the apology itself failed (blocked, network): logging it is enough
        log.warning("could not tell chat %s about the error", chat.id)
