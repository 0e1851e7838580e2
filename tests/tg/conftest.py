"""Fixtures for adapter tests: the fake Bot API server, the real bot process (e2e) against it,
and a clock the test controls.

def test_start(fake_api, bot):
    bot()                                   # starts `imgbot run`, waits until it polls
    fake_api.message(42, "/start")
    assert "Welcome" in fake_api.wait_for_message(42)["text"]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

# tests/ has no __init__.py, so pytest imports tests/fakeapi as the top-level package `fakeapi`
# (its rootdir-relative "basedir" is tests/). Putting tests/ on the path makes this conftest import
# the very same module, whether or not tests/fakeapi was collected first.
_TESTS_DIR = str(Path(__file__).resolve().parents[1])
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from fakeapi import BotProcess, FakeBotApi  # noqa: E402
from helpers import copy_knowledge  # noqa: E402

from bot.tg import updates  # noqa: E402

StartBot = Callable[..., BotProcess]


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """A fresh fake Bot API server on a free 127.0.0.1 port, stopped after the test."""
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="session")
def process_knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """knowledge/ without its entries, for bot processes (helpers.copy_knowledge says why)."""
    return copy_knowledge(tmp_path_factory.mktemp("process") / "knowledge", entries=False)


@pytest.fixture
def bot(fake_api: FakeBotApi, tmp_path: Path, process_knowledge: Path) -> Iterator[StartBot]:
    """Factory: `bot(wait=True, **env)` starts `imgbot run` against `fake_api` and returns it.

    Each call gets its own directory (SQLite file, log) under tmp_path; env keyword arguments
    (e.g. IMGBOT_ADMINS="7") override the defaults. Every process still running at teardown is
    killed; its output is printed so a failing test shows what the bot said.
    """
    started: list[BotProcess] = []

    def start(wait: bool = True, **env: str) -> BotProcess:
        # These tests are about the process (signals, crashes, polling, start-up), not about
        # matching, which the in-process tests cover with the sentence model and every entry.
        # Without them a bot starts in ~1 s instead of loading 90 MB of weights (and their
        # vectors) and indexing ~360 entries every time. What a test waits for comes round
        # quickly: a reminder sweep every 0.25 s (where a test counts sweeps), retries after a
        # tenth of the production back-off (0.05-0.2 s for a send, from 0.1 s for getUpdates).
        # (The benchmarks start BotProcess with production timings.)
        env = {
            "IMGBOT_SEMANTIC": "0",
            "IMGBOT_KNOWLEDGE_DIR": str(process_knowledge),
            "IMGBOT_REMINDER_INTERVAL": "0.25",
            "IMGBOT_BACKOFF_SCALE": "0.1",
            **env,
        }
        process = BotProcess(fake_api, tmp_path / f"bot{len(started)}", env)
        started.append(process)
        process.start()
        return process.wait_ready() if wait else process

    yield start

    for process in started:
        process.cleanup()
        print(f"--- {process.log_path} ---\n{process.output()}")


class Clock:
    """The adapter's clock for arrival times (bot.tg.updates), standing still until advanced."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The flood guard judges updates by this clock: its counts do not depend on the machine's
    speed, and a test waits for a bucket to refill by advancing it, not by sleeping."""
    frozen = Clock()
    monkeypatch.setattr(updates, "time", SimpleNamespace(monotonic=frozen.monotonic))
    return frozen
