"""bot/core/texts.py holds only user-facing strings, so wording is edited without reading code."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from bot.core import texts

TEXTS = Path(texts.__file__)


def test_texts_holds_only_string_constants() -> None:
    tree = ast.parse(TEXTS.read_text())
    for node in tree.body[1:]:  # after the docstring
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        assert isinstance(node, ast.Assign), f"line {node.lineno}: only NAME = 'text' here"
        [target] = node.targets
        assert isinstance(target, ast.Name) and target.id.isupper(), f"line {node.lineno}"
        assert isinstance(getattr(texts, target.id), str), f"{target.id} is not a string"


def test_templates_name_their_fields() -> None:
    """A `{}` without a name could be filled in the wrong order; every field is named."""
    for name, value in vars(texts).items():
        if name.isupper():
            fields = [f for _, f, _, _ in string.Formatter().parse(value) if f is not None]
            assert all(fields), f"{name} has an unnamed {{}}"
