"""knowledge/path.yaml: the real road loads, and every kind of mistake is named precisely."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from knowledge_once import repo_knowledge

from bot.core.models import Profile
from bot.core.plan.path import (
    Road,
    event_suffixes,
    load_road,
    parse_lead,
    read_road,
    validate_road,
)
from bot.core.plan.rules import progress

ROOT = Path(__file__).resolve().parents[2]
KB = repo_knowledge()
TOPICS = {t.id for t in KB.topics}
EVENTS = event_suffixes([d.id for d in KB.deadlines])


def real_steps() -> list[dict[str, object]]:
    return yaml.safe_load((ROOT / "knowledge" / "path.yaml").read_text())["steps"]


def problems_with(steps: list[dict[str, object]]) -> list[str]:
    return [str(p) for p in read_road({"steps": steps}, TOPICS, EVENTS)[1]]


def test_the_real_road_is_valid_and_knows_the_planner_steps() -> None:
    assert validate_road(ROOT / "knowledge", TOPICS, EVENTS) == []
    road = load_road(ROOT / "knowledge")
    for step_id in ("registration", "step1", "step2ck", "english", "pathway", "eras", "nrmp"):
        assert step_id in road
    assert road["rank-list"].hard and not road["usce"].hard
    assert "rol-deadline" in road["step2ck"].events


def test_lead_depends_on_the_status_and_done_on_the_profile() -> None:
    step2ck = load_road(ROOT / "knowledge")["step2ck"]
    assert step2ck.lead_for(Profile(step2ck="scheduled")) < step2ck.lead_for(Profile())
    assert step2ck.done(Profile(step2ck="passed")) and step2ck.done(Profile(ecfmg_certified=True))
    assert not step2ck.done(Profile(step2ck="failed"))
    usce = load_road(ROOT / "knowledge")["usce"]
    assert usce.done(Profile(usce_months=3)) and not usce.done(Profile(usce_months=1))


def test_parse_lead() -> None:
    assert parse_lead("5 months") == 150
    assert parse_lead("1 weeks") == 7
    assert timedelta(days=parse_lead("3 days") or 0).days == 3
    assert parse_lead("soon") is None


def test_unknown_prerequisite_is_named() -> None:
    steps = real_steps()
    steps[3]["requires"] = ["no-such-step"]
    assert any(
        "path.yaml" in p
        and "entry 'registration'" in p
        and "field 'requires'" in p
        and "unknown step 'no-such-step'" in p
        for p in problems_with(steps)
    )


def test_cycle_in_prerequisites_is_found() -> None:
    steps = real_steps()
    by_id = {s["id"]: s for s in steps}
    by_id["feasibility"]["requires"] = ["step1"]  # step1 -> registration -> feasibility -> step1
    found = [p for p in problems_with(steps) if "cycle" in p]
    assert {"feasibility", "registration", "step1"} <= {
        p.split("entry '")[1].split("'")[0] for p in found
    }


def test_unknown_event_topic_kind_lead_and_field_are_named() -> None:
    steps = real_steps()
    by_id = {s["id"]: s for s in steps}
    by_id["eras"]["events"] = ["eras-sumbit"]
    by_id["nrmp"]["topic"] = "no-topic"
    by_id["usce"]["kind"] = "maybe"
    by_id["lors"]["lead"] = "a while"
    by_id["soap"]["done_when"] = {"match_result": ["won"], "no_field": [True]}
    problems = problems_with(steps)
    expected = [
        ("'eras'", "'events'", "unknown event 'eras-sumbit'"),
        ("'nrmp'", "'topic'", "unknown topic 'no-topic'"),
        ("'usce'", "'kind'", "must be one of hard, advice"),
        ("'lors'", "'lead'", "not like '4 weeks'"),
        ("'soap'", "'done_when.match_result'", "'won' is not a value"),
        ("'soap'", "'done_when.no_field'", "unknown profile field"),
    ]
    for step, field, message in expected:
        assert any(step in p and field in p and message in p for p in problems), (step, problems)


def test_duplicate_ids_and_an_empty_file() -> None:
    steps = real_steps()
    steps.append(dict(steps[0]))
    assert any("duplicate step id" in p for p in problems_with(steps))
    assert read_road({}, TOPICS, EVENTS)[1][0].field == "steps"


def test_imgbot_validate_reports_a_broken_path(imgbot: Callable[..., Any], tmp_path: Path) -> None:
    shutil.copytree(ROOT / "knowledge", tmp_path / "kb")
    path = tmp_path / "kb" / "path.yaml"
    path.write_text(path.read_text().replace("events: [soap]", "events: [soup]"))
    result = imgbot("validate", str(tmp_path / "kb"))
    assert result.returncode == 1
    assert "path.yaml: entry 'soap', field 'events': unknown event 'soup'" in result.stderr


def road_with(changes: dict[str, dict[str, object]]) -> Road:
    steps = real_steps()
    for step in steps:
        step.update(changes.get(str(step["id"]), {}))
    road, problems = read_road({"steps": steps}, TOPICS, EVENTS)
    assert problems == []
    return road


def test_a_curator_changes_the_plan_without_code() -> None:
    from bot.core.plan.planner import advise

    profile = Profile(**EXAMS_BUT_OET, usce_months=1)
    today = date(2026, 11, 21)
    plan = advise(profile, today, KB.deadlines, load_road(ROOT / "knowledge"))
    assert plan.actions[0].topic == "english-proficiency"
    assert "usce" in {a.topic for a in plan.actions}
    # One month of US experience counts as enough, and OET is said to take a year: the plan
    # drops the experience step and OET starts "now".
    road = road_with(
        {"usce": {"done_when": {"usce_months": [">=1"]}}, "english": {"lead": "12 months"}}
    )
    plan = advise(profile, today, KB.deadlines, road)
    assert "usce" not in {a.topic for a in plan.actions}
    assert "so start now" in plan.actions[0].why


EXAMS_BUT_OET = dict(
    stage="graduate", graduation_year=2024, step1="passed", step2ck="passed", ecfmg_registered=True
)


# -- the /progress checklist (milestones) ------------------------------------------------------


def test_the_checklist_lists_the_steps_with_a_milestone_in_file_order() -> None:
    road = load_road(ROOT / "knowledge")
    rows = progress(Profile(needs_visa=True), date(2026, 11, 21), road)
    labels = [s.milestone.label for s in road.steps if s.milestone is not None]
    assert "Get your visa" in labels and [label for _, label, _ in rows] == labels
    assert rows[0] == ("ecfmg-registration", "Register with ECFMG (USMLE ID)", "next")
    assert rows[-1] == ("usmle-step3", "Pass USMLE Step 3", "later")


def test_a_milestone_added_only_in_yaml_appears_in_progress() -> None:
    today = date(2026, 11, 21)
    profile = Profile(**EXAMS_BUT_OET, eras_submitted=True)
    before = [label for _, label, _ in progress(profile, today, load_road(ROOT / "knowledge"))]
    assert "Get ready for interviews" not in before
    road = road_with({"interviews": {"milestone": {"label": "Get ready for interviews"}}})
    rows = progress(profile, today, road)
    labels = [label for _, label, _ in rows]
    # In file order: interviews sit between the NRMP registration and the rank list.
    assert labels.index("Register for the NRMP Match") < labels.index("Get ready for interviews")
    assert labels.index("Get ready for interviews") < labels.index("Certify your rank order list")
    assert ("interviews", "Get ready for interviews", "next") in rows
    waits = road_with(
        {"interviews": {"milestone": {"label": "Get ready for interviews", "requires": ["nrmp"]}}}
    )
    assert ("interviews", "Get ready for interviews", "later") in progress(profile, today, waits)


def test_a_milestone_can_be_done_and_shown_on_its_own_terms() -> None:
    today = date(2026, 11, 21)
    unmatched = Profile(**EXAMS_BUT_OET, match_result="unmatched")
    states = {label: state for _, label, state in progress(unmatched, today)}
    assert states["Match"] != "done"  # the plan's Match Week is done; the checklist's Match not
    assert load_road(ROOT / "knowledge")["match-week"].done(unmatched)
    assert "Get your visa" not in states
    needs_visa = Profile(**EXAMS_BUT_OET, needs_visa=True)
    assert "Get your visa" in {label for _, label, _ in progress(needs_visa, today)}


def test_milestone_problems_are_named() -> None:
    steps = real_steps()
    by_id = {s["id"]: s for s in steps}
    by_id["feasibility"]["milestone"] = "Check it"
    by_id["attempts"]["milestone"] = {"requires": []}
    by_id["usce"]["milestone"] = {"label": "US experience", "colour": "red"}
    by_id["lors"]["milestone"] = {"label": "Letters", "requires": ["residency", "no-such"]}
    by_id["soap"]["milestone"] = {"label": "SOAP", "shown_when": {"match_result": ["won"]}}
    problems = problems_with(steps)
    expected = [
        ("'feasibility'", "'milestone'", "must be a mapping with a label"),
        ("'attempts'", "'milestone.label'", "required text is missing"),
        ("'usce'", "'milestone.colour'", "unknown field"),
        ("'lors'", "'milestone.requires'", "'residency' is not a step with a milestone above"),
        ("'lors'", "'milestone.requires'", "'no-such' is not a step with a milestone above"),
        ("'soap'", "'milestone.shown_when.match_result'", "'won' is not a value"),
    ]
    for step, field, message in expected:
        assert any(step in p and field in p and message in p for p in problems), (step, problems)
