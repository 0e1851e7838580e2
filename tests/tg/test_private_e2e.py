"""Issue 3, end to end: a private chat with the real `imgbot run` against the fake Bot API.

Most tests share one bot process (module fixture `live`), each with its own user id, so the suite
stays fast; tests that kill, restart or stop the bot start their own with the `bot` fixture.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fakeapi import BOT_USERNAME, BotProcess, FakeBotApi
from fakeapi.harness import REPO_ROOT

from bot.core import texts
from bot.core.knowledge import load_knowledge
from bot.core.models import Reply
from bot.core.questions.answers import Answers
from bot.core.questions.matching import normalise
from bot.tg.render import MAX_MESSAGE, render, split_message

JSON = dict[str, Any]
ADMIN = 7
CLI = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
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
    return Answers(load_knowledge(None))


def pick(kind: str, candidates: tuple[str, ...]) -> str:
    """The first candidate question the bot's own matcher classifies as `kind`."""
    for text in candidates:
        if _answers().matcher.match(text).kind == kind:
            return text
    pytest.fail(f"none of {candidates} is classified as {kind!r} any more; update the test")


def new_user() -> int:
    return next(_users)


# -- helpers -----------------------------------------------------------------------------------


def text_of(messages: list[JSON]) -> str:
    return "\n".join(m["text"] for m in messages)


def labels(message: JSON) -> list[str]:
    return [b["text"] for b in FakeBotApi.buttons(message)]


def with_buttons(messages: list[JSON]) -> JSON:
    """The message carrying the keyboard (the last part of a split answer)."""
    found = [m for m in messages if m.get("reply_markup")]
    assert found, f"no message with buttons in {messages}"
    return found[-1]


def press(api: FakeBotApi, user: int, label: str, **where: Any) -> tuple[str | None, list[JSON]]:
    """Press a button as `user`; returns (the callback answer's text, what the bot showed)."""
    since = api.mark()
    update = api.press_button(user, label, **where)
    return _after_callback(api, user, update, since)


def forge(api: FakeBotApi, user: int, data: str) -> tuple[str | None, list[JSON]]:
    since = api.mark()
    update = api.callback(user, data)
    return _after_callback(api, user, update, since)


def _after_callback(
    api: FakeBotApi, user: int, update: JSON, since: int
) -> tuple[str | None, list[JSON]]:
    answer = api.wait_for_callback_answer(update, since=since)
    api.settle(since=since)
    return answer.params.get("text"), api.sent_messages(user, since=since)


def db_rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return conn.execute(sql, params).fetchall()


def eventually(check: Callable[[], bool], timeout: float = 10, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached within {timeout}s")
        time.sleep(0.05)


def is_active(db: Path, chat_id: int) -> bool:
    rows = db_rows(db, "SELECT active FROM chats WHERE chat_id = ?", (chat_id,))
    return not rows or bool(rows[0][0])


def export(api: FakeBotApi, user: int) -> JSON:
    messages = api.say(user, "/export")
    docs = [m for m in messages if m["document"] is not None]
    assert docs, f"/export sent no document: {messages}"
    assert docs[0]["document"].filename.endswith(".json")
    return json.loads(docs[0]["document"].content)


def answer_dialog(api: FakeBotApi, user: int, first: list[JSON], max_steps: int = 40) -> list[str]:
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
            notice, shown = press(api, user, "Skip", message_id=current["message_id"])
        elif not went_back and len(asked) == 4 and "Back" in "".join(labels(current)):
            went_back = True
            notice, shown = press(api, user, "Back", message_id=current["message_id"])
            assert shown, "Back showed nothing"
            assert shown[-1]["text"].split("\n")[0] == asked[-2], "Back did not go back"
            asked.pop()
            asked.pop()
            continue
        else:
            assert options, f"a dialog question without answer buttons: {current}"
            notice, shown = press(api, user, options[0], message_id=current["message_id"])
            assert notice and "Saved" in notice
        assert shown, f"no next question after pressing on {current['text']!r}"
    pytest.fail(f"the dialog did not end in {max_steps} steps: {asked}")


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeBotApi, BotProcess]]:
    """One bot process for the tests that need no restart."""
    with FakeBotApi() as api:
        process = BotProcess(api, tmp_path_factory.mktemp("private"), {"IMGBOT_ADMINS": str(ADMIN)})
        process.start()
        try:
            process.wait_ready()
            yield api, process
        finally:
            process.cleanup()
            print(f"--- {process.log_path} ---\n{process.output()[-20000:]}")


