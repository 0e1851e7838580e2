"""The personal side: /next (guided dialog and plan), /profile, /progress, /export, /forget."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.core.models import Chat, Reply, User
from bot.core.service import Service
from bot.tg.context import Context, chat_of, reply_to, service, user_of
from bot.tg.render import caption_html

Call = Callable[[Service, User, Chat, list[str]], Awaitable[Reply]]


def command(call: Call) -> Callable[[Update, Context], Awaitable[None]]:
    """A handler that passes the user, chat and arguments to one Service method."""

    async def handler(update: Update, context: Context) -> None:
        if update.effective_message is None:
            return
        message = update.effective_message
        reply = await call(
            service(context), user_of(update), chat_of(update), list(context.args or [])
        )
        if reply.image:  # the picture first, the text with its buttons under it
            await message.reply_photo(
                photo=reply.image.content,
                filename=reply.image.filename,
                caption=caption_html(reply.image.caption) if reply.image.caption else None,
            )
        await reply_to(message, context, [reply])

    handler.__doc__ = call.__doc__
    return handler


next_command = command(lambda s, u, c, a: s.next(u, c))
profile = command(lambda s, u, c, a: s.profile(u, c, a))
progress = command(lambda s, u, c, a: s.progress(u, c))
export = command(lambda s, u, c, a: s.export(u, c))
forget = command(lambda s, u, c, a: s.forget(u, c))
deadlines = command(lambda s, u, c, a: s.deadlines(u, c))
calendar = command(lambda s, u, c, a: s.calendar(u, c))
remind = command(lambda s, u, c, a: s.remind(u, c, a))
