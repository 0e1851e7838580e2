"""The kind of fact a question asks for: a fee, a date, a count, a score, a rule (its facet).

"how much is eras" and "what does a typical ERAS budget look like" are about the same subject,
and words and meaning score the ERAS entries within a few points of each other. What separates
the entry that answers is the KIND of fact asked: the question asks a fee, so does the entry
"How much does ERAS charge per program?". The phrases of each facet are data (facets.yaml); a
question's facets are a few regular-expression searches, an entry's are found once per
matcher build from its own `question` text.
"""

from __future__ import annotations

import re
from importlib import resources

from bot.core.yamlfile import load_yaml

__all__ = ["FACETS_FILE", "FacetReader", "check_phrases", "parse_facets"]

FACETS_FILE = "facets.yaml"
# "..." in a phrase: up to four words in between ("is step 1 still").
_GAP = r"(?:\W+\w+){0,4}?\W+"


def parse_facets(text: str) -> dict[str, list[str]]:
    """Read and check facets.yaml's text; a malformed file fails loudly, naming what is wrong."""
    raw = load_yaml(text)
    facets = raw.get("facets") if isinstance(raw, dict) else None
    return check_phrases(facets, f"{FACETS_FILE}: 'facets'")


def check_phrases(groups: object, where: str) -> dict[str, list[str]]:
    """A mapping of name -> distinct non-empty phrases, lower-cased (also subjects.yaml's)."""
    if not isinstance(groups, dict) or not groups:
        raise ValueError(f"{where}: expected a mapping of names to lists of phrases")
    for name, phrases in groups.items():
        if not isinstance(phrases, list) or not phrases:
            raise ValueError(f"{where}: {name!r} must be a list of phrases")
        if not all(isinstance(p, str) and p.strip() for p in phrases):
            raise ValueError(f"{where}: {name!r} has an empty or non-text phrase")
        if len({p.strip().lower() for p in phrases}) != len(phrases):
            raise ValueError(f"{where}: {name!r} lists a phrase twice")
    return {str(name): [p.strip().lower() for p in phrases] for name, phrases in groups.items()}


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    """One alternation over a facet's phrases, each on whole words ("pay" not in "paypal")."""
    parts = []
    for phrase in phrases:
        body = _GAP.join(re.escape(p.strip()) for p in phrase.split("..."))
        start = r"\b" if re.match(r"\w", phrase) else ""
        end = r"\b" if re.search(r"\w$", phrase) else ""
        parts.append(start + body + end)
    return re.compile("|".join(parts), re.IGNORECASE)


class FacetReader:
    """Finds the facets a text asks for."""

    def __init__(self, facets: dict[str, list[str]]) -> None:
        self._patterns = {name: _pattern(phrases) for name, phrases in facets.items()}

    def facets_of(self, text: str) -> frozenset[str]:
        """The facets whose phrases occur in the text (none for a general question)."""
        return frozenset(name for name, p in self._patterns.items() if p.search(text))

    def facets_at(self, text: str, position: int) -> frozenset[str]:
        """The facets whose phrases start exactly at `position` of the text."""
        return frozenset(name for name, p in self._patterns.items() if p.match(text, position))


FACETS = FacetReader(
    parse_facets(resources.files("bot.core.questions").joinpath(FACETS_FILE).read_text("utf-8"))
)
