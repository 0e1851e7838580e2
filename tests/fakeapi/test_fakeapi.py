"""Self-tests of the fake Bot API, driven by python-telegram-bot's own `telegram.Bot`.

Why PTB and not raw HTTP: the fake is only useful if PTB encodes requests and maps errors against
it exactly as against api.telegram.org, so these tests go through PTB's real request layer.
"""

from __future__ import annotations

import datetime as dtm
import json
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from .harness import BotProcess
from .server import BOT_ID, BOT_USERNAME, FakeBotApi, UploadedFile, auto_entities, parse_html


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods: otherwise merely constructing RetryAfter emits a
    PTBDeprecationWarning, which `filterwarnings = error` turns into the exception raised."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(max_poll_wait=0.5) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as client:
        yield client


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"t:{label}")] for label in labels]
    )


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username) == (BOT_ID, BOT_USERNAME)
    assert me.supports_inline_queries and me.can_join_groups


async def test_send_message_is_recorded_with_decoded_params(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(
        42, "<b>Step 1</b> &amp; more", "HTML", reply_markup=keyboard("A")
    )

    call = fake.calls("sendMessage")[-1]
    assert call.params["chat_id"] == 42
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "A", "callback_data": "t:A"}]]
    }
    assert sent.text == "Step 1 & more" and sent.chat.type == "private"
    assert sent.reply_markup == keyboard("A")
    [shown] = fake.sent_messages(42)
    assert shown["text"] == "Step 1 & more" and shown["raw"].startswith("<b>")
    assert fake.buttons(shown) == [{"text": "A", "callback_data": "t:A"}]
    second = await bot.send_message(42, "again")
    assert second.message_id == sent.message_id + 1


