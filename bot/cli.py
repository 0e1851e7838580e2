"""`imgbot run | chat | ask | next | topics | validate | eval | unanswered | health | backup`.

A thin layer over the core: parse arguments, call the core, print. JSON shapes are contracts
(see README): keep them exact.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import gc
import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.core.errors import StorageError
from bot.core.freshness import passed_dates, stale, weekend_warnings
from bot.core.knowledge import KnowledgeError, default_knowledge_dir, load_knowledge, validate_dir
from bot.core.models import KnowledgeBase
from bot.core.questions.answers import Answers

if TYPE_CHECKING:
    from bot.core.service import Service

REPO_ROOT = Path(__file__).resolve().parents[1]
EXIT_USAGE = 2

# This module is the process's entry point, and the process ends when main() returns. Python's
# last garbage collections would first walk the whole heap (the word indexes and vectors, the
# Telegram library) that the operating system frees anyway: ~0.3 s of CPU and of SIGTERM-to-exit
# for a bot process (6 starts each: median 1.58 -> 1.24 s of CPU from start to exit). Frozen at
# exit, the collector skips it. Nothing waits on it: the bot has closed its database and the
# logging module flushes its handlers after this runs (atexit runs the last registered first).
atexit.register(gc.freeze)


def default_eval_file() -> Path:
    """The shared dev set when it sits beside the repo, else the copy the repo carries."""
    shared = REPO_ROOT.parent / "shared" / "eval" / "dev.yaml"
    return shared if shared.exists() else REPO_ROOT / "tests" / "data" / "dev.yaml"


def _knowledge(settings: Settings) -> KnowledgeBase:
    return load_knowledge(settings.knowledge_dir or default_knowledge_dir())


@asynccontextmanager
async def open_service(settings: Settings) -> AsyncIterator[Service]:
    """The Service on the configured knowledge and database, closed on exit."""
    from bot.core.service import Service

    svc = await Service.open(_knowledge(settings), settings.db_path, settings.admins)
    try:
        yield svc
    finally:
        await svc.close()


# -- commands ----------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.token:
        print(
            "TELEGRAM_BOT_TOKEN is not set: opening the terminal chat instead "
            "(same engine and database).",
            file=sys.stderr,
        )
        return cmd_chat(args, settings)
    from bot.tg.app import run_bot

    kb = _knowledge(settings)
    asyncio.run(_check_storage(settings))  # before connecting to Telegram: fail fast, one line
    return run_bot(settings, kb)


async def _check_storage(settings: Settings) -> None:
    """Open (creating and migrating) the database once: raises StorageError if it is unusable."""
    from bot.core.service import Service

    await Service.check_database(settings.db_path)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import Console

    async def main() -> None:
        async with open_service(settings) as service:
            # sys.stdout now, not Console's default (bound at import): a caller of main() that
            # redirected it (the tests run the CLI in process) gets the chat
            await Console(service, out=sys.stdout).run(sys.stdin)

    asyncio.run(main())
    return 0


def _questions(text: str) -> Iterator[str]:
    if text == "-":
        for line in sys.stdin:
            if line.strip():
                yield line.rstrip("\n")
    else:
        yield text


# The contract's names for the matcher's decisions (`imgbot ask --json`, "kind").
CONTRACT_KINDS = {
    "answer": "answer",
    "suggest": "choices",
    "none": "none",
    "smalltalk": "smalltalk",
}


def _matcher_mode(args: argparse.Namespace) -> str:
    return "legacy" if args.legacy else "lexical" if args.lexical else "hybrid"


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import flat_buttons, render_text
    from bot.core.questions.answers import build_matcher

    kb = _knowledge(settings)
    answers = Answers(kb, build_matcher(kb, _matcher_mode(args)))
    for question in _questions(" ".join(args.text)):
        result, reply = answers.respond(question)
        text = None if result.kind == "none" else render_text(reply)
        if text is not None and result.kind == "suggest":
            text += "\n" + "\n".join(f"- {b.label}" for b in flat_buttons(reply))
        if args.json:
            matches = [{"topic": m.topic, "score": round(m.score, 1)} for m in result.matches[:5]]
            out: dict[str, object] = {
                "matches": matches,
                "answer": text,
                "kind": CONTRACT_KINDS[result.kind],
            }
            if result.kind == "answer" and result.entry:
                out["entry"] = result.entry
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            print(render_text(reply))
            for n, button in enumerate(flat_buttons(reply), 1):
                print(f"  [{n}] {button.label}")
            print(flush=True)
    return 0


def cmd_topics(args: argparse.Namespace, settings: Settings) -> int:
    kb = _knowledge(settings)
    rows = [
        {
            "id": t.id,
            "title": t.title,
            "sources": [s.url for s in t.sources],
            "reviewed": t.reviewed.isoformat(),
        }
        for t in kb.topics
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['id']:32} {row['title']}  (reviewed {row['reviewed']})")
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.plan.path import event_suffixes, load_road, validate_road

    path = Path(args.dir) if args.dir else settings.knowledge_dir or default_knowledge_dir()
    problems = validate_dir(path)
    has_road = (path / "path.yaml").exists()  # without one the bot uses the repo's path
    if not problems and has_road:  # checked against the topics and events that loaded
        loaded = load_knowledge(path)
        events = event_suffixes([d.id for d in loaded.deadlines])
        problems = validate_road(path, {t.id for t in loaded.topics}, events)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    kb = load_knowledge(path)
    today = datetime.now(UTC).date()
    for warning in [*weekend_warnings(kb), *passed_dates(kb, today)]:
        print(f"warning: {warning}", file=sys.stderr)
    if args.max_age is not None:
        old = stale(kb, today, args.max_age)
        for line in old:
            print(line, file=sys.stderr)
        if old:
            print(f"{len(old)} item(s) not reviewed in {args.max_age} days", file=sys.stderr)
            return 1
    print(
        f"OK: {len(kb.topics)} topics, {len(kb.entries)} entries, "
        f"{len(kb.deadlines)} deadlines, "
        f"{len(load_road(path).steps) if has_road else 'no'} path steps in {path}"
    )
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.evaluation import evaluate, load_questions

    path = Path(args.file) if args.file else default_eval_file()
    from bot.core.questions.answers import build_matcher

    try:
        questions = load_questions(path)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    matcher = build_matcher(_knowledge(settings), _matcher_mode(args))
    report = evaluate(matcher, questions, strict=args.strict)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.to_text())
    return 0


def cmd_next(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.plan.planner import advise
    from bot.core.profile.fields import ProfileError, load_profile_file

    try:
        profile = load_profile_file(Path(args.profile)) if args.profile else None
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError:
        print(f"error: --today must be a date like 2026-11-21, got {args.today!r}", file=sys.stderr)
        return EXIT_USAGE
    from bot.core.models import Profile

    plan = advise(profile or Profile(), today, _knowledge(settings).deadlines)
    actions = [
        {
            "topic": a.topic,
            "title": a.title,
            "why": a.why,
            "due": a.due.isoformat() if a.due else None,
        }
        for a in plan.actions
    ]
    if args.json:
        print(json.dumps({"actions": actions, "warnings": list(plan.warnings)}, ensure_ascii=False))
    else:
        for n, a in enumerate(actions, 1):
            print(f"{n}. {a['title']}" + (f" (by {a['due']})" if a["due"] else ""))
            print(f"   {a['why']}")
        for warning in plan.warnings:
            print(f"warning: {warning}")
    return 0


def cmd_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.service import Service

    rows = asyncio.run(Service.top_unanswered_in(settings.db_path, args.limit))
    if args.json:
        print(json.dumps([{"question": q, "count": n} for q, n in rows], ensure_ascii=False))
    elif not rows:
        print("No unanswered questions yet.")
    for question, count in [] if args.json else rows:
        print(f"{count:5}  {question}")
    return 0


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """For the container HEALTHCHECK: knowledge valid, database readable, sweeps running."""
    from bot.core.service import Service
    from bot.heartbeat import is_fresh

    _knowledge(settings)
    version = asyncio.run(Service.check_database(settings.db_path))
    if not is_fresh(settings.db_path, settings.reminder_interval):
        print("unhealthy: the reminder sweep has not run recently", file=sys.stderr)
        return 1
    print(f"healthy: schema version {version}")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the live database with SQLite's online backup API (safe while the bot runs)."""
    import sqlite3

    target = Path(args.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(settings.db_path) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
    print(f"backed up {settings.db_path} to {target}")
    return 0


# -- parser ------------------------------------------------------------------------------------
def _matcher_flags(parser: argparse.ArgumentParser) -> None:
    """Run an older matcher, to compare (benchmarks/bench_matching.py does the same in one run)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--lexical", action="store_true", help="words only: no sentence vectors")
    group.add_argument(
        "--legacy",
        action="store_true",
        help="the lexical topic matcher as before entries and vectors (commit e6a0011)",
    )


def _non_negative_days(text: str) -> int:
    """argparse type for --max-age: a whole number of days, 0 or more."""
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of days")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imgbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the Telegram bot (terminal chat without a token)")
    sub.add_parser("chat", help="talk to the bot in this terminal")
    ask = sub.add_parser("ask", help="answer one question ('-': one per line from stdin)")
    ask.add_argument("text", nargs="+")
    ask.add_argument("--json", action="store_true")
    _matcher_flags(ask)
    topics = sub.add_parser("topics", help="list the topics of the knowledge base")
    topics.add_argument("--json", action="store_true")
    validate = sub.add_parser("validate", help="check the knowledge files")
    validate.add_argument("dir", nargs="?")
    validate.add_argument(
        "--max-age",
        type=_non_negative_days,
        metavar="DAYS",
        help="also fail on topics and entries not reviewed within DAYS",
    )
    ev = sub.add_parser("eval", help="score the matcher on a question set")
    ev.add_argument("file", nargs="?")
    ev.add_argument("--json", action="store_true")
    ev.add_argument(
        "--strict", action="store_true", help="count only each question's topic, not its `also`"
    )
    _matcher_flags(ev)
    nxt = sub.add_parser("next", help="the ordered plan for a profile")
    nxt.add_argument("--profile")
    nxt.add_argument("--today")
    nxt.add_argument("--json", action="store_true")
    un = sub.add_parser("unanswered", help="the most frequent questions the bot could not answer")
    un.add_argument("--limit", type=int, default=20)
    un.add_argument("--json", action="store_true")
    sub.add_parser("health", help="exit 0 when the bot's knowledge, database and sweeps are fine")
    backup = sub.add_parser("backup", help="copy the database safely while the bot runs")
    backup.add_argument("path")
    return parser


COMMANDS = {
    "run": cmd_run,
    "chat": cmd_chat,
    "ask": cmd_ask,
    "topics": cmd_topics,
    "validate": cmd_validate,
    "eval": cmd_eval,
    "next": cmd_next,
    "unanswered": cmd_unanswered,
    "health": cmd_health,
    "backup": cmd_backup,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        code = COMMANDS[args.command](args, settings)
        sys.stdout.flush()  # a reader that went away shows here, not as a traceback at exit
        return code
    except BrokenPipeError:
        # `imgbot topics | head -1`: the reader closed the pipe. Stop quietly, as cat does; the
        # rest of the output goes nowhere (Python's documented recipe, signal module).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KnowledgeError as exc:
        print(f"the knowledge base is invalid, refusing to start:\n{exc}", file=sys.stderr)
        return 1
    except StorageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
