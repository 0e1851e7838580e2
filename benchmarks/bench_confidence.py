"""Fit the answer confidence (bot/core/questions/confidence.yaml) and compare it with the rules.

    .venv/bin/python benchmarks/bench_confidence.py                 # fit and compare, no write
    .venv/bin/python benchmarks/bench_confidence.py --write         # ...and write the model
    .venv/bin/python benchmarks/bench_confidence.py --check A.yaml  # also on sets not fitted on

The rules (`decision.decide_by_rules`) refuse or pick the first topic, then answer it or offer it
in a menu. The confidence replaces only that last choice. It is a logistic model over the
decision's signals (`decision.SIGNALS`), fitted on the practice sets: tests/data and the
held-out sets benchmarks/heldout/README.md marks as read. Each in-scope question the rules
answer or offer is one example: right when the rules' first topic is the writer's topic. The
cut maximises direct-and-right minus five times confidently-wrong on those sets (the
calibration rule of BENCHMARKS.md) among cuts that give no more confidently wrong answers than
the rules. Numpy only, deterministic (plain gradient descent from zero).

The pair signal (`ConfidenceModel.pair_prior`) is counted on the same sets, so each example's
value leaves out its own set's counts: fitted on counts that include its own answer, the model
would trust the signal more than it deserves on questions it has not seen. The pull towards
the base share (`PAIR_STRENGTHS`) is the one of those whose model scores best on the practice
sets by the same rule; the file ships the counts over every practice set.

A new signal: add it to `decision.SIGNALS` and `confidence_signals`, add it to
confidence.yaml in the same place with mean 0, scale 1 and weight 0 (the decision checks the
file against SIGNALS at import, and that model decides as before), then fit with --write.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.evaluation import NONE, load_questions  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.questions.answers import build_matcher  # noqa: E402
from bot.core.questions.confidence import CONFIDENCE_FILE, pair_log_odds  # noqa: E402
from bot.core.questions.decision import (  # noqa: E402
    SIGNALS,
    confidence_signals,
    decide_by_rules,
    leading_pair,
    lifted_answer,
)
from bot.core.questions.hybrid import QuestionMatcher  # noqa: E402

DATA = ROOT / "tests" / "data"
HELD_OUT = ROOT / "benchmarks" / "heldout"
MODEL = ROOT / "bot" / "core" / "questions" / CONFIDENCE_FILE
WRONG_WEIGHT = 5  # direct and right minus 5 x confidently wrong
L2 = 1e-3
STEPS = 4000
RATE = 0.5
CUTS = np.arange(0.5, 0.99, 0.005)
PAIR_STRENGTHS = (3, 10, 30, 100)
PAIR = SIGNALS.index("pair_prior")


def practice_sets() -> list[Path]:
    """tests/data's question sets and the held-out sets the README marks as read."""
    read = re.findall(
        r"^\| (\S+) \| \d+ \|[^|]*\| read", (HELD_OUT / "README.md").read_text(), re.M
    )
    data = [p for p in sorted(DATA.glob("*.yaml")) if p.stem != "topics_contract"]
    return data + [HELD_OUT / f"{name}.yaml" for name in read]


@dataclass(frozen=True)
class Examples:
    """The decided in-scope questions of some sets: one row of signals each."""

    x: np.ndarray  # signals (the pair signal as the shipped model gives it)
    right: np.ndarray  # the rules' first topic is the writer's
    rules: np.ndarray  # the rules answered directly
    pairs: list[tuple[str, str]]  # the first two topics of the ranking
    sets: list[str]  # the set each question comes from


def examples(matcher: QuestionMatcher, paths: list[Path]) -> Examples:
    """Signals, whether the rules' first topic is right, and whether the rules answered."""
    questions = [(path.stem, q, t) for path in paths for q, t in load_questions(path) if t != NONE]
    rows, right, answered, pairs, sets = [], [], [], [], []
    analyses = matcher.analyse_many([q for _, q, _ in questions])
    for (name, _, topic), analysis in zip(questions, analyses, strict=True):
        result = decide_by_rules(analysis, matcher.thresholds, lexical_only=False)
        if result.kind not in ("answer", "suggest") or lifted_answer(analysis, result):
            continue
        signals = confidence_signals(analysis, result)
        rows.append([signals[name] for name in SIGNALS])
        right.append(result.matches[0].topic == topic)
        answered.append(result.kind == "answer")
        pairs.append(leading_pair(analysis))
        sets.append(name)
    x = np.array(rows, dtype=float)
    return Examples(x, np.array(right), np.array(answered), pairs, sets)


Pairs = dict[tuple[str, str], tuple[int, int]]


