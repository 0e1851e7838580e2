"""Fit the answer confidence (bot/core/questions/confidence.yaml) and compare it with the rules.

    .venv/bin/python benchmarks/bench_confidence.py                 # fit and compare, no write
    .venv/bin/python benchmarks/bench_confidence.py --write         # ...and write the model
    .venv/bin/python benchmarks/bench_confidence.py --check A.yaml  # also on sets not fitted on

The rules (`decision.decide_by_rules`) refuse or pick the first topic, then answer it or offer it
in a menu. The confidence replaces only that last choice. It is a logistic model over the
decision's signals (`decision.SIGNALS`), fitted on the practice sets: tests/data and the
held-out sets benchmarks/heldout/README.md marks as read. Each in-scope question the rules
answer or offer is one example: right when the rules' first topic is the writer's topic or one
of its `also` topics, as `imgbot eval` scores it (bot.core.evaluation). The
cut maximises direct-and-right minus five times confidently-wrong on those sets (the
calibration rule of BENCHMARKS.md) among cuts that give no more confidently wrong answers than
the rules and answer no fewer specific-fact questions directly (`fact: true`) than the model it
replaces (the file as shipped when the script runs): a refit that avoided wrong answers by
turning facts into menus would trade one bar for the other. Numpy only, deterministic (plain
gradient descent from zero).

The pair and entry signals (`ConfidenceModel.pair_prior`, `.entry_prior`) are counted on the
same sets, so each example's values leave out its own set's counts: fitted on counts that
include its own answer, the model would trust them more than they deserve on questions it has
not seen. The pulls (`PAIR_STRENGTHS` towards the base share, `ENTRY_STRENGTHS` towards the
pair's share) are the two whose model scores best on the practice sets by the same rule; the
file ships the counts over every practice set. The topic classifier learnt from the same sets,
so its signal (`learnt`) is given as a classifier fitted without the question's set gives it
(`bench_classifier.cross_fitted`).

A new signal: add it to `decision.SIGNALS` and `confidence_signals`, add it to
confidence.yaml in the same place with mean 0, scale 1 and weight 0 (the decision checks the
file against SIGNALS at import, and that model decides as before), then fit with --write.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_classifier import cross_fitted  # noqa: E402
from practice import practice_sets  # noqa: E402

from bot.core.evaluation import NONE, load_questions  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.questions.answers import build_matcher  # noqa: E402
from bot.core.questions.confidence import (  # noqa: E402
    CONFIDENCE,
    CONFIDENCE_FILE,
    log_odds,
    pulled_share,
)
from bot.core.questions.decision import (  # noqa: E402
    SIGNALS,
    confidence_signals,
    decide_by_rules,
    leading_entry,
    leading_pair,
    lifted_answer,
)
from bot.core.questions.hybrid import QuestionMatcher  # noqa: E402

MODEL = ROOT / "bot" / "core" / "questions" / CONFIDENCE_FILE
WRONG_WEIGHT = 5  # direct and right minus 5 x confidently wrong
L2 = 1e-3
STEPS = 4000
RATE = 0.5
CUTS = np.arange(0.5, 0.99, 0.005)
PAIR_STRENGTHS = (3, 10, 30, 100)
ENTRY_STRENGTHS = (3, 10, 30, 100)
PAIR = SIGNALS.index("pair_prior")
ENTRY = SIGNALS.index("entry_prior")
LEARNT = SIGNALS.index("learnt")


@dataclass(frozen=True)
class Examples:
    """The decided in-scope questions of some sets: one row of signals each."""

    x: np.ndarray  # signals (the pair and entry signals as the shipped model gives them)
    right: np.ndarray  # the rules' first topic is the writer's (or one of its `also` topics)
    rules: np.ndarray  # the rules answered directly
    facts: np.ndarray  # the question asks one fact
    pairs: list[tuple[str, ...]]  # the first two topics of the ranking
    entries: list[tuple[str, ...]]  # the best entry and those two topics
    sets: list[str]  # the set each question comes from
    texts: list[str]  # the questions


def examples(matcher: QuestionMatcher, paths: list[Path]) -> Examples:
    """Signals, whether the rules' first topic is right, whether the rules answered, and
    whether the question asks one fact."""
    questions = [
        (path.stem, q, {t, *also}, fact)
        for path in paths
        for q, t, also, fact in load_questions(path)
        if t != NONE
    ]
    rows, right, answered, facts = [], [], [], []
    pairs, entries, sets, texts = [], [], [], []
    analyses = matcher.analyse_many([q for _, q, _, _ in questions])
    for (name, text, right_topics, fact), analysis in zip(questions, analyses, strict=True):
        result = decide_by_rules(analysis, matcher.thresholds, lexical_only=False)
        if result.kind not in ("answer", "suggest") or lifted_answer(analysis, result):
            continue
        signals = confidence_signals(analysis, result)
        rows.append([signals[name] for name in SIGNALS])
        right.append(result.matches[0].topic in right_topics)
        answered.append(result.kind == "answer")
        facts.append(fact)
        pairs.append(leading_pair(analysis))
        entries.append(leading_entry(analysis))
        sets.append(name)
        texts.append(text)
    x = np.array(rows, dtype=float)
    arrays = (np.array(a, dtype=bool) for a in (right, answered, facts))
    return Examples(x, *arrays, pairs, entries, sets, texts)


Counts = dict[tuple[str, ...], tuple[int, int]]


def key_counts(keys: list[tuple[str, ...]], ex: Examples, only: str | None = None) -> Counts:
    """Per key (a pair, or an entry and its pair): writers who meant the first topic, and
    decided questions; over every set, or `only` one."""
    meant, decided = Counter(), Counter()
    for key, name, right in zip(keys, ex.sets, ex.right, strict=True):
        if only in (None, name):
            meant[key] += int(right)
            decided[key] += 1
    return {key: (meant[key], n) for key, n in sorted(decided.items())}


def base_share(pairs: Counts) -> float:
    """The share of first topics meant over all pairs."""
    return sum(m for m, _ in pairs.values()) / sum(n for _, n in pairs.values())


@dataclass(frozen=True)
class Pulls:
    """The counts of both signals and how strongly each is pulled (confidence.py)."""

    pairs: Counts
    entries: Counts
    pair_strength: float
    entry_strength: float


def with_priors(ex: Examples, pulls: Pulls, leave_own_set_out: bool) -> np.ndarray:
    """The signals with the pair and entry signals from `pulls`; for the practice sets
    themselves (`leave_own_set_out`), each question's own set is taken out of the counts."""
    base = base_share(pulls.pairs)
    sets = set(ex.sets) if leave_own_set_out else set()
    own = {
        name: (key_counts(ex.pairs, ex, name), key_counts(ex.entries, ex, name)) for name in sets
    }
    x = ex.x.copy()
    for i, (pair, entry, name) in enumerate(zip(ex.pairs, ex.entries, ex.sets, strict=True)):
        own_pairs, own_entries = own.get(name, ({}, {}))
        pair_meant, pair_n = _without(pulls.pairs, own_pairs, pair)
        share = pulled_share(pair_meant, pair_n, pulls.pair_strength, base)
        entry_meant, entry_n = _without(pulls.entries, own_entries, entry)
        by_entry = pulled_share(entry_meant, entry_n, pulls.entry_strength, share)
        x[i, PAIR] = log_odds(share)
        x[i, ENTRY] = log_odds(by_entry) - log_odds(share)
    return x


