"""No container engine runs here, so the Dockerfile is checked against the repo and the CLI
(run in process: the `imgbot` fixture of tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = (REPO / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(f"{name} ")]


def test_every_path_it_copies_exists():
    copies = [c for c in instructions("COPY") if not c.startswith("--from")]
    assert copies
    for copy in copies:
        *sources, _dest = copy.split()
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: no such path in the repo"


def test_dependencies_are_installed_before_the_code_is_copied():
    lines = DOCKERFILE.splitlines()
    first_install = next(i for i, line in enumerate(lines) if "pip install ." in line)
    code_copy = next(i for i, line in enumerate(lines) if line.startswith("COPY bot"))
    assert first_install < code_copy


def test_runs_as_non_root_with_a_data_volume_and_a_healthcheck():
    assert instructions("USER") == ["imgbot"]
    assert '"/data"' in instructions("VOLUME")[0]
    assert "IMGBOT_DB=/data/" in DOCKERFILE
    assert instructions("HEALTHCHECK")
    assert instructions("CMD")[-1] == '["imgbot", "run"]'
    assert any("imgbot validate" in run for run in instructions("RUN"))


def test_the_commands_it_runs_exist_in_the_cli(imgbot):
    commands = re.findall(r'"imgbot", "(\w+)"', DOCKERFILE) + re.findall(
        r"imgbot (\w+)", DOCKERFILE
    )
    assert {"run", "health", "validate"} <= set(commands)
    for command in set(commands):
        result = imgbot(command, "--help")
        assert result.returncode == 0, f"imgbot {command}: {result.stderr}"
        assert result.stdout.startswith(f"usage: imgbot {command}")


def test_health_reports_a_fresh_database_as_healthy(imgbot, tmp_path):
    result = imgbot("health", env={"IMGBOT_DB": str(tmp_path / "db.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert "healthy" in result.stdout


def test_dockerignore_keeps_secrets_and_state_out():
    ignored = (REPO / ".dockerignore").read_text().split()
    for entry in (".env", ".venv", "data", ".git"):
        assert entry in ignored
