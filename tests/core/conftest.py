"""Fixtures the core tests share."""

from __future__ import annotations

import pytest

from bot.core.models import KnowledgeBase
from bot.core.questions.answers import build_matcher
from bot.core.questions.hybrid import QuestionMatcher


@pytest.fixture(scope="session")
def real(repo_knowledge: KnowledgeBase) -> QuestionMatcher:
    """The bot's matcher over the repository's knowledge, built once per test process (a
    matcher keeps no state from one question to the next)."""
    matcher = build_matcher(repo_knowledge)
    assert isinstance(matcher, QuestionMatcher)
    return matcher