@pytest.fixture
def api(live: tuple[FakeBotApi, BotProcess]) -> FakeBotApi:
    return live[0]


@pytest.fixture
def db(live: tuple[FakeBotApi, BotProcess]) -> Path:
    return live[1].db_path


# -- /start, commands, questions ----------------------------------------------------------------


def test_start_welcomes_and_says_what_is_stored(api: FakeBotApi) -> None:
    user = new_user()
    messages = api.say(user, "/start")
    text = text_of(messages)
    assert "Hello" in text
    assert "What I store" in text and "/export" in text and "/forget" in text
    assert any("What should I do next" in label for m in messages for label in labels(m))
    assert all(m["parse_mode"] == "HTML" for m in messages)


def test_command_menu_is_set_at_start_up(api: FakeBotApi) -> None:
    names = {c["command"] for c in api.commands()}
    expected = {"start", "help", "ask", "next", "profile", "progress", "topics", "deadlines"}
    assert expected | {"calendar", "remind", "export", "forget"} <= names


def test_question_is_answered_with_sources_review_date_and_buttons(api: FakeBotApi) -> None:
    user = new_user()
    messages = api.say(user, pick("answer", ANSWERED))
    raw = "\n".join(m["raw"] for m in messages)
    assert raw.startswith("<b>"), "the answer starts with its title in bold"
    assert '<a href="https://' in raw and "Official sources" in raw
    assert "Reviewed 20" in text_of(messages)
    buttons = labels(with_buttons(messages))
    assert any(b.startswith("👍") for b in buttons) and any(b.startswith("👎") for b in buttons)
    assert any(b.startswith("➡️") for b in buttons), f"no related topics: {buttons}"


def test_thumbs_up_is_stored(api: FakeBotApi, db: Path) -> None:
    user = new_user()
    question = pick("answer", ANSWERED)
    api.say(user, question)
    notice, shown = press(api, user, "👍")
    assert notice and "Thank you" in notice
    assert shown == [], "a vote only answers the button"
    topic = _answers().matcher.match(question).matches[0].topic
    assert db_rows(db, "SELECT topic, helpful FROM feedback WHERE user_id = ?", (user,)) == [
        (topic, 1)
    ]
    assert export(api, user)["feedback"][0]["topic"] == topic


def test_unsure_question_offers_did_you_mean_and_a_press_shows_the_topic(api: FakeBotApi) -> None:
    user = new_user()
    question = pick("suggest", UNSURE)
    messages = api.say(user, question)
    assert texts.SUGGEST in text_of(messages)
    buttons = FakeBotApi.buttons(with_buttons(messages))
    assert len(buttons) >= 2 and all(b["callback_data"].startswith("1|t|") for b in buttons)
    topic = _answers().kb.topic(buttons[0]["callback_data"].split("|")[2])
    assert topic is not None
    _, shown = press(api, user, buttons[0]["text"])
    assert shown and shown[0]["text"].startswith(topic.title)
    assert "Official sources" in text_of(shown)


def test_out_of_scope_gets_an_honest_reply(api: FakeBotApi) -> None:
    user = new_user()
    messages = api.say(user, pick("none", OFF_TOPIC))
    assert "I don't know this one" in text_of(messages)
    assert "https://www.ecfmg.org" in text_of(messages)


def test_ask_command(api: FakeBotApi) -> None:
    user = new_user()
    question = pick("answer", ANSWERED)
    topic = _answers().kb.topic(_answers().matcher.match(question).matches[0].topic)
    assert topic is not None
    assert text_of(api.say(user, f"/ask {question}")).startswith(topic.title)
    assert "Type your question after /ask" in text_of(api.say(user, "/ask"))


def test_topics_browse_by_stage(api: FakeBotApi) -> None:
    user = new_user()
    stages = with_buttons(api.say(user, "/topics"))
    assert labels(stages)[0].startswith("1. ")
    _, shown = press(api, user, labels(stages)[0])
    assert shown and shown[-1]["method"] == "editMessageText", "a stage replaces the stage list"
    topic_buttons = labels(shown[-1])
    assert "⬅️ All stages" in topic_buttons and len(topic_buttons) >= 2
    _, shown = press(api, user, topic_buttons[0])
    assert shown and shown[0]["text"].startswith(topic_buttons[0])
    _, back = press(api, user, "All stages", message_id=stages["message_id"])
    assert back and back[-1]["text"].startswith("The road to a US residency")


