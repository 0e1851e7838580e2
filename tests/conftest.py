"""Suite-wide settings and the fixtures several test folders share."""

from __future__ import annotations

import io
import os
import ssl
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import bot  # noqa: F401  first, so numpy loads with one BLAS thread (bot/__init__.py says why)

if TYPE_CHECKING:
    from bot.core.models import KnowledgeBase

# python-telegram-bot warns on every RetryAfter unless this opt-in is set; tests treat
# warnings as errors (pyproject), and the bot sets the same in bot/tg/__init__.py.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Bytecode is written, whatever the environment says: with PYTHONDONTWRITEBYTECODE set (this
# machine sets it), every test process and every bot process the tests start compiled bot/
# (11k lines) again and pytest rewrote every test module again in each worker: 5-14 s of CPU
# and 3-9 s of wall a run, measured with and without __pycache__ (gitignored).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

REPO = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The real-process (e2e) tests first, in their usual order, then the rest.

    They spend most of their time waiting for the bot process (start-up, a restart, a drain),
    and run last they left a tail of ~8 s in which one core idled. First, their waits overlap the
    CPU-bound tests of the other workers: the README's test command from a fresh clone on an
    empty vector cache took 65.9 / 71.3 s against 73.7 / 77.7 s, interleaved (BENCHMARKS.md).
    """
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)


@pytest.fixture(scope="session", autouse=True)
def one_tls_context_per_kind() -> Iterator[None]:
    """`ssl.create_default_context` made once per set of arguments in a test process.

    Every python-telegram-bot Bot or Application a test builds (~130 in the suite) makes two
    httpx clients, and each client loads the CA bundle into a new TLS context: ~30 ms of CPU
    apiece, ~7 s for the suite. The tests talk plain HTTP to the fake Bot API on 127.0.0.1 and
    httpx configures nothing on the context it is given back (no client certificates here), so
    they share one. Bot processes started by the tests make their own, as in production.
    """
    made: dict[tuple[object, ...], ssl.SSLContext] = {}
    create = ssl.create_default_context

    def shared(
        purpose: ssl.Purpose = ssl.Purpose.SERVER_AUTH,
        *,
        cafile: str | None = None,
        capath: str | None = None,
        cadata: str | bytes | None = None,
    ) -> ssl.SSLContext:
        key = (purpose, cafile, capath, cadata)
        if key not in made:
            made[key] = create(purpose, cafile=cafile, capath=capath, cadata=cadata)
        return made[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ssl, "create_default_context", shared)
        yield


@pytest.fixture(scope="session", autouse=True)
def one_embedding_thread_per_worker() -> Iterator[None]:
    """Test processes embed many texts on one thread, not two (`encoder.EMBED_THREADS`).

    The bot embeds on two threads to use both cores at a first start; the suite's three xdist
    workers already keep both cores busy, and two threads in each made six for two cores. With
    an empty vector cache, back to back on 2 cores: 104 / 111 s of wall with two threads, 91 /
    89 s with one (the question sets' tests alone: ~66 s of CPU down to ~53 s). The test of the
    threaded path sets two threads itself.
    """
    from bot.core.questions import encoder

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoder, "EMBED_THREADS", 1)
        yield


@pytest.fixture(scope="session")
def repo_knowledge() -> KnowledgeBase:
    """The repo's knowledge/, loaded once per test process (tests/knowledge_once.py).

    A load parses and validates ~80 YAML files in ~0.3 s of CPU, and ~60 tests built a Service
    on the same unchanged files (~18 s of the suite's CPU). A KnowledgeBase is frozen, so
    sharing one cannot carry state from test to test; tests about loading still load.
    """
    from knowledge_once import repo_knowledge

    return repo_knowledge()


@dataclass(frozen=True)
class CliRun:
    """What `imgbot ARGS` returned and printed (the shape of subprocess.CompletedProcess)."""

    returncode: int
    stdout: str
    stderr: str


ImgbotRunner = Callable[..., CliRun]


@pytest.fixture
def imgbot(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> ImgbotRunner:
    """Run `imgbot ARGS` in this process: `bot.cli.main(argv)` with its own environment and
    standard input, returning exit code, stdout and stderr.

    A subprocess pays ~1-2 s of CPU per call for imports, the knowledge and the sentence model,
    which this process has loaded once; tests where the process itself is the point (a real
    pipe, the console script) start one. The environment is the caller's `env` alone: no
    IMGBOT_* or TELEGRAM_* variable of the shell leaks in. IMGBOT_SEMANTIC is refused: the
    encoder is loaded once per process (semantic.shared_encoder), so switching it off here
    would switch it off for every later test of this worker.
    """
    from bot.cli import main

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> CliRun:
        assert "IMGBOT_SEMANTIC" not in (env or {}), "set it only for a subprocess"
        for key in list(os.environ):
            if key.startswith(("IMGBOT_", "TELEGRAM_")):
                monkeypatch.delenv(key)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()  # only what this command prints
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: 0 after --help, 2 refusing the arguments
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        out, err = capsys.readouterr()
        return CliRun(code, out, err)

    return run
