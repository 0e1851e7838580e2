"""Groups, cohorts, channels and inline mode: the bot's Application in process against the fake
Bot API server (tests/tg/inprocess.py). Each update is handled to the end before the test reads
what was sent; reminder sweeps are run by the test, as the repeating job would."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakeapi import BOT_USERNAME, FakeBotApi
from helpers import quoted_id, text_of, urls
from inprocess import InProcessBot, inprocess_bot
from knowledge_once import repo_knowledge

REPO_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
ADMIN = 7
MEMBERS = (21, 22, 23, 24)
GROUP = -300
EVENT_TITLE = "ERAS: programs can download applications"


def write_deadlines(knowledge: Path, days_ahead: float) -> None:
    """One 2027-cycle event `days_ahead` from now: with lead 1 it is due once it is < 1 day off."""
    at = (datetime.now(UTC) + timedelta(days=days_ahead)).replace(microsecond=0)
    (knowledge / "deadlines.yaml").write_text(
        "deadlines:\n"
        "  - id: 2027-eras-review\n"
        f"    title: '{EVENT_TITLE}'\n"
        "    cycle: 2027\n"
        f"    date: {at.isoformat()}\n"
        "    topic: eras-application\n"
        "    status: estimated\n"
        "    source: https://students-residents.aamc.org/applying-residencies-eras\n",
        encoding="utf-8",
    )


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A copy of knowledge/ whose only deadline is due for a 1-day reminder right now."""
    target = tmp_path / "knowledge"
    shutil.copytree(REPO_KNOWLEDGE, target)
    write_deadlines(target, days_ahead=1 - 5 / 1440)  # 5 minutes inside the 1-day lead
    return target


@pytest.fixture
async def bot(fake_api: FakeBotApi, tmp_path: Path, knowledge: Path) -> AsyncIterator[InProcessBot]:
    """The bot on the `knowledge` copy, with ADMIN as its admin."""
    async with inprocess_bot(fake_api, tmp_path, {ADMIN}, knowledge_dir=knowledge) as running:
        yield running


async def create_cohort(bot: InProcessBot, group: int, name: str = "Lahore") -> str:
    """An admin creates a cohort in `group`; returns the join code from the deep link."""
    bot.fake.set_chat_admin(group, ADMIN)
    [sent] = await bot.say(group, f"/cohort create {name} 2027", user_id=ADMIN)
    assert "is set up" in sent["text"]
    [link] = [u for u in urls(sent) if "start=join-" in u]
    assert link.startswith(f"https://t.me/{BOT_USERNAME}?start=join-")
    return link.rsplit("join-", 1)[1]


async def join(bot: InProcessBot, user: int, code: str) -> dict[str, Any]:
    [welcome] = [m for m in await bot.say(user, f"/start join-{code}") if m.get("reply_markup")]
    assert "Welcome to the cohort" in welcome["text"]
    return welcome


def db_value(bot: InProcessBot, sql: str, *params: object) -> Any:
    rows = bot.db_rows(sql, params)
    return rows[0][0] if rows else None


# -- manners in groups ----------------------------------------------------------------------------


async def test_group_silence_then_answers_to_mention_reply_and_ask(bot: InProcessBot, fake_api):
    assert await bot.say(GROUP, "anyone here passed step 1 already?", user_id=11) == []
    assert await bot.say(GROUP, "yes me, last month", user_id=12) == []
    since = fake_api.mark()
    mention = await bot.message(GROUP, f"@{BOT_USERNAME} is step 1 pass fail", user_id=11)
    [answer] = fake_api.sent_messages(GROUP, since=since)
    assert quoted_id(answer) == mention["message"]["message_id"]
    assert "Step 1" in answer["text"]
    assert any("start=t-usmle-step1" in u for u in urls(answer))  # continue in private

    since = fake_api.mark()
    reply = await bot.message(GROUP, "and what score on step 2 ck?", user_id=12, reply_to=answer)
    [second] = fake_api.sent_messages(GROUP, since=since)
    assert quoted_id(second) == reply["message"]["message_id"]
    # A specific question gets an entry's short answer: the link continues with that entry.
    step2ck = {"t-usmle-step2ck"} | {
        f"e-{e.id}" for e in repo_knowledge().entries_of("usmle-step2ck")
    }
    assert any(u.rsplit("start=", 1)[-1] in step2ck for u in urls(second))

    since = fake_api.mark()
    ask = await bot.message(GROUP, "/ask is step 1 pass fail", user_id=13)
    [third] = fake_api.sent_messages(GROUP, since=since)
    assert quoted_id(third) == ask["message"]["message_id"]

    # In a forum, the answer stays in the asker's topic.
    forum, topic = -100777, 55
    [answer] = await bot.say(forum, "/ask is step 1 pass fail", user_id=13, message_thread_id=topic)
    assert answer["params"]["message_thread_id"] == topic
    # The group gets the short answer; the private chat gets the full one.
    private = await bot.say(13, "/start t-usmle-step1")
    assert len(third["text"]) < len(private[0]["text"])


