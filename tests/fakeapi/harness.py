"""Run the real bot (`imgbot run`) as a subprocess against a FakeBotApi.

Why a subprocess: it is the only way to test what production does — configuration from the
environment, start-up (getMe, deleteWebhook, setMyCommands), polling, SIGTERM shutdown, a kill -9
in the middle of a conversation, and the guarantee that the token never reaches a log line.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from .server import FakeBotApi

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Equivalent to the `imgbot` console script, but independent of whether the venv's entry point
#: was (re)installed: `python -c` with cwd=repo root imports the working-tree package.
RUN_COMMAND = [
    sys.executable,
    "-c",
    "import sys; from bot.cli import main; sys.exit(main())",
    "run",
]

#: Inherited variables that would change the bot's behaviour or route 127.0.0.1 through a proxy.
#: (PYTHONDONTWRITEBYTECODE is dropped for the whole test run: tests/conftest.py.)
_SCRUBBED_PREFIXES = ("TELEGRAM_", "IMGBOT_")
_SCRUBBED = {
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
}


class BotProcess:
    """One `imgbot run` process pointed at `fake`, with its own SQLite file under `workdir`.

    All output (stdout and stderr) goes to `workdir/bot.log`, so a test can read it with
    `output()` and assert that the token never appears.
    """

    def __init__(
        self,
        fake: FakeBotApi,
        workdir: Path,
        env: Mapping[str, str] | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.fake = fake
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db_path = self.workdir / "imgbot.sqlite3"
        self.log_path = self.workdir / "bot.log"
        self.command = command or list(RUN_COMMAND)
        self.env_overrides: dict[str, str] = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._start_mark = 0
        self._start_polls = 0
        self.starts = 0

    def environment(self) -> dict[str, str]:
        """The child's environment: a clean copy of ours plus the bot's settings."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in _SCRUBBED and not k.startswith(_SCRUBBED_PREFIXES)
        }
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": self.fake.token,
                "TELEGRAM_API_URL": self.fake.base_url,
                "IMGBOT_DB": str(self.db_path),
                "IMGBOT_REMINDER_INTERVAL": "1",
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env_overrides)
        return env

    def start(self, env_overrides: Mapping[str, str] | None = None) -> BotProcess:
        """Start the bot (not waiting for it); `env_overrides` add to those given before."""
        if self.running:
            raise RuntimeError("the bot is already running")
        self.env_overrides.update(env_overrides or {})
        self._start_mark = self.fake.mark()
        self._start_polls = self.fake.arrivals("getUpdates")
        self._log = self.log_path.open("ab")
        self._log.write(f"\n===== start #{self.starts + 1} =====\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO_ROOT,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def wait_ready(self, timeout: float = 20) -> BotProcess:
        """Wait until the bot polls (its first getUpdates after this start reached the fake)
        or serves its webhook.

        In webhook mode "ready" means setWebhook was called and the webhook port accepts
        connections. Fails early, with the bot's output, if the process exits.
        """
        deadline = time.monotonic() + timeout
        polled = self._start_polls + 1
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(
                    f"the bot exited with code {self.returncode} before it was ready\n"
                    f"--- output ---\n{self.output()}"
                )
            # Arrived, not answered: a long poll is answered when an update comes or after
            # the fake's max_poll_wait (1 s), and an update pushed now is answered at once.
            if self.fake.arrivals("getUpdates") >= polled:
                return self
            if self.fake.calls("setWebhook", since=self._start_mark) and self._webhook_listening():
                return self
            self.fake.wait_arrivals("getUpdates", polled, timeout=0.1)
        raise AssertionError(
            f"the bot was not ready within {timeout}s\n--- calls ---\n{self.fake.dump()}\n"
            f"--- output ---\n{self.output()}"
        )

    def wait_handled(self, timeout: float = 10) -> BotProcess:
        """Wait until every update fetched so far was handled to the end: the bot's update
        inbox (bot/tg/polling.py) is empty. Before a kill -9, this makes what a restart
        re-handles depend on the test, not on timing."""
        deadline = time.monotonic() + timeout
        while self._inbox_size():
            if time.monotonic() > deadline:
                raise AssertionError(f"updates still in flight after {timeout}s\n{self.output()}")
            time.sleep(0.02)
        return self

    def _inbox_size(self) -> int:
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5) as db:
            sql = "SELECT count(*) FROM update_inbox WHERE body IS NOT NULL"
            return int(db.execute(sql).fetchone()[0])

    def _webhook_listening(self) -> bool:
        url = self.fake.webhook.get("url")
        if not url:
            return False
        parts = urllib.parse.urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM, as Docker and systemd stop the bot; returns the exit code.

        Kills it if it does not exit within `timeout`, and then fails: a bot that ignores SIGTERM
        is a bug (Docker would SIGKILL it mid-write after 10 s).
        """
        process = self._require_process()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                self._close_log()
                raise AssertionError(
                    f"the bot ignored SIGTERM for {timeout}s\n{self.output()}"
                ) from None
        self._close_log()
        assert process.returncode is not None
        return process.returncode

    def kill9(self) -> int:
        """SIGKILL: a crash or power loss, with no chance to clean up. Returns the exit code."""
        process = self._require_process()
        if process.poll() is None:
            process.kill()
        process.wait()
        self._close_log()
        return process.returncode

    def restart(
        self,
        *,
        kill: bool = False,
        wait: bool = True,
        env_overrides: Mapping[str, str] | None = None,
    ) -> BotProcess:
        """Stop (SIGTERM, or SIGKILL with kill=True) and start again on the same database."""
        if self.running:
            if kill:
                self.kill9()
            else:
                self.terminate()
        self.start(env_overrides)
        return self.wait_ready() if wait else self

    def output(self) -> str:
        """Everything the bot printed so far (all starts), stdout and stderr interleaved."""
        if self._log is not None:
            self._log.flush()
        try:
            return self.log_path.read_text("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def assert_token_not_logged(self) -> None:
        """The contract: the token never appears in any log line (nor its secret part)."""
        text = self.output()
        token = self.fake.token
        secret = token.split(":", 1)[-1]
        assert token not in text and secret not in text, "the bot token appears in its output"

    def cleanup(self) -> None:
        """Kill the process if it still runs; used by fixtures at teardown."""
        if self.process is not None and self.process.poll() is None:
            self.kill9()
        self._close_log()

    def _require_process(self) -> subprocess.Popen[bytes]:
        if self.process is None:
            raise RuntimeError("the bot was never started")
        return self.process

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
