"""Matching accuracy and latency, ours next to a naive rapidfuzz baseline, in one run.

    .venv/bin/python benchmarks/bench_matching.py [--repeat N]

Accuracy: top-1 and none-recall on tests/data/dev.yaml (and holdout.yaml) with the real knowledge
base. Latency: per-question `match()` time over the dev questions on the real knowledge base and
on synthetic ones 10x and 100x larger (every topic replicated with a perturbed id and perturbed
variants, so the vocabulary and the postings grow too). The process is pinned to one core when
the OS allows it, and garbage collection is paused while timing.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from rapidfuzz import process, utils

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.evaluation import evaluate, load_questions  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.matching import Matcher  # noqa: E402
from bot.core.models import KnowledgeBase, Match, MatchResult, Topic  # noqa: E402

BASELINE_CUTOFF = 60  # the naive baseline calls a question out of scope below this score


class Baseline:
    """`process.extractOne` over every variant (default scorer WRatio); the winner's topic.

    rapidfuzz 3 does not lower-case by default, so the default settings are case-sensitive;
    `processor=utils.default_process` shows how much of the gap is only that.
    """

    def __init__(self, kb: KnowledgeBase, processor: Callable[[str], str] | None = None) -> None:
        self.processor = processor
        self.choices: list[str] = []
        self.owner: list[str] = []
        for topic in kb.topics:
            for variant in topic.variants:
                self.choices.append(variant)
                self.owner.append(topic.id)

    def match(self, text: str) -> MatchResult:
        best = process.extractOne(text, self.choices, processor=self.processor)
        if best is None or best[1] < BASELINE_CUTOFF:
            return MatchResult("none")
        return MatchResult("answer", (Match(self.owner[best[2]], round(best[1], 1)),))


def _perturb(text: str, rng: random.Random, tag: str) -> str:
    """A variant with one word swapped for a synthetic one, so copies are not identical."""
    words = text.split()
    if words:
        words[rng.randrange(len(words))] = f"{tag}{rng.randrange(1000)}"
    return " ".join(words)


def scaled_kb(kb: KnowledgeBase, factor: int, seed: int = 7) -> KnowledgeBase:
    """The real topics plus (factor - 1) perturbed copies of each."""
    rng = random.Random(seed)
    topics: list[Topic] = list(kb.topics)
    for copy in range(1, factor):
        tag = f"x{copy}"
        for topic in kb.topics:
            topics.append(
                replace(
                    topic,
                    id=f"{topic.id}-{tag}",
                    title=_perturb(topic.title, rng, tag),
                    variants=tuple(_perturb(v, rng, tag) for v in topic.variants),
                    keywords=tuple(_perturb(k, rng, tag) for k in topic.keywords),
                )
            )
    return KnowledgeBase(topics=tuple(topics))


def latencies_ms(match: Callable[[str], object], texts: Sequence[str], repeat: int) -> list[float]:
    """One sample per question per repeat, after a warm-up pass."""
    for text in texts:
        match(text)
    samples: list[float] = []
    gc.disable()
    try:
        for _ in range(repeat):
            for text in texts:
                start = time.perf_counter_ns()
                match(text)
                samples.append((time.perf_counter_ns() - start) / 1e6)
    finally:
        gc.enable()
    return samples


def p99(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def pin_to_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def accuracy_table(kb: KnowledgeBase, sets: dict[str, list[tuple[str, str]]]) -> None:
    print("| matcher | set | top-1 | top-3 | refused | none precision | none recall |")
    print("|---|---|---|---|---|---|---|")
    matchers: list[tuple[str, object]] = [
        ("ours", Matcher(kb)),
        ("baseline (default settings)", Baseline(kb)),
        ("baseline + default_process", Baseline(kb, processor=utils.default_process)),
    ]
    for name, matcher in matchers:
        for set_name, questions in sets.items():
            r = evaluate(matcher, questions)  # type: ignore[arg-type]
            print(
                f"| {name} | {set_name} | {r.top1:.1%} | {r.top3:.1%} | {r.refused_rate:.1%} "
                f"| {r.none_precision:.1%} | {r.none_recall:.1%} |"
            )


def latency_table(kb: KnowledgeBase, texts: list[str], repeat: int) -> None:
    print("| matcher | KB size | topics | build ms | median ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for factor in (1, 10, 100):
        base = kb if factor == 1 else scaled_kb(kb, factor)
        for name, build in (("ours", Matcher), ("baseline", Baseline)):
            start = time.perf_counter()
            matcher = build(base)
            build_ms = (time.perf_counter() - start) * 1000
            passes = repeat if factor < 100 else max(2, repeat // 5)
            samples = latencies_ms(matcher.match, texts, passes)
            print(
                f"| {name} | {factor}x | {len(base.topics)} | {build_ms:.0f} "
                f"| {statistics.median(samples):.3f} | {p99(samples):.3f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the dev questions")
    args = parser.parse_args()
    pinned = pin_to_one_core()
    kb = load_knowledge()
    dev = load_questions(ROOT / "tests" / "data" / "dev.yaml")
    holdout = load_questions(ROOT / "tests" / "data" / "holdout.yaml")
    print(f"# Python {platform.python_version()} on {platform.machine()}, {pinned}")
    print(f"# {len(kb.topics)} topics, {len(dev)} dev and {len(holdout)} holdout questions\n")
    accuracy_table(kb, {"dev": dev, "holdout": holdout})
    print()
    latency_table(kb, [q for q, _ in dev], args.repeat)


if __name__ == "__main__":
    main()
