"""Menus whose first topic writers nearly always mean (bot.core.questions.menu_pairs).

The decision answers such a menu directly; every other menu stays a menu. Analyses are built by
hand, as in test_confidence, with a confidence that is never sure, so the menu is the
confidence's and only the pair can turn it into an answer.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Match
from bot.core.questions import decision
from bot.core.questions.confidence import ConfidenceModel
from bot.core.questions.decision import HYBRID, SIGNALS, Analysis, EntryScore, decide
from bot.core.questions.menu_pairs import MENU_PAIRS, MIN_MENUS, MIN_SHARE, parse_menu_pairs

# Close topic scores: a menu of the clinical skills requirement and the ECFMG certificate, the
# requirement's Pathway entry offered first.
MENU = Analysis(
    None,
    None,
    (Match("clinical-skills-requirement", 52.0), Match("ecfmg-certification", 50.0)),
    (
        EntryScore("pathway-still-required", "clinical-skills-requirement", 60.0),
        EntryScore("ecfmg-cert-requirements", "ecfmg-certification", 55.0),
    ),
    True,
    -0.3,
    "clinical-skills-requirement",
    2,
    words=14,
)
PAIR = ("clinical-skills-requirement", "ecfmg-certification")


@pytest.fixture(autouse=True)
def never_sure(monkeypatch: pytest.MonkeyPatch) -> None:
    n = len(SIGNALS)
    unsure = ConfidenceModel(SIGNALS, (0.0,) * n, (1.0,) * n, (0.0,) * n, -9.0, 0.5)
    monkeypatch.setattr(decision, "CONFIDENCE", unsure)


def test_a_menu_of_a_listed_pair_is_answered_with_its_first_topic() -> None:
    assert decide(MENU, HYBRID, lexical_only=False, menu_pairs=()).kind == "suggest"
    answer = decide(MENU, HYBRID, lexical_only=False, menu_pairs={PAIR})
    assert answer.kind == "answer"
    assert answer.matches[0].topic == "clinical-skills-requirement"
    assert answer.entry == "pathway-still-required"


def test_a_pair_counts_in_its_order_and_only_with_the_sentence_model() -> None:
    reversed_pair = {PAIR[::-1]}
    assert decide(MENU, HYBRID, lexical_only=False, menu_pairs=reversed_pair).kind == "suggest"
    other_second = replace(MENU, ranking=(MENU.ranking[0], Match("usmle-step2cs", 50.0)))
    assert decide(other_second, HYBRID, lexical_only=False, menu_pairs={PAIR}).kind == "suggest"
    lexical = decide(MENU, HYBRID, lexical_only=True, menu_pairs={PAIR})
    assert lexical == decide(MENU, HYBRID, lexical_only=True, menu_pairs=())


def test_the_shipped_pairs_name_topics_and_meet_the_bar(repo_knowledge: KnowledgeBase) -> None:
    topics = {t.id for t in repo_knowledge.topics}
    assert MENU_PAIRS, "bench_menu_pairs.py --write found no pair"
    for (first, second), pair in MENU_PAIRS.items():
        assert {first, second} <= topics
        assert pair.menus >= MIN_MENUS
        assert pair.first_meant / pair.menus >= MIN_SHARE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list", "'pairs' list"),
        ("pairs: [{first: a, second: b, menus: 10}]", "needs first, second"),
        ("pairs: [{first: a, second: a, menus: 10, first_meant: 9}]", "two different"),
        ("pairs: [{first: a, second: b, menus: 10, first_meant: 11}]", "<= menus"),
        (
            "pairs: [{first: a, second: b, menus: 10, first_meant: 9},"
            " {first: a, second: b, menus: 12, first_meant: 11}]",
            "listed twice",
        ),
    ],
)
def test_a_malformed_pairs_file_fails_naming_what(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_menu_pairs(text)
