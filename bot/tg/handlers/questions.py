"""Free-text questions: any text in private; mentions and replies to the bot in groups (/ask
is a row of the command table, bot.core.commands)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import MessageEntityType

from bot.tg.context import Context, chat_of, reply_to, service, user_of

NOT_TEXT = (
    "I can only read text messages. Please type your question, for example: is step 1 pass fail?"
)


async def private_text(update: Update, context: Context) -> None:
    """Any text in a private chat is a question (or a typed dialog answer)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    replies = await service(context).ask(user_of(update), chat_of(update), message.text)
    await reply_to(message, context, replies)


async def not_text(update: Update, context: Context) -> None:
    """A voice note, photo, sticker or file in private: we only read text, so say so."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(NOT_TEXT)


async def group_text(update: Update, context: Context) -> None:
    """In groups, answer only when addressed: a mention of the bot or a reply to its message."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    mention = f"@{context.bot.username}".lower()
    replied = message.reply_to_message
    to_bot = (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
    )
    mentions = [
        text
        for entity, text in message.parse_entities([MessageEntityType.MENTION]).items()
        if text.lower() == mention
    ]
    if not (to_bot or mentions):
        return
    question = message.text
    for text in mentions:
        question = question.replace(text, " ")
    replies = await service(context).ask(user_of(update), chat_of(update), question)
    await reply_to(message, context, replies)
