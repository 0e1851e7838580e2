"""The import graph, enforced: core never imports Telegram or an adapter, adapters reach core
only through `Service` (never storage, the matcher or a feature room), the feature rooms are
wired together by the facade alone, and no module imports itself in a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
CORE = BOT / "core"
ADAPTERS = ("bot.tg", "bot.console", "bot.cli")
# What adapters must not import: they call Service, which routes to these.
BEHIND_SERVICE = (
    "bot.core.storage",
    "bot.core.questions",  # the matcher, the answers, the questions room
    "bot.core.cohorts",
    "bot.core.admin",
    "bot.core.shared",
    "bot.core.profile.room",
    "bot.core.reminders.room",
)
# `imgbot ask` and `imgbot eval` are the matcher's developer tools: they run the question room
# offline (no database, no Service) through its front door, `bot.core.questions.answers`.
CLI_DEVELOPER_TOOLS = {("bot.cli", "bot.core.questions.answers")}
# The rooms of the service: only the facade (bot.core.service) wires them together.
ROOMS = (
    "bot.core.questions.room",
    "bot.core.profile.room",
    "bot.core.reminders.room",
    "bot.core.cohorts",
    "bot.core.admin",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(BOT.rglob("*.py"))}


@cache
def parsed(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once: every test walks every module (~1 s of CPU when
    each parsed them again)."""
    return ast.parse(path.read_text())


def type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """Imports under `if TYPE_CHECKING:`: annotations only, never run, so no cycle."""
    return {
        node
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test).endswith("TYPE_CHECKING")
        for stmt in block.body
        for node in ast.walk(stmt)
    }


def imports(module: str, runtime_only: bool = False) -> set[str]:
    """The modules `module` imports, anywhere in the file (a lazy import is still an arrow):
    `from a import b` counts as importing a.b when a.b is a module, else a."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = parsed(path)
    skipped = type_checking_only(tree) if runtime_only else set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
    return found


def edges() -> Iterator[tuple[str, str]]:
    for module in MODULES:
        for target in imports(module):
            yield module, target


def under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_graph_is_read_from_every_module():
    assert "bot.core.service" in MODULES and "bot.core.storage.base" in MODULES
    assert "bot.core.storage" in imports("bot.core.service")
    assert ("bot.tg.app", "bot.core.service") in set(edges())


def test_core_imports_no_telegram_and_no_adapter():
    core = [m for m in MODULES if under(m, ("bot.core",))]
    assert len(core) > 20
    for module in core:
        for target in imports(module):
            assert not under(target, ("telegram", "httpx", *ADAPTERS)), f"{module} imports {target}"


def test_adapters_reach_core_only_through_service():
    adapters = [m for m in MODULES if under(m, ADAPTERS)]
    assert len(adapters) > 10
    for module in adapters:
        for target in imports(module):
            if (module, target) in CLI_DEVELOPER_TOOLS:
                continue
            assert not under(target, BEHIND_SERVICE), f"{module} imports {target}: use Service"


def test_rooms_are_wired_only_by_the_facade():
    for module, target in edges():
        if under(target, ROOMS) and module != target:
            assert module == "bot.core.service", f"{module} imports the room {target}"


def test_no_import_cycles():
    graph = {
        m: {t for t in imports(m, runtime_only=True) if t in MODULES and t != m} for m in MODULES
    }
    state: dict[str, str] = {}  # "open" while on the path, "done" once explored

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycle = [*path[path.index(target) :], target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
