"""A tiny run of benchmarks/bench_plan.py, so the script keeps working (timings not asserted)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_bench_plan_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    bench = importlib.import_module("bench_plan")
    assert bench.main(["--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n| ") >= 5 and "| matched, visa |" in out
