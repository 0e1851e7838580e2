"""The Service in-process: the conversation every adapter shares, on a real SQLite file."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.core import callbacks
from bot.core.models import Chat, KnowledgeBase, Profile, ReminderSettings, Reply, User
from bot.core.service import Service
from bot.core.storage import SqliteStorage

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ANNA = User(id=101, name="Anna")
PRIVATE = Chat(id=101)
GROUP = Chat(id=-500, kind="group", title="Batch 2027")
ADMIN = User(id=1, name="Admin")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def env(
    tmp_path: Path, repo_knowledge: KnowledgeBase
) -> AsyncIterator[tuple[Service, Clock, Path]]:
    """A Service on the repo's knowledge, and a copy of its files for the reload tests."""
    kb_dir = tmp_path / "kb"
    shutil.copytree(REPO / "knowledge", kb_dir)
    clock = Clock()
    storage = await SqliteStorage.open(tmp_path / "db.sqlite3")
    yield (
        Service(repo_knowledge, storage, clock, admins=frozenset({ADMIN.id})),
        clock,
        kb_dir,
    )
    await storage.close()


def datas(reply: Reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row if b.data]


async def test_question_is_answered_and_logged(env) -> None:
    svc, _, _ = env
    [reply] = await svc.ask(ANNA, PRIVATE, "is step 1 pass fail now?")
    assert reply.title and "Step 1" in reply.title
    assert reply.links and all(link.url.startswith("https://") for link in reply.links)
    assert reply.footer and "Reviewed" in reply.footer
    assert callbacks.encode("f", "usmle-step1", "u") in datas(reply)
    [group_reply] = await svc.ask(ANNA, GROUP, "is step 1 pass fail now?")
    assert len(group_reply.text) < len(reply.text)
    assert group_reply.buttons[0][0].start_payload == "t-usmle-step1"


async def test_bad_input_gets_a_clear_message(env) -> None:
    svc, _, _ = env
    [long] = await svc.ask(ANNA, PRIVATE, "a" * 5000)
    assert "5000 characters" in long.text
    [emoji] = await svc.ask(ANNA, PRIVATE, "😂😂🙏")
    assert "words" in emoji.text


async def test_unanswered_questions_are_stored_for_curators(env) -> None:
    svc, _, _ = env
    for _ in range(2):
        await svc.ask(ANNA, PRIVATE, "how do i pass plab 2")
    await svc.ask(ANNA, PRIVATE, "what is soap")
    await svc.ask(ANNA, PRIVATE, "thanks a lot!")
    assert await svc.storage.top_unanswered() == [("how do i pass plab 2", 2)]


async def test_dialog_answer_back_skip_and_plan(env) -> None:
    svc, _, _ = env
    first = await svc.next(ANNA, PRIVATE)
    answer = next(d for d in datas(first) if d.startswith("1|p|stage|graduate"))
    second = await svc.button(ANNA, PRIVATE, answer)
    assert second.notice == "Saved ✅" and second.text != first.text
    assert (await svc.storage.get_profile(ANNA.id)).stage == "graduate"
    back = await svc.button(ANNA, PRIVATE, callbacks.encode("pb"))
    assert back.text == first.text
    assert (await svc.storage.get_profile(ANNA.id)).stage is None
    reply = back
    for _ in range(40):  # skip everything: the dialog must end with a plan
        skip = next((d for d in datas(reply) if d.startswith("1|pk|")), None)
        if skip is None:
            break
        reply = await svc.button(ANNA, PRIVATE, skip)
    assert reply.title == "Your plan, most urgent first"
    state = await svc.storage.get_dialog(ANNA.id)
    assert state is None or not state.active


async def test_an_old_dialog_button_still_works(env) -> None:
    svc, _, _ = env
    first = await svc.next(ANNA, PRIVATE)
    old_button = datas(first)[0]
    await svc.button(ANNA, PRIVATE, next(d for d in datas(first) if "graduate" in d))
    again = await svc.button(ANNA, PRIVATE, old_button)
    assert again.notice == "Saved ✅"
    assert (await svc.storage.get_profile(ANNA.id)).stage == "student"


