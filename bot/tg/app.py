"""The composition root: builds the python-telegram-bot Application and registers handlers.

Handler order matters where noted: PTB gives an update to the first matching handler of a group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from urllib.parse import urlparse

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.core import texts
from bot.core.models import KnowledgeBase
from bot.core.service import Service
from bot.logs import setup_logging
from bot.tg import commands, notifier, polling
from bot.tg.context import App, BotData, Context
from bot.tg.delivery import BACKOFF_SECONDS, RetryingRateLimiter
from bot.tg.handlers import (
    buttons,
    errors,
    flood,
    inline,
    membership,
    questions,
)
from bot.tg.handlers import groups as cohorts  # `groups` is add_handlers' chat filter
from bot.tg.updates import PerChatUpdateProcessor

log = logging.getLogger(__name__)

TOKEN_REJECTED = (
    "error: the token was rejected by Telegram (revoked or mistyped); "
    "set TELEGRAM_BOT_TOKEN to the token @BotFather gave you"
)
EXIT_TOKEN_REJECTED = 1
# After a failed setMyCommands: soon (a blip), then less and less often; the last value repeats.
COMMANDS_RETRY_SECONDS = (2, 10, 60, 300)


def build_application(
    settings: Settings, kb: KnowledgeBase, limiter: RetryingRateLimiter | None = None
) -> App:
    """The Application with every handler, the rate limiter and start-up/shutdown hooks.
    `limiter` lets tests choose the pacing (tests/tg/inprocess.py turns it off)."""
    context_types = ContextTypes(bot_data=BotData)
    # The builder's default job queue, made here so its type knows our Context (PTB's builder
    # does not carry context_types over to the job queue's type).
    job_queue: JobQueue[Context] = JobQueue()
    limiter = limiter or RetryingRateLimiter(backoff=settings.backoff(BACKOFF_SECONDS))

    async def post_init(app: App) -> None:
        svc = await Service.open(
            kb, settings.db_path, settings.admins, is_chat_admin=cohorts.admin_check(app.bot)
        )
        app.bot_data.opened = svc
        limiter.on_migrate = svc.migrate_chat  # a reply to a migrated group goes to its new id
        app.bot_data.settings = settings
        assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
        app.job_queue.run_once(_set_commands, 0, data=0)
        # The first sweep a second after start-up (sooner only when sweeps are more frequent).
        first = min(1.0, settings.reminder_interval)
        app.job_queue.run_repeating(
            notifier.sweep, interval=settings.reminder_interval, first=first
        )
        cohorts.setup(app, settings.reminder_interval)  # the weekly digest
        _reload_on_sighup(app, settings)
        log.info("bot @%s ready with %d topics", app.bot.username, len(kb.topics))

    async def post_shutdown(app: App) -> None:
        svc = app.bot_data.opened
        if svc is not None:
            await svc.close()

    app = (
        ApplicationBuilder()
        .token(settings.token.get())
        .base_url(settings.api_url)
        .context_types(context_types)
        .job_queue(job_queue)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .read_timeout(settings.request_timeout)
        .rate_limiter(limiter)
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    add_handlers(app)
    return app


async def _set_commands(context: Context) -> None:
    """The command menus, one per scope (bot.tg.commands); a failure is logged and tried again
    later (the menu is a convenience, not a reason to stop answering people). `job.data` counts
    the attempts so far."""
    settings = context.bot_data.settings
    assert context.job is not None and context.job_queue is not None and settings is not None
    attempt = context.job.data if isinstance(context.job.data, int) else 0
    try:
        await commands.set_menus(context.bot, settings.admins)
    except TelegramError as exc:
        delays = settings.backoff(COMMANDS_RETRY_SECONDS)
        delay = delays[min(attempt, len(delays) - 1)]
        log.warning("setMyCommands failed (%s); trying again in %gs", exc, delay)
        context.job_queue.run_once(_set_commands, delay, data=attempt + 1)


def add_handlers(app: App) -> None:
    """Register handlers; commands first, then free text (which must not see commands)."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # Group -1 runs first: the flood guard can stop an update before any handler answers it.
    app.add_handler(TypeHandler(Update, flood.guard), group=-1)
    # Every command of the one table (bot.core.commands), before the free text below.
    for handler in commands.command_handlers():
        app.add_handler(handler)
    app.add_handler(CallbackQueryHandler(buttons.button))
    app.add_handler(InlineQueryHandler(inline.inline_query))
    # my_chat_member: groups and private chats (active or not) and channels (cohort linking).
    app.add_handler(ChatMemberHandler(membership.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    # Service messages have no text, so the free-text handlers below never see them.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, cohorts.migrated))
    # Free text last: in private every text is a question; in groups only when addressed.
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, questions.private_text)
    )
    app.add_handler(MessageHandler(groups & filters.TEXT & ~filters.COMMAND, questions.group_text))
    app.add_handler(MessageHandler(private & filters.COMMAND, commands.unknown))
    # A voice note, photo or sticker in private: say we read text, instead of staying silent.
    app.add_handler(
        MessageHandler(
            private & filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            questions.not_text,
        )
    )
    app.add_error_handler(errors.on_error)


def _reload_on_sighup(app: App, settings: Settings) -> None:
    """SIGHUP reloads the knowledge, like /reload; a failed reload keeps the old one."""

    async def reload() -> None:
        reply = await app.bot_data.service.reload_knowledge(None, settings.knowledge_dir)
        failed = reply.text.startswith(texts.RELOAD_FAILED)
        log.log(logging.WARNING if failed else logging.INFO, "SIGHUP: %s", reply.text)

    def on_signal() -> None:
        app.create_task(reload())

    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_signal)


def run_bot(settings: Settings, kb: KnowledgeBase) -> int:
    """Run until SIGINT/SIGTERM, then shut down cleanly; exit code 0.

    A token Telegram rejects ends the process with one line and exit code 1: PTB's own message
    (and its traceback) carries the whole token, so it must never reach the output.
    """
    setup_logging([settings.token.get(), settings.webhook_secret.get()], settings.log_json)
    logging.getLogger("telegram.ext").addFilter(_not_a_rejected_token)
    try:
        _serve(build_application(settings, kb), settings)
    except InvalidToken:
        print(TOKEN_REJECTED, file=sys.stderr)
        return EXIT_TOKEN_REJECTED
    return 0


def _not_a_rejected_token(record: logging.LogRecord) -> bool:
    """Drop PTB's traceback for a rejected token (webhook start-up logs one before raising):
    run_bot says it in one line instead."""
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def _serve(app: App, settings: Settings) -> None:
    """Polling journals each update before confirming it (bot.tg.polling); a webhook is served
    by PTB, which checks the secret token on every request."""
    updates = list(Update.ALL_TYPES)
    if settings.webhook_url:
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlparse(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get() or None,
            allowed_updates=updates,
        )
    else:
        polling.run_polling(app, updates, settings.backoff(polling.BACKOFF_SECONDS))
