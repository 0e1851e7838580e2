"""The SQLite plumbing every storage room shares: opening, migrating, one locked connection.

Concurrency: one `SqliteStorage` owns one connection. Every write takes an `asyncio.Lock`, so a
multi-statement transaction is never interleaved with another coroutine's statements on the
same connection. Transactions start with BEGIN IMMEDIATE and the connection waits up to
`BUSY_TIMEOUT_MS` for the write lock, so a second process (`imgbot unanswered` next to a running
bot) can open the same file safely; WAL lets its reads run while the bot writes.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import aiosqlite

from bot.core.errors import StorageError

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
# Long enough to ride out another process's short write transaction, short enough that a stuck
# writer surfaces as an error instead of a silent hang.
BUSY_TIMEOUT_MS = 5000
WAL_ATTEMPTS = 100  # x 50 ms: as patient as BUSY_TIMEOUT_MS
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Row = Sequence[Any]

# -- conversions ------------------------------------------------------------------------------


def _ts(moment: datetime) -> str:
    """One fixed-width UTC form, so stored times order correctly as text (naive = UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _leads_text(leads: Iterable[int]) -> str:
    return ",".join(str(int(d)) for d in leads)


def _leads(text: str | None) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x) if text else ()


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
        current: int = next(iter(rows))[0]  # coalesce(max(INTEGER), 0)
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


class SqliteBase:
    """One aiosqlite connection and its lock; each storage room adds its tables' methods."""

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
        version: int = await self._scalar("SELECT coalesce(max(version), 0) FROM schema_version")
        return version

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
