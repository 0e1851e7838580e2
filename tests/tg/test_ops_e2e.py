"""Operations against the real process: SIGHUP reload (bad file keeps the old knowledge) and
JSON logs. The signal and the log output are the point."""

from __future__ import annotations

import json
import signal
import time

import pytest
from fakeapi import FakeBotApi
from helpers import copy_knowledge

pytestmark = pytest.mark.e2e

USER = 7002


def wait_for_log(proc, text: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in proc.output():
            return proc.output()
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in the bot's log:\n{proc.output()[-3000:]}")


def soap_title(fake_api: FakeBotApi) -> str:
    return fake_api.ask(USER, "what is soap")["text"].splitlines()[0]


def test_sighup_reloads_and_a_broken_file_keeps_the_old_knowledge(fake_api, bot, tmp_path):
    kb = copy_knowledge(tmp_path / "kb", entries=False)
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
