"""The decision (bot.core.questions.decision): answer, menu or refusal from an analysed question.

Pure functions of an Analysis and the thresholds: these tests build the analyses by hand and
need neither a knowledge base nor the sentence model. They test the rules (`decide_by_rules`);
the fitted confidence that then chooses between answer and menu is test_confidence.py's.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.models import Match, MatchResult
from bot.core.questions import decision
from bot.core.questions.decision import (
    HYBRID,
    LEXICAL,
    Analysis,
    EntryScore,
    decide_by_rules,
    facet_entry_wins,
)


def hybrid(analysis: Analysis) -> MatchResult:
    """The rules alone (`decide_by_rules`) with the sentence model's thresholds."""
    return decide_by_rules(analysis, HYBRID, lexical_only=False)


def without_menu_entry(analysis: Analysis) -> MatchResult:
    """The decision without `menu_entry`, for another rule's own boundary: below it, an entry
    well ahead of other topics' entries may still answer what would be a menu."""
    return decide_by_rules(
        analysis, replace(HYBRID, menu_entry_min=float("inf")), lexical_only=False
    )


def test_a_direct_answer_needs_a_larger_lead_when_words_and_meaning_disagree() -> None:
    ranking = (Match("eras-application", 60.0), Match("usmle-step1", 52.0))  # a 13% lead
    agree = Analysis(None, None, ranking, (), True, -0.3, "eras-application", 3)
    words_elsewhere = replace(agree, lexical_top="usmle-step1")
    meaning_elsewhere = replace(agree, nearest_in_top=1)
    assert hybrid(agree).kind == "answer"
    assert hybrid(words_elsewhere).kind == "suggest"
    assert hybrid(meaning_elsewhere).kind == "suggest"
    out_of_scope = replace(agree, scope_gap=HYBRID.scope_margin + 0.01)
    assert hybrid(out_of_scope).kind == "none"


def test_a_menu_of_weak_guesses_near_the_scope_boundary_is_a_refusal() -> None:
    ranking = (Match("costs", 38.0), Match("visa-j1", 36.0))  # close and weak
    inside = Analysis(None, None, ranking, (), True, -0.2, "costs", 3, words=20)
    assert hybrid(inside).kind == "suggest"
    boundary = replace(inside, scope_gap=HYBRID.menu_scope_margin + 0.02)
    assert hybrid(boundary).kind == "none"
    # A stronger first topic at the same gap is still offered as a menu.
    stronger = (Match("costs", HYBRID.menu_top_max + 1), Match("visa-j1", 39.0))
    assert hybrid(replace(boundary, ranking=stronger)).kind == "suggest"
    # A message mostly in another language reads far from every English text: the menu stands.
    assert hybrid(replace(boundary, other_language=True)).kind == "suggest"
    # Without the model there is no gap: the menu stands.
    assert (
        decide_by_rules(replace(boundary, scope_gap=None), HYBRID, lexical_only=True).kind != "none"
    )


def test_a_long_post_whose_best_entry_asks_its_kind_of_fact_keeps_its_weak_menu() -> None:
    # A fifth-year's long plans asking how many questions and hours Step 1 has: the story
    # dilutes every topic's score, but the format entry asks exactly that.
    ranking = (Match("usmle-step1", 38.0), Match("usmle-overview", 34.0))
    fits = EntryScore("step1-format", "usmle-step1", HYBRID.long_menu_entry_min + 2, True)
    gap = HYBRID.menu_scope_margin + 0.02
    post = Analysis(None, None, ranking, (fits,), True, gap, "usmle-step1", 0, words=70)
    assert hybrid(post).kind == "suggest"
    # A short question, an entry of another kind of fact, or a weaker entry: refused as before.
    assert hybrid(replace(post, words=HYBRID.long_post_words - 1)).kind == "none"
    assert hybrid(replace(post, entries=(replace(fits, same_facet=False),))).kind == "none"
    weaker = replace(fits, score=HYBRID.long_menu_entry_min - 2)
    assert hybrid(replace(post, entries=(weaker,))).kind == "none"


