"""Fit the topic classifier (bot/core/questions/topic_classifier.npz) and show how it ranks.

    .venv/bin/python benchmarks/bench_classifier.py                 # fit and compare, no write
    .venv/bin/python benchmarks/bench_classifier.py --write         # ...and write the model
    .venv/bin/python benchmarks/bench_classifier.py --check A.yaml  # also on sets not fitted on

The classifier (bot/core/questions/classifier.py) is a softmax regression over each question's
whole-text sentence vector, as the matcher computes it (`hybrid.whole_vectors`), with one class
per topic and "none" for the near misses. It is fitted on the practice sets (practice.py)
without dev.yaml and dev-forum.yaml: those two were written by other people
than the project's sets, so they show whether what the classifier learnt carries to other
writers. Numpy only, deterministic (plain gradient descent from zero on standardised vectors).

The table gives, per set, first-topic accuracy of the classifier alone and of the ranking with
its points added at each of `POINTS` (the matcher's own ranking at 0). The matcher's points are
the largest of them that keeps dev's and dev-forum's first topics and loses nothing on the unseen
held-out sets (`hybrid.CLASSIFIER_POINTS` says which and why).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from practice import OTHER_WRITERS, practice_sets  # noqa: E402

from bot.core.evaluation import NONE, load_questions  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.questions.asking import asking_part  # noqa: E402
from bot.core.questions.classifier import (  # noqa: E402
    CLASSIFIER_FILE,
    NONE_CLASS,
    TopicClassifier,
)
from bot.core.questions.confidence import log_odds  # noqa: E402
from bot.core.questions.hybrid import QuestionMatcher, whole_vectors  # noqa: E402
from bot.core.questions.semantic import cache_dir, shared_encoder  # noqa: E402

MODEL = ROOT / "bot" / "core" / "questions" / CLASSIFIER_FILE
L2 = 1e-3
STEPS = 500
RATE = 1.0
FOLDS = 5  # cross_fitted: the practice sets in five groups
POINTS = (0, 5, 10, 15, 20)  # hybrid.CLASSIFIER_POINTS is one of them


def fit(x: np.ndarray, labels: list[str], classes: tuple[str, ...]) -> TopicClassifier:
    """Softmax regression on standardised vectors (mean, scale, weights with the bias last)."""
    mean, scale = x.mean(0), x.std(0) + 1e-6
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    index = {c: i for i, c in enumerate(classes)}
    y = np.eye(len(classes))[[index[label] for label in labels]]
    w = np.zeros((z.shape[1], len(classes)))
    for _ in range(STEPS):
        logits = z @ w
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        w -= RATE * (z.T @ (p - y) / len(z) + L2 * np.r_[w[:-1], np.zeros((1, w.shape[1]))])
    f32 = np.float32
    return TopicClassifier(classes, mean.astype(f32), scale.astype(f32), w.astype(f32))


def labelled(
    matcher: QuestionMatcher, paths: list[Path]
) -> tuple[list[str], list[str], np.ndarray, list[str]]:
    """Questions, their labels ("none" for out of scope), their whole-text vectors and the set
    each comes from."""
    rows = [(path.stem, q.text, q.topic) for path in paths for q in load_questions(path)]
    texts = [q for _, q, _ in rows]
    labels = [NONE_CLASS if t == NONE else t for _, _, t in rows]
    assert matcher.semantic is not None
    asks = [asking_part(t) for t in texts]
    vectors = whole_vectors(matcher.semantic.encoder, texts, asks, matcher.cache)
    return texts, labels, vectors, [name for name, _, _ in rows]


def cross_fitted(
    matcher: QuestionMatcher, texts: list[str], sets: list[str], firsts: list[str]
) -> np.ndarray:
    """The classifier's log-odds of each question's first topic, as a classifier fitted without
    the question's own set gives it: fitted on its own answers, the confidence would trust the
    classifier more than it deserves on questions it has not seen (the practice sets in `FOLDS`
    groups; dev.yaml's and dev-forum.yaml's questions, never fitted on, get the shipped one's)."""
    assert matcher.classifier is not None and matcher.semantic is not None
    paths = [p for p in practice_sets() if p.stem not in OTHER_WRITERS]
    fold_of = {path.stem: n % FOLDS for n, path in enumerate(paths)}
    _, labels, vectors, names = labelled(matcher, paths)
    column = {c: i for i, c in enumerate(matcher.classifier.classes)}
    asks = [asking_part(t) for t in texts]
    own = whole_vectors(matcher.semantic.encoder, texts, asks, matcher.cache)
    rows = matcher.classifier.probability_rows(own)
    for fold in range(FOLDS):
        held = [i for i, name in enumerate(sets) if fold_of.get(name) == fold]
        if held:
            kept = [j for j, name in enumerate(names) if fold_of[name] != fold]
            model = fit(vectors[kept], [labels[j] for j in kept], matcher.classifier.classes)
            rows[held] = model.probability_rows(own[held])
    return np.array([log_odds(float(rows[i, column[first]])) for i, first in enumerate(firsts)])


def first_topics(
    matcher: QuestionMatcher, model: TopicClassifier, texts: list[str], vectors: np.ndarray
) -> dict[int, list[str | None]]:
    """Per number of points, each question's first topic with the classifier's points added
    to the matcher's ranking (None when the matcher refuses or ranks nothing)."""
    probabilities = model.probability_rows(vectors)
    column = {c: i for i, c in enumerate(model.classes)}
    firsts: dict[int, list[str | None]] = {points: [] for points in POINTS}
    for analysis, p in zip(matcher.analyse_many(texts), probabilities, strict=True):
        for points, out in firsts.items():
            if analysis.guard or not analysis.ranking:
                out.append(None)
                continue
            scored = {m.topic: m.score + points * p[column[m.topic]] for m in analysis.ranking}
            out.append(max(scored, key=lambda t: scored[t]))
    return firsts


def report(matcher: QuestionMatcher, model: TopicClassifier, name: str, paths: list[Path]) -> str:
    """One table row: in-scope first-topic accuracy, classifier alone and ranking + points."""
    texts, labels, vectors, _ = labelled(matcher, paths)
    inside = [i for i, label in enumerate(labels) if label != NONE_CLASS]
    alone = model.probability_rows(vectors[inside]).argmax(axis=1)
    alone_right = sum(model.classes[k] == labels[i] for k, i in zip(alone, inside, strict=True))
    firsts = first_topics(matcher, model, [texts[i] for i in inside], vectors[inside])
    ranked = [
        sum(f == labels[i] for f, i in zip(firsts[points], inside, strict=True))
        for points in POINTS
    ]
    cells = " | ".join(f"{100 * right / len(inside):.1f}" for right in ranked)
    return f"| {name} | {len(inside)} | {100 * alone_right / len(inside):.1f} | {cells} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {CLASSIFIER_FILE}")
    parser.add_argument("--check", nargs="*", default=[], help="sets to compare on, not fitted")
    args = parser.parse_args()
    kb = load_knowledge()
    encoder = shared_encoder()
    assert encoder is not None, "needs the model package"
    matcher = QuestionMatcher(kb, encoder, cache_dir(), learnt=False)
    sets = practice_sets()
    practice = [p for p in sets if p.stem not in OTHER_WRITERS]
    others = [p for p in sets if p.stem in OTHER_WRITERS]
    _, labels, vectors, _ = labelled(matcher, practice)
    classes = (*sorted(t.id for t in kb.topics), NONE_CLASS)
    model = fit(vectors, labels, classes)
    print(f"fitted on {len(labels)} questions of {len(practice)} sets, {len(classes)} classes\n")
    print("| sets | in scope | classifier alone | " + " | ".join(f"+{p}" for p in POINTS) + " |")
    print("|---|---|---|" + "---|" * len(POINTS))
    for path in others:
        print(report(matcher, model, f"{path.stem} (other writers)", [path]))
    if args.check:
        print(report(matcher, model, "checked (not fitted on)", [Path(p) for p in args.check]))
    if args.write:
        buffer = io.BytesIO()
        arrays = {"mean": model.mean, "scale": model.scale, "weights": model.weights}
        np.savez_compressed(buffer, classes=np.array(model.classes), **arrays)
        MODEL.write_bytes(buffer.getvalue())
        print(f"\nwrote {MODEL.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
