"""What the adapter tests share, in one place: reading what the bot showed (from the fake Bot
API's record), reading its SQLite file, and knowledge copies (one with deadlines due now)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from fakeapi import FakeBotApi
from fakeapi.harness import REPO_ROOT

JSON = dict[str, Any]
SOON_TITLE = "Test Match Day (two hours ahead)"
LATER_TITLE = "Test SOAP week (forty days ahead)"
SOON_SOURCE = "https://www.nrmp.org/match-calendars/"
LATER_SOURCE = "https://www.nrmp.org/intro-to-the-match/soap/"


def copy_knowledge(directory: Path, *, entries: bool = True) -> Path:
    """Copy knowledge/ to `directory`; without its entries when `entries` is false.

    A bot process whose test is about the process (signals, crashes, polling) serves the topics
    alone: their titles, answers and the path are all it shows there, and without the ~360
    entries each start loads and indexes the knowledge in 0.1 s of CPU instead of 0.85 s
    (27 starts in tests/tg). The entries are what the in-process and CLI tests answer from.
    """
    ignore = None if entries else shutil.ignore_patterns("entries")
    shutil.copytree(REPO_ROOT / "knowledge", directory, ignore=ignore)
    return directory


def make_knowledge(directory: Path, *, entries: bool = True) -> int:
    """Copy knowledge/ to `directory` with the test events; returns their Match cycle.

    The two events are of a kind the planner knows nothing about (no `audience`: everyone in the
    cycle), so which Match a person plans for follows the organisers' rules, not these test
    dates, and the tests do not depend on the time of day they run at.
    """
    copy_knowledge(directory, entries=entries)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    later = soon + timedelta(days=40)
    cycle = soon.year + 1  # valid for events in cycle - 1 and cycle
    path = directory / "deadlines.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    events = [e for e in data["deadlines"] if e["cycle"] != cycle]
    events += [
        {
            "id": f"{cycle}-test-soon",
            "title": SOON_TITLE,
            "cycle": cycle,
            "date": soon.isoformat(),
            "topic": "nrmp-match",
            "status": "confirmed",
            "source": SOON_SOURCE,
        },
        {
            "id": f"{cycle}-test-later",
            "title": LATER_TITLE,
            "cycle": cycle,
            "date": later.isoformat(),
            "topic": "nrmp-match",
            "status": "estimated",
            "source": LATER_SOURCE,
        },
    ]
    path.write_text(yaml.safe_dump({"deadlines": events}, sort_keys=False), "utf-8")
    return cycle


# -- reading what the bot showed ---------------------------------------------------------------


def text_of(messages: list[JSON]) -> str:
    return "\n".join(m["text"] for m in messages)


def labels(message: JSON) -> list[str]:
    return [b["text"] for b in FakeBotApi.buttons(message)]


def urls(message: JSON) -> list[str]:
    return [b["url"] for b in FakeBotApi.buttons(message) if "url" in b]


def datas(message: JSON) -> list[str]:
    return [b["callback_data"] for b in FakeBotApi.buttons(message) if "callback_data" in b]


def with_buttons(messages: list[JSON]) -> JSON:
    """The message carrying the keyboard (the last part of a split answer)."""
    found = [m for m in messages if m.get("reply_markup")]
    assert found, f"no message with buttons in {messages}"
    return found[-1]


def quoted_id(sent: JSON) -> int | None:
    """The message a group reply quotes."""
    params = sent["params"].get("reply_parameters") or {}
    return params.get("message_id")


def db_rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return conn.execute(sql, params).fetchall()


def reminders_to(api: FakeBotApi, user: int, title: str = SOON_TITLE) -> list[JSON]:
    return [m for m in api.sent_messages(user) if f"Reminder: {title}" in m["text"]]


def wait_sweeps(db_path: Path, count: int = 3, timeout: float = 15) -> None:
    """Wait until `count` more reminder sweeps of a bot process started: each touches
    `<db>.heartbeat`, the event a test waits on instead of guessing with sleeps."""
    heartbeat = Path(f"{db_path}.heartbeat")

    def stamp() -> int:
        return heartbeat.stat().st_mtime_ns if heartbeat.exists() else 0

    seen, last = 0, stamp()
    deadline = time.monotonic() + timeout
    while seen < count:
        assert time.monotonic() < deadline, f"only {seen} of {count} sweeps ran within {timeout}s"
        now = stamp()
        if now != last:
            seen, last = seen + 1, now
        time.sleep(0.02)
