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


# Arguments of the reply models that people read; data, url and start_payload are for machines.
READ_ARGUMENTS = {"Reply": ("text", "title", "footer", "notice"), "Button": ("label",)}
CORE = TEXTS.parent


def inline_words(source: str) -> list[tuple[int, str]]:
    """(line, literal) for each string literal with a letter in it written straight into a
    Reply or a Button, or into `replace(reply, notice=...)`: the argument itself, or a piece of
    it (an f-string, a `+`, an `if`), but not what it passes to another call (an id, a scope)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        keywords = READ_ARGUMENTS.get(name, ("notice",) if name == "replace" else ())
        read = [k.value for k in node.keywords if k.arg in keywords]
        if name in READ_ARGUMENTS and node.args:
            read.append(node.args[0])
        found += [hit for argument in read for hit in _literals(argument)]
    return found


def _literals(node: ast.AST) -> list[tuple[int, str]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.lineno, node.value)] if any(c.isalpha() for c in node.value) else []
    if isinstance(node, ast.Call):
        return []
    return [hit for child in ast.iter_child_nodes(node) for hit in _literals(child)]


def test_replies_in_the_core_take_their_words_from_texts() -> None:
    """A reply written inline would escape the curators: its words belong in texts.py."""
    modules = sorted(set(CORE.rglob("*.py")) - {TEXTS})
    assert len(modules) > 20  # the scan really sees the core
    inline = [
        f"{path.relative_to(CORE)}:{line}: {text!r}"
        for path in modules
        for line, text in inline_words(path.read_text())
    ]
    assert inline == []


def test_the_scan_finds_inline_words() -> None:
    source = (
        "def room(n, reply):\n"
        "    replace(reply, notice='Saved', edit=True)\n"
        "    Reply(f'You have {n} days', buttons=((Button('Go', data='x|y'),),))\n"
        "    Reply(('Yes' if n else 'No') + '!', title='Plan ' + str(n))\n"
        "    Reply(help_text('group' if n else 'private'), notice=texts.STALE)\n"
        "    Reply(''), Button(texts.SKIP_BUTTON, data=encode('pk', 'step1'))\n"
    )
    found = sorted(text for _, text in inline_words(source))
    assert found == [" days", "Go", "No", "Plan ", "Saved", "Yes", "You have "]
