"""The planner and the road picture: how long /next and /progress spend in the core.

    .venv/bin/python benchmarks/bench_plan.py [--repeat 50]

For a set of profiles across the path (beginner, missed target, OET missing, in the Match,
matched with a visa), on a fixed day against the real calendar: `make_plan` (the plan with
its ordering and reachability) and `draw_road` (the PNG, 1080 px wide) are each timed
`--repeat` times after one warm-up call; the median and the worst time are printed with the
PNG's size in bytes. The goal for the picture is < 300 ms on the shared 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.models import Profile  # noqa: E402
from bot.core.plan.picture import draw_road  # noqa: E402
from bot.core.plan.planner import make_plan  # noqa: E402
from bot.core.plan.rules import progress  # noqa: E402

TODAY = date(2026, 11, 21)
EXAMS = dict(stage="graduate", graduation_year=2024, step1="passed", step2ck="passed")
PROFILES: dict[str, Profile] = {
    "beginner": Profile(),
    "missed target": Profile(
        stage="graduate", step1="passed", step2ck="not-started", target_match_year=2027
    ),
    "OET missing": Profile(**EXAMS, usce_months=0),
    "in the Match": Profile(
        **EXAMS,
        english="passed",
        target_match_year=2027,
        eras_submitted=True,
        nrmp_registered=True,
    ),
    "matched, visa": Profile(
        **EXAMS,
        english="passed",
        needs_visa=True,
        target_match_year=2027,
        eras_submitted=True,
        nrmp_registered=True,
        rol_certified=True,
        match_result="matched",
    ),
}


def timed(call: object, repeat: int) -> tuple[float, float, object]:
    """(median ms, worst ms, last result) after one warm-up call."""
    result = call()  # type: ignore[operator]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    deadlines = load_knowledge(ROOT / "knowledge").deadlines
    print("| profile | make_plan median / max ms | draw_road median / max ms | PNG bytes |")
    print("|---|---|---|---|")
    for name, profile in PROFILES.items():
        plan_med, plan_max, planned = timed(
            lambda p=profile: make_plan(p, TODAY, deadlines), args.repeat
        )
        rows = progress(profile, TODAY)
        draw_med, draw_max, png = timed(
            lambda p=planned, r=rows: draw_road(r, p.plan.actions, TODAY, p.cycle), args.repeat
        )
        print(
            f"| {name} | {plan_med:.2f} / {plan_max:.2f} | {draw_med:.1f} / {draw_max:.1f} "
            f"| {len(png)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
