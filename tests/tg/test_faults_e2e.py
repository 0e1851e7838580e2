"""Bot API faults against the real process, where polling, start-up jobs or concurrency between
chats is the point: a second instance polling (409) and other getUpdates errors, a failing
setMyCommands, a send whose answer is lost, replies paced to Telegram's limits. (An update
python-telegram-bot cannot read is in test_crash_e2e.py, with the clean restart.)"""

from __future__ import annotations

import pytest
from fakeapi import FakeBotApi

pytestmark = pytest.mark.e2e

USER = 8201
SOAP = "Supplemental Offer"


def test_get_updates_errors_are_retried_nothing_is_lost_and_409_is_one_line(
    fake_api: FakeBotApi, bot
) -> None:
    # From the first poll on: a second instance polling (409, e.g. during a deploy), then one of
    # Telegram's bad moments (502), while a question waits to be fetched.
    conflict = (
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running"
    )
    fake_api.fail_next("getUpdates", 409, conflict, count=2)
    fake_api.fail_next("getUpdates", 502)
    proc = bot()
    fake_api.message(USER, "what is soap")
    fake_api.wait_for_message(USER, contains=SOAP, timeout=30)
    polls = fake_api.calls("getUpdates")
    assert [c.status for c in polls[:4]] == [409, 409, 502, 200]
    assert [u["message"]["text"] for u in polls[3].response] == ["what is soap"], "not lost"
    assert proc.running
    conflicts = [line for line in proc.output().splitlines() if "409 Conflict" in line]
    assert len(conflicts) == 2, proc.output()  # one line per refused call, no traceback
    assert "Traceback" not in proc.output()


def test_a_failed_set_my_commands_is_retried_and_the_bot_serves(fake_api: FakeBotApi, bot) -> None:
    fake_api.fail_next("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID")
    proc = bot()
    assert fake_api.ask(USER, "what is soap", SOAP)
    # Several scoped menus are set; wait until the default one (what most users see) is there.
    fake_api.wait_for(
        lambda c: c.method == "setMyCommands" and c.ok and bool(fake_api.commands()), timeout=20
    )
    names = {c["command"] for c in fake_api.commands()}
    expected = {"start", "help", "ask", "next", "profile", "progress", "topics", "deadlines"}
    assert expected | {"calendar", "remind", "export", "forget"} <= names, "the whole menu"
    assert "setMyCommands failed" in proc.output()
    assert proc.running


def test_a_hung_send_holds_back_nobody_and_is_not_sent_three_times(
    fake_api: FakeBotApi, bot
) -> None:
    # Batches of 10 updates (Telegram returns up to 100, or fewer): 15 questions behind the
    # stuck one reach past the first batch, as 105 would with batches of 100, at a sixth of the
    # sends. A held answer times out after 1 s (production: 5 s).
    fake_api.max_batch = 10
    bot(IMGBOT_REQUEST_TIMEOUT="1")
    fake_api.hang("sendMessage", chat_id=USER)
    since = fake_api.mark()
    fake_api.message(USER, "what is soap")
    fake_api.wait_held(1)
    others = range(9001, 9016)
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
    # Six replies to one person within a second or so (the welcome is two messages)...
    for text in ("/start", "what is soap", "how many attempts for step 1", "/help", "/topics"):
        fake_api.message(USER, text)
    # ...while 90 people ask at once: over two seconds of sends at the overall limit after its
    # first burst (the bot's 28/s against Telegram's 30/s).
    crowd = range(9201, 9291)
    for chat in crowd:
        fake_api.message(chat, "what is soap")
    fake_api.wait_for_message(USER, contains="The road to a US residency", since=since, timeout=30)
    fake_api.wait_for_messages(crowd, SOAP, since=since, timeout=60)
    assert fake_api.count_429 == 0, f"{fake_api.count_429} replies drew 429 Too Many Requests"
