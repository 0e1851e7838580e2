"""The decision pass: its thresholds swept on one group of sets and shown on the other.

    .venv/bin/python benchmarks/bench_decision.py

Every question of the sets is analysed once (words, meaning, entries: the model runs here only);
each setting then replays the decision (`QuestionMatcher.decide`) on those analyses. Groups:
A = dev, dev-forum, holdout, holdout-3, holdout-5 (short, forum-style, medium and long posts)
and B = holdout-forum, holdout-2, holdout-4 (the same kinds; holdout-4 only long posts). A
setting is chosen on one group and read on the other: one that only fits its own group shows
it there. Columns as in bench_matching.py; "fact direct" is the specific-fact questions
(`fact: true`) answered directly on their topic, "fact with entry" those answered with an
entry's short answer (issue 10: the fact in the first lines).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.questions.answers import build_matcher  # noqa: E402
from bot.core.questions.decision import HYBRID, Analysis, Thresholds  # noqa: E402
from bot.core.questions.hybrid import QuestionMatcher  # noqa: E402

DATA = ROOT / "tests" / "data"
GROUP_A = ("dev", "dev-forum", "holdout", "holdout-3", "holdout-5")
GROUP_B = ("holdout-forum", "holdout-2", "holdout-4")
INF = float("inf")
# The decision before this pass: none of its bars.
BEFORE = replace(
    HYBRID,
    long_answer_min=INF,
    post_lead=HYBRID.long_lead,
    facet_entry_min=INF,
    long_pick_min=INF,
    facet_lift_min=INF,
)
# Each pass step: the field(s) swept, with the values tried (the rest as in HYBRID).
GRIDS: dict[str, list[dict[str, float]]] = {
    "long_answer_min": [{"long_answer_min": v} for v in (INF, 40, 35, 30)],
    "post_lead": [{"post_lead": v} for v in (0.7, HYBRID.long_lead, 0.5, 0.4)],
    "long_pick_min (margin 0)": [
        {"long_pick_min": v, "long_pick_margin": 0.0} for v in (INF, 60, 55, 50)
    ],
    "facet_entry_min (margin 0)": [
        {"facet_entry_min": v, "facet_entry_margin": 0.0} for v in (INF, 60, 55, 50)
    ],
    "facet_lift_min": [{"facet_lift_min": v} for v in (INF, 78, 74, 70, 66)],
}


@dataclass(frozen=True)
class Row:
    in_scope: int
    top1: float
    direct: float
    wrong: int
    refused: float
    rejected: float
    facts: int
    fact_direct: float
    fact_entry: float


def score(
    matcher: QuestionMatcher, rows: list[tuple[dict[str, object], Analysis]], limits: Thresholds
) -> Row:
    """One set's numbers under the given thresholds."""
    n = top1 = direct = wrong = refused = oos = rejected = facts = f_direct = f_entry = 0
    for item, analysis in rows:
        result = matcher.decide(analysis, limits)
        first = result.matches[0].topic if result.matches else None
        if item["topic"] == "none":
            oos += 1
            rejected += result.kind in ("none", "smalltalk")
            continue
        n += 1
        right = first == item["topic"]
        top1 += result.kind in ("answer", "suggest") and right
        direct += result.kind == "answer" and right
        wrong += result.kind == "answer" and not right
        refused += result.kind == "none"
        if item.get("fact"):
            facts += 1
            f_direct += result.kind == "answer" and right
            f_entry += result.kind == "answer" and right and result.entry is not None
    return Row(
        n,
        top1 / n,
        direct / n,
        wrong,
        refused / n,
        rejected / oos if oos else 1.0,
        facts,
        f_direct / facts if facts else 0.0,
        f_entry / facts if facts else 0.0,
    )


def table(
    matcher: QuestionMatcher,
    analysed: dict[str, list[tuple[dict[str, object], Analysis]]],
    settings: Sequence[tuple[str, Thresholds]],
) -> None:
    print(
        "| decision | set | top-1 | direct and right | confidently wrong | refused "
        "| out of scope rejected | fact questions | fact direct | fact with entry |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, limits in settings:
        for set_name, rows in analysed.items():
            r = score(matcher, rows, limits)
            facts = (
                f"{r.facts} | {r.fact_direct:.1%} | {r.fact_entry:.1%}" if r.facts else "0 | - | -"
            )
            print(
                f"| {name} | {set_name} | {r.top1:.1%} | {r.direct:.1%} "
                f"| {r.wrong / r.in_scope:.1%} ({r.wrong}) | {r.refused:.1%} | {r.rejected:.1%} "
                f"| {facts} |"
            )


def sweeps(
    matcher: QuestionMatcher, analysed: dict[str, list[tuple[dict[str, object], Analysis]]]
) -> None:
    """Each step of the pass alone, every value on both groups (direct and right / confidently
    wrong count / fact questions with an entry), the rest of the decision as in use."""
    for grid_name, values in GRIDS.items():
        print(f"\n{grid_name}:\n")
        print(f"| value | {' | '.join(analysed)} |")
        print(f"|---|{'---|' * len(analysed)}")
        for change in values:
            limits = replace(HYBRID, **change)  # type: ignore[arg-type]
            cells = []
            for rows in analysed.values():
                r = score(matcher, rows, limits)
                fact = f" / {r.fact_entry:.0%}" if r.facts else ""
                cells.append(f"{r.direct:.1%} / {r.wrong}{fact}")
            print(f"| {', '.join(f'{k}={v}' for k, v in change.items())} | {' | '.join(cells)} |")


def main() -> None:
    kb = load_knowledge()
    matcher = build_matcher(kb, "hybrid")
    if not isinstance(matcher, QuestionMatcher) or matcher.semantic is None:
        sys.exit("the decision pass needs the sentence model (requirements-model.txt)")
    analysed: dict[str, list[tuple[dict[str, object], Analysis]]] = {}
    for name in (*GROUP_A, *GROUP_B):
        items = yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))["questions"]
        analyses = matcher.analyse_many([str(item["q"]) for item in items])
        analysed[name] = list(zip(items, analyses, strict=True))
    print(f"# {len(kb.topics)} topics, {len(kb.entries)} entries; group A {', '.join(GROUP_A)}")
    print(f"# group B {', '.join(GROUP_B)}\n")
    table(matcher, analysed, [("before", BEFORE), ("after", HYBRID)])
    sweeps(matcher, analysed)


if __name__ == "__main__":
    main()
