"""The named things a question is about (Step 1, OET, the J-1...), by family (subjects.yaml).

An entry whose own question names only another exam of the family a question names answers
another question, however many words the two share; see subjects.yaml for the measured case.
"""

from __future__ import annotations

from importlib import resources

from bot.core.questions.facets import FacetReader, check_phrases
from bot.core.yamlfile import load_yaml

__all__ = ["SUBJECTS", "SUBJECTS_FILE", "SubjectReader", "parse_subjects"]

SUBJECTS_FILE = "subjects.yaml"
Named = dict[str, frozenset[str]]  # family -> the subjects of it a text names


def parse_subjects(text: str) -> dict[str, dict[str, list[str]]]:
    """Read and check subjects.yaml's text; a malformed file fails loudly, naming what is wrong."""
    raw = load_yaml(text)
    families = raw.get("families") if isinstance(raw, dict) else None
    if not isinstance(families, dict) or not families:
        raise ValueError(f"{SUBJECTS_FILE}: expected a mapping 'families' of family -> subjects")
    return {
        str(family): check_phrases(subjects, f"{SUBJECTS_FILE}: family {family!r}")
        for family, subjects in families.items()
    }


class SubjectReader:
    """Finds the subjects a text names, family by family."""

    def __init__(self, families: dict[str, dict[str, list[str]]]) -> None:
        self._readers = {family: FacetReader(subjects) for family, subjects in families.items()}

    def named(self, text: str) -> Named:
        """The families the text names a subject of, each with the subjects it names."""
        found = {family: reader.facets_of(text) for family, reader in self._readers.items()}
        return {family: names for family, names in found.items() if names}


def names_another(question: Named, entry: Named) -> bool:
    """Does the entry name subjects of a family the question names, but none of the question's?"""
    return any(family in entry and not names & entry[family] for family, names in question.items())


SUBJECTS = SubjectReader(
    parse_subjects(resources.files("bot.core.questions").joinpath(SUBJECTS_FILE).read_text("utf-8"))
)
