"""End-to-end throughput, reply latency and memory of the real bot process.

    .venv/bin/python benchmarks/bench_bot.py [--users 1000] [--updates 2000] [--rate 50]
                                             [--seconds 20] [--limiter off|on]

The real `imgbot run` process (tests/fakeapi/harness.BotProcess) polls a FakeBotApi on
127.0.0.1. Questions come from tests/data/holdout.yaml (written independently of the knowledge).

1. Throughput: `--updates` questions from `--users` distinct private chats are queued at once;
   updates/s = updates / (last reply's arrival at the fake - first push).
2. Latency: one question per new user at a fixed `--rate` for `--seconds`; latency = arrival
   of the reply's sendMessage at the fake - push time (both wall clock in this process).
3. Memory: VmRSS and VmHWM (peak) of the bot process from /proc/<pid>/status.

`--limiter off` (default) runs the bot with the overall ~30 msg/s cap of its AIORateLimiter
lifted (a wrapper forces `overall_max_rate=0` before `bot.cli.main`; per-group limits stay) and
the fake without flood limits: that measures what the bot *process* can handle. `--limiter on`
runs the bot exactly as shipped against a fake enforcing Telegram's limits: replies can then
never exceed the limiter's ~28-30/s, whatever the bot's capacity (BENCHMARKS.md, "Bot
throughput").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import yaml  # noqa: E402
from fakeapi import BOT_USERNAME, BotProcess, FakeBotApi  # noqa: E402
from fakeapi.harness import RUN_COMMAND  # noqa: E402

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.questions.answers import Answers, build_matcher  # noqa: E402
from bot.tg.render import render  # noqa: E402

QUESTIONS_FILE = ROOT / "tests" / "data" / "holdout.yaml"

# Targets from the brief; printed next to the measurements.
TARGET_UPDATES_PER_S = 200.0
TARGET_P95_MS = 100.0
TARGET_RSS_MB = 150.0

# The wrapper that lifts the bot's overall rate cap: AIORateLimiter.__init__ is wrapped so that
# whatever overall_max_rate the bot passes becomes 0 (= no overall limiter); group limits stay.
_UNCAPPED_PRELUDE = (
    "import sys\n"
    "from telegram.ext import AIORateLimiter\n"
    "_init = AIORateLimiter.__init__\n"
    "def _uncapped(self, *args, **kwargs):\n"
    "    assert not args, 'overall_max_rate is expected as a keyword'\n"
    "    _init(self, **{**kwargs, 'overall_max_rate': 0})\n"
    "AIORateLimiter.__init__ = _uncapped\n"
    "from bot.cli import main\n"
    "sys.exit(main())\n"
)
UNCAPPED_COMMAND = [sys.executable, "-c", _UNCAPPED_PRELUDE, "run"]


# -- helpers shared with soak.py and bench_reminders.py -------------------------------------------


def load_questions(path: Path = QUESTIONS_FILE) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [str(item["q"]) for item in data["questions"]]


def message_counts(questions: Iterable[str], lexical: bool = False) -> dict[str, int]:
    """How many messages the bot sends for each question (an answer may be split at 4096),
    answered by the matcher the bot runs (`--lexical`: words only, as IMGBOT_SEMANTIC=0)."""
    kb = load_knowledge()
    answers = Answers(kb, build_matcher(kb, "lexical" if lexical else "hybrid"))
    return {q: len(render(answers.respond(q)[1], BOT_USERNAME)) for q in set(questions)}


def pushed_questions(args: argparse.Namespace, questions: list[str]) -> list[str]:
    """The questions a run pushes (warm-up, throughput, latency): a small run answers a few."""
    latency = max(1, round(args.rate * args.seconds))
    return (
        questions[: args.warmup]
        + [questions[n % len(questions)] for n in range(min(args.updates, len(questions)))]
        + [questions[(n * 7) % len(questions)] for n in range(min(latency, len(questions)))]
    )


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (kB) from /proc; {} once the process is gone."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process, in seconds."""
    import os

    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class ReplyTracker:
    """Incrementally reads the fake's successful sendMessage calls (index order, no rescans)."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        self.since = fake.mark()
        self.count: Counter[object] = Counter()
        self.first: dict[object, float] = {}
        self.last: dict[object, float] = {}
        self.texts: dict[object, list[str]] = {}

    def poll(self, keep_text: bool = False) -> None:
        calls = self.fake.calls("sendMessage", since=self.since)
        for call in calls:
            self.since = max(self.since, call.index)
            if not call.ok:
                continue
            chat = call.params.get("chat_id")
            self.count[chat] += 1
            self.first.setdefault(chat, call.time)
            self.last[chat] = call.time
            if keep_text:
                self.texts.setdefault(chat, []).append(str(call.params.get("text", "")))


class RssSampler(threading.Thread):
    """Samples the bot's VmRSS every `every` seconds (kB) until stopped."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, int]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.every):
            rss = proc_status(self.pid).get("VmRSS")
            if rss:
                self.samples.append((time.monotonic(), rss))

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


