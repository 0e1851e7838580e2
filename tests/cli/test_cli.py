"""The CLI contracts from the README: shapes of `ask`, `topics`, `next` JSON, `validate`, `chat`.

The commands run in this process (`bot.cli.main`, the `imgbot` fixture of tests/conftest.py);
one test starts the console script as a real process, with piped input. Start-up refused for
an unusable database is here too: it stops before Telegram is contacted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CONTRACT_TOPICS = set(
    yaml.safe_load((REPO / "tests/data/topics_contract.yaml").read_text())["topics"]
)


def test_ask_json_in_scope_has_ranked_matches_and_an_answer(imgbot):
    result = imgbot("ask", "is step 1 still graded with a number?", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["matches"][0]["topic"] == "usmle-step1"
    scores = [m["score"] for m in data["matches"]]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 5
    assert all(0 <= s <= 100 for s in scores)
    assert "pass/fail" in data["answer"].lower()
    assert "usmle.org" in data["answer"]


def test_ask_json_out_of_scope_is_empty(imgbot):
    result = imgbot("ask", "best recipe for chocolate cake", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"matches": [], "answer": None, "kind": "none"}


def test_ask_json_names_the_kind_and_the_entry_of_a_specific_answer(imgbot):
    result = imgbot(
        "ask", "-", "--json", stdin="how many programs can I apply to in SOAP\nthanks!\n"
    )
    assert result.returncode == 0, result.stderr
    specific, thanks = (json.loads(line) for line in result.stdout.splitlines())
    assert (specific["kind"], specific["matches"][0]["topic"]) == ("answer", "soap")
    assert specific["entry"] and specific["answer"]
    assert (thanks["kind"], thanks["matches"]) == ("smalltalk", [])
    assert "entry" not in thanks


def test_ask_legacy_runs_the_matcher_as_it_was_before_entries(imgbot):
    result = imgbot("ask", "--legacy", "--json", "how many programs can I apply to in SOAP")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["matches"][0]["topic"] == "soap" and "entry" not in data


def test_ask_reads_one_question_per_line_from_stdin_in_order(imgbot):
    result = imgbot(
        "ask", "-", "--json", stdin="what is soap in the match\n\nweather in paris\nj1 waiver\n"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["matches"][0]["topic"] == "soap"
    assert lines[1]["matches"] == []
    assert lines[2]["matches"][0]["topic"] == "visa-j1"


def test_topics_json_lists_every_contract_topic_with_sources_and_dates(imgbot):
    result = imgbot("topics", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["id"] for r in rows} >= CONTRACT_TOPICS
    for row in rows:
        assert set(row) == {"id", "title", "sources", "reviewed"}
        assert row["sources"] and all(u.startswith("https://") for u in row["sources"])
        assert len(row["reviewed"]) == 10


def test_validate_passes_on_the_real_knowledge(imgbot):
    result = imgbot("validate")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_validate_names_file_entry_and_field_of_a_broken_copy(imgbot, tmp_path):
    import shutil

    shutil.copytree(REPO / "knowledge", tmp_path / "kb")
    path = tmp_path / "kb/topics/02-exams.yaml"
    path.write_text(path.read_text().replace("https://www.usmle.org", "http://www.usmle.org", 1))
    result = imgbot("validate", str(tmp_path / "kb"))
    assert result.returncode == 1
    assert "topics/02-exams.yaml" in result.stderr and "https" in result.stderr
    assert "entry '" in result.stderr and "field 'sources" in result.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "cannot be read"),
        ("questions: [q: one, topic", "not a YAML text file"),
        (b"\x81\xfe not text", "not a YAML text file"),
        ("questions: 3", "'questions' list"),
        ("questions:\n  - q: what is eras\n", "needs 'q' and 'topic'"),
    ],
)
def test_eval_of_a_missing_or_broken_question_file_says_so_in_one_line(
    imgbot, tmp_path, content, says
):
    path = tmp_path / "set.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = imgbot("eval", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {path}: ") and says in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_validate_max_age_lists_what_was_not_reviewed_recently(imgbot, tmp_path):
    fixture = REPO / "tests/core/fixtures/knowledge/valid"
    result = imgbot("validate", str(fixture), "--max-age", "1")
    assert result.returncode == 1
    assert "topic 'usmle-step1': reviewed" in result.stderr
    assert "entry 'step1-format' (topic 'usmle-step1'): reviewed" in result.stderr
    assert "not reviewed in 1 days" in result.stderr
    assert imgbot("validate", str(fixture), "--max-age", "100000").returncode == 0
    refused = imgbot("validate", str(fixture), "--max-age", "-3")
    assert refused.returncode == 2 and "whole number of days" in refused.stderr


def test_validate_warns_about_a_weekend_deadline_without_failing(imgbot, tmp_path):
    import shutil

    shutil.copytree(REPO / "tests/core/fixtures/knowledge/valid", tmp_path / "kb")
    path = tmp_path / "kb/deadlines.yaml"
    path.write_text(path.read_text().replace("date: 2026-06-03", "date: 2026-06-06"))
    result = imgbot("validate", str(tmp_path / "kb"))
    assert result.returncode == 0, result.stderr
    assert "warning: deadlines.yaml: entry 'eras-opens-2027'" in result.stderr
    assert "2026-06-06 is a Saturday" in result.stderr


def test_validate_warns_about_a_passed_date_spoken_of_as_to_come(imgbot, tmp_path):
    import shutil

    shutil.copytree(REPO / "tests/core/fixtures/knowledge/valid", tmp_path / "kb")
    path = tmp_path / "kb/topics/02-exams.yaml"
    stale = "Step 1 results are expected by 2 January 2020."
    path.write_text(
        path.read_text().replace("is scored pass/fail.", f"is scored pass/fail. {stale}")
    )
    result = imgbot("validate", str(tmp_path / "kb"))
    assert result.returncode == 0, result.stderr
    assert (
        f"warning: topic 'usmle-step1': '{stale}' speaks of 2020-01-02 as to come" in result.stderr
    )


def test_run_refuses_to_start_on_invalid_knowledge(imgbot, tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics/01.yaml").write_text("stage: exams\ntopics: [")
    result = imgbot(
        "run", env={"IMGBOT_KNOWLEDGE_DIR": str(tmp_path), "IMGBOT_DB": str(tmp_path / "db")}
    )
    assert result.returncode == 1
    assert "invalid" in result.stderr and "01.yaml" in result.stderr


# A database the bot cannot use stops `run` and `chat` before they connect to Telegram or open
# the chat: one line, exit code 1, no traceback, the file untouched. These start-ups fail
# before anything a real process adds (signals, polling), so they run in this process.
DB_HINT = "point IMGBOT_DB at the bot's database, or move this file away to start with a new one"


@pytest.fixture
def never_serves(monkeypatch):
    """`imgbot run` with a token must stop before it serves: serving fails the test at once
    (instead of polling Telegram from inside the test)."""
    from bot.tg import app

    def serve(*args, **kwargs):
        raise AssertionError("the bot started serving")

    monkeypatch.setattr(app, "run_bot", serve)


@pytest.mark.parametrize(
    ("command", "token"),
    [("run", True), ("run", False), ("chat", False)],
    ids=["run", "run-without-token", "chat"],
)
def test_a_file_that_is_not_a_database_stops_start_up_with_one_line(
    imgbot, tmp_path, never_serves, command, token
):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 200)
    env = {"IMGBOT_DB": str(notes), **({"TELEGRAM_BOT_TOKEN": "123:abc"} if token else {})}
    result = imgbot(command, stdin="what is soap\n", env=env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {notes} is not a SQLite database: {DB_HINT}"], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Supplemental" not in result.stdout, "the chat never opened"
    assert notes.read_text() == "not a database\n" * 200


def test_a_data_directory_that_cannot_be_created_stops_start_up(imgbot, tmp_path, never_serves):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data directory should be")
    env = {"IMGBOT_DB": str(blocker / "imgbot.sqlite3"), "TELEGRAM_BOT_TOKEN": "123:abc"}
    result = imgbot("run", env=env)
    assert result.returncode == 1
    assert "error: cannot create the data directory" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert blocker.read_text() == "a file where the data directory should be"


def test_next_json_contract(imgbot, tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "stage: graduate\ngraduation_year: 2023\nstep1: passed\nstep2ck: preparing\n"
    )
    result = imgbot("next", "--profile", str(profile), "--today", "2026-11-21", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"actions", "warnings"}
    assert data["actions"], "a graduate preparing for Step 2 CK has things to do"
    for action in data["actions"]:
        assert set(action) == {"topic", "title", "why", "due"}
        assert action["due"] is None or len(action["due"]) == 10
    assert "usmle-step2ck" in [a["topic"] for a in data["actions"]]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("step1: maybe\n", "step1"),
        ("favourite_colour: blue\n", "favourite_colour"),
        ("usce_months: lots\n", "usce_months"),
    ],
)
def test_next_rejects_a_bad_profile_naming_the_field(imgbot, tmp_path, content, field):
    profile = tmp_path / "p.yaml"
    profile.write_text(content)
    result = imgbot("next", "--profile", str(profile), "--today", "2026-11-21", "--json")
    assert result.returncode == 2
    assert field in result.stderr


def test_run_without_token_says_so_in_one_line_and_opens_the_chat(tmp_path):
    """The console script as a real process, as the README runs it: input from a pipe, the
    exit code and the one line on stderr are the process's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMGBOT_", "TELEGRAM_"))}
    env["IMGBOT_DB"] = str(tmp_path / "db.sqlite3")
    env["IMGBOT_SEMANTIC"] = "0"  # the question matches on words alone; start-up ~1 s faster
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        input="what is the j1 two year rule\n/quit\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in result.stderr
    assert (
        "212(e)" in result.stdout
        or "two-year" in result.stdout.lower()
        or "2-year" in result.stdout
    )
    assert (tmp_path / "db.sqlite3").exists()


