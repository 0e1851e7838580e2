"""Bot API faults against the real process, where polling, start-up jobs or concurrency between
chats is the point: a second instance polling (409), an update python-telegram-bot cannot read,
a failing setMyCommands, a send whose answer is lost, replies paced to Telegram's limits."""

from __future__ import annotations

import pytest
from fakeapi import FakeBotApi

pytestmark = pytest.mark.e2e

USER = 8201
SOAP = "Supplemental Offer"


def test_409_conflict_is_one_line_then_polling_goes_on(fake_api: FakeBotApi, bot) -> None:
    proc = bot()
    since = fake_api.mark()
    fake_api.fail_next(
        "getUpdates",
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running",
        count=2,
    )
    fake_api.wait_for(lambda c: c.method == "getUpdates" and c.status == 409, since=since)
    fake_api.message(USER, "what is soap")
    fake_api.wait_for_message(USER, contains=SOAP, since=since, timeout=30)
    assert proc.running
    conflicts = [line for line in proc.output().splitlines() if "409 Conflict" in line]
    assert len(conflicts) == 2, proc.output()  # one line per refused call, no traceback
    assert "Traceback" not in proc.output()


def unreadable_callback(fake_api: FakeBotApi) -> dict:
    """A callback query without `chat_instance` (as a third-party Bot API emulator sent one):
    python-telegram-bot refuses to build it."""
    return fake_api.push_update(
        {
            "callback_query": {
                "id": "4242",
                "from": {"id": USER, "is_bot": False, "first_name": "Ana"},
                "data": "t:soap",
            }
        }
    )


def test_an_unreadable_update_is_logged_confirmed_and_skipped(fake_api: FakeBotApi, bot) -> None:
    proc = bot()
    since = fake_api.mark()
    bad = unreadable_callback(fake_api)
    fake_api.message(USER, "what is soap")
    fake_api.wait_for_message(USER, contains=SOAP, since=since, timeout=20)
    assert f"update {bad['update_id']} cannot be read" in proc.output()

    assert proc.terminate() == 0
    since = fake_api.mark()
    proc.restart()
    fake_api.message(USER, "what is soap")
    fake_api.wait_for_message(USER, contains=SOAP, since=since, timeout=20)
    polls = fake_api.calls("getUpdates", since=since)
    returned = [u["update_id"] for c in polls if c.ok for u in c.response]
    assert bad["update_id"] not in returned, "the bad update was not confirmed to Telegram"
    assert proc.output().count("cannot be read") == 1, "the bad update came back after restart"


def test_a_failed_set_my_commands_is_retried_and_the_bot_serves(fake_api: FakeBotApi, bot) -> None:
    fake_api.fail_next("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID")
    proc = bot()
    assert fake_api.ask(USER, "what is soap", SOAP)
    fake_api.wait_for(lambda c: c.method == "setMyCommands" and c.ok, timeout=20)
    assert fake_api.commands(), "the menu was set on the second attempt"
    assert "setMyCommands failed" in proc.output()
    assert proc.running


def test_a_hung_send_holds_back_nobody_and_is_not_sent_three_times(
    fake_api: FakeBotApi, bot
) -> None:
    bot()
    fake_api.hang("sendMessage", chat_id=USER)
    since = fake_api.mark()
    fake_api.message(USER, "what is soap")
    fake_api.wait_held(1)
    # More than one getUpdates batch (100) behind the stuck update.
    others = range(9001, 9106)
    for chat in others:
        fake_api.message(chat, "what is soap")
    answered = [
        fake_api.wait_for_message(c, contains=SOAP, since=since, timeout=40) for c in others
    ]
    # The bot gives up on the hung answer and tries to apologise: the third held call.
    fake_api.wait_held(3, timeout=60)
    gave_up = fake_api.holds[2]
    late = [m for m in answered if m["index"] > gave_up]
    assert not late, f"{len(late)} answers waited for the hung chat"

    held = len(fake_api.holds)
    fake_api.release()
    done = since
    for _ in range(held):  # every held call is carried out now, as a stalled server would
        done = fake_api.wait_for(
            lambda c: c.method == "sendMessage" and c.params.get("chat_id") == USER and c.ok,
            since=done,
        ).index
    copies = [m for m in fake_api.sent_messages(USER, since=since) if SOAP in m["text"]]
    assert len(copies) <= 2, f"the answer was sent {len(copies)} times"


# -- flood limits and supergroup upgrades ---------------------------------------------------------


def test_replies_are_paced_per_chat_and_draw_no_429(fake_api: FakeBotApi, bot) -> None:
    fake_api.enforce_limits()  # Telegram's: 30/s overall, 1/s per chat (bursts of 3), 20/min/group
    bot()
    since = fake_api.mark()
    # Six replies to one person within a second or so (the welcome is two messages).
    for text in ("/start", "what is soap", "how many attempts for step 1", "/help", "/topics"):
        fake_api.message(USER, text)
    fake_api.wait_for_message(USER, contains="The road to a US residency", since=since, timeout=30)
    assert fake_api.count_429 == 0, f"{fake_api.count_429} replies drew 429 Too Many Requests"

    crowd = range(9201, 9351)  # then 150 people asking at once
    for chat in crowd:
        fake_api.message(chat, "what is soap")
    for chat in crowd:
        fake_api.wait_for_message(chat, contains=SOAP, since=since, timeout=60)
    assert fake_api.count_429 == 0, f"{fake_api.count_429} answers drew 429 Too Many Requests"
