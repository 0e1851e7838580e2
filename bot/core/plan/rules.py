"""Which steps of the path apply to a person today, and how each is worded.

The rules encode the real order of the path (facts.md): a USMLE ID before the exams; Step 1 and
Step 2 CK in any order; OET and a clinical-skills Pathway for ECFMG; ECFMG requirements confirmed
by the NRMP rank-list deadline and the full certificate by the 1 July start; US experience and US
letters before ERAS; NRMP registration, rank list, Match Week and SOAP; Step 3 before the rank
list only for an H-1B. Order and timing are not decided here: the planner (planner.py) takes
them from knowledge/path.yaml. Dates in reasons are copied from the deadline calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.core import texts
from bot.core.models import APPLICATION_FIELDS, PATHWAY_IN, Deadline, Profile
from bot.core.plan.cycle import Cycle, cycle_events
from bot.core.plan.path import Road, load_road

# Common advice, not rules (no official source): programs like to see 2-3 months of US clinical
# experience and 2-3 US letters; below the lower end we suggest getting more.
MIN_USCE_MONTHS = 2
MIN_US_LORS = 2
# Graduation-year cutoffs are often 3-5 years (facts.md section 15); past 5 we warn.
GRADUATION_CUTOFF_YEARS = 5
# A medical course is typically 6 years (MBBS 5.5 + internship, European and Latin American
# 6-year MD); only used to guess a student's graduation year when they did not give it.
NOMINAL_COURSE_YEARS = 6
MAX_ATTEMPTS = 4
STEP_NAMES = {"step1": texts.PLAN_STEP1, "step2ck": texts.PLAN_STEP2CK, "step3": texts.PLAN_STEP3}
SHORT_NAMES = {
    **STEP_NAMES,
    "english": texts.PLAN_OET,
    "registration": texts.PLAN_ECFMG_REGISTRATION,
}


def short_name(step_id: str) -> str:
    return SHORT_NAMES.get(step_id, step_id)


# -- the person ---------------------------------------------------------------------------------


def expected_graduation(profile: Profile, today: date) -> int | None:
    """The year a student should graduate: given, or guessed from the year of study."""
    if profile.stage != "student":
        return None
    if profile.graduation_year is not None:
        return profile.graduation_year
    if profile.school_year is None:
        return None
    years_left = max(0, NOMINAL_COURSE_YEARS - profile.school_year)
    return today.year + years_left + (1 if today.month >= 7 else 0)


def _passed(status: str | None) -> bool:
    return status == "passed"


def has_usmle_id(profile: Profile) -> bool:
    """A booked, passed or failed exam means a USMLE ID exists, whatever else was answered; so
    does a submitted ERAS application (IMGs get their ERAS token through ECFMG)."""
    exams = (profile.step1, profile.step2ck, profile.step3)
    known = (profile.ecfmg_registered, profile.ecfmg_certified, profile.eras_submitted)
    return any(known) or any(s in ("scheduled", "passed", "failed") for s in exams)


def requirements_met(profile: Profile) -> bool:
    """ECFMG's exam and English parts are done (the Pathway itself is not a profile field)."""
    return bool(profile.ecfmg_certified) or (
        _passed(profile.step1) and _passed(profile.step2ck) and _passed(profile.english)
    )


def first_cycle(profile: Profile, today: date, deadlines: Sequence[Deadline]) -> int:
    """The person's target Match year, or the earliest one they can still apply to on time.

    The planner then moves on from it while it cannot be reached (planner._choose_cycle)."""
    if profile.target_match_year is not None:
        return profile.target_match_year

    def cycle(year: int) -> Cycle:
        return cycle_events(deadlines, year)

    if profile.match_result == "matched":
        return today.year if today >= cycle(today.year).match_week else today.year - 1
    year = today.year if today <= cycle(today.year).match_day else today.year + 1
    if profile.match_result == "unmatched":
        last = year if today >= cycle(year).match_week else year - 1
        if today <= cycle(last).soap_end:
            return last
    elif profile.eras_submitted:
        return year
    graduation = expected_graduation(profile, today)
    year = max(year, graduation or year)
    while today > cycle(year).eras_submit:
        year += 1
    return year


def study_order(profile: Profile) -> dict[str, tuple[str, ...]]:
    """One person studies for one Step at a time: the Step they are further along with comes
    first (Step 1 on a tie, the usual order), so the other one waits on it."""
    rank = {None: 0, "not-started": 0, "preparing": 1, "failed": 1, "scheduled": 2}
    s1, s2 = profile.step1, profile.step2ck
    if "passed" in (s1, s2):
        return {}
    if rank.get(s2, 0) > rank.get(s1, 0):
        return {"step1": ("step2ck",)}
    return {"step2ck": ("step1",)}


