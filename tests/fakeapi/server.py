"""A fake Telegram Bot API server on 127.0.0.1 for the adapter tests.

Why a real HTTP server rather than a mocked request object: the bot under test talks to it over
HTTP, whether its Application runs in the test's process (tests/tg/inprocess.py) or as `imgbot
run` (e2e tests), exactly as in production. The fake therefore exercises python-telegram-bot's
real request encoding (form-urlencoded bodies with JSON-string values, multipart uploads), its
error mapping (403 -> Forbidden, 429 -> RetryAfter, 400 + migrate_to_chat_id -> ChatMigrated,
5xx -> NetworkError, slow answers -> TimedOut) and its long-polling loop.

The fake is deliberately strict where real Telegram is strict and bots commonly break: message
length (4096) and caption length (1024), callback data (1-64 bytes), HTML entity parsing,
"message is not modified" on identical edits, answering a callback query twice, more than 50
inline results. It answers the Bot API methods the bot calls and no others (404, as Telegram
answers an unknown method). A bot that passes against the fake should not meet those errors in
production.

It uses only the standard library (`ThreadingHTTPServer`): every request gets its own thread, so a
long-polling getUpdates or an injected delay never blocks other calls, and the tests need no extra
dependency.

Threading model: all state lives behind one re-entrant lock with a condition variable, notified
whenever a call is recorded or an update is queued, so `wait_for` and long polling wake at once
instead of sleeping in a loop.
"""

from __future__ import annotations

import itertools
import json
import math
import queue
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

JSON = dict[str, Any]
ChatId = int | str

DEFAULT_TOKEN = "123456:TEST-fake-token-AbCdEfGh"
BOT_ID = 999
BOT_USERNAME = "img_pathway_bot"
BOT_FIRST_NAME = "IMG Pathway"

BOT_USER: JSON = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": BOT_FIRST_NAME,
    "username": BOT_USERNAME,
}

#: Methods that put a new message into a chat: blocked users, rate limits and chat migration
#: apply to these.
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "copyMessage"})
#: Methods that write to a chat in any way; a user who blocked the bot refuses all of them.
CHAT_WRITE_METHODS = SEND_METHODS | {
    "editMessageText",
    "editMessageReplyMarkup",
    "sendChatAction",
    "deleteMessage",
}
#: Update types Telegram does not deliver unless `allowed_updates` names them explicitly.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

#: python-telegram-bot JSON-encodes every non-string parameter, so form values must be decoded.
#: These parameters are free text or opaque ids that may look like JSON ("123", "true") and must
#: stay strings.
STRING_PARAMS = frozenset(
    [
        "text",
        "caption",
        "query",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "parse_mode",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
        "description",
        "short_description",
        "name",
        "title",
        "language_code",
        "action",
        "document",
        "photo",
        "thumbnail",
        "certificate",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "emoji",
    ]
)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_INLINE_RESULTS = 50

_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    ]
)
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>|&(#x[0-9A-Fa-f]+|#\d+|[A-Za-z]+);")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{5,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")
_ROUTE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded in a multipart request (e.g. the `document` of sendDocument)."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Call:
    """One Bot API request the fake answered.

    `params` are decoded: ints, bools, lists and dicts as the bot meant them (reply_markup is a
    dict, not a JSON string) and uploads as `UploadedFile`. `index` is a global sequence number that
    survives `clear_calls()`, so `FakeBotApi.mark()` can say "only calls after this point".
    Recorded when the answer is ready: a delayed call appears after its delay, and a call whose
    client timed out is still recorded and still took effect, as on the real server.
    """

    method: str
    params: JSON
    time: float
    index: int = 0
    status: int = 200
    response: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    def short(self) -> str:
        """A one-line summary for failure dumps."""
        shown = {k: v for k, v in self.params.items() if k not in {"reply_markup", "entities"}}
        text = json.dumps(shown, default=repr, ensure_ascii=False)
        if len(text) > 160:
            text = text[:157] + "..."
        markup = " +markup" if "reply_markup" in self.params else ""
        return f"#{self.index} {self.method} [{self.status}] {text}{markup}"


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional ResponseParameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        data: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


@dataclass
class _Fault:
    method: str
    error: ApiError
    remaining: int
    chat_id: ChatId | None


@dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int


@dataclass
class _Bucket:
    """A token bucket: `capacity` messages at once, refilled at `rate` per second.

    Token buckets model Telegram's flood control closely enough: short bursts pass, a sustained
    rate above the limit gets 429 with the time until the next token as retry_after.
    """

    capacity: float
    rate: float
    tokens: float = -1.0
    last: float = field(default_factory=time.monotonic)

    def wait_needed(self, now: float) -> float:
        if self.tokens < 0:
            self.tokens = self.capacity
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass(frozen=True)
class _Limits:
    global_per_s: float
    per_chat_per_s: float
    per_chat_burst: int
    per_group_per_min: float


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[JSON]:
    """Entities Telegram would attach: a bot_command at offset 0 and every @mention."""
    entities: list[JSON] = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: mention.start()]),
                "length": utf16_len(mention[0]),
            }
        )
    return entities