def test_whole_next_dialog_by_buttons_until_the_plan(api: FakeBotApi, db: Path) -> None:
    user = new_user()
    first = api.say(user, "/next")
    asked = answer_dialog(api, user, first)
    assert len(asked) >= 3
    plan = api.sent_messages(user)[-1]
    assert "Your plan" in plan["text"] and "1. " in plan["text"]
    assert any("Progress" in b for b in labels(plan))
    stored = db_rows(db, "SELECT data FROM profiles WHERE user_id = ?", (user,))
    assert stored and json.loads(stored[0][0]), "the answers are in the database"
    dialog = db_rows(db, "SELECT data FROM dialogs WHERE user_id = ?", (user,))
    assert not dialog or not json.loads(dialog[0][0])["active"], "the dialog is over"
    # /next again goes straight to the plan: a skipped question is not asked again.
    assert "Your plan" in text_of(api.say(user, "/next"))


def test_profile_progress_and_profile_set(api: FakeBotApi, db: Path) -> None:
    user = new_user()
    assert "No answers yet" in text_of(api.say(user, "/profile"))
    assert "Saved: step1 = passed" in text_of(api.say(user, "/profile set step1 passed"))
    assert "passed" in text_of(api.say(user, "/profile"))

    def step1() -> Any:
        rows = db_rows(db, "SELECT data FROM profiles WHERE user_id = ?", (user,))
        return json.loads(rows[0][0]).get("step1")

    for bad in ("/profile set step1 maybe", "/profile set shoe_size 42", "/profile set step1"):
        reply = text_of(api.say(user, bad))
        assert "Nothing was changed" in reply or "There is no field" in reply or "Usage" in reply
        assert step1() == "passed", f"{bad!r} changed the profile"
    progress = text_of(api.say(user, "/progress"))
    assert "✅" in progress and "➡️ next" in progress


def test_export_and_forget_with_confirmation(api: FakeBotApi, db: Path) -> None:
    user = new_user()
    api.say(user, "/profile set step2ck scheduled")
    api.say(user, pick("answer", ANSWERED))
    data = export(api, user)
    assert data["profile"]["step2ck"] == "scheduled"
    assert data["questions"] and data["user"]["id"] == user

    forget = with_buttons(api.say(user, "/forget"))
    assert "cannot be undone" in forget["text"]
    _, shown = press(api, user, "No, keep it")
    assert "nothing was deleted" in text_of(shown)
    assert export(api, user)["profile"]["step2ck"] == "scheduled"

    api.say(user, "/forget")
    _, shown = press(api, user, "Yes, delete everything")
    assert "I deleted everything" in text_of(shown)
    after = export(api, user)
    assert not any(after["profile"].values()) and after["questions"] == []
    assert after["feedback"] == [] and after["user"] is None
    assert db_rows(db, "SELECT count(*) FROM questions WHERE user_id = ?", (user,)) == [(0,)]


def test_forged_callback_data_gets_a_polite_answer(api: FakeBotApi) -> None:
    user = new_user()
    api.say(user, "/start")
    for data in ("1|zz|x", "garbage", "1|p|step1|maybe", "1|p|shoe|big", "1|t|no-such-topic"):
        notice, shown = forge(api, user, data)
        assert notice, f"{data!r} got a silent answer"
        assert "out of date" in notice or "no longer exists" in notice
        assert shown == []
    assert "Hello" in text_of(api.say(user, "/start"))


def test_very_long_and_emoji_only_messages_get_a_clear_reply(api: FakeBotApi, db: Path) -> None:
    user = new_user()
    assert "very long (5000 characters)" in text_of(api.say(user, "x" * 5000))
    assert "could not find any words" in text_of(api.say(user, "😀🎉🙏"))
    assert db_rows(db, "SELECT count(*) FROM questions WHERE user_id = ?", (user,)) == [(0,)]


def test_sticker_or_voice_note_gets_a_clear_reply(api: FakeBotApi) -> None:
    user = new_user()
    sticker = {"file_id": "CAAC1", "file_unique_id": "u1", "type": "regular", "width": 512}
    sticker |= {"height": 512, "is_animated": False, "is_video": False}
    since = api.mark()
    api.message(user, "", sticker=sticker)
    assert "only read text" in api.wait_for_message(user, since=since)["text"]
    voice = {"file_id": "AwAC1", "file_unique_id": "u2", "duration": 3}
    since = api.mark()
    api.message(user, "", voice=voice)
    assert "only read text" in api.wait_for_message(user, since=since)["text"]


