"""How the out-of-scope guard's numbers were chosen: a grid, chosen on one group of sets and
shown on the other.

    .venv/bin/python benchmarks/bench_scope.py

The scope guard (bot/core/questions/scope.py) refuses a question whose sentence vector sits
closer to an out-of-scope intent of scope.yaml than to the bot's domain by more than
`Thresholds.scope_margin`; a long post's gap mixes its whole text's and its asking sentences'
(`ASK_SHARE`). The grid: the ask's share, the margin, and a slack by which a long post's gap
would be read less strictly (0 in use). A setting qualifies on a group when, on each of its
sets, in-scope questions refused stay <= 3% and neither top-1 nor direct-and-right drops more
than half a point below the numbers before the pass (`BEFORE`, measured with bench_matching.py:
one-line intents, margin -0.04, share 0.4); among those, the
most out-of-scope questions rejected (summed over the group's sets) wins, ties going to the
fewest in-scope questions refused, then the strictest short margin and the smallest slack. The
vectors are computed once; the grid replays the decision only.

Pass 2 (holdout-6 joined the tuning group) adds two dimensions, the margin for a writer who
names another job (`asker_margin`) and a short question's lowest top score (`short_min`), and a
condition: no set refuses more in-scope questions than before the pass (`BEFORE` now holds main
before pass 2); ties then go to the loosest asker margin and the lowest floor. Then a third: the
margin for a post its writer calls off topic (`off_topic_margin`).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.evaluation import EvalReport, Question, evaluate, load_questions  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.models import MatchResult  # noqa: E402
from bot.core.questions import scope  # noqa: E402
from bot.core.questions.answers import build_matcher  # noqa: E402
from bot.core.questions.asking import asking_part  # noqa: E402
from bot.core.questions.decision import HYBRID, Analysis, Thresholds  # noqa: E402
from bot.core.questions.hybrid import QuestionMatcher, whole_vectors  # noqa: E402
from bot.core.questions.semantic import question_vectors  # noqa: E402
from bot.core.questions.words import expand  # noqa: E402

DATA = ROOT / "tests" / "data"
# Long posts are in holdout-4 (tuning) and holdout-5 (shown): each group has some.
# Pass 2 added holdout-6 (its 55 out-of-scope questions passed 27% before) to the tuning group.
TUNING_SETS = ("dev", "dev-forum", "holdout", "holdout-3", "holdout-4", "holdout-6")
CHECK_SETS = ("holdout-forum", "holdout-2", "holdout-5")
# Pass 2 keeps pass 1's share and slack (its wider grid: this file at c47d172).
SHARES = (0.5,)
MARGINS = (-0.05, -0.04, -0.03)
SLACKS = (0.0,)
# Pass 2: the margin for a writer who names another job (`Thresholds.asker_margin`; inf: none)
# and the lowest top score of a short question (`Thresholds.short_min`; 26 = suggest_min: none).
ASKER_MARGINS = (float("inf"), -0.25, -0.22, -0.2, -0.18, -0.16, -0.14, -0.12, -0.1, -0.08)
SHORT_MINS = (26.0, 30.0, 32.0, 34.0, 36.0)
# ...and the margin for a post its writer calls off topic (`Thresholds.off_topic_margin`).
OFF_TOPIC_MARGINS = (float("inf"), -0.2, -0.18, -0.16, -0.14, -0.12, -0.1, -0.08)
# top-1, direct-and-right and in-scope refused per set before the pass. Now: main before
# out-of-scope passes 3 and 4 (after fact pass 4, whose variants left dev-forum one direct
# answer below pass 2's "before", so that no setting fitted); passes 3 and 4 changed none of
# these numbers (measured by `evaluate` at f3c954a). Pass 2 was chosen against main at c698fb9,
# pass 1 against fa049b8 and a84b4a4.
BEFORE = {
    "dev": (0.9789, 0.9263, 0.0),
    "dev-forum": (0.8878, 0.6684, 0.0051),
    "holdout": (0.9444, 0.7963, 0.0),
    "holdout-forum": (0.8957, 0.7826, 0.0043),
    "holdout-2": (0.9500, 0.8500, 0.0),
    "holdout-3": (0.8833, 0.7542, 0.0042),
    "holdout-4": (0.8750, 0.7000, 0.0083),
    "holdout-5": (0.8646, 0.7396, 0.0),
    "holdout-6": (0.8571, 0.7714, 0.0082),
}
Setting = tuple[float, float, float, float, float, float]


class Gaps:
    """One set's analyses and its questions' gaps (whole text; asking part, NaN when none)."""

    def __init__(self, matcher: QuestionMatcher, questions: list[Question]) -> None:
        assert matcher.semantic is not None and matcher.scope is not None
        texts = [q.text for q in questions]
        # the labels, each question replayed by its index (`_Replay`)
        self.labels = [q._replace(text=str(n)) for n, q in enumerate(questions)]
        self.analyses = matcher.analyse_many(texts)
        encoder, guard = matcher.semantic.encoder, matcher.scope
        asks = [asking_part(t) for t in texts]
        whole = whole_vectors(encoder, texts, asks, matcher.cache)
        self.whole = np.array(
            [guard.gap(v, float(matcher.semantic.vectors.dot(v).max())) for v in whole]
        )
        self.ask = np.full(len(texts), np.nan)
        gap_asks = [matcher.gap_ask(t) for t in texts]  # a long post's ask, a short one's
        long = [n for n, a in enumerate(gap_asks) if a is not None]
        if long:
            vectors = question_vectors(
                encoder, [expand(str(gap_asks[n])) for n in long], matcher.cache
            )
            for n, v in zip(long, vectors, strict=True):
                self.ask[n] = guard.gap(v, float(matcher.semantic.vectors.dot(v).max()))

    def report(self, matcher: QuestionMatcher, setting: Setting) -> EvalReport:
        share, margin, slack, asker, short, off = setting
        gaps = np.where(
            np.isnan(self.ask), self.whole, (1 - share) * self.whole + share * self.ask - slack
        )
        analyses = [
            a if a.scope_gap is None else replace(a, scope_gap=float(g))
            for a, g in zip(self.analyses, gaps, strict=True)
        ]
        limits = replace(
            HYBRID, scope_margin=margin, asker_margin=asker, short_min=short, off_topic_margin=off
        )
        replay = _Replay(matcher, analyses, limits)
        return evaluate(replay, self.labels)


class _Replay:
    """Decides analysed questions (by index) under other thresholds: no model runs."""

    def __init__(
        self, matcher: QuestionMatcher, analyses: list[Analysis], limits: Thresholds
    ) -> None:
        self.matcher, self.analyses, self.limits = matcher, analyses, limits

    def match(self, text: str) -> MatchResult:
        return self.matcher.decide(self.analyses[int(text)], self.limits)


def fits(r: EvalReport, name: str) -> bool:
    """Refuses <= 3% of in-scope questions and (pass 2) no more than before: a real doctor
    refused is worse than a near miss answered; top-1 and direct-and-right no more than half a
    point below the numbers before the pass."""
    top1, direct, refused = BEFORE[name]
    return (
        r.refused_rate <= 0.03
        and round(r.refused_rate, 4) <= refused
        and r.top1 >= top1 - 0.005
        and r.direct_correct >= direct - 0.005
    )


def best(reports: dict[Setting, dict[str, EvalReport]], group: Sequence[str]) -> list[Setting]:
    """Settings that fit on each of the group's sets, most out-of-scope questions rejected
    first, then fewest in-scope refused, the strictest margin, the smallest slack, the loosest
    asker margin and short floor (the least change)."""
    found = [
        (
            round(sum(by_set[n].none_recall for n in group), 6),
            round(sum(by_set[n].refused_rate for n in group), 6),
            setting,
        )
        for setting, by_set in reports.items()
        if all(fits(by_set[n], n) for n in group)
    ]
    found.sort(key=lambda f: (-f[0], f[1], f[2][1], f[2][2], -f[2][3], f[2][4], -f[2][5]))
    return [setting for *_, setting in found]


def main() -> None:
    matcher = build_matcher(load_knowledge(), "hybrid")
    assert isinstance(matcher, QuestionMatcher), "needs the model package"
    sets = {
        n: Gaps(matcher, load_questions(DATA / f"{n}.yaml")) for n in (*TUNING_SETS, *CHECK_SETS)
    }
    grid = list(
        itertools.product(SHARES, MARGINS, SLACKS, ASKER_MARGINS, SHORT_MINS, OFF_TOPIC_MARGINS)
    )
    reports = {s: {n: g.report(matcher, s) for n, g in sets.items()} for s in grid}
    in_use = (
        scope.ASK_SHARE,
        HYBRID.scope_margin,
        0.0,
        HYBRID.asker_margin,
        HYBRID.short_min,
        HYBRID.off_topic_margin,
    )
    print(f"# scope.yaml: {len(scope.load_scope()[1])} out-of-scope intents; in use {in_use}")
    print(
        "| chosen on | share | margin | slack | asker | short | off topic | "
        + " | ".join(sets)
        + " |"
    )
    print("|---|---|---|---|---|---|---|" + "---|" * len(sets))
    for group in (TUNING_SETS, CHECK_SETS):
        for setting in best(reports, group)[:3]:
            print(row("+".join(group), setting, reports[setting]))
    # The first setting chosen on the tuning sets that also fits on every check set.
    confirmed = next(
        (s for s in best(reports, TUNING_SETS) if all(fits(reports[s][n], n) for n in CHECK_SETS)),
        None,
    )
    if confirmed is None:
        print("| chosen, confirmed | no setting fits every set: see `BEFORE` |")
    else:
        print(row("chosen, confirmed", confirmed, reports[confirmed]))
    used = reports.get(in_use) or {n: g.report(matcher, in_use) for n, g in sets.items()}
    print(row("in use", in_use, used))
    print("\ncells: out of scope rejected / in-scope refused / top-1")


def row(name: str, setting: Setting, by_set: dict[str, EvalReport]) -> str:
    cells = " | ".join(
        f"{r.none_recall:.1%} / {r.refused_rate:.1%} / {r.top1:.1%}" for r in by_set.values()
    )
    return f"| {name} | {' | '.join(map(str, setting))} | {cells} |"


if __name__ == "__main__":
    main()
