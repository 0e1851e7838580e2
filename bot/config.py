"""Typed settings from the environment (the contract in the README and .env.example).

The token is kept in a `Secret` so that it never shows up in a repr, a traceback or a log line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB = "./data/imgbot.sqlite3"
DEFAULT_REMINDER_INTERVAL = 300
# python-telegram-bot's own read timeout: how long a Bot API call may take to answer before it
# counts as timed out (and a send is retried once, bot.tg.delivery).
DEFAULT_REQUEST_TIMEOUT = 5.0


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


class Secret:
    """A string that does not print itself."""

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    token: Secret = field(default_factory=lambda: Secret(""))
    api_url: str = DEFAULT_API_URL
    db_path: str = DEFAULT_DB
    knowledge_dir: Path | None = None
    admins: frozenset[int] = frozenset()
    reminder_interval: float = DEFAULT_REMINDER_INTERVAL
    webhook_url: str | None = None
    webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8080
    log_json: bool = False
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    # Multiplies every wait before a retry (sends, getUpdates, the command menu). 1 in
    # production; the end-to-end tests use 0.1, so a retry they wait for takes 0.1-0.3 s, not 1-3 s.
    backoff_scale: float = 1.0

    def backoff(self, delays: tuple[float, ...]) -> tuple[float, ...]:
        """A module's retry delays, scaled by `backoff_scale`."""
        return tuple(delay * self.backoff_scale for delay in delays)


def _int_list(name: str, raw: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError(
            f"{name} must be comma-separated Telegram user ids, got {raw!r}"
        ) from None


def _number(name: str, raw: str, kind: type[int] | type[float]) -> int | float:
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {raw!r}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every IMGBOT_* / TELEGRAM_* variable; raise ConfigError naming a bad one."""
    env = os.environ if env is None else env
    knowledge = env.get("IMGBOT_KNOWLEDGE_DIR")
    return Settings(
        token=Secret(env.get("TELEGRAM_BOT_TOKEN", "").strip()),
        api_url=env.get("TELEGRAM_API_URL") or DEFAULT_API_URL,
        db_path=env.get("IMGBOT_DB") or DEFAULT_DB,
        knowledge_dir=Path(knowledge) if knowledge else None,
        admins=_int_list("IMGBOT_ADMINS", env.get("IMGBOT_ADMINS", "")),
        reminder_interval=_number(
            "IMGBOT_REMINDER_INTERVAL",
            env.get("IMGBOT_REMINDER_INTERVAL") or str(DEFAULT_REMINDER_INTERVAL),
            float,
        ),
        webhook_url=env.get("IMGBOT_WEBHOOK_URL") or None,
        webhook_secret=Secret(env.get("IMGBOT_WEBHOOK_SECRET", "")),
        webhook_listen=env.get("IMGBOT_WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=int(
            _number("IMGBOT_WEBHOOK_PORT", env.get("IMGBOT_WEBHOOK_PORT") or "8080", int)
        ),
        log_json=env.get("IMGBOT_LOG_JSON", "") in ("1", "true", "yes"),
        request_timeout=_number(
            "IMGBOT_REQUEST_TIMEOUT",
            env.get("IMGBOT_REQUEST_TIMEOUT") or str(DEFAULT_REQUEST_TIMEOUT),
            float,
        ),
        backoff_scale=_number(
            "IMGBOT_BACKOFF_SCALE", env.get("IMGBOT_BACKOFF_SCALE") or "1", float
        ),
    )
