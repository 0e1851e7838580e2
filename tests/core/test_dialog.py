"""The guided dialog: order, relevance, skipping, and the same question after a restart."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.core import callbacks
from bot.core.models import PROFILE_FIELDS, Profile
from bot.core.profile.dialog import (
    QUESTIONS,
    Question,
    next_question,
    question_for,
    relevant_fields,
    typed_option,
)
from bot.core.profile.fields import parse_field, with_field

TODAY = date(2026, 11, 21)
VALUE_RE = re.compile(r"^[A-Za-z0-9_.+/-]{1,20}$")


def answer_all(profile: Profile, choose: dict[str, str], today: date = TODAY) -> list[str]:
    """Walk the dialog, answering each question with `choose[field]` (or its first option)."""
    asked: list[str] = []
    while (q := next_question(profile, (), today)) is not None:
        assert q.field not in asked, f"{q.field} asked twice"
        asked.append(q.field)
        value = choose.get(q.field, q.options[0][1])
        profile = with_field(profile, q.field, parse_field(q.field, value))
    return asked


def test_questions_cover_every_profile_field_once() -> None:
    assert sorted(q.field for q in QUESTIONS) == sorted(PROFILE_FIELDS)


def test_first_question_is_the_stage() -> None:
    q = next_question(Profile(), (), TODAY)
    assert q is not None and q.field == "stage"
    assert dict((v, lbl) for lbl, v in q.options) == {"student": "Student", "graduate": "Graduate"}


def test_graduate_path_order() -> None:
    asked = answer_all(
        Profile(),
        {
            "stage": "graduate",
            "graduation_year": "2024",
            "step1": "passed",
            "step2ck": "passed",
            "english": "passed",
            "target_match_year": "2027",
            "needs_visa": "yes",
            "eras_submitted": "yes",
            "nrmp_registered": "yes",
            "ecfmg_certified": "no",
        },
    )
    assert asked == [
        "stage",
        "graduation_year",
        "step1",
        "step2ck",
        "english",
        "usce_months",
        "us_lors",
        "target_match_year",
        "needs_visa",
        "eras_submitted",
        "nrmp_registered",
        "rol_certified",
        "step3",
        "ecfmg_certified",
        "pathway",  # in the Match season and not certified: has the Pathway application gone in?
    ]


def test_the_pathway_is_asked_only_in_season_and_only_of_the_uncertified() -> None:
    in_season = {"stage": "graduate", "target_match_year": "2027", "ecfmg_certified": "no"}
    assert "pathway" in answer_all(Profile(), in_season, date(2026, 12, 4))
    certified = dict(in_season, step1="passed", step2ck="passed", ecfmg_certified="yes")
    assert "pathway" not in answer_all(Profile(), certified, date(2026, 12, 4))
    years_ahead = dict(in_season, target_match_year="2030")
    assert "pathway" not in answer_all(Profile(), years_ahead, date(2026, 12, 4))


def test_student_path_skips_graduate_only_questions() -> None:
    asked = answer_all(Profile(), {"stage": "student", "needs_visa": "no"})
    assert asked[:2] == ["stage", "school_year"]
    assert "graduation_year" not in asked
    assert "ecfmg_certified" not in asked
    assert "step3" not in asked
    assert "ecfmg_registered" in asked  # nothing passed yet, so the USMLE ID matters
    assert "eras_submitted" not in asked  # no Step passed: too early to have applied


def test_passed_step_makes_the_registration_question_irrelevant() -> None:
    fields = relevant_fields(Profile(stage="graduate", step1="passed"), TODAY)
    assert "ecfmg_registered" not in fields
    assert "ecfmg_registered" in relevant_fields(Profile(stage="graduate"), TODAY)


def test_application_questions_only_in_season() -> None:
    early = Profile(stage="graduate", target_match_year=2029)
    assert "eras_submitted" not in relevant_fields(early, TODAY)
    in_season = Profile(stage="graduate", target_match_year=2027, step1="passed")
    assert "eras_submitted" in relevant_fields(in_season, TODAY)
    beginner = Profile(stage="graduate", target_match_year=2027, step1="preparing")
    assert "eras_submitted" not in relevant_fields(beginner, TODAY)
    assert "nrmp_registered" not in relevant_fields(in_season, TODAY)
    submitted = with_field(in_season, "eras_submitted", True)
    assert "nrmp_registered" in relevant_fields(submitted, TODAY)
    assert "rol_certified" not in relevant_fields(submitted, TODAY)


def test_match_result_only_from_match_week() -> None:
    registered = Profile(target_match_year=2027, eras_submitted=True, nrmp_registered=True)
    assert "match_result" not in relevant_fields(registered, date(2027, 3, 14))
    assert "match_result" in relevant_fields(registered, date(2027, 3, 15))


def test_step3_only_with_a_visa_and_certification_only_for_graduates_with_both_steps() -> None:
    assert "step3" not in relevant_fields(Profile(needs_visa=False), TODAY)
    assert "step3" in relevant_fields(Profile(needs_visa=True), TODAY)
    both = Profile(stage="graduate", step1="passed", step2ck="passed")
    assert "ecfmg_certified" in relevant_fields(both, TODAY)
    assert "ecfmg_certified" not in relevant_fields(with_field(both, "step2ck", "failed"), TODAY)
    student = with_field(both, "stage", "student")
    assert "ecfmg_certified" not in relevant_fields(student, TODAY)


def test_skipping_moves_on_and_is_remembered() -> None:
    q = next_question(Profile(), ("stage",), TODAY)
    assert q is not None and q.field == "step1"  # no stage: neither year question applies
    q = next_question(Profile(stage="graduate"), ("graduation_year", "step1"), TODAY)
    assert q is not None and q.field == "step2ck"


def test_everything_skipped_ends_the_dialog() -> None:
    assert next_question(Profile(), PROFILE_FIELDS, TODAY) is None


def test_restart_gives_the_same_question() -> None:
    profile = Profile(stage="graduate", graduation_year=2023, step1="passed")
    skipped = ("step2ck",)
    first = next_question(profile, skipped, TODAY)
    again = next_question(Profile(**profile.to_dict()), list(skipped), TODAY)
    assert first == again
    assert first is not None and first.field == "english"


def test_answered_fields_are_not_asked_again() -> None:
    profile = Profile(stage="student", school_year=4, step1="preparing")
    q = next_question(profile, (), TODAY)
    assert q is not None and q.field == "step2ck"


def test_year_options_follow_today() -> None:
    grad = question_for("graduation_year", TODAY)
    assert grad.typed
    assert [v for _, v in grad.options][:2] == ["2026", "2025"]
    target = question_for("target_match_year", TODAY)
    assert [v for _, v in target.options] == ["2027", "2028", "2029", "2030"]
    after_match_day = question_for("target_match_year", date(2027, 3, 20))
    assert after_match_day.options[0][1] == "2028"
    before_match_day = question_for("target_match_year", date(2027, 3, 19))
    assert before_match_day.options[0][1] == "2027"


@pytest.mark.parametrize("field", [q.field for q in QUESTIONS])
@pytest.mark.parametrize("today", [TODAY, date(2027, 3, 20), date(2030, 1, 1)])
def test_every_option_is_valid_short_and_encodable(field: str, today: date) -> None:
    q = question_for(field, today)
    assert isinstance(q, Question)
    assert q.options, f"{field} has no buttons"
    assert q.text.strip()
    for label, value in q.options:
        assert label.strip()
        assert VALUE_RE.match(value), value
        parse_field(field, value)  # raises if the button would store an invalid value
        assert callbacks.decode(callbacks.encode("p", field, value)) is not None


def test_typed_questions_are_the_numeric_ones() -> None:
    typed = {q.field for q in QUESTIONS if q.typed}
    assert typed == {
        "school_year",
        "graduation_year",
        "usce_months",
        "us_lors",
        "target_match_year",
    }


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("step1", "Passed", "passed"),
        ("step1", "  not started! ", "not-started"),
        ("ecfmg_registered", "yes.", "yes"),
        ("usce_months", "none", "0"),
        ("usce_months", "6+", "6"),
        ("usce_months", "4-5", "4"),
        ("step1", "passed step 1 last year", None),  # a sentence, not a label
        ("stage", "2019", None),  # a number is no label here
    ],
)
def test_a_typed_button_label_gives_its_options_value(
    field: str, text: str, value: str | None
) -> None:
    question = next(q for q in QUESTIONS if q.field == field)
    assert typed_option(question, text) == value