def parse_html(text: str) -> str:
    """Validate Telegram-HTML and return the plain text the user sees.

    Raises ApiError 400 with Telegram's wording for unsupported or unbalanced tags, the mistakes
    that make a real send fail (typically an unescaped "<" in generated text).
    """

    def at(pos: int) -> int:
        return len(text[:pos].encode())

    stack: list[str] = []
    plain: list[str] = []
    pos = 0
    for match in _HTML_TOKEN.finditer(text):
        plain.append(text[pos : match.start()])
        pos = match.end()
        closing, tag, _attrs, entity = match.groups()
        if entity is not None:
            if entity.startswith("#x"):
                plain.append(chr(int(entity[2:], 16)))
            elif entity.startswith("#"):
                plain.append(chr(int(entity[1:])))
            else:
                plain.append(_HTML_ENTITIES.get(entity.lower(), match[0]))
            continue
        tag = tag.lower()
        if tag not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{tag}" '
                f"at byte offset {at(match.start())}",
            )
        if closing:
            if not stack or stack[-1] != tag:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Unmatched end tag at byte offset "
                    f'{at(match.start())}, expected "</{stack[-1] if stack else ""}>", '
                    f'found "</{tag}>"',
                )
            stack.pop()
        else:
            stack.append(tag)
    plain.append(text[pos:])
    if stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"',
        )
    return "".join(plain)


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text as the user sees it, after Telegram parses `parse_mode`."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    return text


def decode_form_value(name: str, value: str) -> Any:
    """Undo python-telegram-bot's JSON encoding of non-string parameters."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _content_disposition(header: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in re.finditer(r';\s*([\w*]+)="?((?:[^"\\;]|\\.)*)"?', header):
        key, value = match[1].lower(), match[2]
        if key.endswith("*") and "''" in value:
            key, value = key[:-1], urllib.parse.unquote(value.split("''", 1)[1])
        params[key] = value
    return params


def parse_multipart(content_type: str, body: bytes) -> tuple[JSON, dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and uploaded files, byte-exact."""
    boundary_match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not boundary_match:
        raise ApiError(400, "Bad Request: multipart boundary missing")
    delimiter = b"--" + boundary_match[1].encode()
    fields: JSON = {}
    files: dict[str, UploadedFile] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = chunk.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = _content_disposition(headers.get("content-disposition", ""))
        name = disposition.get("name", "")
        if "filename" in disposition:
            files[name] = UploadedFile(
                filename=disposition["filename"],
                content=content,
                content_type=headers.get("content-type", "application/octet-stream"),
            )
        else:
            fields[name] = decode_form_value(name, content.decode("utf-8"))
    return fields, files


