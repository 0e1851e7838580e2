"""SqliteStorage against real temporary SQLite files (the same engine production uses)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.errors import AlreadyExists
from bot.core.models import Profile, ReminderSettings, User
from bot.core.storage import MIGRATIONS_DIR, DialogState, SqliteStorage, StorageError

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "imgbot.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStorage]:
    storage = await SqliteStorage.open(db_path)
    yield storage
    await storage.close()


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection to look at what was really written."""
    return sqlite3.connect(path)


# -- opening and migrations ---------------------------------------------------------------------


async def test_open_creates_parent_dir_and_applies_migrations_once(db_path: Path) -> None:
    expected = len(list(MIGRATIONS_DIR.glob("*.sql")))
    first = await SqliteStorage.open(db_path)
    assert await first.schema_version() == expected
    await first.close()

    second = await SqliteStorage.open(db_path)
    assert await second.schema_version() == expected
    await second.close()
    with raw(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == expected


async def test_wal_mode_and_foreign_keys_are_on(store: SqliteStorage, db_path: Path) -> None:
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert await store._scalar("PRAGMA foreign_keys") == 1


async def test_memory_database_works() -> None:
    async with await SqliteStorage.open(":memory:") as storage:
        await storage.save_profile(1, Profile(stage="student"), NOW)
        assert (await storage.get_profile(1)).stage == "student"


# Rows an earlier version stored for id 0 (no person), next to a person's (7) and a group's
# (-100, a cohort with its year profile and reminders): migration 3 removes only the id 0 ones.
OLD_ROWS = {
    "users": "INSERT INTO users (id, name) VALUES (?, 'x')",
    "chats": "INSERT INTO chats (chat_id, active) VALUES (?, 1)",
    "profiles": "INSERT INTO profiles (user_id, data, updated) VALUES (?, '{}', 't')",
    "dialogs": "INSERT INTO dialogs (user_id, data) VALUES (?, '{}')",
    "feedback": "INSERT INTO feedback (user_id, topic, helpful, at) VALUES (?, 'soap', 1, 't')",
    "reminders": "INSERT INTO reminders (chat_id, enabled, leads, tz, send_hour)"
    " VALUES (?, 1, '7,1', 'UTC', 9)",
    "outbox": "INSERT INTO outbox (chat_id, key, text, created, next_attempt)"
    " VALUES (?1, 'k' || ?1, 'x', 't', 't')",
    "questions": "INSERT INTO questions (user_id, chat_id, text, norm, score, answered, asked_at)"
    " VALUES (?1, ?1, 'x', 'x', 0, 0, 't')",
}


async def test_migration_3_forgets_rows_stored_for_id_0(tmp_path: Path) -> None:
    before = tmp_path / "before"
    before.mkdir()
    for name in ("0001_initial.sql", "0002_update_inbox.sql"):
        (before / name).write_text((MIGRATIONS_DIR / name).read_text())
    path = tmp_path / "old.sqlite3"
    old = await SqliteStorage.open(path, before)
    assert await old.schema_version() == 2
    await old.close()
    with raw(path) as conn:
        for ident in (0, 7, -100):
            for sql in OLD_ROWS.values():
                conn.execute(sql, (ident,))
        conn.execute(
            "INSERT INTO cohorts (id, name, year, chat_id, code, created_by, created)"
            " VALUES (1, 'Lahore', 2027, -100, 'c1', 0, 't'),"
            " (2, 'Cairo', 2027, -200, 'c2', 7, 't')"
        )
        conn.execute("INSERT INTO cohort_members VALUES (0, 1, 't'), (7, 1, 't')")
        conn.execute("INSERT INTO cohort_leads VALUES (1, 0, 0), (1, 7, 1)")
        conn.execute(
            "INSERT INTO questions (user_id, chat_id, text, norm, score, answered,"
            " asked_at) VALUES (0, -100, 'anonymous', 'x', 0, 0, 't')"
        )
        conn.execute(
            "INSERT INTO broadcasts (admin_id, text, status, created)"
            " VALUES (0, 'x', 'sent', 't'), (7, 'y', 'sent', 't')"
        )

    async with await SqliteStorage.open(path) as store:
        assert await store.schema_version() >= 3
    with raw(path) as conn:
        ids = {
            table: sorted(r[0] for r in conn.execute(f"SELECT {column} FROM {table}"))
            for table, column in [
                ("users", "id"),
                ("chats", "chat_id"),
                ("profiles", "user_id"),
                ("dialogs", "user_id"),
                ("feedback", "user_id"),
                ("reminders", "chat_id"),
                ("outbox", "chat_id"),
                ("cohort_members", "user_id"),
                ("cohort_leads", "user_id"),
            ]
        }
        assert ids == {table: ([-100, 7] if table in OLD_ROWS else [7]) for table in ids}
        questions = sorted(conn.execute("SELECT user_id, chat_id, text FROM questions"))
        # A group's anonymous question stays: it belongs to no person and shows a gap.
        assert questions == [(-100, -100, "x"), (0, -100, "anonymous"), (7, 7, "x")]
        creators = conn.execute("SELECT created_by FROM cohorts ORDER BY id").fetchall()
        assert creators == [(None,), (7,)]
        admins = conn.execute("SELECT admin_id FROM broadcasts ORDER BY id").fetchall()
        assert admins == [(None,), (7,)]


async def test_broken_migration_leaves_nothing_half_applied(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_first.sql").write_text("-- Reason: test\nCREATE TABLE a (x INTEGER);\n")
    (migrations / "0002_broken.sql").write_text("CREATE TABLE b (x INTEGER);\nNOT SQL;\n")
    path = tmp_path / "db.sqlite3"
    with pytest.raises(sqlite3.OperationalError):
        await SqliteStorage.open(path, migrations)
    with raw(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "a" not in tables and "b" not in tables


# -- users, profiles, dialogs -------------------------------------------------------------------


async def test_users_and_activity(store: SqliteStorage) -> None:
    await store.upsert_user(User(1, "Asha"), NOW)
    await store.upsert_user(User(2, "Bola"), NOW)
    assert await store.is_active(1) and await store.is_active(999)
    await store.set_active(2, False)
    await store.upsert_user(User(2, "Bola A."), NOW + timedelta(days=1))  # does not reactivate
    assert not await store.is_active(2)
    assert await store.count_users() == (2, 1)
    assert await store.user_ids() == [1, 2]
    assert await store.user_ids(active_only=True) == [1]
    await store.set_active(2, True)
    assert await store.count_users() == (2, 2)


async def test_profile_round_trip(store: SqliteStorage) -> None:
    assert await store.get_profile(7) == Profile()
    profile = Profile(stage="graduate", graduation_year=2021, step1="passed", needs_visa=True)
    await store.save_profile(7, profile, NOW)
    assert await store.get_profile(7) == profile
    await store.save_profile(7, Profile(), NOW)
    assert await store.get_profile(7) == Profile()


async def test_dialog_round_trip(store: SqliteStorage) -> None:
    assert await store.get_dialog(7) is None
    state = DialogState(active=True, skipped=("step3",), history=("stage", "step1"), awaiting="x")
    await store.save_dialog(7, state)
    assert await store.get_dialog(7) == state
    await store.save_dialog(7, None)
    assert await store.get_dialog(7) is None


async def test_dialog_survives_reopen(db_path: Path) -> None:
    state = DialogState(active=True, history=("stage",), awaiting="school_year")
    async with await SqliteStorage.open(db_path) as storage:
        await storage.save_dialog(3, state)
    async with await SqliteStorage.open(db_path) as storage:
        assert await storage.get_dialog(3) == state


# -- questions and feedback ---------------------------------------------------------------------


async def test_top_unanswered_by_frequency_then_recency(store: SqliteStorage) -> None:
    asked = ["What is SOAP?", "  what is soap? ", "visa for spouse", "h1b cost", "answered one"]
    for i, text in enumerate(asked):
        answered = text == "answered one"
        await store.log_question(1, 1, text, None, 10.0, answered, NOW + timedelta(minutes=i))
    expected = [("what is soap?", 2), ("h1b cost", 1), ("visa for spouse", 1)]
    assert await store.top_unanswered() == expected
    assert await store.top_unanswered(limit=1) == [("what is soap?", 2)]


async def test_question_stats_per_day(store: SqliteStorage) -> None:
    await store.log_question(1, 1, "old", None, 0, False, NOW - timedelta(days=10))
    await store.log_question(1, 1, "a", "usmle-step1", 90, True, NOW - timedelta(days=1))
    await store.log_question(2, 2, "b", None, 20, False, NOW)
    await store.log_question(2, 2, "c", "eras", 95, True, NOW)
    stats = await store.question_stats(NOW - timedelta(days=7))
    assert stats == {
        "questions": 3,
        "answered": 2,
        "per_day": {"2025-02-28": 1, "2025-03-01": 2},
    }


async def test_feedback_latest_vote_wins(store: SqliteStorage) -> None:
    await store.add_feedback(1, "eras", True, NOW)
    await store.add_feedback(1, "eras", False, NOW)
    await store.add_feedback(2, "eras", True, NOW)
    await store.add_feedback(2, "soap", True, NOW)
    assert await store.feedback_counts() == {"eras": (1, 1), "soap": (1, 0)}


# -- reminders ----------------------------------------------------------------------------------


async def test_reminder_settings_round_trip(store: SqliteStorage) -> None:
    assert await store.get_reminders(5) == ReminderSettings()
    settings = ReminderSettings(True, (14, 2), "Asia/Kolkata", 22, 7, 8)
    await store.save_reminders(5, settings)
    assert await store.get_reminders(5) == settings


async def test_subscribers_only_active_and_enabled(store: SqliteStorage) -> None:
    on = ReminderSettings(enabled=True)
    await store.save_reminders(1, on)
    await store.save_reminders(2, on)
    await store.save_reminders(3, ReminderSettings(enabled=False))
    await store.save_reminders(-100, on)  # a group: no profile
    await store.set_active(2, False)
    await store.save_profile(1, Profile(stage="student"), NOW)
    subs = await store.subscribers()
    assert subs == [(-100, on, Profile()), (1, on, Profile(stage="student"))]


async def test_100k_subscribers_fetched_in_one_query(store: SqliteStorage, db_path: Path) -> None:
    """Correctness at scale; timing lives in benchmarks, not in assertions."""
    n = 100_000
    with raw(db_path) as conn:
        conn.executemany(
            "INSERT INTO reminders (chat_id, enabled, leads, tz, send_hour)"
            " VALUES (?, 1, '30,7,1', 'UTC', 9)",
            ((i,) for i in range(1, n + 1)),
        )
        conn.executemany(
            "INSERT INTO profiles (user_id, data, updated) VALUES (?, ?, '')",
            ((i, json.dumps({"target_match_year": 2026 + i % 3})) for i in range(1, n + 1, 2)),
        )
        conn.executemany(
            "INSERT INTO chats (chat_id, active) VALUES (?, 0)", ((i,) for i in (1, 2))
        )
    subs = await store.subscribers()
    assert len(subs) == n - 2
    assert subs[0][0] == 3 and subs[0][2] == Profile(target_match_year=2026)
    assert subs[1][2] == Profile()
    assert all(s.enabled and s.leads == (30, 7, 1) for _, s, _ in subs)


# -- outbox -------------------------------------------------------------------------------------


async def test_enqueue_is_unique_by_key(store: SqliteStorage) -> None:
    assert await store.enqueue([(1, "1:eras:7", "ERAS opens in 7 days")], NOW) == 1
    assert await store.enqueue([(1, "1:eras:7", "ERAS opens in 7 days")], NOW) == 0
    assert await store.enqueue([(1, "1:eras:7", "x"), (2, "2:eras:7", "y")], NOW) == 1
    assert await store.enqueue([], NOW) == 0
    assert await store.was_enqueued("1:eras:7") and not await store.was_enqueued("nope")
    assert await store.outbox_counts() == {"pending": 2, "sent": 0, "dead": 0}


async def test_outbox_transitions(store: SqliteStorage) -> None:
    await store.enqueue(
        [(1, "a", "first"), (2, "b", "second"), (3, "c", "third", {"kind": "broadcast"})], NOW
    )
    items = await store.pending(10, NOW)
    assert [(i.chat_id, i.key, i.text, i.attempts) for i in items] == [
        (1, "a", "first", 0),
        (2, "b", "second", 0),
        (3, "c", "third", 0),
    ]
    assert items[0].created == NOW and items[2].meta == {"kind": "broadcast"}
    a, b, c = items

    await store.mark_sent(a.id, NOW)
    await store.mark_retry(b.id, "flood", NOW + timedelta(seconds=30))
    await store.mark_dead(c.id, "Forbidden: bot was blocked by the user")
    assert await store.pending(10, NOW) == []
    assert await store.outbox_counts() == {"pending": 1, "sent": 1, "dead": 1}

    later = await store.pending(10, NOW + timedelta(seconds=30))
    assert [(i.id, i.attempts) for i in later] == [(b.id, 1)]
    assert await store.pending(1, NOW + timedelta(days=1)) == later


async def test_mark_sent_many_marks_exactly_those_rows(store: SqliteStorage) -> None:
    await store.enqueue([(1, "a", "x"), (1, "b", "y"), (2, "c", "z")], NOW)
    a, b, c = await store.pending(10, NOW)
    await store.mark_sent_many([a.id, b.id], NOW)
    assert await store.pending(10, NOW) == [c]
    assert await store.outbox_counts() == {"pending": 1, "sent": 2, "dead": 0}


async def test_pending_oldest_first_and_limited(store: SqliteStorage) -> None:
    await store.enqueue([(1, f"k{i}", "t") for i in range(5)], NOW)
    assert [i.key for i in await store.pending(2, NOW)] == ["k0", "k1"]


async def test_drop_pending_for_blocked_chat(store: SqliteStorage) -> None:
    await store.enqueue([(1, "a", "t"), (1, "b", "t"), (2, "c", "t")], NOW)
    sent = (await store.pending(1, NOW))[0]
    await store.mark_sent(sent.id, NOW)
    assert await store.drop_pending_for(1) == 1
    assert [i.key for i in await store.pending(10, NOW)] == ["c"]
    assert await store.outbox_counts() == {"pending": 1, "sent": 1, "dead": 1}


async def test_delete_pending_where_key_prefix(store: SqliteStorage) -> None:
    await store.enqueue([(1, "rem:1:a", "t"), (1, "rem:1:b", "t"), (1, "bc:1", "t")], NOW)
    sent = (await store.pending(1, NOW))[0]
    await store.mark_sent(sent.id, NOW)
    assert await store.delete_pending_where_key_prefix("rem:") == 1
    assert await store.was_enqueued("rem:1:a")  # sent items stay: they must not be sent again
    assert not await store.was_enqueued("rem:1:b")
    assert await store.was_enqueued("bc:1")


async def test_enqueue_100k_in_one_batch(store: SqliteStorage) -> None:
    items = ((i, f"{i}:eras:30", "ERAS opens soon") for i in range(100_000))
    assert await store.enqueue(items, NOW) == 100_000
    assert (await store.outbox_counts())["pending"] == 100_000


# -- cohorts ------------------------------------------------------------------------------------


async def test_cohort_membership_and_sharing(store: SqliteStorage) -> None:
    cohort = await store.create_cohort("Match 2026", 2026, -500, "abc123", 1, NOW)
    assert await store.get_cohort(cohort.id) == cohort
    assert await store.get_cohort_by_chat(-500) == cohort
    assert await store.get_cohort_by_code("abc123") == cohort
    assert await store.get_cohort_by_code("nope") is None

    for user_id in (1, 2, 3):
        await store.join_cohort(cohort.id, user_id, NOW + timedelta(minutes=user_id))
    assert await store.cohort_members(cohort.id) == [1, 2, 3]
    assert await store.cohort_of_user(2) == cohort
    assert await store.leave_cohort(3) and not await store.leave_cohort(3)
    assert await store.cohort_of_user(3) is None

    await store.save_profile(1, Profile(step1="passed"), NOW)
    await store.set_share(1, True)
    await store.set_share(2, True)
    await store.set_share(2, False)
    assert await store.get_share(1) and not await store.get_share(2)
    assert await store.shared_profiles(cohort.id) == [Profile(step1="passed")]

    await store.set_cohort_channel(cohort.id, -1009)
    await store.set_cohort_leads(cohort.id, (2, 1))
    updated = await store.get_cohort(cohort.id)
    assert updated is not None and updated.channel_id == -1009 and updated.leads == (2, 1)


async def test_cohort_code_and_chat_are_unique(store: SqliteStorage) -> None:
    await store.create_cohort("A", 2026, -1, "code", 1, NOW)
    with pytest.raises(AlreadyExists):
        await store.create_cohort("B", 2026, -2, "code", 1, NOW)
    with pytest.raises(AlreadyExists):
        await store.create_cohort("C", 2026, -1, "other", 1, NOW)


async def test_migrate_chat_moves_cohort_settings_and_outbox(store: SqliteStorage) -> None:
    old, new = -42, -10042
    cohort = await store.create_cohort("Match 2026", 2026, old, "code", 1, NOW)
    settings = ReminderSettings(enabled=True, tz="Africa/Lagos")
    await store.save_reminders(old, settings)
    await store.set_active(old, True)
    await store.enqueue([(old, f"{old}:eras:7", "ERAS in 7 days")], NOW)
    await store.log_question(1, old, "what is usce", None, 10, False, NOW)

    await store.migrate_chat(old, new)

    assert await store.get_cohort_by_chat(new) == replace(cohort, chat_id=new)
    assert await store.get_cohort_by_chat(old) is None
    assert await store.get_reminders(new) == settings
    assert await store.get_reminders(old) == ReminderSettings()
    [item] = await store.pending(10, NOW)
    assert item.chat_id == new and item.key == f"{new}:eras:7"
    assert [s[0] for s in await store.subscribers()] == [new]


# -- privacy ------------------------------------------------------------------------------------


async def _everything_about(store: SqliteStorage, user_id: int) -> None:
    await store.upsert_user(User(user_id, "Asha", "en"), NOW)
    await store.set_active(user_id, True)
    await store.save_profile(user_id, Profile(stage="graduate", usce_months=3), NOW)
    await store.save_dialog(user_id, DialogState(active=True, awaiting="step1"))
    await store.log_question(user_id, user_id, "how to get usce", "usce", 88, True, NOW)
    await store.log_question(user_id, -7, "visa?", None, 5, False, NOW)
    await store.add_feedback(user_id, "usce", True, NOW)
    await store.save_reminders(user_id, ReminderSettings(enabled=True))
    await store.enqueue([(user_id, f"{user_id}:eras:7", "ERAS soon")], NOW)
    cohort = await store.create_cohort("Match 2026", 2026, -7, "code", user_id, NOW)
    await store.join_cohort(cohort.id, user_id, NOW)
    await store.set_cohort_leads(cohort.id, (user_id,))
    await store.set_share(user_id, True)
    await store.create_broadcast(user_id, "hello all", NOW)


async def test_export_contains_profile_questions_and_more(store: SqliteStorage) -> None:
    await _everything_about(store, 4242)
    data = await store.export_user(4242)
    json.dumps(data)  # JSON-serialisable as is
    assert data["user"]["name"] == "Asha"
    assert data["profile"] == {"stage": "graduate", "usce_months": 3}
    assert [q["text"] for q in data["questions"]] == ["how to get usce", "visa?"]
    assert data["dialog"]["awaiting"] == "step1"
    assert data["reminders"]["enabled"] is True
    [vote] = data["feedback"]
    assert vote["topic"] == "usce" and vote["helpful"] is True
    assert datetime.fromisoformat(vote["at"]) == NOW
    assert data["cohort"] == {"name": "Match 2026", "year": 2026}
    assert data["share"] is True


async def test_forget_deletes_every_row_about_the_user(store: SqliteStorage, db_path: Path) -> None:
    user_id, other = 4242, 77
    await _everything_about(store, user_id)
    await store.upsert_user(User(other, "Bola"), NOW)
    await store.save_profile(other, Profile(stage="student"), NOW)

    await store.forget_user(user_id)

    with raw(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            where = " OR ".join(f'"{c}" = ?' for c in columns)
            hits = conn.execute(f"SELECT * FROM {table} WHERE {where}", [user_id] * len(columns))
            assert hits.fetchall() == [], f"{table} still references the user"
    assert await store.get_profile(other) == Profile(stage="student")
    left = await store.export_user(user_id)
    assert left["user"] is None and left["profile"] == {} and left["questions"] == []


# -- concurrency --------------------------------------------------------------------------------


async def test_concurrent_coroutines_on_one_connection(store: SqliteStorage) -> None:
    async def one(i: int) -> None:
        await store.upsert_user(User(i, f"user {i}"), NOW)
        await store.log_question(i, i, f"question {i % 10}", None, 1, False, NOW)
        await store.enqueue([(i, f"k{i}", "t"), (i, f"k{i}b", "t")], NOW)

    await asyncio.gather(*(one(i) for i in range(200)))
    assert await store.count_users() == (200, 200)
    assert sum(n for _, n in await store.top_unanswered()) == 200
    assert (await store.outbox_counts())["pending"] == 400


async def test_two_instances_on_the_same_file(db_path: Path) -> None:
    first = await SqliteStorage.open(db_path)
    second = await SqliteStorage.open(db_path)
    try:

        async def writes(storage: SqliteStorage, base: int) -> None:
            for i in range(50):
                await storage.enqueue([(base + i, f"{base + i}:x", "t")], NOW)
                await storage.upsert_user(User(base + i), NOW)

        await asyncio.gather(writes(first, 0), writes(second, 1000))
        await first.save_profile(1, Profile(stage="student"), NOW)
        assert await second.get_profile(1) == Profile(stage="student")
        assert await first.count_users() == await second.count_users() == (100, 100)
        assert (await second.outbox_counts())["pending"] == 100
    finally:
        await first.close()
        await second.close()


async def test_two_processes_open_a_fresh_file_together(db_path: Path) -> None:
    """Both run migrations at start; the write lock makes exactly one of them apply each."""
    stores = await asyncio.gather(*(SqliteStorage.open(db_path) for _ in range(4)))
    try:
        versions = {await s.schema_version() for s in stores}
        assert versions == {len(list(MIGRATIONS_DIR.glob("*.sql")))}
    finally:
        for s in stores:
            await s.close()


async def test_failed_batch_is_rolled_back_and_storage_stays_usable(store: SqliteStorage) -> None:
    bad = [(1, "a", "fine"), (2, "b", None)]  # NOT NULL text: the whole batch must fail
    with pytest.raises(sqlite3.IntegrityError):
        await store.enqueue(bad, NOW)  # type: ignore[arg-type]
    assert await store.outbox_counts() == {"pending": 0, "sent": 0, "dead": 0}
    assert await store.enqueue([(1, "a", "fine")], NOW) == 1


async def test_profile_ignores_fields_it_no_longer_knows(
    store: SqliteStorage, db_path: Path
) -> None:
    with raw(db_path) as conn:
        conn.execute(
            "INSERT INTO profiles VALUES (1, ?, '')", (json.dumps({"stage": "student", "gone": 1}),)
        )
    assert await store.get_profile(1) == Profile(stage="student")


async def test_another_process_writes_while_we_write(store: SqliteStorage, db_path: Path) -> None:
    """Like `imgbot unanswered` (or a second bot) next to the running bot."""
    script = (
        "import asyncio, sys\n"
        "from datetime import UTC, datetime\n"
        "def now(): return datetime.now(UTC)\n"
        "from bot.core.storage import SqliteStorage\n"
        "async def main():\n"
        "    async with await SqliteStorage.open(sys.argv[1]) as s:\n"
        "        for i in range(100):\n"
        "            await s.log_question(i, i, 'from the cli', None, 0, False, now())\n"
        "asyncio.run(main())\n"
    )
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, str(db_path))
    for i in range(100):
        await store.enqueue([(i, f"{i}:k", "t")], NOW)
    assert await process.wait() == 0
    assert await store.top_unanswered() == [("from the cli", 100)]
    assert (await store.outbox_counts())["pending"] == 100


async def test_stats(store: SqliteStorage) -> None:
    for user_id in (1, 2, 3):
        await store.upsert_user(User(user_id), NOW)
    await store.set_active(3, False)
    await store.log_question(1, 1, "eras fee", "eras", 90, True, NOW - timedelta(days=2))
    await store.log_question(1, 1, "what is a dog", None, 3, False, NOW)
    await store.log_question(2, 2, "long ago", None, 3, False, NOW - timedelta(days=30))
    await store.enqueue([(1, "1:eras:7", "ERAS soon"), (2, "2:eras:7", "ERAS soon")], NOW)
    await store.mark_sent((await store.pending(1, NOW))[0].id, NOW)

    stats = await store.stats(NOW)

    assert stats["users"] == 3 and stats["active_users"] == 2
    days = list(stats["questions_per_day"])
    assert (len(days), days[0], days[-1]) == (7, "2025-02-23", "2025-03-01")
    assert stats["questions_per_day"]["2025-02-27"] == 1
    assert stats["questions_per_day"]["2025-03-01"] == 1
    assert stats["answer_rate"] == 0.5
    assert stats["reminders_sent"] == 1
    assert stats["top_unanswered"] == [("what is a dog", 1), ("long ago", 1)]
    json.dumps(stats)


# -- an unusable database is refused at open, in one line ---------------------------------------


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """Make a file read-only for this process: chmod, or (as root, whom chmod does not stop)
    the immutable attribute; skips when neither is possible here."""
    made: list[Path] = []

    def make(path: Path) -> None:
        path.chmod(0o444)
        if not os.access(path, os.W_OK):
            return
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("cannot make a file read-only for this user")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=True)


async def test_a_read_only_database_is_refused_at_open(db_path: Path, read_only) -> None:
    await (await SqliteStorage.open(db_path)).close()
    read_only(db_path)
    with pytest.raises(StorageError, match=r"cannot write to the database .*write access"):
        await SqliteStorage.open(db_path)


async def test_a_file_that_is_not_sqlite_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StorageError, match="is not a SQLite database"):
        await SqliteStorage.open(path)
    assert path.read_text().startswith("these are my notes"), "the file is left untouched"


async def test_a_data_directory_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(StorageError, match="cannot create the data directory"):
        await SqliteStorage.open(blocker / "imgbot.sqlite3")


# -- the update inbox (long polling journal) ---------------------------------------------------


async def test_inbox_journals_erases_when_done_and_skips_a_batch_fetched_again(
    store: SqliteStorage, db_path: Path
) -> None:
    batch = [(10, '{"update_id": 10}'), (11, '{"update_id": 11}')]
    assert await store.inbox_add(batch) == batch
    await store.inbox_done(10)
    assert await store.inbox_pending() == [(11, '{"update_id": 11}')]
    with raw(db_path) as conn:
        assert conn.execute("SELECT body FROM update_inbox WHERE update_id = 10").fetchone() == (
            None,
        ), "a handled update's content is erased at once"
    # A crash before the next getUpdates confirmed them: Telegram sends both again.
    assert await store.inbox_add([*batch, (12, "{}")]) == [(12, "{}")]
    # The next batch starts above them: handled rows below it can never come back.
    await store.inbox_done(11)
    await store.inbox_add([(13, "{}")])
    with raw(db_path) as conn:
        ids = [r[0] for r in conn.execute("SELECT update_id FROM update_inbox ORDER BY 1")]
    assert ids == [12, 13]
