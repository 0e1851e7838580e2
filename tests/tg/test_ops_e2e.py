"""Operations against the real process: SIGHUP reload (bad file keeps the old knowledge), JSON
logs, /stats for admins only."""

from __future__ import annotations

import json
import shutil
import signal
import time
from pathlib import Path

from fakeapi import FakeBotApi

REPO = Path(__file__).resolve().parents[2]
ADMIN = 7001
USER = 7002


def wait_for_log(proc, text: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in proc.output():
            return proc.output()
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in the bot's log:\n{proc.output()[-3000:]}")


def soap_title(fake_api: FakeBotApi) -> str:
    replies = fake_api.say(USER, "what is soap")
    return replies[0]["text"].splitlines()[0]


def test_sighup_reloads_and_a_broken_file_keeps_the_old_knowledge(fake_api, bot, tmp_path):
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "knowledge", kb)
    proc = bot(IMGBOT_KNOWLEDGE_DIR=str(kb), IMGBOT_LOG_JSON="1")
    original = soap_title(fake_api)
    assert "SOAP" in original

    match_file = kb / "topics/06-match.yaml"
    good = match_file.read_text()
    match_file.write_text(good + "\n  - id: [broken\n")
    proc.process.send_signal(signal.SIGHUP)
    failed = wait_for_log(proc, "reload failed")
    assert "06-match.yaml" in failed, "the log says why"
    assert soap_title(fake_api) == original, "the old knowledge keeps serving"

    match_file.write_text(good.replace(original, "SOAP (renamed for this test)", 1))
    proc.process.send_signal(signal.SIGHUP)
    wait_for_log(proc, "SIGHUP: Reloaded")
    assert soap_title(fake_api) == "SOAP (renamed for this test)"

    lines = [line for line in proc.output().splitlines() if line.strip() and line[0] != "="]
    entries = [json.loads(line) for line in lines]  # every log line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert proc.terminate() == 0
    proc.assert_token_not_logged()


def test_stats_for_admins_only(fake_api, bot):
    bot(IMGBOT_ADMINS=str(ADMIN))
    fake_api.say(USER, "what is soap")
    fake_api.say(USER, "how to cook rice")
    refused = fake_api.say(USER, "/stats")
    assert "only" in refused[0]["text"].lower()
    stats = fake_api.say(ADMIN, "/stats")[0]["text"]
    assert "Users: 2" in stats or "Users: " in stats
    assert "Answer rate" in stats and "cook rice" in stats
