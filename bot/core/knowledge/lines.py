"""YAML with line numbers: mappings and lists that remember where each value starts, so every
problem can name its line; a file that cannot be read becomes a Problem, not a crash."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.core.knowledge.problems import Problem
from bot.core.yamlfile import SAFE_LOADER

__all__ = ["Map", "Seq", "kind", "parse_file"]


class Map(dict[Any, Any]):
    """A YAML mapping that remembers where it and each value start, for located problems."""

    line: int
    lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]  # PyYAML silently keeps the last of repeated keys


class Seq(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    line: int
    lines: list[int]


class _Loader(SAFE_LOADER):  # type: ignore[valid-type,misc]
    """Safe loading (libyaml when available, for speed) that builds Map and Seq."""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Map:
    result = Map()
    result.line, result.lines, result.duplicates = _line(node), {}, []
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            )
        if key in result:
            result.duplicates.append((key, _line(key_node)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = _line(value_node)
    return result


def _construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> Seq:
    result = Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.lines = _line(node), [_line(child) for child in node.value]
    return result


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    """An impossible date (2026-02-30) stays text, so it becomes a located problem, not a crash."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def parse_file(path: Path, rel: str, sink: list[Problem]) -> Map | None:
    """One file's top-level mapping, or None after recording why it cannot be read."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        context = f" ({exc.context})" if exc.context else ""
        sink.append(Problem(rel, None, None, f"YAML syntax error: {exc.problem}{context}", line))
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        sink.append(Problem(rel, None, None, f"cannot read: {exc}"))
        return None
    if not isinstance(data, Map):
        what = "empty" if data is None else f"{kind(data)}, not a mapping"
        sink.append(Problem(rel, None, None, f"the file is {what}", 1))
        return None
    return data


def kind(value: object) -> str:
    """How a YAML author would name what they wrote, for messages."""
    names = {bool: "yes/no", int: "a number", float: "a number", str: "text", Seq: "a list"}
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, Map):
        return "a mapping"
    return names.get(type(value), type(value).__name__) if value is not None else "empty"
