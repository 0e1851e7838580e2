"""What is wrong in the knowledge, located precisely enough to fix it (file, line, entry, field)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.errors import InvalidKnowledge

__all__ = ["KnowledgeError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the knowledge, located precisely enough to fix it.

    `entry` is the entry's id, or "#N" (1-based position in its list) when the id is missing or
    unusable; `field` is a path inside the entry such as "sources[0].url".
    """

    file: str
    entry: str | None
    field: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        located = [f"entry '{self.entry}'"] if self.entry is not None else []
        located += [f"field '{self.field}'"] if self.field is not None else []
        return ": ".join(
            [where, ", ".join(located), self.message] if located else [where, self.message]
        )


class KnowledgeError(InvalidKnowledge):
    """The knowledge did not validate; `problems` lists everything found, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
