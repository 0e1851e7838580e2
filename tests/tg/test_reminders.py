"""Issue 4: deadlines, reminders, broadcasts and reloads, with the bot's Application in process.

The bot reads a temporary copy of knowledge/ whose deadlines.yaml replaces the current Match
cycle's events by two test events: one two hours ahead (its 1-day reminder is due at once) and one
40 days ahead (nothing due yet). The test runs the reminder sweeps itself (InProcessBot.sweep),
so "three sweeps later" is three calls, not three seconds. Crashes and shutdowns in the middle of
a delivery need the real process: test_reminders_crash_e2e.py.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
from fakeapi import FakeBotApi
from helpers import (
    LATER_SOURCE,
    LATER_TITLE,
    SOON_SOURCE,
    SOON_TITLE,
    make_knowledge,
    reminders_to,
    text_of,
    with_buttons,
)
from inprocess import InProcessBot, inprocess_bot

from bot.core import texts

ADMIN = 7
_users = itertools.count(60_001)


def new_user() -> int:
    return next(_users)


# -- helpers -----------------------------------------------------------------------------------


def send_attempts(api: FakeBotApi, user: int, since: int = 0) -> list[Any]:
    return [c for c in api.calls("sendMessage", since=since) if c.params.get("chat_id") == user]


def settings_row(bot: InProcessBot, user: int) -> list[tuple[Any, ...]]:
    return bot.db_rows(
        "SELECT enabled, leads, tz, quiet_start, quiet_end FROM reminders WHERE chat_id = ?",
        (user,),
    )


class Live:
    """The bot on the test knowledge, and the Match cycle of its test events."""

    def __init__(self, bot: InProcessBot, knowledge: Path, cycle: int) -> None:
        self.bot, self.api, self.knowledge, self.cycle = bot, bot.fake, knowledge, cycle

    async def subscribe(self, user: int, *, by_button: bool = False) -> None:
        """Target the test cycle, then turn reminders on (typed, or by the toggle button, which
        edits the settings message instead of sending a new one)."""
        await self.bot.say(user, f"/profile set target_match_year {self.cycle}")
        if by_button:
            await self.bot.say(user, "/remind")
        else:
            assert "Reminders are on" in text_of(await self.bot.say(user, "/remind on"))

    async def press_turn_on(self, user: int) -> None:
        pressed = await self.bot.press_button(user, "Turn on")
        assert "Saved" in pressed.notice

    async def sweeps(self, count: int) -> None:
        for _ in range(count):
            await self.bot.sweep()


@pytest.fixture
async def live(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Live]:
    knowledge = tmp_path / "knowledge"
    cycle = make_knowledge(knowledge)
    async with inprocess_bot(fake_api, tmp_path, {ADMIN}, knowledge_dir=knowledge) as bot:
        yield Live(bot, knowledge, cycle)


# -- reminders ---------------------------------------------------------------------------------


async def test_reminder_is_delivered_exactly_once(live: Live) -> None:
    user = new_user()
    await live.subscribe(user)
    await live.bot.sweep()
    [reminder] = reminders_to(live.api, user)
    assert SOON_SOURCE in reminder["text"] and "When:" in reminder["text"]
    assert LATER_TITLE not in reminder["text"], "nothing is due yet for the later event"
    await live.sweeps(3)
    assert len(reminders_to(live.api, user)) == 1
    rows = live.bot.db_rows("SELECT sent_at IS NOT NULL FROM outbox WHERE chat_id = ?", (user,))
    assert rows == [(1,)]


async def test_remind_settings_and_invalid_ones_change_nothing(live: Live) -> None:
    user, bot = new_user(), live.bot
    assert "30 days, 7 days, 1 day" in text_of(await bot.say(user, "/remind leads 1 7 30"))
    assert "Time zone: Europe/Rome" in text_of(await bot.say(user, "/remind tz Europe/Rome"))
    assert "Quiet hours: 22:00-07:00" in text_of(await bot.say(user, "/remind quiet 22-07"))
    before = settings_row(bot, user)
    assert before == [(0, "30,7,1", "Europe/Rome", 22, 7)]
    for bad, why in (
        ("/remind tz Mars/Base", "not a time zone I know"),
        ("/remind leads soon", "whole numbers"),
        ("/remind leads 1 2 3 4 5 6", "between 1 and 5"),
        ("/remind quiet 25-99", "from 0 to 23"),
        ("/remind sometimes", "did not understand"),
    ):
        reply = text_of(await bot.say(user, bad))
        assert why in reply and "Nothing was changed" in reply, reply
        assert settings_row(bot, user) == before, f"{bad!r} changed the settings"


async def test_deadlines_list_days_left_status_and_source(live: Live) -> None:
    user, bot = new_user(), live.bot
    await bot.say(user, f"/profile set target_match_year {live.cycle}")
    text = text_of(await bot.say(user, "/deadlines"))
    assert SOON_TITLE in text and LATER_TITLE in text
    assert f"deadlines of the {live.cycle} Match" in text, "says which Match, and how to change it"
    assert text.index(SOON_TITLE) < text.index(LATER_TITLE), "soonest first"
    assert "days left" in text
    assert "(confirmed)" in text and "estimated" in text
    assert SOON_SOURCE in text and LATER_SOURCE in text


async def test_calendar_sends_an_ics_with_events(live: Live) -> None:
    user, bot = new_user(), live.bot
    await bot.say(user, f"/profile set target_match_year {live.cycle}")
    messages = await bot.say(user, "/calendar")
    docs = [m for m in messages if m["document"] is not None]
    assert docs and docs[0]["document"].filename.endswith(".ics")
    cal = icalendar.Calendar.from_ical(docs[0]["document"].content)
    events = list(cal.walk("VEVENT"))
    summaries = [str(e.get("summary")) for e in events]
    assert len(events) >= 2
    assert any(SOON_TITLE in s for s in summaries) and any(LATER_TITLE in s for s in summaries)
    assert all(e.get("uid") and e.get("dtstart") for e in events)


async def test_blocked_user_is_tried_once_then_never_again(live: Live) -> None:
    user, api = new_user(), live.api
    await live.subscribe(user, by_button=True)
    # The next message to this chat is the reminder (turning on edits the settings message).
    api.fail_next("sendMessage", 403, chat_id=user)
    since = api.mark()
    await live.press_turn_on(user)
    await live.sweeps(5)
    assert [c.status for c in send_attempts(api, user, since)] == [403], "tried again"
    assert live.bot.db_rows("SELECT active FROM chats WHERE chat_id = ?", (user,)) == [(0,)]
    assert live.bot.db_rows(
        "SELECT count(*) FROM outbox WHERE chat_id = ? AND sent_at IS NULL AND dead = 0",
        (user,),
    ) == [(0,)]


async def test_429_storm_delays_but_loses_nothing(live: Live) -> None:
    user, api = new_user(), live.api
    await live.subscribe(user, by_button=True)
    before = api.count_429
    # Telegram says whole seconds; a tenth of one is waited out the same way, ten times sooner.
    api.fail_next("sendMessage", 429, retry_after=0.1, count=3, chat_id=user)
    await live.press_turn_on(user)
    await live.bot.sweep()  # Telegram's retry_after is waited out within the sweep
    assert api.count_429 - before == 3
    assert len(reminders_to(api, user)) == 1
    await live.sweeps(3)
    assert len(reminders_to(api, user)) == 1


# -- admins ------------------------------------------------------------------------------------


async def test_broadcast_preview_confirm_delivers_once_and_non_admins_are_refused(
    live: Live,
) -> None:
    api, bot = live.api, live.bot
    outsider = new_user()
    assert texts.ADMINS_ONLY in text_of(await bot.say(outsider, "/broadcast Hello everyone"))

    body = f"Broadcast test {time.time():.0f}: NRMP registration is open"
    preview = with_buttons(await bot.say(ADMIN, f"/broadcast {body}"))
    assert body in preview["text"] and "Preview" in preview["text"]
    send = next(b for b in FakeBotApi.buttons(preview) if b["text"].startswith("Send to"))

    # Someone else pressing the admin's button (forwarded message, forged data) is refused.
    assert (await bot.press(outsider, send["callback_data"])).notice == texts.ADMINS_ONLY

    confirmed = api.mark()
    pressed = await bot.press_button(ADMIN, "Send to", message_id=preview["message_id"])
    assert "Broadcast queued for" in text_of(pressed.shown)
    queued = int(text_of(pressed.shown).split("queued for ")[1].split()[0])
    active = [
        row[0]
        for row in bot.db_rows(
            "SELECT id FROM users WHERE NOT EXISTS"
            " (SELECT 1 FROM chats WHERE chat_id = id AND active = 0)",
        )
    ]
    assert queued == len(active) and ADMIN in active and outsider in active

    def delivered(chat: int) -> int:
        return sum(body in m["text"] for m in api.sent_messages(chat, since=confirmed))

    await bot.sweep()
    assert all(delivered(chat) == 1 for chat in active), "the broadcast did not reach everyone"
    # The same button again (a double tap, or an old copy of the preview) sends nothing more.
    again = api.callback(ADMIN, send["callback_data"], preview["message_id"], push=False)
    await bot.feed(again)
    assert "already sent" in api.wait_for_callback_answer(again).params.get("text", "")
    await live.sweeps(3)
    assert all(delivered(chat) == 1 for chat in active), "a broadcast went out twice"
    inactive = bot.db_rows("SELECT chat_id FROM chats WHERE active = 0")
    assert all(delivered(chat) == 0 for (chat,) in inactive)


async def test_reload_with_broken_knowledge_keeps_serving_and_says_why(live: Live) -> None:
    bot, outsider, reminded = live.bot, new_user(), new_user()
    await live.subscribe(reminded)
    await bot.sweep()
    assert len(reminders_to(live.api, reminded)) == 1
    assert texts.ADMINS_ONLY in text_of(await bot.say(outsider, "/reload"))
    deadlines = live.knowledge / "deadlines.yaml"
    good = deadlines.read_text("utf-8")
    deadlines.write_text(good.replace("status: confirmed", "status: rumoured", 1), "utf-8")
    reply = text_of(await bot.say(ADMIN, "/reload"))
    assert "reload failed" in reply and "previous knowledge is still serving" in reply
    assert "deadlines.yaml" in reply and "status" in reply, "the reason names file and field"
    await bot.say(outsider, f"/profile set target_match_year {live.cycle}")
    assert SOON_TITLE in text_of(await bot.say(outsider, "/deadlines")), "old knowledge serves"
    deadlines.write_text(good, "utf-8")
    assert "Reloaded:" in text_of(await bot.say(ADMIN, "/reload"))
    # Re-planning after a reload does not send a reminder that was already delivered.
    await live.sweeps(2)
    assert len(reminders_to(live.api, reminded)) == 1
