"""Logging: the token is redacted from every line, tracebacks included; JSON lines parse."""

from __future__ import annotations

import json
import logging
import sys

from bot.logs import REDACTED, JsonFormatter, RedactingFormatter

TOKEN = "123456:ABC-secret"


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise RuntimeError(f"request to https://api.telegram.org/bot{TOKEN}/getMe failed")
        except RuntimeError:
            exc_info = sys.exc_info()
    rec = logging.LogRecord("test", logging.ERROR, __file__, 1, message, args, exc_info)
    rec.chat_id = 42
    return rec


def test_token_is_redacted_in_messages_arguments_and_tracebacks():
    formatter = RedactingFormatter(logging.Formatter("%(message)s"), [TOKEN])
    line = formatter.format(record("url %s", f"https://x/bot{TOKEN}/getUpdates", exc=True))
    assert TOKEN not in line
    assert line.count(REDACTED) == 2


def test_json_lines_carry_context_and_are_redacted():
    formatter = RedactingFormatter(JsonFormatter(), [TOKEN])
    entry = json.loads(formatter.format(record("failed for %s", TOKEN, exc=True)))
    assert entry["level"] == "ERROR" and entry["chat_id"] == 42
    assert entry["message"] == f"failed for {REDACTED}"
    assert "RuntimeError" in entry["exception"] and TOKEN not in entry["exception"]
