"""Issue 3: a private chat with the bot's real Application, in process, against the fake Bot API.

Each test has its own Application and SQLite file (tests/tg/inprocess.py); the kill -9 in the
middle of a dialog needs a real process and lives in test_crash_e2e.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fakeapi import BOT_USERNAME, FakeBotApi
from helpers import labels, text_of, with_buttons
from inprocess import InProcessBot, inprocess_bot
from knowledge_once import repo_knowledge

from bot.core import texts
from bot.core.models import Reply
from bot.core.questions.answers import Answers
from bot.core.questions.words import normalise
from bot.tg.render import MAX_MESSAGE, render, split_message

JSON = dict[str, Any]
ADMIN = 7
_users = itertools.count(50_001)

# Candidates for each kind of reply; the test picks the first one the real matcher classifies as
# wanted, so tuning the matcher does not break these tests (the bot runs the same matcher).
ANSWERED = ("is step 1 pass fail", "is step 1 pass/fail now", "what is the ECFMG certification")
UNSURE = ("visa", "residency visa", "certificate", "usmle", "letters", "exam")
OFF_TOPIC = (
    "what is the best pizza topping in naples",
    "how do I fix my car gearbox",
    "who won the football world cup in 1998",
)
OFF_TOPIC_TWICE = (
    "how do I bake sourdough bread at home",
    "what is the capital of australia",
    "best laptop for gaming under 1000 dollars",
)


@cache
def _answers() -> Answers:
    return Answers(repo_knowledge())


def pick(kind: str, candidates: tuple[str, ...]) -> str:
    """The first candidate question the bot's own matcher classifies as `kind`."""
    for text in candidates:
        if _answers().matcher.match(text).kind == kind:
            return text
    pytest.fail(f"none of {candidates} is classified as {kind!r} any more; update the test")


def new_user() -> int:
    return next(_users)


# -- helpers -----------------------------------------------------------------------------------


async def press(bot: InProcessBot, user: int, label: str, **where: Any) -> tuple[str, list[JSON]]:
    """Press a button as `user`; returns (the callback answer's text, what the bot showed)."""
    pressed = await bot.press_button(user, label, **where)
    return pressed.notice, pressed.shown


async def forge(bot: InProcessBot, user: int, data: str) -> tuple[str, list[JSON]]:
    pressed = await bot.press(user, data)
    return pressed.notice, pressed.shown


def is_active(bot: InProcessBot, chat_id: int) -> bool:
    rows = bot.db_rows("SELECT active FROM chats WHERE chat_id = ?", (chat_id,))
    return not rows or bool(rows[0][0])


async def export(bot: InProcessBot, user: int) -> JSON:
    messages = await bot.say(user, "/export")
    docs = [m for m in messages if m["document"] is not None]
    assert docs, f"/export sent no document: {messages}"
    assert docs[0]["document"].filename.endswith(".json")
    return json.loads(docs[0]["document"].content)


