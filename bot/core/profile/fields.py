"""Turn what people type or upload into a valid Profile, and a Profile into readable lines.

Every value passes through one validator per field, so the dialog buttons, `/profile set`, a
profile file for `imgbot next` and stored data all obey the same rules. Bad input raises
ProfileError naming the field; nothing is ever half-applied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from bot.core import texts
from bot.core.errors import BadInput
from bot.core.models import (
    APPLICATION_FIELDS,
    BOOL_FIELDS,
    FIELD_CHOICES,
    INT_RANGES,
    PROFILE_FIELDS,
    Profile,
)
from bot.core.quoting import excerpt


class ProfileError(BadInput):
    """A profile value, field or file we cannot accept; `field` is None for file-level problems."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


FieldValue = str | int | bool | None  # what a profile field holds (see Profile)

TRUE_WORDS = frozenset({"yes", "y", "true"})
FALSE_WORDS = frozenset({"no", "n", "false"})
# Typed words that clear a field, so `/profile set step3 unknown` undoes a wrong answer.
CLEAR_WORDS = frozenset({"unknown", "none", "clear", "unset"})
# Short forms people type for enum values; the canonical values are the contract.
ENUM_ALIASES: dict[str, str] = {
    "pass": "passed",
    "fail": "failed",
    "booked": "scheduled",
    "not-yet": "not-started",
    "no": "not-started",
    "grad": "graduate",
    "img": "graduate",
    "unmatch": "unmatched",
    "match": "matched",
    "waiting": "pending",
}

LABELS: dict[str, str] = {
    "stage": texts.LABEL_STAGE,
    "school_year": texts.LABEL_SCHOOL_YEAR,
    "graduation_year": texts.LABEL_GRADUATION_YEAR,
    "step1": texts.LABEL_STEP1,
    "step2ck": texts.LABEL_STEP2CK,
    "step3": texts.LABEL_STEP3,
    "english": texts.LABEL_ENGLISH,
    "pathway": texts.LABEL_PATHWAY,
    "ecfmg_registered": texts.LABEL_ECFMG_REGISTERED,
    "ecfmg_certified": texts.LABEL_ECFMG_CERTIFIED,
    "usce_months": texts.LABEL_USCE_MONTHS,
    "us_lors": texts.LABEL_US_LORS,
    "target_match_year": texts.LABEL_TARGET_MATCH_YEAR,
    "needs_visa": texts.LABEL_NEEDS_VISA,
    "eras_submitted": texts.LABEL_ERAS_SUBMITTED,
    "nrmp_registered": texts.LABEL_NRMP_REGISTERED,
    "rol_certified": texts.LABEL_ROL_CERTIFIED,
    "match_result": texts.LABEL_MATCH_RESULT,
}
VALUE_TEXT: dict[str, str] = {
    "not-started": texts.VALUE_NOT_STARTED,
    "preparing": texts.VALUE_PREPARING,
    "scheduled": texts.VALUE_SCHEDULED,
    "passed": texts.VALUE_PASSED,
    "failed": texts.VALUE_FAILED,
    "pending": texts.VALUE_PENDING,
    "matched": texts.VALUE_MATCHED,
    "unmatched": texts.VALUE_UNMATCHED,
    "applied": texts.VALUE_APPLIED,
    "accepted": texts.VALUE_ACCEPTED,
}


def parse_profile(data: Mapping[str, object]) -> Profile:
    """A whole profile from a mapping (a file, stored JSON); unknown fields are errors.

    Strict on purpose: a misspelt field in a profile file would otherwise be ignored silently
    and the plan would be wrong without anyone noticing.
    """
    if not isinstance(data, Mapping):
        raise ProfileError(
            f"A profile must be a mapping of fields to values, not {type(data).__name__}."
        )
    values: dict[str, FieldValue] = {}
    for key, raw in data.items():
        if not isinstance(key, str) or key not in PROFILE_FIELDS:
            raise ProfileError(
                f"Unknown profile field {key!r}. Fields: {', '.join(PROFILE_FIELDS)}.",
                str(key),
            )
        values[key] = coerce(key, raw)
    return _replaced(Profile(), values)


def parse_field(field: str, text: str) -> FieldValue:
    """A typed value for one field, from what a person typed or a button carried."""
    name = _field_name(field)
    cleaned = " ".join(str(text).split()).strip()
    if not cleaned:
        raise ProfileError(f"Give a value for {name}.", name)
    if _normal_word(cleaned) in CLEAR_WORDS:
        return None
    return coerce(name, cleaned)