def test_unknown_command_is_not_silent(api: FakeBotApi) -> None:
    assert "I don't know that command" in text_of(api.say(new_user(), "/frobnicate"))


# -- Telegram misbehaving ----------------------------------------------------------------------


def test_429_on_send_message_delays_the_reply_but_it_arrives(api: FakeBotApi) -> None:
    user = new_user()
    api.fail_next("sendMessage", 429, retry_after=2, chat_id=user)
    since = api.mark()
    api.message(user, "/help")
    reply = api.wait_for_message(user, "How to use me", since=since, timeout=15)
    refused = [c for c in api.calls("sendMessage", since=since) if c.status == 429]
    assert len(refused) == 1
    assert api.calls(since=reply["index"] - 1)[0].time - refused[0].time >= 1.5


def test_502_on_send_message_is_retried(api: FakeBotApi) -> None:
    user = new_user()
    api.fail_next("sendMessage", 502, chat_id=user)
    since = api.mark()
    api.message(user, "/help")
    api.wait_for_message(user, "How to use me", since=since, timeout=15)
    assert [c.status for c in api.calls("sendMessage", since=since)] == [502, 200]


def test_slow_send_message_beyond_the_read_timeout_does_not_break_the_bot(
    api: FakeBotApi,
) -> None:
    user = new_user()
    api.delay_next("sendMessage", 7)
    since = api.mark()
    api.message(user, "/help")
    api.wait_for_message(user, "How to use me", since=since, timeout=20)
    # A timeout is ambiguous (the slow call still went through): at most one extra copy.
    api.settle(since=since, quiet=2.5, timeout=15)
    assert 1 <= sum("How to use me" in m["text"] for m in api.sent_messages(user, since=since)) <= 2
    # The bot keeps answering afterwards.
    assert "Hello" in text_of(api.say(user, "/start"))


def test_blocked_user_is_marked_inactive_and_start_reactivates(api: FakeBotApi, db: Path) -> None:
    user = new_user()
    api.say(user, "/start")
    api.block_user(user)
    since = api.mark()
    api.message(user, "/help")
    api.wait_for(lambda c: c.method == "sendMessage" and c.status == 403, since=since)
    eventually(lambda: not is_active(db, user), what="inactive after 403")
    api.unblock_user(user)
    api.say(user, "/start")
    eventually(lambda: is_active(db, user), what="active after /start")

    api.my_chat_member(user, user, "member", "kicked")
    eventually(lambda: not is_active(db, user), what="inactive after kicked")
    api.say(user, "/start")
    eventually(lambda: is_active(db, user), what="active after /start again")
    # Unblocking (Telegram sends kicked -> member) also makes the chat reachable again.
    api.my_chat_member(user, user, "member", "kicked")
    eventually(lambda: not is_active(db, user), what="inactive after kicked again")
    api.my_chat_member(user, user, "kicked", "member")
    eventually(lambda: is_active(db, user), what="active after unblocking")