def test_a_weak_menu_for_a_question_naming_another_countrys_road_reaches_higher() -> None:
    # "DHA exam attempts? I passed step 1 but gave up the US plan": judged by meaning, a close
    # pair of guesses near the boundary is that road's question, up to `road_menu_top_max`.
    top = (HYBRID.menu_top_max + HYBRID.road_menu_top_max) / 2
    ranking = (Match("attempt-limits-and-failures", top), Match("usmle-step1", top - 1))
    gap = HYBRID.menu_scope_margin + 0.02
    ours = Analysis(None, None, ranking, (), True, gap, "usmle-step1", 1, words=30)
    assert HYBRID.menu_top_max < top < HYBRID.road_menu_top_max
    assert hybrid(ours).kind == "suggest"
    assert hybrid(replace(ours, other_road=True)).kind == "none"
    # Further inside the domain, or a stronger first topic, the menu stands.
    inside = replace(ours, other_road=True, scope_gap=HYBRID.menu_scope_margin - 0.02)
    assert hybrid(inside).kind == "suggest"
    stronger = (Match("usmle-step3", HYBRID.road_menu_top_max + 1), Match("usmle-step1", 43.0))
    assert hybrid(replace(ours, other_road=True, ranking=stronger)).kind == "suggest"


def test_an_entry_that_clearly_wins_answers_although_topics_are_close() -> None:
    ranking = (Match("eras-application", 50.0), Match("usmle-step1", 48.0))  # a 4% lead
    fee = EntryScore("eras-fee", "eras-application", 90.0)
    step1 = EntryScore("step1-length", "usmle-step1", 70.0)
    clear = Analysis(None, None, ranking, (fee, step1), True, -0.3, "eras-application", 3)
    result = hybrid(clear)
    assert (result.kind, result.entry) == ("answer", "eras-fee")
    assert [m.topic for m in result.matches] == ["eras-application", "usmle-step1"]
    # Another topic's entry nearly as good: a menu, the fitting entry offered first.
    close = replace(clear, entries=(fee, replace(step1, score=88.0)))
    assert hybrid(close).kind == "suggest"
    # The best entry fits only moderately and leads the other topic's by less than
    # `entry_lead_gap`: a menu.
    moderate = HYBRID.entry_answer_min - 1
    rival = replace(step1, score=moderate - HYBRID.entry_lead_gap + 2)
    weak = replace(clear, entries=(replace(fee, score=moderate), rival))
    assert hybrid(weak).kind == "suggest"
    # The best entry sits in the second topic, only 5 ahead: no direct answer on the first.
    elsewhere = replace(clear, entries=(replace(step1, score=95.0), fee))
    assert hybrid(elsewhere).kind == "suggest"


def test_a_topic_whose_entries_clearly_win_answers_when_none_of_them_is_picked() -> None:
    # Two topics nearly tie; two entries of the first fit about equally (neither is picked)
    # and both lead the other topic's best entry by far: the first topic's overview answers
    # and offers them.
    ranking = (Match("clinical-skills-requirement", 70.0), Match("usmle-step2cs", 69.0))
    still = EntryScore("pathway-still-required", "clinical-skills-requirement", 78.0)
    passed = EntryScore("pathway-passed-cs", "clinical-skills-requirement", 75.0)
    other = EntryScore("cs-what-replaced", "usmle-step2cs", 62.0)
    entries = (still, passed, other)
    tie = Analysis(None, None, ranking, entries, True, -0.3, "clinical-skills-requirement", 3)
    result = hybrid(tie)
    assert (result.kind, result.entry) == ("answer", None)
    assert result.close == ("pathway-still-required", "pathway-passed-cs")
    # The other topic's best entry within `entry_lead_gap`: topics and entries both close.
    near = replace(other, score=still.score - HYBRID.entry_lead_gap + 1)
    assert without_menu_entry(replace(tie, entries=(still, passed, near))).kind == "suggest"


