"""Groups, cohorts, channels and inline mode, end to end: the real bot process against the fake
Bot API server. Waits are on observable events (a Bot API call, a database row), never sleeps."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import StartBot
from fakeapi import BOT_ID, BOT_USERNAME, BotProcess, FakeBotApi

from bot.core.knowledge import load_knowledge

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


def wait_until(condition: Callable[[], Any], timeout: float = 10, what: str = "condition") -> Any:
    """Poll something outside the fake (the bot's SQLite file) until it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_sweeps(bot: BotProcess, count: int, timeout: float = 10) -> None:
    """Wait until `count` more reminder sweeps started (each touches the heartbeat file)."""
    heartbeat = Path(f"{bot.db_path}.heartbeat")
    for _ in range(count):
        before = heartbeat.stat().st_mtime_ns if heartbeat.exists() else 0
        wait_until(
            lambda b=before: heartbeat.exists() and heartbeat.stat().st_mtime_ns > b,
            timeout,
            "a reminder sweep",
        )


def db_value(bot: BotProcess, sql: str, *params: object) -> Any:
    with sqlite3.connect(f"file:{bot.db_path}?mode=ro", uri=True, timeout=5) as db:
        row = db.execute(sql, params).fetchone()
    return None if row is None else row[0]


def quoted_id(sent: dict[str, Any]) -> int | None:
    params = sent["params"].get("reply_parameters") or {}
    return params.get("message_id")


def urls(sent: dict[str, Any]) -> list[str]:
    return [b["url"] for b in FakeBotApi.buttons(sent) if "url" in b]


def create_cohort(fake: FakeBotApi, group: int, name: str = "Lahore") -> str:
    """An admin creates a cohort in `group`; returns the join code from the deep link."""
    fake.set_chat_admin(group, ADMIN)
    since = fake.mark()
    fake.message(group, f"/cohort create {name} 2027", user_id=ADMIN)
    sent = fake.wait_for_message(group, contains="is set up", since=since)
    [link] = [u for u in urls(sent) if "start=join-" in u]
    assert link.startswith(f"https://t.me/{BOT_USERNAME}?start=join-")
    return link.rsplit("join-", 1)[1]


def join(fake: FakeBotApi, user: int, code: str) -> dict[str, Any]:
    since = fake.mark()
    fake.message(user, f"/start join-{code}")
    return fake.wait_for_message(user, contains="Welcome to the cohort", since=since)


# -- manners in groups ----------------------------------------------------------------------------


def test_group_silence_then_answers_to_mention_reply_and_ask(fake_api: FakeBotApi, bot: StartBot):
    bot()
    since = fake_api.mark()
    fake_api.message(GROUP, "anyone here passed step 1 already?", user_id=11)
    fake_api.message(GROUP, "yes me, last month", user_id=12)
    mention = fake_api.message(GROUP, f"@{BOT_USERNAME} is step 1 pass fail", user_id=11)
    # Updates of one chat are handled in order, so the first message after the chatter is the
    # answer to the mention: the bot said nothing to the chatter.
    answer = fake_api.wait_for_message(GROUP, since=since)
    assert quoted_id(answer) == mention["message"]["message_id"]
    assert "Step 1" in answer["text"]
    assert any("start=t-usmle-step1" in u for u in urls(answer))  # continue in private

    since = fake_api.mark()
    reply = fake_api.message(GROUP, "and what score on step 2 ck?", user_id=12, reply_to=answer)
    second = fake_api.wait_for_message(GROUP, since=since)
    assert quoted_id(second) == reply["message"]["message_id"]
    # A specific question gets an entry's short answer: the link continues with that entry.
    step2ck = {"t-usmle-step2ck"} | {
        f"e-{e.id}" for e in load_knowledge().entries_of("usmle-step2ck")
    }
    assert any(u.rsplit("start=", 1)[-1] in step2ck for u in urls(second))

    since = fake_api.mark()
    ask = fake_api.message(GROUP, "/ask is step 1 pass fail", user_id=13)
    third = fake_api.wait_for_message(GROUP, since=since)
    assert quoted_id(third) == ask["message"]["message_id"]

    # In a forum, the answer stays in the asker's topic.
    forum, topic = -100777, 55
    since = fake_api.mark()
    fake_api.message(forum, "/ask is step 1 pass fail", user_id=13, message_thread_id=topic)
    assert fake_api.wait_for_message(forum, since=since)["params"]["message_thread_id"] == topic
    # The group gets the short answer; the private chat gets the full one.
    since = fake_api.mark()
    fake_api.message(13, "/start t-usmle-step1")
    private = fake_api.wait_for_message(13, since=since)
    assert len(third["text"]) < len(private["text"])


def test_channel_posts_get_no_answers(fake_api: FakeBotApi, bot: StartBot):
    bot()
    fake_api.channel_post(-1007, "/ask is step 1 pass fail")
    fake_api.channel_post(-1007, f"@{BOT_USERNAME} is step 1 pass fail")
    since = fake_api.mark()
    fake_api.message(5, "/help")  # handled after the posts were fetched
    fake_api.wait_for_message(5, since=since)
    assert fake_api.sent_messages(-1007) == []


# -- cohorts --------------------------------------------------------------------------------------


def test_cohort_admin_only_join_by_link_and_anonymous_aggregate(
    fake_api: FakeBotApi, bot: StartBot
):
    bot()
    since = fake_api.mark()
    fake_api.message(GROUP, "/cohort create Lahore 2027", user_id=MEMBERS[0])
    refused = fake_api.wait_for_message(GROUP, since=since)
    assert "only this group's admins" in refused["text"]

    code = create_cohort(fake_api, GROUP)
    since = fake_api.mark()
    fake_api.message(30, "/start join-forged123")
    assert "not valid" in fake_api.wait_for_message(30, since=since)["text"]

    # Four members join by the deep link; three share (two passed Step 1), one does not share.
    for i, user in enumerate(MEMBERS):
        fake_api.set_user(user, first_name=f"Secretname{user}")
        welcome = join(fake_api, user, code)
        steps = "passed" if i in (0, 1, 3) else "preparing"
        since = fake_api.mark()
        fake_api.message(user, f"/profile set step1 {steps}")
        fake_api.wait_for_message(user, contains="Saved", since=since)
        if i < 3:
            since = fake_api.mark()
            fake_api.press_button(user, "Share anonymously", message_id=welcome["message_id"])
            fake_api.wait_for_message(user, contains="You share your progress", since=since)

    since = fake_api.mark()
    fake_api.message(GROUP, "/cohort", user_id=MEMBERS[3])
    status = fake_api.wait_for_message(GROUP, since=since)
    text = status["text"]
    assert "Cohort Lahore" in text and "Match 2027" in text and "5 members" in text
    assert "Of 3 members who share progress: 2 passed Step 1" in text
    assert "Secretname" not in text and "User" not in text

    since = fake_api.mark()
    fake_api.message(GROUP, "/cohort reminders 30 7 1", user_id=MEMBERS[0])
    assert "only this group's admins" in fake_api.wait_for_message(GROUP, since=since)["text"]
    since = fake_api.mark()
    fake_api.message(GROUP, "/cohort reminders 30 7 1", user_id=ADMIN)
    assert "30 and 7 and 1 days" in fake_api.wait_for_message(GROUP, since=since)["text"]


def test_forged_cohort_button_gets_a_polite_answer(fake_api: FakeBotApi, bot: StartBot):
    bot()
    since = fake_api.mark()
    fake_api.message(40, "/start")
    fake_api.wait_for_message(40, since=since)
    fake_api.callback(40, "1|c|link|-1001234")
    call = fake_api.wait_for(lambda c: c.method == "answerCallbackQuery", since=since)
    assert call.ok and "not in a cohort" in call.params.get("text", "")


# -- reminders in groups and channels -------------------------------------------------------------


def test_group_reminders_once_and_none_after_removal(
    fake_api: FakeBotApi, bot: StartBot, knowledge: Path
):
    write_deadlines(knowledge, days_ahead=10)  # nothing due yet
    process = bot(IMGBOT_KNOWLEDGE_DIR=str(knowledge), IMGBOT_ADMINS=str(ADMIN))
    kept, removed = GROUP, -301
    create_cohort(fake_api, kept)
    create_cohort(fake_api, removed, "Karachi")
    fake_api.my_chat_member(removed, ADMIN, old="member", new="left")
    wait_until(
        lambda: db_value(process, "SELECT active = 0 FROM chats WHERE chat_id = ?", removed),
        what="the removed group marked inactive",
    )

    write_deadlines(knowledge, days_ahead=1 - 5 / 1440)  # now due: reload, as an admin would
    since = fake_api.mark()
    fake_api.message(ADMIN, "/reload")
    fake_api.wait_for_message(ADMIN, contains="Reloaded", since=since)
    reminder = fake_api.wait_for_message(kept, contains=EVENT_TITLE, since=since)
    assert "1 day left" in reminder["text"] or "That is today" in reminder["text"]

    # Once it is recorded as sent, later sweeps plan it again and find it already planned.
    wait_until(
        lambda: db_value(process, "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"),
        what="the reminder recorded as sent",
    )
    wait_sweeps(process, 2)
    assert len(fake_api.sent_messages(kept, since=since)) == 1
    assert fake_api.sent_messages(removed, since=since) == []


def test_linked_channel_gets_reminders_and_the_digest(
    fake_api: FakeBotApi, bot: StartBot, knowledge: Path
):
    write_deadlines(knowledge, days_ahead=10)
    bot(IMGBOT_KNOWLEDGE_DIR=str(knowledge), IMGBOT_ADMINS="1")
    channel = -1009
    code = create_cohort(fake_api, GROUP)
    fake_api.channel_post(channel, "Welcome to our channel", push=False)  # a channel, not a group

    since = fake_api.mark()
    fake_api.my_chat_member(channel, ADMIN, old="left", new="administrator")
    offer = fake_api.wait_for_message(ADMIN, contains="Link it to the cohort Lahore", since=since)
    # A member who administers the channel but not the cohort's group cannot link it, even
    # with the very callback data of the offer.
    join(fake_api, MEMBERS[0], code)
    fake_api.set_chat_admin(channel, MEMBERS[0])
    forged = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    mark = fake_api.mark()
    fake_api.callback(MEMBERS[0], forged)
    refused = fake_api.wait_for(lambda c: c.method == "answerCallbackQuery", since=mark)
    assert "Only an admin of the cohort's group" in refused.params.get("text", "")

    fake_api.set_chat_admin(channel, ADMIN)
    mark = fake_api.mark()
    fake_api.press_button(ADMIN, "Link it", message_id=offer["message_id"])
    fake_api.wait_for_message(ADMIN, contains="Linked", since=mark)
    digest = fake_api.wait_for_message(channel, contains="What's ahead for Lahore", since=mark)
    assert EVENT_TITLE in digest["text"]

    write_deadlines(knowledge, days_ahead=1 - 5 / 1440)
    mark = fake_api.mark()
    fake_api.message(1, "/reload")
    fake_api.wait_for_message(channel, contains=f"Reminder: {EVENT_TITLE}", since=mark)
    fake_api.wait_for_message(GROUP, contains=f"Reminder: {EVENT_TITLE}", since=mark)


# -- supergroup upgrade ---------------------------------------------------------------------------


def test_migration_to_a_supergroup_keeps_the_cohort(fake_api: FakeBotApi, bot: StartBot):
    process = bot()
    new_id = -100300
    create_cohort(fake_api, GROUP)
    fake_api.migrate_chat(GROUP, new_id)
    service = fake_api.message(GROUP, "", user_id=ADMIN, push=False)
    del service["message"]["text"]
    service["message"]["migrate_to_chat_id"] = new_id
    fake_api.push_update(service)
    # The old and the new chat are handled concurrently: wait for the move, then ask there.
    wait_until(
        lambda: db_value(process, "SELECT 1 FROM cohorts WHERE chat_id = ?", new_id),
        what="the cohort moved to the supergroup",
    )
    since = fake_api.mark()
    fake_api.message(new_id, "/cohort", user_id=11)
    status = fake_api.wait_for_message(new_id, since=since)
    assert "Cohort Lahore" in status["text"]

    # Without the service message: a reply to the old id fails, and the error moves the cohort.
    old2, new2 = -400, -100400
    create_cohort(fake_api, old2, "Cairo")
    fake_api.migrate_chat(old2, new2)
    since = fake_api.mark()
    fake_api.message(old2, "/cohort", user_id=11)
    fake_api.wait_for(lambda c: c.method == "sendMessage" and c.status == 400, since=since)
    wait_until(
        lambda: db_value(process, "SELECT 1 FROM cohorts WHERE chat_id = ?", new2),
        what="the cohort moved after ChatMigrated",
    )
    fake_api.message(new2, "/cohort", user_id=11)
    assert "Cohort Cairo" in fake_api.wait_for_message(new2, since=since)["text"]


# -- inline mode ----------------------------------------------------------------------------------


def test_inline_query_offers_sourced_answers(fake_api: FakeBotApi, bot: StartBot):
    bot()
    since = fake_api.mark()
    fake_api.inline_query(50, "is step 1 pass fail")
    call = fake_api.wait_for(lambda c: c.method == "answerInlineQuery", since=since)
    assert call.ok
    results = call.params["results"]
    results = json.loads(results) if isinstance(results, str) else results
    assert results[0]["id"] == "usmle-step1"
    content = results[0]["input_message_content"]["message_text"]
    assert "Official sources" in content and "href=" in content
    buttons = results[0]["reply_markup"]["inline_keyboard"][0]
    assert buttons[0]["url"] == f"https://t.me/{BOT_USERNAME}?start=t-usmle-step1"

    # A specific question: the entry's short answer first, then its topic.
    since = fake_api.mark()
    fake_api.inline_query(50, "how many programs can I apply to in SOAP")
    call = fake_api.wait_for(lambda c: c.method == "answerInlineQuery", since=since)
    results = call.params["results"]
    results = json.loads(results) if isinstance(results, str) else results
    entry_id = results[0]["id"].removeprefix("e-")
    assert results[0]["id"] == f"e-{entry_id}" and results[1]["id"] == "soap"
    assert load_knowledge().entry(entry_id).topic == "soap"  # type: ignore[union-attr]
    link = results[0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link == f"https://t.me/{BOT_USERNAME}?start=e-{entry_id}"

    since = fake_api.mark()
    fake_api.inline_query(50, "")
    call = fake_api.wait_for(lambda c: c.method == "answerInlineQuery", since=since)
    assert call.ok and 3 <= len(call.params["results"]) <= 10
    assert BOT_ID  # the results are the bot's; nothing is sent to a chat by inline mode
    assert fake_api.sent_messages(50) == []