def _without(total: Counts, own: Counts, key: tuple[str, ...]) -> tuple[int, int]:
    """One key's counts with one set's own counts taken out."""
    (meant, n), (own_meant, own_n) = total.get(key, (0, 0)), own.get(key, (0, 0))
    return meant - own_meant, n - own_n


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Logistic regression on standardised signals: mean, scale, weights, bias."""
    mean, scale = x.mean(0), x.std(0)
    scale[scale == 0] = 1.0
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-z @ w))
        w -= RATE * (z.T @ (p - y) / len(y) + L2 * np.r_[w[:-1], 0.0])
    return mean, scale, w[:-1], float(w[-1])


def probabilities(
    model: tuple[np.ndarray, np.ndarray, np.ndarray, float], x: np.ndarray
) -> np.ndarray:
    """Each example's probability that the rules' first topic is right (as confidence.py)."""
    mean, scale, weights, bias = model
    return 1 / (1 + np.exp(-(((x - mean) / scale) @ weights + bias)))


def counts(answer: np.ndarray, right: np.ndarray) -> tuple[int, int]:
    """(direct and right, confidently wrong) among the examples answered."""
    return int((answer & right).sum()), int((answer & ~right).sum())


def choose_cut(
    p: np.ndarray,
    right: np.ndarray,
    rules: np.ndarray,
    facts: np.ndarray | None = None,
    floor: int = 0,
) -> float | None:
    """The cut with the best direct-and-right minus 5 x wrong among those with no more wrong
    answers than the rules and at least `floor` of the `facts` questions answered directly on
    the right topic; None when no cut meets both."""
    wrong_before = counts(rules, right)[1]
    asks_fact = np.zeros_like(right) if facts is None else facts

    def allowed(cut: float) -> bool:
        bad = counts(p >= cut, right)[1]
        return bad <= wrong_before and counts(p >= cut, right & asks_fact)[0] >= floor

    def gain(cut: float) -> int:
        good, bad = counts(p >= cut, right)
        return good - WRONG_WEIGHT * bad

    cuts = [float(cut) for cut in CUTS if allowed(cut)]
    return round(max(cuts, key=gain), 3) if cuts else None


def table_row(name: str, p: np.ndarray, right: np.ndarray, rules: np.ndarray, cut: float) -> str:
    before, after = counts(rules, right), counts(p >= cut, right)
    gain = [good - WRONG_WEIGHT * bad for good, bad in (before, after)]
    return (
        f"| {name} | {len(right)} | {before[0]} -> {after[0]} | {before[1]} -> {after[1]} "
        f"| {gain[0]} -> {gain[1]} |"
    )


def write(
    model: tuple[np.ndarray, np.ndarray, np.ndarray, float], cut: float, n: int, pulls: Pulls
) -> None:
    mean, scale, weights, bias = model
    header = (
        "# The answer confidence (bot/core/questions/confidence.py), written by\n"
        f"# benchmarks/bench_confidence.py --write: fitted on {n} decided questions of the\n"
        "# practice sets; do not edit by hand.\n"
    )
    body = {
        "signals": [
            {
                "name": s,
                "mean": round(float(m), 6),
                "scale": round(float(d), 6),
                "weight": round(float(w), 6),
            }
            for s, m, d, w in zip(SIGNALS, mean, scale, weights, strict=True)
        ],
        "bias": round(bias, 6),
        "cut": cut,
    }
    pairs = {"strength": pulls.pair_strength, "base": round(base_share(pulls.pairs), 6)}
    text = (
        header
        + yaml.safe_dump(body, sort_keys=False)
        + yaml.safe_dump({"pairs": pairs}, sort_keys=False)
        + _count_rows(pulls.pairs)
        + yaml.safe_dump({"entries": {"strength": pulls.entry_strength}}, sort_keys=False)
        + _count_rows(pulls.entries)
    )
    MODEL.write_text(text, encoding="utf-8")


def _count_rows(counts: Counts) -> str:
    """A section's `counts:` list, one flow-style row per key."""
    rows = (yaml.safe_dump([*key, *n], default_flow_style=True) for key, n in counts.items())
    return "  counts:\n" + "".join(f"  - {row}" for row in rows)


