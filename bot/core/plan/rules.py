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

from bot.core.models import Deadline, Profile
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
STEP_NAMES = {"step1": "Step 1", "step2ck": "Step 2 CK", "step3": "Step 3"}
SHORT_NAMES = {**STEP_NAMES, "english": "OET", "registration": "ECFMG registration"}


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
    return replace(
        profile, eras_submitted=None, nrmp_registered=None, rol_certified=None, match_result=None
    )


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
                "Find programs that accept your year of graduation",
                f"You graduated in {p.graduation_year}. Many programs only take graduates of "
                "the last 3-5 years; check each program's policy before you pay to apply.",
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
                "Check the US path is feasible for you",
                "It takes years and costs thousands of dollars: talk to people who did it and "
                "check time, money, family and visa before you pay for anything.",
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
                "Register with ECFMG and get your USMLE ID",
                "You need it before you can apply for Step 1 or Step 2 CK. First check that "
                "your school is listed in WDOMS with an ECFMG Sponsor Note. Students can "
                "register while enrolled.",
            )
        )
    if any(getattr(p, s) == "failed" for s in STEP_NAMES):
        items.append(
            _item(
                "attempts",
                "attempt-limits-and-failures",
                "Plan your retake within the attempt limits",
                f"You have at most {MAX_ATTEMPTS} attempts per Step, and programs see every "
                "attempt. Retake only when your practice scores are safely above the pass mark.",
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
        "failed": f"Retake USMLE {name}",
        "scheduled": f"Sit USMLE {name} (you have a date)",
        "preparing": f"Finish preparing and book USMLE {name}",
    }
    title = titles.get(status or "", f"Prepare for USMLE {name}")
    other = "Step 2 CK" if step == "step1" else "Step 1"
    score = (
        "Step 1 is pass/fail."
        if step == "step1"
        else "Its three-digit score weighs most with programs."
    )
    why = (
        f"{score} You can take it before or after {other}. Pass it before you submit ERAS: "
        f"submission opens {ctx.cycle.when('eras-submit')}. ECFMG must confirm it by the "
        f"rank-list deadline, {ctx.cycle.when('rol-deadline')}."
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
                "Pass OET Medicine",
                "ECFMG requires it of everyone, native speakers too: 350 in Listening, Reading "
                "and Speaking and 300 in Writing in one sitting. Each cycle only accepts recent "
                "results, so time it for your target year.",
            )
        )
    pathway_title = (
        "Choose your clinical-skills Pathway (you apply once eligible)"
        if student
        else "Apply for an ECFMG clinical-skills Pathway"
    )
    pathway_when = ctx.cycle.when("pathways-deadline")
    # Once the Pathways deadline is behind us, applying is no longer an action: what is left is
    # ECFMG confirming the Pathway by the rank-list deadline (the requirements action says so).
    if not ctx.passed("pathways-deadline"):
        items.append(
            _item(
                "pathway",
                "clinical-skills-requirement",
                pathway_title,
                "Step 2 CS is gone; a Pathway plus OET now shows your clinical and "
                f"communication skills. {ctx.cycle.year} Pathways application deadline: "
                f"{pathway_when}.",
            )
        )
    items.append(
        _item(
            "requirements",
            "ecfmg-certification",
            "Have ECFMG confirm your requirements",
            "Step 1, Step 2 CK, OET and a Pathway must be confirmed by the rank-list deadline, "
            f"{ctx.cycle.when('rol-deadline')}, or NRMP withdraws you from the Match. Check your "
            "status in MyIntealth.",
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
                "Register for the NRMP Match",
                f"Registration opens {ctx.cycle.when('nrmp-registration-opens')}. Register by "
                f"{ctx.cycle.when('nrmp-late-fee')} to avoid the late fee; after that you can "
                "still register until the rank-list deadline.",
            )
        )
    items.append(
        _item(
            "interviews",
            "interviews",
            "Prepare for interviews",
            "Interviews run from about October to January, mostly online; answer invitations fast.",
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
                "Get US clinical experience",
                "Common advice, not a rule: aim for 2-3 months of hands-on US experience "
                "before you apply; it is also where your US letters come from.",
            )
        )
    if (p.us_lors or 0) < MIN_US_LORS:
        items.append(
            _item(
                "lors",
                "letters-of-recommendation",
                "Collect US letters of recommendation",
                "Common advice: 2-3 letters from US physicians who supervised you. From the 2027 "
                "ERAS season writers upload them through the AAMC Letter Writer Portal; you "
                "request them in MyERAS.",
            )
        )
    if p.needs_visa:
        items.append(
            _item(
                "visa-programs",
                "program-list",
                "Apply only to programs that sponsor your visa",
                "A program's visa policy (J-1, H-1B or none) is the first filter for your list.",
            )
        )
    items.append(
        _item(
            "eras",
            "eras-application",
            "Prepare and submit your ERAS application",
            f"ERAS opens {ctx.cycle.when('eras-opens')}; you can submit from "
            f"{ctx.cycle.when('eras-submit')} and programs start reviewing "
            f"{ctx.cycle.when('eras-review')}. Submit early. OB/GYN and emergency medicine "
            "use ResidencyCAS instead.",
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
                "Pass Step 3 before the rank-list deadline if you want an H-1B",
                "An H-1B for residency needs Steps 1, 2 CK and 3; Step 3 is taken in the US "
                "after your ECFMG certificate is issued. A J-1 does not need it.",
            )
        )
    if not p.rol_certified:
        items.append(
            _item(
                "rank-list",
                "nrmp-match",
                "Certify your rank order list",
                f"Ranking opens {ctx.cycle.when('rol-opens')}. Rank every program you would "
                "really attend, in your true order; an uncertified list does not enter the "
                "Match.",
            )
        )
    items.append(
        _item(
            "match-week",
            "match-timeline",
            "Match Week: learn whether you matched",
            "On Monday you learn whether you matched; if not, SOAP runs Monday to Thursday. "
            f"Match Day: {ctx.cycle.when('match-day')}.",
        )
    )
    return items


