"""Curator checks: weekend deadlines and passed dates spoken of as to come warn, old reviews are
listed, fees and dates carry a year."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.freshness import passed_dates, stale, weekend_warnings
from bot.core.knowledge import load_knowledge, undated_claims, validate_dir
from bot.core.models import KnowledgeBase

VALID = Path(__file__).parent / "fixtures" / "knowledge" / "valid"
ET = ZoneInfo("America/New_York")
TODAY = date(2026, 6, 1)


def test_a_weekend_deadline_warns_unless_it_says_it_is_meant_to() -> None:
    kb = load_knowledge(VALID, today=TODAY)
    sunday = replace(kb.deadlines[0], id="2027-late", at=datetime(2027, 1, 31, tzinfo=ET))
    saturday = replace(sunday, id="2028-start", at=datetime(2028, 7, 1, tzinfo=ET), weekend=True)
    warnings = weekend_warnings(replace(kb, deadlines=(*kb.deadlines, sunday, saturday)))
    assert len(warnings) == 1
    assert "'2027-late'" in warnings[0] and "2027-01-31 is a Sunday" in warnings[0]


def test_the_real_calendar_has_no_unexplained_weekend_dates(repo_knowledge: KnowledgeBase) -> None:
    assert weekend_warnings(repo_knowledge) == []


@pytest.mark.parametrize(
    ("answer", "warns"),
    [
        ("Registration opens on 15 September 2026 for the 2027 Match.", True),
        ("The payment runs 12 months (to about 21 September 2026) unless extended.", True),
        ("The pass mark is expected to rise in March 2026.", True),
        ("Registration opened on 15 September 2026 for the 2027 Match.", False),
        ("Registration opens every year on 15 September (15 September 2026 this time).", False),
        ("ERAS closed on 31 May 2026; it closes in late May 2027 (our estimate).", False),
        ("Ranking opens on 1 February 2027.", False),
    ],
)
def test_a_passed_date_spoken_of_as_still_to_come_warns(answer: str, warns: bool) -> None:
    kb = load_knowledge(VALID, today=TODAY)
    topic = replace(kb.topics[0], answer=f"First paragraph.\n\n{answer} Next sentence.")
    lines = passed_dates(replace(kb, topics=(topic, *kb.topics[1:])), date(2026, 12, 3))
    assert len(lines) == warns
    if warns:
        assert lines[0].startswith(f"topic '{topic.id}': '{answer[:40]}")
    # The same sentence read before its date is news, not a stale claim.
    assert passed_dates(replace(kb, topics=(topic, *kb.topics[1:])), date(2026, 1, 1)) == []


def test_the_real_knowledge_as_reviewed_speaks_of_no_passed_date_as_to_come(
    repo_knowledge: KnowledgeBase,
) -> None:
    # The day of the last review pass; `imgbot validate` checks against the real date.
    assert passed_dates(repo_knowledge, date(2026, 12, 3)) == []


def test_stale_lists_topics_and_entries_older_than_the_limit_oldest_first() -> None:
    kb = load_knowledge(VALID, today=TODAY)
    reviewed = {t.id: t.reviewed for t in kb.topics} | {e.id: e.reviewed for e in kb.entries}
    oldest = min(reviewed.values())
    lines = stale(kb, oldest.replace(year=oldest.year + 1), 30)
    assert len(lines) == len(reviewed)
    assert lines[0].endswith("days ago") and "reviewed " + oldest.isoformat() in lines[0]
    assert stale(kb, oldest, 0) == []


@pytest.mark.parametrize(
    "text",
    [
        "Step 3 costs $935.",
        "OET costs about AUD 587 per sitting.",
        "Certify your list by 3 March.",
        "The deadline is March 3 at 9 p.m. ET.",
        "Residency starts on 1 July.",
    ],
)
def test_a_fee_or_date_without_its_year_is_flagged(text: str) -> None:
    assert undated_claims(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Step 3 cost $935 in 2025 (reported).",
        "Certify your list by 3 March 2027, 9 p.m. US Eastern.",
        "Residency starts every year on 1 July.",
        "Scores come out about 3-4 weeks after the test.",
        "The ERAS 2027 season opens on June 3, 2026 at 9 a.m. ET. Be ready.",
    ],
)
def test_dated_or_recurring_claims_pass(text: str) -> None:
    assert undated_claims(text) == []


def test_an_undated_fee_in_an_answer_is_a_located_validation_error(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(VALID, root)
    entries = root / "entries" / "usmle-step1.yaml"
    text = entries.read_text(encoding="utf-8")
    entries.write_text(
        text.replace('answer: "One day', 'answer: "It costs $985. One day'), encoding="utf-8"
    )
    problems = validate_dir(root, today=TODAY)
    assert [(p.file, p.entry, p.field) for p in problems] == [
        ("entries/usmle-step1.yaml", "step1-format", "answer")
    ]
    assert "needs its year or cycle" in problems[0].message
    assert "'It costs $985.'" in problems[0].message
