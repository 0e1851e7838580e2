"""A crash loses no question: updates are confirmed to Telegram only after they were handled."""

from __future__ import annotations

from fakeapi import FakeBotApi

USER = 8101


def test_a_question_in_flight_at_kill_9_is_answered_after_the_restart(fake_api: FakeBotApi, bot):
    proc = bot()
    fake_api.say(USER, "/start")
    # Every send fails for a while (the bot retries with backoff): the update is in flight.
    fake_api.fail_next("sendMessage", 502, count=20, chat_id=USER)
    since = fake_api.mark()
    fake_api.message(USER, "what is soap")
    fake_api.wait_for(lambda c: c.method == "sendMessage" and c.status == 502, since=since)
    proc.kill9()
    assert not fake_api.sent_messages(USER, since=since), "nothing reached the user before the kill"

    fake_api.clear_faults()
    proc.restart()
    answer = fake_api.wait_for_message(USER, contains="Supplemental Offer", since=since, timeout=20)
    assert answer["chat_id"] == USER


def test_get_updates_errors_are_retried_and_nothing_is_lost(fake_api: FakeBotApi, bot):
    bot()
    fake_api.fail_next("getUpdates", 502, count=2)
    replies = fake_api.say(USER, "what is soap")
    assert any("Supplemental Offer" in r["text"] for r in replies)


def test_a_clean_restart_answers_nothing_twice(fake_api: FakeBotApi, bot):
    proc = bot()
    since = fake_api.mark()
    fake_api.say(USER, "what is soap")
    assert proc.terminate() == 0
    proc.restart()
    fake_api.say(USER, "how many attempts for step 1")
    soap = [m for m in fake_api.sent_messages(USER, since=since) if "Supplemental" in m["text"]]
    assert len(soap) == 1, "the update handled before SIGTERM was confirmed to Telegram"
