"""Persistence: a small `Storage` interface and its SQLite implementation.

SQLite holds the truth for users, profiles, the /next dialog, reminders and the outbox, so nothing
a user did is lost on a crash or restart. Callers get models (Profile, ReminderSettings,
OutboxItem, DialogState, Cohort), never rows, so a PostgreSQL implementation can follow for
several replicas behind a webhook without touching the service.

Concurrency: one `SqliteStorage` owns one connection. Every write takes an `asyncio.Lock`, so a
multi-statement transaction is never interleaved with another coroutine's statements on the
same connection. Transactions start with BEGIN IMMEDIATE and the connection waits up to
`BUSY_TIMEOUT_MS` for the write lock, so a second process (`imgbot unanswered` next to a running
bot) can open the same file safely; WAL lets its reads run while the bot writes.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, Self

import aiosqlite

from bot.core.errors import AlreadyExists, StorageError
from bot.core.models import PROFILE_FIELDS, OutboxItem, Profile, ReminderSettings, User

__all__ = [
    "BROADCAST_KEY_PREFIX",
    "MIGRATIONS_DIR",
    "Cohort",
    "DialogState",
    "OutboxEntry",
    "SqliteStorage",
    "Storage",
    "StorageError",
    "normalise_question",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Long enough to ride out another process's short write transaction, short enough that a stuck
# writer surfaces as an error instead of a silent hang.
BUSY_TIMEOUT_MS = 5000
WAL_ATTEMPTS = 100  # x 50 ms: as patient as BUSY_TIMEOUT_MS
_PROFILE_KEYS = frozenset(PROFILE_FIELDS)
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

# Outbox keys: reminders are "{chat}:{event}:{lead}"; broadcasts start with this prefix.
BROADCAST_KEY_PREFIX = "b"

Row = Sequence[Any]
# (chat_id, key, text) or (chat_id, key, text, meta): one message to plan for delivery.
OutboxEntry = tuple[int, str, str] | tuple[int, str, str, Mapping[str, str]]


@dataclass(frozen=True)
class DialogState:
    """Where a user is in the /next guided dialog."""

    active: bool = False
    skipped: tuple[str, ...] = ()  # profile fields the user chose not to answer
    history: tuple[str, ...] = ()  # fields asked so far, for "back"
    awaiting: str | None = None  # the field whose typed answer we wait for


@dataclass(frozen=True)
class Cohort:
    """A group chat of people aiming at the same Match year."""

    id: int
    name: str
    year: int
    chat_id: int
    code: str  # the invite code behind `/start join-CODE`
    channel_id: int | None = None
    leads: tuple[int, ...] = ()
    created_by: int | None = None  # None once the creator used /forget


class Storage(Protocol):
    """What the service needs from persistence; every time is timezone-aware."""

    async def close(self) -> None: ...

    # users and chats
    async def upsert_user(self, user: User, now: datetime) -> None: ...
    async def set_active(self, chat_id: int, active: bool) -> None: ...
    async def is_active(self, chat_id: int) -> bool: ...
    async def user_ids(self, active_only: bool = False) -> list[int]: ...
    async def count_users(self) -> tuple[int, int]: ...

    # profiles and the /next dialog
    async def get_profile(self, user_id: int) -> Profile: ...
    async def save_profile(self, user_id: int, profile: Profile, now: datetime) -> None: ...
    async def get_dialog(self, user_id: int) -> DialogState | None: ...
    async def save_dialog(self, user_id: int, state: DialogState | None) -> None: ...

    # questions and feedback
    async def log_question(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        topic: str | None,
        score: float,
        answered: bool,
        now: datetime,
    ) -> None: ...
    async def top_unanswered(self, limit: int = 20) -> list[tuple[str, int]]: ...
    async def question_stats(self, since: datetime) -> dict[str, Any]: ...
    async def add_feedback(
        self, user_id: int, topic: str, helpful: bool, now: datetime
    ) -> None: ...
    async def feedback_counts(self) -> dict[str, tuple[int, int]]: ...

    # reminders
    async def get_reminders(self, chat_id: int) -> ReminderSettings: ...
    async def save_reminders(self, chat_id: int, s: ReminderSettings) -> None: ...
    async def subscribers(self) -> list[tuple[int, ReminderSettings, Profile]]: ...

    # outbox
    async def enqueue(self, items: Iterable[OutboxEntry], now: datetime) -> int: ...
    async def pending(self, limit: int, now: datetime) -> list[OutboxItem]: ...
    async def mark_sent(self, item_id: int, now: datetime) -> None: ...
    async def mark_sent_many(self, item_ids: Sequence[int], now: datetime) -> None: ...
    async def mark_retry(self, item_id: int, error: str, next_attempt: datetime) -> None: ...
    async def mark_dead(self, item_id: int, error: str) -> None: ...
    async def drop_pending_for(self, chat_id: int) -> int: ...
    async def delete_pending_where_key_prefix(self, prefix: str) -> int: ...
    async def outbox_counts(self) -> dict[str, int]: ...
    async def was_enqueued(self, key: str) -> bool: ...

    # the update inbox (long polling)
    async def inbox_add(self, updates: Sequence[tuple[int, str]]) -> list[tuple[int, str]]: ...
    async def inbox_done(self, update_id: int) -> None: ...
    async def inbox_pending(self) -> list[tuple[int, str]]: ...

    # cohorts
    async def create_cohort(
        self, name: str, year: int, chat_id: int, code: str, created_by: int, now: datetime
    ) -> Cohort: ...
    async def get_cohort(self, cohort_id: int) -> Cohort | None: ...
    async def get_cohort_by_chat(self, chat_id: int) -> Cohort | None: ...
    async def get_cohort_by_code(self, code: str) -> Cohort | None: ...
    async def join_cohort(self, cohort_id: int, user_id: int, now: datetime) -> None: ...
    async def leave_cohort(self, user_id: int) -> bool: ...
    async def cohort_of_user(self, user_id: int) -> Cohort | None: ...
    async def cohort_members(self, cohort_id: int) -> list[int]: ...
    async def set_share(self, user_id: int, share: bool) -> None: ...
    async def get_share(self, user_id: int) -> bool: ...
    async def shared_profiles(self, cohort_id: int) -> list[Profile]: ...
    async def set_cohort_channel(self, cohort_id: int, channel_id: int | None) -> None: ...
    async def set_cohort_leads(self, cohort_id: int, leads: tuple[int, ...]) -> None: ...
    async def migrate_chat(self, old_id: int, new_id: int) -> None: ...

    # broadcasts
    async def create_broadcast(self, admin_id: int, text: str, now: datetime) -> int: ...
    async def get_broadcast(self, broadcast_id: int) -> tuple[str, str] | None: ...
    async def set_broadcast_status(self, broadcast_id: int, status: str) -> None: ...

    # privacy and stats
    async def export_user(self, user_id: int) -> dict[str, Any]: ...
    async def forget_user(self, user_id: int) -> None: ...
    async def stats(self, now: datetime) -> dict[str, Any]: ...


# -- conversions ------------------------------------------------------------------------------


def _ts(moment: datetime) -> str:
    """One fixed-width UTC form, so stored times order correctly as text (naive = UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def normalise_question(text: str) -> str:
    """Lower-case, trimmed, single-spaced: how repeated questions are grouped."""
    return " ".join(text.lower().split())


def _profile_from_json(data: str | None) -> Profile:
    """Ignores unknown keys, so a field removed from Profile does not break old rows."""
    if not data:
        return Profile()
    raw = json.loads(data)
    if raw.keys() <= _PROFILE_KEYS:  # the usual case: skip the filtering copy
        return Profile(**raw)
    return Profile(**{k: v for k, v in raw.items() if k in _PROFILE_KEYS})


def _profile_json(profile: Profile) -> str:
    return json.dumps(profile.to_dict(), sort_keys=True)


def _leads_text(leads: Iterable[int]) -> str:
    return ",".join(str(int(d)) for d in leads)


def _leads(text: str | None) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x) if text else ()


