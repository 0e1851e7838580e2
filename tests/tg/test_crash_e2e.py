"""A crash loses nothing: updates are confirmed to Telegram only after they were handled, and a
dialog's place and its buttons survive a kill -9; a clean restart repeats nothing. Real
processes: the crash is the point. (getUpdates errors: test_faults_e2e.py.)"""

from __future__ import annotations

import pytest
from fakeapi import FakeBotApi

pytestmark = pytest.mark.e2e

USER = 8101
SOAP = "Supplemental Offer"


def test_a_question_in_flight_at_kill_9_is_answered_after_the_restart(fake_api: FakeBotApi, bot):
    # The production back-off (0.5 + 1 + 2 s between attempts) keeps the update in flight until
    # the kill, which comes right after the first failed send.
    proc = bot(IMGBOT_BACKOFF_SCALE="1")
    fake_api.ask(USER, "/start", "What I store")
    # Every send fails for a while (the bot retries with backoff): the update is in flight.
    fake_api.fail_next("sendMessage", 502, count=20, chat_id=USER)
    since = fake_api.mark()
    fake_api.message(USER, "what is soap")
    fake_api.wait_for(lambda c: c.method == "sendMessage" and c.status == 502, since=since)
    proc.kill9()
    assert not fake_api.sent_messages(USER, since=since), "nothing reached the user before the kill"

    fake_api.clear_faults()
    proc.restart()
    answer = fake_api.wait_for_message(USER, contains=SOAP, since=since, timeout=20)
    assert answer["chat_id"] == USER


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


def test_a_clean_restart_answers_nothing_twice_and_an_unreadable_update_is_skipped(
    fake_api: FakeBotApi, bot
):
    proc = bot()
    since = fake_api.mark()
    bad = unreadable_callback(fake_api)
    fake_api.ask(USER, "what is soap", SOAP)
    assert f"update {bad['update_id']} cannot be read" in proc.output(), "logged with its id"
    assert proc.terminate() == 0
    restarted = fake_api.mark()
    proc.restart()
    # Updates of one chat are handled in order: once the second answer is out, a repeated
    # first one would have been sent before it.
    fake_api.ask(USER, "how many attempts for step 1")
    soap = [m for m in fake_api.sent_messages(USER, since=since) if "Supplemental" in m["text"]]
    assert len(soap) == 1, "the update handled before SIGTERM was confirmed to Telegram"
    polls = fake_api.calls("getUpdates", since=restarted)
    returned = [u["update_id"] for c in polls if c.ok for u in c.response]
    assert bad["update_id"] not in returned, "the bad update was not confirmed to Telegram"
    assert proc.output().count("cannot be read") == 1, "the bad update came back after restart"


def dialog_question(fake: FakeBotApi, user: int, since: int) -> dict:
    """The next dialog question shown to `user` after `since` (a message with answer buttons)."""
    call = fake.wait_for(
        lambda c: c.ok and c.params.get("chat_id") == user and "|p|" in str(c.params),
        since=since,
    )
    sent = fake.sent_messages(user, since=call.index - 1)[0]
    assert FakeBotApi.buttons(sent), sent
    return sent


def test_kill9_mid_dialog_then_next_continues_and_old_buttons_work(fake_api: FakeBotApi, bot):
    user = 4242
    process = bot()
    since = fake_api.mark()
    fake_api.message(user, "/next")
    first = dialog_question(fake_api, user, since)
    option = next(b["text"] for b in FakeBotApi.buttons(first) if "|p|" in b["callback_data"])
    since = fake_api.mark()
    fake_api.press_button(user, option, message_id=first["message_id"])
    second = dialog_question(fake_api, user, since)
    waiting_on = second["text"].split("\n")[0]

    process.wait_handled().restart(kill=True)

    since = fake_api.mark()
    fake_api.message(user, "/next")
    again = dialog_question(fake_api, user, since)
    assert again["text"].split("\n")[0] == waiting_on, "the dialog lost its place"
    # A button from before the crash still answers its question.
    old = next(b["text"] for b in FakeBotApi.buttons(second) if "|p|" in b["callback_data"])
    since = fake_api.mark()
    update = fake_api.press_button(user, old, message_id=second["message_id"])
    notice = fake_api.wait_for_callback_answer(update, since=since).params.get("text")
    assert notice and "Saved" in notice
    shown = fake_api.wait_for_message(user, since=since)
    assert shown["text"].split("\n")[0] != waiting_on

    assert process.terminate() == 0, "SIGTERM is a clean shutdown"
    process.assert_token_not_logged()
