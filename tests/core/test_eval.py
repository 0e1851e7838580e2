"""Evaluation maths on a tiny hand-made set, and the dev-set quality bar on the real knowledge."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.evaluation import EvalReport, Question, evaluate, load_questions, match_all
from bot.core.models import KnowledgeBase, Match, MatchResult
from bot.core.questions.answers import MatchesQuestions, build_matcher
from bot.core.questions.semantic import shared_encoder
from bot.core.yamlfile import load_yaml

DATA = Path(__file__).resolve().parents[1] / "data"


class ScriptedMatcher:
    """Answers from a table, so the evaluation maths can be checked by hand."""

    def __init__(self, table: dict[str, MatchResult]) -> None:
        self.table = table

    def match(self, text: str) -> MatchResult:
        return self.table[text]


def result(kind: str, *topics: str) -> MatchResult:
    return MatchResult(kind, tuple(Match(t, 50.0) for t in topics))  # type: ignore[arg-type]


@pytest.fixture
def report() -> EvalReport:
    matcher = ScriptedMatcher(
        {
            "q1": result("answer", "a", "b"),  # top-1 hit
            "q2": result("suggest", "b", "a", "c"),  # top-3 hit only
            "q3": result("suggest", "b", "c", "d", "a"),  # a is 4th: miss
            "q4": result("none"),  # refused
            "n1": result("none"),  # out of scope, correct
            "n2": MatchResult("smalltalk", smalltalk="hi!"),  # out of scope, correct
            "n3": result("answer", "c"),  # out of scope, answered: wrong
        }
    )
    questions = [("q1", "a"), ("q2", "a"), ("q3", "a"), ("q4", "a")]
    questions += [("n1", "none"), ("n2", "none"), ("n3", "none")]
    return evaluate(matcher, questions)


def test_evaluate_scores_in_scope_questions(report: EvalReport) -> None:
    assert (report.total, report.in_scope, report.out_of_scope) == (7, 4, 3)
    assert report.top1 == pytest.approx(1 / 4)
    assert report.top3 == pytest.approx(2 / 4)
    assert report.refused_rate == pytest.approx(1 / 4)
    assert report.direct_correct == pytest.approx(1 / 4)  # q1 only: q2, q3 were menus
    assert report.confident_wrong == 0.0  # n3's wrong answer was to an out-of-scope question


def test_evaluate_scores_out_of_scope_detection(report: EvalReport) -> None:
    # "no topic" was given to q4, n1 and n2; n1 and n2 were right.
    assert report.none_precision == pytest.approx(2 / 3)
    assert report.none_recall == pytest.approx(2 / 3)


def test_evaluate_lists_confusions_and_misses(report: EvalReport) -> None:
    assert report.confusions == {"a": {"b": 2, "none": 1}, "none": {"c": 1}}
    assert [m.question for m in report.misses] == ["q2", "q3", "q4", "n3"]
    text = report.to_text()
    assert "top-1: 25.0%" in text
    assert "q3" in text
    assert "  a -> b 2, none 1" in text
    data = report.to_dict()
    assert data["top3"] == 0.5
    assert len(data["misses"]) == 4  # type: ignore[arg-type]


class BatchMatcher(ScriptedMatcher):
    """A matcher with a batch path: evaluate must use it, in one call, in question order."""

    def __init__(self, table: dict[str, MatchResult]) -> None:
        super().__init__(table)
        self.batches: list[list[str]] = []

    def match(self, text: str) -> MatchResult:
        raise AssertionError("evaluate asked one question at a time")

    def match_many(self, texts: list[str]) -> list[MatchResult]:
        self.batches.append(list(texts))
        return [self.table[t] for t in texts]


def test_evaluate_uses_the_batch_path_with_the_same_scores(report: EvalReport) -> None:
    table = {
        "q1": result("answer", "a", "b"),
        "q2": result("suggest", "b", "a", "c"),
        "q3": result("suggest", "b", "c", "d", "a"),
        "q4": result("none"),
        "n1": result("none"),
        "n2": MatchResult("smalltalk", smalltalk="hi!"),
        "n3": result("answer", "c"),
    }
    matcher = BatchMatcher(table)
    questions = [("q1", "a"), ("q2", "a"), ("q3", "a"), ("q4", "a")]
    questions += [("n1", "none"), ("n2", "none"), ("n3", "none")]
    assert evaluate(matcher, questions) == report
    assert matcher.batches == [[q for q, _ in questions]]


def test_evaluate_on_nothing_is_not_a_division_by_zero() -> None:
    empty = evaluate(ScriptedMatcher({}), [])
    assert empty.total == 0
    assert empty.refused_rate == 0.0


def test_load_questions_reads_labels_and_rejects_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        'questions:\n  - q: "what is soap"\n    topic: soap\n'
        '  - q: "rol deadline?"\n    topic: match-timeline\n    also: [nrmp-match]\n',
        encoding="utf-8",
    )
    assert load_questions(good) == [
        Question("what is soap", "soap"),
        Question("rol deadline?", "match-timeline", ("nrmp-match",)),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  - q: no topic here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="#1"):
        load_questions(bad)
    bad.write_text("questions:\n  - q: hi\n    topic: soap\n    also: soap\n", encoding="utf-8")
    with pytest.raises(ValueError, match="#1: 'also'"):
        load_questions(bad)
    bad.write_text(
        "questions:\n  - q: hi\n    topic: soap\n    fact: yes please\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="#1: 'fact'"):
        load_questions(bad)


def test_fact_questions_count_when_answered_directly_on_a_right_topic() -> None:
    matcher = ScriptedMatcher(
        {
            "soap limit?": result("answer", "soap"),  # direct and right
            "step 3 fee?": result("suggest", "costs", "usmle-step3"),  # a menu: not direct
            "rol deadline?": result("answer", "nrmp-match"),  # right by `also`
            "what is soap": result("answer", "soap"),  # right, but not a fact question
        }
    )
    questions = [
        Question("soap limit?", "soap", fact=True),
        Question("step 3 fee?", "costs", fact=True),
        Question("rol deadline?", "match-timeline", ("nrmp-match",), fact=True),
        Question("what is soap", "soap"),
    ]
    report = evaluate(matcher, questions)
    assert (report.facts, report.facts_direct) == (3, 2 / 3)
    assert report.to_dict()["facts"] == 3
    assert "fact questions (3) answered directly: 66.7%" in report.to_text()
    assert evaluate(matcher, questions, strict=True).facts_direct == 1 / 3


def test_a_writers_also_topic_counts_as_right_unless_strict() -> None:
    # dev-forum's header: `also` is "a second topic that would be equally right".
    matcher = ScriptedMatcher(
        {
            "rol deadline?": result("answer", "nrmp-match", "match-timeline"),
            "step 3 fee?": result("suggest", "costs", "usmle-step3"),
            "soap limit?": result("answer", "nrmp-match"),
        }
    )
    questions = [
        Question("rol deadline?", "match-timeline", ("nrmp-match",)),
        Question("step 3 fee?", "usmle-step3", ("costs",)),
        ("soap limit?", "soap"),
    ]
    counted = evaluate(matcher, questions)
    assert (counted.top1, counted.direct_correct, counted.confident_wrong) == (2 / 3, 1 / 3, 1 / 3)
    assert [m.question for m in counted.misses] == ["soap limit?"]
    assert counted.confusions == {"soap": {"nrmp-match": 1}}
    strict = evaluate(matcher, questions, strict=True)
    assert (strict.top1, strict.direct_correct, strict.confident_wrong) == (0.0, 0.0, 2 / 3)
    assert strict.top3 == 2 / 3  # "soap" was never offered


class Remembering:
    """A matcher that answers each distinct question once and remembers the result.

    The fact tests ask the fact questions of sets the set tests have just scored (~390 of
    them, ~2 s of CPU to match again); a matcher is deterministic, so the second ask gets the
    first result instead of the same computation twice.
    """

    def __init__(self, matcher: MatchesQuestions) -> None:
        self.matcher = matcher
        self.results: dict[str, MatchResult] = {}

    def match(self, text: str) -> MatchResult:
        return self.match_many([text])[0]

    def match_many(self, texts: list[str]) -> list[MatchResult]:
        new = list(dict.fromkeys(t for t in texts if t not in self.results))
        if new:
            self.results.update(zip(new, match_all(self.matcher, new), strict=True))
        return [self.results[t] for t in texts]


@pytest.fixture(scope="module")
def real_matcher(repo_knowledge: KnowledgeBase) -> MatchesQuestions:
    """The bot's matcher on the real knowledge (words + sentence vectors when installed)."""
    return Remembering(build_matcher(repo_knowledge))


