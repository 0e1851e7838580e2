"""The practice question sets the fitted models learn from (bench_confidence, bench_classifier).

tests/data's sets and the held-out sets benchmarks/heldout/README.md marks as read. dev.yaml and
dev-forum.yaml were written by other people than the project's sets: the classifier is never
fitted on them, so they show whether what it learnt carries to other writers.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
HELD_OUT = ROOT / "benchmarks" / "heldout"
OTHER_WRITERS = ("dev", "dev-forum")


def practice_sets() -> list[Path]:
    """tests/data's question sets and the held-out sets the README marks as read."""
    read = re.findall(
        r"^\| (\S+) \| \d+ \|[^|]*\| read", (HELD_OUT / "README.md").read_text(), re.M
    )
    data = [p for p in sorted(DATA.glob("*.yaml")) if p.stem != "topics_contract"]
    return data + [HELD_OUT / f"{name}.yaml" for name in read]
