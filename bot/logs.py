"""Logging set-up: the token never reaches a log line, and JSON lines on request.

httpx logs every request URL at INFO, and the Bot API puts the token in the URL, so httpx is
kept at WARNING; the formatter also redacts the token from any line that might still carry it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

REDACTED = "<token>"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Format with `inner`, then replace every secret in the whole line, traceback included."""

    def __init__(self, inner: logging.Formatter, secrets: list[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("update_id", "chat_id", "user_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(secrets: list[str], json_lines: bool = False, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    inner = JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(RedactingFormatter(inner, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A sweep still running when the next is due is skipped by design; don't warn every time.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
