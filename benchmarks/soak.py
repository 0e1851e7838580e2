"""Soak test: the real bot under mixed traffic, injected faults and two kill -9 restarts.

    .venv/bin/python benchmarks/soak.py [--seconds 600] [--subscribers 300] [--seed 1]

The real `imgbot run` process polls a FakeBotApi (Telegram's flood limits enforced) with a
temporary copy of knowledge/ in which three events of the current cycle are moved to "now + 1
day + t", so their 1-day reminders fall due during the run (IMGBOT_REMINDER_INTERVAL=1). Traffic:
private questions (one new user each), /next dialogs with button presses, @mentions in
supergroups, and `--subscribers` chats that sent `/remind on` first. Every few seconds one fault
is injected: 429, 500/502 on sendMessage, 502 on getUpdates or answerCallbackQuery, a sendMessage
answered after 6 s (a client timeout: the message was delivered, the bot does not know), a slow
getUpdates. The bot is killed with SIGKILL at 25% and 50% of the run and restarted on the same
database. After a drain period the bot gets SIGTERM and the checks run:

- every question / button press was answered (updates the killed process had already taken
  from getUpdates but not answered are reported apart: Bot API polling confirms an update when
  the next getUpdates is made, which PTB does before handling it);
- reminders: per chat, event and lead exactly one outbox row, sent, and exactly as many reminder
  texts at the fake as sent rows; extra copies are attributed to an injected client timeout or a
  kill -9 (at-least-once) and reported apart, any other copy or loss fails;
- RSS flat: VmRSS of the last process (the second half of the run) grows < 10% after warm-up;
- the bot log has no ERROR / Traceback except the expected consequences of injected faults.

Prints a verdict; exits 1 on failure.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_bot import load_questions, percentile, proc_status  # noqa: E402
from fakeapi import BOT_USERNAME, BotProcess, FakeBotApi  # noqa: E402

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.reminders import calendar  # noqa: E402

KNOWLEDGE = ROOT / "knowledge"
SOAK_EVENTS = ("soap", "match-week", "match-day")  # suffixes of the moved events
EVENT_AT = (0.15, None, 0.75)  # fraction of the run; None: 3 s before the second kill
KILL_AT = (0.25, 0.5)
RSS_GROWTH_LIMIT = 0.10
# Start-up allocations (knowledge, index, the sentence model) settle within the first minute;
# a shorter run (the smoke test) cannot tell growth from warm-up, so it only checks the ceiling.
RSS_JUDGED_AFTER = 60
RSS_MAX_MB = 300  # the bot's memory budget (issue 10: < 300 MB with the sentence model)
TIMEOUT_DELAY = 6.0  # > PTB's 5 s read timeout: the client gives up, the fake still delivers

# Log lines that are the expected consequence of an injected fault (or of a kill -9).
INJECTED = re.compile(
    r"Internal Server Error|Bad Gateway|Service Unavailable|Too Many Requests|Rate limit hit|"
    r"Timed out|TimedOut|retry after|NetworkError|httpx\.ReadTimeout|ReadTimeout",
)
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")


class SoakFake(FakeBotApi):
    """The fake, remembering which answers it delayed (to attribute timeout duplicates)."""

    def __init__(self) -> None:
        super().__init__()
        self._tls = threading.local()
        self.delayed: set[int] = set()
        self.flood: list[tuple[float, Any]] = []  # (time, chat_id) of each enforced 429

    def _check_flood(self, chat_id: Any) -> None:
        try:
            super()._check_flood(chat_id)
        except Exception:
            self.flood.append((time.time(), chat_id))
            raise

    def _apply_delay(self, method: str) -> None:
        before = time.monotonic()
        super()._apply_delay(method)
        self._tls.delayed = time.monotonic() - before > 1.0

    def _record(self, method: str, params: Any, status: int, response: Any) -> None:
        with self._changed:
            super()._record(method, params, status, response)
            if getattr(self._tls, "delayed", False):
                self.delayed.add(self._calls[-1].index)
                self._tls.delayed = False


@dataclass
class Pushed:
    kind: str  # question | group | next | callback | remind
    update_id: int
    chat: int
    at: float  # wall clock
    ref: Any = None  # group: message_id; callback: query id


@dataclass
class Soak:
    args: argparse.Namespace
    fake: SoakFake
    bot: BotProcess
    questions: list[str]
    rng: random.Random
    pushed: list[Pushed] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)  # wall clock of each SIGKILL
    starts: list[float] = field(default_factory=list)  # wall clock of each start
    faults: Counter[str] = field(default_factory=Counter)
    rss: list[tuple[int, float, int]] = field(default_factory=list)  # (start no., t, kB)
    dialogs: dict[int, tuple[int, float]] = field(default_factory=dict)  # chat: (presses, last)
    next_user: int = 1_000_000
    # outbox keys of every subscriber's 1-day reminder of each moved event: the drain waits for them
    planned: frozenset[str] = frozenset()

    # -- traffic --------------------------------------------------------------------------------
    def user(self) -> int:
        self.next_user += 1
        return self.next_user

    def question(self) -> None:
        chat = self.user()
        t = time.time()
        u = self.fake.message(chat, self.rng.choice(self.questions))
        self.pushed.append(Pushed("question", u["update_id"], chat, t))

    def group(self) -> None:
        chat = -1_001_000_000_000 - self.rng.randrange(self.args.groups)
        text = f"@{BOT_USERNAME} {self.rng.choice(self.questions)}"
        t = time.time()
        u = self.fake.message(chat, text, user_id=2_000_000 + self.rng.randrange(500))
        self.pushed.append(Pushed("group", u["update_id"], chat, t, u["message"]["message_id"]))

    def dialog(self) -> None:
        """Start a /next dialog, or press a button in one that waits (up to 4 presses)."""
        now = time.monotonic()
        ready = [c for c, (n, last) in self.dialogs.items() if n < 4 and now - last > 1.5]
        if ready and self.rng.random() < 0.7:
            chat = self.rng.choice(ready)
            presses, _ = self.dialogs[chat]
            msgs = [m for m in self.fake.bot_messages(chat) if FakeBotApi.buttons(m)]
            data = (
                [b["callback_data"] for b in FakeBotApi.buttons(msgs[-1]) if "callback_data" in b]
                if msgs
                else []
            )
            if not data:
                self.dialogs[chat] = (presses, now)
                return
            t = time.time()
            u = self.fake.callback(chat, data[0], msgs[-1]["message_id"])
            self.pushed.append(
                Pushed("callback", u["update_id"], chat, t, u["callback_query"]["id"])
            )
            self.dialogs[chat] = (presses + 1, now)
            return
        chat = self.user()
        t = time.time()
        u = self.fake.message(chat, "/next")
        self.pushed.append(Pushed("next", u["update_id"], chat, t))
        self.dialogs[chat] = (0, now)
        if len(self.dialogs) > 200:  # keep the candidate list small
            for old in [c for c, (n, _) in self.dialogs.items() if n >= 4][:100]:
                del self.dialogs[old]

    def inject_fault(self) -> None:
        kind = self.rng.choice(
            ["429", "500", "502", "getUpdates-502", "callback-502", "timeout", "slow-poll"]
        )
        f = self.fake
        if kind == "429":
            f.fail_next("sendMessage", 429, retry_after=1)
        elif kind in ("500", "502"):
            f.fail_next("sendMessage", int(kind))
        elif kind == "getUpdates-502":
            f.fail_next("getUpdates", 502)
        elif kind == "callback-502":
            f.fail_next("answerCallbackQuery", 502)
        elif kind == "timeout":
            f.delay_next("sendMessage", TIMEOUT_DELAY)
        else:
            f.delay_next("getUpdates", 2.0)
        self.faults[kind] += 1

    # -- process control ------------------------------------------------------------------------
    def kill_and_restart(self) -> None:
        self.kills.append(time.time())
        self.bot.kill9()
        time.sleep(0.5)
        self.starts.append(time.time())
        self.bot.start()
        self.bot.wait_ready(timeout=60)

    def sample_rss(self) -> None:
        if self.bot.process is not None and self.bot.running:
            kb = proc_status(self.bot.process.pid).get("VmRSS")
            if kb:
                self.rss.append((self.bot.starts, time.monotonic(), kb))


# -- set-up ---------------------------------------------------------------------------------------


def knowledge_copy(
    target: Path, start: datetime, seconds: float
) -> tuple[dict[str, tuple[str, datetime]], int]:
    """Copy knowledge/ and move three events so their 1-day reminder is due during the run.

    Returns ({event id: (title, due time of the 1-day reminder)}, the events' cycle).
    """
    shutil.copytree(KNOWLEDGE, target)
    kb = load_knowledge(KNOWLEDGE)
    cycle = calendar.default_cycle(kb.deadlines, start)
    assert cycle is not None, "no upcoming cycle in knowledge/deadlines.yaml"
    path = target / "deadlines.yaml"
    text = path.read_text(encoding="utf-8")
    moved = {}
    for n, (suffix, frac) in enumerate(zip(SOAK_EVENTS, EVENT_AT, strict=True), 1):
        offset = frac * seconds if frac is not None else KILL_AT[1] * seconds - 3
        due = start + timedelta(seconds=offset)
        at = due + timedelta(days=1)
        event_id = f"{cycle}-{suffix}"
        title = f"Soak event {n} ({suffix})"
        block = re.compile(rf"(  - id: {re.escape(event_id)}\n)(.*?)(?=\n  - id: |\n  #|\Z)", re.S)
        match = block.search(text)
        assert match, f"{event_id} not found in deadlines.yaml"
        body = re.sub(r"(?m)^    title: .*$", f"    title: {title}", match.group(2))
        body = re.sub(r"(?m)^    date: .*$", f"    date: {at.isoformat(timespec='seconds')}", body)
        text = text[: match.start(2)] + body + text[match.end(2) :]
        moved[event_id] = (title, due)
    path.write_text(text, encoding="utf-8")
    load_knowledge(target)  # fails loudly if the edit broke the contract
    return moved, cycle


# -- checks ---------------------------------------------------------------------------------------


@dataclass
class Verdict:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def info(self, text: str) -> None:
        self.lines.append(text)

    def check(self, ok: bool, text: str) -> None:
        self.lines.append(("ok    " if ok else "FAIL  ") + text)
        if not ok:
            self.failures.append(text)


def answered_updates(s: Soak) -> tuple[list[Pushed], list[float]]:
    """Pushed updates without their answer, and reply latencies (ms) of the answered ones."""
    first_msg: dict[int, float] = {}
    group_replies: dict[tuple[int, int], float] = {}
    callback_answers: set[str] = set()
    for call in s.fake.calls():
        if not call.ok:
            continue
        p = call.params
        if call.method == "sendMessage":
            chat = p.get("chat_id")
            first_msg.setdefault(chat, call.time)
            reply = p.get("reply_parameters") or {}
            mid = reply.get("message_id") if isinstance(reply, dict) else None
            mid = mid or p.get("reply_to_message_id")
            if mid is not None:
                group_replies.setdefault((chat, mid), call.time)
        elif call.method == "answerCallbackQuery":
            callback_answers.add(str(p.get("callback_query_id")))
    missing, latencies = [], []
    for u in s.pushed:
        if u.kind == "callback":
            ok, when = u.ref in callback_answers, None
        elif u.kind == "group":
            when = group_replies.get((u.chat, u.ref))
            ok = when is not None
        else:  # one new private chat per question / dialog start / subscription
            when = first_msg.get(u.chat)
            ok = when is not None and when >= u.at - 1
        if not ok:
            missing.append(u)
        elif when is not None and u.kind == "question":
            latencies.append((when - u.at) * 1000)
    return missing, latencies


def taken_before_kill(s: Soak) -> set[int]:
    """Update ids some killed process received from getUpdates."""
    last_start = s.starts[-1] if s.kills else float("inf")
    taken: set[int] = set()
    for call in s.fake.calls("getUpdates"):
        if call.ok and call.time < last_start and isinstance(call.response, list):
            taken.update(u["update_id"] for u in call.response)
    return taken


def check_reminders(
    s: Soak, moved: dict[str, tuple[str, datetime]], subscribers: list[int], v: Verdict
) -> None:
    db = sqlite3.connect(f"file:{s.bot.db_path}?mode=ro", uri=True)
    rows = db.execute("SELECT chat_id, key, sent_at, dead, attempts FROM outbox").fetchall()
    db.close()
    kb = load_knowledge(s.args.knowledge)
    title_of = {d.id: d.title for d in kb.deadlines}
    sent_rows: Counter[tuple[int, str]] = Counter()  # (chat, event id) -> sent rows
    keys = Counter(key for _, key, _, _, _ in rows)
    unsent = [r for r in rows if r[2] is None]
    for chat, key, sent_at, _, _ in rows:
        if sent_at is not None:
            event = key.split(":")[1]
            sent_rows[(chat, event)] += 1
    # What the users saw: every "Reminder: <title>" line of every delivered message.
    id_of = {t: i for i, t in title_of.items()}
    seen: dict[tuple[int, str], list[int]] = defaultdict(list)  # -> call indexes
    call_time: dict[int, float] = {}
    for call in s.fake.calls("sendMessage"):
        if not call.ok:
            continue
        for line in str(call.params.get("text", "")).splitlines():
            if line.startswith("Reminder: "):
                title = re.sub(r"<[^>]+>", "", line.removeprefix("Reminder: ")).strip()
                event = id_of.get(title)
                if event is not None:
                    seen[(call.params["chat_id"], event)].append(call.index)
                    call_time[call.index] = call.time
    lost, dup_timeout, dup_kill, dup_other = [], [], [], []
    for pair in set(sent_rows) | set(seen):
        want, got = sent_rows.get(pair, 0), len(seen.get(pair, []))
        if got < want:
            lost.append(pair)
        elif got > want:
            indexes = seen[pair]
            times = [call_time[i] for i in indexes]
            if any(i in s.fake.delayed for i in indexes):
                dup_timeout.append(pair)
            elif any(min(times) <= k <= max(times) for k in s.kills):
                dup_kill.append(pair)
            else:
                dup_other.append(pair)
    missing_due = [
        (chat, event) for chat in subscribers for event in moved if f"{chat}:{event}:1" not in keys
    ]
    per_lead = Counter(key.rsplit(":", 1)[1] for key in keys if key.split(":")[1] in moved)
    v.info(
        f"reminders: {len(rows)} outbox rows ({sum(1 for r in rows if r[2])} sent), "
        f"{sum(len(x) for x in seen.values())} reminder texts seen by users; "
        f"moved events by lead: {dict(sorted(per_lead.items()))}"
    )
    v.check(
        not missing_due,
        f"every subscriber planned the 1-day reminder of all 3 moved events "
        f"({len(subscribers) * len(moved) - len(missing_due)}/{len(subscribers) * len(moved)})",
    )
    v.check(not unsent, f"no reminder left unsent or dead after the drain ({len(unsent)})")
    v.check(not lost, f"no reminder marked sent but never seen by the user ({len(lost)})")
    v.check(
        not dup_other, f"no reminder doubled without a cause ({len(dup_other)}) {dup_other[:5]}"
    )
    v.info(f"      doubled after an injected client timeout (at-least-once): {len(dup_timeout)}")
    v.info(f"      doubled in flight at a kill -9 (at-least-once): {len(dup_kill)}")


def check_rss(s: Soak, v: Verdict) -> None:
    by_start: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for start, t, kb in s.rss:
        by_start[start].append((t, kb))
    for start, samples in sorted(by_start.items()):
        v.info(
            f"RSS process #{start}: {len(samples)} samples, "
            f"{samples[0][1] / 1024:.1f} -> {samples[-1][1] / 1024:.1f} MB "
            f"(max {max(kb for _, kb in samples) / 1024:.1f} MB)"
        )
    last = by_start.get(max(by_start, default=0), [])
    if not last:
        v.check(False, "RSS: no sample of the last process")
        return
    t0, t1 = last[0][0], last[-1][0]
    if t1 - t0 < RSS_JUDGED_AFTER:
        v.info(
            f"RSS flatness not judged: the last process ran {t1 - t0:.0f} s of {RSS_JUDGED_AFTER} s"
        )
        v.check(max(kb for _, kb in last) < RSS_MAX_MB * 1024, f"RSS under {RSS_MAX_MB} MB")
        return
    if len(last) < 6:
        v.check(False, "RSS: too few samples in the last process")
        return
    warm = [kb for t, kb in last if t <= t0 + 0.2 * (t1 - t0)]
    base = statistics.median(warm[len(warm) // 2 :] or warm)
    tail = statistics.median(kb for _, kb in last[-3:])
    growth = tail / base - 1
    v.check(
        growth < RSS_GROWTH_LIMIT and max(kb for _, kb in last) < RSS_MAX_MB * 1024,
        f"RSS flat in the last process: {base / 1024:.1f} MB after warm-up -> {tail / 1024:.1f} MB "
        f"at the end ({growth:+.1%}, limit +{RSS_GROWTH_LIMIT:.0%})",
    )


def check_log(s: Soak, v: Verdict) -> None:
    records: list[str] = []
    for line in s.bot.output().splitlines():
        if RECORD_START.match(line) or line.startswith("====="):
            records.append(line)
        elif records:
            records[-1] += "\n" + line
        else:
            records.append(line)
    bad = [r for r in records if (" ERROR " in r.split("\n", 1)[0] or "Traceback" in r)]
    expected = [r for r in bad if INJECTED.search(r)]
    unexpected = [r for r in bad if not INJECTED.search(r)]
    warnings = sum(1 for r in records if " WARNING " in r.split("\n", 1)[0])
    v.info(
        f"bot log: {len(records)} records, {warnings} warnings, "
        f"{len(expected)} errors caused by injected faults"
    )
    v.check(not unexpected, f"no unexpected ERROR/Traceback in the bot log ({len(unexpected)})")
    for r in unexpected[:3]:
        v.info("      " + r[:1500].replace("\n", "\n      "))


# -- main -----------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    questions = load_questions()
    v = Verdict()
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    args.knowledge = tmp / "knowledge"
    started = time.time()
    start_dt = datetime.now(UTC) + timedelta(seconds=args.setup)
    moved, args.cycle = knowledge_copy(args.knowledge, start_dt, args.seconds)
    fake = SoakFake()
    fake.start()
    fake.enforce_limits()
    env = {"IMGBOT_KNOWLEDGE_DIR": str(args.knowledge), "IMGBOT_REMINDER_INTERVAL": "1"}
    if args.lexical:
        env["IMGBOT_SEMANTIC"] = "0"
    bot = BotProcess(fake, tmp / "bot", env=env)
    s = Soak(args, fake, bot, questions, rng)
    try:
        s.starts.append(time.time())
        bot.start().wait_ready(timeout=60)
        subscribers = subscribe(s, args)
        s.planned = frozenset(f"{chat}:{event}:1" for chat in subscribers for event in moved)
        drive(s, args, start_dt)
        drain(s, args)
        s.sample_rss()
        code = bot.terminate(timeout=30)
        v.info(f"bot exit code after SIGTERM: {code}")
        report(s, args, moved, subscribers, v, started)
    finally:
        bot.cleanup()
        fake.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")
    print("\n".join(v.lines))
    print(f"VERDICT: {'PASS' if not v.failures else 'FAIL (' + str(len(v.failures)) + ')'}")
    return 0 if not v.failures else 1


def subscribe(s: Soak, args: argparse.Namespace) -> list[int]:
    """`/remind on` from `--subscribers` chats before the traffic starts (bounded wait)."""
    chats = [3_000_000 + i for i in range(args.subscribers)]
    for chat in chats:  # the moved events are of that cycle; without a year the bot picks
        s.fake.message(chat, f"/profile set target_match_year {args.cycle}")  # the next one
        u = s.fake.message(chat, "/remind on")
        s.pushed.append(Pushed("remind", u["update_id"], chat, time.time()))
    deadline = time.monotonic() + args.setup
    while time.monotonic() < deadline:
        got = {m["chat_id"] for m in s.fake.sent_messages() if m["chat_id"] in set(chats)}
        if len(got) == len(chats) and _reminder_rows(s) >= len(chats):
            break
        time.sleep(0.5)
    return chats


def drive(s: Soak, args: argparse.Namespace, start_dt: datetime) -> None:
    """Mixed traffic until --seconds after start_dt; kills at KILL_AT; bounded in time."""
    # The schedule (events, kills) is anchored at start_dt; traffic begins at once, so it also
    # fills whatever the subscriptions left of the set-up window.
    t_start = time.monotonic() + (start_dt - datetime.now(UTC)).total_seconds()
    end = t_start + args.seconds
    kills = [t_start + f * args.seconds for f in KILL_AT]
    rates = {"question": args.rate * 0.6, "group": args.rate * 0.1, "dialog": args.rate * 0.3}
    owed = dict.fromkeys(rates, 0.0)
    next_fault = time.monotonic() + args.fault_every
    next_rss = time.monotonic()
    restarting: threading.Thread | None = None
    last = time.monotonic()
    while (now := time.monotonic()) < end:
        dt, last = now - last, now
        for kind, rate in rates.items():
            owed[kind] += rate * dt
            while owed[kind] >= 1:
                owed[kind] -= 1
                getattr(s, kind)()
        if now >= next_fault:
            s.inject_fault()
            next_fault += args.fault_every * rng_jitter(s.rng)
        if now >= next_rss:
            s.sample_rss()
            next_rss += args.rss_every
        if kills and now >= kills[0] and (restarting is None or not restarting.is_alive()):
            kills.pop(0)
            restarting = threading.Thread(target=s.kill_and_restart, daemon=True)
            restarting.start()
        time.sleep(0.05)
    if restarting is not None:
        restarting.join(timeout=90)
    for _ in kills:  # a slow restart delayed a kill past the end: every run gets both
        s.kill_and_restart()


def rng_jitter(rng: random.Random) -> float:
    return 0.5 + rng.random()


def drain(s: Soak, args: argparse.Namespace) -> None:
    """No new traffic: wait for answers, every planned reminder in the outbox and none of it
    unsent (retries wait 60 s), bounded."""
    deadline = time.monotonic() + args.drain
    while time.monotonic() < deadline:
        s.sample_rss()
        missing, _ = answered_updates(s)
        taken = taken_before_kill(s)
        open_updates = [u for u in missing if u.update_id not in taken]
        if not open_updates and s.planned <= _outbox_keys(s) and _pending_outbox(s) == 0:
            return
        time.sleep(min(args.rss_every, 2.0))


def _db_rows(s: Soak, sql: str) -> list[tuple[Any, ...]] | None:
    """Rows of a read-only query on the bot's database; None while it cannot be read."""
    try:
        db = sqlite3.connect(f"file:{s.bot.db_path}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return None


def _reminder_rows(s: Soak) -> int:
    rows = _db_rows(s, "SELECT count(*) FROM reminders WHERE enabled = 1")
    return rows[0][0] if rows else -1


def _outbox_keys(s: Soak) -> set[str]:
    return {key for (key,) in _db_rows(s, "SELECT key FROM outbox") or ()}


def _pending_outbox(s: Soak) -> int:
    rows = _db_rows(s, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
    return rows[0][0] if rows else -1


def report(
    s: Soak,
    args: argparse.Namespace,
    moved: dict[str, tuple[str, datetime]],
    subscribers: list[int],
    v: Verdict,
    started: float,
) -> None:
    kinds = Counter(u.kind for u in s.pushed)
    v.info(
        f"soak: {args.seconds:g} s of traffic, {time.time() - started:.0f} s in all, "
        f"seed {args.seed}"
    )
    v.info(f"pushed updates: {dict(kinds)}; bot starts: {s.bot.starts}; kill -9: {len(s.kills)}")
    v.info(f"injected faults: {dict(s.faults)}; 429 answers in all: {s.fake.count_429}")
    too_many = [c for c in s.fake.calls() if c.status == 429]
    kinds_of = {u.chat: u.kind for u in s.pushed}
    flood = Counter(
        "group" if isinstance(chat, int) and chat < 0 else kinds_of.get(chat, "other")
        for _, chat in s.fake.flood
    )
    near_start = [t for t, _ in s.fake.flood if any(0 <= t - st <= 5 for st in s.starts)]
    v.info(
        f"429 answers: {len(too_many)} ({s.faults['429']} injected, {len(s.fake.flood)} from the "
        f"fake's flood limits: by chat {dict(flood)}, {len(near_start)} within 5 s of a start)"
    )
    missing, latencies = answered_updates(s)
    taken = taken_before_kill(s)
    in_flight = [u for u in missing if u.update_id in taken]
    lost = [u for u in missing if u.update_id not in taken]
    v.check(
        not lost,
        f"every question, mention, command and button press answered "
        f"({len(s.pushed) - len(missing)}/{len(s.pushed)}; unanswered: {len(lost)})",
    )
    v.info(
        f"      taken by a process then killed (-9) before answering: {len(in_flight)} "
        f"({dict(Counter(u.kind for u in in_flight))})"
    )
    for u in lost[:5]:
        v.info(f"      unanswered: {u}")
    if latencies:
        v.info(
            f"question reply latency: p50 {percentile(latencies, 50):.0f} ms, "
            f"p95 {percentile(latencies, 95):.0f} ms, max {max(latencies):.0f} ms "
            "(includes restarts, injected faults and the 30/s flood limit)"
        )
    check_reminders(s, moved, subscribers, v)
    check_rss(s, v)
    check_log(s, v)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=float, default=600, help="length of the traffic phase")
    p.add_argument("--rate", type=float, default=8, help="updates/s of traffic (all kinds)")
    p.add_argument("--subscribers", type=int, default=300, help="chats with reminders on")
    p.add_argument("--groups", type=int, default=20, help="supergroups used for mentions")
    p.add_argument("--fault-every", type=float, default=5, help="mean seconds between faults")
    p.add_argument(
        "--rss-every",
        type=float,
        default=None,
        help="seconds between RSS samples (default: seconds/60, 1 to 5)",
    )
    p.add_argument("--setup", type=float, default=30, help="max seconds for the subscriptions")
    p.add_argument("--drain", type=float, default=120, help="max seconds to wait after traffic")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--lexical",
        action="store_true",
        help="no sentence model (IMGBOT_SEMANTIC=0): faster start, for smoke runs",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.rss_every is None:
        args.rss_every = max(1.0, min(5.0, args.seconds / 60))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
