"""The planner on many real situations, against the real calendar and a small in-test one."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.core.models import Action, Deadline, Plan, Profile
from bot.core.plan.planner import advise, make_plan, plan_basis
from bot.core.plan.rules import progress

ET = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 21)


def load_real_deadlines() -> tuple[Deadline, ...]:
    """knowledge/deadlines.yaml read with plain yaml, per the contract (not bot.core.knowledge)."""
    data = yaml.safe_load((ROOT / "knowledge" / "deadlines.yaml").read_text(encoding="utf-8"))
    out = []
    for e in data["deadlines"]:
        when = e["date"]
        if isinstance(when, datetime):
            at, all_day = when, False
        else:
            at, all_day = datetime.combine(when, time(0), ET), True
        out.append(
            Deadline(
                e["id"], e["title"], e["cycle"], at, all_day, e["topic"], e["status"], e["source"]
            )
        )
    return tuple(out)


REAL = load_real_deadlines()


def day_event(event_id: str, day: str, topic: str = "nrmp-match") -> Deadline:
    cycle = int(event_id[:4])
    at = datetime.combine(date.fromisoformat(day), time(0), ET)
    return Deadline(event_id, event_id, cycle, at, True, topic, "confirmed", "https://x.test/")


# A made-up 2030 cycle with odd dates, to prove dues are copied from whatever calendar is given.
SMALL = (
    day_event("2030-eras-opens", "2029-06-06"),
    day_event("2030-eras-submit", "2029-09-05"),
    day_event("2030-eras-review", "2029-09-26"),
    day_event("2030-nrmp-registration-opens", "2029-09-14"),
    day_event("2030-nrmp-late-fee", "2030-01-30"),
    day_event("2030-pathways-deadline", "2030-01-29"),
    day_event("2030-rol-opens", "2030-02-02"),
    day_event("2030-rol-deadline", "2030-03-06"),
    day_event("2030-match-week", "2030-03-18"),
    day_event("2030-soap", "2030-03-18"),
    day_event("2030-match-day", "2030-03-22"),
    day_event("2030-program-start", "2030-06-30"),
)

D = date.fromisoformat
ERAS_2027, LATE_2027, PATHWAYS_2027 = D("2026-09-02"), D("2027-01-29"), D("2027-01-29")
ROL_2027, WEEK_2027, START_2027 = D("2027-03-03"), D("2027-03-15"), D("2027-07-01")
ERAS_2028, LATE_2028, ROL_2028 = D("2027-09-01"), D("2028-01-31"), D("2028-03-01")
WEEK_2028, START_2028 = D("2028-03-13"), D("2028-07-01")

READY_GRAD = dict(
    stage="graduate",
    graduation_year=2024,
    step1="passed",
    step2ck="passed",
    english="passed",
    ecfmg_registered=True,
    usce_months=3,
    us_lors=3,
    needs_visa=False,
)


def plan_for(today: date = TODAY, deadlines: tuple[Deadline, ...] = REAL, **fields: object) -> Plan:
    return advise(Profile(**fields), today, deadlines)  # type: ignore[arg-type]


def topics(plan: Plan) -> list[str]:
    return [a.topic for a in plan.actions]


def action(plan: Plan, topic: str, n: int = 0) -> Action:
    return [a for a in plan.actions if a.topic == topic][n]


def before(plan: Plan, first: str, second: str) -> bool:
    return topics(plan).index(first) < topics(plan).index(second)


def all_dates(deadlines: tuple[Deadline, ...]) -> set[date]:
    return {d.at.astimezone(ET).date() for d in deadlines}


# -- 1. nobody yet: the whole path, earliest feasible cycle ------------------------------------


def test_empty_profile_starts_with_feasibility_and_ecfmg_registration() -> None:
    plan = plan_for()
    assert topics(plan)[:2] == ["mentors-and-feasibility", "ecfmg-registration"]
    assert action(plan, "usmle-step1").due == ERAS_2028  # 2027's ERAS submission has passed
    assert action(plan, "eras-application").due == ERAS_2028
    assert action(plan, "nrmp-match").due == LATE_2028
    assert action(plan, "match-timeline").due == WEEK_2028
    assert plan.warnings == ()


def test_registration_comes_before_both_exams_in_any_order() -> None:
    plan = plan_for(stage="graduate", graduation_year=2025)
    assert before(plan, "ecfmg-registration", "usmle-step1")
    assert before(plan, "ecfmg-registration", "usmle-step2ck")
    assert "before or after Step 2 CK" in action(plan, "usmle-step1").why


def test_registered_or_passed_step_means_no_registration_action() -> None:
    assert "ecfmg-registration" not in topics(plan_for(ecfmg_registered=True))
    assert "ecfmg-registration" not in topics(plan_for(step1="passed"))
    assert "ecfmg-registration" not in topics(plan_for(step2ck="failed"))
    assert "mentors-and-feasibility" not in topics(plan_for(step1="preparing"))


# -- 2. exams, English and the Pathway -----------------------------------------------------------


def test_step_status_changes_the_title() -> None:
    plan = plan_for(step1="scheduled", step2ck="preparing", ecfmg_registered=True)
    assert action(plan, "usmle-step1").title.startswith("Sit USMLE Step 1")
    assert action(plan, "usmle-step2ck").title.startswith("Finish preparing")


def test_exams_and_english_before_certification_deadlines() -> None:
    plan = plan_for(stage="graduate", graduation_year=2025, target_match_year=2028)
    assert before(plan, "usmle-step2ck", "eras-application")
    assert before(plan, "english-proficiency", "clinical-skills-requirement")
    requirements = action(plan, "ecfmg-certification", 0)
    certificate = action(plan, "ecfmg-certification", 1)
    assert requirements.due == ROL_2028
    assert certificate.due == START_2028
    assert "rank-list deadline" in requirements.why


def test_pathway_due_is_the_2027_pathways_deadline() -> None:
    plan = plan_for(**{**READY_GRAD, "english": "not-started"}, target_match_year=2027)
    assert action(plan, "english-proficiency").due == PATHWAYS_2027
    assert action(plan, "clinical-skills-requirement").due == PATHWAYS_2027
    assert "29 Jan 2027 (estimated)" in action(plan, "clinical-skills-requirement").why


def test_2028_pathway_aims_at_eras_submission_as_its_deadline_is_not_published() -> None:
    plan = plan_for(**{**READY_GRAD, "english": "not-started"}, target_match_year=2028)
    assert action(plan, "clinical-skills-requirement").due == ERAS_2028
    assert "not published yet" in action(plan, "clinical-skills-requirement").why
    assert topics(plan)[0] == "english-proficiency"  # the Pathway waits on OET


def test_student_prepares_the_pathway_instead_of_applying() -> None:
    plan = plan_for(stage="student", school_year=6)
    assert action(plan, "clinical-skills-requirement").title.startswith("Choose your")
    assert "Students can register while enrolled" in action(plan, "ecfmg-registration").why


def test_certified_graduate_has_no_exam_or_certification_actions() -> None:
    plan = plan_for(**READY_GRAD, ecfmg_certified=True, target_match_year=2028)
    for topic in ("usmle-step1", "usmle-step2ck", "english-proficiency", "ecfmg-certification"):
        assert topic not in topics(plan)
    assert topics(plan)[0] == "eras-application"


# -- 3. experience and application -----------------------------------------------------------------


def test_usce_and_letters_are_advice_after_the_hard_steps() -> None:
    plan = plan_for(stage="graduate", graduation_year=2025, usce_months=1, us_lors=0)
    assert before(plan, "usce", "letters-of-recommendation")
    assert before(plan, "eras-application", "usce")
    assert action(plan, "usce").due == ERAS_2028
    assert "Common advice" in action(plan, "usce").why
    assert "Common advice" in action(plan, "letters-of-recommendation").why


def test_enough_experience_and_letters_drop_those_actions() -> None:
    plan = plan_for(**READY_GRAD)
    assert "usce" not in topics(plan)
    assert "letters-of-recommendation" not in topics(plan)


def test_ready_graduate_without_target_aims_at_2028_eras_first() -> None:
    plan = plan_for(**READY_GRAD)
    assert topics(plan)[0] == "eras-application"
    assert action(plan, "eras-application").due == ERAS_2028
    assert action(plan, "nrmp-match", 0).due == LATE_2028
    assert action(plan, "nrmp-match", 1).due == ROL_2028


def test_submitted_application_tracks_nrmp_and_rank_list_in_the_current_cycle() -> None:
    plan = plan_for(**READY_GRAD, eras_submitted=True)
    assert "eras-application" not in topics(plan)
    nrmp = action(plan, "nrmp-match", 0)
    assert (nrmp.title, nrmp.due) == ("Register for the NRMP Match", LATE_2027)
    assert action(plan, "nrmp-match", 1).due == ROL_2027
    assert action(plan, "interviews").due is None
    assert before(plan, "nrmp-match", "interviews")


def test_late_for_the_nrmp_fee_means_the_rank_list_deadline() -> None:
    plan = plan_for(D("2027-02-10"), **READY_GRAD, eras_submitted=True, target_match_year=2027)
    assert action(plan, "nrmp-match", 0).due == ROL_2027


def test_registered_and_ranked_leaves_match_week_and_certificate() -> None:
    plan = plan_for(
        **READY_GRAD,
        target_match_year=2027,
        eras_submitted=True,
        nrmp_registered=True,
        rol_certified=True,
    )
    assert [a.due for a in plan.actions if a.due] == sorted(a.due for a in plan.actions if a.due)
    assert action(plan, "match-timeline").due == WEEK_2027
    assert "nrmp-match" not in topics(plan)


# -- 4. visas and Step 3 -------------------------------------------------------------------------


def test_visa_means_step3_before_rank_list_for_h1b_and_visa_friendly_programs() -> None:
    plan = plan_for(**{**READY_GRAD, "needs_visa": True}, target_match_year=2028)
    step3 = action(plan, "usmle-step3")
    assert step3.due == ROL_2028
    assert "H-1B" in step3.title
    assert len([a for a in plan.actions if a.topic == "usmle-step3"]) == 1
    assert action(plan, "program-list").due == ERAS_2028
    assert action(plan, "visa-j1").due == START_2028


def test_no_visa_means_step3_during_residency_last() -> None:
    plan = plan_for(**READY_GRAD, target_match_year=2028)
    assert topics(plan)[-1] == "usmle-step3"
    assert action(plan, "usmle-step3").due is None
    assert "visa-j1" not in topics(plan)


def test_step3_passed_is_not_suggested() -> None:
    plan = plan_for(**{**READY_GRAD, "needs_visa": True}, step3="passed")
    assert "usmle-step3" not in topics(plan)


# -- 5. warnings ---------------------------------------------------------------------------------


def test_step2ck_missing_after_eras_submission_moves_the_plan_to_2028() -> None:
    plan = plan_for(**{**READY_GRAD, "step2ck": "preparing"}, target_match_year=2027)
    assert any("2027 Match is probably out of reach" in w for w in plan.warnings)
    assert any("This plan is for the 2028 Match" in w for w in plan.warnings)
    assert topics(plan)[0] == "usmle-step2ck"
    assert action(plan, "usmle-step2ck").due == ERAS_2028


def test_support_actions_lose_their_date_once_eras_submission_opened() -> None:
    plan = plan_for(
        **{**READY_GRAD, "usce_months": 0}, target_match_year=2027, eras_submitted=False
    )
    assert action(plan, "usce").due is None
    assert action(plan, "eras-application").due == ERAS_2027
    assert topics(plan)[0] == "eras-application"  # overdue and hard: submit now


def test_ready_but_not_submitted_after_submission_opened_is_told_to_hurry() -> None:
    plan = plan_for(**READY_GRAD, target_match_year=2027)
    assert topics(plan)[0] == "eras-application"
    assert action(plan, "eras-application").due == ERAS_2027
    assert any("already reviewing" in w for w in plan.warnings)


def test_long_ago_graduate_is_warned_and_shown_the_topic_first() -> None:
    plan = plan_for(**{**READY_GRAD, "graduation_year": 2015})
    assert topics(plan)[0] == "graduation-year"
    assert any("11 years ago" in w for w in plan.warnings)
    assert not plan_for(**{**READY_GRAD, "graduation_year": 2021}).warnings


def test_failed_step_warns_about_attempt_limits() -> None:
    plan = plan_for(stage="graduate", step1="passed", step2ck="failed")
    assert any("4 attempts" in w and "Step 2 CK" in w for w in plan.warnings)
    assert before(plan, "attempt-limits-and-failures", "usmle-step2ck")
    assert action(plan, "usmle-step2ck").title == "Retake USMLE Step 2 CK"


def test_early_student_targeting_too_early_a_cycle() -> None:
    plan = plan_for(stage="student", school_year=2, target_match_year=2027)
    assert any("graduate in about 2031" in w for w in plan.warnings)
    plan = plan_for(stage="student", graduation_year=2029, target_match_year=2028)
    assert any("graduate in 2029" in w for w in plan.warnings)
    assert not plan_for(stage="student", school_year=2, target_match_year=2031).warnings


def test_past_cycle_is_over() -> None:
    plan = plan_for(stage="graduate", target_match_year=2026)
    assert plan.warnings[0].startswith("The 2026 Match is over")


def test_rank_list_deadline_passed_without_requirements() -> None:
    plan = plan_for(
        D("2027-03-08"),
        **{**READY_GRAD, "english": "not-started"},
        target_match_year=2027,
        eras_submitted=True,
    )
    assert any("rank-list deadline" in w and "out of reach" in w for w in plan.warnings)


def test_pathways_deadline_passed_without_oet() -> None:
    plan = plan_for(
        D("2027-02-05"),
        **{**READY_GRAD, "english": "not-started"},
        target_match_year=2027,
        eras_submitted=True,
    )
    assert any("Pathways deadline" in w for w in plan.warnings)


def test_waiting_after_match_day_asks_for_the_result() -> None:
    plan = plan_for(
        D("2027-03-25"),
        **READY_GRAD,
        target_match_year=2027,
        eras_submitted=True,
        nrmp_registered=True,
        match_result="pending",
    )
    assert any("tell me your result" in w for w in plan.warnings)


# -- 6. Match Week, SOAP and after -----------------------------------------------------------------

MATCH_FIELDS = dict(READY_GRAD, eras_submitted=True, nrmp_registered=True, rol_certified=True)


def test_unmatched_during_match_week_goes_to_soap() -> None:
    plan = plan_for(
        D("2027-03-16"), **MATCH_FIELDS, target_match_year=2027, match_result="unmatched"
    )
    assert topics(plan)[0] == "soap"
    assert action(plan, "soap").due == D("2027-03-15")
    assert plan.warnings == ()


def test_unmatched_without_target_in_match_week_is_the_current_soap() -> None:
    plan = plan_for(D("2027-03-18"), **MATCH_FIELDS, match_result="unmatched")
    assert topics(plan)[0] == "soap"
    assert action(plan, "soap").due == D("2027-03-15")


def test_unmatched_after_soap_plans_the_next_cycle() -> None:
    plan = plan_for(
        D("2027-03-22"), **MATCH_FIELDS, target_match_year=2027, match_result="unmatched"
    )
    first = plan.actions[0]
    assert (first.topic, first.title) == ("match-timeline", "Plan the 2028 Match")
    assert action(plan, "eras-application").due == ERAS_2028
    assert action(plan, "nrmp-match", 0).due == LATE_2028
    assert "soap" not in topics(plan)


def test_matched_with_visa_needs_certificate_visa_and_step3() -> None:
    plan = plan_for(
        D("2027-03-19"),
        **{**MATCH_FIELDS, "needs_visa": True},
        target_match_year=2027,
        match_result="matched",
    )
    assert {a.topic for a in plan.actions} == {
        "ecfmg-certification",
        "visa-j1",
        "usmle-step3",
        "residency-training",
    }
    assert all(a.due == START_2027 for a in plan.actions)
    assert "ECFMG" in action(plan, "visa-j1").title


def test_matched_certified_without_visa_prepares_to_start() -> None:
    plan = plan_for(D("2027-04-01"), **MATCH_FIELDS, ecfmg_certified=True, match_result="matched")
    assert topics(plan) == ["residency-training", "usmle-step3"]
    assert action(plan, "residency-training").due == START_2027
    assert action(plan, "usmle-step3").due is None


# -- 7. cycle choice, calendars and determinism ----------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "today", "expected"),
    [
        ({}, TODAY, 2028),
        ({"target_match_year": 2027}, TODAY, 2027),  # nothing known that rules it out
        ({"target_match_year": 2027, "step1": "passed", "step2ck": "scheduled"}, TODAY, 2028),
        ({"target_match_year": 2027, "eras_submitted": True}, TODAY, 2027),
        ({"eras_submitted": True}, TODAY, 2027),
        ({"stage": "student", "school_year": 6}, TODAY, 2028),
        ({"stage": "student", "school_year": 3}, TODAY, 2030),
        ({"stage": "student", "school_year": 3}, D("2027-03-01"), 2030),
        ({"stage": "student", "graduation_year": 2029}, TODAY, 2029),
        ({}, D("2027-08-15"), 2028),
        ({}, D("2027-09-15"), 2029),
        ({"match_result": "matched"}, D("2027-04-01"), 2027),
        ({"match_result": "unmatched"}, D("2027-03-16"), 2027),
        ({"match_result": "unmatched"}, D("2027-04-01"), 2028),
    ],
)
def test_the_plan_is_for_the_target_or_the_next_reachable_match(
    fields: dict[str, object], today: date, expected: int
) -> None:
    cycle, _ = plan_basis(Profile(**fields), today, REAL)  # type: ignore[arg-type]
    assert cycle == expected


def test_dues_come_from_the_given_calendar() -> None:
    plan = plan_for(
        D("2029-05-01"), SMALL, stage="graduate", step1="passed", target_match_year=2030
    )
    assert action(plan, "eras-application").due == D("2029-09-05")
    assert action(plan, "clinical-skills-requirement").due == D("2029-09-05")
    assert action(plan, "nrmp-match", 0).due == D("2030-01-30")
    assert action(plan, "ecfmg-certification", 1).due == D("2030-06-30")
    assert {a.due for a in plan.actions} <= all_dates(SMALL) | {None}


def test_a_cycle_without_dates_has_no_due_dates() -> None:
    plan = plan_for(stage="student", school_year=2, target_match_year=2032)
    assert all(a.due is None for a in plan.actions)
    assert "(date not published yet)" in action(plan, "eras-application").why


PROFILES: list[dict[str, object]] = [
    {},
    {"stage": "student", "school_year": 1},
    {"stage": "student", "school_year": 5, "step1": "passed"},
    {"stage": "graduate", "graduation_year": 2010, "step1": "failed"},
    {**READY_GRAD, "needs_visa": True, "target_match_year": 2027},
    {**MATCH_FIELDS, "match_result": "pending", "target_match_year": 2027},
    {**MATCH_FIELDS, "match_result": "matched"},
    {**MATCH_FIELDS, "match_result": "unmatched"},
]


@pytest.mark.parametrize("fields", PROFILES)
@pytest.mark.parametrize("today", [TODAY, D("2027-03-16"), D("2027-06-30"), D("2027-12-01")])
def test_every_due_is_a_calendar_date_and_plans_are_deterministic(
    fields: dict[str, object], today: date
) -> None:
    first = plan_for(today, **fields)
    assert first == plan_for(today, **fields)
    assert {a.due for a in first.actions} <= all_dates(REAL) | {None}
    assert all(a.title and a.why for a in first.actions)


def test_hard_steps_come_before_advice() -> None:
    plan = plan_for(stage="graduate", graduation_year=2023, needs_visa=True, target_match_year=2028)
    advice = {"usce", "letters-of-recommendation", "program-list", "interviews", "usmle-step3"}
    kinds = [a.topic in advice for a in plan.actions]
    assert kinds == sorted(kinds)  # every hard step, then every piece of advice


# -- 8. /progress --------------------------------------------------------------------------------


def states(profile: Profile, today: date = TODAY) -> dict[str, str]:
    return {label: state for _, label, state in progress(profile, today)}


def test_progress_for_a_beginner() -> None:
    s = states(Profile())
    assert s["Register with ECFMG (USMLE ID)"] == "next"
    assert s["Pass OET Medicine"] == "next"
    assert s["Pass USMLE Step 1"] == "later"
    assert s["Submit ERAS"] == "later"
    assert "Get your visa" not in s


def test_progress_after_steps() -> None:
    s = states(Profile(stage="graduate", step1="passed", step2ck="passed", needs_visa=True))
    assert s["Register with ECFMG (USMLE ID)"] == "done"
    assert s["Pass USMLE Step 2 CK"] == "done"
    assert s["Meet the clinical-skills Pathway"] == "next"
    assert s["Submit ERAS"] == "next"
    assert s["Get US clinical experience"] == "next"
    assert s["Get your visa"] == "later"


def test_progress_when_matched_and_started() -> None:
    fields = dict(MATCH_FIELDS, ecfmg_certified=True, match_result="matched")
    profile = Profile(**fields, target_match_year=2027)
    assert states(profile, D("2027-06-30"))["Start residency"] == "next"
    s = states(profile, D("2027-07-01"))
    assert s["Start residency"] == "done"
    assert s["Match"] == "done"
    assert s["Pass USMLE Step 3"] == "next"


def test_progress_rows_are_topics_in_path_order() -> None:
    rows = progress(Profile(), TODAY)
    assert rows[0][0] == "ecfmg-registration"
    assert rows[-1][0] == "usmle-step3"
    assert {state for _, _, state in rows} <= {"done", "next", "later"}


def test_after_an_unmatched_cycle_the_basis_is_the_next_match_with_answers_started_over() -> None:
    # Target 2027, unmatched, SOAP over: the plan (and so /deadlines and the reminders) is for
    # 2028, read as a first applicant's; before, /deadlines stayed on 2027, all of it past.
    unmatched = Profile(
        stage="graduate",
        step1="passed",
        step2ck="passed",
        english="passed",
        target_match_year=2027,
        eras_submitted=True,
        nrmp_registered=True,
        rol_certified=True,
        match_result="unmatched",
    )
    today = D("2027-05-01")
    cycle, as_planned = plan_basis(unmatched, today, REAL)
    assert cycle == make_plan(unmatched, today, REAL).cycle == 2028
    assert as_planned.eras_submitted is None and as_planned.match_result is None
    assert as_planned.step1 == "passed" and as_planned.english == "passed"  # results carry on