async def test_channel_posts_get_no_answers(bot: InProcessBot, fake_api):
    await bot.feed(fake_api.channel_post(-1007, "/ask is step 1 pass fail", push=False))
    await bot.feed(fake_api.channel_post(-1007, f"@{BOT_USERNAME} is step 1 pass fail", push=False))
    assert fake_api.sent_messages(-1007) == []
    assert await bot.say(5, "/help"), "the bot still answers"


# -- cohorts --------------------------------------------------------------------------------------


async def test_cohort_admin_only_join_by_link_and_anonymous_aggregate(bot: InProcessBot, fake_api):
    [refused] = await bot.say(GROUP, "/cohort create Lahore 2027", user_id=MEMBERS[0])
    assert "only this group's admins" in refused["text"]

    code = await create_cohort(bot, GROUP)
    assert "not valid" in text_of(await bot.say(30, "/start join-forged123"))

    # Four members join by the deep link; three share (two passed Step 1), one does not share.
    for i, user in enumerate(MEMBERS):
        fake_api.set_user(user, first_name=f"Secretname{user}")
        welcome = await join(bot, user, code)
        steps = "passed" if i in (0, 1, 3) else "preparing"
        assert "Saved" in text_of(await bot.say(user, f"/profile set step1 {steps}"))
        if i < 3:
            pressed = await bot.press_button(
                user, "Share anonymously", message_id=welcome["message_id"]
            )
            assert "You share your progress" in text_of(pressed.shown)

    [status] = await bot.say(GROUP, "/cohort", user_id=MEMBERS[3])
    text = status["text"]
    assert "Cohort Lahore" in text and "Match 2027" in text and "5 members" in text
    assert "Of 3 members who share progress: 2 passed Step 1" in text
    assert "Secretname" not in text and "User" not in text

    [refused] = await bot.say(GROUP, "/cohort reminders 30 7 1", user_id=MEMBERS[0])
    assert "only this group's admins" in refused["text"]
    [done] = await bot.say(GROUP, "/cohort reminders 30 7 1", user_id=ADMIN)
    assert "30 and 7 and 1 days" in done["text"]


async def test_forged_cohort_button_gets_a_polite_answer(bot: InProcessBot):
    await bot.say(40, "/start")
    pressed = await bot.press(40, "1|c|link|-1001234")
    assert pressed.answer.ok and "not in a cohort" in pressed.notice


# -- reminders in groups and channels -------------------------------------------------------------


async def test_group_reminders_once_and_none_after_removal(
    bot: InProcessBot, fake_api: FakeBotApi, knowledge: Path
):
    write_deadlines(knowledge, days_ahead=10)  # nothing due yet
    await bot.say(ADMIN, "/reload")
    kept, removed = GROUP, -301
    await create_cohort(bot, kept)
    await create_cohort(bot, removed, "Karachi")
    await bot.feed(fake_api.my_chat_member(removed, ADMIN, old="member", new="left", push=False))
    assert db_value(bot, "SELECT active = 0 FROM chats WHERE chat_id = ?", removed)
    await bot.sweep()

    write_deadlines(knowledge, days_ahead=1 - 5 / 1440)  # now due: reload, as an admin would
    since = fake_api.mark()
    assert "Reloaded" in text_of(await bot.say(ADMIN, "/reload"))
    await bot.sweep()
    [reminder] = fake_api.sent_messages(kept, since=since)
    assert EVENT_TITLE in reminder["text"]
    assert "1 day left" in reminder["text"] or "That is today" in reminder["text"]
    assert db_value(bot, "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")

    # Once it is recorded as sent, later sweeps plan it again and find it already planned.
    await bot.sweep()
    await bot.sweep()
    assert len(fake_api.sent_messages(kept, since=since)) == 1
    assert fake_api.sent_messages(removed, since=since) == []


async def test_linked_channel_gets_reminders_and_the_digest(
    fake_api: FakeBotApi, tmp_path: Path, knowledge: Path
):
    write_deadlines(knowledge, days_ahead=10)
    async with inprocess_bot(fake_api, tmp_path, {1}, knowledge_dir=knowledge) as bot:
        channel = -1009
        code = await create_cohort(bot, GROUP)
        fake_api.channel_post(channel, "Welcome to our channel", push=False)  # a channel

        since = fake_api.mark()
        await bot.feed(fake_api.my_chat_member(channel, ADMIN, "left", "administrator", push=False))
        [offer] = fake_api.sent_messages(ADMIN, since=since)
        assert "Link it to the cohort Lahore" in offer["text"]
        # A member who administers the channel but not the cohort's group cannot link it, even
        # with the very callback data of the offer.
        await join(bot, MEMBERS[0], code)
        fake_api.set_chat_admin(channel, MEMBERS[0])
        forged = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        refused = await bot.press(MEMBERS[0], forged)
        assert "Only an admin of the cohort's group" in refused.notice

        fake_api.set_chat_admin(channel, ADMIN)
        since = fake_api.mark()
        linked = await bot.press_button(ADMIN, "Link it", message_id=offer["message_id"])
        assert "Linked" in text_of(linked.shown)
        await bot.sweep()
        [digest] = fake_api.sent_messages(channel, since=since)
        assert "What's ahead for Lahore" in digest["text"] and EVENT_TITLE in digest["text"]

        write_deadlines(knowledge, days_ahead=1 - 5 / 1440)
        since = fake_api.mark()
        await bot.say(1, "/reload")
        await bot.sweep()
        for chat in (channel, GROUP):
            [reminder] = fake_api.sent_messages(chat, since=since)
            assert f"Reminder: {EVENT_TITLE}" in reminder["text"]


