"""Issue 4, end to end: deadlines, reminders, broadcasts and reloads with the real `imgbot run`.

The bot reads a temporary copy of knowledge/ whose deadlines.yaml replaces the current Match
cycle's events by two test events: one two hours ahead (its 1-day reminder is due at once) and one
40 days ahead (nothing due yet). Sweeps run every second (IMGBOT_REMINDER_INTERVAL=1); a sweep
touches `<db>.heartbeat`, which is how a test waits for "a few sweeps" without guessing with sleeps.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from fakeapi import BotProcess, FakeBotApi
from fakeapi.harness import REPO_ROOT

from bot.core import texts
from bot.tg import notifier

JSON = dict[str, Any]
ADMIN = 7
_users = itertools.count(60_001)
SOON_TITLE = "Test Match Day (two hours ahead)"
LATER_TITLE = "Test SOAP week (forty days ahead)"
SOON_SOURCE = "https://www.nrmp.org/match-calendars/"
LATER_SOURCE = "https://www.nrmp.org/intro-to-the-match/soap/"


def new_user() -> int:
    return next(_users)


def make_knowledge(directory: Path) -> int:
    """Copy knowledge/ to `directory` with the test events; returns their Match cycle."""
    shutil.copytree(REPO_ROOT / "knowledge", directory)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    later = soon + timedelta(days=40)
    cycle = soon.year + 1  # valid for events in cycle - 1 and cycle
    path = directory / "deadlines.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    events = [e for e in data["deadlines"] if e["cycle"] != cycle]
    events += [
        {
            "id": f"{cycle}-match-day",
            "title": SOON_TITLE,
            "cycle": cycle,
            "date": soon.isoformat(),
            "topic": "nrmp-match",
            "status": "confirmed",
            "source": SOON_SOURCE,
        },
        {
            "id": f"{cycle}-soap",
            "title": LATER_TITLE,
            "cycle": cycle,
            "date": later.isoformat(),
            "topic": "nrmp-match",
            "status": "estimated",
            "source": LATER_SOURCE,
        },
    ]
    path.write_text(yaml.safe_dump({"deadlines": events}, sort_keys=False), "utf-8")
    return cycle


# -- helpers -----------------------------------------------------------------------------------


def text_of(messages: list[JSON]) -> str:
    return "\n".join(m["text"] for m in messages)


def press(api: FakeBotApi, user: int, label: str, **where: Any) -> tuple[str | None, list[JSON]]:
    """Press a button; returns (the callback answer's text, what the bot showed)."""
    since = api.mark()
    update = api.press_button(user, label, **where)
    answer = api.wait_for_callback_answer(update, since=since)
    api.settle(since=since)
    return answer.params.get("text"), api.sent_messages(user, since=since)


def callback_answer(api: FakeBotApi, user: int, data: str, message_id: int | None = None) -> Any:
    """Send callback data as `user` (forged, or from an old message); returns the answer text."""
    since = api.mark()
    update = api.callback(user, data, message_id)
    answer = api.wait_for_callback_answer(update, since=since)
    return answer.params.get("text")


def db_rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return conn.execute(sql, params).fetchall()


def wait_sweeps(process: BotProcess, count: int = 3, timeout: float = 15) -> None:
    """Wait until `count` more reminder sweeps have run (each touches the heartbeat file)."""
    heartbeat = Path(f"{process.db_path}.heartbeat")

    def stamp() -> int:
        return heartbeat.stat().st_mtime_ns if heartbeat.exists() else 0

    seen, last = 0, stamp()
    deadline = time.monotonic() + timeout
    while seen < count:
        assert process.running, f"the bot died\n{process.output()}"
        if time.monotonic() > deadline:
            pytest.fail(f"only {seen} of {count} sweeps ran within {timeout}s")
        now = stamp()
        if now != last:
            seen, last = seen + 1, now
        time.sleep(0.05)


def reminders_to(api: FakeBotApi, user: int, title: str = SOON_TITLE) -> list[JSON]:
    return [m for m in api.sent_messages(user) if f"Reminder: {title}" in m["text"]]


def send_attempts(api: FakeBotApi, user: int, since: int = 0) -> list[Any]:
    return [c for c in api.calls("sendMessage", since=since) if c.params.get("chat_id") == user]


def settings_row(db: Path, user: int) -> list[tuple[Any, ...]]:
    return db_rows(
        db,
        "SELECT enabled, leads, tz, quiet_start, quiet_end FROM reminders WHERE chat_id = ?",
        (user,),
    )


# -- fixtures ----------------------------------------------------------------------------------


class Live:
    def __init__(self, api: FakeBotApi, process: BotProcess, knowledge: Path, cycle: int) -> None:
        self.api, self.process, self.knowledge, self.cycle = api, process, knowledge, cycle
        self.reminded: list[int] = []  # users who got the test reminder

    @property
    def db(self) -> Path:
        return self.process.db_path

    def subscribe(self, user: int, *, by_button: bool = False) -> None:
        """Target the test cycle, then turn reminders on (typed, or by the toggle button, which
        edits the settings message instead of sending a new one)."""
        self.api.say(user, f"/profile set target_match_year {self.cycle}")
        if by_button:
            self.api.say(user, "/remind")
        else:
            assert "Reminders are on" in text_of(self.api.say(user, "/remind on"))

    def press_turn_on(self, user: int) -> None:
        notice, _ = press(self.api, user, "Turn on")
        assert notice and "Saved" in notice


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One bot for the tests that need no restart, on the test knowledge copy."""
    root = tmp_path_factory.mktemp("reminders")
    knowledge = root / "knowledge"
    cycle = make_knowledge(knowledge)
    with FakeBotApi() as api:
        env = {"IMGBOT_ADMINS": str(ADMIN), "IMGBOT_KNOWLEDGE_DIR": str(knowledge)}
        process = BotProcess(api, root / "bot", env)
        process.start()
        try:
            process.wait_ready()
            yield Live(api, process, knowledge, cycle)
        finally:
            process.cleanup()
            print(f"--- {process.log_path} ---\n{process.output()[-20000:]}")


@pytest.fixture
def own_bot(
    tmp_path: Path, bot: Callable[..., BotProcess], fake_api: FakeBotApi
) -> Callable[[], Live]:
    """A bot of the test's own (for kill -9 and restarts), on a fresh knowledge copy."""

    def start() -> Live:
        knowledge = tmp_path / "knowledge"
        cycle = make_knowledge(knowledge)
        process = bot(IMGBOT_KNOWLEDGE_DIR=str(knowledge), IMGBOT_ADMINS=str(ADMIN))
        return Live(fake_api, process, knowledge, cycle)

    return start


# -- reminders ---------------------------------------------------------------------------------


def test_reminder_is_delivered_exactly_once(live: Live) -> None:
    user = new_user()
    live.subscribe(user)
    reminder = live.api.wait_for_message(user, f"Reminder: {SOON_TITLE}", timeout=15)
    assert SOON_SOURCE in reminder["text"] and "When:" in reminder["text"]
    assert LATER_TITLE not in reminder["text"], "nothing is due yet for the later event"
    wait_sweeps(live.process, 3)
    assert len(reminders_to(live.api, user)) == 1
    live.reminded.append(user)
    rows = db_rows(live.db, "SELECT sent_at IS NOT NULL FROM outbox WHERE chat_id = ?", (user,))
    assert rows == [(1,)]


def test_remind_settings_and_invalid_ones_change_nothing(live: Live) -> None:
    user = new_user()
    api = live.api
    assert "30 days, 7 days, 1 day" in text_of(api.say(user, "/remind leads 1 7 30"))
    assert "Time zone: Europe/Rome" in text_of(api.say(user, "/remind tz Europe/Rome"))
    assert "Quiet hours: 22:00-07:00" in text_of(api.say(user, "/remind quiet 22-07"))
    before = settings_row(live.db, user)
    assert before == [(0, "30,7,1", "Europe/Rome", 22, 7)]
    for bad, why in (
        ("/remind tz Mars/Base", "not a time zone I know"),
        ("/remind leads soon", "whole numbers"),
        ("/remind leads 1 2 3 4 5 6", "between 1 and 5"),
        ("/remind quiet 25-99", "from 0 to 23"),
        ("/remind sometimes", "did not understand"),
    ):
        reply = text_of(api.say(user, bad))
        assert why in reply and "Nothing was changed" in reply, reply
        assert settings_row(live.db, user) == before, f"{bad!r} changed the settings"


def test_deadlines_list_days_left_status_and_source(live: Live) -> None:
    user = new_user()
    api = live.api
    api.say(user, f"/profile set target_match_year {live.cycle}")
    text = text_of(api.say(user, "/deadlines"))
    assert SOON_TITLE in text and LATER_TITLE in text
    assert text.index(SOON_TITLE) < text.index(LATER_TITLE), "soonest first"
    assert "days left" in text
    assert "(confirmed)" in text and "estimated" in text
    assert SOON_SOURCE in text and LATER_SOURCE in text


def test_calendar_sends_an_ics_with_events(live: Live) -> None:
    user = new_user()
    api = live.api
    api.say(user, f"/profile set target_match_year {live.cycle}")
    messages = api.say(user, "/calendar")
    docs = [m for m in messages if m["document"] is not None]
    assert docs and docs[0]["document"].filename.endswith(".ics")
    cal = icalendar.Calendar.from_ical(docs[0]["document"].content)
    events = list(cal.walk("VEVENT"))
    summaries = [str(e.get("summary")) for e in events]
    assert len(events) >= 2
    assert any(SOON_TITLE in s for s in summaries) and any(LATER_TITLE in s for s in summaries)
    assert all(e.get("uid") and e.get("dtstart") for e in events)


def test_blocked_user_is_tried_once_then_never_again(live: Live) -> None:
    user = new_user()
    api = live.api
    live.subscribe(user, by_button=True)
    # The next message to this chat is the reminder (turning on edits the settings message).
    api.fail_next("sendMessage", 403, chat_id=user)
    since = api.mark()
    live.press_turn_on(user)
    api.wait_for(
        lambda c: c.method == "sendMessage" and c.status == 403 and c.params["chat_id"] == user,
        since=since,
        timeout=15,
    )
    wait_sweeps(live.process, 4)
    assert len(send_attempts(api, user, since)) == 1, "a blocked chat was tried again"
    assert db_rows(live.db, "SELECT active FROM chats WHERE chat_id = ?", (user,)) == [(0,)]
    assert db_rows(
        live.db,
        "SELECT count(*) FROM outbox WHERE chat_id = ? AND sent_at IS NULL AND dead = 0",
        (user,),
    ) == [(0,)]


def test_429_storm_delays_but_loses_nothing(live: Live) -> None:
    user = new_user()
    api = live.api
    live.subscribe(user, by_button=True)
    before = api.count_429
    api.fail_next("sendMessage", 429, retry_after=1, count=3, chat_id=user)
    live.press_turn_on(user)
    api.wait_for_message(user, f"Reminder: {SOON_TITLE}", timeout=30)
    assert api.count_429 - before == 3
    wait_sweeps(live.process, 3)
    assert len(reminders_to(api, user)) == 1
    live.reminded.append(user)


# -- admins ------------------------------------------------------------------------------------


def test_broadcast_preview_confirm_delivers_once_and_non_admins_are_refused(live: Live) -> None:
    api = live.api
    outsider = new_user()
    assert texts.ADMINS_ONLY in text_of(api.say(outsider, "/broadcast Hello everyone"))

    body = f"Broadcast test {time.time():.0f}: NRMP registration is open"
    preview = [m for m in api.say(ADMIN, f"/broadcast {body}") if m.get("reply_markup")][-1]
    assert body in preview["text"] and "Preview" in preview["text"]
    send = next(b for b in FakeBotApi.buttons(preview) if b["text"].startswith("Send to"))

    # Someone else pressing the admin's button (forwarded message, forged data) is refused.
    assert callback_answer(api, outsider, send["callback_data"]) == texts.ADMINS_ONLY

    confirmed = api.mark()
    _, shown = press(api, ADMIN, "Send to", message_id=preview["message_id"])
    assert "Broadcast queued for" in text_of(shown)
    queued = int(text_of(shown).split("queued for ")[1].split()[0])
    active = [
        row[0]
        for row in db_rows(
            live.db,
            "SELECT id FROM users WHERE NOT EXISTS"
            " (SELECT 1 FROM chats WHERE chat_id = id AND active = 0)",
        )
    ]
    assert queued == len(active) and ADMIN in active and outsider in active

    def delivered(chat: int) -> int:
        return sum(body in m["text"] for m in api.sent_messages(chat, since=confirmed))

    deadline = time.monotonic() + 20
    while any(delivered(chat) == 0 for chat in active):
        assert time.monotonic() < deadline, "the broadcast did not reach everyone"
        time.sleep(0.1)
    # The same button again (a double tap, or an old copy of the preview) sends nothing more.
    notice = callback_answer(api, ADMIN, send["callback_data"], preview["message_id"])
    assert notice and "already sent" in notice
    wait_sweeps(live.process, 3)
    assert all(delivered(chat) == 1 for chat in active), "a broadcast went out twice"
    inactive = db_rows(live.db, "SELECT chat_id FROM chats WHERE active = 0")
    assert all(delivered(chat) == 0 for (chat,) in inactive)


def test_reload_with_broken_knowledge_keeps_serving_and_says_why(live: Live) -> None:
    api = live.api
    outsider = new_user()
    assert texts.ADMINS_ONLY in text_of(api.say(outsider, "/reload"))
    deadlines = live.knowledge / "deadlines.yaml"
    good = deadlines.read_text("utf-8")
    try:
        deadlines.write_text(good.replace("status: confirmed", "status: rumoured", 1), "utf-8")
        reply = text_of(api.say(ADMIN, "/reload"))
        assert "reload failed" in reply and "previous knowledge is still serving" in reply
        assert "deadlines.yaml" in reply and "status" in reply, "the reason names file and field"
        api.say(outsider, f"/profile set target_match_year {live.cycle}")
        assert SOON_TITLE in text_of(api.say(outsider, "/deadlines")), "old knowledge serves"
    finally:
        deadlines.write_text(good, "utf-8")
    assert "Reloaded:" in text_of(api.say(ADMIN, "/reload"))
    # Re-planning after a reload does not send a reminder that was already delivered.
    wait_sweeps(live.process, 2)
    assert all(len(reminders_to(api, user)) == 1 for user in live.reminded)


# -- crashes -----------------------------------------------------------------------------------


def test_kill9_during_a_sweep_then_restart_still_delivers(own_bot: Callable[[], Live]) -> None:
    live = own_bot()
    api, user = live.api, new_user()
    live.subscribe(user, by_button=True)
    # The reminder's sendMessage hangs long enough to kill the bot while it is in flight.
    api.delay_next("sendMessage", 4)
    since = api.mark()
    live.press_turn_on(user)
    deadline = time.monotonic() + 10
    while not db_rows(live.db, "SELECT 1 FROM outbox WHERE chat_id = ?", (user,)):
        assert time.monotonic() < deadline, "the reminder was never planned"
        time.sleep(0.05)
    time.sleep(0.5)  # let the sweep start the (slow) send
    live.process.kill9()

    live.process.restart()
    api.wait_for_message(user, f"Reminder: {SOON_TITLE}", since=since, timeout=20)
    wait_sweeps(live.process, 3)
    delivered = len(reminders_to(api, user))
    assert 1 <= delivered <= 2, "at most the one in-flight message is sent again"
    rows = db_rows(live.db, "SELECT sent_at IS NOT NULL FROM outbox WHERE chat_id = ?", (user,))
    assert rows == [(1,)]

    # Nothing in flight: a crash after delivery sends nothing again.
    live.process.restart(kill=True)
    wait_sweeps(live.process, 3)
    assert len(reminders_to(api, user)) == delivered
    assert live.process.terminate() == 0
    live.process.assert_token_not_logged()


def test_sigterm_mid_delivery_exits_promptly_and_the_rest_goes_out_after_restart(
    own_bot: Callable[[], Live],
) -> None:
    live = own_bot()
    api = live.api
    users = [new_user() for _ in range(40)]
    since = api.mark()
    for user in users:
        api.message(user, "/start")
    for user in users:
        api.wait_for_message(user, "Hello", since=since)
    body = "Shutdown test broadcast"
    preview = [m for m in api.say(ADMIN, f"/broadcast {body}") if m.get("reply_markup")][-1]
    # Every send of the first waves (the notifier sends to PARALLEL_SENDS chats at a time) is slow.
    api.delay_next("sendMessage", 3, count=30)
    _, shown = press(api, ADMIN, "Send to", message_id=preview["message_id"])
    recipients = int(text_of(shown).split("queued for ")[1].split()[0])
    assert recipients == len(users) + 1
    time.sleep(1)  # let the sweep start the first wave
    assert live.process.terminate() == 0

    def delivered(chat: int) -> int:
        return sum(body in m["text"] for m in api.sent_messages(chat) if m["index"] > since)

    before = sum(delivered(user) for user in users)
    assert before < len(users), "shutdown waited for the whole outbox"
    pending = db_rows(live.db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dead = 0")
    assert pending[0][0] >= len(users) - before

    live.process.restart()
    deadline = time.monotonic() + 20
    while any(delivered(user) == 0 for user in users):
        assert time.monotonic() < deadline, "the rest of the broadcast was not delivered"
        time.sleep(0.1)
    wait_sweeps(live.process, 2)
    assert all(delivered(user) == 1 for user in users), "a graceful stop re-sent something"


def test_kill9_mid_broadcast_repeats_at_most_the_sends_in_flight(
    own_bot: Callable[[], Live],
) -> None:
    live = own_bot()
    api = live.api
    users = [new_user() for _ in range(40)]
    since = api.mark()
    for user in users:
        api.message(user, "/start")
    for user in users:
        api.wait_for_message(user, "Hello", since=since)
    body = "Crash test broadcast"
    preview = [m for m in api.say(ADMIN, f"/broadcast {body}") if m.get("reply_markup")][-1]
    # Telegram receives every send but its answers are lost until release(): all of them are in
    # flight. Once a chat's send is retried (after the client's timeout), the fan-out has had
    # time to start all the sends it allows at once.
    api.hang("sendMessage")
    press(api, ADMIN, "Send to", message_id=preview["message_id"])
    deadline = time.monotonic() + 30
    while len(set(api.held_chats)) == len(api.held_chats):
        assert time.monotonic() < deadline, "no send was retried"
        time.sleep(0.05)
    live.process.kill9()
    in_flight = len(set(api.held_chats))
    api.release()  # they all arrive: delivered, but never marked as sent

    live.process.restart()

    def delivered(chat: int) -> int:
        return sum(body in m["text"] for m in api.sent_messages(chat) if m["index"] > since)

    deadline = time.monotonic() + 30
    while any(delivered(user) == 0 for user in [*users, ADMIN]):
        assert time.monotonic() < deadline, "the broadcast did not reach everyone after restart"
        time.sleep(0.1)
    wait_sweeps(live.process, 2)
    repeated = [user for user in [*users, ADMIN] if delivered(user) > 1]
    assert len(repeated) <= in_flight <= notifier.PARALLEL_SENDS, (
        f"{len(repeated)} repeated, {in_flight} in flight at the kill"
    )


def test_a_reminder_whose_sends_time_out_is_not_sent_a_third_time(
    own_bot: Callable[[], Live],
) -> None:
    live = own_bot()
    api, user = live.api, new_user()
    live.subscribe(user, by_button=True)
    # Telegram takes each send but its answer is lost: the client times out, twice.
    api.hang("sendMessage", chat_id=user)
    live.press_turn_on(user)
    api.wait_held(2, timeout=30)
    deadline = time.monotonic() + 30
    while not db_rows(live.db, "SELECT 1 FROM outbox WHERE chat_id = ? AND sent_at", (user,)):
        assert time.monotonic() < deadline, "the timed-out reminder was not counted as sent"
        time.sleep(0.05)
    api.release()
    wait_sweeps(live.process, 3)
    assert len(api.held_chats) == 2, "no third attempt"
    assert 1 <= len(reminders_to(api, user)) <= 2