def test_a_reader_that_closes_the_pipe_gets_no_traceback(monkeypatch, capsys):
    # `imgbot topics | head -1`: stdout is a pipe whose reader is gone. The command stops
    # quietly with exit code 1 instead of a BrokenPipeError traceback.
    from bot.cli import main

    read_end, write_end = os.pipe()
    os.close(read_end)
    with open(write_end, "w", encoding="utf-8") as gone:
        monkeypatch.setattr(sys, "stdout", gone)
        assert main(["topics"]) == 1
        monkeypatch.undo()
    assert capsys.readouterr().err == ""


def test_a_process_that_ran_the_cli_skips_the_last_garbage_collections():
    # bot.cli freezes the collector at exit (why: next to the atexit call). Checked where it
    # matters, in a fresh process: a handler registered before the import runs after bot.cli's.
    probe = (
        "import atexit, gc; atexit.register(lambda: print(gc.get_freeze_count() > 0)); "
        "import bot.cli; print(gc.get_freeze_count() > 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]


def last_block(output: str) -> str:
    return output.rstrip().split("\n\n")[-1]


def test_chat_dialog_state_survives_a_restart(imgbot, tmp_path):
    env = {"IMGBOT_DB": str(tmp_path / "db.sqlite3")}
    first_question = last_block(imgbot("chat", stdin="/next\n", env=env).stdout)
    answered = imgbot("chat", stdin="/next\n1\n", env=env)
    second_question = last_block(answered.stdout)
    assert second_question != first_question, "answering moves the dialog on"
    restarted = imgbot("chat", stdin="/next\n", env=env)
    assert last_block(restarted.stdout) == second_question, "the dialog resumes where it was"


def test_backup_copies_a_live_database(imgbot, tmp_path):
    import sqlite3

    db = tmp_path / "db.sqlite3"
    env = {"IMGBOT_DB": str(db)}
    imgbot("chat", stdin="how many lors do i need\nwhat is plab\n", env=env)
    holder = sqlite3.connect(db)  # the bot would hold the file open while backing up
    try:
        result = imgbot("backup", str(tmp_path / "copy/backup.sqlite3"), env=env)
    finally:
        holder.close()
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy/backup.sqlite3")
    assert copy.execute("SELECT count(*) FROM questions").fetchone()[0] == 2
    copy.close()


def test_health_fails_when_the_sweeps_stopped(imgbot, tmp_path):
    env = {"IMGBOT_DB": str(tmp_path / "db.sqlite3"), "IMGBOT_REMINDER_INTERVAL": "10"}
    assert imgbot("health", env=env).returncode == 0
    beat = tmp_path / "db.sqlite3.heartbeat"
    beat.touch()
    assert imgbot("health", env=env).returncode == 0
    os.utime(beat, (0, 0))
    stale = imgbot("health", env=env)
    assert stale.returncode == 1 and "sweep" in stale.stderr


def test_unanswered_lists_the_most_frequent_out_of_scope_questions(imgbot, tmp_path):
    env = {"IMGBOT_DB": str(tmp_path / "db.sqlite3")}
    imgbot(
        "chat", stdin="how to apply for plab 2\nHow to apply for PLAB 2 \nwhat is soap\n", env=env
    )
    result = imgbot("unanswered", "--json", env=env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["count"] == 2 and "plab" in rows[0]["question"]
    assert all("soap" not in r["question"] for r in rows)


def test_chat_takes_a_superscript_as_text_not_a_button_number(imgbot, tmp_path):
    """ "²" passes str.isdigit() but int() refuses it: it must not end the terminal chat."""
    result = imgbot(
        "chat", stdin="/next\n²\nwhat is soap\n", env={"IMGBOT_DB": str(tmp_path / "db")}
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Supplemental" in result.stdout