# -- supergroup upgrade ---------------------------------------------------------------------------


async def test_migration_to_a_supergroup_keeps_the_cohort(bot: InProcessBot, fake_api: FakeBotApi):
    new_id = -100300
    await create_cohort(bot, GROUP)
    fake_api.migrate_chat(GROUP, new_id)
    service = fake_api.message(GROUP, "", user_id=ADMIN, push=False)
    del service["message"]["text"]
    service["message"]["migrate_to_chat_id"] = new_id
    await bot.feed(service)
    assert db_value(bot, "SELECT 1 FROM cohorts WHERE chat_id = ?", new_id)
    [status] = await bot.say(new_id, "/cohort", user_id=11)
    assert "Cohort Lahore" in status["text"]

    # Without the service message: a reply to the old id fails, and the error moves the cohort.
    old2, new2 = -400, -100400
    await create_cohort(bot, old2, "Cairo")
    fake_api.migrate_chat(old2, new2)
    since = fake_api.mark()
    await bot.message(old2, "/cohort", user_id=11)
    assert fake_api.calls("sendMessage", since=since)[0].status == 400
    assert db_value(bot, "SELECT 1 FROM cohorts WHERE chat_id = ?", new2)
    assert "Cohort Cairo" in text_of(await bot.say(new2, "/cohort", user_id=11))


# -- inline mode ----------------------------------------------------------------------------------


def inline_results(fake: FakeBotApi, since: int) -> list[dict[str, Any]]:
    [call] = fake.calls("answerInlineQuery", since=since)
    assert call.ok, call.short()
    results = call.params["results"]
    return json.loads(results) if isinstance(results, str) else results


async def test_inline_query_offers_sourced_answers(bot: InProcessBot, fake_api: FakeBotApi):
    since = fake_api.mark()
    await bot.feed(fake_api.inline_query(50, "is step 1 pass fail", push=False))
    results = inline_results(fake_api, since)
    assert results[0]["id"] == "usmle-step1"
    content = results[0]["input_message_content"]["message_text"]
    assert "Official sources" in content and "href=" in content
    buttons = results[0]["reply_markup"]["inline_keyboard"][0]
    assert buttons[0]["url"] == f"https://t.me/{BOT_USERNAME}?start=t-usmle-step1"

    # A specific question: the entry's short answer first, then its topic.
    since = fake_api.mark()
    await bot.feed(
        fake_api.inline_query(50, "how many programs can I apply to in SOAP", push=False)
    )
    results = inline_results(fake_api, since)
    entry_id = results[0]["id"].removeprefix("e-")
    assert results[0]["id"] == f"e-{entry_id}" and results[1]["id"] == "soap"
    assert repo_knowledge().entry(entry_id).topic == "soap"  # type: ignore[union-attr]
    link = results[0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link == f"https://t.me/{BOT_USERNAME}?start=e-{entry_id}"

    since = fake_api.mark()
    await bot.feed(fake_api.inline_query(50, "", push=False))
    assert 3 <= len(inline_results(fake_api, since)) <= 10
    # The results are the bot's; nothing is sent to a chat by inline mode.
    assert fake_api.sent_messages(50) == []


async def test_a_group_reply_that_draws_chat_migrated_is_resent_to_the_supergroup(
    bot: InProcessBot, fake_api: FakeBotApi
):
    group, supergroup = -310, -100310
    await create_cohort(bot, group)
    fake_api.migrate_chat(group, supergroup)  # upgraded while the next reply is on its way
    since = fake_api.mark()
    await bot.message(group, "/cohort", user_id=ADMIN)
    [refused] = [c for c in fake_api.calls("sendMessage", since=since) if c.status == 400]
    assert refused.params["chat_id"] == group
    [resent] = fake_api.sent_messages(supergroup, since=since)
    assert "Cohort Lahore" in resent["text"], "the reply is re-sent, not lost"
    # The cohort moved with it: asked in the supergroup, it answers there.
    assert "Cohort Lahore" in text_of(await bot.say(supergroup, "/cohort", user_id=ADMIN))