def test_remembering_asks_the_matcher_once_per_question() -> None:
    asked: list[list[str]] = []

    class Counting(ScriptedMatcher):
        def match_many(self, texts: list[str]) -> list[MatchResult]:
            asked.append(list(texts))
            return [self.table[t] for t in texts]

    table = {"a": result("answer", "x"), "b": result("none"), "c": result("suggest", "y")}
    remembering = Remembering(Counting(table))
    assert remembering.match_many(["a", "b", "a"]) == [table["a"], table["b"], table["a"]]
    assert remembering.match_many(["c", "b"]) == [table["c"], table["b"]]
    assert remembering.match("a") == table["a"]
    assert asked == [["a", "b"], ["c"]]


# Bars: issue 10's where they are met on these sets, else a little under what was measured
# (BENCHMARKS.md, "Matching"), so a regression fails while content work moves numbers by a
# question or two. All five sets are tuning sets now (a fresh held-out set is kept outside the
# repository). Without the model package the lexical fallback is held to the old bars.
# After fact pass 6 (knowledge only: 7 entries, ~250 variants in general words; BENCHMARKS.md)
# the direct-and-right, confidently-wrong and fact bars below were moved to about a question
# under that measurement; each set's docstring keeps its earlier history. Then the Step 3 and
# OET fee entries moved to costs, the topic whose contract names exam fees and where dev.yaml
# and dev-forum.yaml label such questions ("how much is the step 3 exam fee", "oet cost per
# attempt"): dev-forum gained 2 direct answers, and holdout-3 and holdout-6, whose writers put
# those fees under the exam, count 2 more confident wrong answers each, and they and
# holdout-forum 1-2 fewer fact answers on the labelled topic (bars moved with them). The USCE
# cost entry followed (costs names "travel, USCE"; dev labels "how much money needed for usce and
# travel" costs): 3 fewer confident wrong answers over the sets, holdout-3 one fact answer less.
# After fact pass 7 and out-of-scope pass 6 (session 14: 5 entries, ~350 variants, 14 scope
# intents, names of other exams and jobs; BENCHMARKS.md) the direct-and-right, confidently-wrong
# and fact bars, and the near-miss sets' rejected bars, moved to about a question under the new
# measurement again. One was loosened after fact pass 9: holdout-6's fact bar (see FACT_BARS).
# Session 39: `evaluate` counts a writer's `also` topic as right (as issue 10's own numbers were
# counted), and every set's six bars moved to about one and a half questions under its measurement
# that way at 6e3307f (none looser than before). Each test's history below was measured on `topic`
# alone. These sets are fitted on by the classifier and the confidence (but dev and dev-forum by
# the confidence only): their numbers are partly memory; the held-out pools show generalisation.
SEMANTIC = shared_encoder() is not None