# -- the benchmark --------------------------------------------------------------------------------


@dataclass
class Results:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, metric: str, value: str, target: str = "", verdict: str = "") -> None:
        self.rows.append((metric, value, target, verdict))

    def table(self) -> str:
        header = ("metric", "value", "target", "")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(4)]
        lines = [" | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True))]
        lines.append("-+-".join("-" * w for w in widths))
        lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in self.rows]
        return "\n".join(lines)


def _wait_answered(
    tracker: ReplyTracker, expected: dict[int, int], timeout: float, keep_text: bool = False
) -> list[int]:
    """Wait until every chat got its expected number of messages; returns the missing chats."""
    deadline = time.monotonic() + timeout
    while True:
        tracker.poll(keep_text)
        missing = [c for c, n in expected.items() if tracker.count[c] < n]
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(0.05)


def run(args: argparse.Namespace, out: Results) -> None:
    questions = load_questions()
    per_question = message_counts(pushed_questions(args, questions), args.lexical)
    with FakeBotApi() as fake, tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        if args.limiter == "on":
            fake.enforce_limits()
        command = UNCAPPED_COMMAND if args.limiter == "off" else list(RUN_COMMAND)
        env = {"IMGBOT_REMINDER_INTERVAL": "60"} | (
            {"IMGBOT_SEMANTIC": "0"} if args.lexical else {}
        )
        bot = BotProcess(fake, Path(tmp), env=env, command=command)
        bot.start().wait_ready(timeout=60)
        assert bot.process is not None
        pid = bot.process.pid
        sampler = RssSampler(pid)
        sampler.start()
        try:
            _warm_up(fake, questions, per_question, args.warmup)
            rss_warm = proc_status(pid).get("VmRSS", 0)
            _throughput(fake, args, questions, per_question, out, pid)
            _latency(fake, args, questions, per_question, out)
            status = proc_status(pid)
        finally:
            sampler.stop()
            code = bot.terminate(timeout=30) if bot.running else bot.returncode
        rss_mb, hwm_mb = status.get("VmRSS", 0) / 1024, status.get("VmHWM", 0) / 1024
        out.add("bot RSS after warm-up", f"{rss_warm / 1024:.1f} MB")
        out.add(
            "bot RSS at end",
            f"{rss_mb:.1f} MB",
            f"< {TARGET_RSS_MB:.0f} MB",
            _ok(rss_mb < TARGET_RSS_MB),
        )
        out.add(
            "bot peak RSS (VmHWM)",
            f"{hwm_mb:.1f} MB",
            f"< {TARGET_RSS_MB:.0f} MB",
            _ok(hwm_mb < TARGET_RSS_MB),
        )
        out.add("429 answers from the fake", str(fake.count_429))
        log = bot.output()
        errors = [ln for ln in log.splitlines() if " ERROR " in ln or ln.startswith("Traceback")]
        out.add("ERROR/Traceback lines in bot log", str(len(errors)))
        out.add("bot exit code (SIGTERM)", str(code))
        if errors:
            out.failures.append("bot logged errors:\n" + "\n".join(errors[:10]))