def _infer_chat_type(chat_id: ChatId) -> str:
    if isinstance(chat_id, str):
        return "channel"
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _member(status: str, user: JSON) -> JSON:
    """A ChatMember object with every field its python-telegram-bot class requires."""
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            dict.fromkeys(
                (
                    "can_be_edited",
                    "is_anonymous",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_promote_members",
                ),
                False,
            )
        )
        member.update(
            dict.fromkeys(
                (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                ),
                True,
            )
        )
    elif status == "restricted":
        member.update({"is_member": True, "until_date": 0})
        member.update(
            dict.fromkeys(
                (
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                    "can_send_messages",
                    "can_send_polls",
                    "can_send_other_messages",
                    "can_add_web_page_previews",
                    "can_manage_topics",
                    "can_send_audios",
                    "can_send_documents",
                    "can_send_photos",
                    "can_send_videos",
                    "can_send_video_notes",
                    "can_send_voice_notes",
                    "can_edit_tag",
                ),
                False,
            )
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeBotApi

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A bot killed mid-request (kill9, timeouts) resets its connection: not worth a trace."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP layer: read the body, let FakeBotApi answer, write JSON back."""

    protocol_version = "HTTP/1.1"
    #: Idle keep-alive connections close after this, so stopping the server leaves no thread
    #: blocked on a socket for long.
    timeout = 5
    # One buffered write per answer plus TCP_NODELAY: separate header and body writes would meet
    # Nagle's algorithm and delayed ACKs, adding ~40 ms to every call.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload = self.server.fake.dispatch(
            url.path, url.query, self.headers.get("Content-Type", ""), body
        )
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. its read timeout fired during an injected delay).
            self.close_connection = True

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging: the path contains the token and would flood test output."""


class FakeBotApi:
    """A fake Bot API server: records every call, queues injected updates, injects faults.

    Usage::

        with FakeBotApi() as fake:
            bot = telegram.Bot(fake.token, base_url=fake.base_url)
            fake.message(42, "/start")          # queued for getUpdates
            fake.wait_for_message(42, contains="Welcome")
    """

    STATUS_TEXT: ClassVar[dict[int, str]] = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
    }

    def __init__(
        self, token: str = DEFAULT_TOKEN, *, max_poll_wait: float = 1.0, max_batch: int = 100
    ) -> None:
        """`max_poll_wait` caps getUpdates long polling so a stopping bot never waits long.
        `max_batch` caps the updates one getUpdates call returns (Telegram: at most the call's
        `limit`, 100, and possibly fewer): a test of what lies beyond a batch needs fewer
        updates to get there with a smaller one."""
        self.token = token
        self.max_poll_wait = max_poll_wait
        self.max_batch = max_batch
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._calls: list[Call] = []
        self._arrivals: Counter[str] = Counter()
        self._call_seq = itertools.count(1)
        self._update_seq = itertools.count(10_001)
        self._query_seq = itertools.count(7_000_001)
        self._file_seq = itertools.count(1)
        self._pending: list[JSON] = []
        self._dropped: list[JSON] = []
        self._allowed_updates: list[str] | None = None
        self._webhook: JSON = {}
        self._webhook_queue: queue.Queue[JSON | None] = queue.Queue()
        self._webhook_thread: threading.Thread | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []
        self._messages: dict[tuple[ChatId, int], JSON] = {}
        self._message_seq: dict[ChatId, itertools.count[int]] = {}
        self._chats: dict[ChatId, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._member_status: dict[tuple[ChatId, int], str] = {}
        self._callbacks: dict[str, bool] = {}
        self._inline_queries: set[str] = set()
        self._commands: dict[str, list[JSON]] = {}
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._hangs: list[tuple[str, ChatId | None]] = []
        self._released = threading.Event()
        self._held = 0
        self.delayed_arrivals = 0  # calls that arrived and are being delayed (delay_next), in total
        self.holds: list[int] = []  # mark() at the moment each held call arrived, in order
        self.held_chats: list[ChatId | None] = []  # the chat_id of each held call, in order
        self._blocked: set[ChatId] = set()
        self._migrated: dict[ChatId, int] = {}
        self._limits: _Limits | None = None
        self._buckets: dict[ChatId | None, _Bucket] = {}
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            name.removeprefix("_m_").lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("_m_")
        }

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeBotApi:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes long polls and delayed answers so nothing hangs."""
        self._stopping.set()
        self._released.set()
        with self._changed:
            self._changed.notify_all()
        self._webhook_queue.put(None)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._webhook_thread is not None:
            self._webhook_thread.join(timeout=5)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeBotApi.start() first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_URL / `base_url=`: python-telegram-bot appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- recording -------------------------------------------------------------------------------
    def calls(self, method: str | None = None, *, since: int = 0) -> list[Call]:
        """Recorded calls in answer order, optionally of one method and from a `mark()` on."""
        with self._lock:
            return [
                c for c in self._calls if (method is None or c.method == method) and c.index > since
            ]

    def arrivals(self, method: str) -> int:
        """How many calls of `method` reached the server so far, answered or not: a call is
        recorded when it is answered, which for a long poll with nothing new is `max_poll_wait`
        later."""
        with self._lock:
            return self._arrivals[method]

    def wait_arrivals(self, method: str, count: int, timeout: float) -> bool:
        """Wait until `count` calls of `method` reached the server; False after `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: self._arrivals[method] >= count, timeout)

    def mark(self) -> int:
        """A cursor: pass it as `since=` to look only at calls made after this moment."""
        with self._lock:
            return self._calls[-1].index if self._calls else 0

    @property
    def count_429(self) -> int:
        """How many answers were 429 Too Many Requests (injected or from `enforce_limits`)."""
        with self._lock:
            return sum(1 for c in self._calls if c.status == 429)

    def sent_messages(self, chat_id: ChatId | None = None, *, since: int = 0) -> list[JSON]:
        """What the user would see, in order: successful sendMessage, sendDocument, sendPhoto,
        editMessageText.

        Each item: method, chat_id, message_id, text (plain, as displayed; the caption for
        documents and photos), raw (exactly as sent, markup included), parse_mode, reply_markup
        (dict or None), document and photo (UploadedFile or None), index (the Call index),
        params.
        """
        with self._lock:
            return [
                m
                for c in self._calls
                if c.index > since
                and (m := self._as_sent(c)) is not None
                and (chat_id is None or m["chat_id"] == chat_id)
            ]

    def _as_sent(self, call: Call) -> JSON | None:
        sent = {"sendMessage", "sendDocument", "sendPhoto", "editMessageText"}
        if not call.ok or call.method not in sent:
            return None
        p = call.params
        raw = p.get("text", p.get("caption")) or ""
        result = call.response if isinstance(call.response, dict) else {}
        return {
            "method": call.method,
            "chat_id": p.get("chat_id"),
            "message_id": result.get("message_id", p.get("message_id")),
            "text": result.get("text", result.get("caption", raw)),
            "raw": raw,
            "parse_mode": p.get("parse_mode"),
            "reply_markup": p.get("reply_markup"),
            "document": p.get("document") if isinstance(p.get("document"), UploadedFile) else None,
            "photo": p.get("photo") if isinstance(p.get("photo"), UploadedFile) else None,
            "index": call.index,
            "params": p,
        }

    def wait_for(
        self, predicate: Callable[[Call], bool], timeout: float = 10, *, since: int = 0
    ) -> Call:
        """The first recorded call (after `since`) matching `predicate`, waiting up to `timeout`.

        Raises AssertionError with the recent calls on timeout, because "timed out" alone says
        nothing about what the bot did instead.
        """
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for call in self._calls[seen:]:
                    if call.index > since and predicate(call):
                        return call
                seen = len(self._calls)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no matching Bot API call within {timeout}s\n{self.dump()}"
                    )
                self._changed.wait(remaining)

    def wait_for_callback_answer(self, update: JSON, *, since: int = 0) -> Call:
        """The answerCallbackQuery call for a pushed callback-query update (asserted ok)."""
        query_id = update["callback_query"]["id"]
        answer = self.wait_for(
            lambda c: (
                c.method == "answerCallbackQuery"
                and str(c.params.get("callback_query_id")) == query_id
            ),
            since=since,
        )
        assert answer.ok, answer.short()
        return answer

    def wait_for_message(
        self,
        chat_id: ChatId,
        contains: str | None = None,
        timeout: float = 10,
        *,
        since: int = 0,
    ) -> JSON:
        """The first message shown in `chat_id` (sent or edited) containing `contains`.

        `contains` is checked against both the displayed text and the raw text, so a test may
        look for words or for markup such as a link.
        """

        def matches(call: Call) -> bool:
            sent = self._as_sent(call)
            return (
                sent is not None
                and sent["chat_id"] == chat_id
                and (contains is None or contains in sent["text"] or contains in sent["raw"])
            )

        try:
            call = self.wait_for(matches, timeout, since=since)
        except AssertionError as exc:
            what = f"containing {contains!r} " if contains else ""
            raise AssertionError(f"no message {what}in chat {chat_id}: {exc}") from None
        sent = self._as_sent(call)
        assert sent is not None
        return sent

    def wait_for_messages(
        self,
        chat_ids: Iterable[ChatId],
        contains: str | None = None,
        timeout: float = 10,
        *,
        since: int = 0,
    ) -> None:
        """Wait until every chat in `chat_ids` was shown a message containing `contains`: one
        pass over the record as it grows, where a wait per chat would scan it once per chat."""
        missing = set(chat_ids)

        def all_shown(call: Call) -> bool:
            sent = self._as_sent(call)
            if sent is not None and (contains is None or contains in sent["text"]):
                missing.discard(sent["chat_id"])
            return not missing

        if not missing:
            return
        try:
            self.wait_for(all_shown, timeout, since=since)
        except AssertionError as exc:
            some = sorted(missing, key=str)[:5]
            raise AssertionError(
                f"{len(missing)} chats not shown {contains!r}, e.g. {some}: {exc}"
            ) from None

    def ask(self, chat_id: ChatId, text: str, contains: str | None = None, **kwargs: Any) -> JSON:
        """Send `text` as a user in `chat_id` (pushed for the bot to fetch) and return the first
        message shown there afterwards that contains `contains`: waits on that event only."""
        since = self.mark()
        self.message(chat_id, text, **kwargs)
        return self.wait_for_message(chat_id, contains, since=since)

    def dump(self, last: int = 25) -> str:
        """Recent calls and queue state, for assertion messages."""
        with self._lock:
            lines = [c.short() for c in self._calls[-last:]] or ["(no calls)"]
            lines.append(
                f"pending updates: {len(self._pending)}, dropped (not allowed): "
                f"{len(self._dropped)}, webhook: {self._webhook.get('url') or '-'}"
            )
        return "\n".join(lines)

    # -- injecting updates -----------------------------------------------------------------------
    def push_update(self, update: JSON) -> JSON:
        """Queue an update (assigning update_id) for getUpdates, or deliver it to the webhook."""
        with self._changed:
            update = {"update_id": next(self._update_seq), **update}
            if self._webhook.get("url"):
                self._ensure_webhook_worker()
                self._webhook_queue.put(update)
            else:
                self._pending.append(update)
            self._changed.notify_all()
        return update

    def set_user(self, user_id: int, **fields: Any) -> JSON:
        """Register or change a user (first_name, username, language_code, is_premium...)."""
        with self._lock:
            user = self._user(user_id)
            user.update(fields)
            return dict(user)

    def message(
        self,
        chat_id: ChatId,
        text: str,
        user_id: int | None = None,
        chat_type: str | None = None,
        reply_to: int | JSON | None = None,
        entities: list[JSON] | None = None,
        message_thread_id: int | None = None,
        *,
        push: bool = True,
        **extra: Any,
    ) -> JSON:
        """A user's text message. Returns the Update (pushed unless push=False).

        `user_id` defaults to the chat id in private chats and to 1001 in groups. `chat_type`
        defaults to what the chat was before, else private for positive ids, supergroup for
        -100... ids, group otherwise. `entities` default to Telegram's own: a bot_command at offset
        0 and every @mention. `reply_to` is a message_id in this chat or a message dict (e.g. one
        returned by `wait_for_message`), which is how a group user addresses the bot by replying.
        """
        with self._lock:
            chat = self._chat(chat_id, chat_type)
            if user_id is None:
                user_id = (
                    chat_id if chat["type"] == "private" and isinstance(chat_id, int) else 1001
                )
            msg: JSON = {
                "message_id": self._next_message_id(chat_id),
                "date": int(time.time()),
                "chat": dict(chat),
                "from": dict(self._user(user_id)),
                "text": text,
            }
            found = auto_entities(text) if entities is None else entities
            if found:
                msg["entities"] = found
            if message_thread_id is not None:
                msg["message_thread_id"] = message_thread_id
                msg["is_topic_message"] = True
            if reply_to is not None:
                reply_id = reply_to["message_id"] if isinstance(reply_to, dict) else reply_to
                msg["reply_to_message"] = self._messages.get(
                    (chat_id, reply_id), {"message_id": reply_id, "date": 0, "chat": dict(chat)}
                )
            msg.update(extra)
            self._messages[(chat_id, msg["message_id"])] = msg
        return self._push_or_build({"message": msg}, push)

    def callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        chat_id: ChatId | None = None,
        *,
        push: bool = True,
    ) -> JSON:
        """A button press on a bot message. Returns the Update; its callback_query.id is unique.

        `chat_id` defaults to the user's private chat; `message_id` to the bot's latest message
        there. The attached message is the one the bot really sent, so handlers that edit it work.
        """
        with self._lock:
            chat_id = user_id if chat_id is None else chat_id
            chat = self._chat(chat_id, None)
            if message_id is None:
                message_id = self._latest_bot_message_id(chat_id)
            msg = self._messages.get((chat_id, message_id))
            if msg is None:
                msg = {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": dict(chat),
                    "from": dict(BOT_USER),
                    "text": "(message not seen by the fake)",
                }
                self._messages[(chat_id, message_id)] = msg
            query_id = str(next(self._query_seq))
            self._callbacks[query_id] = False
            query = {
                "id": query_id,
                "from": dict(self._user(user_id)),
                "message": msg,
                "chat_instance": f"ci{chat_id}",
                "data": data,
            }
        return self._push_or_build({"callback_query": query}, push)

    def press_button(
        self,
        user_id: int,
        label: str,
        chat_id: ChatId | None = None,
        message_id: int | None = None,
        *,
        push: bool = True,
    ) -> JSON:
        """Press the inline button whose text contains `label` on a bot message (latest by default).

        Saves tests from hard-coding callback data: they press what the user would see.
        """
        with self._lock:
            chat_id = user_id if chat_id is None else chat_id
            candidates = (
                [self._messages.get((chat_id, message_id), {})]
                if message_id is not None
                else [
                    m
                    for (c, _), m in sorted(self._messages.items(), key=lambda kv: -kv[0][1])
                    if c == chat_id and m.get("from", {}).get("id") == BOT_ID
                ]
            )
            seen: list[str] = []
            for msg in candidates:
                for button in self.buttons(msg):
                    seen.append(button.get("text", ""))
                    if label in button.get("text", "") and "callback_data" in button:
                        return self.callback(
                            user_id, button["callback_data"], msg["message_id"], chat_id, push=push
                        )
        raise AssertionError(f"no button containing {label!r} in chat {chat_id}; buttons: {seen}")

    @staticmethod
    def buttons(message: JSON) -> list[JSON]:
        """The inline keyboard buttons of a message (or of a sent_messages item), row by row."""
        markup = message.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def my_chat_member(
        self,
        chat_id: ChatId,
        user_id: int,
        old: str = "member",
        new: str = "kicked",
        *,
        push: bool = True,
    ) -> JSON:
        """The bot's own membership changed: `user_id` blocked it (private, new="kicked"), added
        it to a group (old="left", new="member") or removed it."""
        with self._lock:
            chat = self._chat(chat_id, None)
            update = {
                "chat": dict(chat),
                "from": dict(self._user(user_id)),
                "date": int(time.time()),
                "old_chat_member": _member(old, dict(BOT_USER)),
                "new_chat_member": _member(new, dict(BOT_USER)),
            }
        return self._push_or_build({"my_chat_member": update}, push)

    def channel_post(self, channel_id: ChatId, text: str, *, push: bool = True) -> JSON:
        """A post in a channel where the bot is a member (no `from`, a sender_chat instead)."""
        with self._lock:
            chat = self._chat(channel_id, "channel")
            post = {
                "message_id": self._next_message_id(channel_id),
                "date": int(time.time()),
                "chat": dict(chat),
                "sender_chat": dict(chat),
                "text": text,
            }
            if entities := auto_entities(text):
                post["entities"] = entities
            self._messages[(channel_id, post["message_id"])] = post
        return self._push_or_build({"channel_post": post}, push)

    def inline_query(
        self, user_id: int, query: str, offset: str = "", *, push: bool = True
    ) -> JSON:
        """`@img_pathway_bot query` typed in any chat."""
        with self._lock:
            query_id = str(next(self._query_seq))
            self._inline_queries.add(query_id)
            inline = {
                "id": query_id,
                "from": dict(self._user(user_id)),
                "query": query,
                "offset": offset,
                "chat_type": "sender",
            }
        return self._push_or_build({"inline_query": inline}, push)

    def _push_or_build(self, update: JSON, push: bool) -> JSON:
        return self.push_update(update) if push else update

    # -- chat state ------------------------------------------------------------------------------
    def set_chat_admin(self, chat_id: ChatId, user_id: int) -> None:
        """getChatMember(chat_id, user_id) answers "administrator" from now on."""
        self.set_member_status(chat_id, user_id, "administrator")

    def set_member_status(self, chat_id: ChatId, user_id: int, status: str) -> None:
        """creator | administrator | member | restricted | left | kicked (default: member)."""
        with self._lock:
            self._member_status[(chat_id, user_id)] = status

    def bot_messages(self, chat_id: ChatId) -> list[JSON]:
        """The current state of every bot message in a chat (edits applied), oldest first; the
        soak run (benchmarks/soak.py) checks what a user ends up seeing with it."""
        with self._lock:
            return [
                dict(m)
                for (c, _), m in sorted(self._messages.items(), key=lambda kv: kv[0][1])
                if c == chat_id and m.get("from", {}).get("id") == BOT_ID
            ]

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list last set by setMyCommands for a scope (default scope by default)."""
        with self._lock:
            return list(self._commands.get(self._commands_key(scope, language_code), []))

    @property
    def webhook(self) -> JSON:
        """The current webhook settings (url, secret_token, ...); empty when polling."""
        with self._lock:
            return dict(self._webhook)

    # -- fault injection -------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: float | None = None,
        count: int = 1,
        chat_id: ChatId | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` (to `chat_id`, if given) with an error.

        429 with retry_after -> RetryAfter (Telegram says whole seconds; a test may give a
        fraction to wait less); 400 with migrate_to_chat_id -> ChatMigrated;
        403 -> Forbidden; 5xx -> NetworkError, in python-telegram-bot's mapping.
        """
        parameters: JSON = {}
        if status == 429:
            retry_after = retry_after or 1
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
            else:
                description = self.STATUS_TEXT.get(status, "Internal Server Error")
        error = ApiError(status, description, parameters or None)
        with self._lock:
            self._faults.append(_Fault(method, error, count, chat_id))

    def clear_faults(self) -> None:
        """Forget every fault and delay still queued by fail_next and delay_next: Telegram is
        healthy again."""
        with self._lock:
            self._faults.clear()
            self._delays.clear()

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Answer the next `count` calls of `method` only after `seconds` (the call still succeeds
        server-side, as a slow real server would: a client timeout does not mean "not sent")."""
        with self._lock:
            self._delays.append(_Delay(method, seconds, count))

    def wait_delayed(self, count: int = 1, timeout: float = 10) -> None:
        """Wait until `count` delayed calls (delay_next) arrived: the bot is sending them."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.delayed_arrivals >= count, timeout):
                raise AssertionError(f"{self.delayed_arrivals} of {count} delayed calls arrived")

    def hang(self, method: str, chat_id: ChatId | None = None) -> None:
        """Hold every call of `method` (to `chat_id`, if given) until `release()`, then carry it
        out: the server got the request but the answer is lost, as when a connection stalls
        (the client times out, yet the message is delivered)."""
        with self._lock:
            self._hangs.append((method, chat_id))
            self._released.clear()
            self.holds.clear()
            self.held_chats.clear()

    def release(self) -> None:
        """End every hang: held calls are carried out now, new ones are answered at once."""
        with self._lock:
            self._hangs.clear()
            self._released.set()

    def wait_held(self, count: int = 1, timeout: float = 10) -> None:
        """Wait until `count` calls have been held by `hang()` since it began."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.holds) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self.holds)} held, not {count}\n{self.dump()}")
                self._changed.wait(remaining)

    def block_user(self, chat_id: ChatId, *, notify: bool = False) -> None:
        """Every write to `chat_id` gets 403 "bot was blocked by the user" until unblocked.

        notify=True also pushes the my_chat_member update (member -> kicked) Telegram sends.
        """
        with self._lock:
            self._blocked.add(chat_id)
        if notify and isinstance(chat_id, int):
            self.my_chat_member(chat_id, chat_id, "member", "kicked")

    def unblock_user(self, chat_id: ChatId) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def migrate_chat(self, chat_id: ChatId, new_chat_id: int) -> None:
        """The group became a supergroup: sends to the old id fail with migrate_to_chat_id."""
        with self._lock:
            self._migrated[chat_id] = new_chat_id
            self._chat(new_chat_id, "supergroup")

    def enforce_limits(
        self,
        global_per_s: float = 30,
        per_chat_per_s: float = 1,
        per_group_per_min: float = 20,
        per_chat_burst: int = 3,
    ) -> None:
        """Answer 429 (with retry_after) to sends beyond Telegram's flood limits.

        Token buckets: `global_per_s` over all chats, `per_group_per_min` per group, and
        `per_chat_per_s` per private chat with bursts of `per_chat_burst` allowed (Telegram
        tolerates a short burst, e.g. a long answer split in two, in a private chat).
        """
        with self._lock:
            self._limits = _Limits(global_per_s, per_chat_per_s, per_chat_burst, per_group_per_min)
            self._buckets.clear()

    def wait_for_delivery(self, update: JSON, timeout: float = 10) -> int:
        """Wait until the webhook worker delivered `update`; returns the bot's HTTP status (0 when
        the bot never accepted the connection)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for update_id, status in self.webhook_deliveries:
                    if update_id == update["update_id"]:
                        return status
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"update {update['update_id']} not delivered in {timeout}s"
                    )
                self._changed.wait(remaining)

    def post_webhook(
        self, update: JSON, secret: str | None = None, url: str | None = None
    ) -> tuple[int, str]:
        """POST an update straight to the bot's webhook (default: the URL it set), returning
        (status, body): for testing the secret-token check without the delivery queue."""
        with self._lock:
            target = url or self._webhook.get("url")
            if secret is None:
                secret = self._webhook.get("secret_token")
            update = {"update_id": next(self._update_seq), **update}
        if not target:
            raise AssertionError("no webhook URL set and none given")
        return self._post_json(target, update, secret)

    # -- HTTP entry point ------------------------------------------------------------------------
    def dispatch(self, path: str, query: str, content_type: str, body: bytes) -> tuple[int, JSON]:
        """Answer one HTTP request: route, decode, apply faults, run the method, record it."""
        route = _ROUTE.match(path)
        if not route:
            return 404, ApiError(404, "Not Found").body()
        if route["token"] != self.token:
            return 401, ApiError(401, "Unauthorized").body()
        requested = route["method"]
        try:
            params = self._decode(query, content_type, body)
        except (ApiError, UnicodeDecodeError, ValueError) as exc:
            error = exc if isinstance(exc, ApiError) else ApiError(400, f"Bad Request: {exc}")
            return error.status, error.body()
        handler = self._handlers.get(requested.lower())
        if handler is None:
            error = ApiError(404, "Not Found: method not found")
            self._record(requested, params, error.status, error.body())
            return error.status, error.body()
        method = handler.__name__.removeprefix("_m_")
        with self._changed:
            self._arrivals[method] += 1
            self._changed.notify_all()
        self._apply_delay(method)
        self._apply_hang(method, params)
        try:
            with self._lock:
                self._check_faults(method, params)
            result = handler(params)
        except ApiError as error:
            self._record(method, params, error.status, error.body())
            return error.status, error.body()
        self._record(method, params, 200, result)
        return 200, {"ok": True, "result": result}

    def _decode(self, query: str, content_type: str, body: bytes) -> JSON:
        params: JSON = {k: decode_form_value(k, v) for k, v in urllib.parse.parse_qsl(query, True)}
        kind = content_type.split(";")[0].strip().lower()
        if kind == "application/json" and body:
            params.update(json.loads(body))
        elif kind == "multipart/form-data":
            fields, files = parse_multipart(content_type, body)
            params.update(fields)
            for name, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    params[name] = files.pop(value.removeprefix("attach://"), value)
            params.update(files)
        elif body:
            params.update(
                {
                    k: decode_form_value(k, v)
                    for k, v in urllib.parse.parse_qsl(body.decode("utf-8"), True)
                }
            )
        return params

    def _record(self, method: str, params: JSON, status: int, response: Any) -> None:
        with self._changed:
            call = Call(method, params, time.time(), next(self._call_seq), status, response)
            self._calls.append(call)
            self._changed.notify_all()

    def _apply_delay(self, method: str) -> None:
        with self._lock:
            delay = next((d for d in self._delays if d.method == method and d.remaining), None)
            if delay is not None:
                delay.remaining -= 1
        if delay is not None:
            with self._changed:
                self.delayed_arrivals += 1
                self._changed.notify_all()
            self._stopping.wait(delay.seconds)

    def _apply_hang(self, method: str, params: JSON) -> None:
        with self._changed:
            if not any(
                m == method and (c is None or c == params.get("chat_id")) for m, c in self._hangs
            ):
                return
            self._held += 1
            self.holds.append(self._calls[-1].index if self._calls else 0)
            self.held_chats.append(params.get("chat_id"))
            self._changed.notify_all()
        self._released.wait()  # stop() sets it too
        with self._changed:
            self._held -= 1

    def _check_faults(self, method: str, params: JSON) -> None:
        chat_id = params.get("chat_id")
        if chat_id is None and isinstance(params.get("scope"), dict):  # one chat's command menu
            chat_id = params["scope"].get("chat_id")
        for fault in self._faults:
            if (
                fault.method == method
                and fault.remaining > 0
                and (fault.chat_id is None or fault.chat_id == chat_id)
            ):
                fault.remaining -= 1
                raise fault.error
        if method in CHAT_WRITE_METHODS and chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if method in SEND_METHODS and chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if method in SEND_METHODS and self._limits is not None:
            self._check_flood(chat_id)

    def _check_flood(self, chat_id: ChatId | None) -> None:
        limits = self._limits
        assert limits is not None
        buckets = [
            self._buckets.setdefault(None, _Bucket(limits.global_per_s, limits.global_per_s))
        ]
        if chat_id is not None:
            if _infer_chat_type(chat_id) == "private":
                bucket = _Bucket(limits.per_chat_burst, limits.per_chat_per_s)
            else:
                bucket = _Bucket(limits.per_group_per_min, limits.per_group_per_min / 60)
            buckets.append(self._buckets.setdefault(chat_id, bucket))
        now = time.monotonic()
        wait = max(b.wait_needed(now) for b in buckets)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        for bucket in buckets:
            bucket.take()

    # -- state helpers (call with the lock held) -------------------------------------------------
    def _user(self, user_id: int) -> JSON:
        if user_id == BOT_ID:
            return BOT_USER
        return self._users.setdefault(
            user_id,
            {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User{user_id}",
                "username": f"user{user_id}",
                "language_code": "en",
            },
        )

    def _chat(self, chat_id: ChatId, chat_type: str | None) -> JSON:
        chat = self._chats.get(chat_id)
        if chat is not None and (chat_type is None or chat["type"] == chat_type):
            return chat
        chat_type = chat_type or _infer_chat_type(chat_id)
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private" and isinstance(chat_id, int):
            user = self._user(chat_id)
            chat["first_name"] = user["first_name"]
            chat["username"] = user["username"]
        else:
            chat["title"] = f"{chat_type.title()} {chat_id}"
            if chat_type == "supergroup":
                chat["is_forum"] = False
        self._chats[chat_id] = chat
        return chat

    def _next_message_id(self, chat_id: ChatId) -> int:
        return next(self._message_seq.setdefault(chat_id, itertools.count(1)))

    def _latest_bot_message_id(self, chat_id: ChatId) -> int:
        ids = [
            mid
            for (c, mid), m in self._messages.items()
            if c == chat_id and m.get("from", {}).get("id") == BOT_ID
        ]
        if not ids:
            raise AssertionError(f"the bot has sent no message to chat {chat_id} yet")
        return max(ids)

    def _require_chat(self, params: JSON) -> ChatId:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int | str):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _check_markup(self, markup: Any) -> JSON | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _new_bot_message(self, chat_id: ChatId, params: JSON, content: JSON) -> JSON:
        chat = self._chat(chat_id, None)
        msg: JSON = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": dict(chat),
            "from": dict(BOT_USER),
            **content,
        }
        if "message_thread_id" in params:
            msg["message_thread_id"] = params["message_thread_id"]
            msg["is_topic_message"] = True
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id", params.get("reply_to_message_id"))
        if reply_id is not None:
            original = self._messages.get((chat_id, reply_id))
            if original is None and not reply.get(
                "allow_sending_without_reply", params.get("allow_sending_without_reply")
            ):
                raise ApiError(400, "Bad Request: message to be replied not found")
            if original is not None:
                msg["reply_to_message"] = original
        markup = self._check_markup(params.get("reply_markup"))
        # Telegram echoes only inline keyboards in the returned Message.
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        self._messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _text_content(self, params: JSON, key: str, limit: int, too_long: str) -> JSON:
        raw = params.get(key)
        if raw is None or raw == "":
            if key == "caption":
                return {}
            raise ApiError(400, "Bad Request: message text is empty")
        shown = plain_text(str(raw), params.get("parse_mode"))
        if not shown.strip() and key == "text":
            raise ApiError(400, "Bad Request: message text is empty")
        if len(shown) > limit:
            raise ApiError(400, too_long)
        content: JSON = {key: shown}
        if params.get("entities") or params.get("caption_entities"):
            content[f"{'' if key == 'text' else 'caption_'}entities"] = params.get(
                "entities", params.get("caption_entities")
            )
        return content

    def _find_message(self, params: JSON) -> JSON | None:
        if params.get("inline_message_id"):
            return None
        chat_id = self._require_chat(params)
        msg = self._messages.get((chat_id, params.get("message_id")))
        if msg is None or msg.get("from", {}).get("id") != BOT_ID:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    @staticmethod
    def _commands_key(scope: JSON | None, language_code: str) -> str:
        return json.dumps([scope or {"type": "default"}, language_code or ""], sort_keys=True)

    def _ensure_webhook_worker(self) -> None:
        if self._webhook_thread is None or not self._webhook_thread.is_alive():
            self._webhook_thread = threading.Thread(
                target=self._deliver_webhooks, name="fake-bot-api-webhook", daemon=True
            )
            self._webhook_thread.start()

    def _deliver_webhooks(self) -> None:
        """Deliver queued updates in order, retrying like Telegram until the bot answers 2xx."""
        while not self._stopping.is_set():
            update = self._webhook_queue.get()
            if update is None:
                return
            status = 0
            for _ in range(100):
                with self._lock:
                    url = self._webhook.get("url")
                    secret = self._webhook.get("secret_token")
                if not url or self._stopping.is_set():
                    break
                status, _body = self._post_json(url, update, secret)
                if 200 <= status < 300:
                    break
                self._stopping.wait(0.1)
            with self._changed:
                self.webhook_deliveries.append((update["update_id"], status))
                self._changed.notify_all()

    @staticmethod
    def _post_json(url: str, payload: JSON, secret: str | None) -> tuple[int, str]:
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(
            url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=5) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except OSError:
            return 0, ""

    # -- Bot API methods (name after "_m_" is the method; matched case-insensitively) ------------
    def _m_getMe(self, params: JSON) -> JSON:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_getUpdates(self, params: JSON) -> list[JSON]:
        """Long polling: confirm updates below `offset`, then wait (capped) for new ones."""
        if self._webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(self.max_batch, int(params.get("limit") or 100)))
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
        deadline = time.monotonic() + wait
        with self._changed:
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"] or []) or None
            while True:
                if offset < 0:
                    self._pending = self._pending[offset:]
                elif offset:
                    self._pending = [u for u in self._pending if u["update_id"] >= offset]
                self._drop_not_allowed()
                remaining = deadline - time.monotonic()
                if self._pending or remaining <= 0 or self._stopping.is_set():
                    return [dict(u) for u in self._pending[:limit]]
                self._changed.wait(remaining)

    def _drop_not_allowed(self) -> None:
        allowed = self._allowed_updates
        kept = []
        for update in self._pending:
            kind = next(k for k in update if k != "update_id")
            if (kind in allowed) if allowed else (kind not in NOT_DELIVERED_BY_DEFAULT):
                kept.append(update)
            else:
                self._dropped.append(update)
        self._pending = kept

    def _m_setWebhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self._lock:
            if not url:
                self._webhook = {}
                return True
            if params.get("drop_pending_updates"):
                self._pending.clear()
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"] or []) or None
            self._webhook = {k: v for k, v in params.items() if k != "certificate"}
            self._drop_not_allowed()
            if self._pending:
                self._ensure_webhook_worker()
                for update in self._pending:
                    self._webhook_queue.put(update)
                self._pending.clear()
        return True

    def _m_deleteWebhook(self, params: JSON) -> bool:
        with self._lock:
            self._webhook = {}
            if params.get("drop_pending_updates"):
                self._pending.clear()
        return True

    def _m_setMyCommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code", ""))
        with self._lock:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        return True

    def _m_sendMessage(self, params: JSON) -> JSON:
        chat_id = self._require_chat(params)
        content = self._text_content(params, "text", MAX_TEXT, "Bad Request: message is too long")
        with self._lock:
            return dict(self._new_bot_message(chat_id, params, content))

    def _m_sendDocument(self, params: JSON) -> JSON:
        chat_id = self._require_chat(params)
        document = params.get("document")
        if isinstance(document, UploadedFile):
            n = next(self._file_seq)
            doc: JSON = {
                "file_id": f"BQACAgIAAxkBAAI{n:06d}",
                "file_unique_id": f"AgAD{n:06d}",
                "file_name": document.filename,
                "mime_type": document.content_type,
                "file_size": len(document.content),
            }
        elif isinstance(document, str) and document:
            doc = {"file_id": document, "file_unique_id": f"u{abs(hash(document))}"}
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        content = self._text_content(
            params, "caption", MAX_CAPTION, "Bad Request: message caption is too long"
        )
        with self._lock:
            return dict(self._new_bot_message(chat_id, params, {"document": doc, **content}))

    def _m_sendPhoto(self, params: JSON) -> JSON:
        """A photo upload (multipart, the bytes kept in `params["photo"]`) or a file_id."""
        chat_id = self._require_chat(params)
        photo = params.get("photo")
        if isinstance(photo, UploadedFile):
            if not photo.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            n = next(self._file_seq)
            sizes: list[JSON] = [
                {
                    "file_id": f"AgACAgIAAxkBAAI{n:06d}",
                    "file_unique_id": f"AQAD{n:06d}",
                    "width": 0,
                    "height": 0,
                    "file_size": len(photo.content),
                }
            ]
        elif isinstance(photo, str) and photo:
            sizes = [
                {
                    "file_id": photo,
                    "file_unique_id": f"u{abs(hash(photo))}",
                    "width": 0,
                    "height": 0,
                }
            ]
        else:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        content = self._text_content(
            params, "caption", MAX_CAPTION, "Bad Request: message caption is too long"
        )
        with self._lock:
            return dict(self._new_bot_message(chat_id, params, {"photo": sizes, **content}))

    def _m_editMessageText(self, params: JSON) -> JSON | bool:
        content = self._text_content(params, "text", MAX_TEXT, "Bad Request: MESSAGE_TOO_LONG")
        markup = self._check_markup(params.get("reply_markup"))
        with self._lock:
            msg = self._find_message(params)
            if msg is None:
                return True
            if msg.get("text") == content["text"] and msg.get("reply_markup") == markup:
                raise ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup of "
                    "the message",
                )
            msg.pop("entities", None)
            msg.update(content)
            # Editing without reply_markup removes the inline keyboard, as on Telegram.
            if markup:
                msg["reply_markup"] = markup
            else:
                msg.pop("reply_markup", None)
            msg["edit_date"] = int(time.time())
            return dict(msg)

    def _m_answerCallbackQuery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._lock:
            if self._callbacks.get(query_id, True):
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is "
                    "invalid",
                )
            self._callbacks[query_id] = True
        return True

    def _m_answerInlineQuery(self, params: JSON) -> bool:
        results = params.get("results") or []
        if len(results) > MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results]
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        with self._lock:
            query_id = str(params.get("inline_query_id", ""))
            if query_id not in self._inline_queries:
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is "
                    "invalid",
                )
            self._inline_queries.discard(query_id)
        return True

    def _m_getChatMember(self, params: JSON) -> JSON:
        chat_id = self._require_chat(params)
        user_id = int(params.get("user_id") or 0)
        with self._lock:
            status = self._member_status.get((chat_id, user_id), "member")
            return _member(status, dict(self._user(user_id)))