def test_an_entry_well_ahead_answers_instead_of_a_menu() -> None:
    # "where can i check if a program sponsors h1b or only j1": the program list 74, the H-1B
    # topic 72 (a menu by the topics); the list's visa filter entry 84, the H-1B one 79.
    ranking = (Match("program-list", 74.0), Match("visa-h1b", 72.0))
    best = EntryScore("list-visa-filter", "program-list", HYBRID.menu_entry_min + 14)
    rival = EntryScore("h1b-which-programs", "visa-h1b", best.score - HYBRID.menu_entry_gap)
    close = Analysis(None, None, ranking, (best, rival), True, -0.3, "visa-h1b", 1, words=12)
    assert without_menu_entry(close).kind == "suggest"
    result = hybrid(close)
    assert (result.kind, result.entry) == ("answer", "list-visa-filter")
    # Less ahead, or below the bar: the menu, the entry offered first.
    near = replace(rival, score=best.score - HYBRID.menu_entry_gap + 1)
    assert hybrid(replace(close, entries=(best, near))).kind == "suggest"
    low = replace(best, score=HYBRID.menu_entry_min - 1)
    far = replace(rival, score=low.score - 20)
    assert hybrid(replace(close, entries=(low, far))).kind == "suggest"
    # In the second topic it needs `menu_lift_gap` ("h1b without step 3 possible?": Step 3 79,
    # H-1B 74; the H-1B Step 3 entry 83, the next 67): then its topic comes first.
    step3 = (Match("usmle-step3", 79.0), Match("visa-h1b", 74.0))
    h1b = EntryScore("h1b-step3-needed", "visa-h1b", 83.0)
    us_only = EntryScore("step3-us-only", "usmle-step3", h1b.score - HYBRID.menu_lift_gap)
    lift = Analysis(None, None, step3, (h1b, us_only), True, -0.3, "usmle-step3", 1, words=5)
    result = hybrid(lift)
    assert (result.kind, result.entry) == ("answer", "h1b-step3-needed")
    assert [m.topic for m in result.matches][:2] == ["visa-h1b", "usmle-step3"]
    nearer = replace(us_only, score=h1b.score - HYBRID.menu_lift_gap + 1)
    assert hybrid(replace(lift, entries=(h1b, nearer))).kind == "suggest"
    # Nor over a first topic words and meaning agree on.
    assert hybrid(replace(lift, nearest_in_top=3)).kind == "suggest"
    # A third topic's entry never answers from a menu.
    third = (*step3[:1], Match("costs", 78.0), Match("visa-h1b", 74.0))
    assert hybrid(replace(lift, ranking=third)).kind == "suggest"


def test_a_long_question_needs_a_smaller_lead_than_a_short_one() -> None:
    # A 7% lead on agreeing signals: under the short question's lead, over the long one's.
    ranking = (Match("eras-application", 60.0), Match("usmle-step1", 55.8))
    short = Analysis(None, None, ranking, (), True, -0.3, "eras-application", 3, words=12)
    long = replace(short, words=HYBRID.long_words)
    assert HYBRID.long_lead * HYBRID.margin_share < 0.07 < HYBRID.margin_share
    assert hybrid(short).kind == "suggest"
    assert hybrid(long).kind == "answer"
    # Long or not, words and meaning disagreeing still ask for more.
    assert hybrid(replace(long, lexical_top="usmle-step1")).kind == "suggest"


def test_a_third_topic_far_behind_a_close_pair_is_not_offered() -> None:
    ranking = (Match("eras-application", 60.0), Match("usmle-step1", 59.0))
    near_third = Analysis(
        None, None, (*ranking, Match("soap", 52.0)), (), True, -0.3, "eras-application", 3
    )
    far_third = replace(near_third, ranking=(*ranking, Match("soap", 48.0)))
    assert [m.topic for m in hybrid(near_third).matches] == [
        "eras-application",
        "usmle-step1",
        "soap",
    ]
    assert [m.topic for m in hybrid(far_third).matches] == [
        "eras-application",
        "usmle-step1",
    ]


def test_an_entry_far_ahead_of_other_topics_entries_counts_as_agreement() -> None:
    # A 15% lead with words pointing elsewhere and the two topics' best entries 5 apart:
    # short of the 24% that disagreement needs...
    ranking = (Match("eras-application", 60.0), Match("usmle-step1", 51.0))
    fee = EntryScore("eras-fee", "eras-application", 75.0)
    step1 = EntryScore("step1-length", "usmle-step1", 70.0)
    split = Analysis(None, None, ranking, (fee, step1), False, -0.3, "usmle-step1", 1, words=8)
    assert without_menu_entry(split).kind == "suggest"
    # ...but one entry of the first topic 15 points ahead of the other topic's: answered.
    ahead = replace(split, entries=(fee, replace(step1, score=fee.score - 15)))
    assert fee.score < HYBRID.entry_answer_min  # not `entry_wins`: the lead decides
    assert HYBRID.entry_agree_min <= fee.score and HYBRID.entry_agree_gap <= 15
    result = hybrid(ahead)
    assert (result.kind, result.entry) == ("answer", "eras-fee")
    # The fitting entry in the second topic agrees with nothing (5 ahead: no lift either).
    elsewhere = replace(ahead, entries=(replace(step1, score=80.0), fee))
    assert hybrid(elsewhere).kind == "suggest"