@pytest.mark.parametrize(
    "data", ["garbage", "1|zz|x", "1|p|step1|maybe", "1|p|nosuch|x", "1|t|nosuch"]
)
async def test_forged_buttons_get_a_notice_and_change_nothing(env, data: str) -> None:
    svc, _, _ = env
    reply = await svc.button(ANNA, PRIVATE, data)
    assert reply.notice and not reply.text
    assert await svc.storage.get_profile(ANNA.id) == Profile()


async def test_typed_number_answers_an_open_year_question(env) -> None:
    svc, _, _ = env
    await svc.profile(ANNA, PRIVATE, ["set", "stage", "graduate"])
    question = await svc.next(ANNA, PRIVATE)
    assert "graduat" in question.text.lower()
    await svc.ask(ANNA, PRIVATE, "2021")
    assert (await svc.storage.get_profile(ANNA.id)).graduation_year == 2021


async def test_a_typed_button_label_answers_the_open_question_other_text_is_a_question(
    env,
) -> None:
    # Typing "Passed" or "yes!" instead of tapping the button answers the open question; a
    # word that is no label (here a question about the exam) is answered as a question and the
    # dialog question stays open.
    svc, _, _ = env
    await svc.profile(ANNA, PRIVATE, ["set", "stage", "graduate"])
    await svc.profile(ANNA, PRIVATE, ["set", "graduation_year", "2020"])
    assert "step 1" in (await svc.next(ANNA, PRIVATE)).text.lower()
    answer = (await svc.ask(ANNA, PRIVATE, "is step 1 pass fail?"))[0]
    assert answer.notice != "Saved ✅" and (await svc.storage.get_profile(ANNA.id)).step1 is None
    saved = (await svc.ask(ANNA, PRIVATE, "  Passed. "))[0]
    assert saved.notice == "Saved ✅" and "step 2 ck" in saved.text.lower()
    assert (await svc.storage.get_profile(ANNA.id)).step1 == "passed"


async def test_typed_skip_and_back_move_through_the_dialog_like_their_buttons(env) -> None:
    svc, _, _ = env
    first = await svc.next(ANNA, PRIVATE)
    assert "medical school" in first.text.lower()
    again = (await svc.ask(ANNA, PRIVATE, "back"))[0]  # nothing earlier: the question again
    assert again.text.startswith("There is no earlier question") and first.text in again.text
    skipped = (await svc.ask(ANNA, PRIVATE, "Skip ⏭"))[0]
    assert skipped.text != first.text and "medical school" not in skipped.text.lower()
    back = (await svc.ask(ANNA, PRIVATE, "BACK"))[0]
    assert back.text == first.text


async def test_a_reply_read_as_neither_answer_nor_question_asks_the_open_question_again(
    env,
) -> None:
    # "yes" to "how many months of US clinical experience?" is no answer there and no question
    # the bot knows: after the refusal the open question comes again, and nothing is saved.
    svc, _, _ = env
    for field, value in (("stage", "graduate"), ("graduation_year", "2019")):
        await svc.profile(ANNA, PRIVATE, ["set", field, value])
    for field in ("step1", "step2ck", "english"):
        await svc.profile(ANNA, PRIVATE, ["set", field, "passed"])
    question = await svc.next(ANNA, PRIVATE)
    assert "months of us clinical experience" in question.text.lower()
    for text in ("yes", "blorp"):  # small talk, then a refusal
        _, again = await svc.ask(ANNA, PRIVATE, text)
        assert again.text.startswith("Your /next question is still open")
        assert question.text in again.text and again.buttons == question.buttons
    assert (await svc.storage.get_profile(ANNA.id)).usce_months is None
    # a question the bot answers gets its answer alone
    assert len(await svc.ask(ANNA, PRIVATE, "is step 1 pass fail?")) == 1


async def test_profile_set_validates(env) -> None:
    svc, _, _ = env
    ok = await svc.profile(ANNA, PRIVATE, ["set", "step1", "passed"])
    assert "Saved" in ok.text
    bad = await svc.profile(ANNA, PRIVATE, ["set", "step1", "maybe"])
    assert "Nothing was changed" in bad.text
    unknown = await svc.profile(ANNA, PRIVATE, ["set", "shoe_size", "42"])
    assert "no field" in unknown.text
    assert (await svc.storage.get_profile(ANNA.id)).step1 == "passed"
    assert "private" in (await svc.profile(ANNA, GROUP, [])).text


