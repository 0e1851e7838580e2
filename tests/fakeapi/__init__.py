"""A local fake Telegram Bot API server and a harness that runs the real bot against it.

End-to-end tests start `imgbot run` as a subprocess whose `TELEGRAM_API_URL` points here, so the
whole stack (python-telegram-bot, httpx, our adapter, SQLite) runs for real while nothing ever
reaches the internet. See `server.FakeBotApi` and `harness.BotProcess`.
"""

from .harness import BotProcess
from .server import BOT_ID, BOT_USERNAME, DEFAULT_TOKEN, Call, FakeBotApi, UploadedFile

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "BotProcess",
    "Call",
    "FakeBotApi",
    "UploadedFile",
]
