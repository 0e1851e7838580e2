"""Fixtures for end-to-end tests: the real bot process against a local fake Bot API server.

def test_start(fake_api, bot):
    bot()                                   # starts `imgbot run`, waits until it polls
    fake_api.message(42, "/start")
    assert "Welcome" in fake_api.wait_for_message(42)["text"]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# tests/ has no __init__.py, so pytest imports tests/fakeapi as the top-level package `fakeapi`
# (its rootdir-relative "basedir" is tests/). Putting tests/ on the path makes this conftest import
# the very same module, whether or not tests/fakeapi was collected first.
_TESTS_DIR = str(Path(__file__).resolve().parents[1])
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from fakeapi import BotProcess, FakeBotApi  # noqa: E402

StartBot = Callable[..., BotProcess]


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """A fresh fake Bot API server on a free 127.0.0.1 port, stopped after the test."""
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def bot(fake_api: FakeBotApi, tmp_path: Path) -> Iterator[StartBot]:
    """Factory: `bot(wait=True, **env)` starts `imgbot run` against `fake_api` and returns it.

    Each call gets its own directory (SQLite file, log) under tmp_path; env keyword arguments
    (e.g. IMGBOT_ADMINS="7") override the defaults. Every process still running at teardown is
    killed; its output is printed so a failing test shows what the bot said.
    """
    started: list[BotProcess] = []

    def start(wait: bool = True, **env: str) -> BotProcess:
        process = BotProcess(fake_api, tmp_path / f"bot{len(started)}", env)
        started.append(process)
        process.start()
        return process.wait_ready() if wait else process

    yield start

    for process in started:
        process.cleanup()
        print(f"--- {process.log_path} ---\n{process.output()}")
