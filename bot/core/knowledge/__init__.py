"""Load the curated knowledge (YAML) into frozen models, or say exactly what is wrong with it.

People act on these answers, so a bad file must stop start-up (and a failed /reload must keep the
old knowledge serving) with a message an editor can fix without reading code: every problem names
the file, the line, the entry and the field. Validation therefore collects *all* problems instead of
stopping at the first, and never raises; `load_knowledge` raises once, with the whole list.

Layout of a knowledge directory::

    topics/*.yaml     one stage per file, read in filename order: {stage, topics: [...]}
    entries/*.yaml    optional, one topic per file: {topic, entries: [...]}; the specific
                      questions people ask inside that topic, each with a short answer
    deadlines.yaml    optional: {deadlines: [...]} (contract in shared/design.md)

Modules: problems.py (Problem, KnowledgeError), lines.py (YAML with line numbers), fields.py
(checking one mapping; what topics, entries and deadlines share), topics.py, entries.py,
deadlines.py (one kind of file each), directory.py (the whole directory and its links).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from bot.core.knowledge.directory import read_dir
from bot.core.knowledge.fields import sentences, undated_claims
from bot.core.knowledge.problems import KnowledgeError, Problem
from bot.core.models import Deadline, Entry, KnowledgeBase, Topic

__all__ = [
    "KnowledgeError",
    "Problem",
    "default_knowledge_dir",
    "load_knowledge",
    "sentences",
    "undated_claims",
    "validate_dir",
]


def default_knowledge_dir() -> Path:
    """IMGBOT_KNOWLEDGE_DIR when set (deployments mount their own), else the repo's knowledge/."""
    configured = os.environ.get("IMGBOT_KNOWLEDGE_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[3] / "knowledge"


def validate_dir(path: Path, *, today: date | None = None) -> list[Problem]:
    """Every problem in every file of a knowledge directory; an empty list means it loads.

    `today` bounds `reviewed` dates (default: the latest calendar date anywhere on Earth now).
    """
    return read_dir(Path(path), today).problems


def load_knowledge(path: Path | None = None, *, today: date | None = None) -> KnowledgeBase:
    """Validated knowledge as frozen models; raises KnowledgeError listing every problem."""
    result = read_dir(Path(path) if path is not None else default_knowledge_dir(), today)
    if result.problems:
        raise KnowledgeError(result.problems)
    topics = tuple(Topic(**c.values) for c in result.topics)
    entries = tuple(Entry(**c.values) for c in result.entries)
    deadlines = tuple(Deadline(**values) for values in result.deadlines)
    return KnowledgeBase(
        topics=topics,
        deadlines=tuple(sorted(deadlines, key=_deadline_order)),
        entries=entries,
    )


def _deadline_order(d: Deadline) -> tuple[datetime, str]:
    return d.at, d.id
