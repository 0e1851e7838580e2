"""Could a learned confidence turn menus into answers? Leave-one-set-out over tests/data.

    .venv/bin/python benchmarks/bench_confidence.py

Most of what issue 10's direct-and-right still lacks is menus whose first topic is right. This
fits a logistic model on the menus of all tuning sets but one, over features of the analysis
(the same `Analysis` the decision reads), picks the cut that reaches a target precision on
those sets, and applies it to the left-out set, each set in turn. A menu turned into an answer
gains one direct-and-right when its first topic is right and costs one confidently wrong when
not; the calibration rule weighs a wrong answer five times (BENCHMARKS.md). Numpy only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.evaluation import NONE, load_questions  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.questions.answers import build_matcher  # noqa: E402
from bot.core.questions.decision import Analysis  # noqa: E402
from bot.core.questions.hybrid import QuestionMatcher  # noqa: E402

DATA = ROOT / "tests" / "data"
TARGETS = (0.8, 0.85, 0.9)
WRONG_WEIGHT = 5  # direct and right minus 5 x confidently wrong


def features(a: Analysis) -> list[float]:
    """What the decision could weigh: scores, leads, agreement, length, entries, scope."""
    r = [m.score for m in a.ranking] + [0.0, 0.0]
    own = [e.score for e in a.entries if e.topic == a.ranking[0].topic] + [0.0, 0.0]
    other = [e.score for e in a.entries if e.topic != a.ranking[0].topic] + [0.0]
    return [
        r[0],
        r[0] - r[1],
        (r[0] - r[1]) / max(r[0], 1.0),
        r[1] - r[2],
        float(a.lexical_top == a.ranking[0].topic),
        float(a.nearest_in_top),
        float(np.log1p(a.words)),
        own[0],
        own[0] - other[0],
        own[0] - own[1],
        float(bool(a.entries) and a.entries[0].same_facet),
        a.scope_gap or 0.0,
        float(bool(a.entries) and a.entries[0].topic == a.ranking[0].topic),
    ]


def fit(x: np.ndarray, y: np.ndarray, steps: int = 3000) -> tuple[np.ndarray, ...]:
    """Logistic regression by gradient descent on standardised features (L2 1/n)."""
    mean, std = x.mean(0), x.std(0) + 1e-9
    z = np.c_[(x - mean) / std, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= (z.T @ (p - y) + np.r_[w[:-1], 0.0]) / len(y)
    return mean, std, w


def predict(model: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    mean, std, w = model
    return 1 / (1 + np.exp(-np.c_[(x - mean) / std, np.ones(len(x))] @ w))


def cut_for(p: np.ndarray, y: np.ndarray, target: float) -> float:
    """The lowest probability whose menus above it reach `target` precision (inf: none)."""
    order = np.argsort(-p)
    precision = np.cumsum(y[order]) / np.arange(1, len(y) + 1)
    reached = np.flatnonzero(precision >= target)
    return float(p[order][reached.max()]) if len(reached) else float("inf")


def leave_one_set_out(
    sets: dict[str, tuple[np.ndarray, np.ndarray]], target: float
) -> tuple[int, int]:
    """(right, wrong) answers the learned cut adds over all left-out sets."""
    right = wrong = 0
    for name, (x_out, y_out) in sets.items():
        x = np.concatenate([f for n, (f, _) in sets.items() if n != name])
        y = np.concatenate([t for n, (_, t) in sets.items() if n != name])
        model = fit(x, y)
        chosen = predict(model, x_out) >= cut_for(predict(model, x), y, target)
        right += int(y_out[chosen].sum())
        wrong += int(chosen.sum() - y_out[chosen].sum())
    return right, wrong


def menus(matcher: QuestionMatcher, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Features of a set's in-scope menus, and whether each menu's first topic is right."""
    questions = [(q, t) for q, t in load_questions(path) if t != NONE]
    rows, right = [], []
    analyses = matcher.analyse_many([q for q, _ in questions])
    for (_, topic), a in zip(questions, analyses, strict=True):
        if matcher.decide(a, matcher.thresholds).kind == "suggest":
            rows.append(features(a))
            right.append(a.ranking[0].topic == topic)
    return np.array(rows, dtype=float).reshape(-1, 13), np.array(right, dtype=float)


def main() -> None:
    matcher = build_matcher(load_knowledge(), "hybrid")
    assert isinstance(matcher, QuestionMatcher), "needs the model package"
    paths = sorted(p for p in DATA.glob("*.yaml") if p.stem != "topics_contract")
    sets = {p.stem: menus(matcher, p) for p in paths}
    total = sum(len(y) for _, y in sets.values())
    first_right = int(sum(y.sum() for _, y in sets.values()))
    print(f"{len(sets)} sets: {total} menus, {first_right} with the right topic first\n")
    print("| target precision | answers added | right | wrong | gain (right - 5 x wrong) |")
    print("|---|---|---|---|---|")
    for target in TARGETS:
        right, wrong = leave_one_set_out(sets, target)
        gain = right - WRONG_WEIGHT * wrong
        print(f"| {target} | {right + wrong} | {right} | {wrong} | {gain} |")


if __name__ == "__main__":
    main()
