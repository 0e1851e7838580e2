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
    it (an f-string, a `+`, an `if`). What it passes to another call (`_cut("Some words")`,
    `help_text("group")`) counts only when it is words, with a space: an id or a scope has none."""
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


def _literals(node: ast.AST, nested: bool = False) -> list[tuple[int, str]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        read = _has_words(node.value) if nested else any(c.isalpha() for c in node.value)
        return [(node.lineno, node.value)] if read else []
    if isinstance(node, ast.FormattedValue):  # f"{n:>3d}": a format spec is not words
        return _literals(node.value, nested)
    nested = nested or isinstance(node, ast.Call)
    return [hit for child in ast.iter_child_nodes(node) for hit in _literals(child, nested)]


def _has_words(text: str) -> bool:
    """A letter and a space: words someone reads, never an id, a key, a scope or a file name."""
    return " " in text and any(c.isalpha() for c in text)


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
        "    Reply(text=_cut('Some words'), footer=texts.LEFT.format(left=f'{n} days left'))\n"
    )
    found = sorted(text for _, text in inline_words(source))
    expected = [" days", " days left", "Go", "No", "Plan ", "Saved", "Some words", "Yes"]
    assert found == [*expected, "You have "]


def test_the_scan_passes_ids_scopes_and_format_specs() -> None:
    source = (
        "def room(n, reply):\n"
        "    Reply(help_text('group' if n else 'private'), notice=texts.STALE)\n"
        "    Reply(''), Button(texts.SKIP_BUTTON, data=encode('pk', 'step1'))\n"
        "    Reply(f'{n:>3d}', title=_cut(texts.TITLE, mode='plain'), notice=str(n))\n"
        "    Button(label=texts.GO.format(n=n), url=f'https://t.me/bot?start={n}')\n"
    )
    assert inline_words(source) == []


# -- the plan's advice: titles, reasons, warnings and dates are all in texts.py --------------
PLAN = CORE / "plan"
# Calls whose strings are for curators and developers: `imgbot validate`'s problems, regular
# expressions, log lines.
FOR_DEVELOPERS = {"Problem", "check.add", "re.compile"} | {
    f"{logger}.{level}"
    for logger in ("log", "logger", "logging")
    for level in ("debug", "info", "warning", "error", "exception", "critical")
}


def plan_words(source: str) -> list[tuple[int, str]]:
    """(line, literal) for each string literal in a plan module that reads as words (a letter
    and a space), wherever it is: titles and reasons are built in many small steps, so every
    string is suspect except docstrings, format specs (`f"{day:%b %Y}"`) and what goes to
    FOR_DEVELOPERS. Ids, keys, topic ids and event names have no space, so they pass."""
    tree = ast.parse(source)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                exempt.add(id(first.value))
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            exempt.update(id(n) for n in ast.walk(node.format_spec))
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in FOR_DEVELOPERS:
            exempt.update(id(n) for n in ast.walk(node))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in exempt
        and _has_words(node.value)
    ]


def test_the_plan_takes_its_words_from_texts() -> None:
    """A title, reason, warning or date wording written into the plan's code would escape the
    curators: it belongs in texts.py (its PLAN_ sections)."""
    modules = sorted(PLAN.glob("*.py"))
    assert {"rules.py", "planner.py", "cycle.py", "path.py"} <= {p.name for p in modules}
    inline = [
        f"{path.relative_to(CORE)}:{line}: {text!r}"
        for path in modules
        for line, text in plan_words(path.read_text())
    ]
    assert inline == []


def test_the_plan_scan_finds_words() -> None:
    source = (
        "def rule(ctx, year):\n"
        "    _item('x', 'topic-id', 'Get US clinical experience', texts.PLAN_X_WHY)\n"
        "    why = f'Registration opens {ctx.when(\"nrmp-opens\")}.'\n"
        "    return texts.PLAN_NEXT.format(year=year) + ' Submit early.'\n"
    )
    found = sorted(text for _, text in plan_words(source))
    assert found == [" Submit early.", "Get US clinical experience", "Registration opens "]


def test_the_plan_scan_passes_ids_keys_formats_and_developer_messages() -> None:
    source = (
        '"""A module docstring, in words."""\n'
        "NAMES = {'step1': texts.PLAN_STEP1, 'rol-deadline': texts.PLAN_DEFAULT_VERB}\n"
        "LEAD_RE = re.compile(r'^(\\d+) (days?|weeks?)$')\n"
        "def fmt(day):\n"
        '    """The date as people read it."""\n'
        "    log.info('formatting %s for %s', day, 'the plan')\n"
        "    check.add('lead', f'{day!r} is not like 4 weeks')\n"
        "    Problem(FILE, None, 'steps', 'must be a non-empty list')\n"
        "    return f'{day.day} {day:%b %Y}' + _item('usmle-step1', f'usmle-{day}', ' ')\n"
    )
    assert plan_words(source) == []
