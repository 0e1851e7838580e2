"""Who is reminded of what is data: an event's `audience` in deadlines.yaml decides, not code.

The decisive test adds a kind of event the code has never heard of, only to the YAML, and checks
that reminders and /deadlines reach exactly the people it names.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from bot.core.audience import CONDITIONS, EVERYONE, conditions_of
from bot.core.knowledge import load_knowledge, validate_dir
from bot.core.models import KnowledgeBase, Profile, ReminderSettings
from bot.core.reminders.calendar import due_reminders, personal_deadlines

VALID = Path(__file__).parent / "fixtures" / "knowledge" / "valid"
ON = ReminderSettings(enabled=True, leads=(7,), tz="UTC", send_hour=9)
# Seven days before 2027-02-10 at 09:00 UTC: the 7-day lead of both new events is due.
DUE = datetime(2027, 2, 3, 9, 0, tzinfo=UTC)

NEW_EVENTS = """
  - id: 2027-visa-interview-window
    title: "Book your J-1 visa interview"
    cycle: 2027
    date: 2027-02-10
    topic: usmle-overview
    status: estimated
    source: "https://www.ecfmg.org/evsp/"
    audience:
      - who: needs-visa
        why: "Embassies are busy in spring: book the J-1 interview early"
  - id: 2027-town-hall
    title: "Town hall for every applicant"
    cycle: 2027
    date: 2027-02-10
    topic: usmle-overview
    status: estimated
    source: "https://www.nrmp.org/"
"""


def knowledge_with(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(VALID, root)
    with (root / "deadlines.yaml").open("a", encoding="utf-8") as f:
        f.write(extra)
    return root


def test_a_new_kind_of_event_added_only_to_the_yaml_reaches_the_people_it_names(
    tmp_path: Path,
) -> None:
    kb = load_knowledge(knowledge_with(tmp_path, NEW_EVENTS), today=DUE.date())
    visa = Profile(target_match_year=2027, needs_visa=True)
    citizen = Profile(target_match_year=2027, needs_visa=False)
    subscribers = [(1, ON, visa), (2, ON, citizen)]

    due = {(r.chat_id, r.deadline_id) for r in due_reminders(subscribers, kb.deadlines, DUE)}

    assert due == {
        (1, "2027-visa-interview-window"),
        (1, "2027-town-hall"),  # no audience: everyone in the cycle
        (2, "2027-town-hall"),
    }
    why = {p.deadline.id: p.why for p in personal_deadlines(visa, kb.deadlines, DUE)}
    assert why["2027-visa-interview-window"] == (
        "Embassies are busy in spring: book the J-1 interview early."
    )
    assert why["2027-town-hall"] == "Town hall for every applicant."


def test_an_unknown_audience_is_a_located_problem_with_a_suggestion(tmp_path: Path) -> None:
    root = knowledge_with(tmp_path, NEW_EVENTS.replace("who: needs-visa", "who: need-visa"))
    problems = validate_dir(root, today=DUE.date())
    assert [(p.file, p.entry, p.field) for p in problems] == [
        ("deadlines.yaml", "2027-visa-interview-window", "audience[0].who")
    ]
    assert "unknown audience 'need-visa' (did you mean 'needs-visa'?)" in problems[0].message


def test_audience_items_need_who_and_why(tmp_path: Path) -> None:
    broken = NEW_EVENTS.replace(
        '        why: "Embassies are busy in spring: book the J-1 interview early"\n', ""
    )
    problems = validate_dir(knowledge_with(tmp_path, broken), today=DUE.date())
    assert [(p.field, p.message) for p in problems] == [("audience[0].why", "is required")]


def test_conditions_follow_the_profile() -> None:
    fresh = conditions_of(Profile())
    assert EVERYONE in fresh and "eras-not-submitted" in fresh and "needs-visa" not in fresh
    assert "result-pending" in fresh and "matched" not in fresh
    done = conditions_of(
        Profile(eras_submitted=True, needs_visa=True, step3="passed", match_result="matched")
    )
    assert "eras-not-submitted" not in done and "needs-visa" in done
    assert "visa-without-step3" not in done
    assert {"matched", "matched-or-pending"} <= done and "unmatched-or-pending" not in done
    assert "pathway-not-applied" in fresh
    assert "pathway-not-applied" not in conditions_of(Profile(pathway="applied"))
    assert "pathway-not-applied" not in conditions_of(Profile(ecfmg_certified=True))


def test_every_event_of_the_real_file_names_known_audiences(
    repo_knowledge: KnowledgeBase,
) -> None:
    kb = repo_knowledge
    assert all(a.who in CONDITIONS for d in kb.deadlines for a in d.audience)
    kinds = {d.id.split("-", 1)[1] for d in kb.deadlines}
    assert {"residencycas-deadline", "residencycas-review"} <= kinds
