"""The per-user flood guard in the bot's Application: a paste of many messages is slowed, not
answered, and the person is served again once the bucket refilled (on a clock the test moves)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from helpers import text_of
from inprocess import InProcessBot, inprocess_bot

SOAP = "Supplemental Offer"


@pytest.fixture
async def bot(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[InProcessBot]:
    async with inprocess_bot(fake_api, tmp_path) as running:
        yield running


async def test_a_flood_is_slowed_with_one_warning_and_others_are_still_served(
    bot: InProcessBot, fake_api: FakeBotApi, clock
):
    since = fake_api.mark()
    for n in range(40):
        await bot.message(555, f"what is soap {n}")
    assert SOAP in text_of(await bot.say(556, "what is soap"))
    replies = fake_api.sent_messages(555, since=since)
    warnings = [r for r in replies if "very fast" in r["text"]]
    answers = [r for r in replies if SOAP in r["text"]]
    assert len(warnings) == 1
    assert 1 <= len(answers) <= 10, f"{len(answers)} answers to a flood of 40"
    clock.advance(2.5)  # the bucket refills one token every 2 s: the person is served again
    assert SOAP in text_of(await bot.say(555, "what is soap"))
