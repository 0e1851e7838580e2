"""Property tests: parsers and the matcher hold up under arbitrary input.

Anything a person (or a forged client) can send must produce a clear answer or a clean
rejection, never an exception; parsers accept exactly what is valid.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import callbacks
from bot.core.knowledge import validate_dir
from bot.core.models import PROFILE_FIELDS, STEP_STATUSES, KnowledgeBase, Profile, ReminderSettings
from bot.core.profile.fields import ProfileError, parse_field, parse_profile
from bot.core.questions.matching import Matcher
from bot.core.questions.words import normalise
from bot.core.reminders.settings import SettingError, apply_setting

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def matcher(repo_knowledge: KnowledgeBase) -> Matcher:
    return Matcher(repo_knowledge)


@FUZZ
@given(st.text(max_size=3000))
def test_normalise_never_raises_and_is_idempotent(text):
    once = normalise(text)
    assert isinstance(once, str)
    assert normalise(once) == once


@given(text=st.text(max_size=600))
@FUZZ
def test_matcher_never_raises_and_keeps_the_contract(matcher, text):
    result = matcher.match(text)
    assert result.kind in ("answer", "suggest", "none", "smalltalk")
    assert len(result.matches) <= 5
    assert all(0 <= m.score <= 100 for m in result.matches)
    assert [m.score for m in result.matches] == sorted(
        (m.score for m in result.matches), reverse=True
    )
    if result.kind in ("none", "smalltalk"):
        assert result.matches == ()


KIND_ARGS = st.sampled_from(sorted(callbacks.KINDS.items()))
ARG = st.from_regex(r"[A-Za-z0-9_.+/-]{1,12}", fullmatch=True)


@FUZZ
@given(st.one_of(st.text(max_size=80), st.binary(max_size=80).map(lambda b: b.decode("latin-1"))))
def test_callback_decoding_rejects_what_we_did_not_produce(data):
    decoded = callbacks.decode(data)
    if decoded is not None:
        assert callbacks.encode(decoded.kind, *decoded.args) == data


@FUZZ
@given(
    KIND_ARGS.flatmap(
        lambda ka: st.tuples(st.just(ka[0]), st.lists(ARG, min_size=ka[1], max_size=ka[1]))
    )
)
def test_everything_we_encode_decodes_back(kind_args):
    kind, args = kind_args
    assert callbacks.decode(callbacks.encode(kind, *args)) == callbacks.Callback(kind, tuple(args))


@FUZZ
@given(st.sampled_from(PROFILE_FIELDS), st.text(max_size=30))
def test_profile_fields_accept_only_valid_values(field, text):
    try:
        value = parse_field(field, text)
    except ProfileError as exc:
        assert exc.field == field or field in str(exc)
        return
    profile = Profile(**{field: value})
    assert parse_profile(profile.to_dict()) == profile
    if field in ("step1", "step2ck", "step3") and value is not None:
        assert value in STEP_STATUSES


@FUZZ
@given(
    st.dictionaries(
        st.text(max_size=15),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
        max_size=5,
    )
)
def test_profile_mappings_are_validated_whole(data):
    try:
        profile = parse_profile(data)
    except ProfileError:
        return
    assert set(profile.to_dict()) <= set(data)
    assert set(data) <= set(PROFILE_FIELDS)


@FUZZ
@given(
    st.sampled_from(["on", "off", "leads", "tz", "quiet", "x"]),
    st.lists(st.text(max_size=12), max_size=6),
)
def test_reminder_settings_change_or_refuse(name, args):
    try:
        changed = apply_setting(ReminderSettings(), name, args)
    except SettingError:
        return
    assert all(0 <= d <= 365 for d in changed.leads) and 1 <= len(changed.leads) <= 5


@pytest.fixture(scope="module")
def one_event_knowledge(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A knowledge directory with the first real event and the one topic it links to: the
    deadline checks run in full (the topic link included) in ~4 ms per example, where the whole
    directory took ~0.5 s and the topic's whole file ~9 ms (300 examples: 150 s, 2.7 s)."""
    source = Path(__file__).resolve().parents[1] / "knowledge"
    event = yaml.safe_load((source / "deadlines.yaml").read_text())["deadlines"][0]
    root = tmp_path_factory.mktemp("kb")
    (root / "topics").mkdir()
    for topic_file in (source / "topics").glob("*.yaml"):
        data = yaml.safe_load(topic_file.read_text())
        linked = [t for t in data["topics"] if t["id"] == event["topic"]]
        if linked:
            text = yaml.safe_dump({**data, "topics": linked}, sort_keys=False, allow_unicode=True)
            (root / "topics" / topic_file.name).write_text(text)
    (root / "deadlines.yaml").write_text(yaml.safe_dump({"deadlines": [event]}))
    assert not [p for p in validate_dir(root) if p.file == "deadlines.yaml"], "valid as copied"
    return root, event


@FUZZ
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)) | st.text(max_size=25))
def test_deadline_dates_are_validated(one_event_knowledge, value):
    root, event = one_event_knowledge
    (root / "deadlines.yaml").write_text(yaml.safe_dump({"deadlines": [{**event, "date": value}]}))
    problems = [p for p in validate_dir(root) if p.file == "deadlines.yaml"]
    valid_year = isinstance(value, date) and value.year in (event["cycle"], event["cycle"] - 1)
    if not valid_year and not (
        isinstance(value, str) and _is_valid_date_text(value, event["cycle"])
    ):
        assert problems, f"{value!r} was accepted"


def _is_valid_date_text(value: str, cycle: int) -> bool:
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return False
        return moment.tzinfo is not None and moment.year in (cycle, cycle - 1)
    return parsed.year in (cycle, cycle - 1)