async def test_text_params_stay_strings(fake: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(42, "123")
    await bot.send_message(42, "true")
    assert [m["text"] for m in fake.sent_messages(42)] == ["123", "true"]


async def test_get_updates_returns_pushed_updates_and_honours_offset(
    fake: FakeBotApi, bot: Bot
) -> None:
    fake.message(42, "/start join-abc")
    fake.message(-100123, f"hi @{BOT_USERNAME}", user_id=7)

    first, second = await bot.get_updates(timeout=0)
    assert first.message.text == "/start join-abc"
    assert first.message.entities[0].type == "bot_command"
    assert second.effective_chat.type == "supergroup" and second.effective_user.id == 7
    assert second.message.entities[0].type == "mention"
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [first.update_id, second.update_id]

    assert await bot.get_updates(offset=second.update_id + 1, timeout=0) == ()


async def test_get_updates_long_polls_until_an_update_arrives(fake: FakeBotApi, bot: Bot) -> None:
    threading.Timer(0.1, fake.message, (42, "late")).start()
    updates = await bot.get_updates(timeout=5)
    assert [u.message.text for u in updates] == ["late"]


async def test_a_long_poll_counts_as_arrived_before_it_is_answered(
    fake: FakeBotApi, bot: Bot
) -> None:
    polled = threading.Thread(target=fake.wait_arrivals, args=("getUpdates", 1, 5))
    polled.start()
    threading.Timer(0.1, lambda: (polled.join(), fake.message(42, "now"))).start()
    updates = await bot.get_updates(timeout=5)
    assert [u.message.text for u in updates] == ["now"]
    assert fake.arrivals("getUpdates") == 1 and len(fake.calls("getUpdates")) == 1


async def test_max_batch_caps_what_one_get_updates_returns(fake: FakeBotApi, bot: Bot) -> None:
    fake.max_batch = 2
    for text in ("a", "b", "c"):
        fake.message(42, text)
    first = await bot.get_updates(timeout=0)
    assert [u.message.text for u in first] == ["a", "b"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest] == ["c"]


async def test_wait_for_messages_waits_until_every_chat_was_shown_one(
    fake: FakeBotApi, bot: Bot
) -> None:
    await bot.send_message(1, "news")
    threading.Timer(0.1, fake.message, (2, "unrelated")).start()
    with pytest.raises(AssertionError, match=r"1 chats not shown 'news', e.g. \[2\]"):
        fake.wait_for_messages([1, 2], "news", timeout=0.3)
    await bot.send_message(2, "news too")
    fake.wait_for_messages([1, 2], "news", timeout=1)


async def test_updates_not_allowed_are_not_delivered(fake: FakeBotApi, bot: Bot) -> None:
    fake.my_chat_member(42, 42, "member", "kicked")
    fake.message(42, "hello")
    updates = await bot.get_updates(timeout=0, allowed_updates=["message"])
    assert [u.message.text for u in updates] == ["hello"]


async def test_callback_carries_the_real_message_and_can_be_answered_once(
    fake: FakeBotApi, bot: Bot
) -> None:
    await bot.send_message(42, "Pick one", reply_markup=keyboard("Passed", "Failed"))
    update = fake.press_button(42, "Failed")
    [received] = await bot.get_updates(timeout=0)
    query = received.callback_query
    assert query.data == "t:Failed" and query.message.text == "Pick one"
    assert query.id == update["callback_query"]["id"]

    assert await bot.answer_callback_query(query.id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)


async def test_edit_applies_and_identical_edit_is_refused(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(42, "v1", reply_markup=keyboard("A"))
    edited = await bot.edit_message_text("v2", 42, sent.message_id)
    assert edited.text == "v2" and edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v2", 42, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("v3", 42, 999)
    assert [m["text"] for m in fake.sent_messages(42)] == ["v1", "v2"]


async def test_telegram_limits_are_enforced(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(42, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        await bot.send_message(42, "x", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(42, "score <260 vs <b>220</b> means <x>", "HTML")


async def test_retry_after_injection(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert fake.count_429 == 1
    assert (await bot.send_message(42, "hi")).text == "hi"


async def test_fault_can_target_one_chat(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=1)
    await bot.send_message(2, "ok")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(1, "no")


async def test_chat_migration(fake: FakeBotApi, bot: Bot) -> None:
    fake.migrate_chat(-5, -1005)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-5, "hi")
    assert caught.value.new_chat_id == -1005


async def test_blocked_user_gets_forbidden_until_unblocked(fake: FakeBotApi, bot: Bot) -> None:
    fake.block_user(42, notify=True)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(42, "hi")
    [update] = await bot.get_updates(timeout=0)
    assert update.my_chat_member.new_chat_member.status == "kicked"
    fake.unblock_user(42)
    assert (await bot.send_message(42, "back")).text == "back"


async def test_server_error_raises_network_error(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next("sendMessage", 502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(42, "hi")


async def test_delay_causes_timed_out_but_the_send_still_happens(
    fake: FakeBotApi, bot: Bot
) -> None:
    fake.delay_next("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(42, "slow", read_timeout=0.1)
    assert fake.wait_for_message(42, "slow", timeout=5)["text"] == "slow"


async def test_clear_faults_also_ends_delays(fake: FakeBotApi, bot: Bot) -> None:
    fake.delay_next("sendMessage", 5)
    fake.fail_next("sendMessage", 502)
    fake.clear_faults()
    assert (await bot.send_message(42, "quick", read_timeout=1)).text == "quick"


async def test_hang_holds_a_chat_until_release_and_then_carries_the_calls_out(
    fake: FakeBotApi, bot: Bot
) -> None:
    fake.hang("sendMessage", chat_id=42)
    with pytest.raises(TimedOut):
        await bot.send_message(42, "stuck", read_timeout=0.1)
    assert (await bot.send_message(43, "free")).text == "free", "other chats are answered"
    fake.wait_held(1)
    assert fake.held_chats == [42] and fake.sent_messages(42) == []
    fake.release()
    assert fake.wait_for_message(42, "stuck", timeout=5)["text"] == "stuck"
    assert (await bot.send_message(42, "after")).text == "after"


async def test_send_document_records_the_bytes(fake: FakeBotApi, bot: Bot) -> None:
    data = b"BEGIN:VCALENDAR\r\n\x00\xff binary-safe\r\n--x\r\nEND:VCALENDAR\r\n"
    message = await bot.send_document(
        42,
        InputFile(data, filename="deadlines.ics"),
        caption="Your <i>calendar</i>",
        parse_mode="HTML",
    )
    assert message.document.file_name == "deadlines.ics"
    assert message.caption == "Your calendar"
    [shown] = fake.sent_messages(42)
    assert shown["document"] == UploadedFile("deadlines.ics", data, shown["document"].content_type)
    assert shown["text"] == "Your calendar"


async def test_send_photo_records_the_upload_and_caption(fake: FakeBotApi, bot: Bot) -> None:
    data = b"\x89PNG\r\n\x1a\n not really a picture, but bytes are bytes"
    message = await bot.send_photo(
        42, InputFile(data, filename="road.png"), caption="Next: <b>OET</b>", parse_mode="HTML"
    )
    assert message.photo and message.photo[0].file_size == len(data)
    assert message.caption == "Next: OET"
    [shown] = fake.sent_messages(42)
    assert shown["method"] == "sendPhoto"
    assert shown["photo"].content == data and shown["photo"].filename == "road.png"
    assert shown["text"] == "Next: OET"
    with pytest.raises(BadRequest):
        await bot.send_photo(42, InputFile(b"x" * 10, filename="a.png"), caption="c" * 1025)


async def test_unknown_method_and_wrong_token(fake: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert fake.calls("noSuchMethod")[0].status == 404
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=fake.base_url):
            pass


async def test_commands_chat_member_and_inline(fake: FakeBotApi, bot: Bot) -> None:
    assert await bot.set_my_commands([("start", "Begin"), ("next", "What to do next")])
    assert [c["command"] for c in fake.commands()] == ["start", "next"]
    assert (await bot.get_chat_member(-100, 5)).status == "member"
    fake.set_chat_admin(-100, 5)
    assert (await bot.get_chat_member(-100, 5)).status == "administrator"
    update = fake.inline_query(5, "visa")
    assert await bot.answer_inline_query(update["inline_query"]["id"], [])


async def test_rate_limits_answer_429(fake: FakeBotApi, bot: Bot) -> None:
    fake.enforce_limits(global_per_s=30, per_chat_per_s=1, per_chat_burst=2)
    await bot.send_message(42, "1")
    await bot.send_message(42, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(42, "3")
    await bot.send_message(43, "other chat is fine")
    assert fake.count_429 == 1


def test_webhook_mode_delivers_updates_with_the_secret(fake: FakeBotApi) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        request = urllib.request.Request(
            f"{fake.base_url}{fake.token}/setWebhook",
            data=json.dumps({"url": url, "secret_token": "s3cret"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["result"] is True
        update = fake.message(42, "/help")
        assert fake.wait_for_delivery(update) == 200
        assert received == [("s3cret", update)]
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"{fake.base_url}{fake.token}/getUpdates", timeout=5)
        assert caught.value.code == 409
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_auto_entities_use_utf16_offsets() -> None:
    assert auto_entities("🩺 ask @img_pathway_bot") == [
        {"type": "mention", "offset": 7, "length": 16}
    ]
    assert auto_entities("/ask@img_pathway_bot visa")[0] == {
        "type": "bot_command",
        "offset": 0,
        "length": 20,
    }


def test_parse_html_reports_unclosed_tags() -> None:
    assert parse_html("a &lt; b &#38; <a href='x'>c</a>") == "a < b & c"
    with pytest.raises(Exception, match="Can't find end tag"):
        parse_html("<b>bold")


def test_wait_for_explains_what_happened_on_timeout(fake: FakeBotApi) -> None:
    with pytest.raises(AssertionError, match="no message containing 'x' in chat 1"):
        fake.wait_for_message(1, "x", timeout=0.1)


ECHO_BOT = """
import logging, os
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

logging.basicConfig(level=logging.INFO)
logging.getLogger("httpx").setLevel(logging.WARNING)

async def echo(update, context):
    button = InlineKeyboardButton("Again", callback_data="again")
    await update.message.reply_text("echo: " + update.message.text,
                                    reply_markup=InlineKeyboardMarkup([[button]]))

async def pressed(update, context):
    await update.callback_query.answer()
    await update.callback_query.edit_message_text("pressed")

app = (Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"])
       .base_url(os.environ["TELEGRAM_API_URL"]).build())
app.add_handler(MessageHandler(filters.TEXT, echo))
app.add_handler(CallbackQueryHandler(pressed))
app.run_polling()
"""


@pytest.mark.e2e
def test_harness_runs_a_real_ptb_application(tmp_path: Path) -> None:
    """The harness end to end with a stand-in bot, so e2e plumbing is proven before our bot runs."""
    with FakeBotApi() as fake:
        process = BotProcess(fake, tmp_path, command=[sys.executable, "-c", ECHO_BOT])
        try:
            process.start().wait_ready()
            fake.message(42, "hello")
            shown = fake.wait_for_message(42, "echo: hello")
            mark = fake.mark()
            fake.press_button(42, "Again")
            assert fake.wait_for_message(42, "pressed", since=mark)["method"] == "editMessageText"
            assert fake.calls("answerCallbackQuery", since=mark)[0].ok
            edited = fake.wait_for_message(42, "pressed", since=mark)
            assert edited["message_id"] == shown["message_id"]
            assert process.terminate() == 0
            process.restart()
            assert fake.ask(42, "after restart")["text"] == "echo: after restart"
            assert process.kill9() != 0
            process.assert_token_not_logged()
        finally:
            process.cleanup()
