"""The core never imports Telegram: adapters depend on it, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "bot" / "core"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_telegram_and_no_adapter():
    files = sorted(CORE.glob("*.py"))
    assert len(files) > 5
    for path in files:
        for module in imported_modules(path):
            assert not module.startswith(("telegram", "bot.tg", "bot.console", "bot.cli")), (
                f"{path.name} imports {module}"
            )