def test_an_entry_well_ahead_of_other_topics_entries_answers_from_a_lower_score() -> None:
    # "Does a failed step 1 still show on my transcript?": a 21% lead with words and meaning
    # apart (24% needed); one entry of the first topic at 70+, 6+ ahead of every other topic's:
    # `entry_wins`' second bar.
    ranking = (Match("eras-application", 60.0), Match("usmle-step1", 47.0))
    fee = EntryScore("eras-fee", "eras-application", HYBRID.entry_lead_min + 1)
    step1 = EntryScore("step1-length", "usmle-step1", fee.score - HYBRID.entry_lead_gap - 1)
    split = Analysis(None, None, ranking, (fee, step1), False, -0.3, "usmle-step1", 0, words=4)
    assert fee.score < HYBRID.entry_answer_min and fee.score < HYBRID.entry_agree_min + 10
    result = hybrid(split)
    assert (result.kind, result.entry) == ("answer", "eras-fee")
    # Less ahead, or below the bar: a menu.
    near = replace(step1, score=fee.score - HYBRID.entry_lead_gap + 1)
    assert without_menu_entry(replace(split, entries=(fee, near))).kind == "suggest"
    low = replace(fee, score=HYBRID.entry_lead_min - 1)
    below = replace(step1, score=low.score - HYBRID.entry_lead_gap - 1)
    assert hybrid(replace(split, entries=(low, below))).kind == "suggest"
    # The same entry in the second topic answers nothing on the first.
    second = replace(fee, topic="usmle-step1")
    assert without_menu_entry(replace(split, entries=(second, step1))).kind == "suggest"


def test_an_entry_asking_the_questions_kind_of_fact_answers_from_a_lower_bar() -> None:
    # "how long is FM residency": residency training 50, ERAS 41 on the word "residency"; the
    # lengths entry asks a duration as the question does, scores 55 and leads by 12.
    ranking = (Match("eras-application", 50.0), Match("usmle-step1", 41.0))
    fee = EntryScore("eras-fee", "eras-application", HYBRID.facet_lead_min + 1, True)
    step1 = EntryScore("step1-length", "usmle-step1", fee.score - HYBRID.facet_lead_gap - 2)
    split = Analysis(None, None, ranking, (fee, step1), False, -0.3, "usmle-step1", 0, words=5)
    assert fee.score < HYBRID.entry_lead_min
    result = hybrid(split)
    assert (result.kind, result.entry) == ("answer", "eras-fee")
    # Not the question's kind of fact, or too close to the other topic's entry: a menu.
    plain = replace(split, entries=(replace(fee, same_facet=False), step1))
    assert hybrid(plain).kind == "suggest"
    near = replace(step1, score=fee.score - HYBRID.facet_lead_gap + 1)
    assert hybrid(replace(split, entries=(fee, near))).kind == "suggest"


def test_a_close_topics_entry_asking_the_same_fact_answers_first() -> None:
    # "OET medicine exam fee in dollars?": the costs overview leads the English tests a little,
    # the OET fee entry fits far better than anything else: the English tests answer.
    ranking = (Match("usmle-step1", 50.0), Match("eras-application", 47.0))
    fee = EntryScore("eras-fee", "eras-application", HYBRID.facet_answer_min + 2, True)
    step1 = EntryScore("step1-length", "usmle-step1", 60.0)
    split = Analysis(None, None, ranking, (fee, step1), True, -0.3, "usmle-step1", 1)
    assert facet_entry_wins(split, HYBRID)
    result = hybrid(split)
    assert (result.kind, result.entry) == ("answer", "eras-fee")
    # Its topic first, lifted to the top score: matches stay ranked best first by score.
    assert result.matches == (Match("eras-application", 50.0), Match("usmle-step1", 50.0))
    # Not the kind of fact asked, or words and meaning agree on the first topic: a menu.
    other_kind = replace(split, entries=(replace(fee, same_facet=False), step1))
    assert without_menu_entry(other_kind).kind == "suggest"
    # (The first topic has an entry of that kind too, here: `facet_lift_min` otherwise.)
    step1_fee = EntryScore("step1-fee", "usmle-step1", 60.0, True)
    agree = replace(split, entries=(fee, step1_fee), nearest_in_top=3)
    assert hybrid(agree).kind == "suggest"
    weak = replace(split, entries=(replace(fee, score=HYBRID.facet_answer_min - 1), step1_fee))
    assert without_menu_entry(weak).kind == "suggest"


