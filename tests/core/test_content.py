"""Facts the knowledge once stated two ways, or wrongly, stay one way and right in every answer.

Each check comes from a review of the knowledge against ../shared/facts.md, its content audit
and the official pages (session 32): one entry had said the opposite of another, and a user
would have planned by the wrong one.
"""

from __future__ import annotations

import re

from bot.core.models import KnowledgeBase


def _sentences(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(id, sentence) for every sentence of every topic and entry answer."""
    texts = [(t.id, t.answer) for t in kb.topics] + [(e.id, e.answer) for e in kb.entries]
    return [(id_, s) for id_, text in texts for s in re.split(r"(?<=[.!?])\s+", text)]


def test_every_rank_list_limit_is_300_ranks(repo_knowledge: KnowledgeBase) -> None:
    # The couples entry had said 700; NRMP allows each partner at most 300, as for one applicant.
    limits = {
        (id_, int(n))
        for id_, sentence in _sentences(repo_knowledge)
        for n in re.findall(r"\b(?:up to|at most|most|maximum of) (\d+) ranks\b", sentence)
    }
    assert limits and {n for _, n in limits} == {300}, limits


def test_the_two_step_3_days_are_never_said_to_be_apart(repo_knowledge: KnowledgeBase) -> None:
    # The USMLE's rule: consecutive days at one centre, unless it is closed on the second day.
    apart = re.compile(r"not (?:have to|need to) be (?:back to back|consecutive)", re.IGNORECASE)
    assert [id_ for id_, s in _sentences(repo_knowledge) if apart.search(s)] == []


def test_epic_is_never_how_ecfmg_verifies_the_diploma(repo_knowledge: KnowledgeBase) -> None:
    # EPIC is not needed for the USMLE or for ECFMG certification (facts.md, ECFMG's own page).
    wrong = [
        id_
        for id_, s in _sentences(repo_knowledge)
        if re.search(r"\bverif\w* (?:your|the) (?:medical )?diploma", s)
        and re.search(r"\bEPIC\b", s)
        and not re.search(r"\bnot\b", s)
    ]
    assert wrong == []


def test_the_fee_list_tells_a_step_2_cs_budget_that_the_exam_ended(
    repo_knowledge: KnowledgeBase,
) -> None:
    # Session 35: money questions about an old Step 2 CS budget ("$1,600 plus a flight to
    # Houston?") are answered from the costs overview, whose fee list had said nothing of CS.
    costs = next(t for t in repo_knowledge.topics if t.id == "costs")
    line = next(line for line in costs.answer.splitlines() if "Step 2 CS" in line)
    assert "nothing" in line and "2021" in line


def test_the_surcharge_answer_gives_an_exams_whole_price_abroad_from_the_fee_entry(
    repo_knowledge: KnowledgeBase,
) -> None:
    # Session 36: "how much is step 1 for international students?" is answered by the surcharge
    # entry, which gave the surcharge alone; it now adds the exam fee, as the fee entry states it.
    answers = {e.id: e.answer for e in repo_knowledge.entries}
    fee_text = answers["costs-step1-ck-fee"]
    fee = re.search(r"About \$(\d+) each in 2026", fee_text)
    band = re.search(r"surcharge of about \$(\d+)-(\d+)", fee_text)
    assert fee and band, fee_text
    base, (low, high) = int(fee.group(1)), map(int, band.groups())
    surcharge = answers["costs-international-surcharge"]
    assert f"${low}-{high}" in surcharge and f"${base}" in surcharge
    assert f"${base + low}-{base + high} per exam" in surcharge
