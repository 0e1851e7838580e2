"""Inline mode: `@bot QUERY` in any chat offers sourced short answers to drop into a discussion.

Results reuse the group answer (summary, first official source, review date, deep link to the full
answer), so an answer quoted by a user reads exactly like one the bot gives in a group. When an
entry answers the query at its grain ("eras fee"), that short answer comes first.
"""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode

from bot.core.models import Entry, Reply, Topic
from bot.core.service import Service
from bot.tg.context import Context, service
from bot.tg.render import keyboard, to_html

MAX_RESULTS = 8  # a phone shows about this many without scrolling
CACHE_SECONDS = 300  # answers change only on a knowledge reload
DESCRIPTION_CHARS = 120


def _article(
    result_id: str, title: str, description: str, reply: Reply, bot_username: str
) -> InlineQueryResultArticle:
    if len(description) > DESCRIPTION_CHARS:
        description = description[: DESCRIPTION_CHARS - 1] + "…"
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        description=description,
        input_message_content=InputTextMessageContent(
            to_html(reply),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=keyboard(reply, bot_username),
    )


def article(svc: Service, topic: Topic, bot_username: str) -> InlineQueryResultArticle:
    """One result: the group answer as the message, with the "full answer in private" button."""
    reply = svc.group_reply(topic)
    return _article(topic.id, topic.title, topic.summary, reply, bot_username)


def entry_article(svc: Service, entry: Entry, bot_username: str) -> InlineQueryResultArticle:
    """The entry's short answer, as a group would get it."""
    reply = svc.group_reply(entry)
    return _article(f"e-{entry.id}", entry.question, entry.answer, reply, bot_username)


async def inline_query(update: Update, context: Context) -> None:
    """Answer `@bot QUERY` with up to MAX_RESULTS sourced topics."""
    query = update.inline_query
    if query is None:
        return
    svc = service(context)
    username = context.bot.username
    entry, topics = svc.inline_choices(query.query, MAX_RESULTS)
    results = [entry_article(svc, entry, username)] if entry else []
    results += [article(svc, t, username) for t in topics]
    results = results[:MAX_RESULTS]
    await query.answer(
        results,
        cache_time=CACHE_SECONDS,
        button=InlineQueryResultsButton(text="Ask me in a private chat", start_parameter="inline"),
    )