def test_button_still_works_when_answering_the_callback_fails(api: FakeBotApi) -> None:
    """Presses queued while the bot was down arrive too old to answer; the press still counts."""
    user = new_user()
    api.say(user, "/topics")
    api.fail_next(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    since = api.mark()
    api.press_button(user, "1. ")
    shown = api.wait_for(
        lambda c: c.method in {"editMessageText", "sendMessage"} and c.ok, since=since
    )
    assert "tap a topic" in shown.params["text"]
    assert not [c for c in api.calls("sendMessage", since=since) if "went wrong" in str(c.params)]


def test_pressing_a_button_that_changes_nothing_sends_no_duplicate(api: FakeBotApi) -> None:
    user = new_user()
    settings = with_buttons(api.say(user, "/remind"))
    for _ in range(2):  # UTC is already the zone: the edit would not change the message
        notice, shown = press(api, user, "UTC", message_id=settings["message_id"])
        assert notice and "Saved" in notice
        assert [m["method"] for m in shown] in ([], ["editMessageText"])
    assert not [m for m in api.sent_messages(user) if m["index"] > settings["index"]]


def test_start_deep_link_opens_a_topic(api: FakeBotApi) -> None:
    topic = _answers().kb.topics[0]
    messages = api.say(new_user(), f"/start t-{topic.id}")
    assert text_of(messages).startswith(topic.title)


def test_unanswered_command_lists_a_question_asked_twice(api: FakeBotApi, db: Path) -> None:
    question = pick("none", OFF_TOPIC_TWICE)
    for user in (new_user(), new_user()):
        api.say(user, question)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMGBOT_", "TELEGRAM_"))}
    done = subprocess.run(
        [*CLI, "unanswered", "--json"],
        cwd=REPO_ROOT,
        env={**env, "IMGBOT_DB": str(db)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = json.loads(done.stdout)
    assert {"question": normalise(question), "count": 2} in rows


# -- restarts and shutdown ---------------------------------------------------------------------


def test_kill9_mid_dialog_then_next_continues_and_old_buttons_work(
    fake_api: FakeBotApi, bot: Callable[..., BotProcess]
) -> None:
    user = 4242
    process = bot()
    first = with_buttons(fake_api.say(user, "/next"))
    option = next(b["text"] for b in FakeBotApi.buttons(first) if "|p|" in b["callback_data"])
    _, shown = press(fake_api, user, option)
    second = with_buttons(shown)
    waiting_on = second["text"].split("\n")[0]

    process.restart(kill=True)

    again = with_buttons(fake_api.say(user, "/next"))
    assert again["text"].split("\n")[0] == waiting_on, "the dialog lost its place"
    # A button from before the crash still answers its question.
    old = next(b["text"] for b in FakeBotApi.buttons(second) if "|p|" in b["callback_data"])
    notice, shown = press(fake_api, user, old, message_id=second["message_id"])
    assert notice and "Saved" in notice
    assert shown and shown[-1]["text"].split("\n")[0] != waiting_on

    assert process.terminate() == 0, "SIGTERM is a clean shutdown"
    process.assert_token_not_logged()


# -- rendering ---------------------------------------------------------------------------------


def test_export_in_a_group_posts_nothing_personal_and_links_to_the_private_chat(
    api: FakeBotApi,
) -> None:
    user, group = new_user(), -4_000_000 - new_user()
    api.say(user, "/profile set step1 passed")
    shown = api.say(group, "/export", user_id=user)
    assert shown and all(m["document"] is None for m in shown)
    links = [b.get("url") for m in shown for b in FakeBotApi.buttons(m)]
    assert links == [f"https://t.me/{BOT_USERNAME}?start=export"]
    assert export(api, user)["profile"]["step1"] == "passed"  # what the private chat gets


def test_a_time_zone_directory_is_an_unknown_zone_not_an_error(api: FakeBotApi, db: Path) -> None:
    user = new_user()
    for name in ("America", "Europe", "x" * 300):
        text = text_of(api.say(user, f"/remind tz {name}"))
        assert "not a time zone I know" in text and "Sorry" not in text
    assert db_rows(db, "SELECT tz FROM reminders WHERE chat_id = ?", (user,)) in ([], [("UTC",)])


def test_a_message_without_a_sender_creates_no_user(api: FakeBotApi, db: Path) -> None:
    group = -5_000_000 - new_user()
    update = api.message(group, "/ask is step 1 pass fail", push=False)
    del update["message"]["from"]
    api.push_update(update)
    api.say(group, "/help", user_id=new_user())  # same chat: handled after the sender-less one
    assert db_rows(db, "SELECT COUNT(*) FROM users WHERE id <= 0") == [(0,)]


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


def test_progress_sends_the_road_as_a_photo_with_a_caption(api: FakeBotApi) -> None:
    import io

    from PIL import Image

    user = new_user()
    api.say(user, "/profile set step1 passed")
    messages = api.say(user, "/progress")
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


def test_target_choice_buttons_move_or_keep_an_unreachable_target(
    api: FakeBotApi, db: Path
) -> None:
    """The buttons the plan offers when the target Match is out of reach (the offer itself is
    tested in tests/core/test_service_plan.py): move saves the new target, keep shows the plan."""
    user = new_user()
    for command in ("step1 passed", "step2ck not-started", "target_match_year 2027"):
        api.say(user, f"/profile set {command}")
    notice, shown = forge(api, user, "1|nt|move|2028")
    assert notice == "Your target is now the 2028 Match."
    assert "Your plan" in text_of(shown) and any(m["method"] == "sendPhoto" for m in shown)
    rows = db_rows(db, "SELECT data FROM profiles WHERE user_id = ?", (user,))
    assert json.loads(rows[0][0])["target_match_year"] == 2028
    _, shown = forge(api, user, "1|nt|keep|2027")
    assert "You kept it as your target" in text_of(shown)
    rows = db_rows(db, "SELECT data FROM profiles WHERE user_id = ?", (user,))
    assert json.loads(rows[0][0])["target_match_year"] == 2028, "keep only shows, saves nothing"
