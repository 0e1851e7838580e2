"""Privacy, permissions and hostile input on Telegram, in-process against the fake Bot API.

The real Application (every handler, the flood guard, rendering, the error handler) handles
updates built by the fake; every Bot API call it makes is real HTTP to the fake. "Sorry" is what
the error handler says when a handler raised, so no test here may ever see it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakeapi import BOT_USERNAME, FakeBotApi
from helpers import datas, urls
from inprocess import InProcessBot, inprocess_bot

from bot.core import callbacks, flood
from bot.core.models import ReminderSettings
from bot.tg.handlers import flood as flood_handler
from bot.tg.handlers.errors import SORRY

ADMIN = 7  # the bot's own admin (IMGBOT_ADMINS)
GROUP = -300
ASKER, OTHER = 21, 22
GROUP_ADMIN = 31  # an admin of GROUP as getChatMember says, not of the bot
ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group"}


@pytest.fixture
async def bot(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[InProcessBot]:
    fake_api.set_chat_admin(GROUP, GROUP_ADMIN)
    async with inprocess_bot(fake_api, tmp_path, admins={ADMIN}) as running:
        yield running


def no_sorry(fake: FakeBotApi) -> None:
    shown = [m["text"] for m in fake.sent_messages()]
    assert SORRY not in shown, fake.dump()


async def reminders_of(bot: InProcessBot, chat_id: int) -> ReminderSettings:
    return await bot.service.storage.get_reminders(chat_id)


# -- 1. personal commands only in private --------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "forget", "profile", "next", "progress"])
async def test_personal_commands_in_a_group_answer_with_a_deep_link(bot, fake_api, command):
    await bot.say(ASKER, "/profile set step1 passed")
    [reply] = await bot.say(GROUP, f"/{command}", user_id=ASKER)
    assert reply["document"] is None and reply["method"] == "sendMessage"
    assert urls(reply) == [f"https://t.me/{BOT_USERNAME}?start={command}"]
    assert "private" in reply["text"] and "passed" not in reply["text"]
    assert not datas(reply)  # no button that would act in the group
    no_sorry(fake_api)


async def test_the_deep_link_runs_the_personal_command_in_private(bot, fake_api):
    [reply] = await bot.say(GROUP, "/export", user_id=ASKER)
    payload = urls(reply)[0].rsplit("=", 1)[1]
    shown = await bot.say(ASKER, f"/start {payload}")
    assert [m["document"].filename for m in shown if m["document"]] == [f"imgbot-data-{ASKER}.json"]


async def test_profile_set_in_a_group_changes_nothing(bot, fake_api):
    await bot.say(GROUP, "/profile set step1 passed", user_id=ASKER)
    assert (await bot.service.storage.get_profile(ASKER)).step1 is None


# -- 2. buttons act only for their owner ---------------------------------------------------------


async def test_another_member_pressing_a_group_reminder_button_changes_nothing(bot, fake_api):
    [shown] = await bot.say(GROUP, "/remind", user_id=GROUP_ADMIN)
    turn_on = next(d for d in datas(shown) if "|on|" in d)
    pressed = await bot.press(OTHER, turn_on, chat_id=GROUP)
    assert "belongs to the person who asked" in pressed.notice
    assert pressed.shown == []
    assert not (await reminders_of(bot, GROUP)).enabled
    owner = await bot.press(GROUP_ADMIN, turn_on, chat_id=GROUP)
    assert owner.notice == "Saved ✅" and (await reminders_of(bot, GROUP)).enabled


async def test_a_forged_forget_button_in_a_group_deletes_nobody(bot, fake_api):
    await bot.say(OTHER, "/profile set step1 passed")
    await bot.say(GROUP, "/help", user_id=ASKER)
    for data in ("1|x|yes", f"1|x|yes|@{ASKER}", f"1|x|yes|@{OTHER}"):
        pressed = await bot.press(OTHER, data, chat_id=GROUP)
        assert pressed.shown == [] and pressed.notice
    assert (await bot.service.storage.get_profile(OTHER)).step1 == "passed"


async def test_a_button_owned_by_someone_else_does_nothing_in_private_either(bot, fake_api):
    await bot.say(OTHER, "/profile set step1 passed")
    await bot.say(OTHER, "/forget")
    pressed = await bot.press(OTHER, f"1|x|yes|@{ASKER}")
    assert "belongs to the person who asked" in pressed.notice
    assert (await bot.service.storage.get_profile(OTHER)).step1 == "passed"


@pytest.mark.parametrize(
    "data", ["1|p|step1|passed", "1|pk|step1", "1|pb", "1|c|share|on", "1|f|usmle-step1|u"]
)
async def test_personal_buttons_forged_in_a_group_are_refused(bot, fake_api, data):
    await bot.say(GROUP, "/help", user_id=OTHER)
    pressed = await bot.press(OTHER, data, chat_id=GROUP)
    assert pressed.shown == [] and pressed.notice
    assert (await bot.service.storage.get_profile(OTHER)).step1 is None
    no_sorry(fake_api)


async def test_a_broadcast_preview_confirms_only_for_the_admin_who_wrote_it(fake_api, tmp_path):
    async with inprocess_bot(fake_api, tmp_path, admins={ADMIN, 8}) as bot:
        await bot.say(ASKER, "/start")
        [preview] = await bot.say(GROUP, "/broadcast Step 1 results are out", user_id=ADMIN)
        send = next(d for d in datas(preview) if "|yes|" in d)
        pressed = await bot.press(8, send, chat_id=GROUP)
        assert "belongs to the person who asked" in pressed.notice
        assert await bot.service.storage.get_broadcast(1) == ("Step 1 results are out", "draft")


# -- 3. group reminders belong to the group's admins ---------------------------------------------


@pytest.mark.parametrize("args", ["off", "on", "leads 365", "tz Asia/Kolkata", "quiet 22-07"])
async def test_a_member_cannot_change_a_groups_reminders(bot, fake_api, args):
    await bot.say(GROUP, "/remind leads 7 1", user_id=GROUP_ADMIN)
    before = await reminders_of(bot, GROUP)
    [reply] = await bot.say(GROUP, f"/remind {args}", user_id=OTHER)
    assert "only this group's admins" in reply["text"]
    assert await reminders_of(bot, GROUP) == before


async def test_a_member_pressing_their_own_forged_reminder_button_in_a_group_is_refused(
    bot, fake_api
):
    await bot.say(GROUP, "/remind", user_id=GROUP_ADMIN)
    pressed = await bot.press(OTHER, callbacks.encode("r", "on", "1", owner=OTHER), GROUP)
    assert not (await reminders_of(bot, GROUP)).enabled
    assert "Only this group's admins" in pressed.notice and pressed.shown == []


async def test_group_admins_and_bot_admins_change_group_reminders(bot, fake_api):
    await bot.say(GROUP, "/remind leads 30 7", user_id=GROUP_ADMIN)
    assert (await reminders_of(bot, GROUP)).leads == (30, 7)
    await bot.say(GROUP, "/remind leads 1", user_id=ADMIN)
    assert (await reminders_of(bot, GROUP)).leads == (1,)


# -- 11. unknown time zones ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["America", "Europe", "A" * 300, "../etc/passwd", "Etc/"])
async def test_an_unknown_time_zone_is_named_as_unknown_and_changes_nothing(bot, fake_api, name):
    [reply] = await bot.say(ASKER, f"/remind tz {name}")
    assert "not a time zone I know" in reply["text"] and len(reply["text"]) < 1000
    await bot.say(ASKER, "/remind")
    pressed = await bot.press(ASKER, f"1|r|tz|{name[:40]}")
    assert pressed.shown and "not a time zone I know" in pressed.shown[0]["text"]
    assert (await reminders_of(bot, ASKER)).tz == "UTC"
    no_sorry(fake_api)


# -- 12. edits count against the flood guard -------------------------------------------------------


async def test_rapid_edits_are_slowed_like_messages(bot, fake_api, clock):
    [original] = [fake_api.message(ASKER, "what is soap", push=False)]
    since = fake_api.mark()
    for n in range(30):
        edited = dict(original["message"], text=f"what is soap {n}", edit_date=n + 1)
        await bot.feed({"edited_message": edited})
    replies = fake_api.sent_messages(ASKER, since=since)
    assert sum("very fast" in r["text"] for r in replies) == 1
    assert len(replies) == flood.BURST + 1, f"{len(replies)} answers to 30 edits"


async def test_rapid_button_presses_are_slowed(bot, fake_api, clock):
    await bot.say(ASKER, "/topics")
    since = fake_api.mark()
    notices = [(await bot.press(ASKER, "1|t|usmle-step1")).notice for _ in range(60)]
    assert sum("very fast" in n for n in notices) == 1
    answers = [m for m in fake_api.sent_messages(ASKER, since=since) if "Step 1" in m["text"]]
    assert len(answers) == flood_handler.BUTTON_BURST


async def test_a_sticker_flood_draws_one_warning_not_an_answer_each(bot, fake_api, clock):
    since = fake_api.mark()
    for _ in range(30):
        update = fake_api.message(ASKER, "", push=False)
        del update["message"]["text"]
        update["message"]["sticker"] = {
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        await bot.feed(update)
    replies = fake_api.sent_messages(ASKER, since=since)
    assert len(replies) == flood.BURST + 1 and "very fast" in replies[-1]["text"]


# -- 13. errors quote a short excerpt; Telegram lengths in UTF-16 ----------------------------------


@pytest.mark.parametrize("size", [4095, 100_000])
async def test_a_huge_profile_value_is_not_echoed_back(bot, fake_api, size):
    [reply] = await bot.say(ASKER, "/profile set step1 " + "𝔸" * size)
    assert "step1 must be one of" in reply["text"] and len(reply["text"]) < 400


async def test_a_huge_field_name_is_not_echoed_back(bot, fake_api):
    [reply] = await bot.say(ASKER, "/profile set " + "x" * 3000 + " 1")
    assert "There is no field" in reply["text"] and len(reply["text"]) < 600


# -- 14. numbers are ASCII digits in range ---------------------------------------------------------


@pytest.mark.parametrize("year", ["²", "²⁰²⁷", "٢٠٢٧", "2027" * 10, "+2027"])
async def test_a_cohort_year_that_is_not_plain_digits_gets_the_usage(bot, fake_api, year):
    [reply] = await bot.say(GROUP, f"/cohort create Lahore {year}", user_id=GROUP_ADMIN)
    assert "Usage: /cohort create NAME YEAR" in reply["text"]
    assert await bot.service.storage.get_cohort_by_chat(GROUP) is None


@pytest.mark.parametrize("raw_id", ["1" * 40, "9223372036854775808", "0", "²"])
async def test_a_forged_broadcast_id_is_a_stale_button(bot, fake_api, raw_id):
    await bot.say(ADMIN, "/broadcast hello")
    pressed = await bot.press(ADMIN, f"1|b|yes|{raw_id}")
    assert "out of date" in pressed.notice or "already sent" in pressed.notice
    no_sorry(fake_api)


@pytest.mark.parametrize("arg", ["1" * 40, "-" + "1" * 25, "٣"])
async def test_a_forged_channel_link_button_is_a_stale_button(bot, fake_api, arg):
    await bot.say(ASKER, "/start")
    pressed = await bot.press(ASKER, f"1|c|link|{arg}")
    assert "out of date" in pressed.notice
    no_sorry(fake_api)


# -- 15. updates without a person ------------------------------------------------------------------


async def test_a_message_without_a_sender_stores_no_user(bot, fake_api):
    update = fake_api.message(GROUP, "/ask is step 1 pass fail", push=False)
    del update["message"]["from"]
    await bot.feed(update)
    private = fake_api.message(ASKER, "/start", push=False)
    del private["message"]["from"]
    await bot.feed(private)
    assert await bot.service.storage.user_ids(active_only=False) == []
    [stats] = await bot.say(ADMIN, "/stats")
    assert "Users: 0 " in stats["text"]
    no_sorry(fake_api)


async def test_an_anonymous_group_admin_is_told_why_and_not_stored(bot, fake_api):
    update = fake_api.message(GROUP, "/cohort create Lahore 2027", push=False)
    update["message"]["from"] = ANONYMOUS_BOT
    update["message"]["sender_chat"] = dict(update["message"]["chat"])
    since = fake_api.mark()
    await bot.feed(update)
    [reply] = fake_api.sent_messages(GROUP, since=since)
    assert "anonymously" in reply["text"]
    assert await bot.service.storage.user_ids(active_only=False) == []
    assert await bot.service.storage.get_cohort_by_chat(GROUP) is None