def fitted(ex: Examples, pulls: Pulls, floor: int) -> tuple[tuple, float | None, int | None]:
    """The model fitted with these pulls, its cut (keeping `floor` facts, `shipped_facts`), and
    its practice gain (None, None when no cut meets the rule)."""
    x = with_priors(ex, pulls, leave_own_set_out=True)
    model = fit(x, ex.right.astype(float))
    p = probabilities(model, x)
    cut = choose_cut(p, ex.right, ex.rules, ex.facts, floor)
    if cut is None:
        return model, None, None
    good, bad = counts(p >= cut, ex.right)
    return model, cut, good - WRONG_WEIGHT * bad


def shipped_answers(x: np.ndarray) -> np.ndarray:
    """Which examples the shipped model answers directly, given their signals."""
    return np.array([CONFIDENCE.confident(dict(zip(SIGNALS, row, strict=True))) for row in x])


def shipped_facts(ex: Examples, pulls: Pulls) -> int:
    """Fact questions the shipped model answers directly on the right topic, on the signals the
    fit sees: the cross-fitted classifier value, and the pair and entry signals counted without
    the question's own set, with the shipped pulls. With the classifier's own answers, or with
    the counts of the file (which include every set), it looks surer on these sets than a refit
    can be: the refit that wrote the file then no longer met its own floor."""
    x = with_priors(ex, pulls, leave_own_set_out=True)
    return counts(shipped_answers(x), ex.right & ex.facts)[0]