async def test_setting_a_new_target_says_which_answers_it_cleared(env) -> None:
    svc, _, _ = env
    for field, value in (("target_match_year", "2027"), ("eras_submitted", "yes")):
        await svc.profile(ANNA, PRIVATE, ["set", field, value])
    moved = await svc.profile(ANNA, PRIVATE, ["set", "target_match_year", "2028"])
    assert "cleared" in moved.text and "ERAS application submitted" in moved.text
    stored = await svc.storage.get_profile(ANNA.id)
    assert stored.target_match_year == 2028 and stored.eras_submitted is None


async def test_export_then_forget(env) -> None:
    svc, _, _ = env
    await svc.profile(ANNA, PRIVATE, ["set", "step1", "passed"])
    await svc.ask(ANNA, PRIVATE, "what is soap")
    exported = json.loads((await svc.export(ANNA, PRIVATE)).document.content)
    assert exported["profile"]["step1"] == "passed"
    assert await svc.forget(ANNA, PRIVATE)
    done = await svc.button(ANNA, PRIVATE, callbacks.encode("x", "yes"))
    assert "deleted" in done.text
    after = json.loads((await svc.export(ANNA, PRIVATE)).document.content)
    assert not after.get("profile") and not after.get("questions")


async def reminder_setup(svc: Service, clock: Clock) -> str:
    """Anna targets the 2027 Match with reminders on; the clock is 5 days before its ROL."""
    await svc.profile(ANNA, PRIVATE, ["set", "target_match_year", "2027"])
    await svc.remind(ANNA, PRIVATE, ["on"])
    rol = next(d for d in svc.kb.deadlines if d.id == "2027-rol-deadline")
    clock.now = rol.at - timedelta(days=5)
    return rol.id