# -- building the plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A step that applies to this person, worded for them. `key` is its step id in
    knowledge/path.yaml (which gives its timing); `topic` overrides the step's topic."""

    key: str
    title: str
    why: str
    topic: str | None = None


@dataclass(frozen=True)
class Ctx:
    profile: Profile
    today: date
    cycle: Cycle

    @property
    def certified(self) -> bool:
        return bool(self.profile.ecfmg_certified)

    def passed(self, suffix: str) -> bool:
        """Whether the calendar's event is behind us (an unknown event is not)."""
        day = self.cycle.day(suffix)
        return day is not None and day < self.today


def _item(key: str, topic: str, title: str, why: str) -> Item:
    return Item(key, title, why, topic)


def fresh_start(ctx: Ctx) -> bool:
    """Unmatched and SOAP is over: the plan is for the next Match."""
    return ctx.profile.match_result == "unmatched" and ctx.today > ctx.cycle.soap_end


def items(ctx: Ctx, deadlines: Sequence[Deadline]) -> tuple[Ctx, list[Item]]:
    """The steps that apply, and the cycle they are planned in (the next one after SOAP)."""
    if ctx.profile.match_result == "matched":
        return ctx, _matched_items(ctx)
    if fresh_start(ctx):
        nxt = fresh_cycle(ctx, deadlines)
        return nxt, [_next_cycle_item(nxt), *_pre_match_items(nxt)]
    if ctx.profile.match_result == "unmatched":
        return ctx, [_soap_item(ctx), *_start_items(ctx)]
    return ctx, _pre_match_items(ctx)


def fresh_cycle(ctx: Ctx, deadlines: Sequence[Deadline]) -> Ctx:
    """After an unmatched cycle the application steps start over in the next Match; exam
    results carry on."""
    return Ctx(fresh_profile(ctx.profile), ctx.today, cycle_events(deadlines, ctx.cycle.year + 1))


def fresh_profile(profile: Profile) -> Profile:
    """The profile for a later Match: applications start over, exam results carry on."""
    return replace(profile, **dict.fromkeys(APPLICATION_FIELDS))


def _pre_match_items(ctx: Ctx) -> list[Item]:
    return [
        *_start_of_path_items(ctx),
        *_exam_items(ctx),
        *_certification_items(ctx),
        *_application_items(ctx),
        *_match_items(ctx),
        *_start_items(ctx),
    ]


def _start_of_path_items(ctx: Ctx) -> list[Item]:
    p = ctx.profile
    items: list[Item] = []
    if _graduated_long_ago(ctx):
        items.append(
            _item(
                "graduation-year",
                "graduation-year",
                texts.PLAN_FIND_PROGRAMS_FOR_YOUR_YEAR,
                texts.PLAN_FIND_PROGRAMS_FOR_YOUR_YEAR_WHY.format(year=p.graduation_year),
            )
        )
    nothing_started = not p.ecfmg_registered and not any(
        s in ("preparing", "scheduled", "passed", "failed") for s in (p.step1, p.step2ck)
    )
    # Someone who set a target year has decided to go: feasibility is behind them.
    if nothing_started and not ctx.certified and p.target_match_year is None:
        items.append(
            _item(
                "feasibility",
                "mentors-and-feasibility",
                texts.PLAN_CHECK_FEASIBILITY,
                texts.PLAN_CHECK_FEASIBILITY_WHY,
            )
        )
    return items


def _exam_items(ctx: Ctx) -> list[Item]:
    p = ctx.profile
    if ctx.certified:
        return []
    items: list[Item] = []
    if not has_usmle_id(p):
        items.append(
            _item(
                "registration",
                "ecfmg-registration",
                texts.PLAN_REGISTER_WITH_ECFMG,
                texts.PLAN_REGISTER_WITH_ECFMG_WHY,
            )
        )
    if any(getattr(p, s) == "failed" for s in STEP_NAMES):
        items.append(
            _item(
                "attempts",
                "attempt-limits-and-failures",
                texts.PLAN_RETAKE_WITHIN_LIMITS,
                texts.PLAN_RETAKE_WITHIN_LIMITS_WHY.format(attempts=MAX_ATTEMPTS),
            )
        )
    for step in ("step1", "step2ck"):
        if not _passed(getattr(p, step)):
            items.append(_exam_item(ctx, step))
    return items