def command_line() -> tuple[argparse.Namespace, QuestionMatcher]:
    """--write and --check, and the matcher the model is fitted with."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {CONFIDENCE_FILE}")
    parser.add_argument("--check", nargs="*", default=[], help="sets to compare on, not fitted")
    args = parser.parse_args()
    matcher = build_matcher(load_knowledge(), "hybrid")
    assert isinstance(matcher, QuestionMatcher), "needs the model package"
    return args, matcher


def main() -> None:
    args, matcher = command_line()
    ex = examples(matcher, practice_sets())
    learnt = cross_fitted(matcher, ex.texts, ex.sets, [first for first, _ in ex.pairs])
    ex = replace(ex, x=np.c_[ex.x[:, :LEARNT], learnt, ex.x[:, LEARNT + 1 :]])
    pairs, entries = key_counts(ex.pairs, ex), key_counts(ex.entries, ex)
    strengths = CONFIDENCE.pair_strength, CONFIDENCE.entry_strength
    floor = shipped_facts(ex, Pulls(pairs, entries, *strengths))
    grid = [Pulls(pairs, entries, a, b) for a in PAIR_STRENGTHS for b in ENTRY_STRENGTHS]
    runs = [fitted(ex, pulls, floor) for pulls in grid]
    for pulls, (_, cut, gain) in zip(grid, runs, strict=True):
        print(
            f"pair strength {pulls.pair_strength}, entry strength {pulls.entry_strength}: "
            f"cut {cut}, practice gain {gain}"
        )
    gains = [(gain, i) for i, (_, _, gain) in enumerate(runs) if gain is not None]
    if not gains:
        sys.exit("no cut gives as few wrong answers as the rules and as many facts as the model")
    best = max(gains, key=lambda pair: pair[0])[1]
    pulls, (model, cut, _) = grid[best], runs[best]
    assert cut is not None
    x = with_priors(ex, pulls, leave_own_set_out=True)
    print(
        f"strengths {pulls.pair_strength}/{pulls.entry_strength}, cut {cut}; weights: "
        + ", ".join(f"{s} {w:+.2f}" for s, w in zip(SIGNALS, model[2], strict=True))
    )
    print("\n| sets | decided questions | direct and right | confidently wrong | gain |")
    print("|---|---|---|---|---|")
    print(table_row("practice (fitted on)", probabilities(model, x), ex.right, ex.rules, cut))
    facts = counts(probabilities(model, x) >= cut, ex.right & ex.facts)[0]
    print(f"\nfacts answered directly on the right topic: shipped {floor}, refit {facts}")
    if args.check:
        checked = examples(matcher, [Path(p) for p in args.check])
        xc = with_priors(checked, pulls, leave_own_set_out=False)
        p = probabilities(model, xc)
        print(table_row("checked (not fitted on)", p, checked.right, checked.rules, cut))
    if args.write:
        write(model, cut, len(ex.right), pulls)
        print(f"\nwrote {MODEL.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
