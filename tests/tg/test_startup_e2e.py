"""Start-up faults, end to end: a rejected token stops the real process with one line that says
what is wrong, a non-zero exit code and no traceback (nor the token: the process's whole output
is searched for it). An unusable database or data directory stops start-up before Telegram is
contacted: tests/cli/test_cli.py runs those in process."""

from __future__ import annotations

import socket

import pytest
from fakeapi import BotProcess, FakeBotApi

pytestmark = pytest.mark.e2e

EXIT_TIMEOUT = 30  # seconds for the process to give up; it exits as soon as it knows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exit_code(proc: BotProcess) -> int:
    """Wait for the process to end by itself (it must not need a signal)."""
    assert proc.process is not None
    return proc.process.wait(EXIT_TIMEOUT)


def printed_lines(proc: BotProcess) -> list[str]:
    return [line for line in proc.output().splitlines() if line and not line.startswith("=====")]


def webhook_env() -> dict[str, str]:
    port = free_port()
    return {
        "IMGBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "IMGBOT_WEBHOOK_LISTEN": "127.0.0.1",
        "IMGBOT_WEBHOOK_PORT": str(port),
    }


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_a_revoked_token_exits_with_one_line_and_never_prints_the_token(
    fake_api: FakeBotApi, bot, mode: str
) -> None:
    fake_api.fail_next("getMe", 401, count=10)
    proc = bot(wait=False, **(webhook_env() if mode == "webhook" else {}))
    assert exit_code(proc) != 0
    proc.assert_token_not_logged()
    lines = printed_lines(proc)
    assert any("the token was rejected by Telegram" in line for line in lines), lines
    assert not any("Traceback" in line for line in lines), proc.output()
    assert fake_api.calls("getUpdates") == [] and fake_api.calls("setWebhook") == []


def test_a_token_revoked_while_running_also_ends_with_one_line(fake_api: FakeBotApi, bot) -> None:
    # Accepted at start-up (getMe), refused from the first poll on.
    fake_api.fail_next("getUpdates", 401, count=10)
    proc = bot(wait=False)
    assert exit_code(proc) != 0
    assert [c.status for c in fake_api.calls("getMe")] == [200]
    assert [c.status for c in fake_api.calls("getUpdates")] == [401]
    proc.assert_token_not_logged()
    assert "error: the token was rejected by Telegram" in proc.output()
    assert "Traceback" not in proc.output()