def _exam_item(ctx: Ctx, step: str) -> Item:
    name = STEP_NAMES[step]
    status = getattr(ctx.profile, step)
    titles = {
        "failed": texts.PLAN_RETAKE_USMLE,
        "scheduled": texts.PLAN_SIT_USMLE,
        "preparing": texts.PLAN_FINISH_AND_BOOK_USMLE,
    }
    title = titles.get(status or "", texts.PLAN_PREPARE_FOR_USMLE).format(step=name)
    first = step == "step1"
    why = texts.PLAN_USMLE_WHY.format(
        score=texts.PLAN_STEP1_IS_PASS_FAIL if first else texts.PLAN_STEP2CK_SCORE_WEIGHS,
        other=STEP_NAMES["step2ck" if first else "step1"],
        eras_submit=ctx.cycle.when("eras-submit"),
        rol_deadline=ctx.cycle.when("rol-deadline"),
    )
    return _item(step, f"usmle-{step}", title, why)


def _certification_items(ctx: Ctx) -> list[Item]:
    p = ctx.profile
    if ctx.certified:
        return []
    student = p.stage == "student"
    items: list[Item] = []
    if not _passed(p.english):
        items.append(
            _item(
                "english",
                "english-proficiency",
                texts.PLAN_PASS_OET,
                texts.PLAN_PASS_OET_WHY,
            )
        )
    pathway_title = texts.PLAN_CHOOSE_PATHWAY if student else texts.PLAN_APPLY_FOR_PATHWAY
    # Once the Pathways deadline is behind us, applying is no longer an action: what is left is
    # ECFMG confirming the Pathway by the rank-list deadline (the requirements action says so).
    if not ctx.passed("pathways-deadline"):
        items.append(
            _item(
                "pathway",
                "clinical-skills-requirement",
                pathway_title,
                texts.PLAN_PATHWAY_WHY.format(
                    year=ctx.cycle.year, pathways_deadline=ctx.cycle.when("pathways-deadline")
                ),
            )
        )
    items.append(
        _item(
            "requirements",
            "ecfmg-certification",
            texts.PLAN_CONFIRM_REQUIREMENTS,
            texts.PLAN_CONFIRM_REQUIREMENTS_WHY.format(rol_deadline=ctx.cycle.when("rol-deadline")),
        )
    )
    return items


def _application_items(ctx: Ctx) -> list[Item]:
    p = ctx.profile
    items: list[Item] = []
    if not p.eras_submitted:
        items += _before_eras_items(ctx)
    if not p.nrmp_registered:
        items.append(
            _item(
                "nrmp",
                "nrmp-match",
                texts.PLAN_REGISTER_FOR_NRMP,
                texts.PLAN_REGISTER_FOR_NRMP_WHY.format(
                    opens=ctx.cycle.when("nrmp-registration-opens"),
                    late_fee=ctx.cycle.when("nrmp-late-fee"),
                ),
            )
        )
    items.append(
        _item(
            "interviews",
            "interviews",
            texts.PLAN_PREPARE_FOR_INTERVIEWS,
            texts.PLAN_PREPARE_FOR_INTERVIEWS_WHY,
        )
    )
    return items


def _before_eras_items(ctx: Ctx) -> list[Item]:
    """US experience, letters and the program list feed the ERAS application (advice: once
    submission has opened the planner drops their date, "overdue" would help nobody)."""
    p = ctx.profile
    items: list[Item] = []
    if (p.usce_months or 0) < MIN_USCE_MONTHS:
        items.append(
            _item(
                "usce",
                "usce",
                texts.PLAN_GET_USCE,
                texts.PLAN_GET_USCE_WHY,
            )
        )
    if (p.us_lors or 0) < MIN_US_LORS:
        items.append(
            _item(
                "lors",
                "letters-of-recommendation",
                texts.PLAN_COLLECT_US_LETTERS,
                texts.PLAN_COLLECT_US_LETTERS_WHY,
            )
        )
    if p.needs_visa:
        items.append(
            _item(
                "visa-programs",
                "program-list",
                texts.PLAN_APPLY_TO_VISA_SPONSORS,
                texts.PLAN_APPLY_TO_VISA_SPONSORS_WHY,
            )
        )
    items.append(
        _item(
            "eras",
            "eras-application",
            texts.PLAN_SUBMIT_ERAS,
            texts.PLAN_SUBMIT_ERAS_WHY.format(
                opens=ctx.cycle.when("eras-opens"),
                submit=ctx.cycle.when("eras-submit"),
                review=ctx.cycle.when("eras-review"),
            ),
        )
    )
    return items