def test_a_fee_question_leaves_a_topic_without_fee_entries_for_one_that_has_it() -> None:
    # "how much is step 1 now?": Step 1 leads costs by 16 and words and meaning agree on it,
    # but no Step 1 entry asks a fee; the costs topic's fee entry answers, its topic first.
    ranking = (Match("usmle-step1", 71.0), Match("eras-application", 55.0))
    fee = EntryScore("eras-fee", "eras-application", HYBRID.facet_lift_min + 0.5, True)
    step1 = EntryScore("step1-length", "usmle-step1", fee.score - 4)  # not a fee: no rival
    split = Analysis(None, None, ranking, (fee, step1), True, -0.3, "usmle-step1", 1, words=6)
    assert HYBRID.facet_lift_min < HYBRID.facet_answer_min
    assert ranking[0].score - ranking[1].score > decision.SUGGEST_WINDOW
    result = hybrid(split)
    assert (result.kind, result.entry, result.matches[0].topic) == (
        "answer",
        "eras-fee",
        "eras-application",
    )
    # The same when Step 1 clearly leads (words and meaning agree, a lead of 40%) and none of
    # its entries fits well enough to answer: its overview would not hold the fee.
    clear = replace(
        split,
        entries=(fee, replace(step1, score=HYBRID.entry_min - 10)),
        ranking=(ranking[0], Match("eras-application", 40.0)),
        nearest_in_top=3,
    )
    result = hybrid(clear)
    assert (result.kind, result.entry) == ("answer", "eras-fee")
    # An entry of Step 1 that answers (another kind of fact) keeps the clear winner.
    assert hybrid(replace(clear, entries=(fee, step1))).entry == "step1-length"
    # A Step 1 entry that asks a fee too: the first topic can answer, no lift.
    own_fee = replace(step1, same_facet=True)
    assert hybrid(replace(split, entries=(fee, own_fee))).entry != "eras-fee"
    # Below `facet_lift_min`: no lift.
    weak = replace(split, entries=(replace(fee, score=HYBRID.facet_lift_min - 1), step1))
    assert hybrid(weak).entry != "eras-fee"


def test_a_long_post_answers_from_a_lower_top_score() -> None:
    # Words and meaning agree and the first topic leads by 16 points, but scores 36: a short
    # question that scores so little gets a menu, a long post (scored lower) an answer.
    assert HYBRID.long_answer_min <= 36 < HYBRID.answer_min
    ranking = (Match("eras-application", 36.0), Match("usmle-step1", 20.0))
    short = Analysis(None, None, ranking, (), True, -0.3, "eras-application", 3, words=20)
    assert hybrid(short).kind == "suggest"
    long = replace(short, words=HYBRID.long_post_words)
    assert hybrid(long).kind == "answer"


def test_a_long_post_needs_a_smaller_lead_than_a_medium_question() -> None:
    # Words and meaning agree; a lead of 5.5% of the top score is short of what a question of
    # 25-39 words needs (10% x 0.6) and enough for a post of 40+ words (10% x 0.5).
    assert HYBRID.post_lead < HYBRID.long_lead
    ranking = (Match("eras-application", 50.0), Match("usmle-step1", 47.25))
    medium = Analysis(None, None, ranking, (), True, -0.3, "eras-application", 3, words=30)
    assert hybrid(medium).kind == "suggest"
    long = replace(medium, words=HYBRID.long_post_words)
    assert hybrid(long).kind == "answer"


def test_an_entry_answers_from_a_lower_score_for_a_long_post_or_the_asked_kind_of_fact() -> None:
    # Two entries of the answered topic 1 point apart, both under `entry_min`: a short question
    # that asks no kind of fact gets the overview...
    ranking = (Match("eras-application", 70.0), Match("usmle-step1", 30.0))
    fee = EntryScore("eras-fee", "eras-application", 56.0)
    documents = EntryScore("eras-documents", "eras-application", 55.0)
    assert fee.score < HYBRID.entry_min and fee.score - documents.score < HYBRID.entry_margin
    short = Analysis(None, None, ranking, (fee, documents), True, -0.3, "eras-application", 3)
    assert hybrid(short).entry is None
    # ...a long post, its entries scored on its asking part, gets the best one...
    long = replace(short, words=HYBRID.long_post_words)
    assert hybrid(long).entry == "eras-fee"
    # ...and so does a question whose kind of fact the best entry asks.
    facet = replace(short, entries=(replace(fee, same_facet=True), documents))
    assert hybrid(facet).entry == "eras-fee"
    # Below the long-post and facet bars: the overview.
    low = replace(fee, score=HYBRID.long_pick_min - 1, same_facet=True)
    assert hybrid(replace(long, entries=(low, documents))).entry is None


