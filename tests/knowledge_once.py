"""The repository's knowledge/, parsed once per test process.

A load parses and validates ~80 YAML files in ~0.3 s of CPU; the `repo_knowledge` fixture
(tests/conftest.py), modules that need the knowledge to collect their tests (test_path,
test_plan_situations) and the in-process bot (tests/tg/inprocess.py) share this one. A
KnowledgeBase is frozen, so sharing it cannot carry state from test to test.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.core.models import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]


@cache
def repo_knowledge() -> KnowledgeBase:
    return load_knowledge(REPO / "knowledge")
