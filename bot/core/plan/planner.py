"""What should this person do next: a pure function of (profile, today, calendar, road).

The rules module (bot/core/plan/rules.py) decides which steps apply to a person and words them;
this module decides the order and the timing, from the road in knowledge/path.yaml:

- every step has a latest start: its due date (the first of its events still ahead) minus its
  lead time, passed back along `requires` so a prerequisite starts early enough for what waits
  on it (registration before the exams, OET before the Pathway);
- hard requirements, and advice that a hard step waits on, come before advice; an undated step
  therefore never outranks a dated hard deadline;
- a target Match that can no longer be reached is said so, with what would have had to happen,
  and the plan is built for the next reachable Match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core import texts
from bot.core.models import Action, Deadline, Plan, Profile
from bot.core.plan import rules
from bot.core.plan.cycle import cycle_events, fmt
from bot.core.plan.path import Road, Step, load_road
from bot.core.plan.rules import Ctx, Item

# How many later Matches we try when the target is out of reach (a student can be years away).
MAX_CYCLES_AHEAD = 8


@dataclass(frozen=True)
class Planned:
    """The plan, and the Match it is for (`missed`: a target that can no longer be reached)."""

    plan: Plan
    cycle: int
    missed: int | None = None


def advise(
    profile: Profile, today: date, deadlines: Sequence[Deadline], road: Road | None = None
) -> Plan:
    """The ordered plan (most urgent first) and the warnings for one person on one day."""
    return make_plan(profile, today, deadlines, road).plan


def plan_basis(
    profile: Profile, today: date, deadlines: Sequence[Deadline], road: Road | None = None
) -> tuple[int, Profile]:
    """The Match the plan is for (the target, or the next one that can still be reached) and
    the profile as the plan reads it: for a later Match than the one the person applied to
    (after an unmatched cycle's SOAP, or a target out of reach) their application answers start
    over, so reminders reach them like a first applicant."""
    ctx = _choose_cycle(profile, today, deadlines, road or load_road())[0]
    if rules.fresh_start(ctx):
        ctx = rules.fresh_cycle(ctx, deadlines)
    return ctx.cycle.year, ctx.profile


def make_plan(
    profile: Profile,
    today: date,
    deadlines: Sequence[Deadline],
    road: Road | None = None,
    *,
    keep_target: bool = False,
) -> Planned:
    """The plan with the Match it is for. `keep_target`: the person chose to see the plan for
    their target even though it can no longer be reached (the dialog offers the choice)."""
    road = road or load_road()
    ctx, notes, missed = _choose_cycle(profile, today, deadlines, road, keep_target)
    warnings = [*notes, *rules.warnings(ctx)]
    ctx, items = rules.items(ctx, deadlines)
    # path.yaml has the last word on what is done, so a curator's `done_when` takes effect.
    items = [i for i in items if not road[i.key].done(ctx.profile)]
    actions = tuple(_ordered(items, ctx, road))
    return Planned(Plan(actions=actions, warnings=tuple(warnings)), ctx.cycle.year, missed)


# -- which Match ------------------------------------------------------------------------------


def _choose_cycle(
    profile: Profile, today: date, deadlines: Sequence[Deadline], road: Road, keep: bool = False
) -> tuple[Ctx, list[str], int | None]:
    """The first Match from the person's target on that can still be reached; the notes say
    why an earlier one cannot, and `missed` is the target that was given up, if any.

    Someone already in the season (ERAS submitted, or a Match result) keeps that Match: they
    are told when it is out of reach, but the plan still speaks about it."""
    year = rules.first_cycle(profile, today, deadlines)
    ctx = Ctx(profile, today, cycle_events(deadlines, year))
    reason = _unreachable(ctx, road)
    if reason is None:
        return ctx, [], None
    # In the season, before the rank-list deadline, the person may still know better (an
    # exam already sat, a Pathway already in): warn, but keep planning their Match.
    rol = ctx.cycle.day_or_rule("rol-deadline")
    in_season = profile.eras_submitted or profile.match_result is not None
    if in_season and rol is not None and today <= rol:
        return ctx, [texts.PLAN_REASON_AIM_FOR_NEXT.format(reason=reason, year=year + 1)], None
    if keep and profile.target_match_year == year:
        return ctx, [texts.PLAN_REASON_KEPT_TARGET.format(reason=reason)], None
    fresh = rules.fresh_profile(profile)  # this season's applications do not carry over
    nxt = ctx
    for later in range(year + 1, year + 1 + MAX_CYCLES_AHEAD):
        nxt = Ctx(fresh, today, cycle_events(deadlines, later))
        if _unreachable(nxt, road) is None:
            break
    if profile.target_match_year is None:
        return nxt, [], None  # nobody asked for the earlier Match: nothing to regret
    note = texts.PLAN_REASON_PLAN_IS_FOR.format(reason=reason, year=nxt.cycle.year)
    return nxt, [note], year


def _unreachable(ctx: Ctx, road: Road) -> str | None:
    """Why this Match can no longer be reached, or None when it still can."""
    p, c, today = ctx.profile, ctx.cycle, ctx.today
    if p.match_result is not None:
        return None  # the rules handle Match Week, SOAP and after
    if today > c.match_day and not p.nrmp_registered:
        return texts.PLAN_MATCH_OVER.format(year=c.year)
    # The lead-time reason says what would have had to happen, so it goes first.
    return _too_late(ctx, road) or rules.reach_problem(ctx)


def _too_late(ctx: Ctx, road: Road) -> str | None:
    """The exams and OET must be confirmed by the rank-list deadline. One person studies for one
    Step at a time, so the leads of the missing Steps add up (after registration)."""
    p, c, today = ctx.profile, ctx.cycle, ctx.today
    limit = c.day_or_rule("rol-deadline")
    if limit is None or p.ecfmg_certified:
        return None
    # Only what the person told us counts: an unanswered exam is not assumed unstarted.
    missing = [road[s] for s in ("step1", "step2ck") if getattr(p, s) not in (None, "passed")]
    finish = today
    if missing and not road["registration"].done(p):
        finish += road["registration"].lead_for(p)
    for step in missing:
        finish += step.lead_for(p)
    english = road["english"]
    oet_finish = today + english.lead_for(p) if p.english == "not-started" else today
    late = [s for s in missing if finish > limit]
    if oet_finish > limit:
        late.append(english)
    if not late:
        return None
    needed = (finish if missing and finish > limit else oet_finish) - today
    return texts.PLAN_TOO_LATE.format(
        year=c.year,
        names=texts.PLAN_AND.join(rules.short_name(s.id) for s in late),
        rol_deadline=c.when("rol-deadline"),
        takes=_lead_text(needed),
        start_by=fmt(limit - needed),
    )


# -- order and timing -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Timed:
    item: Item
    step: Step
    due_event: str | None  # the event suffix the due date comes from
    due: date | None  # from the calendar only
    bound: date | None  # due, or the rule's date when the calendar has none
    lead: timedelta


def _time(item: Item, ctx: Ctx, road: Road) -> _Timed:
    step = road[item.key]
    present = [e for e in step.events if ctx.cycle.day_or_rule(e) is not None]
    ahead = [e for e in present if (ctx.cycle.day_or_rule(e) or date.min) >= ctx.today]
    event = ahead[0] if ahead else (present[-1] if present else None)
    if event is not None and not step.hard and not ahead:
        event = None  # advice whose date has passed is no longer timed: "overdue" helps nobody
    due = ctx.cycle.day(event) if event else None
    bound = ctx.cycle.day_or_rule(event) if event else None
    return _Timed(item, step, event, due, bound, step.lead_for(ctx.profile))


def _latest_starts(
    timed: list[_Timed], road: Road, extra: dict[str, tuple[str, ...]]
) -> dict[str, date | None]:
    """Due minus lead, then passed back along `requires` (and the person's `extra` ones): a
    step must be finished when the steps that wait on it have to start. Steps not in the plan
    pass the limit on unchanged."""
    present = {t.item.key: t for t in timed}
    dependents: dict[str, list[str]] = {s.id: [] for s in road.steps}
    for s in road.steps:
        for req in (*s.requires, *extra.get(s.id, ())):
            dependents[req].append(s.id)
    memo: dict[str, date | None] = {}

    def latest(step_id: str) -> date | None:
        if step_id in memo:
            return memo[step_id]
        memo[step_id] = None  # path.yaml is checked for cycles; this only guards recursion
        t = present.get(step_id)
        lead = t.lead if t else timedelta()
        own = t.bound - lead if t and t.bound else None
        limits = [d - lead for d in (latest(n) for n in dependents[step_id]) if d is not None]
        candidates = [d for d in (own, *limits) if d is not None]
        memo[step_id] = min(candidates) if candidates else None
        return memo[step_id]

    return {key: latest(key) for key in present}


def _blockers(timed: list[_Timed], road: Road) -> set[str]:
    """Steps in the plan that a hard step in the plan waits on, directly or through others."""
    hard = {t.item.key for t in timed if t.step.hard}
    out: set[str] = set()
    for t in timed:
        seen: set[str] = set()
        todo = [t.item.key]
        while todo:
            node = todo.pop()
            for s in road.steps:
                if node in s.requires and s.id not in seen:
                    seen.add(s.id)
                    todo.append(s.id)
        if seen & hard:
            out.add(t.item.key)
    return out


def _ordered(items: list[Item], ctx: Ctx, road: Road) -> list[Action]:
    timed = [_time(i, ctx, road) for i in items]
    starts = _latest_starts(timed, road, rules.study_order(ctx.profile))
    blockers = _blockers(timed, road)

    def key(t: _Timed) -> tuple[int, date, int]:
        urgent = t.step.hard or t.item.key in blockers
        return (0 if urgent else 1, starts[t.item.key] or date.max, road.order(t.item.key))

    ordered = sorted(timed, key=key)
    return [_action(t, starts[t.item.key], ctx, t.item.key in blockers) for t in ordered]


def _action(t: _Timed, start: date | None, ctx: Ctx, blocker: bool) -> Action:
    why = f"{_why_now(t, start, ctx, blocker)} {t.item.why}".strip()
    return Action(topic=t.item.topic or t.step.topic, title=t.item.title, why=why, due=t.due)


def _why_now(t: _Timed, start: date | None, ctx: Ctx, blocker: bool) -> str:
    """The timing sentence that leads each reason: how long is left and when to start."""
    today = ctx.today
    if t.due is None or t.due_event is None:
        if not blocker or start is None:
            return ""
        if start <= today:
            return texts.PLAN_START_NOW_OTHERS_WAIT
        return texts.PLAN_START_BY_OTHERS_WAIT.format(start=fmt(start))
    # Deadlines have a time of day that matters (rank lists close at 9 p.m. US Eastern);
    # openings such as ERAS submission are read as a day.
    deadline = t.due_event.endswith("deadline")
    when = ctx.cycle.when_exact(t.due_event) if deadline else ctx.cycle.when(t.due_event)
    verb = _cap(t.step.verb)
    days = (t.due - today).days
    if days < 0:
        ago = texts.PLAN_ONE_DAY if days == -1 else texts.PLAN_DAYS.format(days=-days)
        return texts.PLAN_OVERDUE.format(verb=verb, when=when, ago=ago)
    if days > 1:
        left = texts.PLAN_DAYS_LEFT.format(days=days)
    else:
        left = texts.PLAN_ONE_DAY_LEFT if days == 1 else texts.PLAN_LAST_DAY
    text = texts.PLAN_DUE.format(verb=verb, when=when, left=left)
    if t.lead.days and start is not None:
        takes = _lead_text(t.lead)
        if start <= today:
            text += " " + texts.PLAN_TAKES_START_NOW.format(takes=takes)
        else:
            text += " " + texts.PLAN_TAKES_START_BY.format(takes=takes, start=fmt(start))
    return text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lead_text(lead: timedelta) -> str:
    days = lead.days
    if days >= 60:
        return texts.PLAN_MONTHS.format(months=round(days / 30))
    if days >= 14:
        return texts.PLAN_WEEKS.format(weeks=round(days / 7))
    return texts.PLAN_ONE_DAY if days == 1 else texts.PLAN_DAYS.format(days=days)