def _reminder_row(s: ReminderSettings) -> tuple[Any, ...]:
    return (int(s.enabled), _leads_text(s.leads), s.tz, s.quiet_start, s.quiet_end, s.send_hour)


def _reminders_from(row: Row) -> ReminderSettings:
    """`row` is (enabled, leads, tz, quiet_start, quiet_end, send_hour)."""
    enabled, leads, tz, quiet_start, quiet_end, send_hour = row
    return ReminderSettings(
        enabled=bool(enabled),
        leads=_leads(leads),
        tz=tz,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        send_hour=send_hour,
    )


def _dialog_json(state: DialogState) -> str:
    return json.dumps(
        {
            "active": state.active,
            "skipped": list(state.skipped),
            "history": list(state.history),
            "awaiting": state.awaiting,
        }
    )


def _dialog_from_json(data: str) -> DialogState:
    raw = json.loads(data)
    return DialogState(
        active=bool(raw.get("active", False)),
        skipped=tuple(raw.get("skipped", ())),
        history=tuple(raw.get("history", ())),
        awaiting=raw.get("awaiting"),
    )


def _outbox_item(row: Row) -> OutboxItem:
    item_id, chat_id, key, text, meta, attempts, created = row
    return OutboxItem(
        id=item_id,
        chat_id=chat_id,
        key=key,
        text=text,
        attempts=attempts,
        created=_dt(created),
        meta=json.loads(meta),
    )


