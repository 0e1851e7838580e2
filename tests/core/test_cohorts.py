"""Cohorts on a temporary SQLite file with a fixed clock: permissions, joining, anonymous counts,
group and channel reminders through the same outbox as personal ones."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import callbacks
from bot.core.cohorts import MIN_SHARED, Cohorts, aggregate_text
from bot.core.models import Chat, Deadline, KnowledgeBase, Profile, Reply, User
from bot.core.service import Service
from bot.core.storage import SqliteStorage

NOW = datetime(2026, 8, 31, 12, 0, tzinfo=UTC)  # a Monday, after 09:00 UTC
GROUP = Chat(-500, "group", "IMG Lahore")
CHANNEL = -1001234567890
ADMIN = User(1, "Alice")
MEMBER = User(2, "Bob")
BOT_ADMIN = User(99, "Root")
BOT = "img_pathway_bot"

# One event a day ahead: its 1-day reminder is due at NOW (lead 1 = one day before the instant).
SOON = Deadline(
    id="2027-eras-submit",
    title="ERAS: submit your application",
    cycle=2027,
    at=NOW + timedelta(days=1) - timedelta(hours=1),
    all_day=False,
    topic="eras-application",
    status="estimated",
    source="https://students-residents.aamc.org",
)


class FakeAdmins:
    """Stands in for getChatMember: the (chat, user) pairs Telegram would call admins."""

    def __init__(self) -> None:
        self.pairs: set[tuple[int, int]] = set()
        self.asked: list[tuple[int, int]] = []

    async def __call__(self, chat_id: int, user_id: int) -> bool:
        self.asked.append((chat_id, user_id))
        return (chat_id, user_id) in self.pairs


@pytest.fixture(scope="module")
def kb(repo_knowledge: KnowledgeBase) -> KnowledgeBase:
    return dataclasses.replace(repo_knowledge, deadlines=(SOON,))


@pytest.fixture
async def service(tmp_path: Path, kb: KnowledgeBase) -> AsyncIterator[Service]:
    storage = await SqliteStorage.open(tmp_path / "bot.sqlite3")
    admins = FakeAdmins()
    admins.pairs.add((GROUP.id, ADMIN.id))
    svc = Service(
        kb, storage, clock=lambda: NOW, admins=frozenset({BOT_ADMIN.id}), is_chat_admin=admins
    )
    yield svc
    await storage.close()


@pytest.fixture
def cohorts(service: Service) -> Cohorts:
    return service.cohorts


async def create(cohorts: Cohorts, user: User = ADMIN, args: str = "Lahore 2027") -> Reply:
    return await cohorts.command(user, GROUP, ["create", *args.split()], BOT)


async def code_of(cohorts: Cohorts) -> str:
    cohort = await cohorts.storage.get_cohort_by_chat(GROUP.id)
    assert cohort is not None
    return cohort.code


# -- creating ------------------------------------------------------------------------------------


async def test_group_admin_creates_a_cohort_with_a_join_deep_link(cohorts: Cohorts) -> None:
    reply = await create(cohorts)
    code = await code_of(cohorts)
    assert f"https://t.me/{BOT}?start=join-{code}" in reply.text
    assert reply.buttons[0][0].start_payload == f"join-{code}"
    assert len(code) <= 20 and code.replace("-", "").replace("_", "").isalnum()
    # The group became a reminder subscriber for the 2027 cycle, 7 and 1 days ahead.
    settings = await cohorts.storage.get_reminders(GROUP.id)
    assert settings.enabled and settings.leads == (7, 1) and settings.tz == "UTC"
    assert (await cohorts.storage.get_profile(GROUP.id)).target_match_year == 2027
    assert await cohorts.storage.cohort_members(
        (await cohorts.storage.get_cohort_by_chat(GROUP.id)).id
    ) == [ADMIN.id]


async def test_non_admin_is_refused_and_nothing_is_created(cohorts: Cohorts) -> None:
    reply = await create(cohorts, MEMBER)
    assert "only this group's admins" in reply.text
    assert await cohorts.storage.get_cohort_by_chat(GROUP.id) is None


async def test_bot_admin_may_create_without_asking_telegram(cohorts: Cohorts) -> None:
    await create(cohorts, BOT_ADMIN)
    assert await cohorts.storage.get_cohort_by_chat(GROUP.id) is not None
    assert cohorts.is_chat_admin.asked == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args", ["Lahore", "2027", "Lahore 1999", "Lahore 2099", "x" * 61 + " 2027"]
)
async def test_bad_create_arguments_change_nothing(cohorts: Cohorts, args: str) -> None:
    reply = await create(cohorts, args=args)
    assert "Nothing was created" in reply.text or "Usage" in reply.text
    assert await cohorts.storage.get_cohort_by_chat(GROUP.id) is None


async def test_a_group_has_one_cohort(cohorts: Cohorts) -> None:
    await create(cohorts)
    reply = await create(cohorts, args="Other 2028")
    assert "already the cohort Lahore" in reply.text


async def test_create_in_private_points_to_the_group(cohorts: Cohorts) -> None:
    reply = await cohorts.command(ADMIN, Chat(ADMIN.id), ["create", "X", "2027"], BOT)
    assert "in your cohort's group" in reply.text


# -- joining ---------------------------------------------------------------------------------------


async def test_start_join_code_joins_and_sets_the_year(service: Service, cohorts: Cohorts) -> None:
    await create(cohorts)
    code = await code_of(cohorts)
    [reply] = await service.start(MEMBER, Chat(MEMBER.id), f"join-{code}")
    assert "Welcome to the cohort Lahore" in reply.text
    assert (await cohorts.storage.cohort_of_user(MEMBER.id)).name == "Lahore"  # type: ignore[union-attr]
    assert (await cohorts.storage.get_profile(MEMBER.id)).target_match_year == 2027


async def test_join_keeps_an_own_target_year(service: Service, cohorts: Cohorts) -> None:
    await create(cohorts)
    await cohorts.storage.save_profile(MEMBER.id, Profile(target_match_year=2028), NOW)
    [reply] = await service.start(MEMBER, Chat(MEMBER.id), f"join-{await code_of(cohorts)}")
    assert "stays 2028" in reply.text
    assert (await cohorts.storage.get_profile(MEMBER.id)).target_match_year == 2028


@pytest.mark.parametrize("code", ["nosuchcode", "", "a" * 21, "bad<code>", "x' OR 1=1 --"])
async def test_forged_join_code_gets_a_clear_message(service: Service, code: str) -> None:
    [reply] = await service.start(MEMBER, Chat(MEMBER.id), f"join-{code}")
    assert "join link is not valid" in reply.text
    assert await service.storage.cohort_of_user(MEMBER.id) is None


# -- sharing, leaving and the anonymous aggregate ---------------------------------------------


async def join_with(cohorts: Cohorts, user: User, profile: Profile, share: bool) -> None:
    code = await code_of(cohorts)
    await cohorts.storage.upsert_user(user, NOW)
    await cohorts.join(user, Chat(user.id), code)
    await cohorts.storage.save_profile(user.id, profile, NOW)
    if share:
        await cohorts.command(user, Chat(user.id), ["share", "on"], BOT)


async def test_aggregate_counts_only_opted_in_members_and_names_nobody(cohorts: Cohorts) -> None:
    await create(cohorts)
    passed = Profile(step1="passed", step2ck="passed", english="passed", target_match_year=2027)
    names = ["Zara", "Yusuf", "Xin", "Wale", "Vera"]
    for i, name in enumerate(names):
        # three sharers (two passed Step 1), two non-sharers who passed everything
        profile = passed if i >= 3 else Profile(step1="passed" if i < 2 else "preparing")
        await join_with(cohorts, User(100 + i, name), profile, share=i < 3)
    reply = await cohorts.command(MEMBER, GROUP, [], BOT)
    assert "6 members" in reply.text  # the creator and five joiners
    assert (
        "Of 3 members who share progress: 2 passed Step 1, 0 passed Step 2 CK, 0 passed OET"
        in reply.text
    )
    for name in [*names, ADMIN.name]:
        assert name not in reply.text
    assert "ERAS: submit your application" in reply.text  # the cycle's next deadline


async def test_too_few_sharers_show_no_numbers() -> None:
    text = aggregate_text([Profile(step1="passed")] * (MIN_SHARED - 1))
    assert "show no numbers" in text and "passed Step 1" not in text


async def test_share_buttons_and_leave(service: Service, cohorts: Cohorts) -> None:
    await create(cohorts)
    await join_with(cohorts, MEMBER, Profile(), share=False)
    private = Chat(MEMBER.id)
    status = await cohorts.command(MEMBER, private, [], BOT)
    assert "do not share" in status.text
    on = await service.button(MEMBER, private, callbacks.encode("c", "share", "on"))
    assert (
        on.edit
        and "You share your progress" in on.text
        and await cohorts.storage.get_share(MEMBER.id)
    )
    off = await cohorts.command(MEMBER, private, ["share", "off"], BOT)
    assert "do not share" in off.text and not await cohorts.storage.get_share(MEMBER.id)
    left = await service.button(MEMBER, private, callbacks.encode("c", "leave", "yes"))
    assert "You left Lahore" in left.text
    assert await cohorts.storage.cohort_of_user(MEMBER.id) is None
    again = await cohorts.command(MEMBER, private, ["leave"], BOT)
    assert "not in a cohort" in again.text


async def test_personal_subcommands_in_a_group_stay_private(cohorts: Cohorts) -> None:
    await create(cohorts)
    reply = await cohorts.command(MEMBER, GROUP, ["share", "on"], BOT)
    assert "private chat" in reply.text


@pytest.mark.parametrize(
    "data", ["1|c|share|maybe", "1|c|link|abc", "1|c|nuke|1", "1|c|leave|no", "1|c|link"]
)
async def test_forged_cohort_buttons_get_a_polite_notice(service: Service, data: str) -> None:
    reply = await service.button(MEMBER, Chat(MEMBER.id), data)
    assert reply.text == "" and reply.notice


# -- group reminders -----------------------------------------------------------------------------


async def test_only_admins_change_group_reminders(cohorts: Cohorts) -> None:
    await create(cohorts)
    refused = await cohorts.command(MEMBER, GROUP, ["reminders", "30", "7", "1"], BOT)
    assert "only this group's admins" in refused.text
    assert (await cohorts.storage.get_reminders(GROUP.id)).leads == (7, 1)
    saved = await cohorts.command(ADMIN, GROUP, ["reminders", "30", "7", "1"], BOT)
    assert "30 and 7 and 1 days" in saved.text
    assert (await cohorts.storage.get_reminders(GROUP.id)).leads == (30, 7, 1)
    bad = await cohorts.command(ADMIN, GROUP, ["reminders", "soon"], BOT)
    assert "Nothing was changed" in bad.text
    off = await cohorts.command(ADMIN, GROUP, ["reminders", "off"], BOT)
    assert "off" in off.text and not (await cohorts.storage.get_reminders(GROUP.id)).enabled


async def test_group_reminders_are_planned_once_into_the_outbox(service: Service) -> None:
    await create(service.cohorts)
    assert await service.plan_reminders() == 1
    assert await service.storage.was_enqueued(f"{GROUP.id}:{SOON.id}:1")
    [item] = await service.storage.pending(10, NOW)
    assert item.chat_id == GROUP.id and SOON.title in item.text
    assert await service.plan_reminders() == 0  # planning again never duplicates


async def test_removed_bot_plans_no_group_reminders(service: Service) -> None:
    await create(service.cohorts)
    await service.set_active(GROUP.id, False)  # my_chat_member: left / kicked
    assert await service.plan_reminders() == 0


async def test_migration_to_a_supergroup_keeps_the_cohort_and_its_year(service: Service) -> None:
    await create(service.cohorts)
    new_id = -1009876543210
    await service.cohorts.migrate(GROUP.id, new_id)
    await service.cohorts.migrate(GROUP.id, new_id)  # announced twice by Telegram: harmless
    cohort = await service.storage.get_cohort_by_chat(new_id)
    assert cohort is not None and cohort.name == "Lahore"
    assert (await service.storage.get_profile(new_id)).target_match_year == 2027
    assert await service.plan_reminders() == 1
    assert await service.storage.was_enqueued(f"{new_id}:{SOON.id}:1")


# -- channels and the digest ------------------------------------------------------------------


async def test_channel_link_offer_and_confirmation(service: Service, cohorts: Cohorts) -> None:
    await create(cohorts)
    offer = await cohorts.channel_added(ADMIN, CHANNEL, "Lahore news")
    labels = [b.data for row in offer.buttons for b in row]
    assert callbacks.encode("c", "link", CHANNEL) in labels
    link = callbacks.encode("c", "link", CHANNEL)
    refused = await service.button(ADMIN, Chat(ADMIN.id), link)  # not an admin of the channel
    assert "admin of that channel" in (refused.notice or "")
    cohorts.is_chat_admin.pairs.add((CHANNEL, ADMIN.id))  # type: ignore[attr-defined]
    done = await service.button(ADMIN, Chat(ADMIN.id), link)
    assert "Linked" in done.text
    assert (await cohorts.storage.get_cohort_by_chat(GROUP.id)).channel_id == CHANNEL  # type: ignore[union-attr]
    # The digest was planned at once; the channel is a reminder subscriber like the group.
    assert await cohorts.storage.was_enqueued(f"{CHANNEL}:digest:2026-W36")
    assert await service.plan_reminders() == 2
    assert await cohorts.storage.was_enqueued(f"{CHANNEL}:{SOON.id}:1")


async def test_nobody_can_point_the_bot_at_someone_elses_channel(
    service: Service, cohorts: Cohorts
) -> None:
    await create(cohorts)
    await join_with(cohorts, MEMBER, Profile(), share=False)
    cohorts.is_chat_admin.pairs.add((CHANNEL, MEMBER.id))  # type: ignore[attr-defined]
    reply = await service.button(MEMBER, Chat(MEMBER.id), callbacks.encode("c", "link", CHANNEL))
    assert "Only an admin of the cohort's group" in (reply.notice or "")
    assert (await cohorts.storage.get_cohort_by_chat(GROUP.id)).channel_id is None  # type: ignore[union-attr]


async def test_weekly_digest_once_per_week(service: Service, cohorts: Cohorts) -> None:
    await create(cohorts)
    cohort = await cohorts.storage.get_cohort_by_chat(GROUP.id)
    assert cohort is not None
    await cohorts.storage.set_cohort_channel(cohort.id, CHANNEL)
    assert await cohorts.plan_digests() == 1
    assert await cohorts.plan_digests() == 0
    cohorts._digest_week = None  # a restarted process scans again; the key still dedups
    assert await cohorts.plan_digests() == 0
    [digest] = [i for i in await cohorts.storage.pending(10, NOW) if "digest" in i.key]
    assert "What's ahead for Lahore" in digest.text and SOON.title in digest.text


async def test_no_digest_before_monday_morning(tmp_path: Path, kb: KnowledgeBase) -> None:
    early = datetime(2026, 8, 31, 8, 0, tzinfo=UTC)
    async with await SqliteStorage.open(tmp_path / "d.sqlite3") as storage:
        cohorts = Cohorts(storage, lambda: kb, lambda: early, frozenset({ADMIN.id}))
        await cohorts.command(ADMIN, GROUP, ["create", "Lahore", "2027"], BOT)
        cohort = await storage.get_cohort_by_chat(GROUP.id)
        assert cohort is not None
        await storage.set_cohort_channel(cohort.id, CHANNEL)
        assert await cohorts.plan_digests() == 0


async def test_channel_added_by_someone_without_a_cohort(cohorts: Cohorts) -> None:
    reply = await cohorts.channel_added(MEMBER, CHANNEL, "News")
    assert "first create the cohort" in reply.text and not reply.buttons