def scored(matcher: MatchesQuestions, name: str) -> EvalReport:
    """One set of tests/data scored, its report printed (shown when a bar fails)."""
    report = evaluate(matcher, load_questions(DATA / f"{name}.yaml"))
    print(report.to_text())
    return report


def assert_bars(
    report: EvalReport,
    *,
    top1: float,
    top3: float,
    direct: float,
    wrong: float,
    refused: float,
    rejected: float,
) -> None:
    """A regression guard's six bars: first topic, top three, direct and right, confidently
    wrong, in-scope refused and out of scope rejected."""
    assert report.top1 >= top1, report.to_text()
    assert report.top3 >= top3, report.to_text()
    assert report.direct_correct >= direct, report.to_text()
    assert report.confident_wrong <= wrong, report.to_text()
    assert report.refused_rate <= refused, report.to_text()
    assert report.none_recall >= rejected, report.to_text()


def test_dev_set_meets_the_bar(real_matcher: MatchesQuestions) -> None:
    # measured: top-1 96.8%, top-3 98.9%, direct and right 86.3%, confidently wrong 0.0%
    report = evaluate(real_matcher, load_questions(DATA / "dev.yaml"))
    print(report.to_text())
    assert report.top1 >= (0.95 if SEMANTIC else 0.85), report.to_text()
    assert report.top3 >= 0.97, report.to_text()
    assert report.none_recall >= 0.90, report.to_text()
    assert report.refused_rate <= 0.03, report.to_text()
    assert report.confident_wrong <= (0.02 if SEMANTIC else 0.05), report.to_text()
    if SEMANTIC:
        assert report.direct_correct >= 0.84, report.to_text()


