"""The flood guard: bursts allowed, floods slowed with one warning, refills over time."""

from __future__ import annotations

from bot.core.flood import FloodGuard


def test_a_burst_passes_then_one_warning_then_silence():
    guard = FloodGuard(burst=3, rate=1.0)
    verdicts = [guard.check(1, 0.0) for _ in range(100)]
    assert verdicts[:3] == ["allow"] * 3
    assert verdicts[3] == "warn"
    assert set(verdicts[4:]) == {"drop"}


def test_tokens_refill_at_the_rate_and_users_are_independent():
    guard = FloodGuard(burst=2, rate=0.5)
    assert [guard.check(1, 0.0) for _ in range(3)] == ["allow", "allow", "warn"]
    assert guard.check(2, 0.0) == "allow"
    assert guard.check(1, 1.0) == "drop"  # half a token
    assert guard.check(1, 2.0) == "allow"  # one full token after 2 s
    assert guard.check(1, 2.0) == "warn"  # a new flood gets a new warning


def test_a_paste_of_100_messages_is_answered_only_a_few_times():
    guard = FloodGuard()
    answered = sum(guard.check(7, i / 100) == "allow" for i in range(100))
    assert answered <= guard.burst + 1


def test_idle_users_are_forgotten():
    guard = FloodGuard()
    guard.check(1, 0.0)
    guard.check(2, 500.0)
    guard.forget_idle(700.0)
    assert len(guard) == 1
