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

from bot.core.models import Profile

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


YES_NO: tuple[tuple[str, str], ...] = (("Yes", "yes"), ("No", "no"))
STEP_OPTIONS: tuple[tuple[str, str], ...] = (
    ("Not started", "not-started"),
    ("Preparing", "preparing"),
    ("Exam booked", "scheduled"),
    ("Passed", "passed"),
    ("Failed", "failed"),
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        "stage",
        "Are you still in medical school, or have you graduated?",
        (("Student", "student"), ("Graduate", "graduate")),
    ),
    Question(
        "school_year",
        "Which year of medical school are you in?",
        tuple((f"Year {y}", str(y)) for y in SCHOOL_YEARS),
        typed=True,
    ),
    Question("graduation_year", "Which year did you graduate?", typed=True),
    Question("step1", "Where are you with USMLE Step 1?", STEP_OPTIONS),
    Question("step2ck", "Where are you with USMLE Step 2 CK?", STEP_OPTIONS),
    Question(
        "english",
        "Have you passed OET Medicine (the English test ECFMG requires)?",
        (("Not yet", "not-started"), ("Passed", "passed")),
    ),
    Question("ecfmg_registered", "Do you have an ECFMG/USMLE ID (MyIntealth account)?", YES_NO),
    Question(
        "usce_months",
        "How many months of US clinical experience do you have?",
        (("None", "0"), ("1", "1"), ("2", "2"), ("3", "3"), ("4-5", "4"), ("6+", "6")),
        typed=True,
    ),
    Question(
        "us_lors",
        "How many letters of recommendation from US doctors do you have?",
        (("None", "0"), ("1", "1"), ("2", "2"), ("3+", "3")),
        typed=True,
    ),
    Question(
        "target_match_year",
        "Which Match do you aim for? (The 2028 Match means applying in 2027 and starting "
        "residency in July 2028.)",
        typed=True,
    ),
    Question("needs_visa", "Will you need a US visa for residency?", YES_NO),
    Question("eras_submitted", "Have you submitted your ERAS application?", YES_NO),
    Question("nrmp_registered", "Have you registered for the NRMP Match?", YES_NO),
    Question("rol_certified", "Have you certified your rank order list?", YES_NO),
    Question(
        "match_result",
        "Did you match?",
        (("Waiting", "pending"), ("Matched", "matched"), ("Did not match", "unmatched")),
    ),
    Question("step3", "Where are you with USMLE Step 3?", STEP_OPTIONS),
    Question("ecfmg_certified", "Are you ECFMG certified?", YES_NO),
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