async def test_reminders_are_planned_once_and_rendered_from_current_knowledge(env) -> None:
    svc, clock, kb_dir = env
    rol_id = await reminder_setup(svc, clock)
    assert await svc.plan_reminders() >= 1
    assert await svc.plan_reminders() == 0, "planning again adds nothing"
    [item] = [i for i in await svc.storage.pending(100, clock.now) if rol_id in i.key]
    assert item.key == f"{ANNA.id}:{rol_id}:7", "only the latest due lead after a gap"
    assert "5 days left" in svc.outbox_text(item)

    data = yaml.safe_load((kb_dir / "deadlines.yaml").read_text())
    event = next(e for e in data["deadlines"] if e["id"] == rol_id)
    event["title"] = "Rank order list deadline (moved)"
    (kb_dir / "deadlines.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    reloaded = await svc.reload_knowledge(ADMIN, kb_dir)
    assert "Reloaded" in reloaded.text
    assert "(moved)" in svc.outbox_text(item), "a pending reminder uses the reloaded knowledge"

    data["deadlines"] = [e for e in data["deadlines"] if e["id"] != rol_id]
    (kb_dir / "deadlines.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    await svc.reload_knowledge(ADMIN, kb_dir)
    assert svc.outbox_text(item) is None, "a removed event sends nothing"


async def test_no_reminders_when_off_inactive_or_past(env) -> None:
    svc, clock, _ = env
    await reminder_setup(svc, clock)
    await svc.set_active(PRIVATE.id, False)
    assert await svc.plan_reminders() == 0
    await svc.set_active(PRIVATE.id, True)
    await svc.remind(ANNA, PRIVATE, ["off"])
    assert await svc.plan_reminders() == 0
    await svc.remind(ANNA, PRIVATE, ["on"])
    clock.now = datetime(2027, 8, 1, tzinfo=UTC)
    assert await svc.plan_reminders() == 0


async def test_broken_reload_keeps_serving_and_admins_only(env) -> None:
    svc, _, kb_dir = env
    (kb_dir / "topics/02-exams.yaml").write_text("stage: exams\ntopics: [")
    failed = await svc.reload_knowledge(ADMIN, kb_dir)
    assert "still serving" in failed.text and "02-exams.yaml" in failed.text
    [reply] = await svc.ask(ANNA, PRIVATE, "is step 1 pass fail now?")
    assert reply.title and "Step 1" in reply.title
    assert "only" in (await svc.reload_knowledge(ANNA, kb_dir)).text


async def test_a_reload_with_a_broken_path_keeps_the_old_plan_serving(env) -> None:
    svc, _, kb_dir = env
    road = svc.deps.road
    path = kb_dir / "path.yaml"
    path.write_text(
        path.read_text().replace("    requires: [feasibility]", "    requires: [no-such-step]", 1)
    )
    failed = await svc.reload_knowledge(ADMIN, kb_dir)
    assert "still serving" in failed.text and "no-such-step" in failed.text
    assert svc.deps.road is road


async def test_broadcast_preview_confirm_once(env) -> None:
    svc, clock, _ = env
    await svc.ask(ANNA, PRIVATE, "hi")
    assert "only" in (await svc.broadcast(ANNA, "spam")).text
    preview = await svc.broadcast(ADMIN, "ERAS opens next week")
    confirm = next(d for d in datas(preview) if "|yes|" in d)
    queued = await svc.button(ADMIN, PRIVATE, confirm)
    assert "queued" in queued.text
    again = await svc.button(ADMIN, PRIVATE, confirm)
    assert again.notice and "already" in again.notice
    pending = await svc.storage.pending(100, clock.now)
    assert sum(i.chat_id == ANNA.id and i.text == "ERAS opens next week" for i in pending) == 1


async def test_remind_settings_change_and_bad_input_changes_nothing(env) -> None:
    svc, _, _ = env
    await svc.remind(ANNA, PRIVATE, ["tz", "Europe/Rome"])
    bad = await svc.remind(ANNA, PRIVATE, ["tz", "Mars/Base"])
    assert "Nothing was changed" in bad.text
    settings = await svc.storage.get_reminders(PRIVATE.id)
    assert settings == replace(ReminderSettings(), tz="Europe/Rome")


async def test_an_entry_button_and_deep_link_show_the_entry(env) -> None:
    svc, _, _ = env
    entry = svc.kb.entries[0]
    reply = await svc.button(ANNA, PRIVATE, callbacks.encode("e", entry.id))
    assert reply.title == entry.question and entry.answer in reply.text
    assert callbacks.encode("t", entry.topic) in datas(reply)
    group = await svc.button(ANNA, GROUP, callbacks.encode("e", entry.id))
    assert [b.start_payload for row in group.buttons for b in row] == [f"e-{entry.id}"]
    [linked] = await svc.start(ANNA, PRIVATE, f"e-{entry.id}")
    assert linked.title == entry.question


async def test_a_stale_entry_button_gets_a_notice(env) -> None:
    svc, _, _ = env
    reply = await svc.button(ANNA, PRIVATE, callbacks.encode("e", "no-such-entry"))
    assert reply.notice and not reply.text


async def test_inline_choices_offer_popular_topics_then_what_a_query_matches(env) -> None:
    svc, _, _ = env
    entry, popular = svc.inline_choices("  ", 3)
    assert entry is None and [t.id for t in popular] == [
        "usmle-step1",
        "usmle-step2ck",
        "english-proficiency",
    ]
    _, topics = svc.inline_choices("is step 1 pass fail now?", 8)
    assert topics and topics[0].id == "usmle-step1" and len(topics) <= 8
    reply = svc.group_reply(topics[0])
    assert [b.start_payload for row in reply.buttons for b in row] == ["t-usmle-step1"]
    first = svc.kb.entries[0]
    assert [b.start_payload for row in svc.group_reply(first).buttons for b in row] == [
        f"e-{first.id}"
    ]


async def test_the_update_journal_keeps_what_was_not_handled(env) -> None:
    svc, _, _ = env
    assert await svc.journal_updates([(7, "{}"), (8, "{}")]) == [(7, "{}"), (8, "{}")]
    assert await svc.journal_updates([(8, "{}")]) == [], "a redelivered update is not new"
    await svc.update_handled(7)
    assert await svc.unfinished_updates() == [(8, "{}")]


async def test_operator_commands_open_the_database_without_the_knowledge(env, tmp_path) -> None:
    svc, _, _ = env
    await svc.ask(ANNA, PRIVATE, "what is the best pizza in naples")
    db = tmp_path / "db.sqlite3"
    assert await Service.top_unanswered_in(db) == [("what is the best pizza in naples", 1)]
    assert await Service.check_database(tmp_path / "new.sqlite3") >= 2
