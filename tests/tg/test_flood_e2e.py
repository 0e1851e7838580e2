"""The per-user flood guard in the real bot: a paste of many messages is slowed, not answered."""

from __future__ import annotations

import time

from fakeapi import FakeBotApi


def test_a_flood_is_slowed_with_one_warning_and_others_are_still_served(fake_api: FakeBotApi, bot):
    bot()
    since = fake_api.mark()
    for n in range(40):
        fake_api.message(555, f"what is soap {n}")
    fake_api.message(556, "what is soap")
    fake_api.wait_for_message(556, contains="Supplemental Offer", since=since, timeout=20)
    replies = fake_api.replies(555, since=since, quiet=1.0)
    warnings = [r for r in replies if "very fast" in r["text"]]
    answers = [r for r in replies if "Supplemental Offer" in r["text"]]
    assert len(warnings) == 1
    assert 1 <= len(answers) <= 10, f"{len(answers)} answers to a flood of 40"
    time.sleep(2.5)  # the bucket refills one token every 2 s: the person is served again
    assert any("Supplemental" in r["text"] for r in fake_api.say(555, "what is soap"))