def with_field(profile: Profile, field: str, value: object) -> Profile:
    """A copy of `profile` with one field changed (None clears it), validated first. A new
    target Match clears the answers about the old one's application (`cleared_by`)."""
    name = _field_name(field)
    checked = coerce(name, value)
    values: dict[str, FieldValue] = {name: checked}
    values.update(dict.fromkeys(cleared_by(profile, name, checked)))
    return _replaced(profile, values)


def cleared_by(profile: Profile, field: str, value: object) -> tuple[str, ...]:
    """The answers that setting `field` to `value` makes stale: ERAS, NRMP, the rank list and
    the result were for the old target Match, and a 2027 ERAS submission is no 2028 one."""
    old = profile.target_match_year
    if field != "target_match_year" or old is None or value == old:
        return ()
    return tuple(f for f in APPLICATION_FIELDS if getattr(profile, f) is not None)


def _replaced(profile: Profile, values: Mapping[str, FieldValue]) -> Profile:
    """`profile` with checked values. `coerce` gives each field a value of that field's type at
    run time; mypy cannot follow a field named by a string, so the values reach Profile untyped."""
    checked: dict[str, Any] = dict(values)
    return replace(profile, **checked)


def coerce(field: str, value: object) -> FieldValue:
    """Validate one value of a known field; strings are read leniently, other types strictly."""
    if value is None:
        return None
    if field in FIELD_CHOICES:
        return _enum(field, value)
    if field in INT_RANGES:
        return _int(field, value)
    if field in BOOL_FIELDS:
        return _bool(field, value)
    raise ProfileError(f"Unknown profile field {field!r}.", field)


def load_profile_file(path: str | Path) -> Profile:
    """Read a YAML or JSON profile file; every problem becomes one clear ProfileError."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"Profile file not found: {file}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"Cannot read profile file {file}: {exc}.") from None
    data = _parse_text(text, file)
    if data is None:
        return Profile()
    if not isinstance(data, Mapping):
        raise ProfileError(f"Profile file {file} must hold a mapping of fields to values.")
    try:
        return parse_profile(data)
    except ProfileError as exc:
        raise ProfileError(f"Profile file {file}: {exc}", exc.field) from None


def describe(profile: Profile) -> list[tuple[str, str]]:
    """(label, value) for every answered field, in field order, for /profile and exports."""
    return [
        (LABELS[name], _value_text(value))
        for name in PROFILE_FIELDS
        if (value := getattr(profile, name)) is not None
    ]


# -- helpers ------------------------------------------------------------------------------------


def _field_name(field: str) -> str:
    name = _normal_word(field).replace("-", "_")
    if name not in PROFILE_FIELDS:
        raise ProfileError(
            f"Unknown profile field {excerpt(field)}. Fields: {', '.join(PROFILE_FIELDS)}.",
            field,
        )
    return name


def _normal_word(text: str) -> str:
    """'Not Started', 'not_started' and 'not started' all become 'not-started'."""
    return re.sub(r"[\s_-]+", "-", text.strip().lower())


def _enum(field: str, value: object) -> str:
    allowed = FIELD_CHOICES[field]
    if isinstance(value, str):
        word = _normal_word(value)
        word = ENUM_ALIASES.get(word, word)
        if word in allowed:
            return word
    raise ProfileError(
        f"{field} must be one of {', '.join(allowed)}; got {excerpt(value)}.",
        field,
    )


def _int(field: str, value: object) -> int:
    low, high = INT_RANGES[field]
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,6}", value.strip()):
        number = int(value.strip())
    if number is None:
        raise ProfileError(f"{field} must be a whole number; got {excerpt(value)}.", field)
    if not low <= number <= high:
        raise ProfileError(f"{field} must be between {low} and {high}; got {number}.", field)
    return number


def _bool(field: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = _normal_word(value)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ProfileError(f"{field} must be yes or no; got {excerpt(value)}.", field)


def _parse_text(text: str, file: Path) -> object:
    """JSON when it looks like JSON (better error positions), YAML otherwise."""
    loaders: tuple[tuple[str, Callable[[str], object], type[Exception]], ...] = (
        ("JSON", json.loads, json.JSONDecodeError),
        ("YAML", yaml.safe_load, yaml.YAMLError),
    )
    kind, load, error = loaders[0] if text.lstrip().startswith("{") else loaders[1]
    try:
        return load(text)
    except error as exc:
        detail = " ".join(str(exc).split())
        raise ProfileError(f"Profile file {file} is not valid {kind}: {detail}.") from None


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return texts.VALUE_YES if value else texts.VALUE_NO
    if isinstance(value, str):
        return VALUE_TEXT.get(value, value)
    return str(value)
