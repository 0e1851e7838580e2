"""Suite-wide settings."""

import os

# python-telegram-bot warns on every RetryAfter unless this opt-in is set; tests treat
# warnings as errors (pyproject), and the bot sets the same in bot/tg/__init__.py.
os.environ.setdefault("PTB_TIMEDELTA", "true")