def _match_items(ctx: Ctx) -> list[Item]:
    p = ctx.profile
    items: list[Item] = []
    if p.needs_visa and not _passed(p.step3):
        items.append(
            _item(
                "step3-h1b",
                "usmle-step3",
                texts.PLAN_STEP3_FOR_H1B,
                texts.PLAN_STEP3_FOR_H1B_WHY,
            )
        )
    if not p.rol_certified:
        items.append(
            _item(
                "rank-list",
                "nrmp-match",
                texts.PLAN_CERTIFY_RANK_LIST,
                texts.PLAN_CERTIFY_RANK_LIST_WHY.format(opens=ctx.cycle.when("rol-opens")),
            )
        )
    items.append(
        _item(
            "match-week",
            "match-timeline",
            texts.PLAN_MATCH_WEEK,
            texts.PLAN_MATCH_WEEK_WHY.format(match_day=ctx.cycle.when("match-day")),
        )
    )
    return items


def _start_items(ctx: Ctx) -> list[Item]:
    p = ctx.profile
    items: list[Item] = []
    if not ctx.certified:
        why = texts.PLAN_HOLD_CERTIFICATE_WHY.format(program_start=ctx.cycle.when("program-start"))
        if p.needs_visa:  # path.yaml: the visa step requires the certificate
            why = f"{why} {texts.PLAN_CERTIFICATE_BEFORE_VISA}"
        items.append(_item("certificate", "ecfmg-certification", texts.PLAN_HOLD_CERTIFICATE, why))
    if p.needs_visa:
        items.append(
            _item(
                "visa",
                "visa-j1",
                texts.PLAN_GET_VISA,
                texts.PLAN_GET_VISA_WHY,
            )
        )
    if not _passed(p.step3) and not (p.needs_visa and p.match_result in (None, "pending")):
        items.append(
            _item(
                "step3",
                "usmle-step3",
                texts.PLAN_STEP3_IN_RESIDENCY,
                texts.PLAN_STEP3_IN_RESIDENCY_WHY,
            )
        )
    return items


def _matched_items(ctx: Ctx) -> list[Item]:
    p = ctx.profile
    items = _start_items(ctx)
    if p.needs_visa and not _passed(p.step3):
        items = [i for i in items if i.key != "step3"]
        items.append(
            _item(
                "step3-h1b",
                "usmle-step3",
                texts.PLAN_STEP3_FOR_H1B_SOON,
                texts.PLAN_STEP3_FOR_H1B_SOON_WHY,
            )
        )
    if not ctx.passed("program-start"):
        items.append(
            _item(
                "residency",
                "residency-training",
                texts.PLAN_GET_READY_FOR_RESIDENCY,
                texts.PLAN_GET_READY_FOR_RESIDENCY_WHY.format(
                    program_start=ctx.cycle.when("program-start")
                ),
            )
        )
    return items


def _soap_item(ctx: Ctx) -> Item:
    return _item(
        "soap",
        "soap",
        texts.PLAN_TAKE_PART_IN_SOAP,
        texts.PLAN_TAKE_PART_IN_SOAP_WHY,
    )


def _next_cycle_item(ctx: Ctx) -> Item:
    return _item(
        "next-cycle",
        "match-timeline",
        texts.PLAN_NEXT_MATCH.format(year=ctx.cycle.year),
        texts.PLAN_NEXT_MATCH_WHY,
    )


# -- warnings -----------------------------------------------------------------------------------


def _graduated_long_ago(ctx: Ctx) -> bool:
    p = ctx.profile
    return (
        p.stage == "graduate"
        and p.graduation_year is not None
        and ctx.today.year - p.graduation_year > GRADUATION_CUTOFF_YEARS
    )


def warnings(ctx: Ctx) -> list[str]:
    """What the person must know besides the actions (reachability is the planner's)."""
    warnings = _season_warnings(ctx)
    p = ctx.profile
    if _graduated_long_ago(ctx):
        years = ctx.today.year - (p.graduation_year or ctx.today.year)
        warnings.append(texts.PLAN_GRADUATED_LONG_AGO.format(years=years))
    failed = [STEP_NAMES[s] for s in STEP_NAMES if getattr(p, s) == "failed"]
    if failed:
        steps = ", ".join(failed)
        warnings.append(texts.PLAN_FAILED_STEPS.format(steps=steps, attempts=MAX_ATTEMPTS))
    return warnings


