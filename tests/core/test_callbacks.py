"""Callback data: what we encode decodes back; anything else is rejected, never raises."""

from __future__ import annotations

import pytest

from bot.core import callbacks


def test_round_trip():
    data = callbacks.encode("p", "step1", "passed")
    assert data == "1|p|step1|passed"
    assert callbacks.decode(data) == callbacks.Callback("p", ("step1", "passed"))
    assert callbacks.decode(callbacks.encode("pb")) == callbacks.Callback("pb", ())
    entry = callbacks.encode("e", "soap-application-limit")
    assert callbacks.decode(entry) == callbacks.Callback("e", ("soap-application-limit",))


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        42,
        "1",
        "1|",
        "2|t|usmle-step1",  # another version
        "1|zz|x",  # unknown kind
        "1|t",  # missing argument
        "1|t|a|b",  # extra argument
        "1|t|<script>",  # characters we never produce
        "1|t|" + "a" * 70,  # longer than Telegram allows
        "1|t|usmle step1",
        "💥|t|x",
    ],
)
def test_forged_data_is_rejected(forged):
    assert callbacks.decode(forged) is None


@pytest.mark.parametrize(
    ("kind", "args"), [("t", ()), ("zz", ("x",)), ("t", ("a b",)), ("t", ("x" * 61,))]
)
def test_encode_refuses_what_would_not_round_trip(kind, args):
    with pytest.raises(ValueError):
        callbacks.encode(kind, *args)
