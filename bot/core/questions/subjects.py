"""The named things a question is about (Step 1, OET, the J-1...), by family (subjects.yaml).

An entry whose own question names only another exam of the family a question names answers
another question, however many words the two share; so does a topic about another exam. See
subjects.yaml and hybrid.SUBJECT_PENALTY / TOPIC_SUBJECT_PENALTY for the measured cases. A
question is about the subjects it names less those it names only as the thing compared with or
weighed against (`SubjectReader.asked_about`: "is step 3 pass/fail like step 1?" and "how
important is CK now that step 1 is pass/fail?" ask about Step 3 and CK).
"""

from __future__ import annotations

import re
from importlib import resources

from bot.core.questions.facets import FacetReader, check_phrases
from bot.core.yamlfile import load_yaml

__all__ = [
    "SUBJECTS",
    "SUBJECTS_FILE",
    "TOPIC_SUBJECTS",
    "Named",
    "SubjectReader",
    "names_another",
    "parse_subjects",
]

SUBJECTS_FILE = "subjects.yaml"
Named = dict[str, frozenset[str]]  # family -> the subjects of it a text names
Families = dict[str, dict[str, list[str]]]  # family -> subject -> phrases


def parse_subjects(text: str) -> tuple[Families, dict[str, Named]]:
    """Read and check subjects.yaml's text: (families, each listed topic's own subjects). A
    malformed file fails loudly, naming what is wrong."""
    raw = load_yaml(text)
    families = raw.get("families") if isinstance(raw, dict) else None
    if not isinstance(families, dict) or not families:
        raise ValueError(f"{SUBJECTS_FILE}: expected a mapping 'families' of family -> subjects")
    checked = {
        str(family): check_phrases(subjects, f"{SUBJECTS_FILE}: family {family!r}")
        for family, subjects in families.items()
    }
    family_of = {s: f for f, subjects in checked.items() for s in subjects}
    topics = raw.get("topics", {})
    if not isinstance(topics, dict):
        raise ValueError(f"{SUBJECTS_FILE}: expected a mapping 'topics' of topic -> subjects")
    own: dict[str, Named] = {}
    for topic, subjects in topics.items():
        if not isinstance(subjects, list) or not subjects:
            raise ValueError(f"{SUBJECTS_FILE}: topic {topic!r} must list its subjects")
        unknown = [s for s in subjects if s not in family_of]
        if unknown:
            raise ValueError(f"{SUBJECTS_FILE}: topic {topic!r} names unknown subjects {unknown}")
        named: dict[str, set[str]] = {}
        for subject in subjects:
            named.setdefault(family_of[subject], set()).add(subject)
        own[str(topic)] = {family: frozenset(names) for family, names in named.items()}
    return checked, own


# "is step 3 pass/fail like step 1?" asks about Step 3: "like step 1" names the exam it is
# compared with. Not "feel like", "looks like", "would like": there "like" compares nothing.
# "how important is step 2 ck now that step 1 is pass/fail?" asks about Step 2 CK: "now that"
# after the question's own words names the background it is weighed against. Not at the start
# ("now that step 1 is pass/fail, does passing it matter?" asks about Step 1). "Can I book
# step 3 online like I did for step 1?" asks about Step 3 too.
_COMPARED = re.compile(
    r"\b(?<!feel )(?<!feels )(?<!felt )(?<!look )(?<!looks )(?<!seem )(?<!seems )(?<!would )"
    r"(?<!'d )(?<!sounds )(?:like|unlike|same as|similar to|as with|as in"
    r"|(?<=\w\s)(?<!so\s)(?<!and\s)(?<!but\s)(?P<background>now that))\s+"
    r"(?:(?:i|we|you)\s+(?:did|do|had|took)\s+)?(?:(?:for|with|in|the|my|a)\s+)?",
    re.IGNORECASE,
)


class SubjectReader:
    """Finds the subjects a text names, family by family."""

    def __init__(self, families: Families) -> None:
        self._readers = {family: FacetReader(subjects) for family, subjects in families.items()}

    def asked_about(self, text: str) -> Named:
        """The subjects a question asks about: those it names, less any it names only as the
        thing compared with or weighed against ("like step 1", "now that step 1 is pass/fail")
        when it names another of that family. A background ("what does certification need now
        that CS is gone?") is not asked about even when it is the family's only subject."""
        named = self.named(text)
        compared: set[str] = set()
        background: set[str] = set()
        for found in _COMPARED.finditer(text):
            for family in named:
                at = self._readers[family].facets_at(text, found.end())
                compared |= at
                if found.group("background"):
                    background |= at
        asked = {family: (names - compared) or names for family, names in named.items()}
        return {family: names for family, names in asked.items() if not names <= background}

    def named(self, text: str) -> Named:
        """The families the text names a subject of, each with the subjects it names."""
        found = {family: reader.facets_of(text) for family, reader in self._readers.items()}
        return {family: names for family, names in found.items() if names}


def names_another(question: Named, other: Named) -> bool:
    """Does `other` (an entry's question, a topic) name subjects of a family the question names,
    but none of the question's?"""
    return any(family in other and not names & other[family] for family, names in question.items())


_FAMILIES, TOPIC_SUBJECTS = parse_subjects(
    resources.files("bot.core.questions").joinpath(SUBJECTS_FILE).read_text("utf-8")
)
SUBJECTS = SubjectReader(_FAMILIES)