def reach_problem(ctx: Ctx) -> str | None:
    """Why this Match is (probably) out of reach by the calendar's own dates, or None."""
    p, c, today = ctx.profile, ctx.cycle, ctx.today
    if p.match_result is not None:
        return None
    student = _student_problem(ctx)
    if student:
        return student
    submit = c.day("eras-submit")
    # Only what the person told us: an unanswered Step does not move anyone's Match.
    steps_missing = [
        STEP_NAMES[s] for s in ("step1", "step2ck") if getattr(p, s) not in (None, "passed")
    ]
    if not p.eras_submitted and submit and today > submit and not ctx.certified and steps_missing:
        one = len(steps_missing) == 1
        template = (
            texts.PLAN_ERAS_OPENED_ONE_STEP_MISSING if one else texts.PLAN_ERAS_OPENED_STEPS_MISSING
        )
        steps = texts.PLAN_AND.join(steps_missing)
        return template.format(year=c.year, eras_submit=c.when("eras-submit"), steps=steps)
    rol = c.day("rol-deadline")
    if rol and today > rol and not requirements_met(p):
        return texts.PLAN_RANK_LIST_DEADLINE_MISSED.format(
            rol_deadline=c.when("rol-deadline"), year=c.year
        )
    return None


def _season_warnings(ctx: Ctx) -> list[str]:
    p, c, today = ctx.profile, ctx.cycle, ctx.today
    if p.match_result in ("matched", "unmatched"):
        return []
    if today > c.match_day and (p.match_result == "pending" or p.nrmp_registered):
        return [texts.PLAN_MATCH_DAY_PASSED.format(year=c.year, match_day=c.when("match-day"))]
    warnings: list[str] = []
    submit = c.day("eras-submit")
    if not p.eras_submitted and submit and today > submit and reach_problem(ctx) is None:
        warnings.append(
            texts.PLAN_ERAS_SUBMISSION_OPENED.format(
                year=c.year, eras_submit=c.when("eras-submit"), next_year=c.year + 1
            )
        )
    pathways = c.day("pathways-deadline")
    missing = not ctx.certified and not _passed(p.english) and p.pathway not in PATHWAY_IN
    if pathways and today > pathways and missing:
        warnings.append(
            texts.PLAN_PATHWAYS_DEADLINE_PASSED.format(
                year=c.year, pathways_deadline=c.when("pathways-deadline")
            )
        )
    return warnings


def _student_problem(ctx: Ctx) -> str | None:
    """A student must have graduated by the 1 July start of their Match's residency."""
    graduation = expected_graduation(ctx.profile, ctx.today)
    year = ctx.cycle.year
    if graduation is None or year >= graduation:
        return None
    given = ctx.profile.graduation_year  # else guessed from the year of study
    when = str(graduation) if given else texts.PLAN_ABOUT_YEAR.format(year=graduation)
    return texts.PLAN_GRADUATES_TOO_LATE.format(graduation=when, year=year)


# -- /progress ----------------------------------------------------------------------------------


def _residency_started(profile: Profile, today: date) -> bool:
    start = profile.target_match_year
    return profile.match_result == "matched" and start is not None and today >= date(start, 7, 1)


# Milestones done on a date, which no profile field holds (path.yaml's done_when cannot say it):
# residency starts on 1 July of the Match year.
DONE_ON_A_DATE: dict[str, Callable[[Profile, date], bool]] = {"residency": _residency_started}


def progress(profile: Profile, today: date, road: Road | None = None) -> list[tuple[str, str, str]]:
    """The steps with a milestone in knowledge/path.yaml, in file order, as (topic id, label,
    done|next|later); next = every milestone it requires is done (or not listed for this
    person, as the planner counts a step outside someone's plan)."""
    road = road or load_road()
    shown = [s for s in road.steps if s.milestone_shown(profile)]
    done = {s.id: s.milestone_done(profile) or _done_on_a_date(s.id, profile, today) for s in shown}
    rows: list[tuple[str, str, str]] = []
    for step in shown:
        assert step.milestone is not None  # milestone_shown says so
        if done[step.id]:
            state = "done"
        elif all(done.get(req, True) for req in step.milestone.requires):
            state = "next"
        else:
            state = "later"
        rows.append((step.topic, step.milestone.label, state))
    return rows


def _done_on_a_date(step_id: str, profile: Profile, today: date) -> bool:
    check = DONE_ON_A_DATE.get(step_id)
    return check is not None and check(profile, today)
