"""Settings from the environment; the token never prints."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import DEFAULT_API_URL, ConfigError, load_settings

TOKEN = "123456:ABC-secret-token"


def test_defaults():
    s = load_settings({})
    assert not s.token
    assert s.api_url == DEFAULT_API_URL
    assert s.db_path == "./data/imgbot.sqlite3"
    assert s.reminder_interval == 300
    assert s.webhook_url is None and s.webhook_port == 8080 and s.webhook_listen == "0.0.0.0"
    assert s.request_timeout == 5 and s.backoff((0.5, 1, 2)) == (0.5, 1, 2)


def test_values_and_token_hidden():
    s = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
            "IMGBOT_ADMINS": "1, 2,3",
            "IMGBOT_REMINDER_INTERVAL": "2.5",
            "IMGBOT_WEBHOOK_URL": "https://example.org/hook",
            "IMGBOT_WEBHOOK_SECRET": "s3cret",
            "IMGBOT_REQUEST_TIMEOUT": "12",
            "IMGBOT_BACKOFF_SCALE": "0.1",
        }
    )
    assert s.request_timeout == 12
    assert s.backoff((1, 2, 5)) == pytest.approx((0.1, 0.2, 0.5))
    assert s.token.get() == TOKEN
    assert s.admins == frozenset({1, 2, 3})
    assert s.reminder_interval == 2.5
    assert TOKEN not in repr(s) and "s3cret" not in repr(s) and TOKEN not in str(s.token)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("IMGBOT_ADMINS", "alice"),
        ("IMGBOT_REMINDER_INTERVAL", "often"),
        ("IMGBOT_WEBHOOK_PORT", "-1"),
        ("IMGBOT_REQUEST_TIMEOUT", "0"),
        ("IMGBOT_BACKOFF_SCALE", "fast"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("3", "3")])
def test_importing_the_bot_keeps_numpy_to_one_blas_thread_unless_told(
    given: str | None, expected: str
) -> None:
    # The setting only works if it is in the environment before numpy loads OpenBLAS: check it
    # where it matters, in a fresh process that imports the bot first, then numpy.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    probe = "import bot, numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == expected