def test_an_entry_far_ahead_of_its_topics_others_answers_from_a_lower_score() -> None:
    # "h1b max years total": the duration entry under `entry_min`, far ahead of the next one.
    ranking = (Match("visa-h1b", 70.0), Match("visa-j1", 30.0))
    duration = EntryScore("h1b-duration", "visa-h1b", HYBRID.entry_min - 1)
    lead = HYBRID.clear_pick_margin
    far = EntryScore("h1b-which-programs", "visa-h1b", duration.score - lead)
    clear = Analysis(None, None, ranking, (duration, far), True, -0.3, "visa-h1b", 3)
    assert hybrid(clear).entry == "h1b-duration"
    # A closer runner-up, or a score under `clear_pick_min`: the overview.
    close = replace(far, score=duration.score - lead + 1)
    assert hybrid(replace(clear, entries=(duration, close))).entry is None
    low = replace(duration, score=HYBRID.clear_pick_min - 1)
    assert hybrid(replace(clear, entries=(low, replace(far, score=low.score - lead)))).entry is None
    # The topic's only entry leads nothing ("tell me about ERAS" in a base with one ERAS entry).
    assert hybrid(replace(clear, entries=(duration,))).entry is None
    # Without the model, the lexical thresholds keep their own bar.
    assert LEXICAL.clear_pick_min == float("inf")


def test_an_overview_answer_names_its_topics_entries_that_fit_well() -> None:
    # Two entries of the answered topic fit, neither clearly better: the overview answers and
    # offers them; an entry under `entry_min` or of another topic is not offered.
    ranking = (Match("medical-license", 75.0), Match("usmle-step3", 40.0))
    training = EntryScore("lic-training", "medical-license", HYBRID.entry_min + 15)
    full = EntryScore("lic-full", "medical-license", HYBRID.entry_min + 14)
    weak = EntryScore("lic-weak", "medical-license", HYBRID.entry_min - 1)
    step3 = EntryScore("step3-when", "usmle-step3", HYBRID.entry_min + 14.5)
    both = Analysis(None, None, ranking, (training, step3, full), True, -0.3, "medical-license", 3)
    result = hybrid(both)
    assert (result.kind, result.entry, result.close) == (
        "answer",
        None,
        ("lic-training", "lic-full"),
    )
    edge = replace(training, score=HYBRID.entry_min + 1)  # too close to the next to be picked
    one = replace(both, entries=(edge, step3, weak))
    assert (hybrid(one).entry, hybrid(one).close) == (None, ("lic-training",))
    # An entry that answers, a menu, a refusal: nothing offered this way.
    picked = replace(both, entries=(replace(training, score=90.0), full))
    assert (hybrid(picked).entry, hybrid(picked).close) == ("lic-training", ())
    assert hybrid(replace(both, ranking=(ranking[0], Match("usmle-step3", 74.0)))).close == ()


def test_an_entry_answer_offers_its_topics_entries_that_fit_nearly_as_well() -> None:
    # "can i apply to residency without ecfmg certificate": two entries of the answered topic a
    # point or two apart; the one picked answers, the other is offered first.
    ranking = (Match("ecfmg-certification", 82.0), Match("usmle-step3", 66.0))
    by_july = EntryScore("cert-by-july", "ecfmg-certification", 80.0, same_facet=True)
    margin = HYBRID.entry_margin
    before_eras = EntryScore("cert-before-eras", "ecfmg-certification", 80.0 - margin + 0.5)
    step3 = EntryScore("step3-when", "usmle-step3", 79.5)
    both = Analysis(
        None, None, ranking, (by_july, step3, before_eras), True, -0.3, "ecfmg-certification", 3
    )
    result = hybrid(both)
    assert (result.kind, result.entry, result.close) == (
        "answer",
        "cert-by-july",
        ("cert-before-eras",),
    )
    # A runner-up a whole margin behind, or under `entry_min`: nothing offered.
    behind = replace(before_eras, score=80.0 - margin)
    assert hybrid(replace(both, entries=(by_july, behind))).close == ()
    low = replace(by_july, score=HYBRID.entry_min)
    weak = replace(before_eras, score=HYBRID.entry_min - 0.5)
    assert hybrid(replace(both, entries=(low, weak))).entry == "cert-by-july"
    assert hybrid(replace(both, entries=(low, weak))).close == ()


