"""How likely the decision's first topic is right: a logistic model over the decision's signals.

The rules of `bot.core.questions.decision` pick a first topic and then answer or offer a menu
by hand-set bars, one signal at a time (the lead, words and meaning agreeing, an entry's
lead...). Weighed together, the same signals separate right first topics from wrong ones
better: fitted on the practice sets and applied to the held-out sets it was not fitted on, it
answered 2-3% more of them directly on the right topic at the same or a lower share of
confidently wrong answers (BENCHMARKS.md, session 30). So the rules still choose the topic (and
refuse); this model decides only between answering it and offering it in a menu.

Which two topics lead matters too, not only how close they are: where the certificate's
clinical skills requirement leads the certificate itself, the writer nearly always meant the
requirement; where the Match leads its calendar, often the calendar. One signal carries that:
the share of the practice sets' decided questions with the same first two topics whose writer
meant the first, pulled towards the share over all pairs by `strength` questions' worth (so a
pair seen twice says little), as log-odds (`ConfidenceModel.pair_prior`).

`confidence.yaml` holds the fitted model: each signal's mean and scale, its weight, the bias,
the cut and the pair counts. `benchmarks/bench_confidence.py` fits it again (numpy; after a
knowledge change large enough to move the scores, or new practice sets) and writes the file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources

from bot.core.yamlfile import load_yaml

__all__ = [
    "CONFIDENCE",
    "CONFIDENCE_FILE",
    "ConfidenceModel",
    "pair_log_odds",
    "parse_confidence",
]

CONFIDENCE_FILE = "confidence.yaml"


@dataclass(frozen=True)
class ConfidenceModel:
    """A logistic model over named signals, standardised by the practice sets' mean and scale."""

    signals: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    cut: float  # answer directly at or above this probability, offer a menu below
    # (first topic, second topic) -> (writers who meant the first, decided questions)
    pairs: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    pair_strength: float = 1.0  # how many questions' worth the base share weighs
    pair_base: float = 0.5  # the share of first topics meant over all pairs

    def pair_prior(self, first: str, second: str) -> float:
        """Log-odds that the writer meant `first` when it leads `second` (module docstring)."""
        meant, decided = self.pairs.get((first, second), (0, 0))
        return pair_log_odds(meant, decided, self.pair_strength, self.pair_base)

    def probability(self, values: Mapping[str, float]) -> float:
        """The probability that the first topic is right, given each signal's value."""
        z = self.bias + sum(
            w * (values[name] - m) / s
            for name, m, s, w in zip(self.signals, self.mean, self.scale, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))

    def confident(self, values: Mapping[str, float]) -> bool:
        """Is the first topic sure enough to answer directly?"""
        return self.probability(values) >= self.cut


def pair_log_odds(meant: int, decided: int, strength: float, base: float) -> float:
    """Log-odds of the share `meant / decided` pulled towards `base` by `strength` questions."""
    share = (meant + strength * base) / (decided + strength)
    share = min(max(share, 0.001), 0.999)
    return math.log(share / (1.0 - share))


def parse_confidence(text: str) -> ConfidenceModel:
    """Read and check confidence.yaml's text; a malformed file fails loudly, naming what."""
    raw = load_yaml(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("signals"), list):
        raise ValueError(f"{CONFIDENCE_FILE}: expected a mapping with a 'signals' list")
    names, mean, scale, weights = [], [], [], []
    for n, row in enumerate(raw["signals"], start=1):
        if not isinstance(row, dict) or set(row) != {"name", "mean", "scale", "weight"}:
            raise ValueError(f"{CONFIDENCE_FILE}: signal #{n} needs name, mean, scale, weight")
        if not isinstance(row["name"], str) or not _number(row["scale"]) or row["scale"] <= 0:
            raise ValueError(f"{CONFIDENCE_FILE}: signal #{n} needs a name and a positive scale")
        if not (_number(row["mean"]) and _number(row["weight"])):
            raise ValueError(
                f"{CONFIDENCE_FILE}: signal {row['name']}: mean and weight are numbers"
            )
        names.append(row["name"])
        mean.append(float(row["mean"]))
        scale.append(float(row["scale"]))
        weights.append(float(row["weight"]))
    if len(set(names)) != len(names):
        raise ValueError(f"{CONFIDENCE_FILE}: a signal is listed twice")
    if not (_number(raw.get("bias")) and _number(raw.get("cut")) and 0 < raw["cut"] < 1):
        raise ValueError(f"{CONFIDENCE_FILE}: needs a numeric bias and a cut between 0 and 1")
    strength, base, pairs = _pairs(raw.get("pairs"))
    return ConfidenceModel(
        tuple(names),
        tuple(mean),
        tuple(scale),
        tuple(weights),
        float(raw["bias"]),
        raw["cut"],
        pairs,
        strength,
        base,
    )


def _pairs(raw: object) -> tuple[float, float, dict[tuple[str, str], tuple[int, int]]]:
    """The `pairs` section: strength, base share and [first, second, meant, decided] rows."""
    if not isinstance(raw, dict) or set(raw) != {"strength", "base", "counts"}:
        raise ValueError(f"{CONFIDENCE_FILE}: needs a 'pairs' mapping of strength, base, counts")
    strength, base, rows = raw["strength"], raw["base"], raw["counts"]
    if not (_number(strength) and strength > 0 and _number(base) and 0 < base < 1):
        raise ValueError(f"{CONFIDENCE_FILE}: pairs need a positive strength and a base share")
    if not isinstance(rows, list):
        raise ValueError(f"{CONFIDENCE_FILE}: pairs' counts must be a list")
    pairs: dict[tuple[str, str], tuple[int, int]] = {}
    for n, row in enumerate(rows, start=1):
        if not (
            isinstance(row, list)
            and len(row) == 4
            and all(isinstance(t, str) for t in row[:2])
            and all(isinstance(c, int) and not isinstance(c, bool) for c in row[2:])
            and 0 <= row[2] <= row[3]
        ):
            raise ValueError(
                f"{CONFIDENCE_FILE}: pair count #{n} needs [first, second, meant, decided]"
            )
        if (row[0], row[1]) in pairs:
            raise ValueError(f"{CONFIDENCE_FILE}: pair {row[0]}/{row[1]} is counted twice")
        pairs[row[0], row[1]] = (row[2], row[3])
    return float(strength), float(base), pairs


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


CONFIDENCE = parse_confidence(
    resources.files("bot.core.questions").joinpath(CONFIDENCE_FILE).read_text("utf-8")
)
