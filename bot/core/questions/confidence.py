"""How likely the decision's first topic is right: a logistic model over the decision's signals.

The rules of `bot.core.questions.decision` pick a first topic and then answer or offer a menu
by hand-set bars, one signal at a time (the lead, words and meaning agreeing, an entry's
lead...). Weighed together, the same signals separate right first topics from wrong ones
better: fitted on the practice sets and applied to the held-out sets it was not fitted on, it
answered 2-3% more of them directly on the right topic at the same or a lower share of
confidently wrong answers (BENCHMARKS.md, session 30). So the rules still choose the topic (and
refuse); this model decides only between answering it and offering it in a menu.

Which two topics lead matters too, not only how close they are. One signal carries that: the
share of the practice sets' decided questions with the same first two topics whose writer
meant the first (named it as the topic, or as one equally right under `also`, as `imgbot eval`
counts), pulled towards the share over all pairs by `strength` questions' worth (so a pair seen
twice says little), as log-odds (`ConfidenceModel.pair_prior`). Most pairs are nearly always
right (98% over all pairs); where the USMLE overview leads Step 2 CK, 124 in 140 (session 39).
Within a pair, the entry that scored best says more: in that pair, the writers whose best entry
was where the exams are given meant the overview 8 times in 13. A second signal carries that:
the same share among decided questions with the same best entry and the same two topics,
pulled towards the pair's share, as the log-odds it adds to the pair's
(`ConfidenceModel.entry_prior`).

`confidence.yaml` holds the fitted model: each signal's mean and scale, its weight, the bias,
the cut, the pair counts and the entry counts. `benchmarks/bench_confidence.py` fits it again
(numpy; after a knowledge change large enough to move the scores, or new practice sets) and
writes the file.
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
    "log_odds",
    "parse_confidence",
    "pulled_share",
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
    pairs: Mapping[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    pair_strength: float = 1.0  # how many questions' worth the base share weighs
    pair_base: float = 0.5  # the share of first topics meant over all pairs
    # (best entry, first topic, second topic) -> (writers who meant the first, decided questions)
    entries: Mapping[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    entry_strength: float = 1.0  # how many questions' worth the pair's share weighs

    def pair_prior(self, first: str, second: str) -> float:
        """Log-odds that the writer meant `first` when it leads `second` (module docstring)."""
        return log_odds(self._pair_share(first, second))

    def entry_prior(self, entry: str, first: str, second: str) -> float:
        """What `entry` scoring best adds to the pair's log-odds (module docstring)."""
        pair = self._pair_share(first, second)
        meant, decided = self.entries.get((entry, first, second), (0, 0))
        return log_odds(pulled_share(meant, decided, self.entry_strength, pair)) - log_odds(pair)

    def _pair_share(self, first: str, second: str) -> float:
        meant, decided = self.pairs.get((first, second), (0, 0))
        return pulled_share(meant, decided, self.pair_strength, self.pair_base)

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


def pulled_share(meant: int, decided: int, strength: float, base: float) -> float:
    """The share `meant / decided` pulled towards `base` by `strength` questions' worth."""
    return (meant + strength * base) / (decided + strength)


def log_odds(share: float) -> float:
    """log(share / (1 - share)), clipped so that a share of 0 or 1 stays finite."""
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
    entry_strength, entries = _entries(raw.get("entries"))
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
        entries,
        entry_strength,
    )


def _pairs(raw: object) -> tuple[float, float, dict[tuple[str, ...], tuple[int, int]]]:
    """The `pairs` section: strength, base share and [first, second, meant, decided] rows."""
    if not isinstance(raw, dict) or set(raw) != {"strength", "base", "counts"}:
        raise ValueError(f"{CONFIDENCE_FILE}: needs a 'pairs' mapping of strength, base, counts")
    strength, base, rows = raw["strength"], raw["base"], raw["counts"]
    if not (_number(strength) and strength > 0 and _number(base) and 0 < base < 1):
        raise ValueError(f"{CONFIDENCE_FILE}: pairs need a positive strength and a base share")
    return float(strength), float(base), _counts(rows, "pair", ("first", "second"))


def _entries(raw: object) -> tuple[float, dict[tuple[str, ...], tuple[int, int]]]:
    """The `entries` section: strength and [entry, first, second, meant, decided] rows."""
    if not isinstance(raw, dict) or set(raw) != {"strength", "counts"}:
        raise ValueError(f"{CONFIDENCE_FILE}: needs an 'entries' mapping of strength, counts")
    if not (_number(raw["strength"]) and raw["strength"] > 0):
        raise ValueError(f"{CONFIDENCE_FILE}: entries need a positive strength")
    keys = ("entry", "first", "second")
    return float(raw["strength"]), _counts(raw["counts"], "entry", keys)


def _counts(
    rows: object, what: str, keys: tuple[str, ...]
) -> dict[tuple[str, ...], tuple[int, int]]:
    """[*keys, meant, decided] rows, each key counted once, 0 <= meant <= decided."""
    if not isinstance(rows, list):
        raise ValueError(f"{CONFIDENCE_FILE}: {what} counts must be a list")
    width = len(keys)
    counts: dict[tuple[str, ...], tuple[int, int]] = {}
    for n, row in enumerate(rows, start=1):
        if not (
            isinstance(row, list)
            and len(row) == width + 2
            and all(isinstance(t, str) for t in row[:width])
            and all(isinstance(c, int) and not isinstance(c, bool) for c in row[width:])
            and 0 <= row[width] <= row[width + 1]
        ):
            raise ValueError(
                f"{CONFIDENCE_FILE}: {what} count #{n} needs [{', '.join(keys)}, meant, decided]"
            )
        key = tuple(row[:width])
        if key in counts:
            raise ValueError(f"{CONFIDENCE_FILE}: {what} {'/'.join(key)} is counted twice")
        counts[key] = (row[width], row[width + 1])
    return counts


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


CONFIDENCE = parse_confidence(
    resources.files("bot.core.questions").joinpath(CONFIDENCE_FILE).read_text("utf-8")
)
