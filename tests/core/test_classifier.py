"""The topic classifier (bot.core.questions.classifier) and how the ranking uses it."""

from __future__ import annotations

import io

import numpy as np
import pytest

from bot.core.knowledge import load_knowledge
from bot.core.questions import hybrid
from bot.core.questions.answers import build_matcher
from bot.core.questions.classifier import NONE_CLASS, TopicClassifier, load_classifier
from bot.core.questions.hybrid import QuestionMatcher, whole_vectors
from bot.core.questions.semantic import shared_encoder

needs_model = pytest.mark.skipif(shared_encoder() is None, reason="model package not installed")


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


# A two-dimensional model: the first dimension says SOAP, the second says none.
TINY = {
    "classes": np.array(["soap", NONE_CLASS]),
    "mean": np.zeros(2),
    "scale": np.ones(2),
    "weights": np.array([[4.0, -4.0], [-4.0, 4.0], [0.0, 0.0]]),
}


def test_probabilities_are_a_softmax_over_the_classes() -> None:
    model = load_classifier(npz(**TINY))
    p = model.probabilities(np.array([1.0, 0.0], dtype=np.float32))
    assert set(p) == {"soap", NONE_CLASS}
    assert p["soap"] == pytest.approx(1 / (1 + np.exp(-8.0)))
    assert sum(p.values()) == pytest.approx(1.0)
    assert all(isinstance(v, float) for v in p.values())  # JSON-ready, as scores must be
    rows = model.probability_rows(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert rows.argmax(axis=1).tolist() == [0, 1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": None}, "needs classes, mean, scale and weights"),
        ({"scale": np.ones(3)}, "do not fit together"),
        ({"weights": np.zeros((2, 2))}, "do not fit together"),
        ({"classes": np.array(["soap", "usce"])}, "with 'none'"),
        ({"classes": np.array([NONE_CLASS, NONE_CLASS])}, "distinct"),
        ({"scale": np.array([1.0, 0.0])}, "positive"),
    ],
)
def test_a_malformed_model_file_fails_naming_what(
    change: dict[str, np.ndarray | None], message: str
) -> None:
    arrays = {k: v for k, v in (TINY | change).items() if v is not None}
    with pytest.raises(ValueError, match=message):
        load_classifier(npz(**arrays))


def test_the_shipped_model_knows_every_topic_and_the_near_misses() -> None:
    model = load_classifier()
    topics = {t.id for t in load_knowledge().topics}
    assert set(model.classes) == topics | {NONE_CLASS}
    assert model.weights.shape == (model.mean.shape[0] + 1, len(model.classes))


@needs_model
def test_the_shipped_model_tells_topics_and_near_misses_apart() -> None:
    matcher = build_matcher(load_knowledge(), "hybrid")
    assert isinstance(matcher, QuestionMatcher) and matcher.classifier is not None
    assert matcher.semantic is not None
    encoder = matcher.semantic.encoder
    for question, expected in [
        ("how many programs can I apply to during SOAP", "soap"),
        ("which programs sponsor the h-1b for residency", "visa-h1b"),
        ("best deep dish pizza in chicago for a night out", NONE_CLASS),
    ]:
        p = matcher.classifier.probabilities(encoder.encode_question(question))
        assert max(p, key=lambda c: p[c]) == expected, question


@needs_model
def test_each_topic_gains_the_classifier_points_times_its_probability(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A classifier sure of costs: costs gains the full points, every other topic nothing.
    matcher = build_matcher(load_knowledge(), "hybrid")
    assert isinstance(matcher, QuestionMatcher)
    question = "what does the ecfmg application cost"
    with_model = {m.topic: m.score for m in matcher.analyse(question).ranking}
    sure = TopicClassifier(("costs", NONE_CLASS), np.zeros(384), np.ones(384), np.zeros((385, 2)))
    sure.weights[-1] = [50.0, 0.0]
    monkeypatch.setattr(matcher, "classifier", None)
    alone = {m.topic: m.score for m in matcher.analyse(question).ranking}
    monkeypatch.setattr(matcher, "classifier", sure)
    pushed = {m.topic: m.score for m in matcher.analyse(question).ranking}
    assert pushed["costs"] == pytest.approx(alone["costs"] + hybrid.CLASSIFIER_POINTS, abs=0.11)
    shared = set(alone) & set(pushed) - {"costs"}
    assert shared and all(pushed[t] == pytest.approx(alone[t], abs=0.11) for t in shared)
    assert with_model != alone  # the shipped classifier moves the scores too


@needs_model
def test_the_analysis_carries_the_classifiers_probabilities_of_first_topic_and_none() -> None:
    matcher = build_matcher(load_knowledge(), "hybrid")
    assert isinstance(matcher, QuestionMatcher)
    assert matcher.classifier is not None and matcher.semantic is not None
    question = "how many programs can I apply to during SOAP"
    analysis = matcher.analyse(question)
    vector = whole_vectors(matcher.semantic.encoder, [question], [None], matcher.cache)[0]
    p = matcher.classifier.probabilities(vector)
    assert analysis.learnt_top == pytest.approx(p[analysis.ranking[0].topic], abs=0.02)
    assert analysis.learnt_top > 0.5
    # A near miss the word guard lets through: the classifier puts it among the near misses.
    nurse = "is a nurse from Kerala eligible for the H-1B visa to work in Texas"
    vector = whole_vectors(matcher.semantic.encoder, [nurse], [None], matcher.cache)[0]
    none = matcher.classifier.probabilities(vector)[NONE_CLASS]
    assert matcher.analyse(nurse).learnt_out == pytest.approx(none, abs=0.02)
    assert none > 0.5
