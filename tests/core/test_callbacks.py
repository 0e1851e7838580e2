"""Callback data: what we encode decodes back; anything else is rejected, never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_an_owner_round_trips_and_stays_within_64_bytes():
    data = callbacks.encode("r", "tz", "America/Argentina/Buenos_Aires", owner=2**53 - 1)
    assert len(data.encode()) <= callbacks.MAX_BYTES
    decoded = callbacks.decode(data)
    assert decoded == callbacks.Callback("r", ("tz", "America/Argentina/Buenos_Aires"), 2**53 - 1)
    assert callbacks.decode(callbacks.encode("x", "yes")) == callbacks.Callback("x", ("yes",))


@pytest.mark.parametrize(
    "forged",
    [
        "1|x|yes|@",  # no id
        "1|x|yes|@0",  # no user has id 0
        "1|x|yes|@-5",
        "1|x|yes|@²",  # a superscript passes str.isdigit()
        "1|x|yes|@٤٢",  # other scripts' digits pass int()
        "1|x|yes|@" + "9" * 40,  # would overflow a 64-bit integer
        "1|x|yes|@42|@43",  # two owners
        "1|x|@42|yes",  # the owner is always last
        "1|x|yes\n",  # "$" in a pattern matches before a final newline; fullmatch does not
        "1|x|yes|@042",  # one spelling per owner
    ],
)
def test_forged_owners_are_rejected(forged):
    assert callbacks.decode(forged) is None


@pytest.mark.parametrize("owner", [0, -1, 2**53])
def test_encode_refuses_an_impossible_owner(owner):
    with pytest.raises(ValueError):
        callbacks.encode("x", "yes", owner=owner)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=70),
        st.builds(
            "|".join,
            st.lists(
                st.sampled_from(["1", "x", "b", "yes", "@42", "@", "@0", "42", "²"]), max_size=5
            ),
        ),
    )
)
def test_whatever_a_client_sends_decodes_to_none_or_to_exactly_what_we_would_encode(data):
    cb = callbacks.decode(data)
    if cb is not None:
        assert callbacks.encode(cb.kind, *cb.args, owner=cb.owner) == data