# dev-forum questions (their first 60 characters) answered from a topic the set does not list,
# read and judged right, with the topic.
OFF_LIST_RIGHT = {"My seniors (matched 2017-2018) told me CS is compulsory and ": {"usmle-step2cs"}}


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_forum_style_dev_set_meets_the_bar(real_matcher: MatchesQuestions) -> None:
    # measured: top-1 87.2%, top-3 99.0%, direct and right 66.3%, confidently wrong 2.0% (4 of
    # 196, each on a topic the set lists under `also`: the facet pass answered "is the rol
    # deadline early march or end of feb?" from the Match with its ROL deadline entry), refused
    # 0.5%, out of scope rejected 100% (97.5% before the out-of-scope pass). After fact pass 2:
    # confidently wrong 2.6% (5), the fifth also on its `also` topic ("oet cost per attempt in
    # AUD?" -> the OET fee entry of the English tests; labelled costs). Since the OET and
    # Step 3 fee entries moved to costs: 1.5% (3). Session 24's end: 2.0% (4). With `menu_entry`
    # (session 25): 2.6% (5), the fifth on its `also` topic ("Once I finish IM on j1, can I go
    # straight into a cardiology fellowship...?" -> the J-1 fellowship entry; labelled
    # after-residency), while 18 menus of the tuning, read and unseen sets became answers on the
    # writer's topic and none on another (on holdout-59 to -64, written afterwards: 4 more on the
    # writer's topic, 3 on an `also` topic). Session 31, with the words' lead in the confidence:
    # 3.1% (6), the sixth again "is the rol deadline early march or end of feb?" answered from
    # the ROL deadline entry (labelled match-timeline, `also` nrmp-match); on the unseen sets
    # that change gave 29 more direct and right answers and 2 more wrong (BENCHMARKS.md).
    # Session 37, the pair signal: direct and right 89.8 -> 87.2%, confidently wrong 3.1 -> 2.6%;
    # one answer off the listed topics, read and judged right (`OFF_LIST_RIGHT`): seniors' advice
    # that CS is compulsory and 6 tries are allowed (labelled mentors-and-feasibility, no `also`)
    # answered from Step 2 CS's entry on out-of-date advice (no CS, 4 attempts). Session 38, the
    # entry signal: direct and right 87.2 -> 89.8%, confidently wrong 2.6 -> 2.0% (4).
    # Session 39: scored with `also` as right (bot.core.evaluation), confidently wrong 0.5% (the
    # one answer of OFF_LIST_RIGHT); strict (`topic` only) 2.0%.
    report = scored(real_matcher, "dev-forum")
    assert_bars(
        report, top1=0.977, top3=0.987, direct=0.946, wrong=0.013, refused=0.013, rejected=0.97
    )
    for miss in report.misses:
        if miss.kind == "answer" and miss.expected != "none":
            right = OFF_LIST_RIGHT.get(miss.question[:60], set())
            assert miss.got[0] in right, miss  # no answer off the listed topics


