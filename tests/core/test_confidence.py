"""The answer confidence (bot.core.questions.confidence) and how the decision uses it.

The rules refuse or choose the first topic; the fitted confidence only turns a menu into a
direct answer or a direct answer into a menu. Analyses are built by hand, as in test_decision.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from bot.core.models import Match
from bot.core.questions import decision
from bot.core.questions.confidence import (
    CONFIDENCE,
    ConfidenceModel,
    log_odds,
    parse_confidence,
    pulled_share,
)
from bot.core.questions.decision import (
    HYBRID,
    SIGNALS,
    Analysis,
    EntryScore,
    confidence_signals,
    decide,
    decide_by_rules,
    leading_entry,
)

RANKING = (Match("soap", 64.0), Match("nrmp-match", 60.0))
ENTRIES = (
    EntryScore("soap-application-limit", "soap", 66.0),
    EntryScore("nrmp-fees", "nrmp-match", 62.0),
)
# A close pair the rules offer as a menu (a 6% lead), its entry offered first.
CLOSE = Analysis(None, None, RANKING, ENTRIES, True, -0.3, "soap", 3, words=9)


def model(sure: bool) -> ConfidenceModel:
    """A model that is always (or never) sure, whatever the signals."""
    n = len(SIGNALS)
    return ConfidenceModel(SIGNALS, (0.0,) * n, (1.0,) * n, (0.0,) * n, 9.0 if sure else -9.0, 0.5)


def test_the_shipped_model_weighs_the_decisions_signals_in_order() -> None:
    assert CONFIDENCE.signals == SIGNALS
    assert 0 < CONFIDENCE.cut < 1
    signals = confidence_signals(CLOSE, decide_by_rules(CLOSE, HYBRID, lexical_only=False))
    assert set(signals) == set(SIGNALS)


def test_a_topic_the_classifier_is_sure_of_makes_the_shipped_model_surer() -> None:
    # Session 38: the classifier's probability carries what the words' lead used to (the
    # refit gives the words' lead a small negative weight beside it; BENCHMARKS.md).
    result = decide_by_rules(CLOSE, HYBRID, lexical_only=False)
    unsure = CONFIDENCE.probability(confidence_signals(replace(CLOSE, learnt_top=0.1), result))
    sure = CONFIDENCE.probability(confidence_signals(replace(CLOSE, learnt_top=0.9), result))
    assert sure > unsure
    assert CONFIDENCE.weights[SIGNALS.index("learnt")] > 0


def test_a_clear_lead_on_which_words_and_meaning_agree_is_answered_a_tie_is_offered() -> None:
    clear = replace(CLOSE, ranking=(Match("soap", 80.0), Match("nrmp-match", 50.0)))
    # A tie: the Match half a point ahead of its calendar, the nearest texts of the meaning
    # mostly elsewhere.
    tie = replace(
        CLOSE,
        ranking=(Match("nrmp-match", 60.5), Match("match-timeline", 60.0)),
        nearest_in_top=1,
        lexical_top="nrmp-match",
    )
    assert decide(clear, HYBRID, lexical_only=False).kind == "answer"
    assert decide(tie, HYBRID, lexical_only=False).kind == "suggest"


def test_a_menu_the_classifier_rates_out_of_scope_is_refused_an_answer_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The classifier learnt the near misses as a class of their own ("none").
    monkeypatch.setattr(decision, "CONFIDENCE", model(sure=False))
    assert decide(CLOSE, HYBRID, lexical_only=False).kind == "suggest"
    out = replace(CLOSE, learnt_out=HYBRID.menu_out_max)
    assert decide(out, HYBRID, lexical_only=False).kind == "none"
    unsure = replace(CLOSE, learnt_out=HYBRID.menu_out_max - 0.1)
    assert decide(unsure, HYBRID, lexical_only=False).kind == "suggest"
    monkeypatch.setattr(decision, "CONFIDENCE", model(sure=True))
    assert decide(out, HYBRID, lexical_only=False).kind == "answer"  # answers are left alone


def test_a_sure_menu_is_answered_with_its_topics_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    assert decide_by_rules(CLOSE, HYBRID, lexical_only=False).kind == "suggest"
    monkeypatch.setattr(decision, "CONFIDENCE", model(sure=True))
    answer = decide(CLOSE, HYBRID, lexical_only=False)
    assert (answer.kind, answer.matches[0].topic) == ("answer", "soap")
    assert answer.entry == "soap-application-limit"


def test_an_unsure_answer_becomes_a_menu_offering_its_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clear = replace(CLOSE, ranking=(Match("soap", 80.0), Match("nrmp-match", 50.0)))
    rules = decide_by_rules(clear, HYBRID, lexical_only=False)
    assert (rules.kind, rules.entry) == ("answer", "soap-application-limit")
    monkeypatch.setattr(decision, "CONFIDENCE", model(sure=False))
    menu = decide(clear, HYBRID, lexical_only=False)
    assert menu.kind == "suggest"
    assert [m.topic for m in menu.matches] == ["soap", "nrmp-match"]
    assert menu.entry == "soap-application-limit"


def test_refusals_lifted_answers_and_words_alone_keep_the_rules_reply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(decision, "CONFIDENCE", model(sure=True))
    out = replace(CLOSE, scope_gap=HYBRID.scope_margin + 0.01)
    assert decide(out, HYBRID, lexical_only=False).kind == "none"
    # Without the sentence model the rules decide alone.
    assert decide(CLOSE, HYBRID, lexical_only=True) == decide_by_rules(
        CLOSE, HYBRID, lexical_only=True
    )
    monkeypatch.setattr(decision, "CONFIDENCE", model(sure=False))
    # The Step 1 fee sits in costs: the rules answer it over the Step 1 topic; the signals
    # describe Step 1, so the confidence leaves that answer alone.
    fee = Analysis(
        None,
        None,
        (Match("usmle-step1", 70.0), Match("costs", 56.0)),
        (EntryScore("costs-step1-ck-fee", "costs", 86.0, same_facet=True),),
        True,
        -0.4,
        "usmle-step1",
        3,
        words=5,
    )
    lifted = decide_by_rules(fee, HYBRID, lexical_only=False)
    assert (lifted.kind, lifted.matches[0].topic) == ("answer", "costs")
    assert decide(fee, HYBRID, lexical_only=False) == lifted


def test_an_entry_that_all_but_repeats_the_question_keeps_its_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "whats the rank order list deadline this cycle": the Match and the timeline share its
    # words, but one entry asks exactly that kind of fact and leads every other topic's.
    deadline = EntryScore("nrmp-rol-deadline", "nrmp-match", HYBRID.trusted_entry_min + 1, True)
    timeline = EntryScore("timeline-2027-dates", "match-timeline", 70.0)
    clear = replace(
        CLOSE,
        ranking=(Match("nrmp-match", 80.0), Match("match-timeline", 50.0)),
        entries=(deadline, timeline),
        lexical_top="nrmp-match",
    )
    rules = decide_by_rules(clear, HYBRID, lexical_only=False)
    assert (rules.kind, rules.entry) == ("answer", "nrmp-rol-deadline")
    monkeypatch.setattr(decision, "CONFIDENCE", model(sure=False))
    assert decide(clear, HYBRID, lexical_only=False) == rules
    # Weaker, another kind of fact, or too close to another topic's entry: the confidence decides.
    weaker = replace(deadline, score=HYBRID.trusted_entry_min - 1)
    other_kind = replace(deadline, same_facet=False)
    close_other = replace(timeline, score=deadline.score - HYBRID.trusted_entry_lead + 1)
    for entries in ((weaker, timeline), (other_kind, timeline), (deadline, close_other)):
        assert decide(replace(clear, entries=entries), HYBRID, lexical_only=False).kind == "suggest"


def test_the_pair_signal_is_the_share_meant_first_pulled_towards_the_base() -> None:
    model = replace(
        model_of_pairs({("soap", "nrmp-match"): (95, 100), ("nrmp-match", "soap"): (1, 2)}),
        pair_strength=10.0,
        pair_base=0.5,
    )
    often = model.pair_prior("soap", "nrmp-match")
    assert often == pytest.approx(math.log(100 / 10))  # (95 + 5) / 110 meant first
    # Seen twice, a pair says little; never seen, it is the base share (log-odds 0 at 0.5).
    assert model.pair_prior("nrmp-match", "soap") == pytest.approx(math.log(6 / 6))
    assert model.pair_prior("usce", "costs") == 0.0
    assert log_odds(pulled_share(0, 0, 1.0, 1.0)) < 7.0  # clipped, never infinite


def test_the_entry_signal_is_what_the_best_entry_adds_to_its_pair() -> None:
    # When the Match leads its calendar, writers meant the Match 80 times in 100; of the 20
    # questions whose best entry was the calendar's rank list date, 2.
    model = replace(
        model_of_pairs({("nrmp-match", "match-timeline"): (80, 100)}),
        pair_strength=10.0,
        pair_base=0.5,
        entries={("timeline-rank-date", "nrmp-match", "match-timeline"): (2, 20)},
        entry_strength=5.0,
    )
    pair = (80 + 5) / 110
    dated = model.entry_prior("timeline-rank-date", "nrmp-match", "match-timeline")
    assert dated == pytest.approx(log_odds((2 + 5 * pair) / 25) - log_odds(pair))
    assert dated < -1.5  # far less often meant first than the pair says
    # An entry never counted with the pair adds nothing; nor does any entry of an unknown pair.
    assert model.entry_prior("nrmp-fees", "nrmp-match", "match-timeline") == pytest.approx(0.0)
    assert model.entry_prior("timeline-rank-date", "usce", "costs") == pytest.approx(0.0)


def test_the_entry_signal_counts_the_best_entry_of_any_leading_topic() -> None:
    assert leading_entry(CLOSE) == ("soap-application-limit", "soap", "nrmp-match")
    nothing = replace(CLOSE, entries=())
    assert leading_entry(nothing) == ("", "soap", "nrmp-match")
    calendar_first = replace(CLOSE, entries=tuple(reversed(ENTRIES)))
    assert leading_entry(calendar_first)[0] == "nrmp-fees"


def test_a_close_menu_is_answered_when_its_pair_is_usually_meant_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same close scores: answered when writers nearly always meant SOAP before the Match,
    # offered when they nearly never did. Only the pair signal weighs.
    weights = tuple(1.0 if name == "pair_prior" else 0.0 for name in SIGNALS)
    n = len(SIGNALS)
    meant = ConfidenceModel(
        SIGNALS, (0.0,) * n, (1.0,) * n, weights, 0.0, 0.8, {("soap", "nrmp-match"): (99, 100)}
    )
    monkeypatch.setattr(decision, "CONFIDENCE", meant)
    assert decide(CLOSE, HYBRID, lexical_only=False).kind == "answer"
    monkeypatch.setattr(
        decision, "CONFIDENCE", replace(meant, pairs={("soap", "nrmp-match"): (5, 100)})
    )
    assert decide(CLOSE, HYBRID, lexical_only=False).kind == "suggest"


def test_the_shipped_model_trusts_pairs_whose_first_topic_writers_meant() -> None:
    assert CONFIDENCE.weights[SIGNALS.index("pair_prior")] > 0
    assert CONFIDENCE.weights[SIGNALS.index("entry_prior")] > 0
    assert CONFIDENCE.pairs, "bench_confidence.py --write counted no pair"
    for (first, second), (meant, decided) in CONFIDENCE.pairs.items():
        assert first != second and 0 <= meant <= decided
    # Each (entry, pair) count is part of its pair's count.
    within: dict[tuple[str, ...], int] = {}
    for (_, *pair), (meant, decided) in CONFIDENCE.entries.items():
        assert 0 <= meant <= decided
        within[tuple(pair)] = within.get(tuple(pair), 0) + decided
    assert within == {pair: n for pair, (_, n) in CONFIDENCE.pairs.items()}


def model_of_pairs(pairs: dict[tuple[str, str], tuple[int, int]]) -> ConfidenceModel:
    return replace(model(sure=True), pairs=pairs)


PAIRS = "pairs: {strength: 30, base: 0.9, counts: [[soap, usce, 3, 4]]}\n"
ENTRY_COUNTS = "entries: {strength: 3, counts: [[soap-fee, soap, usce, 1, 2]]}\n"
SIGNAL = "signals: [{name: top, mean: 0, scale: 1, weight: 1}]\nbias: 0\ncut: 0.5\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list", "'signals' list"),
        ("signals: [{name: top, mean: 0}]\nbias: 0\ncut: 0.5\n", "needs name, mean, scale"),
        ("signals: [{name: top, mean: 0, scale: 0, weight: 1}]\nbias: 0\ncut: 0.5\n", "scale"),
        ("signals: [{name: top, mean: x, scale: 1, weight: 1}]\nbias: 0\ncut: 0.5\n", "numbers"),
        ("signals: [{name: top, mean: 0, scale: 1, weight: 1}]\nbias: 0\ncut: 1.5\n", "cut"),
        (SIGNAL, "'pairs' mapping"),
        (SIGNAL + PAIRS.replace("base: 0.9", "base: 1.5"), "base share"),
        (SIGNAL + PAIRS.replace("3, 4]", "5, 4]"), "pair count #1"),
        (SIGNAL + PAIRS.replace("[soap, usce, 3, 4]", "[soap, usce, 3]"), "pair count #1"),
        (SIGNAL + PAIRS.replace("]]", "], [soap, usce, 1, 1]]"), "counted twice"),
        (SIGNAL + PAIRS, "'entries' mapping"),
        (SIGNAL + PAIRS + ENTRY_COUNTS.replace("strength: 3", "strength: 0"), "positive strength"),
        (SIGNAL + PAIRS + ENTRY_COUNTS.replace("1, 2]", "3, 2]"), "entry count #1"),
        (SIGNAL + PAIRS + ENTRY_COUNTS.replace("soap-fee, ", ""), "entry count #1"),
    ],
)
def test_a_malformed_model_file_fails_naming_what(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_confidence(text)
