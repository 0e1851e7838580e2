"""The plan across the whole year and the whole path, as a table of situations.

Each row is written from the official calendar rules (facts.md; knowledge/deadlines.yaml): what
must come first, when it is due, and why now. The planner is pure, so each row is one call with
an injected `today` against the real calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from knowledge_once import repo_knowledge

from bot.core.models import Profile
from bot.core.plan.cycle import EASTERN, fmt
from bot.core.plan.planner import make_plan

ROOT = Path(__file__).resolve().parents[2]
DEADLINES = repo_knowledge().deadlines
EVENT_DAYS = {d.id: d.at.astimezone(EASTERN).date() for d in DEADLINES}
D = date.fromisoformat

EXAMS_DONE = dict(stage="graduate", graduation_year=2024, step1="passed", step2ck="passed")
READY = dict(EXAMS_DONE, english="passed", ecfmg_registered=True, usce_months=3, us_lors=3)
IN_MATCH_2027 = dict(
    READY, needs_visa=False, target_match_year=2027, eras_submitted=True, nrmp_registered=True
)
RANKED_2027 = dict(IN_MATCH_2027, rol_certified=True)


@dataclass(frozen=True)
class Situation:
    name: str
    today: str
    profile: dict[str, object]
    first: str  # topic of the first action
    due: str | None  # the calendar event (id) its due date comes from; None: nothing dated
    why: str  # a phrase the first action's reason must contain
    includes: tuple[str, ...] = ()  # other topics the plan must contain
    warning: str | None = None  # a phrase one warning must contain
    cycle: int | None = None  # the Match the plan is for
    extra: dict[str, object] = field(default_factory=dict)


SITUATIONS = [
    # -- students and beginners
    Situation(
        "first-year student with no target checks feasibility first",
        "2026-11-21",
        dict(stage="student", school_year=1),
        "mentors-and-feasibility",
        None,
        "costs thousands",
        includes=("ecfmg-registration",),
    ),
    Situation(
        "third-year student with a target registers with ECFMG first, not mentors",
        "2026-11-21",
        dict(stage="student", school_year=3, ecfmg_registered=False, target_match_year=2030),
        "ecfmg-registration",
        None,
        "WDOMS",
        cycle=2030,
    ),
    Situation(
        "second-year student aiming too early is moved to the year after graduation",
        "2026-11-21",
        dict(stage="student", school_year=2, target_match_year=2027),
        "ecfmg-registration",
        None,
        "WDOMS",
        warning="graduate in about 2031",
        cycle=2031,
    ),
    Situation(
        "empty profile in summer: feasibility, then registration",
        "2027-06-15",
        {},
        "mentors-and-feasibility",
        None,
        "before you pay",
        includes=("ecfmg-registration", "usmle-step1"),
        cycle=2028,
    ),
    # -- exams
    Situation(
        "a booked Step 1 comes before an unstarted Step 2 CK",
        "2026-11-21",
        dict(stage="graduate", ecfmg_registered=True, step1="scheduled", step2ck="not-started"),
        "usmle-step1",
        "2028-eras-submit",
        "Pass it by",
        includes=("usmle-step2ck",),
        cycle=2028,
    ),
    Situation(
        "a failed Step 2 CK: know the attempt limits before the retake",
        "2026-11-21",
        dict(stage="graduate", step1="passed", step2ck="failed"),
        "attempt-limits-and-failures",
        None,
        "4 attempts",
        includes=("usmle-step2ck",),
        warning="at most 4 attempts",
    ),
    Situation(
        "target 2027, Step 2 CK not started in November 2026: plan 2028, Step 2 CK first",
        "2026-11-21",
        dict(
            stage="graduate",
            graduation_year=2024,
            step1="passed",
            step2ck="not-started",
            ecfmg_registered=True,
            target_match_year=2027,
        ),
        "usmle-step2ck",
        "2028-eras-submit",
        "It takes about 5 months",
        warning="out of reach",
        cycle=2028,
    ),
    Situation(
        "target 2027, Step 2 CK booked in November 2026: 2027 is still out (ERAS opened)",
        "2026-11-21",
        dict(READY, step2ck="scheduled", target_match_year=2027),
        "usmle-step2ck",
        "2028-eras-submit",
        "Pass it by",
        warning="This plan is for the 2028 Match",
        cycle=2028,
    ),
    # -- OET and the Pathway
    Situation(
        "graduate with every exam but OET (and no Pathway): OET first, the Pathway planned",
        "2026-11-21",
        dict(EXAMS_DONE, ecfmg_registered=True, usce_months=0, us_lors=0),
        "english-proficiency",
        "2028-eras-submit",
        "It takes about 8 weeks",
        includes=("clinical-skills-requirement", "eras-application", "usce"),
    ),
    Situation(
        "OET missing in January 2027 for the 2027 Match: the Pathways deadline drives it",
        "2027-01-05",
        dict(EXAMS_DONE, ecfmg_registered=True, target_match_year=2027, eras_submitted=True),
        "english-proficiency",
        "2027-pathways-deadline",
        "It takes about 8 weeks",
        includes=("clinical-skills-requirement",),
    ),
    Situation(
        "Pathway not applied for in December: the Pathways deadline comes first",
        "2026-12-04",
        dict(IN_MATCH_2027),
        "clinical-skills-requirement",
        "2027-pathways-deadline",
        "Apply by",
    ),
    Situation(
        "Pathway applied for in December: no Pathway action, the rank list next",
        "2026-12-04",
        dict(IN_MATCH_2027, pathway="applied"),
        "nrmp-match",
        "2027-rol-deadline",
        "Certify by",
        includes=("ecfmg-certification",),
    ),
    Situation(
        "OET still missing after the Pathways deadline",
        "2027-02-05",
        dict(
            EXAMS_DONE,
            ecfmg_registered=True,
            target_match_year=2027,
            eras_submitted=True,
            nrmp_registered=True,
        ),
        "english-proficiency",
        "2027-rol-deadline",
        "so start now",
        warning="Pathways deadline",
    ),
    # -- ERAS
    Situation(
        "ready graduate in November with no target: ERAS for the 2028 Match",
        "2026-11-21",
        dict(READY),
        "eras-application",
        "2028-eras-submit",
        "Submit from",
        includes=("nrmp-match",),
        cycle=2028,
    ),
    Situation(
        "ready graduate who missed ERAS submission for 2027: submit now",
        "2026-11-21",
        dict(READY, target_match_year=2027),
        "eras-application",
        "2027-eras-submit",
        "do it now",
        warning="Submit now",
    ),
    Situation(
        "graduated eleven years ago: check year-of-graduation cutoffs first",
        "2026-11-21",
        dict(READY, graduation_year=2015),
        "graduation-year",
        None,
        "3-5 years",
        warning="11 years ago",
    ),
    Situation(
        "needs a visa: ERAS first, visa-sponsoring programs and Step 3 planned",
        "2026-11-21",
        dict(READY, needs_visa=True, target_match_year=2028),
        "eras-application",
        "2028-eras-submit",
        "Submit from",
        includes=("program-list", "usmle-step3", "visa-j1"),
    ),
    # -- NRMP, interviews and the rank list
    Situation(
        "submitted in December, not registered with NRMP: register before the late fee",
        "2026-12-10",
        dict(READY, ecfmg_certified=True, eras_submitted=True),
        "nrmp-match",
        "2027-nrmp-late-fee",
        "Register by",
        cycle=2027,
    ),
    Situation(
        "not registered with NRMP after the late-fee date: the rank-list deadline bounds it",
        "2027-02-10",
        dict(READY, ecfmg_certified=True, eras_submitted=True, target_match_year=2027),
        "nrmp-match",
        "2027-rol-deadline",
        "Register by 3 Mar 2027, 9 p.m. US Eastern",
    ),
    Situation(
        "interview season: the rank list is the next dated step, interviews are advice",
        "2026-10-15",
        dict(IN_MATCH_2027, ecfmg_certified=True),
        "nrmp-match",
        "2027-rol-deadline",
        "Certify by 3 Mar 2027, 9 p.m. US Eastern",
        includes=("interviews",),
    ),
    Situation(
        "two weeks before the rank-list deadline, list not certified",
        "2027-02-17",
        dict(IN_MATCH_2027, ecfmg_certified=True),
        "nrmp-match",
        "2027-rol-deadline",
        "Certify by 3 Mar 2027, 9 p.m. US Eastern",
    ),
    Situation(
        "one day before the rank-list deadline, list and ECFMG confirmation pending",
        "2027-03-02",
        dict(IN_MATCH_2027),
        "nrmp-match",
        "2027-rol-deadline",
        "1 day left",
        includes=("ecfmg-certification",),
    ),
    Situation(
        "rank-list deadline passed without OET: the 2027 Match is out of reach",
        "2027-03-08",
        dict(EXAMS_DONE, target_match_year=2027, eras_submitted=True),
        "english-proficiency",
        "2028-eras-submit",
        "Pass it by",
        warning="out of reach",
        includes=("eras-application",),
        cycle=2028,
    ),
    # -- Match Week, SOAP and after
    Situation(
        "ranked, a week before Match Week",
        "2027-03-08",
        dict(RANKED_2027, ecfmg_certified=True),
        "match-timeline",
        "2027-match-week",
        "Results from",
    ),
    Situation(
        "unmatched on the Tuesday of Match Week: SOAP",
        "2027-03-16",
        dict(RANKED_2027, match_result="unmatched"),
        "soap",
        "2027-soap",
        "Monday to Thursday",
    ),
    Situation(
        "unmatched after SOAP: plan the 2028 Match",
        "2027-03-22",
        dict(RANKED_2027, match_result="unmatched"),
        "match-timeline",
        None,
        "held your application back",
        includes=("eras-application",),
        cycle=2028,
    ),
    Situation(
        "waiting after Match Day: tell me the result",
        "2027-03-25",
        dict(RANKED_2027, ecfmg_certified=True, match_result="pending"),
        "match-timeline",
        "2027-match-week",
        "days ago",
        warning="tell me your result",
    ),
    Situation(
        "the day after Match Week began: '1 day ago', not '1 days ago'",
        "2027-03-16",
        dict(RANKED_2027, ecfmg_certified=True, match_result="pending"),
        "match-timeline",
        "2027-match-week",
        "1 day ago",
    ),
    Situation(
        # ECFMG sponsors the J-1 (and a program files an H-1B) only for a certified doctor
        "matched in May, needs a visa, not certified: the certificate, then the J-1, then Step 3",
        "2027-05-10",
        dict(RANKED_2027, needs_visa=True, match_result="matched"),
        "ecfmg-certification",
        "2027-program-start",
        "Your visa waits on it",
        includes=("visa-j1", "usmle-step3"),
    ),
    Situation(
        "matched in May, certified, needs a visa: the J-1 through ECFMG before Step 3",
        "2027-05-10",
        dict(RANKED_2027, needs_visa=True, ecfmg_certified=True, match_result="matched"),
        "visa-j1",
        "2027-program-start",
        "It takes about 3 months, so start now",
        includes=("usmle-step3",),
    ),
    Situation(
        "matched and certified, no visa: get ready to start",
        "2027-04-01",
        dict(RANKED_2027, ecfmg_certified=True, match_result="matched"),
        "residency-training",
        "2027-program-start",
        "Start on",
        includes=("usmle-step3",),
    ),
    Situation(
        "PGY-1 in August: Step 3 during residency",
        "2027-08-15",
        dict(RANKED_2027, ecfmg_certified=True, match_result="matched"),
        "usmle-step3",
        None,
        "first or second year",
    ),
    Situation(
        "an old target: the 2026 Match is over",
        "2026-11-21",
        dict(READY, target_match_year=2026, ecfmg_certified=True),
        "eras-application",
        "2027-eras-submit",
        "do it now",
        warning="The 2026 Match is over",
        cycle=2027,
    ),
]


@pytest.mark.parametrize("s", SITUATIONS, ids=[s.name for s in SITUATIONS])
def test_situation(s: Situation) -> None:
    planned = make_plan(Profile(**s.profile), D(s.today), DEADLINES)  # type: ignore[arg-type]
    plan = planned.plan
    first = plan.actions[0]
    assert first.topic == s.first, [a.topic for a in plan.actions]
    assert first.due == (EVENT_DAYS[s.due] if s.due else None)
    assert s.why in first.why
    if first.due is not None:  # why now: the date, and the days left while it is ahead
        assert fmt(first.due) in first.why
        days = (first.due - D(s.today)).days
        if days > 0:
            assert f"{days} day{'s' if days != 1 else ''} left" in first.why
        if days < 0:
            assert f"{-days} day{'s' if days != -1 else ''} ago" in first.why
    topics = {a.topic for a in plan.actions}
    assert set(s.includes) <= topics
    if s.warning:
        assert any(s.warning in w for w in plan.warnings), plan.warnings
    if s.cycle:
        assert planned.cycle == s.cycle


def test_the_table_covers_the_whole_path() -> None:
    assert len(SITUATIONS) >= 25
    firsts = {s.first for s in SITUATIONS}
    assert {
        "ecfmg-registration",
        "usmle-step2ck",
        "english-proficiency",
        "eras-application",
        "nrmp-match",
        "soap",
        "visa-j1",
        "usmle-step3",
    } <= firsts


def test_a_pathway_already_applied_for_silences_the_passed_deadline_warning() -> None:
    # OET not passed after the Pathways deadline warns "unless your Pathway application is
    # already in"; someone who says it is in is not warned.
    late = dict(EXAMS_DONE, ecfmg_registered=True, target_match_year=2027, nrmp_registered=True)
    today = D("2027-02-05")
    warned = make_plan(Profile(**late), today, DEADLINES).plan.warnings  # type: ignore[arg-type]
    applied = Profile(**dict(late, pathway="applied"))  # type: ignore[arg-type]
    assert any("Pathways deadline" in w for w in warned)
    assert not any(
        "Pathways deadline" in w for w in make_plan(applied, today, DEADLINES).plan.warnings
    )
