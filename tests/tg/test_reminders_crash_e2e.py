"""Reminders and broadcasts survive a crash or a shutdown in the middle of a delivery: real
`imgbot run` processes (the kill -9 and the SIGTERM are the point), sweeping four times a second
(tests/tg/conftest.py). Waits are on events: a send the fake holds, an outbox row, a sweep's
heartbeat; never on a quiet period."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fakeapi import BotProcess, FakeBotApi
from helpers import SOON_TITLE, db_rows, make_knowledge, reminders_to, wait_sweeps, with_buttons

from bot.tg import notifier

pytestmark = pytest.mark.e2e

ADMIN = 7
# A send whose answer the fake holds counts as timed out after this long (production: 5 s);
# the tests that wait for timeouts wait half a second per attempt instead of 5.
REQUEST_TIMEOUT = "0.5"
_users = itertools.count(61_001)


def new_user() -> int:
    return next(_users)


class Live:
    def __init__(self, api: FakeBotApi, process: BotProcess, cycle: int) -> None:
        self.api, self.process, self.cycle, self.db = api, process, cycle, process.db_path

    def subscribe(self, user: int) -> None:
        """Target the test cycle and open the reminder settings (turned on by press_turn_on)."""
        self.api.ask(user, f"/profile set target_match_year {self.cycle}", "Saved")
        self.api.ask(user, "/remind")

    def press_turn_on(self, user: int) -> None:
        self.press(user, "Turn on", "Saved")

    def press(self, user: int, label: str, notice: str, **where: int) -> None:
        since = self.api.mark()
        update = self.api.press_button(user, label, **where)
        answer = self.api.wait_for_callback_answer(update, since=since)
        assert notice in answer.params.get("text", ""), answer.short()

    def broadcast_preview(self, body: str) -> dict:
        since = self.api.mark()
        self.api.message(ADMIN, f"/broadcast {body}")
        self.api.wait_for_message(ADMIN, "Preview", since=since)
        return with_buttons(self.api.sent_messages(ADMIN, since=since))

    def greet(self, users: list[int]) -> None:
        """Make `users` known to the bot (broadcast recipients): a greeting draws one reply,
        where /start draws two (welcome and privacy note), at the bot's 28 messages/s."""
        since = self.api.mark()
        for user in users:
            self.api.message(user, "hi")
        self.api.wait_for_messages(users, "Hello", since=since)

    def wait_rows(self, sql: str, *params: object, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not db_rows(self.db, sql, params):
            assert time.monotonic() < deadline, f"no row for {sql}"
            time.sleep(0.02)


OwnBot = Callable[..., Live]


@pytest.fixture
def own_bot(tmp_path: Path, bot: Callable[..., BotProcess], fake_api: FakeBotApi) -> OwnBot:
    """Factory: a bot of the test's own on a fresh knowledge copy (its 1-day reminder is due);
    keyword arguments add to its environment."""

    def start(**env: str) -> Live:
        knowledge = tmp_path / "knowledge"
        cycle = make_knowledge(knowledge, entries=False)
        process = bot(IMGBOT_KNOWLEDGE_DIR=str(knowledge), IMGBOT_ADMINS=str(ADMIN), **env)
        return Live(fake_api, process, cycle)

    return start


def delivered(api: FakeBotApi, body: str, since: int) -> Callable[[int], int]:
    def count(chat: int) -> int:
        return sum(body in m["text"] for m in api.sent_messages(chat, since=since))

    return count


def test_kill9_during_a_sweep_then_restart_still_delivers(own_bot: OwnBot) -> None:
    live, user = own_bot(), new_user()
    api = live.api
    live.subscribe(user)
    # Telegram receives the reminder, but its answer is held: the bot is killed mid-send.
    api.hang("sendMessage", chat_id=user)
    since = api.mark()
    live.press_turn_on(user)
    api.wait_held(1)
    live.process.kill9()
    api.release()

    live.process.restart()
    api.wait_for_message(user, f"Reminder: {SOON_TITLE}", since=since, timeout=20)
    live.wait_rows("SELECT 1 FROM outbox WHERE chat_id = ? AND sent_at IS NOT NULL", user)
    wait_sweeps(live.db, 3)
    delivered = len(reminders_to(api, user))
    assert 1 <= delivered <= 2, "at most the one in-flight message is sent again"
    rows = db_rows(live.db, "SELECT sent_at IS NOT NULL FROM outbox WHERE chat_id = ?", (user,))
    assert rows == [(1,)]

    # Nothing in flight: a crash after delivery sends nothing again.
    live.process.restart(kill=True)
    wait_sweeps(live.db, 3)
    assert len(reminders_to(api, user)) == delivered
    assert live.process.terminate() == 0
    live.process.assert_token_not_logged()


def test_sigterm_mid_delivery_exits_promptly_and_the_rest_goes_out_after_restart(
    own_bot: OwnBot,
) -> None:
    live = own_bot()
    api = live.api
    users = [new_user() for _ in range(40)]
    live.greet(users)
    since = api.mark()
    body = "Shutdown test broadcast"
    preview = live.broadcast_preview(body)
    # Every send of the first three waves (the notifier sends to PARALLEL_SENDS chats at a time)
    # is slow: 1 s, within the bot's 5 s timeout, and 3 s for SIGTERM to stop the fan-out.
    api.delay_next("sendMessage", 1, count=30)
    live.press(ADMIN, "Send to", "", message_id=preview["message_id"])
    shown = api.wait_for_message(ADMIN, "queued for", since=since)
    recipients = int(shown["text"].split("queued for ")[1].split()[0])
    assert recipients == len(users) + 1
    api.wait_delayed(1)  # the first wave is on its way
    assert live.process.terminate() == 0
    api.clear_faults()  # Telegram is fast again

    count = delivered(api, body, since)
    before = sum(count(user) for user in users)
    assert before < len(users), "shutdown waited for the whole outbox"
    pending = db_rows(live.db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dead = 0")
    assert pending[0][0] >= len(users) - before

    live.process.restart()
    api.wait_for_messages(users, body, since=since, timeout=30)
    wait_sweeps(live.db, 2)
    assert all(count(user) == 1 for user in users), "a graceful stop re-sent something"


def test_kill9_mid_broadcast_repeats_at_most_the_sends_in_flight(own_bot: OwnBot) -> None:
    live = own_bot(IMGBOT_REQUEST_TIMEOUT=REQUEST_TIMEOUT)
    api = live.api
    users = [new_user() for _ in range(40)]
    live.greet(users)
    since = api.mark()
    body = "Crash test broadcast"
    preview = live.broadcast_preview(body)
    # Telegram receives every send but its answers are lost until release(): all of them are in
    # flight. Once a chat's send is retried (after the client's timeout), the fan-out has had
    # time to start all the sends it allows at once.
    api.hang("sendMessage")
    live.press(ADMIN, "Send to", "", message_id=preview["message_id"])
    deadline = time.monotonic() + 30
    while len(set(api.held_chats)) == len(api.held_chats):
        assert time.monotonic() < deadline, "no send was retried"
        api.wait_held(len(api.held_chats) + 1, timeout=30)
    live.process.kill9()
    in_flight = len(set(api.held_chats))
    api.release()  # they all arrive: delivered, but never marked as sent

    live.process.restart()
    count = delivered(api, body, since)
    api.wait_for_messages([*users, ADMIN], body, since=since, timeout=30)
    wait_sweeps(live.db, 2)
    repeated = [user for user in [*users, ADMIN] if count(user) > 1]
    # `in_flight` counts every chat whose send Telegram held, including one whose two timed-out
    # attempts were already given up as "probably delivered" (marked sent, so never repeated)
    # before the kill; the guarantee is that repeats stay within the sends in flight, at most
    # PARALLEL_SENDS.
    assert len(repeated) <= min(in_flight, notifier.PARALLEL_SENDS), (
        f"{len(repeated)} repeated, {in_flight} chats held before the kill"
    )


def test_a_reminder_whose_sends_time_out_is_not_sent_a_third_time(own_bot: OwnBot) -> None:
    live, user = own_bot(IMGBOT_REQUEST_TIMEOUT=REQUEST_TIMEOUT), new_user()
    api = live.api
    live.subscribe(user)
    # Telegram takes each send but its answer is lost: the client times out, twice.
    api.hang("sendMessage", chat_id=user)
    live.press_turn_on(user)
    api.wait_held(2, timeout=30)
    live.wait_rows("SELECT 1 FROM outbox WHERE chat_id = ? AND sent_at", user)
    api.release()
    wait_sweeps(live.db, 3)
    assert len(api.held_chats) == 2, "no third attempt"
    assert 1 <= len(reminders_to(api, user)) <= 2
