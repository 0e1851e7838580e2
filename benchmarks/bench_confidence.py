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

A new signal: add it to `decision.SIGNALS` and `confidence_signals`, add it to
confidence.yaml in the same place with mean 0, scale 1 and weight 0 (the decision checks the
file against SIGNALS at import, and that model decides as before), then fit with --write.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.evaluation import NONE, load_questions  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.questions.answers import build_matcher  # noqa: E402
from bot.core.questions.confidence import CONFIDENCE_FILE  # noqa: E402
from bot.core.questions.decision import (  # noqa: E402
    SIGNALS,
    confidence_signals,
    decide_by_rules,
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


def practice_sets() -> list[Path]:
    """tests/data's question sets and the held-out sets the README marks as read."""
    read = re.findall(
        r"^\| (\S+) \| \d+ \|[^|]*\| read", (HELD_OUT / "README.md").read_text(), re.M
    )
    data = [p for p in sorted(DATA.glob("*.yaml")) if p.stem != "topics_contract"]
    return data + [HELD_OUT / f"{name}.yaml" for name in read]


def examples(matcher: QuestionMatcher, paths: list[Path]) -> tuple[np.ndarray, ...]:
    """Signals, whether the rules' first topic is right, and whether the rules answered."""
    questions = [(q, t) for path in paths for q, t in load_questions(path) if t != NONE]
    rows, right, answered = [], [], []
    analyses = matcher.analyse_many([q for q, _ in questions])
    for (_, topic), analysis in zip(questions, analyses, strict=True):
        result = decide_by_rules(analysis, matcher.thresholds, lexical_only=False)
        if result.kind not in ("answer", "suggest") or lifted_answer(analysis, result):
            continue
        signals = confidence_signals(analysis, result)
        rows.append([signals[name] for name in SIGNALS])
        right.append(result.matches[0].topic == topic)
        answered.append(result.kind == "answer")
    return np.array(rows, dtype=float), np.array(right), np.array(answered)


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


def write(model: tuple[np.ndarray, np.ndarray, np.ndarray, float], cut: float, n: int) -> None:
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
    MODEL.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")


def fitting_run(description: str, written: str) -> tuple[argparse.Namespace, QuestionMatcher]:
    """The command line of a script that fits a file on the practice sets (--write, --check
    sets not fitted on) and the matcher it fits with (this one and bench_menu_pairs.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--write", action="store_true", help=f"write {written}")
    parser.add_argument("--check", nargs="*", default=[], help="sets to compare on, not fitted")
    args = parser.parse_args()
    matcher = build_matcher(load_knowledge(), "hybrid")
    assert isinstance(matcher, QuestionMatcher), "needs the model package"
    return args, matcher


def main() -> None:
    args, matcher = fitting_run(__doc__.splitlines()[0], CONFIDENCE_FILE)
    x, right, rules = examples(matcher, practice_sets())
    model = fit(x, right.astype(float))
    cut = choose_cut(probabilities(model, x), right, rules)
    print(
        f"cut {cut}; weights: "
        + ", ".join(f"{s} {w:+.2f}" for s, w in zip(SIGNALS, model[2], strict=True))
    )
    print("\n| sets | decided questions | direct and right | confidently wrong | gain |")
    print("|---|---|---|---|---|")
    print(table_row("practice (fitted on)", probabilities(model, x), right, rules, cut))
    if args.check:
        xc, rc, rulesc = examples(matcher, [Path(p) for p in args.check])
        print(table_row("checked (not fitted on)", probabilities(model, xc), rc, rulesc, cut))
    if args.write:
        write(model, cut, len(right))
        print(f"\nwrote {MODEL.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
