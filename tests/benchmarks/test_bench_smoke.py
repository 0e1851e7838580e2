"""Tiny runs of each benchmark script's main(), so the scripts keep working as the bot changes.

Correctness only: every script must finish, find every reply it waits for and exit 0. Timings
are printed by the scripts but never asserted (the machine is shared and noisy). bench_bot and
the soak run the real bot process (marked e2e).
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from bot.core.knowledge import load_knowledge
from bot.core.models import KnowledgeBase, Match, MatchResult
from bot.core.questions.answers import build_matcher
from bot.core.questions.decision import HYBRID, Analysis
from bot.core.questions.hybrid import QuestionMatcher, whole_vectors
from bot.core.questions.semantic import shared_encoder

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _script(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


@pytest.mark.e2e
def test_bench_bot_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _script("bench_bot")
    argv = ["--users", "10", "--updates", "20", "--rate", "20", "--seconds", "0.5", "--warmup", "2"]
    argv += ["--lexical"]  # the smoke run checks the harness, not the sentence model's start-up
    assert bench.main([*argv, "--timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "updates/s" in out and "p95" in out
    assert re.search(r"chats fully answered +\| 10/10", out)


def test_bench_reminders_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _script("bench_reminders")
    assert bench.main(["--subscribers", "300", "--messages", "10"]) == 0
    out = capsys.readouterr().out
    assert "plan_reminders, 300 subscribers" in out and "(300 rows enqueued)" in out
    assert re.search(r"429 answers from the fake +\| 0 ", out)


@pytest.mark.e2e
def test_soak_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    soak = _script("soak")
    argv = ["--seconds", "4", "--subscribers", "3", "--rate", "6", "--setup", "3"]
    argv += [
        "--drain",
        "20",
        "--fault-every",
        "1.5",
        "--rss-every",
        "0.2",
        "--seed",
        "2",
        "--lexical",
    ]
    assert soak.main(argv) == 0
    out = capsys.readouterr().out
    assert "VERDICT: PASS" in out and "kill -9: 2" in out


def test_bench_decision_settings_and_scoring(repo_knowledge: KnowledgeBase) -> None:
    # The full run analyses every set with the model (~30 s); here: every setting it sweeps is
    # a valid Thresholds, and a replayed decision is counted in the right columns.
    bench = _script("bench_decision")
    for values in bench.GRIDS.values():
        for change in values:
            replace(HYBRID, **change)
    matcher = QuestionMatcher(repo_knowledge)
    clear = Analysis(None, None, (Match("soap", 80.0), Match("costs", 20.0)), (), True)
    rows = [
        ({"q": "a", "topic": "soap", "fact": True}, clear),
        ({"q": "b", "topic": "costs"}, clear),
        ({"q": "c", "topic": "none"}, Analysis("out-of-scope", None, (), (), False)),
    ]
    row = bench.score(matcher, rows, bench.BEFORE)
    assert (row.in_scope, row.direct, row.wrong, row.rejected) == (2, 0.5, 1, 1.0)
    assert (row.facts, row.fact_direct, row.fact_entry) == (1, 1.0, 0.0)


def test_bench_entry_pick_counts_fact_entries_and_answers() -> None:
    # The full run analyses every tuning set with the model (~40 s); here: the columns count
    # the right replies (an entry on the labelled topic, a wrong topic, an out-of-scope row).
    bench = _script("bench_entry_pick")
    ranking = (Match("soap", 80.0),)
    blank = Analysis(None, None, ranking, (), True)
    rows = [
        ("a", {"q": "a", "topic": "soap", "fact": True}, blank),
        ("a", {"q": "b", "topic": "costs", "fact": True}, blank),
        ("a", {"q": "c", "topic": "soap"}, blank),
        ("a", {"q": "d", "topic": "none"}, blank),
    ]
    results = [
        MatchResult("answer", ranking, entry="soap-rounds"),
        MatchResult("answer", ranking, entry="soap-rounds"),
        MatchResult("suggest", ranking),
        MatchResult("answer", ranking),
    ]
    assert bench.counts(rows, results) == (1, 1, 1)


def test_bench_confidence_fits_a_cut_that_answers_the_right_first_topics() -> None:
    # Decided questions whose first signal tells right from wrong: the fitted model ranks the
    # right ones above the wrong, and the cut answers all the right ones and none of the wrong
    # (the rules had answered some of each).
    bench = _script("bench_confidence")
    rng = np.random.default_rng(0)
    right = rng.random(200) < 0.7
    x = rng.normal(size=(200, len(bench.SIGNALS)))
    x[:, 0] = np.where(right, 2.0, -2.0) + rng.normal(scale=0.1, size=200)
    model = bench.fit(x, right.astype(float))
    p = bench.probabilities(model, x)
    assert p[right].min() > p[~right].max()
    rules = rng.random(200) < 0.5
    cut = bench.choose_cut(p, right, rules)
    assert bench.counts(p >= cut, right) == (int(right.sum()), 0)
    assert bench.counts(rules, right)[1] > 0


def test_bench_classifier_learns_classes_it_can_tell_apart() -> None:
    # Three classes in three directions: the fitted softmax gives each point its own class,
    # and a point near none of them leans to none of the topics in particular.
    bench = _script("bench_classifier")
    rng = np.random.default_rng(0)
    centres = np.eye(3) * 4
    labels = ["soap", "usce", "none"] * 50
    x = np.array([centres[i % 3] for i in range(150)]) + rng.normal(scale=0.5, size=(150, 3))
    model = bench.fit(x, labels, ("soap", "usce", "none"))
    guessed = model.probability_rows(x).argmax(axis=1)
    assert [model.classes[k] for k in guessed] == labels
    assert model.weights.shape == (4, 3) and model.weights.dtype == np.float32


@pytest.mark.skipif(shared_encoder() is None, reason="model package not installed")
def test_bench_classifier_cross_fits_each_set_without_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two small practice sets in two folds: each set's questions get a classifier fitted on the
    # other set only; a set outside the practice sets gets the shipped classifier's value.
    bench = _script("bench_classifier")
    data = Path(__file__).resolve().parents[1] / "data"
    monkeypatch.setattr(
        bench, "practice_sets", lambda: [data / "holdout-2.yaml", data / "holdout-7.yaml"]
    )
    monkeypatch.setattr(bench, "FOLDS", 2)
    matcher = build_matcher(load_knowledge(), "hybrid")
    texts = ["how many programs can I apply to during SOAP"] * 3
    sets, firsts = ["holdout-2", "holdout-7", "dev"], ["soap"] * 3
    crossed = bench.cross_fitted(matcher, texts, sets, firsts)
    vector = whole_vectors(matcher.semantic.encoder, texts[:1], [None], matcher.cache)[0]
    shipped = matcher.classifier.probabilities(vector)
    assert crossed[2] == pytest.approx(bench.log_odds(shipped["soap"]), abs=0.05)
    assert crossed[0] != pytest.approx(crossed[1], abs=1e-3)  # two different small classifiers
    assert crossed[0] != pytest.approx(crossed[2], abs=1e-3)


def test_bench_confidence_asks_the_shipped_model_with_the_signals_given() -> None:
    # The facts floor comes from the shipped model's answers on the signals the fit sees (the
    # classifier's cross-fitted), not on those the examples were read with.
    bench = _script("bench_confidence")
    model = bench.CONFIDENCE
    close = np.array(model.mean)  # an average question whose first topic barely leads...
    lead = bench.SIGNALS.index("relative_lead")
    close[lead] -= 2 * model.scale[lead]
    sure, unsure = close.copy(), close.copy()  # ...that the classifier is sure of, or not
    sure[bench.LEARNT] += 3 * model.scale[bench.LEARNT]
    unsure[bench.LEARNT] -= 3 * model.scale[bench.LEARNT]
    answered = bench.shipped_answers(np.array([sure, unsure]))
    assert answered.dtype == bool and answered[0] and not answered[1]


def test_bench_confidence_keeps_the_facts_the_shipped_model_answered() -> None:
    # Two fact questions sit low (0.55, 0.6) among right answers and one wrong answer sits at
    # 0.65: the best cut alone turns both facts into menus; asked to keep two facts
    # answered, the cut drops to take them, wrong answer and all.
    bench = _script("bench_confidence")
    p = np.array([0.9, 0.8, 0.75, 0.652, 0.602, 0.552])
    right = np.array([True, True, True, False, True, True])
    facts = np.array([False, False, False, False, True, True])
    rules = np.ones(6, dtype=bool)
    best = bench.choose_cut(p, right, rules)
    assert bench.counts(p >= best, right) == (3, 0)
    assert bench.counts(p >= best, right & facts)[0] == 0
    kept = bench.choose_cut(p, right, rules, facts, floor=2)
    assert bench.counts(p >= kept, right) == (5, 1)
    assert bench.counts(p >= kept, right & facts)[0] == 2
    assert bench.choose_cut(p, right, rules, facts, floor=3) is None  # no cut keeps three


def test_bench_confidence_counts_each_practice_question_without_its_own_set() -> None:
    # Set a always meant SOAP before the Match, set b never did: fitted with its own set left
    # out, a's questions see only b's counts (and the reverse); sets not fitted on see both.
    bench = _script("bench_confidence")
    n = len(bench.SIGNALS)
    right = np.array([True] * 4 + [False] * 4)
    pair = ("soap", "nrmp-match")
    entry = ("soap-fee", *pair)
    sets = ["a"] * 4 + ["b"] * 4
    ex = bench.Examples(
        np.zeros((8, n)), right, right, right, [pair] * 8, [entry] * 8, sets, ["q"] * 8
    )
    pairs, entries = bench.key_counts(ex.pairs, ex), bench.key_counts(ex.entries, ex)
    assert pairs == {pair: (4, 8)} and entries == {entry: (4, 8)}
    assert bench.key_counts(ex.pairs, ex, only="a") == {pair: (4, 4)}
    pulls = bench.Pulls(pairs, entries, 1.0, 1.0)
    own = bench.with_priors(ex, pulls, leave_own_set_out=True)
    both = bench.with_priors(ex, pulls, leave_own_set_out=False)
    a_share, b_share = bench.pulled_share(0, 4, 1.0, 0.5), bench.pulled_share(4, 4, 1.0, 0.5)
    assert own[0, bench.PAIR] == pytest.approx(bench.log_odds(a_share))
    assert own[4, bench.PAIR] == pytest.approx(bench.log_odds(b_share))
    # The entry's counts are the pair's, so it adds only the pull towards the pair's share.
    a_entry = bench.pulled_share(0, 4, 1.0, a_share)
    assert own[0, bench.ENTRY] == pytest.approx(bench.log_odds(a_entry) - bench.log_odds(a_share))
    assert own[0, bench.PAIR] < 0 < own[4, bench.PAIR]
    assert both[:, [bench.PAIR, bench.ENTRY]] == pytest.approx(np.zeros((8, 2)))


def test_bench_matching_scores_a_question_file_from_anywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--set PATH`: a held-out set is measured where it is kept, outside the repository.
    questions = tmp_path / "private-set.yaml"
    questions.write_text(
        "questions:\n"
        "  - {q: 'how many programs can I apply to in SOAP', topic: soap, fact: true}\n"
        "  - {q: 'what is eras', topic: costs, also: [eras-application]}\n"
        "  - {q: 'best pizza in chicago?', topic: none}\n",
        encoding="utf-8",
    )
    bench = _script("bench_matching")
    bench.facts_and_strict({"private-set": questions})
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("| private-set ")]
    assert line.split(" | ")[1:3] == ["1", "100.0%"]  # one fact question, answered directly
    # "what is eras", labelled costs with eras-application `also`, is answered from ERAS: right
    # with `also`, confidently wrong on the writer's `topic` alone
    assert line.split(" | ")[5:8] == ["50.0%", "50.0%", "50.0% |"]
