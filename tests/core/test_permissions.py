"""Who may do what, in the core: personal commands stay private, buttons act for their owner,
group reminders belong to the group's admins, and bad values are quoted short."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core import callbacks, texts
from bot.core.models import Chat, KnowledgeBase, Reply, User
from bot.core.quoting import EXCERPT_CHARS, excerpt
from bot.core.service import Service
from bot.core.storage import SqliteStorage

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ANNA, BEN = User(101, "Anna"), User(102, "Ben")
GROUP_ADMIN = User(103, "Gia")
BOT_ADMIN = User(1, "Root")
GROUP = Chat(-500, "supergroup", "Batch 2027")


def private(user: User) -> Chat:
    return Chat(user.id)


@pytest.fixture
async def svc(tmp_path: Path, repo_knowledge: KnowledgeBase) -> AsyncIterator[Service]:
    storage = await SqliteStorage.open(tmp_path / "db.sqlite3")

    async def is_chat_admin(chat_id: int, user_id: int) -> bool:
        return (chat_id, user_id) == (GROUP.id, GROUP_ADMIN.id)

    service = Service(
        repo_knowledge, storage, lambda: NOW, frozenset({BOT_ADMIN.id}), is_chat_admin
    )
    yield service
    await storage.close()


def datas(reply: Reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row if b.data]


@pytest.mark.parametrize("command", ["next", "profile", "progress", "export", "forget"])
async def test_personal_commands_outside_private_are_a_deep_link(svc: Service, command: str):
    for chat in (GROUP, Chat(-100, "channel")):
        if command in ("profile",):
            reply = await svc.profile(ANNA, chat, [])
        else:
            reply = await getattr(svc, command)(ANNA, chat)
        assert reply.document is None and not datas(reply)
        assert [b.start_payload for row in reply.buttons for b in row] == [command]
        start = await svc.start(ANNA, private(ANNA), command)
        assert start[0].text != texts.WELCOME  # the payload runs the command


async def test_forget_buttons_name_their_owner_and_act_only_for_them(svc: Service):
    await svc.profile(ANNA, private(ANNA), ["set", "step1", "passed"])
    yes = next(d for d in datas(await svc.forget(ANNA, private(ANNA))) if "yes" in d)
    assert callbacks.decode(yes).owner == ANNA.id
    refused = await svc.button(BEN, private(BEN), yes)
    assert refused.notice == texts.NOT_YOURS and not refused.text
    assert (await svc.storage.get_profile(ANNA.id)).step1 == "passed"
    done = await svc.button(ANNA, private(ANNA), yes)
    assert "deleted" in done.text and (await svc.storage.get_profile(ANNA.id)).step1 is None


@pytest.mark.parametrize("data", ["1|x|yes", "1|p|step1|passed", "1|r|on|1", "1|c|leave|yes"])
async def test_a_button_without_an_owner_acts_only_in_the_pressers_private_chat(svc, data):
    for chat in (GROUP, private(ANNA)):  # a group, or someone else's private chat
        reply = await svc.button(BEN, chat, data)
        assert reply.notice == texts.NOT_YOURS and not reply.text
    assert (await svc.storage.get_reminders(BEN.id)).enabled is False


async def test_group_reminders_change_only_for_group_and_bot_admins(svc: Service):
    refused = await svc.remind(BEN, GROUP, ["on"])
    assert refused.text == texts.GROUP_REMINDERS_ADMINS
    assert [b.start_payload for row in refused.buttons for b in row] == ["remind"]
    assert not (await svc.storage.get_reminders(GROUP.id)).enabled
    shown = await svc.remind(BEN, GROUP, [])  # anyone may look
    turn_on = datas(shown)[0]
    assert callbacks.decode(turn_on).owner == BEN.id
    pressed = await svc.button(BEN, GROUP, turn_on)
    assert pressed.notice == texts.GROUP_REMINDERS_NOTICE and not pressed.text
    assert not (await svc.storage.get_reminders(GROUP.id)).enabled
    await svc.remind(GROUP_ADMIN, GROUP, ["on"])
    assert (await svc.storage.get_reminders(GROUP.id)).enabled
    await svc.remind(BOT_ADMIN, GROUP, ["off"])
    assert not (await svc.storage.get_reminders(GROUP.id)).enabled


async def test_a_broadcast_confirms_only_for_its_author(svc: Service):
    other_admin = User(2, "Other")
    svc.admins = frozenset({BOT_ADMIN.id, other_admin.id})
    preview = await svc.broadcast(BOT_ADMIN, "hello")
    send = datas(preview)[0]
    assert (await svc.button(other_admin, GROUP, send)).notice == texts.NOT_YOURS
    assert (await svc.button(BOT_ADMIN, GROUP, send)).text.startswith("Broadcast queued")


@pytest.mark.parametrize("raw_id", ["1" * 40, "9223372036854775808", "²", "0"])
async def test_a_forged_broadcast_id_is_stale_not_an_error(svc: Service, raw_id: str):
    reply = await svc.button(BOT_ADMIN, private(BOT_ADMIN), f"1|b|yes|{raw_id}")
    assert reply.notice == texts.STALE_BUTTON


async def test_a_person_without_an_id_is_never_stored(svc: Service):
    await svc.ask(User(0), GROUP, "is step 1 pass fail")
    await svc.start(User(0), private(User(0)))
    assert await svc.storage.user_ids(active_only=False) == []


async def test_values_in_error_messages_are_quoted_short(svc: Service):
    huge = "x" * 100_000
    for args in (["set", "step1", huge], ["set", huge, "1"], ["set", "usce_months", huge]):
        reply = await svc.profile(ANNA, private(ANNA), args)
        assert "Nothing was changed" in reply.text or "no field" in reply.text
        assert huge[:100] not in reply.text and len(reply.text) < 600


def test_excerpt_is_short_and_on_one_line():
    assert excerpt("a\nb") == "'a b'"
    quoted = excerpt("y" * 500)
    assert len(quoted) == EXCERPT_CHARS + 2 and quoted.endswith("…'")


@pytest.mark.parametrize(
    ("payload", "expected"), [("remind", "Reminders are"), ("cohort", "cohort")]
)
async def test_every_private_command_payload_runs_in_private(svc: Service, payload, expected):
    [reply] = await svc.start(ANNA, private(ANNA), payload)
    assert expected in reply.text
    welcome = await svc.start(ANNA, GROUP, payload)  # never runs a personal command in a group
    assert welcome[0].text == texts.WELCOME
