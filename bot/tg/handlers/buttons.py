"""Every inline button press goes through here: decode, call the service, answer the query."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest

from bot.tg.context import Context, chat_of, service, user_of
from bot.tg.render import MAX_NOTICE, caption_html, render, shorten

log = logging.getLogger(__name__)


async def button(update: Update, context: Context) -> None:
    """Answer the callback query (always), then edit the message or send a new one."""
    query = update.callback_query
    if query is None:
        return
    reply = await service(context).button(user_of(update), chat_of(update), query.data or "")
    try:
        await query.answer(shorten(reply.notice, MAX_NOTICE) if reply.notice else None)
    except BadRequest as exc:  # pressed while we were down: too old to answer, still acted on
        log.info("callback query %s not answered: %s", query.id, exc)
    messages = render(reply, context.bot.username)
    if not messages:
        return
    if reply.edit and len(messages) == 1 and query.message is not None:
        try:
            await query.edit_message_text(messages[0].text, reply_markup=messages[0].markup)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return  # the message already shows this: a second copy would only confuse
            # too old to edit, or no longer there: send it as a new message instead
    chat_id = update.effective_chat.id if update.effective_chat else query.from_user.id
    if reply.image:  # a picture cannot replace a text message: it is always sent anew
        await context.bot.send_photo(
            chat_id,
            reply.image.content,
            filename=reply.image.filename,
            caption=caption_html(reply.image.caption) if reply.image.caption else None,
        )
    for out in messages:
        await context.bot.send_message(chat_id, out.text, reply_markup=out.markup)
    if reply.document:
        await context.bot.send_document(
            chat_id, reply.document.content, filename=reply.document.filename
        )
