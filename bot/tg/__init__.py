"""The python-telegram-bot adapter."""

import os

# Opt in to PTB's future behaviour (time periods as timedelta) now, instead of a deprecation
# warning every time a 429 arrives; the code handles both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")
