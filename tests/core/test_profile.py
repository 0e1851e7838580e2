"""Profile parsing: strict for files, forgiving of how people type, always naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.models import PROFILE_FIELDS, Profile
from bot.core.profile.fields import (
    ProfileError,
    describe,
    load_profile_file,
    parse_field,
    parse_profile,
    with_field,
)

FULL = {
    "stage": "graduate",
    "school_year": 6,
    "graduation_year": 2024,
    "step1": "passed",
    "step2ck": "scheduled",
    "step3": "not-started",
    "english": "passed",
    "pathway": "applied",
    "ecfmg_registered": True,
    "ecfmg_certified": False,
    "usce_months": 3,
    "us_lors": 2,
    "target_match_year": 2028,
    "needs_visa": True,
    "eras_submitted": False,
    "nrmp_registered": False,
    "rol_certified": False,
    "match_result": "pending",
}


def test_full_profile_round_trips() -> None:
    profile = parse_profile(FULL)
    assert profile.to_dict() == FULL
    assert set(FULL) == set(PROFILE_FIELDS)


def test_empty_and_null_values_mean_unknown() -> None:
    assert parse_profile({}) == Profile()
    assert parse_profile({"step1": None, "needs_visa": None}) == Profile()


def test_unknown_field_is_named() -> None:
    with pytest.raises(ProfileError, match="step_1") as err:
        parse_profile({"step_1": "passed"})
    assert err.value.field == "step_1"


def test_not_a_mapping_is_rejected() -> None:
    with pytest.raises(ProfileError, match="mapping"):
        parse_profile(["stage", "student"])  # type: ignore[arg-type]


INVALID: list[tuple[str, object]] = [
    ("stage", "resident"),
    ("stage", 1),
    ("school_year", 0),
    ("school_year", 8),
    ("school_year", "three"),
    ("school_year", 2.5),
    ("school_year", True),
    ("graduation_year", 1949),
    ("graduation_year", 2041),
    ("graduation_year", "20027"),
    ("usce_months", -1),
    ("usce_months", 121),
    ("us_lors", 21),
    ("us_lors", -2),
    ("target_match_year", 2019),
    ("target_match_year", 2041),
    ("step1", "done"),
    ("step2ck", True),
    ("step3", "passd"),
    ("english", "preparing"),
    ("english", "failed"),
    ("match_result", "maybe"),
    ("needs_visa", "maybe"),
    ("needs_visa", 1),
    ("ecfmg_registered", "si"),
    ("ecfmg_certified", 0),
    ("eras_submitted", ""),
    ("nrmp_registered", [True]),
    ("rol_certified", "2"),
]


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_every_invalid_value_is_rejected_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ProfileError) as err:
        parse_profile({field: value})
    assert err.value.field == field
    assert field in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Yes", True),
        ("y", True),
        ("TRUE", True),
        ("true", True),
        ("no", False),
        ("N", False),
        ("false", False),
        (" no ", False),
    ],
)
def test_yes_no_variants(text: str, expected: bool) -> None:
    assert parse_field("needs_visa", text) is expected
    assert parse_profile({"eras_submitted": text}).eras_submitted is expected


@pytest.mark.parametrize(
    "text", ["not-started", "not started", "Not Started", "not_started", "NOT-STARTED"]
)
def test_enum_spelling_variants(text: str) -> None:
    assert parse_field("step1", text) == "not-started"
    assert parse_field("english", text) == "not-started"


def test_typed_shortcut_values() -> None:
    assert parse_field("step2ck", "Passed") == "passed"
    assert parse_field("step2ck", "pass") == "passed"
    assert parse_field("step3", "booked") == "scheduled"
    assert parse_field("stage", "Graduate") == "graduate"
    assert parse_field("match_result", "unmatched") == "unmatched"
    assert parse_field("target_match_year", " 2028 ") == 2028
    assert parse_field("usce_months", "0") == 0


def test_field_names_accept_hyphens_and_case() -> None:
    assert parse_field("Target-Match-Year", "2027") == 2027
    assert parse_field("US_LORS", "3") == 3


def test_clear_words_reset_a_field() -> None:
    assert parse_field("step1", "unknown") is None
    assert parse_field("needs_visa", "none") is None


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("step1", "maybe"),
        ("school_year", "9"),
        ("school_year", "first"),
        ("graduation_year", "20 20"),
        ("needs_visa", "perhaps"),
        ("stage", ""),
        ("us_lors", "   "),
    ],
)
def test_parse_field_rejects_bad_text(field: str, text: str) -> None:
    with pytest.raises(ProfileError) as err:
        parse_field(field, text)
    assert err.value.field == field


def test_parse_field_unknown_field() -> None:
    with pytest.raises(ProfileError, match="Unknown profile field") as err:
        parse_field("score", "250")
    assert err.value.field == "score"


def test_error_messages_are_sentences() -> None:
    with pytest.raises(ProfileError) as err:
        parse_field("school_year", "9")
    assert str(err.value) == "school_year must be between 1 and 7; got 9."


def test_with_field_validates_and_clears() -> None:
    profile = with_field(Profile(), "step1", "Passed")
    assert profile.step1 == "passed"
    assert with_field(profile, "step1", None).step1 is None
    assert with_field(profile, "needs_visa", True).needs_visa is True
    with pytest.raises(ProfileError) as err:
        with_field(profile, "us_lors", 99)
    assert err.value.field == "us_lors"
    with pytest.raises(ProfileError):
        with_field(profile, "nonsense", 1)


def test_describe_lists_only_answers_in_field_order() -> None:
    assert describe(Profile()) == []
    rows = describe(Profile(stage="student", school_year=3, step1="scheduled", needs_visa=False))
    assert rows == [
        ("Stage", "student"),
        ("Year of medical school", "3"),
        ("USMLE Step 1", "exam booked"),
        ("Needs a US visa", "no"),
    ]
    assert ("Match result", "did not match") in describe(Profile(match_result="unmatched"))


# -- files ----------------------------------------------------------------------------------------


def test_load_yaml_file(tmp_path: Path) -> None:
    file = tmp_path / "me.yaml"
    file.write_text("stage: graduate\nstep1: passed\nneeds_visa: yes\nenglish: not started\n")
    assert load_profile_file(file) == Profile(
        stage="graduate", step1="passed", needs_visa=True, english="not-started"
    )


def test_load_json_file(tmp_path: Path) -> None:
    file = tmp_path / "me.json"
    file.write_text('{"stage": "student", "school_year": 4, "eras_submitted": false}')
    assert load_profile_file(str(file)) == Profile(
        stage="student", school_year=4, eras_submitted=False
    )


def test_empty_file_is_an_empty_profile(tmp_path: Path) -> None:
    file = tmp_path / "empty.yaml"
    file.write_text("")
    assert load_profile_file(file) == Profile()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="not found"):
        load_profile_file(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.yaml", "stage: [graduate\n", "not valid YAML"),
        ("bad.json", '{"stage": "graduate",}', "not valid JSON"),
        ("list.yaml", "- stage\n- graduate\n", "mapping"),
        ("field.yaml", "stage: graduate\nvisa: yes\n", "visa"),
        ("value.json", '{"usce_months": 500}', "usce_months"),
    ],
)
def test_bad_files_raise_clear_errors(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    file = tmp_path / name
    file.write_text(content)
    with pytest.raises(ProfileError, match=message) as err:
        load_profile_file(file)
    assert str(file) in str(err.value)


def test_field_error_from_a_file_keeps_the_field(tmp_path: Path) -> None:
    file = tmp_path / "me.yaml"
    file.write_text("match_result: won\n")
    with pytest.raises(ProfileError) as err:
        load_profile_file(file)
    assert err.value.field == "match_result"


def test_a_new_target_match_clears_the_old_ones_application_answers() -> None:
    applied = Profile(
        target_match_year=2027, step1="passed", eras_submitted=True, match_result="unmatched"
    )
    moved = with_field(applied, "target_match_year", 2028)
    assert moved.target_match_year == 2028 and moved.step1 == "passed"
    assert moved.eras_submitted is None and moved.match_result is None
    assert with_field(applied, "target_match_year", 2027) == applied  # same target: kept
    first = with_field(Profile(eras_submitted=True), "target_match_year", 2027)
    assert first.eras_submitted is True  # no target before: nothing belonged to another Match