def test_holdout_set_generalises(real_matcher: MatchesQuestions) -> None:
    # measured: top-1 94.4%, direct and right 79.6%, confidently wrong 0.0%, out of scope
    # rejected 100%, refused 0.0%
    report = evaluate(real_matcher, load_questions(DATA / "holdout.yaml"))
    print(report.to_text())
    assert report.top1 >= (0.90 if SEMANTIC else 0.85), report.to_text()
    assert report.none_recall >= 0.90, report.to_text()
    assert report.refused_rate <= 0.03, report.to_text()
    if SEMANTIC:
        assert report.direct_correct >= 0.77, report.to_text()
        assert report.confident_wrong <= 0.02, report.to_text()


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_forum_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/holdout-forum.yaml, held out until the third matching pass, now tuned on.
    Measured: top-1 90.4%, top-3 98.3%, direct and right 75.7%, confidently wrong 3.0% (6 of
    its 7 wrong answers are on a topic the set lists under `also`), refused 0.4%, out of scope
    rejected 97.8% (95.6% before the out-of-scope pass). Confidently wrong still misses issue
    10's bar."""
    report = scored(real_matcher, "holdout-forum")
    assert_bars(
        report, top1=0.984, top3=0.989, direct=0.967, wrong=0.007, refused=0.007, rejected=0.966
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_second_forum_set_meets_the_bar(real_matcher: MatchesQuestions) -> None:
    """tests/data/holdout-2.yaml (near misses, specific facts, long posts), now tuned on.
    Measured: top-1 95.0%, top-3 98.3%, direct and right 83.3%, confidently wrong 0.0%,
    refused 0.0%, out of scope rejected 95.0% (92.5% before the out-of-scope pass). Direct and
    right 91.7 -> 90.0% (55 -> 54 of 60) with session 38's entry signal (on the unseen pools
    +164 right - 5 x wrong; BENCHMARKS.md). With the topic classifier (session 38): direct and
    right 91.7%, confidently wrong 1.7 -> 3.3% (2 of 60): a green card question after an H-1B
    residency answered from the H-1B (labelled after-residency), and two specialties' personal
    statements in one ERAS season answered from the personal statement (labelled ERAS); the
    unseen pools gained +560 right - 5 x wrong with it."""
    report = scored(real_matcher, "holdout-2")
    assert_bars(
        report, top1=0.975, top3=0.975, direct=0.975, wrong=0.025, refused=0.025, rejected=0.92
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_mixed_set_meets_the_bar(real_matcher: MatchesQuestions) -> None:
    """tests/data/holdout-3.yaml (300 short and medium questions), measured once, now tuned on.
    Measured: top-1 88.3%, top-3 95.8%, direct and right 68.3%, confidently wrong 3.8%, refused
    0.8%, out of scope rejected 86.7%. After the decision pass (BENCHMARKS.md): direct and right
    69.2%, confidently wrong 3.8% (one of them "how much is step 1 now?", labelled Step 1 and
    answered with the Step 1 fee from costs, as issue 10 asks). After the out-of-scope pass:
    top-1 88.8%, refused 0.4%, out of scope rejected 93.3%. After out-of-scope pass 2 (a short
    question's floor): out of scope rejected 95.0%."""
    report = scored(real_matcher, "holdout-3")
    assert_bars(
        report, top1=0.981, top3=0.993, direct=0.964, wrong=0.019, refused=0.007, rejected=0.958
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_long_forum_posts_meet_the_bar(real_matcher: MatchesQuestions) -> None:
    """tests/data/holdout-4.yaml (150 forum posts of 63-200 words), measured once, now tuned on.
    Measured: top-1 84.2%, top-3 97.5%, direct and right 65.0%, confidently wrong 3.3%, refused
    0.8%, out of scope rejected 70.0% (before the asking part: 76.7 / 94.2 / 50.0 / 1.7 / 3.3 /
    70.0%). After the decision pass: direct and right 66.7%, confidently wrong 2.5%. After the
    out-of-scope pass: out of scope rejected 83.3%; after pass 2 (a post its writer calls off
    topic): 86.7%. Direct and right and out of scope rejected still miss issue 10's bars."""
    report = scored(real_matcher, "holdout-4")
    assert_bars(
        report, top1=0.962, top3=0.987, direct=0.879, wrong=0.013, refused=0.013, rejected=0.85
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_medium_and_long_posts_of_the_last_held_out_set_do_not_regress(
    real_matcher: MatchesQuestions,
) -> None:
    """tests/data/holdout-5.yaml (120 posts of 150-900 characters), measured once after the
    long-post pass (BENCHMARKS.md): top-1 83.3%, top-3 97.9%, direct and right 65.6%, confidently
    wrong 7.3%, refused 1.0%, out of scope rejected 70.8%. A guard against regressions, not a
    target: confidently wrong misses issue 10's bar. After the decision pass: direct and right
    70.8%, confidently wrong 6.2%. After the out-of-scope pass: top-1 84.4%, refused 0.0%, out of
    scope rejected 95.8%. After fact pass 2 (`entry_wins`' second bar): confidently wrong 7.3%,
    one more: a registration post answered from certification's diploma-verification entry, the
    two topics tied at 56."""
    report = scored(real_matcher, "holdout-5")
    assert_bars(
        report, top1=0.953, top3=0.984, direct=0.921, wrong=0.027, refused=0.016, rejected=0.937
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_sixth_held_out_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/holdout-6.yaml (300 questions, 137 of them posts of 60+ words, 55 out of
    scope), written from the topic list alone and measured once after the decision, scope and
    onnxruntime passes (BENCHMARKS.md): top-1 82.9%, top-3 97.1%, direct and right 70.2%,
    confidently wrong 6.5% (2.4% counting `also`), refused 0.8%, out of scope rejected 72.7%.
    A guard against regressions, not a target: several of issue 10's bars are missed here.
    Then a tuning set: after out-of-scope pass 2 (who is asking, a post called off topic,
    intents by kind) out of scope rejected 92.7%, every other number unchanged. Session 29:
    confidently wrong 4.9 -> 5.3% (13 of 245) when the diploma's translation moved to ECFMG
    registration, whose topic covers credential verification (topics.yaml; 3 of the 4 other such
    questions of the read sets): this set files one under certification. Session 31: 5.3 ->
    5.7% (14) when the words' lead joined the confidence, the new one on its `also` topic (a
    post about a program's promise after interviews, answered from interviews, labelled
    nrmp-match); on the unseen sets +29 direct and right, +2 wrong (BENCHMARKS.md). Session 35:
    5.7 -> 6.1% (15) when the entry on an H-1B for fellowship moved to visa-h1b, where 8 of the
    12 held-out questions it answers are labelled (this set files one under after-residency);
    every unseen pool gained or held (BENCHMARKS.md). Session 37: 6.1 -> 6.5% (16) with the pair
    signal in the confidence, which gave every unseen pool fewer wrong answers in all (62 fewer
    over sessions 23-37's unseen pools; BENCHMARKS.md)."""
    report = scored(real_matcher, "holdout-6")
    assert_bars(
        report, top1=0.944, top3=0.977, direct=0.879, wrong=0.019, refused=0.019, rejected=0.954
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_seventh_held_out_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/holdout-7.yaml (160 questions, 75 posts of 60+ words, 50 out of scope),
    written from the topic list alone and measured once after the fact-entries pass and
    out-of-scope pass 2 (BENCHMARKS.md): top-1 86.4%, top-3 96.4%, direct and right 77.3%,
    confidently wrong 0.9%, refused 1.8%, out of scope rejected 94.0%. A regression guard."""
    report = scored(real_matcher, "holdout-7")
    assert_bars(
        report, top1=0.986, top3=0.986, direct=0.977, wrong=0.01, refused=0.014, rejected=0.95
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_fact_tuning_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/forum-facts.yaml (220 questions: 180 ask one fact, half inside forum posts;
    40 near misses), written from the topic list alone and measured once unseen before fact
    pass 4 (BENCHMARKS.md): top-1 88.9%, top-3 98.9%, direct and right 81.1%, confidently wrong
    3.3%, refused 0.6%, out of scope rejected 75.0%. After fact pass 4 (variants and three
    entries) and out-of-scope pass 3 (intents by kind): 90.6 / 98.9 / 86.7 / 2.2 / 0.6 / 100%."""
    report = scored(real_matcher, "forum-facts")
    assert_bars(
        report, top1=0.991, top3=0.991, direct=0.969, wrong=0.009, refused=0.009, rejected=0.97
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_second_fact_tuning_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/forum-facts-2.yaml (200 questions, each asking one fact, many inside forum
    posts; no out-of-scope questions), written from the topic list alone and measured once
    unseen before fact pass 5 (commit 5e19d61): top-1 88.0%, top-3 99.5%, direct and right 80.0%,
    confidently wrong 4.5%, refused 0.0%, out of scope rejected n/a. After fact pass 5 (variants
    in our own words and two entries): 89.5 / 99.5 / 82.0 / 4.5 / 0.0; bars a question under."""
    report = scored(real_matcher, "forum-facts-2")
    assert_bars(
        report, top1=0.982, top3=0.992, direct=0.962, wrong=0.013, refused=0.005, rejected=0
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_third_fact_tuning_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/forum-facts-3.yaml (180 questions, each asking one fact: a third short, a third
    medium, a third long posts; no out-of-scope questions), written from the topic list alone
    and measured once unseen before fact pass 9 (5de3753): top-1 90.6%, top-3 98.9%, direct and
    right 84.4%, confidently wrong 4.4%, refused 0.0%; 76.1% with an entry's short answer.
    After fact pass 9 (5 entries, ~100 variants in our own words) and out-of-scope pass 7:
    94.4 / 99.4 / 92.2 / 2.8 / 0.0, 84.4% with an entry; bars a question under."""
    report = scored(real_matcher, "forum-facts-3")
    assert_bars(
        report, top1=0.975, top3=0.991, direct=0.963, wrong=0.014, refused=0.006, rejected=0
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_long_post_tuning_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/forum-posts.yaml (200 posts of 70-200 words: 170 in scope, 85 of them asking
    one fact; 30 out of scope), measured once unseen before the long-post pass (commit e2ecedc):
    top-1 88.2%, top-3 97.6%, direct and right 73.5%, confidently wrong 1.8%, refused 0.0%, out
    of scope rejected 90.0%. After the long-post pass (variants in our own words, and "my seniors
    who..." read as story): 90.0 / 98.2 / 78.2 / 1.8 / 0.0 / 90.0%; bars about a question under."""
    report = scored(real_matcher, "forum-posts")
    assert_bars(
        report, top1=0.973, top3=0.991, direct=0.932, wrong=0.012, refused=0.006, rejected=0.916
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_near_miss_tuning_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/near-misses.yaml (130 questions: 90 out-of-scope near misses of many kinds, a
    third of them forum posts; 40 in-scope questions that look like near misses), written from
    the topic list and issue 10 before reading the scope guard's intents. Measured first on the
    code before out-of-scope pass 4: top-1 85.0%, top-3 90.0%, direct and right 65.0%,
    confidently wrong 0.0%, refused 10.0%, out of scope rejected 80.0%. After pass 4 (intents
    by kind, other professions' exam names): 87.5 / 92.5 / 67.5 / 0.0 / 7.5 / 97.8%. The three
    refused in-scope questions name another profession's exam or another country's licence
    next to the US road (NCLEX, DHA, MCCQE); bars a question under the measurement. Session
    28 (a post's meaning read from its opening, encoder.QUESTION_TOKENS): rejected 97.8 ->
    96.7%: two posts that open on the writer's own residency or USMLE and then ask about a
    brother's tech H-1B and a Saudi licence exam get through, one is newly rejected."""
    report = scored(real_matcher, "near-misses")
    assert_bars(
        report, top1=0.962, top3=0.962, direct=0.962, wrong=0.025, refused=0.038, rejected=0.96
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_second_near_miss_tuning_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/near-misses-2.yaml (150 questions: 110 out-of-scope near misses of many kinds,
    a third of them posts; 40 in-scope questions that look like near misses), written from the
    topic list alone. Measured once unseen after fact pass 6 (71af41f): top-1 82.5%, top-3
    87.5%, direct and right 72.5%, confidently wrong 0.0%, refused 12.5%, out of scope rejected
    78.2%. After out-of-scope pass 5 (twelve intents by kind, four exam or portal names): out of
    scope rejected 87.3%, the rest unchanged. The five refused in-scope questions name NCLEX or
    Tinder next to the US road (out_of_scope_always); letting a named US exam hand them to
    meaning answered three of them but one physiotherapist's post of near-misses.yaml too."""
    report = scored(real_matcher, "near-misses-2")
    assert_bars(
        report, top1=0.912, top3=0.912, direct=0.887, wrong=0.025, refused=0.088, rejected=0.968
    )


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_third_near_miss_tuning_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/near-misses-3.yaml (120 questions: 85 out-of-scope near misses of many kinds,
    25 of them long posts; 35 in-scope questions that look like near misses), written from the
    topic list alone and labelled before any measurement. Measured once unseen on 6c24e6e's
    code: top-1 82.9%, top-3 82.9%, direct and right 62.9%, confidently wrong 0.0%, refused
    17.1%, out of scope rejected 91.8%. After out-of-scope pass 6 (intents by kind, other exams'
    and professions' names, NCLEX handed to meaning next to the US road): 85.7 / 85.7 / 65.7 /
    0.0 / 14.3 / 100.0%. The five refused in-scope questions name another road (a DV lottery
    green card, a friend's INBDE, an F-1 master's, a physiotherapist wife, NEET PG) next to a
    question of ours; bars about a question under the measurement."""
    report = scored(real_matcher, "near-misses-3")
    assert_bars(report, top1=0.9, top3=0.9, direct=0.9, wrong=0.03, refused=0.1, rejected=0.982)


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
def test_the_fourth_near_miss_tuning_set_does_not_regress(real_matcher: MatchesQuestions) -> None:
    """tests/data/near-misses-4.yaml (120 questions: 90 out-of-scope near misses, 30 of them long
    posts; 30 in-scope look-alikes that name another country, profession or exam), written from
    the topic list alone and labelled before any measurement. Measured once unseen on 5de3753's
    code: top-1 73.3%, top-3 76.7%, direct and right 60.0%, confidently wrong 0.0%, refused
    23.3%, out of scope rejected 87.8%. After out-of-scope pass 7 (the US road in plain phrases
    rescues a word-guard refusal to meaning, ResidencyCAS a US-path name, intents by kind and
    other roads' names): 83.3 / 86.7 / 70.0 / 0.0 / 13.3 / 98.9%. The four refused in-scope
    questions name a Gulf licence (SCFHS, QCHP), MRCP or a PharmD next to a question of ours and
    sit just over the scope margin by meaning; bars about a question under the measurement."""
    report = scored(real_matcher, "near-misses-4")
    assert_bars(
        report, top1=0.916, top3=0.916, direct=0.916, wrong=0.03, refused=0.084, rejected=0.972
    )


# Specific-fact questions (`fact: true`) answered directly on the labelled topic with an entry's
# short answer, after the facet pass (bot/core/questions/facets.py): measured holdout-forum 88.5%
# of 52, holdout-2 100% of 30, holdout-3 58.8% of 80, holdout-4 52.8% of 36, holdout-5 33.3% of
# 30 (before: 80.8 / 96.7 / 52.5 / 41.7 / 26.7%). After the decision pass (long posts pick an
# entry on their asking part from 55, an entry asking the question's kind of fact from 55):
# holdout-3 66.2%, holdout-4 75.0%, holdout-5 66.7%; holdout-forum 90.4% (new facets: duration,
# who); holdout-2 unchanged. holdout-6, measured once after those passes: 65.1% of 83;
# holdout-7, measured once after the fact-entries pass: 70.8% of 48. Issue 10's
# bar is 90%: only holdout-2 meets it. After the fact-entries pass (3 new entries, variants where
# the entry stating the fact was outranked; BENCHMARKS.md): holdout-3 76.2%, holdout-5 70.0%,
# holdout-6 73.5%, the others unchanged; bars one question under the measurement.
FACT_BARS = {
    "holdout-forum": 0.86,
    # Session 37, the pair signal in the confidence (fewer wrong answers, some right ones become
    # menus where writers split the two topics): holdout-2 30 -> 28 of 30, holdout-3 67 -> 66,
    # holdout-7 44 -> 42 of 48, forum-facts 166 -> 164 of 180; bars one question under.
    "holdout-2": 0.90,
    "holdout-3": 0.81,
    "holdout-4": 0.83,
    "holdout-5": 0.80,
    # 69 of 83: a post asking three things about letters gets the letters overview since the
    # draft-it-yourself entry (lor-writer-asks-draft) joined the entry index's 12 candidates.
    # 68 while a passed CK's retake was answered from Step 2 CK (sessions 24-28); from the
    # attempt limits again since session 29 (every set's writers list them as right).
    "holdout-6": 0.81,
    "holdout-7": 0.85,
    "forum-facts": 0.905,  # 67.2% unseen; 82.2% after fact pass 4; 91.7% after 6; 92.8% after 7
    "forum-facts-2": 0.90,  # 66.5% unseen; 72.0% after fact pass 5; 88.5% after 6; 91.0% after 7
    "forum-facts-3": 0.83,  # 76.1% unseen; 84.4% of 180 after fact pass 9
    "forum-posts": 0.85,  # 74.1% unseen; 80.0% of 85 after the long-post pass; 87.1% after pass 6
}


@pytest.mark.skipif(not SEMANTIC, reason="model package not installed")
@pytest.mark.parametrize(("name", "bar"), sorted(FACT_BARS.items()))
def test_specific_fact_questions_get_an_entrys_short_answer(
    real_matcher: MatchesQuestions, name: str, bar: float
) -> None:
    items = load_yaml((DATA / f"{name}.yaml").read_text(encoding="utf-8"))["questions"]
    facts = [item for item in items if item.get("fact")]
    results = match_all(real_matcher, [str(item["q"]) for item in facts])
    answered = [
        result.kind == "answer"
        and result.matches[0].topic == item["topic"]
        and result.entry is not None
        for item, result in zip(facts, results, strict=True)
    ]
    assert sum(answered) / len(facts) >= bar, f"{sum(answered)} of {len(facts)}"
