"""A knowledge directory read whole: topic files, then entry files, then deadlines, and the links
between them (ids unique across files, related ids that exist)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.core.knowledge.deadlines import read_deadline_file
from bot.core.knowledge.entries import read_entry_file
from bot.core.knowledge.fields import Candidate, Result
from bot.core.knowledge.lines import Map, parse_file
from bot.core.knowledge.problems import Problem
from bot.core.knowledge.topics import read_topic_file

__all__ = ["read_dir"]

# A reviewer may be up to UTC+14 ahead of the server; a date later than that is a typo.
AHEAD_OF_UTC = timedelta(hours=14)


def read_dir(path: Path, today: date | None) -> Result:
    """Every file of a knowledge directory read and checked, topics first: entry files and
    deadlines name topic ids, so those checks need every topic read."""
    result = Result()
    today = today or (datetime.now(UTC) + AHEAD_OF_UTC).date()
    if not path.is_dir():
        result.problems.append(Problem(str(path), None, None, "knowledge directory not found"))
        return result
    found, result.all_topics_read = _read_folder(
        path, "topics", "topic", result, lambda rel, data: read_topic_file(rel, data, today, result)
    )
    if not found:
        result.problems.append(Problem("topics", None, None, "no topic files (topics/*.yaml)"))
    _check_links(result.topics, "topic", result.all_topics_read, result)
    _, result.all_entries_read = _read_folder(
        path,
        "entries",
        "entry",
        result,
        lambda rel, data: read_entry_file(rel, data, today, result),
    )
    _check_links(result.entries, "entry", result.all_entries_read, result)
    deadlines = path / "deadlines.yaml"
    if deadlines.exists():
        data = parse_file(deadlines, "deadlines.yaml", result.problems)
        if data is not None:
            ids = {c.id for c in result.topics if c.id is not None}
            read_deadline_file(
                "deadlines.yaml", data, ids if result.all_topics_read else None, result
            )
    return result


def _read_folder(
    path: Path, folder: str, noun: str, result: Result, read: Callable[[str, Map], None]
) -> tuple[int, bool]:
    """Each *.yaml file of a folder through `read`, in name order: (files found, all parsed).
    A *.yml file would be skipped silently, so it is a problem."""
    where = path / folder
    if not where.is_dir():
        return 0, True
    for stray in sorted(where.glob("*.yml")):
        message = f"ignored: name {noun} files *.yaml"
        result.problems.append(Problem(_rel(stray, path), None, None, message))
    files = sorted(where.glob("*.yaml"))
    all_parsed = True
    for file in files:
        rel = _rel(file, path)
        data = parse_file(file, rel, result.problems)
        if data is None:
            all_parsed = False
        else:
            read(rel, data)
    return len(files), all_parsed


def _check_links(candidates: list[Candidate], noun: str, all_read: bool, result: Result) -> None:
    """Ids unique across all files; every related id exists and is not the item itself.

    `all_read` is False when a file could not be read: its ids are unknown, so "unknown id" would
    only echo that file's syntax error once per reference.
    """
    first: dict[str, Candidate] = {}
    for c in candidates:
        if c.id is None:
            continue
        if c.id in first:
            where = f"{first[c.id].file}:{first[c.id].line}"
            result.problems.append(
                Problem(c.file, c.label, "id", f"duplicate id; first defined at {where}", c.line)
            )
        else:
            first[c.id] = c
    for c in candidates:
        for i, related, line in c.related:
            if related == c.id:
                message = f"{'an' if noun == 'entry' else 'a'} {noun} cannot be related to itself"
            elif related not in first and all_read:
                message = f"unknown {noun} id '{related}'"
            else:
                continue
            result.problems.append(Problem(c.file, c.label, f"related[{i}]", message, line))


def _rel(file: Path, root: Path) -> str:
    return file.relative_to(root).as_posix()
