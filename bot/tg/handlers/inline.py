"""Inline mode: `@bot QUERY` in any chat offers sourced short answers to drop into a discussion.

Results reuse the group answer (summary, first official source, review date, deep link to the full
answer), so an answer quoted by a user reads exactly like one the bot gives in a group.
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

from bot.core.matching import SUGGEST_MIN
from bot.core.models import Topic
from bot.core.service import Service
from bot.tg.context import Context, service
from bot.tg.render import keyboard, to_html

MAX_RESULTS = 8  # a phone shows about this many without scrolling
CACHE_SECONDS = 300  # answers change only on a knowledge reload
DESCRIPTION_CHARS = 120
# Asked about most, in the order people meet them: what an empty query offers.
POPULAR = (
    "usmle-step1",
    "usmle-step2ck",
    "english-proficiency",
    "ecfmg-certification",
    "usce",
    "eras-application",
    "nrmp-match",
    "visa-j1",
)


def inline_topics(svc: Service, query: str) -> list[Topic]:
    """The matcher's ranking above its "suggest" bar; popular topics for an empty query."""
    if not query.strip():
        found = [svc.kb.topic(topic_id) for topic_id in POPULAR]
        return [t for t in found if t is not None][:MAX_RESULTS] or list(svc.kb.topics[:5])
    ranked = [m for m in svc.answers.matcher.ranked(query) if m.score >= SUGGEST_MIN]
    topics = [svc.kb.topic(m.topic) for m in ranked[:MAX_RESULTS]]
    return [t for t in topics if t is not None]


def article(svc: Service, topic: Topic, bot_username: str) -> InlineQueryResultArticle:
    """One result: the group answer as the message, with the "full answer in private" button."""
    reply = svc.answers.group_reply(topic)
    summary = topic.summary
    if len(summary) > DESCRIPTION_CHARS:
        summary = summary[: DESCRIPTION_CHARS - 1] + "…"
    return InlineQueryResultArticle(
        id=topic.id,
        title=topic.title,
        description=summary,
        input_message_content=InputTextMessageContent(
            to_html(reply),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=keyboard(reply, bot_username),
    )


async def inline_query(update: Update, context: Context) -> None:
    """Answer `@bot QUERY` with up to MAX_RESULTS sourced topics."""
    query = update.inline_query
    if query is None:
        return
    svc = service(context)
    results = [article(svc, t, context.bot.username) for t in inline_topics(svc, query.query)]
    await query.answer(
        results,
        cache_time=CACHE_SECONDS,
        button=InlineQueryResultsButton(text="Ask me in a private chat", start_parameter="inline"),
    )
