"""Which topic a question is about, learnt from the project's labelled questions.

The knowledge texts say what each topic covers; thousands of questions written the way IMGs
write, each labelled with the topic that answers it, say how people ask. A softmax regression
over the question's sentence vector (the same vector the meaning score uses) learns that: each
of the knowledge's topics, and "none" for the near misses, gets a probability. The ranking adds
`hybrid.CLASSIFIER_POINTS` times a topic's probability to its score, so that words and meaning
still rank the topics and the labelled questions break what they leave close (BENCHMARKS.md,
session 38).

`topic_classifier.npz` holds the fitted model: the vectors' mean and scale, the weights (one
column per class, the bias in the last row) and the class names. It belongs to the sentence
model it was fitted with. `benchmarks/bench_classifier.py --write` fits it again (numpy) on the
practice sets without dev.yaml and dev-forum.yaml, which stay a check on other writers' questions.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = ["CLASSIFIER_FILE", "NONE_CLASS", "TopicClassifier", "load_classifier"]

CLASSIFIER_FILE = "topic_classifier.npz"
NONE_CLASS = "none"  # the near misses' class: learnt, never added to a topic's score


@dataclass(frozen=True)
class TopicClassifier:
    """A softmax regression over standardised sentence vectors."""

    classes: tuple[str, ...]
    mean: np.ndarray  # (dimensions,)
    scale: np.ndarray  # (dimensions,)
    weights: np.ndarray  # (dimensions + 1, classes): the bias in the last row

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        """Each class's probability for one question vector."""
        row = self.probability_rows(vector[None, :])[0].tolist()  # floats, as scores are
        return dict(zip(self.classes, row, strict=True))

    def probability_rows(self, vectors: np.ndarray) -> np.ndarray:
        """Class probabilities for many vectors, one row each (columns as `classes`)."""
        z = (vectors - self.mean) / self.scale
        logits = z @ self.weights[:-1] + self.weights[-1]
        logits -= logits.max(axis=1, keepdims=True)
        odds: np.ndarray = np.exp(logits)
        odds /= odds.sum(axis=1, keepdims=True)
        return odds


def load_classifier(data: bytes | None = None) -> TopicClassifier:
    """The shipped classifier (or one from `data`, an .npz's bytes); a file whose arrays do not
    fit together fails loudly, naming what."""
    raw = data if data is not None else _shipped()
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    if set(arrays) != {"classes", "mean", "scale", "weights"}:
        raise ValueError(f"{CLASSIFIER_FILE}: needs classes, mean, scale and weights")
    classes = tuple(str(c) for c in arrays["classes"])
    mean, scale, weights = (arrays[k].astype(np.float32) for k in ("mean", "scale", "weights"))
    dims = mean.shape[0]
    if scale.shape != (dims,) or weights.shape != (dims + 1, len(classes)):
        raise ValueError(f"{CLASSIFIER_FILE}: mean, scale and weights do not fit together")
    if len(set(classes)) != len(classes) or NONE_CLASS not in classes:
        raise ValueError(f"{CLASSIFIER_FILE}: classes must be distinct, with '{NONE_CLASS}'")
    if (scale <= 0).any():
        raise ValueError(f"{CLASSIFIER_FILE}: every scale must be positive")
    return TopicClassifier(classes, mean, scale, weights)


def _shipped() -> bytes:
    return resources.files("bot.core.questions").joinpath(CLASSIFIER_FILE).read_bytes()