def _ok(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def _warm_up(
    fake: FakeBotApi, questions: list[str], per_question: dict[str, int], count: int
) -> None:
    """Imports, first SQLite pages, matcher caches: not part of any measurement."""
    tracker = ReplyTracker(fake)
    expected = {}
    for i, q in enumerate(questions[:count]):
        chat = 900_000 + i
        fake.message(chat, q)
        expected[chat] = per_question[q]
    missing = _wait_answered(tracker, expected, timeout=60)
    if missing:
        raise AssertionError(f"warm-up: {len(missing)} chats unanswered\n{fake.dump()}")


def _throughput(
    fake: FakeBotApi,
    args: argparse.Namespace,
    questions: list[str],
    per_question: dict[str, int],
    out: Results,
    pid: int,
) -> None:
    users = [100_000 + i for i in range(args.users)]
    expected: Counter[int] = Counter()
    tracker = ReplyTracker(fake)
    cpu0 = cpu_seconds(pid)
    t0 = time.time()
    for n in range(args.updates):
        chat = users[n % len(users)]
        q = questions[n % len(questions)]
        fake.message(chat, q)
        expected[chat] += per_question[q]
    pushed = time.time() - t0
    missing = _wait_answered(tracker, dict(expected), timeout=args.timeout)
    cpu = cpu_seconds(pid) - cpu0
    answered = len(expected) - len(missing)
    end = max(tracker.last.values(), default=t0)
    elapsed = end - t0
    rate = args.updates / elapsed if elapsed > 0 else float("inf")
    target = TARGET_UPDATES_PER_S if args.limiter == "off" else 25.0
    out.add(
        f"throughput: {args.updates} updates / {len(expected)} users",
        f"{rate:.0f} updates/s ({elapsed:.2f} s; queued in {pushed:.2f} s)",
        f">= {target:.0f}/s",
        _ok(rate >= target and not missing),
    )
    out.add("  bot CPU per update", f"{cpu / args.updates * 1000:.2f} ms")
    out.add("  chats fully answered", f"{answered}/{len(expected)}")
    if missing:
        out.failures.append(f"throughput: {len(missing)} chats not fully answered")


def _latency(
    fake: FakeBotApi,
    args: argparse.Namespace,
    questions: list[str],
    per_question: dict[str, int],
    out: Results,
) -> None:
    total = max(1, round(args.rate * args.seconds))
    tracker = ReplyTracker(fake)
    pushed: dict[int, float] = {}
    expected: dict[int, int] = {}
    start = time.monotonic()
    behind = 0.0
    for n in range(total):
        due = start + n / args.rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        else:
            behind = max(behind, now - due)
        chat = 200_000 + n
        q = questions[(n * 7) % len(questions)]
        pushed[chat] = time.time()
        fake.message(chat, q)
        expected[chat] = per_question[q]
    offered = total / (time.monotonic() - start)
    missing = _wait_answered(tracker, expected, timeout=args.timeout)
    latencies = [(tracker.first[c] - pushed[c]) * 1000 for c in pushed if c in tracker.first]
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    out.add(
        f"latency at {args.rate:g} updates/s for {args.seconds:g} s",
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
        f"max {max(latencies, default=0):.0f} ms",
        f"p95 < {TARGET_P95_MS:.0f} ms",
        _ok(p95 < TARGET_P95_MS and not missing),
    )
    out.add(
        "  offered load achieved",
        f"{offered:.1f} updates/s ({total} updates, max lag {behind * 1000:.0f} ms)",
    )
    out.add(
        "  mean latency", f"{statistics.fmean(latencies) if latencies else float('nan'):.1f} ms"
    )
    if missing:
        out.failures.append(f"latency: {len(missing)} chats not answered")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000, help="distinct users (throughput)")
    parser.add_argument("--updates", type=int, default=2000, help="updates queued at once")
    parser.add_argument("--rate", type=float, default=50, help="offered load for latency, /s")
    parser.add_argument("--seconds", type=float, default=20, help="latency phase length")
    parser.add_argument(
        "--limiter",
        choices=("off", "on"),
        default="off",
        help="off: bot's 30/s overall cap lifted, fake unlimited (capacity); "
        "on: as shipped, fake enforces Telegram's limits",
    )
    parser.add_argument("--timeout", type=float, default=300, help="max wait for all replies")
    parser.add_argument("--warmup", type=int, default=30, help="questions before measuring")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--lexical",
        action="store_true",
        help="no sentence model (IMGBOT_SEMANTIC=0): faster start, for smoke runs",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Results()
    t = time.monotonic()
    run(args, out)
    print(
        f"bench_bot: limiter={args.limiter}, python {sys.version.split()[0]}, "
        f"{time.monotonic() - t:.0f} s total"
    )
    print(out.table())
    for failure in out.failures:
        print("FAIL:", failure)
    missed = any(r[3] == "MISSED" for r in out.rows)
    return 1 if out.failures or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