async def answer_dialog(
    bot: InProcessBot, user: int, first: list[JSON], max_steps: int = 40
) -> list[str]:
    """Answer /next by pressing buttons until the plan appears; returns the questions seen.

    Uses Skip once and Back once on the way, so both paths are exercised.
    """
    asked: list[str] = []
    shown, skipped, went_back = first, False, False
    for _ in range(max_steps):
        current = with_buttons(shown) if any(m.get("reply_markup") for m in shown) else shown[-1]
        if "Your plan" in current["text"]:
            assert skipped and went_back, "the dialog was too short to try Skip and Back"
            return asked
        asked.append(current["text"].split("\n")[0])
        options = [
            b["text"]
            for b in FakeBotApi.buttons(current)
            if b.get("callback_data", "").startswith("1|p|")
        ]
        if not skipped and len(asked) == 2:
            skipped = True
            notice, shown = await press(bot, user, "Skip", message_id=current["message_id"])
        elif not went_back and len(asked) == 4 and "Back" in "".join(labels(current)):
            went_back = True
            notice, shown = await press(bot, user, "Back", message_id=current["message_id"])
            assert shown, "Back showed nothing"
            assert shown[-1]["text"].split("\n")[0] == asked[-2], "Back did not go back"
            asked.pop()
            asked.pop()
            continue
        else:
            assert options, f"a dialog question without answer buttons: {current}"
            notice, shown = await press(bot, user, options[0], message_id=current["message_id"])
            assert notice and "Saved" in notice
        assert shown, f"no next question after pressing on {current['text']!r}"
    pytest.fail(f"the dialog did not end in {max_steps} steps: {asked}")


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
async def bot(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[InProcessBot]:
    async with inprocess_bot(fake_api, tmp_path, admins={ADMIN}) as running:
        yield running


# -- /start, commands, questions ----------------------------------------------------------------


async def test_start_welcomes_and_says_what_is_stored(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    messages = await bot.say(user, "/start")
    text = text_of(messages)
    assert "Hello" in text
    assert "What I store" in text and "/export" in text and "/forget" in text
    assert any("What should I do next" in label for m in messages for label in labels(m))
    assert all(m["parse_mode"] == "HTML" for m in messages)


async def test_question_is_answered_with_sources_review_date_and_buttons(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    messages = await bot.say(user, pick("answer", ANSWERED))
    raw = "\n".join(m["raw"] for m in messages)
    assert raw.startswith("<b>"), "the answer starts with its title in bold"
    assert '<a href="https://' in raw and "Official sources" in raw
    assert "Reviewed 20" in text_of(messages)
    buttons = labels(with_buttons(messages))
    assert any(b.startswith("👍") for b in buttons) and any(b.startswith("👎") for b in buttons)
    assert any(b.startswith("➡️") for b in buttons), f"no related topics: {buttons}"


async def test_thumbs_up_is_stored(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    user = new_user()
    question = pick("answer", ANSWERED)
    await bot.say(user, question)
    notice, shown = await press(bot, user, "👍")
    assert notice and "Thank you" in notice
    assert shown == [], "a vote only answers the button"
    topic = _answers().matcher.match(question).matches[0].topic
    assert bot.db_rows("SELECT topic, helpful FROM feedback WHERE user_id = ?", (user,)) == [
        (topic, 1)
    ]
    assert (await export(bot, user))["feedback"][0]["topic"] == topic


async def test_unsure_question_offers_did_you_mean_and_a_press_shows_the_topic(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    question = pick("suggest", UNSURE)
    messages = await bot.say(user, question)
    assert texts.SUGGEST in text_of(messages)
    buttons = FakeBotApi.buttons(with_buttons(messages))
    assert len(buttons) >= 2 and all(b["callback_data"].startswith("1|t|") for b in buttons)
    topic = _answers().kb.topic(buttons[0]["callback_data"].split("|")[2])
    assert topic is not None
    _, shown = await press(bot, user, buttons[0]["text"])
    assert shown and shown[0]["text"].startswith(topic.title)
    assert "Official sources" in text_of(shown)


async def test_out_of_scope_gets_an_honest_reply(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    user = new_user()
    messages = await bot.say(user, pick("none", OFF_TOPIC))
    assert "I don't know this one" in text_of(messages)
    assert "https://www.ecfmg.org" in text_of(messages)


async def test_ask_command(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    user = new_user()
    question = pick("answer", ANSWERED)
    topic = _answers().kb.topic(_answers().matcher.match(question).matches[0].topic)
    assert topic is not None
    assert text_of(await bot.say(user, f"/ask {question}")).startswith(topic.title)
    assert "Type your question after /ask" in text_of(await bot.say(user, "/ask"))


async def test_topics_browse_by_stage(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    user = new_user()
    stages = with_buttons(await bot.say(user, "/topics"))
    assert labels(stages)[0].startswith("1. ")
    _, shown = await press(bot, user, labels(stages)[0])
    assert shown and shown[-1]["method"] == "editMessageText", "a stage replaces the stage list"
    topic_buttons = labels(shown[-1])
    assert "⬅️ All stages" in topic_buttons and len(topic_buttons) >= 2
    _, shown = await press(bot, user, topic_buttons[0])
    assert shown and shown[0]["text"].startswith(topic_buttons[0])
    _, back = await press(bot, user, "All stages", message_id=stages["message_id"])
    assert back and back[-1]["text"].startswith("The road to a US residency")


async def test_whole_next_dialog_by_buttons_until_the_plan(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    first = await bot.say(user, "/next")
    asked = await answer_dialog(bot, user, first)
    assert len(asked) >= 3
    plan = fake_api.sent_messages(user)[-1]
    assert "Your plan" in plan["text"] and "1. " in plan["text"]
    assert any("Progress" in b for b in labels(plan))
    stored = bot.db_rows("SELECT data FROM profiles WHERE user_id = ?", (user,))
    assert stored and json.loads(stored[0][0]), "the answers are in the database"
    dialog = bot.db_rows("SELECT data FROM dialogs WHERE user_id = ?", (user,))
    assert not dialog or not json.loads(dialog[0][0])["active"], "the dialog is over"
    # /next again goes straight to the plan: a skipped question is not asked again.
    assert "Your plan" in text_of(await bot.say(user, "/next"))


async def test_profile_progress_and_profile_set(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    user = new_user()
    assert "No answers yet" in text_of(await bot.say(user, "/profile"))
    assert "Saved: step1 = passed" in text_of(await bot.say(user, "/profile set step1 passed"))
    assert "passed" in text_of(await bot.say(user, "/profile"))

    def step1() -> Any:
        rows = bot.db_rows("SELECT data FROM profiles WHERE user_id = ?", (user,))
        return json.loads(rows[0][0]).get("step1")

    for bad in ("/profile set step1 maybe", "/profile set shoe_size 42", "/profile set step1"):
        reply = text_of(await bot.say(user, bad))
        assert "Nothing was changed" in reply or "There is no field" in reply or "Usage" in reply
        assert step1() == "passed", f"{bad!r} changed the profile"
    progress = text_of(await bot.say(user, "/progress"))
    assert "✅" in progress and "➡️ next" in progress


async def test_export_and_forget_with_confirmation(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    user = new_user()
    await bot.say(user, "/profile set step2ck scheduled")
    await bot.say(user, pick("answer", ANSWERED))
    data = await export(bot, user)
    assert data["profile"]["step2ck"] == "scheduled"
    assert data["questions"] and data["user"]["id"] == user

    forget = with_buttons(await bot.say(user, "/forget"))
    assert "cannot be undone" in forget["text"]
    _, shown = await press(bot, user, "No, keep it")
    assert "nothing was deleted" in text_of(shown)
    assert (await export(bot, user))["profile"]["step2ck"] == "scheduled"

    await bot.say(user, "/forget")
    _, shown = await press(bot, user, "Yes, delete everything")
    assert "I deleted everything" in text_of(shown)
    after = await export(bot, user)
    assert not any(after["profile"].values()) and after["questions"] == []
    assert after["feedback"] == [] and after["user"] is None
    assert bot.db_rows("SELECT count(*) FROM questions WHERE user_id = ?", (user,)) == [(0,)]


async def test_forged_callback_data_gets_a_polite_answer(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    await bot.say(user, "/start")
    for data in ("1|zz|x", "garbage", "1|p|step1|maybe", "1|p|shoe|big", "1|t|no-such-topic"):
        notice, shown = await forge(bot, user, data)
        assert notice, f"{data!r} got a silent answer"
        assert "out of date" in notice or "no longer exists" in notice
        assert shown == []
    assert "Hello" in text_of(await bot.say(user, "/start"))


async def test_very_long_and_emoji_only_messages_get_a_clear_reply(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    assert "very long (5000 characters)" in text_of(await bot.say(user, "x" * 5000))
    assert "could not find any words" in text_of(await bot.say(user, "😀🎉🙏"))
    assert bot.db_rows("SELECT count(*) FROM questions WHERE user_id = ?", (user,)) == [(0,)]


async def test_sticker_or_voice_note_gets_a_clear_reply(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    sticker = {"file_id": "CAAC1", "file_unique_id": "u1", "type": "regular", "width": 512}
    sticker |= {"height": 512, "is_animated": False, "is_video": False}
    assert "only read text" in text_of(await bot.say(user, "", sticker=sticker))
    voice = {"file_id": "AwAC1", "file_unique_id": "u2", "duration": 3}
    assert "only read text" in text_of(await bot.say(user, "", voice=voice))


async def test_unknown_command_is_not_silent(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    assert "I don't know that command" in text_of(await bot.say(new_user(), "/frobnicate"))


# -- Telegram misbehaving ----------------------------------------------------------------------


async def test_429_on_send_message_delays_the_reply_but_it_arrives(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    # Telegram says whole seconds; half a second is waited out the same way, in half the time.
    fake_api.fail_next("sendMessage", 429, retry_after=0.5, chat_id=user)
    since = fake_api.mark()
    [reply] = await bot.say(user, "/help")
    assert "How to use me" in reply["text"]
    refused = [c for c in fake_api.calls("sendMessage", since=since) if c.status == 429]
    assert len(refused) == 1
    assert fake_api.calls(since=reply["index"] - 1)[0].time - refused[0].time >= 0.5


async def test_502_on_send_message_is_retried(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    user = new_user()
    fake_api.fail_next("sendMessage", 502, chat_id=user)
    since = fake_api.mark()
    assert "How to use me" in text_of(await bot.say(user, "/help"))
    assert [c.status for c in fake_api.calls("sendMessage", since=since)] == [502, 200]


async def test_slow_send_message_beyond_the_read_timeout_does_not_break_the_bot(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    user = new_user()
    # The read timeout is 0.4 s here (production: 5 s).
    async with inprocess_bot(fake_api, tmp_path, request_timeout=0.4) as bot:
        fake_api.delay_next("sendMessage", 0.7)
        since = fake_api.mark()
        await bot.message(user, "/help")  # the first send times out and is retried once
        # A timeout is ambiguous: the slow call still goes through. Wait until it lands (the
        # fake records a call when it answers), then count: at most one extra copy.
        first = fake_api.wait_for_message(user, "How to use me", since=since)
        fake_api.wait_for_message(user, "How to use me", since=first["index"], timeout=10)
        shown = fake_api.sent_messages(user, since=since)
        assert 1 <= sum("How to use me" in m["text"] for m in shown) <= 2
        # The bot keeps answering afterwards.
        assert "Hello" in text_of(await bot.say(user, "/start"))


async def test_blocked_user_is_marked_inactive_and_start_reactivates(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    await bot.say(user, "/start")
    fake_api.block_user(user)
    since = fake_api.mark()
    await bot.message(user, "/help")
    assert [c.status for c in fake_api.calls("sendMessage", since=since)] == [403]
    assert not is_active(bot, user), "inactive after 403"
    fake_api.unblock_user(user)
    await bot.say(user, "/start")
    assert is_active(bot, user), "active after /start"

    await bot.feed(fake_api.my_chat_member(user, user, "member", "kicked", push=False))
    assert not is_active(bot, user), "inactive after kicked"
    await bot.say(user, "/start")
    assert is_active(bot, user), "active after /start again"
    # Unblocking (Telegram sends kicked -> member) also makes the chat reachable again.
    await bot.feed(fake_api.my_chat_member(user, user, "member", "kicked", push=False))
    assert not is_active(bot, user), "inactive after kicked again"
    await bot.feed(fake_api.my_chat_member(user, user, "kicked", "member", push=False))
    assert is_active(bot, user), "active after unblocking"


async def test_button_still_works_when_answering_the_callback_fails(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    """Presses queued while the bot was down arrive too old to answer; the press still counts."""
    user = new_user()
    await bot.say(user, "/topics")
    fake_api.fail_next(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    pressed = await bot.press_button(user, "1. ")
    assert not pressed.answer.ok
    assert "tap a topic" in pressed.shown[0]["text"]
    assert not [m for m in pressed.shown if "went wrong" in m["text"]]


async def test_pressing_a_button_that_changes_nothing_sends_no_duplicate(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    settings = with_buttons(await bot.say(user, "/remind"))
    for _ in range(2):  # UTC is already the zone: the edit would not change the message
        notice, shown = await press(bot, user, "UTC", message_id=settings["message_id"])
        assert notice and "Saved" in notice
        assert [m["method"] for m in shown] in ([], ["editMessageText"])
    assert not [m for m in fake_api.sent_messages(user) if m["index"] > settings["index"]]


async def test_start_deep_link_opens_a_topic(bot: InProcessBot, fake_api: FakeBotApi) -> None:
    topic = _answers().kb.topics[0]
    messages = await bot.say(new_user(), f"/start t-{topic.id}")
    assert text_of(messages).startswith(topic.title)


async def test_unanswered_command_lists_a_question_asked_twice(
    bot: InProcessBot, fake_api: FakeBotApi, imgbot: Callable[..., Any]
) -> None:
    question = pick("none", OFF_TOPIC_TWICE)
    for user in (new_user(), new_user()):
        await bot.say(user, question)
    # The operator's `imgbot unanswered` on the running bot's database; in a thread, as the
    # command runs its own event loop (a process of its own cost ~0.6 s of CPU to start).
    env = {"IMGBOT_DB": str(bot.db_path)}
    done = await asyncio.to_thread(imgbot, "unanswered", "--json", env=env)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {"question": normalise(question), "count": 2} in rows


# -- rendering ---------------------------------------------------------------------------------


async def test_export_in_a_group_posts_nothing_personal_and_links_to_the_private_chat(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user, group = new_user(), -4_000_000 - new_user()
    await bot.say(user, "/profile set step1 passed")
    shown = await bot.say(group, "/export", user_id=user)
    assert shown and all(m["document"] is None for m in shown)
    links = [b.get("url") for m in shown for b in FakeBotApi.buttons(m)]
    assert links == [f"https://t.me/{BOT_USERNAME}?start=export"]
    assert (await export(bot, user))["profile"]["step1"] == "passed"  # what the private chat gets


async def test_a_time_zone_directory_is_an_unknown_zone_not_an_error(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    user = new_user()
    for name in ("America", "Europe", "x" * 300):
        text = text_of(await bot.say(user, f"/remind tz {name}"))
        assert "not a time zone I know" in text and "Sorry" not in text
    assert bot.db_rows("SELECT tz FROM reminders WHERE chat_id = ?", (user,)) in ([], [("UTC",)])


async def test_a_message_without_a_sender_creates_no_user(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    group = -5_000_000 - new_user()
    update = fake_api.message(group, "/ask is step 1 pass fail", push=False)
    del update["message"]["from"]
    await bot.feed(update)
    assert bot.db_rows("SELECT COUNT(*) FROM users WHERE id <= 0") == [(0,)]


def test_split_message_keeps_every_part_under_the_limit() -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 150 for i in range(40)]
    text = "\n\n".join(paragraphs)
    parts = split_message(text)
    assert len(parts) > 1 and all(len(p) <= MAX_MESSAGE for p in parts)
    assert "\n\n".join(parts) == text, "split at paragraph boundaries, nothing lost"

    giant = "line " * 2000  # one paragraph, one line, longer than a message
    assert all(len(p) <= MAX_MESSAGE for p in split_message(giant))
    assert "".join(split_message(giant)) == giant

    listing = "<b>Your deadlines</b>\n\n" + "\n".join(f"• item {i} " + "x" * 60 for i in range(150))
    parts = split_message(listing)
    assert len(parts) > 1 and all(len(p) <= MAX_MESSAGE for p in parts)
    assert "\n\n" not in "".join(parts[1:]), "a long list keeps single line breaks"
    assert "\n".join(parts).replace("\n\n", "\n") == listing.replace("\n\n", "\n")


def test_split_message_never_cuts_an_html_entity() -> None:
    for shift in range(6):
        text = "a" * (MAX_MESSAGE - shift) + "&amp;&lt;b&gt;" * 3 + "z" * 50
        for part in split_message(text):
            assert len(part) <= MAX_MESSAGE
            assert part.count("&") == part.count(";"), f"an entity was cut: ...{part[-8:]!r}"
        assert "".join(split_message(text)) == text


def test_long_reply_puts_the_keyboard_on_the_last_part() -> None:
    from bot.core.models import Button

    reply = Reply("\n\n".join("x" * 1000 for _ in range(10)), buttons=((Button("ok", "1|n"),),))
    out = render(reply, "img_pathway_bot")
    assert len(out) >= 3
    assert [o.markup is not None for o in out] == [False] * (len(out) - 1) + [True]


async def test_progress_sends_the_road_as_a_photo_with_a_caption(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    import io

    from PIL import Image

    user = new_user()
    await bot.say(user, "/profile set step1 passed")
    messages = await bot.say(user, "/progress")
    photos = [m for m in messages if m["method"] == "sendPhoto"]
    assert len(photos) == 1, f"/progress sent no photo: {messages}"
    photo = photos[0]
    assert photo["text"].startswith("Next:") and "1. " in photo["text"]
    assert len(photo["raw"]) <= 1024
    upload = photo["photo"]
    assert upload.filename.endswith(".png") and len(upload.content) > 10_000
    with Image.open(io.BytesIO(upload.content)) as image:
        assert image.format == "PNG"
        assert image.width == 1080 and 800 <= image.height <= 4000
    # The checklist with its button still follows the picture.
    assert "✅" in text_of(messages) and labels(with_buttons(messages)) == ["🧭 My plan"]


async def test_target_choice_buttons_move_or_keep_an_unreachable_target(
    bot: InProcessBot, fake_api: FakeBotApi
) -> None:
    """The buttons the plan offers when the target Match is out of reach (the offer itself is
    tested in tests/core/test_service_plan.py): move saves the new target, keep shows the plan."""
    user = new_user()
    for command in ("step1 passed", "step2ck not-started", "target_match_year 2027"):
        await bot.say(user, f"/profile set {command}")
    notice, shown = await forge(bot, user, "1|nt|move|2028")
    assert notice == "Your target is now the 2028 Match."
    assert "Your plan" in text_of(shown) and any(m["method"] == "sendPhoto" for m in shown)
    rows = bot.db_rows("SELECT data FROM profiles WHERE user_id = ?", (user,))
    assert json.loads(rows[0][0])["target_match_year"] == 2028
    _, shown = await forge(bot, user, "1|nt|keep|2027")
    assert "You kept it as your target" in text_of(shown)
    rows = bot.db_rows("SELECT data FROM profiles WHERE user_id = ?", (user,))
    assert json.loads(rows[0][0])["target_match_year"] == 2028, "keep only shows, saves nothing"


async def test_stats_for_admins_only(bot: InProcessBot) -> None:
    user = new_user()
    await bot.say(user, "what is soap")
    await bot.say(user, "how to cook rice")
    [refused] = await bot.say(user, "/stats")
    assert "only" in refused["text"].lower()
    [stats] = await bot.say(ADMIN, "/stats")
    assert "Users: " in stats["text"]
    assert "Answer rate" in stats["text"] and "cook rice" in stats["text"]
