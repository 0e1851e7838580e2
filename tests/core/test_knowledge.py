"""Knowledge loading: a valid base becomes frozen models; each kind of mistake is located exactly.

Broken cases copy the valid fixture into tmp_path and change one thing by text replacement, so
each test shows the mistake it makes and line numbers stay predictable.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.knowledge import (
    KnowledgeError,
    Problem,
    default_knowledge_dir,
    load_knowledge,
    validate_dir,
)
from bot.core.models import Deadline, KnowledgeBase, Source, Topic

VALID = Path(__file__).parent / "fixtures" / "knowledge" / "valid"
TODAY = date(2026, 6, 1)
EXAMS = "topics/02-exams.yaml"
START = "topics/01-start.yaml"
DEADLINES = "deadlines.yaml"

Edit = tuple[str, str, str]  # (file relative to the knowledge dir, old text, new text)


def make_dir(tmp_path: Path, *edits: Edit) -> Path:
    """A copy of the valid fixture with each edit applied; each old text must occur once."""
    root = tmp_path / "knowledge"
    shutil.copytree(VALID, root)
    for file, old, new in edits:
        target = root / file
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {file}"
        target.write_text(text.replace(old, new), encoding="utf-8")
    return root


def line_of(root: Path, file: str, needle: str, after: str | None = None) -> int:
    """1-based number of the first line of `file` containing `needle` (below `after`, if given)."""
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    start = line_of(root, file, after) if after is not None else 0
    return next(i for i, line in enumerate(lines, 1) if i > start and needle in line)


def problems_of(root: Path) -> list[Problem]:
    return validate_dir(root, today=TODAY)


def only_problem(root: Path) -> Problem:
    problems = problems_of(root)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def where(p: Problem) -> tuple[str, str | None, str | None, int | None]:
    return p.file, p.entry, p.field, p.line


# -- the valid base ---------------------------------------------------------------------------


def test_valid_fixture_has_no_problems() -> None:
    assert problems_of(VALID) == []


def test_valid_fixture_loads_topics_in_file_order_as_frozen_models() -> None:
    kb = load_knowledge(VALID, today=TODAY)

    assert isinstance(kb, KnowledgeBase)
    assert [t.id for t in kb.topics] == ["usmle-overview", "usmle-step1", "eras-application"]
    step1 = kb.topic("usmle-step1")
    assert step1 == Topic(
        id="usmle-step1",
        title="USMLE Step 1",
        stage="exams",
        summary="Step 1 is pass/fail.",
        answer="Step 1 covers the basic sciences and is scored pass/fail.",
        variants=("how is step 1 scored",),
        keywords=("step 1", "s1"),
        related=(),
        sources=(
            Source("Step 1", "https://www.usmle.org/step-exams/step-1"),
            Source("ECFMG", "https://www.ecfmg.org/"),
        ),
        reviewed=date(2026, 2, 1),  # written as a quoted string in the fixture
    )
    overview = kb.topics[0]
    assert overview.stage == "start"
    assert (
        overview.answer == "The USMLE has three Steps.\n\nStep 1 and Step 2 CK can be taken abroad."
    )
    assert type(overview.reviewed) is date
    assert isinstance(kb.topics, tuple)
    assert all(isinstance(getattr(t, f), tuple) for t in kb.topics for f in ("variants", "sources"))


def test_valid_fixture_loads_deadlines_sorted_with_time_zones() -> None:
    kb = load_knowledge(VALID, today=TODAY)

    assert [d.id for d in kb.deadlines] == [
        "eras-opens-2027",
        "programs-receive-2027",
        "match-day-2027",
    ]
    eras, programs, match_day = kb.deadlines
    assert eras == Deadline(
        id="eras-opens-2027",
        title="ERAS opens",
        cycle=2027,
        at=datetime(2026, 6, 3, tzinfo=ZoneInfo("America/New_York")),
        all_day=True,
        topic="eras-application",
        status="confirmed",
        source="https://students-residents.aamc.org/eras",
    )
    assert eras.at.utcoffset() == timedelta(hours=-4)  # midnight Eastern (daylight time)
    assert eras.at.astimezone(UTC) == datetime(2026, 6, 3, 4, tzinfo=UTC)
    eastern_summer = timezone(timedelta(hours=-4))
    assert programs.at == datetime(2026, 9, 24, 9, tzinfo=eastern_summer)  # from a string
    assert match_day.at == datetime(2027, 3, 19, 12, tzinfo=eastern_summer)  # from a YAML datetime
    assert match_day.at.utcoffset() == timedelta(hours=-4)
    assert not programs.all_day and not match_day.all_day
    assert match_day.estimated and not eras.estimated


def test_deadlines_file_is_optional(tmp_path: Path) -> None:
    root = make_dir(tmp_path)
    (root / DEADLINES).unlink()

    assert load_knowledge(root, today=TODAY).deadlines == ()


# -- topic files ------------------------------------------------------------------------------


def test_yaml_syntax_error_reports_the_parser_line(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path, (EXAMS, '    summary: "Step 1 is pass/fail."', '    summary: "Step 1" is')
    )

    problem = only_problem(root)

    assert where(problem) == (EXAMS, None, None, line_of(root, EXAMS, "summary:"))
    assert problem.message.startswith("YAML syntax error")


def test_missing_field(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (EXAMS, '    summary: "ERAS is how you apply."\n', ""))

    problem = only_problem(root)

    assert where(problem) == (
        EXAMS,
        "eras-application",
        "summary",
        line_of(root, EXAMS, "id: eras-"),
    )
    assert problem.message == "is required"


@pytest.mark.parametrize("empty", ['""', "", '"   "'])
def test_empty_field(tmp_path: Path, empty: str) -> None:
    root = make_dir(tmp_path, (EXAMS, 'answer: "Apply through ERAS."', f"answer: {empty}"))

    problem = only_problem(root)

    line = line_of(root, EXAMS, "answer:", after="id: eras-application")
    assert where(problem) == (EXAMS, "eras-application", "answer", line)
    assert problem.message == "must not be empty"


def test_empty_item_in_a_list(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path, (START, 'variants: ["what is usmle", "usmle steps"]', 'variants: ["a", ""]')
    )

    problem = only_problem(root)

    assert where(problem)[:3] == (START, "usmle-overview", "variants[1]")


def test_a_repeated_variant_is_named_with_its_first_copy(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path,
        (
            START,
            'variants: ["what is usmle", "usmle steps"]',
            'variants: ["USMLE  steps", "a", "usmle steps"]',
        ),
    )

    problem = only_problem(root)

    assert where(problem)[:3] == (START, "usmle-overview", "variants[2]")
    assert problem.message == "repeats variants[0]"


def test_unknown_field_suggests_the_right_name(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (EXAMS, 'variants: ["when does eras open"]', 'varients: ["x"]'))

    problems = problems_of(root)

    line = line_of(root, EXAMS, "varients")
    unknown = next(p for p in problems if p.field == "varients")
    assert where(unknown) == (EXAMS, "eras-application", "varients", line)
    assert "did you mean 'variants'" in unknown.message
    assert {p.field for p in problems} == {"varients", "variants"}  # and variants is missing


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    root = make_dir(tmp_path)
    duplicate = (root / START).read_text(encoding="utf-8").split("topics:\n")[1]
    with (root / EXAMS).open("a", encoding="utf-8") as exams:
        exams.write(duplicate)

    problem = only_problem(root)

    line = line_of(root, EXAMS, "id: usmle-overview")
    assert where(problem) == (EXAMS, "usmle-overview", "id", line)
    assert problem.message == f"duplicate id; first defined at {START}:4"


def test_related_id_that_does_not_exist(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path,
        (EXAMS, "related: [usmle-overview, usmle-step1]", "related: [usmle-overview, step-one]"),
    )

    problem = only_problem(root)

    assert where(problem) == (
        EXAMS,
        "eras-application",
        "related[1]",
        line_of(root, EXAMS, "step-one"),
    )
    assert problem.message == "unknown topic id 'step-one'"


def test_related_to_itself(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (START, "related: [usmle-step1]", "related: [usmle-overview]"))

    assert where(only_problem(root))[:3] == (START, "usmle-overview", "related[0]")


def test_non_https_source(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path, (EXAMS, 'url: "https://www.ecfmg.org/"', 'url: "http://www.ecfmg.org/"')
    )

    problem = only_problem(root)

    assert where(problem) == (
        EXAMS,
        "usmle-step1",
        "sources[1].url",
        line_of(root, EXAMS, "http://"),
    )
    assert str(problem) == (
        f"{EXAMS}:{problem.line}: entry 'usmle-step1', field 'sources[1].url': must start with https://"
    )


@pytest.mark.parametrize("bad", ['"01/02/2026"', "2026-02-30", "yesterday", "2026-02-01 10:00:00"])
def test_malformed_reviewed_date(tmp_path: Path, bad: str) -> None:
    root = make_dir(tmp_path, (EXAMS, 'reviewed: "2026-02-01"', f"reviewed: {bad}"))

    problem = only_problem(root)

    assert where(problem) == (EXAMS, "usmle-step1", "reviewed", line_of(root, EXAMS, "reviewed: "))


def test_future_reviewed_date(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (EXAMS, "reviewed: 2026-03-01", "reviewed: 2026-06-02"))

    problem = only_problem(root)

    assert where(problem)[:3] == (EXAMS, "eras-application", "reviewed")
    assert problem.message == "2026-06-02 is in the future"


def test_bad_stage(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (EXAMS, "stage: exams", "stage: exam"))

    problem = only_problem(root)

    assert where(problem) == (EXAMS, None, "stage", 1)
    assert "one of: start, exams" in problem.message


def test_bad_id_and_missing_id(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path,
        (EXAMS, "id: usmle-step1", "id: USMLE_Step1"),
        (EXAMS, "  - id: eras-application\n    title", "  - title"),
        (START, "related: [usmle-step1]", "related: []"),
        (EXAMS, "related: [usmle-overview, usmle-step1]", "related: []"),
    )
    (root / DEADLINES).unlink()  # its events point at eras-application

    problems = problems_of(root)

    assert [(p.entry, p.field, p.message[:15]) for p in problems] == [
        ("USMLE_Step1", "id", "must be lowerca"),
        ("#2", "id", "is required"),
    ]


def test_wrong_types_and_limits(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path,
        (EXAMS, '    title: "ERAS"\n    summary', "    title: 2026\n    summary"),
        (EXAMS, "keywords: [eras]", "keywords: eras"),
        (EXAMS, 'summary: "ERAS is how you apply."', f"summary: {'x' * 401}"),
        (EXAMS, '      - title: "ERAS"\n        url', "      - url"),
    )

    problems = problems_of(root)

    assert [(p.entry, p.field, p.message) for p in problems] == [
        ("eras-application", "title", "must be text, not a number"),
        ("eras-application", "summary", "is 401 characters long; at most 400"),
        ("eras-application", "keywords", "must be a list, not text"),
        ("eras-application", "sources[0].title", "is required"),
    ]


def test_missing_directory_and_no_topic_files(tmp_path: Path) -> None:
    assert [p.message for p in validate_dir(tmp_path / "nope")] == ["knowledge directory not found"]
    (tmp_path / "topics").mkdir()
    assert [p.message for p in validate_dir(tmp_path)] == ["no topic files (topics/*.yaml)"]


def test_empty_file_and_duplicate_keys(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path, (EXAMS, '  title: "ERAS"\n', '  title: "ERAS"\n    title: "ERAS again"\n')
    )
    (root / "topics" / "03-empty.yaml").write_text("# nothing yet\n", encoding="utf-8")

    problems = problems_of(root)

    assert [where(p) for p in problems] == [
        (EXAMS, "eras-application", "title", line_of(root, EXAMS, "ERAS again")),
        ("topics/03-empty.yaml", None, None, 1),
    ]


# -- the deadlines file -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2026-06-31", '"June 3"', "[2026]"])
def test_deadline_bad_date(tmp_path: Path, bad: str) -> None:
    root = make_dir(tmp_path, (DEADLINES, "date: 2026-06-03", f"date: {bad}"))

    problem = only_problem(root)

    line = line_of(root, DEADLINES, f"date: {bad}")
    assert where(problem) == (DEADLINES, "eras-opens-2027", "date", line)


@pytest.mark.parametrize("naive", ["2027-03-19T12:00:00", '"2027-03-19 12:00"'])
def test_deadline_naive_datetime(tmp_path: Path, naive: str) -> None:
    root = make_dir(tmp_path, (DEADLINES, "date: 2027-03-19T12:00:00-04:00", f"date: {naive}"))

    problem = only_problem(root)

    assert where(problem) == (DEADLINES, "match-day-2027", "date", line_of(root, DEADLINES, naive))
    assert "UTC offset" in problem.message


def test_deadline_unknown_topic(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (DEADLINES, "topic: usmle-overview", "topic: nrmp-match"))

    problem = only_problem(root)

    assert where(problem) == (
        DEADLINES,
        "match-day-2027",
        "topic",
        line_of(root, DEADLINES, "nrmp-match"),
    )
    assert problem.message == "unknown topic id 'nrmp-match'"


def test_deadline_bad_status(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (DEADLINES, "status: confirmed", "status: confirm"))

    problem = only_problem(root)

    assert where(problem) == (
        DEADLINES,
        "eras-opens-2027",
        "status",
        line_of(root, DEADLINES, "confirm"),
    )


def test_deadline_non_https_source(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path, (DEADLINES, 'source: "https://www.nrmp.org/"', "source: http://www.nrmp.org/")
    )

    problem = only_problem(root)

    assert where(problem) == (
        DEADLINES,
        "match-day-2027",
        "source",
        line_of(root, DEADLINES, "http:"),
    )
    assert problem.message == "must start with https://"


def test_deadline_duplicate_id(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (DEADLINES, "id: programs-receive-2027", "id: eras-opens-2027"))

    problem = only_problem(root)

    second = line_of(root, DEADLINES, "id: eras-opens-2027", after="id: eras-opens-2027")
    assert where(problem) == (DEADLINES, "eras-opens-2027", "id", second)
    assert "duplicate id" in problem.message


@pytest.mark.parametrize("bad", ["2025-06-03", "2028-06-03"])
def test_deadline_cycle_year_mismatch(tmp_path: Path, bad: str) -> None:
    root = make_dir(tmp_path, (DEADLINES, "date: 2026-06-03", f"date: {bad}"))

    problem = only_problem(root)

    assert where(problem) == (DEADLINES, "eras-opens-2027", "date", line_of(root, DEADLINES, bad))
    assert "2026-2027" in problem.message


@pytest.mark.parametrize("bad", ["1999", "true", '"2027"'])
def test_deadline_bad_cycle(tmp_path: Path, bad: str) -> None:
    root = make_dir(
        tmp_path,
        (DEADLINES, "cycle: 2027\n    date: 2026-06-03", f"cycle: {bad}\n    date: 2026-06-03"),
    )

    problem = only_problem(root)

    assert where(problem)[:3] == (DEADLINES, "eras-opens-2027", "cycle")


def test_deadline_unknown_field(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (DEADLINES, "status: confirmed", "status: confirmed\n    note: hi"))

    problem = only_problem(root)

    assert where(problem) == (
        DEADLINES,
        "eras-opens-2027",
        "note",
        line_of(root, DEADLINES, "note:"),
    )
    assert problem.message == "unknown field"


# -- the whole ------------------------------------------------------------------------------


def test_load_knowledge_raises_with_every_problem(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path,
        (START, "stage: start", "stage: begin"),
        (EXAMS, 'url: "https://www.ecfmg.org/"', 'url: "ftp://www.ecfmg.org/"'),
        (DEADLINES, "status: confirmed", "status: maybe"),
    )

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root, today=TODAY)

    problems = caught.value.problems
    assert [(p.file, p.field) for p in problems] == [
        (START, "stage"),
        (EXAMS, "sources[1].url"),
        (DEADLINES, "status"),
    ]
    assert str(caught.value).splitlines() == [str(p) for p in problems]


def test_problem_str_without_entry_or_line() -> None:
    assert str(Problem("topics", None, None, "no topic files")) == "topics: no topic files"
    assert str(Problem("a.yaml", None, "stage", "bad", 1)) == "a.yaml:1: field 'stage': bad"


def test_default_dir_respects_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IMGBOT_KNOWLEDGE_DIR", str(tmp_path))
    assert default_knowledge_dir() == tmp_path

    monkeypatch.delenv("IMGBOT_KNOWLEDGE_DIR")
    assert default_knowledge_dir() == Path(__file__).resolve().parents[2] / "knowledge"


def test_the_real_knowledge_base_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMGBOT_KNOWLEDGE_DIR", raising=False)
    assert "\n".join(map(str, validate_dir(default_knowledge_dir()))) == ""


def test_no_two_real_entries_share_a_phrasing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two entries asked the same way compete in matching and one of them can never win; the
    # review of December 2026 merged 28 such pairs, so a new one is a duplicate to merge.
    monkeypatch.delenv("IMGBOT_KNOWLEDGE_DIR", raising=False)
    owner: dict[str, str] = {}
    shared = []
    for entry in load_knowledge(default_knowledge_dir()).entries:
        for phrasing in {" ".join(p.lower().split()) for p in (entry.question, *entry.variants)}:
            other = owner.setdefault(phrasing, entry.id)
            if other != entry.id:
                shared.append(f"{other} / {entry.id}: {phrasing!r}")
    assert shared == []


# -- entries ----------------------------------------------------------------------------------

ENTRIES = "entries/usmle-step1.yaml"


def test_entries_load_with_their_topic_in_file_order() -> None:
    kb = load_knowledge(VALID, today=TODAY)

    assert [e.id for e in kb.entries_of("usmle-step1")] == [
        "step1-score-reporting",
        "step1-format",
    ]
    entry = kb.entry("step1-score-reporting")
    assert entry is not None
    assert entry.topic == "usmle-step1"
    assert entry.basis == "official"
    assert entry.related == ("step1-format",)
    assert entry.answer.startswith("No. Step 1 taken on or after 26 January 2022")
    assert kb.entry("step1-format").keywords == ()  # keywords and related are optional
    assert kb.entries_of("eras-application") == ()


def test_entries_directory_is_optional(tmp_path: Path) -> None:
    root = make_dir(tmp_path)
    shutil.rmtree(root / "entries")
    assert load_knowledge(root, today=TODAY).entries == ()


def test_entry_file_for_an_unknown_topic(tmp_path: Path) -> None:
    root = make_dir(tmp_path, (ENTRIES, "topic: usmle-step1", "topic: usmle-step9"))
    p = only_problem(root)
    assert where(p) == (ENTRIES, None, "topic", 1)
    assert "unknown topic id 'usmle-step9'" in p.message


def test_entry_problems_name_file_entry_and_field(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path,
        (
            ENTRIES,
            'basis: official\n    variants:\n      - "does',
            'basis: rumour\n    variants:\n      - "does',
        ),
        (ENTRIES, "related: [step1-format]", "related: [step1-nope]"),
        (ENTRIES, '    question: "How long is Step 1?"\n', ""),
    )
    found = {(p.entry, p.field): p for p in problems_of(root)}
    assert set(found) == {
        ("step1-score-reporting", "basis"),
        ("step1-score-reporting", "related[0]"),
        ("step1-format", "question"),
    }
    assert "must be one of: official, reported" in found[("step1-score-reporting", "basis")].message
    assert found[("step1-score-reporting", "basis")].line == line_of(root, ENTRIES, "basis: rumour")
    assert "unknown entry id 'step1-nope'" in found[("step1-score-reporting", "related[0]")].message
    assert found[("step1-format", "question")].message == "is required"


def test_entry_duplicate_id_and_too_long_answer(tmp_path: Path) -> None:
    root = make_dir(
        tmp_path,
        (ENTRIES, "id: step1-format", "id: step1-score-reporting"),
        (ENTRIES, 'answer: "One day', 'answer: "' + "x" * 900 + " One day"),
    )
    messages = sorted(str(p) for p in problems_of(root))
    assert any("duplicate id; first defined at entries/usmle-step1.yaml:3" in m for m in messages)
    assert any("field 'answer': is 9" in m and "at most 900" in m for m in messages)