def _outbox_params(entry: OutboxEntry, now: str) -> tuple[Any, ...]:
    chat_id, key, text = entry[0], entry[1], entry[2]
    meta = dict(entry[3]) if len(entry) == 4 else {}
    return (chat_id, key, text, json.dumps(meta), now, now)


_USER_FIELDS = ("id", "name", "language", "first_seen", "last_seen")

_COHORT_SELECT = """
    SELECT c.id, c.name, c.year, c.chat_id, c.code, c.channel_id, c.created_by,
           (SELECT group_concat(user_id) FROM
               (SELECT user_id FROM cohort_leads WHERE cohort_id = c.id ORDER BY position))
    FROM cohorts c
"""


def _cohort(row: Row) -> Cohort:
    cohort_id, name, year, chat_id, code, channel_id, created_by, leads = row
    return Cohort(
        id=cohort_id,
        name=name,
        year=year,
        chat_id=chat_id,
        code=code,
        channel_id=channel_id,
        leads=_leads(leads),
        created_by=created_by,
    )


# -- migrations -------------------------------------------------------------------------------


def _migrations(directory: Path) -> list[tuple[int, str, str]]:
    """(version, file name, sql) sorted; a gap or duplicate number is a packaging bug."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"{path}: migration names look like 0001_reason.sql")
        found.append((int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise ValueError(f"{directory}: migrations must be numbered 1..n, found {versions}")
    return found


def _statements(sql: str) -> list[str]:
    """Split a script into statements, so each runs inside our own transaction.

    (`executescript` would commit first, leaving a half-applied migration after a crash.)
    """
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    leftover = [ln for ln in current.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    if leftover:
        raise ValueError(f"unterminated SQL statement: {leftover[0]!r}")
    return statements


async def _switch_to_wal(db: aiosqlite.Connection) -> None:
    """Enable WAL, retrying: SQLite answers "locked" at once, without its busy handler, while
    another process is converting the same fresh file."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05)


async def _configure(db: aiosqlite.Connection) -> None:
    # busy_timeout first: switching to WAL needs a lock another process may hold.
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await _switch_to_wal(db)
    await db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; durable at checkpoints
    await db.execute("PRAGMA foreign_keys = ON")


async def _migrate(db: aiosqlite.Connection, directory: Path) -> int:
    """Apply pending migrations in one IMMEDIATE transaction; returns the schema version.

    The version is read after taking the write lock, so two processes starting together do not
    both apply the same migration.
    """
    migrations = _migrations(directory)
    await db.execute("BEGIN IMMEDIATE")
    try:
        await db.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
        )
        rows = await db.execute_fetchall("SELECT coalesce(max(version), 0) FROM schema_version")
        current = next(iter(rows))[0]
        for version, name, sql in migrations[current:]:
            for statement in _statements(sql):
                await db.execute(statement)
            await db.execute(
                "INSERT INTO schema_version (version, name, applied) VALUES (?, ?, ?)",
                (version, name, _ts(datetime.now(UTC))),
            )
        await db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # some errors (disk full) make SQLite roll back by itself
            await db.execute("ROLLBACK")
        raise
    return max(current, len(migrations))


async def _check_writable(db: aiosqlite.Connection) -> None:
    """Write one header field and roll back. Without this a read-only file opens fine (SQLite
    falls back to read-only) and every later write fails: the bot would answer "Sorry" to all."""
    await db.execute("BEGIN IMMEDIATE")
    try:
        version = next(iter(await db.execute_fetchall("PRAGMA user_version")))[0]
        await db.execute(f"PRAGMA user_version = {int(version)}")
    finally:
        if db.in_transaction:
            await db.execute("ROLLBACK")


def _unusable(path: str, exc: sqlite3.Error) -> StorageError | None:
    """One line for the operator: what is wrong with the database file and what to do; None
    when the error is not about the file."""
    reason = str(exc)
    if "not a database" in reason:
        return StorageError(
            f"{path} is not a SQLite database: point IMGBOT_DB at the bot's database, "
            "or move this file away to start with a new one"
        )
    if any(word in reason for word in ("readonly", "unable to open", "disk I/O")):
        return StorageError(
            f"cannot write to the database {path} ({reason}): give the bot's user write access "
            "to the file and its directory, or set IMGBOT_DB to a writable path"
        )
    return None