def _start_items(ctx: Ctx) -> list[Item]:
    p = ctx.profile
    items: list[Item] = []
    if not ctx.certified:
        items.append(
            _item(
                "certificate",
                "ecfmg-certification",
                "Hold your ECFMG certificate before residency starts",
                "The full certificate (including your verified diploma) is needed by the "
                f"start of training on {ctx.cycle.when('program-start')}.",
            )
        )
    if p.needs_visa:
        items.append(
            _item(
                "visa",
                "visa-j1",
                "Get your visa: usually a J-1 sponsored by ECFMG",
                "The J-1 needs a Statement of Need from your health ministry and carries a "
                "two-year home-residence rule; an H-1B needs Step 3 and a sponsoring program.",
            )
        )
    if not _passed(p.step3) and not (p.needs_visa and p.match_result in (None, "pending")):
        items.append(
            _item(
                "step3",
                "usmle-step3",
                "Take Step 3 during residency",
                "Most residents take it in their first or second year; you need it for a full "
                "licence (and for an H-1B).",
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
                "If your program sponsors an H-1B, pass Step 3 as soon as you can",
                "The H-1B petition needs Step 3; with a J-1 you can take it during residency.",
            )
        )
    if not ctx.passed("program-start"):
        items.append(
            _item(
                "residency",
                "residency-training",
                "Get ready to start residency",
                f"Programs start on {ctx.cycle.when('program-start')}: finish your "
                "paperwork, licence or permit, and travel early.",
            )
        )
    return items


def _soap_item(ctx: Ctx) -> Item:
    return _item(
        "soap",
        "soap",
        "Take part in SOAP this Match Week",
        "SOAP runs Monday to Thursday of Match Week: apply through ERAS to unfilled programs "
        "only and do not contact programs first. You must be eligible to start on 1 July.",
    )


def _next_cycle_item(ctx: Ctx) -> Item:
    return _item(
        "next-cycle",
        "match-timeline",
        f"Plan the {ctx.cycle.year} Match",
        "Find out what held your application back (scores, US experience, letters, program "
        "list) and strengthen it before the next ERAS season.",
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
        warnings.append(
            f"You graduated {years} years ago: many programs have a year-of-graduation cutoff "
            "(often 3-5 years). Recent US clinical experience helps."
        )
    failed = [STEP_NAMES[s] for s in STEP_NAMES if getattr(p, s) == "failed"]
    if failed:
        warnings.append(
            f"You failed {', '.join(failed)}: each Step allows at most {MAX_ATTEMPTS} attempts "
            "in total (at most 3 in 12 months), a fail stays on your transcript, and four fails "
            "at any Step bar you from all Steps."
        )
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
        return (
            f"The {c.year} Match is probably out of reach: ERAS submission opened on "
            f"{c.when('eras-submit')} and {' and '.join(steps_missing)} "
            f"{'is' if len(steps_missing) == 1 else 'are'} not passed yet."
        )
    rol = c.day("rol-deadline")
    if rol and today > rol and not requirements_met(p):
        return (
            f"The rank-list deadline, {c.when('rol-deadline')}, has passed without your ECFMG "
            f"requirements met, so the {c.year} Match is out of reach."
        )
    return None


def _season_warnings(ctx: Ctx) -> list[str]:
    p, c, today = ctx.profile, ctx.cycle, ctx.today
    if p.match_result in ("matched", "unmatched"):
        return []
    nxt = c.year + 1
    if today > c.match_day and (p.match_result == "pending" or p.nrmp_registered):
        return [
            f"Match Day of the {c.year} Match, {c.when('match-day')}, has passed: tell me "
            "your result with /profile set match_result matched (or unmatched)."
        ]
    warnings: list[str] = []
    submit = c.day("eras-submit")
    if not p.eras_submitted and submit and today > submit and reach_problem(ctx) is None:
        warnings.append(
            f"ERAS submission for the {c.year} Match opened on {c.when('eras-submit')} and "
            f"programs are already reviewing. Submit now, or aim for the {nxt} Match."
        )
    pathways = c.day("pathways-deadline")
    if pathways and today > pathways and not ctx.certified and not _passed(p.english):
        warnings.append(
            f"The {c.year} Pathways deadline, {c.when('pathways-deadline')}, has passed and OET "
            "is not passed: unless your Pathway application is already in, ask ECFMG whether "
            f"the {c.year} Match is still possible."
        )
    return warnings


def _student_problem(ctx: Ctx) -> str | None:
    """A student must have graduated by the 1 July start of their Match's residency."""
    graduation = expected_graduation(ctx.profile, ctx.today)
    year = ctx.cycle.year
    if graduation is None or year >= graduation:
        return None
    guess = "" if ctx.profile.graduation_year else "about "
    return (
        f"You expect to graduate in {guess}{graduation}, but residency from the {year} Match "
        f"starts on 1 July {year}: you must have graduated by then."
    )


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