def test_without_the_model_numbers_alone_and_one_vague_word_do_not_answer() -> None:
    ranking = (Match("eras-application", 60.0), Match("usmle-step1", 30.0))
    clear = Analysis(None, None, ranking, (), True)
    assert decide_by_rules(clear, LEXICAL, lexical_only=True).kind == "answer"
    assert (
        decide_by_rules(replace(clear, known_word=False), LEXICAL, lexical_only=True).kind == "none"
    )
    assert (
        decide_by_rules(replace(clear, guard="vague"), LEXICAL, lexical_only=True).kind == "suggest"
    )
    # With the model the lead decides: "what is eras" is a clear winner, not too vague.
    agree = replace(clear, guard="vague", scope_gap=-0.3, lexical_top="eras-application")
    assert (
        decide_by_rules(replace(agree, nearest_in_top=3), HYBRID, lexical_only=False).kind
        == "answer"
    )


def test_a_menu_offers_first_the_entry_that_fits_best_among_its_topics() -> None:
    # "when is match week 2027": the calendar topic 84, the NRMP topic 82 (a menu); the Match
    # Week entry of the NRMP topic 89, the calendar's own pick 77.
    ranking = (Match("match-timeline", 84.0), Match("nrmp-match", 82.0), Match("soap", 66.0))
    week = EntryScore("nrmp-match-week", "nrmp-match", 89.0)
    month = EntryScore("timeline-month-by-month", "match-timeline", 77.0)
    menu = Analysis(None, None, ranking, (week, month), True, -0.3, "nrmp-match", 1, words=5)
    result = hybrid(menu)
    assert (result.kind, result.entry) == ("suggest", "nrmp-match-week")
    assert [m.topic for m in result.matches] == ["match-timeline", "nrmp-match"]
    # Less than `OFFER_LEAD` ahead of the first topic's pick: the pick stays first.
    near = replace(week, score=month.score + decision.OFFER_LEAD - 1)
    assert hybrid(replace(menu, entries=(near, month))).entry == "timeline-month-by-month"
    # No pick in the first topic: a fair fit elsewhere in the menu is offered; a weak one not.
    fair = replace(week, score=decision.OFFER_MIN + 5)
    assert hybrid(replace(menu, entries=(fair,))).entry == "nrmp-match-week"
    weak = replace(week, score=decision.OFFER_MIN - 1)
    assert hybrid(replace(menu, entries=(weak,))).entry is None
    # An entry of a topic the menu does not offer is not offered either.
    dates = EntryScore("soap-dates", "soap", 95.0)
    assert hybrid(replace(menu, entries=(dates, month))).entry == "timeline-month-by-month"
    # A question of a word or three is too general for another topic's entry first.
    short = replace(menu, words=decision.OFFER_MIN_WORDS - 1)
    assert hybrid(short).entry == "timeline-month-by-month"


def test_a_what_is_question_gets_the_entry_that_says_what_it_is_or_the_overview() -> None:
    # decide (not the rules alone): the "what is" step comes after the confidence.
    def decided(analysis: Analysis) -> MatchResult:
        return decision.decide(analysis, HYBRID, lexical_only=False)

    ranking = (Match("eras-application", 80.0), Match("usmle-step1", 40.0))
    fee = EntryScore("eras-fee", "eras-application", 90.0)
    asked = Analysis(None, None, ranking, (fee,), True, -0.3, "eras-application", 3)
    assert decided(asked).entry == "eras-fee"
    # "what is eras": not the fee; the overview alone, with no entry to open it.
    what = replace(asked, asks_what=True)
    result = decided(what)
    assert (result.kind, result.entry, result.close) == ("answer", None, ())
    assert result.matches[0].topic == "eras-application"
    # An entry of the topic that says what ERAS is answers it.
    defined = replace(what, definition_entry="eras-fee")
    assert decided(defined).entry == "eras-fee"
    # ...but not one of another topic.
    elsewhere = replace(what, definition_entry="step1-length")
    assert decided(elsewhere).entry is None
