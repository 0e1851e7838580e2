"""The guided "what should I do next" dialog, one question at a time.

There is no dialog state machine to lose: the next question is derived from the stored profile
and the tuple of fields the person skipped, so a restart, a redeploy or an old button never
puts anyone on the wrong question. Questions that cannot matter yet are not asked (nobody is
asked about their rank list before they registered for the Match).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.core import texts
from bot.core.models import Profile
from bot.core.questions.words import normalise

# Years of study offered as buttons; up to 7 because some schools (e.g. Egypt) run 7 years.
SCHOOL_YEARS = range(1, 8)
GRADUATION_YEAR_BUTTONS = 8  # this year and the 7 before; older graduates type the year
TARGET_YEAR_BUTTONS = 4


@dataclass(frozen=True)
class Question:
    """One dialog question. Option values are short strings accepted by profile.parse_field
    (and safe in callback data); `typed` means a typed number is accepted too."""

    field: str
    text: str
    options: tuple[tuple[str, str], ...] = ()
    typed: bool = False


def typed_option(question: Question, text: str) -> str | None:
    """The value of the option whose label a person typed instead of tapping it ("passed",
    "Yes!", "6+"), compared as questions are (`normalise`: no case, emoji or punctuation); None
    when no label fits."""
    typed = normalise(text)
    return next((value for label, value in question.options if normalise(label) == typed), None)


YES_NO: tuple[tuple[str, str], ...] = ((texts.OPTION_YES, "yes"), (texts.OPTION_NO, "no"))
STEP_OPTIONS: tuple[tuple[str, str], ...] = (
    (texts.OPTION_NOT_STARTED, "not-started"),
    (texts.OPTION_PREPARING, "preparing"),
    (texts.OPTION_BOOKED, "scheduled"),
    (texts.OPTION_PASSED, "passed"),
    (texts.OPTION_FAILED, "failed"),
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        "stage",
        texts.ASK_STAGE,
        ((texts.OPTION_STUDENT, "student"), (texts.OPTION_GRADUATE, "graduate")),
    ),
    Question(
        "school_year",
        texts.ASK_SCHOOL_YEAR,
        tuple((texts.OPTION_SCHOOL_YEAR.format(year=y), str(y)) for y in SCHOOL_YEARS),
        typed=True,
    ),
    Question("graduation_year", texts.ASK_GRADUATION_YEAR, typed=True),
    Question("step1", texts.ASK_STEP1, STEP_OPTIONS),
    Question("step2ck", texts.ASK_STEP2CK, STEP_OPTIONS),
    Question(
        "english",
        texts.ASK_ENGLISH,
        ((texts.OPTION_NOT_YET, "not-started"), (texts.OPTION_PASSED, "passed")),
    ),
    Question("ecfmg_registered", texts.ASK_ECFMG_REGISTERED, YES_NO),
    Question(
        "usce_months",
        texts.ASK_USCE_MONTHS,
        ((texts.OPTION_NONE, "0"), ("1", "1"), ("2", "2"), ("3", "3"), ("4-5", "4"), ("6+", "6")),
        typed=True,
    ),
    Question(
        "us_lors",
        texts.ASK_US_LORS,
        ((texts.OPTION_NONE, "0"), ("1", "1"), ("2", "2"), ("3+", "3")),
        typed=True,
    ),
    Question("target_match_year", texts.ASK_TARGET_MATCH_YEAR, typed=True),
    Question("needs_visa", texts.ASK_NEEDS_VISA, YES_NO),
    Question("eras_submitted", texts.ASK_ERAS_SUBMITTED, YES_NO),
    Question("nrmp_registered", texts.ASK_NRMP_REGISTERED, YES_NO),
    Question("rol_certified", texts.ASK_ROL_CERTIFIED, YES_NO),
    Question(
        "match_result",
        texts.ASK_MATCH_RESULT,
        (
            (texts.OPTION_WAITING, "pending"),
            (texts.OPTION_MATCHED, "matched"),
            (texts.OPTION_UNMATCHED, "unmatched"),
        ),
    ),
    Question("step3", texts.ASK_STEP3, STEP_OPTIONS),
    Question("ecfmg_certified", texts.ASK_ECFMG_CERTIFIED, YES_NO),
    Question(
        "pathway",
        texts.ASK_PATHWAY,
        (
            (texts.OPTION_NOT_YET, "not-started"),
            (texts.OPTION_APPLIED, "applied"),
            (texts.OPTION_ACCEPTED, "accepted"),
        ),
    ),
)
BY_FIELD = {q.field: q for q in QUESTIONS}


def _third_friday_of_march(year: int) -> date:
    first = date(year, 3, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def _first_open_match(today: date) -> int:
    """The earliest Match whose Match Day is still ahead."""
    return today.year if today <= _third_friday_of_march(today.year) else today.year + 1


def _in_season(profile: Profile, today: date) -> bool:
    """From the ERAS season opening (June of the year before) to the 1 July start."""
    target = profile.target_match_year
    if target is None:
        return profile.step1 == "passed" and profile.step2ck == "passed"
    return date(target - 1, 6, 1) <= today <= date(target, 7, 1)


def _after_match_week(profile: Profile, today: date) -> bool:
    target = profile.target_match_year or _first_open_match(today)
    return today >= _third_friday_of_march(target) - timedelta(days=4)


def _relevant(field: str, p: Profile, today: date) -> bool:
    """Whether asking `field` can change the plan now."""
    rules = {
        "school_year": p.stage == "student",
        "graduation_year": p.stage == "graduate",
        # A Pathway is applied for in the Match season; the certified need none.
        "pathway": not p.ecfmg_certified and _in_season(p, today),
        "ecfmg_registered": not (p.ecfmg_certified or "passed" in (p.step1, p.step2ck)),
        # Nobody submits ERAS before passing a Step, so do not ask beginners about it.
        "eras_submitted": _in_season(p, today) and "passed" in (p.step1, p.step2ck),
        "nrmp_registered": _in_season(p, today) and bool(p.eras_submitted),
        "rol_certified": bool(p.nrmp_registered),
        "match_result": bool(p.nrmp_registered) and _after_match_week(p, today),
        "step3": bool(p.needs_visa),
        "ecfmg_certified": p.stage == "graduate" and p.step1 == "passed" and p.step2ck == "passed",
    }
    return rules.get(field, True)


def relevant_fields(profile: Profile, today: date) -> tuple[str, ...]:
    """The fields worth asking this person about today, in question order."""
    return tuple(q.field for q in QUESTIONS if _relevant(q.field, profile, today))


def _with_options(question: Question, today: date) -> Question:
    """Year buttons depend on today, so they are filled in when the question is asked."""
    if question.field == "graduation_year":
        years = range(today.year, today.year - GRADUATION_YEAR_BUTTONS, -1)
    elif question.field == "target_match_year":
        first = _first_open_match(today)
        years = range(first, first + TARGET_YEAR_BUTTONS)
    else:
        return question
    return replace(question, options=tuple((str(y), str(y)) for y in years))


def question_for(field: str, today: date) -> Question:
    """The question for one field, with its options for `today`."""
    return _with_options(BY_FIELD[field], today)


def next_question(profile: Profile, skipped: Collection[str], today: date) -> Question | None:
    """The first relevant, unanswered, unskipped question; None when there is nothing to ask."""
    for field in relevant_fields(profile, today):
        if getattr(profile, field) is None and field not in skipped:
            return question_for(field, today)
    return None