# -- the SQLite implementation ----------------------------------------------------------------


class SqliteStorage:
    """`Storage` on one aiosqlite connection; build it with `await SqliteStorage.open(path)`."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, migrations: Path = MIGRATIONS_DIR) -> Self:
        """Connect, configure, migrate and check that writes work; ":memory:" gives a private
        throwaway database. Raises StorageError when the file cannot serve the bot."""
        target = str(path)
        if target != ":memory:":
            try:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the data directory {Path(target).parent} ({exc.strerror}): "
                    "create it writable for the bot's user, or set IMGBOT_DB to a writable path"
                ) from None
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, sqlite3 adds nothing implicit.
            db = await aiosqlite.connect(target, isolation_level=None)
        except sqlite3.Error as exc:
            raise _unusable(target, exc) or exc from None
        try:
            await _configure(db)
            await _migrate(db, migrations)
            await _check_writable(db)
        except sqlite3.DatabaseError as exc:
            await db.close()
            problem = _unusable(target, exc)
            if problem is None:  # a bug (a broken migration), not the operator's to fix
                raise
            raise problem from None
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def close(self) -> None:
        await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        return await self._scalar("SELECT coalesce(max(version), 0) FROM schema_version")

    # -- plumbing -------------------------------------------------------------------------------

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._db.execute_fetchall(sql, params))

    async def _row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self._rows(sql, params)
        return rows[0] if rows else None

    async def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self._row(sql, params)
        return None if row is None else row[0]

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One autocommitted statement; the lock keeps it out of another coroutine's transaction."""
        async with self._lock:
            cursor = await self._db.execute(sql, params)
            return cursor.rowcount

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Several statements that must land together (or not at all)."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    # -- users and chats ------------------------------------------------------------------------

    async def upsert_user(self, user: User, now: datetime) -> None:
        """Remember name and last contact; `active` is a chat property and stays untouched."""
        await self._write(
            "INSERT INTO users (id, name, language, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
            " language = excluded.language, last_seen = excluded.last_seen,"
            " first_seen = coalesce(users.first_seen, excluded.first_seen)",
            (user.id, user.name, user.language, _ts(now), _ts(now)),
        )

    async def set_active(self, chat_id: int, active: bool) -> None:
        await self._write(
            "INSERT INTO chats (chat_id, active) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET active = excluded.active",
            (chat_id, int(active)),
        )

    async def is_active(self, chat_id: int) -> bool:
        """Unknown chats are active: we only learn a chat is gone when Telegram tells us."""
        active = await self._scalar("SELECT active FROM chats WHERE chat_id = ?", (chat_id,))
        return active is None or bool(active)

    async def user_ids(self, active_only: bool = False) -> list[int]:
        sql = "SELECT id FROM users"
        if active_only:
            sql += " WHERE NOT EXISTS (SELECT 1 FROM chats WHERE chat_id = id AND active = 0)"
        return [row[0] for row in await self._rows(sql + " ORDER BY id")]

    async def count_users(self) -> tuple[int, int]:
        """(all users, users whose private chat has not blocked us)."""
        row = await self._row(
            "SELECT count(*), count(*) - count(c.chat_id) FROM users u"
            " LEFT JOIN chats c ON c.chat_id = u.id AND c.active = 0"
        )
        assert row is not None
        return row[0], row[1]

    # -- profiles and dialogs -------------------------------------------------------------------

    async def get_profile(self, user_id: int) -> Profile:
        return _profile_from_json(
            await self._scalar("SELECT data FROM profiles WHERE user_id = ?", (user_id,))
        )

    async def save_profile(self, user_id: int, profile: Profile, now: datetime) -> None:
        await self._write(
            "INSERT INTO profiles (user_id, data, updated) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, updated = excluded.updated",
            (user_id, _profile_json(profile), _ts(now)),
        )

    async def get_dialog(self, user_id: int) -> DialogState | None:
        data = await self._scalar("SELECT data FROM dialogs WHERE user_id = ?", (user_id,))
        return None if data is None else _dialog_from_json(data)

    async def save_dialog(self, user_id: int, state: DialogState | None) -> None:
        """None ends the dialog and removes its row."""
        if state is None:
            await self._write("DELETE FROM dialogs WHERE user_id = ?", (user_id,))
            return
        await self._write(
            "INSERT INTO dialogs (user_id, data) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data",
            (user_id, _dialog_json(state)),
        )

    # -- questions and feedback -----------------------------------------------------------------

    async def log_question(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        topic: str | None,
        score: float,
        answered: bool,
        now: datetime,
    ) -> None:
        """Kept so admins see what people ask that the knowledge base cannot answer."""
        await self._write(
            "INSERT INTO questions (user_id, chat_id, text, norm, topic, score, answered, asked_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                chat_id,
                text,
                normalise_question(text),
                topic,
                float(score),
                int(answered),
                _ts(now),
            ),
        )

    async def top_unanswered(self, limit: int = 20) -> list[tuple[str, int]]:
        """Most frequent unanswered questions; ties go to the most recently asked."""
        rows = await self._rows(
            "SELECT norm, count(*) AS n FROM questions WHERE answered = 0"
            " GROUP BY norm ORDER BY n DESC, max(asked_at) DESC, max(id) DESC LIMIT ?",
            (limit,),
        )
        return [(row[0], row[1]) for row in rows]

    async def question_stats(self, since: datetime) -> dict[str, Any]:
        """{"questions", "answered", "per_day": {"YYYY-MM-DD" (UTC): count}} since `since`."""
        rows = await self._rows(
            "SELECT substr(asked_at, 1, 10), count(*), sum(answered) FROM questions"
            " WHERE asked_at >= ? GROUP BY 1 ORDER BY 1",
            (_ts(since),),
        )
        return {
            "questions": sum(row[1] for row in rows),
            "answered": sum(row[2] for row in rows),
            "per_day": {row[0]: row[1] for row in rows},
        }

    async def add_feedback(self, user_id: int, topic: str, helpful: bool, now: datetime) -> None:
        """One vote per user and topic, so repeated taps cannot skew the counts."""
        await self._write(
            "INSERT INTO feedback (user_id, topic, helpful, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, topic) DO UPDATE SET helpful = excluded.helpful,"
            " at = excluded.at",
            (user_id, topic, int(helpful), _ts(now)),
        )

    async def feedback_counts(self) -> dict[str, tuple[int, int]]:
        """{topic: (helpful votes, not helpful votes)}."""
        rows = await self._rows(
            "SELECT topic, sum(helpful), count(*) - sum(helpful) FROM feedback"
            " GROUP BY topic ORDER BY topic"
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    # -- reminders ------------------------------------------------------------------------------

    async def get_reminders(self, chat_id: int) -> ReminderSettings:
        row = await self._row(
            "SELECT enabled, leads, tz, quiet_start, quiet_end, send_hour FROM reminders"
            " WHERE chat_id = ?",
            (chat_id,),
        )
        return ReminderSettings() if row is None else _reminders_from(row)

    async def save_reminders(self, chat_id: int, s: ReminderSettings) -> None:
        await self._write(
            "INSERT OR REPLACE INTO reminders"
            " (chat_id, enabled, leads, tz, quiet_start, quiet_end, send_hour)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (chat_id, *_reminder_row(s)),
        )

    async def subscribers(self) -> list[tuple[int, ReminderSettings, Profile]]:
        """Every active chat with reminders on, with its profile (empty for groups).

        One query for all of them; identical settings and profiles are parsed once and shared
        (they are frozen), which keeps 100,000 subscribers well under a second.
        """
        rows = await self._rows(
            "SELECT r.chat_id, r.enabled, r.leads, r.tz, r.quiet_start, r.quiet_end,"
            " r.send_hour, p.data FROM reminders r"
            " LEFT JOIN chats c ON c.chat_id = r.chat_id"
            " LEFT JOIN profiles p ON p.user_id = r.chat_id"
            " WHERE r.enabled = 1 AND coalesce(c.active, 1) = 1 ORDER BY r.chat_id"
        )
        settings: dict[tuple[Any, ...], ReminderSettings] = {}
        profiles: dict[str | None, Profile] = {}
        result = []
        for row in rows:
            key = tuple(row[1:7])
            s = settings.get(key)
            if s is None:
                s = settings[key] = _reminders_from(key)
            profile = profiles.get(row[7])
            if profile is None:
                profile = profiles[row[7]] = _profile_from_json(row[7])
            result.append((row[0], s, profile))
        return result

    # -- outbox ---------------------------------------------------------------------------------

    async def enqueue(self, items: Iterable[OutboxEntry], now: datetime) -> int:
        """Plan messages in one transaction; a key already planned is skipped. Returns new rows."""
        stamp = _ts(now)
        params = [_outbox_params(item, stamp) for item in items]
        if not params:
            return 0
        async with self._transaction() as db:
            before = db.total_changes
            await db.executemany(
                # ON CONFLICT (key), not OR IGNORE: only a duplicate key is skipped, a bad
                # row (e.g. no text) still fails the batch instead of vanishing.
                "INSERT INTO outbox (chat_id, key, text, meta, created, next_attempt)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                params,
            )
            return db.total_changes - before

    async def pending(self, limit: int, now: datetime) -> list[OutboxItem]:
        """Unsent, not dead, due by `now`; oldest first."""
        rows = await self._rows(
            "SELECT id, chat_id, key, text, meta, attempts, created FROM outbox"
            " WHERE sent_at IS NULL AND dead = 0 AND next_attempt <= ? ORDER BY id LIMIT ?",
            (_ts(now), limit),
        )
        return [_outbox_item(row) for row in rows]

    async def mark_sent(self, item_id: int, now: datetime) -> None:
        await self._write(
            "UPDATE outbox SET sent_at = ?, error = NULL WHERE id = ?", (_ts(now), item_id)
        )

    async def mark_sent_many(self, item_ids: Sequence[int], now: datetime) -> None:
        """The rows of one delivered message, in one short statement (its own transaction):
        called as soon as the send returns, so a crash repeats only messages in flight."""
        marks = ",".join("?" * len(item_ids))
        await self._write(
            f"UPDATE outbox SET sent_at = ?, error = NULL WHERE id IN ({marks})",
            (_ts(now), *item_ids),
        )

    async def mark_retry(self, item_id: int, error: str, next_attempt: datetime) -> None:
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, error = ?, next_attempt = ? WHERE id = ?",
            (error, _ts(next_attempt), item_id),
        )

    async def mark_dead(self, item_id: int, error: str) -> None:
        """Never retried: the failure is permanent (blocked, chat gone, bad request)."""
        await self._write(
            "UPDATE outbox SET dead = 1, attempts = attempts + 1, error = ? WHERE id = ?",
            (error, item_id),
        )

    async def drop_pending_for(self, chat_id: int) -> int:
        """The chat blocked us: its pending messages die instead of failing one by one."""
        return await self._write(
            "UPDATE outbox SET dead = 1, error = 'chat inactive'"
            " WHERE chat_id = ? AND sent_at IS NULL AND dead = 0",
            (chat_id,),
        )

    async def delete_pending_where_key_prefix(self, prefix: str) -> int:
        """Forget planned-but-unsent messages so they can be re-planned (e.g. after /reload)."""
        return await self._write(
            "DELETE FROM outbox WHERE sent_at IS NULL AND dead = 0"
            " AND substr(key, 1, length(?)) = ?",
            (prefix, prefix),
        )

    async def outbox_counts(self) -> dict[str, int]:
        row = await self._row(
            "SELECT count(*) FILTER (WHERE sent_at IS NULL AND dead = 0),"
            " count(*) FILTER (WHERE sent_at IS NOT NULL),"
            " count(*) FILTER (WHERE sent_at IS NULL AND dead = 1) FROM outbox"
        )
        assert row is not None
        return {"pending": row[0], "sent": row[1], "dead": row[2]}

    async def was_enqueued(self, key: str) -> bool:
        return await self._scalar("SELECT 1 FROM outbox WHERE key = ?", (key,)) is not None

    # -- update inbox ---------------------------------------------------------------------------

    async def inbox_add(self, updates: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
        """Journal a batch of (update_id, JSON) in one transaction; returns the new ones.

        An id already present was journaled before a crash that came before its confirmation:
        it is handled (or will be, from the journal) and is not returned. Handled rows below the
        batch can never come again (the offset confirmed them), so they are pruned here.
        """
        if not updates:
            return []
        async with self._transaction() as db:
            await db.execute(
                "DELETE FROM update_inbox WHERE body IS NULL AND update_id < ?",
                (min(update_id for update_id, _ in updates),),
            )
            fresh = []
            for update_id, body in updates:
                cursor = await db.execute(
                    "INSERT INTO update_inbox (update_id, body) VALUES (?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (update_id, body),
                )
                if cursor.rowcount:
                    fresh.append((update_id, body))
            return fresh

    async def inbox_done(self, update_id: int) -> None:
        """Handled: erase the content at once (it may hold a user's message)."""
        await self._write("UPDATE update_inbox SET body = NULL WHERE update_id = ?", (update_id,))

    async def inbox_pending(self) -> list[tuple[int, str]]:
        """Journaled but not handled (the bot stopped first), oldest first."""
        rows = await self._rows(
            "SELECT update_id, body FROM update_inbox WHERE body IS NOT NULL ORDER BY update_id"
        )
        return [(row[0], row[1]) for row in rows]

    # -- cohorts --------------------------------------------------------------------------------

    async def create_cohort(
        self, name: str, year: int, chat_id: int, code: str, created_by: int, now: datetime
    ) -> Cohort:
        """Raises AlreadyExists when the chat already has a cohort or the code is taken."""
        async with self._lock:
            try:
                cursor = await self._db.execute(
                    "INSERT INTO cohorts (name, year, chat_id, code, created_by, created)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (name, year, chat_id, code, created_by, _ts(now)),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"cohort: {exc}") from None
            cohort_id = cursor.lastrowid
        assert cohort_id is not None
        return Cohort(cohort_id, name, year, chat_id, code, created_by=created_by)

    async def _cohort_where(self, condition: str, params: Sequence[Any]) -> Cohort | None:
        row = await self._row(f"{_COHORT_SELECT} WHERE {condition}", params)
        return None if row is None else _cohort(row)

    async def get_cohort(self, cohort_id: int) -> Cohort | None:
        return await self._cohort_where("c.id = ?", (cohort_id,))

    async def get_cohort_by_chat(self, chat_id: int) -> Cohort | None:
        return await self._cohort_where("c.chat_id = ?", (chat_id,))

    async def get_cohort_by_code(self, code: str) -> Cohort | None:
        return await self._cohort_where("c.code = ?", (code,))

    async def join_cohort(self, cohort_id: int, user_id: int, now: datetime) -> None:
        """A person is in one cohort at a time: joining another moves them."""
        await self._write(
            "INSERT INTO cohort_members (user_id, cohort_id, joined) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET cohort_id = excluded.cohort_id,"
            " joined = excluded.joined WHERE cohort_id != excluded.cohort_id",
            (user_id, cohort_id, _ts(now)),
        )

    async def leave_cohort(self, user_id: int) -> bool:
        """False when the user was not in a cohort."""
        return await self._write("DELETE FROM cohort_members WHERE user_id = ?", (user_id,)) > 0

    async def cohort_of_user(self, user_id: int) -> Cohort | None:
        return await self._cohort_where(
            "c.id = (SELECT cohort_id FROM cohort_members WHERE user_id = ?)", (user_id,)
        )

    async def cohort_members(self, cohort_id: int) -> list[int]:
        rows = await self._rows(
            "SELECT user_id FROM cohort_members WHERE cohort_id = ? ORDER BY joined, user_id",
            (cohort_id,),
        )
        return [row[0] for row in rows]

    async def set_share(self, user_id: int, share: bool) -> None:
        await self._write(
            "INSERT INTO users (id, share) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET share = excluded.share",
            (user_id, int(share)),
        )

    async def get_share(self, user_id: int) -> bool:
        """Sharing is opt-in: unknown users do not share."""
        return bool(await self._scalar("SELECT share FROM users WHERE id = ?", (user_id,)))

    async def shared_profiles(self, cohort_id: int) -> list[Profile]:
        """Profiles of members who opted in (empty for those who have not filled one in)."""
        rows = await self._rows(
            "SELECT p.data FROM cohort_members m JOIN users u ON u.id = m.user_id AND u.share = 1"
            " LEFT JOIN profiles p ON p.user_id = m.user_id"
            " WHERE m.cohort_id = ? ORDER BY m.joined, m.user_id",
            (cohort_id,),
        )
        return [_profile_from_json(row[0]) for row in rows]

    async def set_cohort_channel(self, cohort_id: int, channel_id: int | None) -> None:
        await self._write("UPDATE cohorts SET channel_id = ? WHERE id = ?", (channel_id, cohort_id))

    async def set_cohort_leads(self, cohort_id: int, leads: tuple[int, ...]) -> None:
        """Replace the leads; order is kept (the first lead is the main contact)."""
        unique = list(dict.fromkeys(leads))
        async with self._transaction() as db:
            await db.execute("DELETE FROM cohort_leads WHERE cohort_id = ?", (cohort_id,))
            await db.executemany(
                "INSERT INTO cohort_leads (cohort_id, user_id, position) VALUES (?, ?, ?)",
                [(cohort_id, user_id, i) for i, user_id in enumerate(unique)],
            )

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move everything stored under the old chat id.

        Outbox keys start with the chat id ("{chat}:{deadline}:{lead}"), so they move too and
        the planner does not send the same reminder again under the new id.
        """
        old_prefix, new_prefix = f"{old_id}:", f"{new_id}:"
        async with self._transaction() as db:
            await db.execute(
                "UPDATE OR REPLACE chats SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            await db.execute(
                "UPDATE OR REPLACE reminders SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            await db.execute("UPDATE cohorts SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            await db.execute("UPDATE questions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            await db.execute(
                "UPDATE OR IGNORE outbox SET key = ? || substr(key, length(?) + 1)"
                " WHERE chat_id = ? AND substr(key, 1, length(?)) = ?",
                (new_prefix, old_prefix, old_id, old_prefix, old_prefix),
            )
            await db.execute("UPDATE outbox SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))

    # -- broadcasts -----------------------------------------------------------------------------

    async def create_broadcast(self, admin_id: int, text: str, now: datetime) -> int:
        """A draft; the admin confirms before it is fanned out."""
        async with self._lock:
            cursor = await self._db.execute(
                "INSERT INTO broadcasts (admin_id, text, status, created) VALUES (?, ?, ?, ?)",
                (admin_id, text, "draft", _ts(now)),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get_broadcast(self, broadcast_id: int) -> tuple[str, str] | None:
        """(text, status)."""
        row = await self._row("SELECT text, status FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else (row[0], row[1])

    async def set_broadcast_status(self, broadcast_id: int, status: str) -> None:
        await self._write("UPDATE broadcasts SET status = ? WHERE id = ?", (status, broadcast_id))

    # -- privacy --------------------------------------------------------------------------------

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one person, as JSON-ready data (for /export)."""
        user = await self._row(
            f"SELECT {', '.join(_USER_FIELDS)}, share FROM users WHERE id = ?",
            (user_id,),
        )
        dialog = await self.get_dialog(user_id)
        reminders = await self.get_reminders(user_id)
        cohort = await self.cohort_of_user(user_id)
        return {
            "user": None if user is None else dict(zip(_USER_FIELDS, user[:5], strict=True)),
            "active": await self.is_active(user_id),
            "profile": (await self.get_profile(user_id)).to_dict(),
            "dialog": None if dialog is None else json.loads(_dialog_json(dialog)),
            "reminders": {**asdict(reminders), "leads": list(reminders.leads)},
            "questions": await self._export_questions(user_id),
            "feedback": await self._export_feedback(user_id),
            "cohort": None if cohort is None else {"name": cohort.name, "year": cohort.year},
            "share": bool(user[5]) if user is not None else False,
        }

    async def _export_questions(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT text, topic, score, answered, asked_at FROM questions"
            " WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        return [
            {"text": t, "topic": topic, "score": score, "answered": bool(a), "asked_at": at}
            for t, topic, score, a, at in rows
        ]

    async def _export_feedback(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self._rows(
            "SELECT topic, helpful, at FROM feedback WHERE user_id = ? ORDER BY at", (user_id,)
        )
        return [{"topic": t, "helpful": bool(h), "at": at} for t, h, at in rows]

    async def forget_user(self, user_id: int) -> None:
        """/forget: delete every row about the person in one transaction (all or nothing).

        Rows that belong to others but name the person (a cohort they created, a broadcast they
        sent as admin) keep existing with the reference cleared.
        """
        deletes = (
            ("users", "id = ?"),
            ("chats", "chat_id = ?"),
            ("profiles", "user_id = ?"),
            ("dialogs", "user_id = ?"),
            ("feedback", "user_id = ?"),
            ("reminders", "chat_id = ?"),
            ("outbox", "chat_id = ?"),
            ("cohort_members", "user_id = ?"),
            ("cohort_leads", "user_id = ?"),
        )
        async with self._transaction() as db:
            for table, condition in deletes:
                await db.execute(f"DELETE FROM {table} WHERE {condition}", (user_id,))
            await db.execute(
                "DELETE FROM questions WHERE user_id = ? OR chat_id = ?", (user_id, user_id)
            )
            await db.execute(
                "UPDATE cohorts SET created_by = NULL WHERE created_by = ?", (user_id,)
            )
            await db.execute("UPDATE broadcasts SET admin_id = NULL WHERE admin_id = ?", (user_id,))

    # -- stats ----------------------------------------------------------------------------------

    async def stats(self, now: datetime) -> dict[str, Any]:
        """The admin /stats numbers; days are UTC dates, the last 7 ending today."""
        today = now.astimezone(UTC).date()
        first = today - timedelta(days=6)
        since = datetime(first.year, first.month, first.day, tzinfo=UTC)
        users, active = await self.count_users()
        questions = await self.question_stats(since)
        days = [(first + timedelta(days=i)).isoformat() for i in range(7)]
        per_day = {day: questions["per_day"].get(day, 0) for day in days}
        outbox = await self.outbox_counts()
        asked = questions["questions"]
        return {
            "users": users,
            "active_users": active,
            "questions_per_day": per_day,
            "questions_7d": asked,
            "answered_7d": questions["answered"],
            "answer_rate": questions["answered"] / asked if asked else 0.0,
            "reminders_sent": outbox["sent"],
            "outbox": outbox,
            "top_unanswered": await self.top_unanswered(5),
        }