def pair_counts(ex: Examples, leave_out: str | None = None) -> Pairs:
    """Per pair of first two topics: writers who meant the first, and decided questions."""
    meant, decided = Counter(), Counter()
    for pair, name, right in zip(ex.pairs, ex.sets, ex.right, strict=True):
        if name != leave_out:
            meant[pair] += int(right)
            decided[pair] += 1
    return {pair: (meant[pair], n) for pair, n in sorted(decided.items())}


def base_share(pairs: Pairs) -> float:
    """The share of first topics meant over all pairs."""
    return sum(m for m, _ in pairs.values()) / sum(n for _, n in pairs.values())


def with_pair_prior(
    ex: Examples, pairs: Pairs, strength: float, leave_own_set_out: bool
) -> np.ndarray:
    """The signals with the pair signal from `pairs`; for the practice sets themselves
    (`leave_own_set_out`), each question's own set is left out of the counts."""
    base = base_share(pairs)
    sets = set(ex.sets) if leave_own_set_out else set()
    own = {name: pair_counts(ex, leave_out=name) for name in sets}
    x = ex.x.copy()
    for i, (pair, name) in enumerate(zip(ex.pairs, ex.sets, strict=True)):
        m, n = own.get(name, pairs).get(pair, (0, 0))
        x[i, PAIR] = pair_log_odds(m, n, strength, base)
    return x


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


def choose_cut(p: np.ndarray, right: np.ndarray, rules: np.ndarray) -> float:
    """The cut with the best direct-and-right minus 5 x wrong, no more wrong than the rules."""
    wrong_before = counts(rules, right)[1]

    def gain(cut: float) -> int:
        good, bad = counts(p >= cut, right)
        return good - WRONG_WEIGHT * bad if bad <= wrong_before else -(10**9)

    return round(float(max(CUTS, key=gain)), 3)


def table_row(name: str, p: np.ndarray, right: np.ndarray, rules: np.ndarray, cut: float) -> str:
    before, after = counts(rules, right), counts(p >= cut, right)
    gain = [good - WRONG_WEIGHT * bad for good, bad in (before, after)]
    return (
        f"| {name} | {len(right)} | {before[0]} -> {after[0]} | {before[1]} -> {after[1]} "
        f"| {gain[0]} -> {gain[1]} |"
    )


def write(
    model: tuple[np.ndarray, np.ndarray, np.ndarray, float],
    cut: float,
    n: int,
    strength: float,
    pairs: Pairs,
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
    section = {"pairs": {"strength": strength, "base": round(base_share(pairs), 6)}}
    rows = (yaml.safe_dump([*pair, *n], default_flow_style=True) for pair, n in pairs.items())
    text = (
        header
        + yaml.safe_dump(body, sort_keys=False)
        + yaml.safe_dump(section, sort_keys=False)
        + "  counts:\n"
        + "".join(f"  - {row}" for row in rows)
    )
    MODEL.write_text(text, encoding="utf-8")


def fitted(ex: Examples, pairs: Pairs, strength: float) -> tuple[tuple, float, int]:
    """The model fitted with this pull on the pair signal, its cut, and its practice gain."""
    x = with_pair_prior(ex, pairs, strength, leave_own_set_out=True)
    model = fit(x, ex.right.astype(float))
    p = probabilities(model, x)
    cut = choose_cut(p, ex.right, ex.rules)
    good, bad = counts(p >= cut, ex.right)
    return model, cut, good - WRONG_WEIGHT * bad


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
    pairs = pair_counts(ex)
    runs = {strength: fitted(ex, pairs, strength) for strength in PAIR_STRENGTHS}
    for strength, (_, cut, gain) in runs.items():
        print(f"pair strength {strength}: cut {cut}, practice gain {gain}")
    strength = max(runs, key=lambda k: runs[k][2])
    model, cut, _ = runs[strength]
    x = with_pair_prior(ex, pairs, strength, leave_own_set_out=True)
    print(
        f"strength {strength}, cut {cut}; weights: "
        + ", ".join(f"{s} {w:+.2f}" for s, w in zip(SIGNALS, model[2], strict=True))
    )
    print("\n| sets | decided questions | direct and right | confidently wrong | gain |")
    print("|---|---|---|---|---|")
    print(table_row("practice (fitted on)", probabilities(model, x), ex.right, ex.rules, cut))
    if args.check:
        checked = examples(matcher, [Path(p) for p in args.check])
        xc = with_pair_prior(checked, pairs, strength, leave_own_set_out=False)
        p = probabilities(model, xc)
        print(table_row("checked (not fitted on)", p, checked.right, checked.rules, cut))
    if args.write:
        write(model, cut, len(ex.right), strength, pairs)
        print(f"\nwrote {MODEL.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
