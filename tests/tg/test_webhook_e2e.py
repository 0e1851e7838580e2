"""Webhook mode, end to end: the real `imgbot run` registers its webhook with the fake Bot API and
serves updates on its own port; only requests carrying the secret token are accepted."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from fakeapi import BotProcess, FakeBotApi

pytestmark = pytest.mark.e2e

SECRET = "s3cret-Webhook_token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_webhook_mode_with_secret(fake_api: FakeBotApi, bot: Callable[..., BotProcess]) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    process = bot(
        IMGBOT_WEBHOOK_URL=url,
        IMGBOT_WEBHOOK_SECRET=SECRET,
        IMGBOT_WEBHOOK_LISTEN="127.0.0.1",
        IMGBOT_WEBHOOK_PORT=str(port),
    )
    assert fake_api.webhook["url"] == url
    assert fake_api.webhook["secret_token"] == SECRET
    assert fake_api.calls("getUpdates") == [], "webhook mode does not poll"

    # Telegram's delivery (the fake's worker sends the secret header).
    since = fake_api.mark()
    update = fake_api.message(42, "/start")
    assert fake_api.wait_for_delivery(update) == 200
    assert "Hello" in fake_api.wait_for_message(42, since=since)["text"]

    # A direct POST with the right secret is answered too.
    since = fake_api.mark()
    status, _ = fake_api.post_webhook(fake_api.message(43, "/help", push=False))
    assert status == 200
    assert "How to use me" in fake_api.wait_for_message(43, since=since)["text"]

    # Without the header, or with a wrong secret: 403 and nothing happens.
    since = fake_api.mark()
    for secret in ("", "wrong-secret"):
        status, _ = fake_api.post_webhook(fake_api.message(44, "/start", push=False), secret)
        assert status == 403
    status, _ = fake_api.post_webhook(fake_api.message(44, "/help", push=False), "")
    assert status == 403
    assert fake_api.sent_messages(44, since=since) == []
    # Elsewhere on the server: not found, not served.
    status, _ = fake_api.post_webhook(
        fake_api.message(44, "/start", push=False), url=f"http://127.0.0.1:{port}/other"
    )
    assert status in (403, 404)

    assert process.terminate() == 0
    process.assert_token_not_logged()
    assert SECRET not in process.output(), "the webhook secret appears in the bot's output"
