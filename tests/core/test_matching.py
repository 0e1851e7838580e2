"""The word matcher: abbreviations and typos reaching their topic, guards and decisions (how a
message is read word by word: test_words.py).

Most tests run on a small hand-built knowledge base so they say exactly what they test; a few at
the end run on the real knowledge base for realistic questions.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.core.models import KnowledgeBase, Topic
from bot.core.questions.matching import (
    MAX_MATCHES,
    MAX_SUGGEST,
    LexicalIndex,
    Matcher,
    _fuzzy,
    _sorted_words,
)
from bot.core.questions.words import analyse


def make_topic(topic_id: str, title: str, variants: list[str], keywords: list[str]) -> Topic:
    return Topic(
        id=topic_id,
        title=title,
        stage="exams",
        summary=title,
        answer=title,
        variants=tuple(variants),
        keywords=tuple(keywords),
        related=(),
        sources=(),
        reviewed=date(2026, 1, 1),
    )


def build_small_kb() -> KnowledgeBase:
    return KnowledgeBase(
        topics=(
            make_topic(
                "usmle-step1",
                "USMLE Step 1",
                ["is step 1 pass fail", "step 1 subjects", "when to take step 1"],
                ["basic sciences", "pass fail", "step 1 format"],
            ),
            make_topic(
                "usmle-step2ck",
                "USMLE Step 2 CK",
                ["good step 2 ck score", "step 2 ck subjects", "when to take step 2 ck"],
                ["clinical knowledge", "three digit score"],
            ),
            make_topic(
                "usmle-step3",
                "USMLE Step 3",
                ["can i take step 3 before residency", "step 3 eligibility"],
                ["two day exam", "step 3 eligibility"],
            ),
            make_topic(
                "visa-j1",
                "The J-1 visa for residents",
                ["j1 visa sponsor", "two year home rule", "j1 waiver"],
                ["ecfmg sponsorship", "home residency requirement", "conrad 30"],
            ),
            make_topic(
                "visa-h1b",
                "The H-1B visa for residents",
                ["which programs sponsor h1b visa", "h1b needs step 3"],
                ["cap exempt", "h1b sponsorship"],
            ),
            make_topic(
                "soap",
                "SOAP: after not matching",
                ["what is soap", "soap rounds", "i did not match what now"],
                ["supplemental offer and acceptance program", "unmatched"],
            ),
            make_topic(
                "letters-of-recommendation",
                "Letters of recommendation",
                ["how many letters of recommendation", "who writes my letters"],
                ["letter writer", "recommendation letter upload"],
            ),
            make_topic(
                "interviews",
                "Residency interviews",
                ["when do interview invitations come", "virtual interviews"],
                ["interview invitation", "thank you email"],
            ),
            make_topic(
                "ecfmg-certification",
                "ECFMG certification",
                ["when do i get the ecfmg certificate", "what do i need for certification"],
                ["ecfmg certificate", "certification requirements"],
            ),
            make_topic(
                "graduation-year",
                "Year of graduation",
                ["does graduation year matter", "gap after graduation"],
                ["year of graduation cut off", "graduation gap"],
            ),
            make_topic(
                "costs",
                "What it costs",
                ["how much does the whole process cost", "exam fees"],
                ["cost", "fees", "money"],
            ),
        )
    )


SMALL_MATCHER = Matcher(build_small_kb())  # hypothesis tests cannot take function fixtures


@pytest.fixture(scope="module")
def small() -> Matcher:
    return SMALL_MATCHER


@pytest.fixture(scope="module")
def real(repo_knowledge: KnowledgeBase) -> Matcher:
    return Matcher(repo_knowledge)


# -- ranking on the small knowledge base ----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("s1 pass fail?", "usmle-step1"),
        ("good 2ck score", "usmle-step2ck"),
        ("2 year home rule j-1", "visa-j1"),
        ("which hospitals sponsor H-1B", "visa-h1b"),
        ("how many lors", "letters-of-recommendation"),
        ("yog cut off", "graduation-year"),
        ("step 1 fees", "costs"),
    ],
)
def test_abbreviations_reach_their_topic(small: Matcher, question: str, topic: str) -> None:
    assert small.ranked(question)[0].topic == topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("when do interveiw invitations come", "interviews"),
        ("who writes recomendation letters", "letters-of-recommendation"),
        ("when do i get my ecfmg certifcate", "ecfmg-certification"),
    ],
)
def test_typos_are_corrected(small: Matcher, question: str, topic: str) -> None:
    result = small.match(question)
    assert result.kind == "answer"
    assert result.matches[0].topic == topic


def test_scores_are_0_to_100_and_at_most_five(small: Matcher) -> None:
    for question in ["step", "visa sponsor step 3 h1b j1 fees letters interview", "soap"]:
        ranking = small.ranked(question)
        assert len(ranking) <= MAX_MATCHES
        assert all(0 <= m.score <= 100 for m in ranking)
        assert [m.score for m in ranking] == sorted((m.score for m in ranking), reverse=True)


# -- decisions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["visa", "step", "usmle"])
def test_one_word_shared_by_many_topics_suggests(small: Matcher, question: str) -> None:
    result = small.match(question)
    assert result.kind in ("suggest", "none")
    assert len(result.matches) <= MAX_SUGGEST


@pytest.mark.parametrize(("question", "topic"), [("soap", "soap"), ("step 3?", "usmle-step3")])
def test_one_specific_word_answers(small: Matcher, question: str, topic: str) -> None:
    result = small.match(question)
    assert result.kind == "answer"
    assert result.matches[0].topic == topic


@pytest.mark.parametrize(
    "message",
    ["hi", "Hello doctor", "thanks a lot!!", "ok thank you", "good morning", "bye", "thx bro 🙏"],
)
def test_greetings_and_thanks_are_smalltalk(small: Matcher, message: str) -> None:
    result = small.match(message)
    assert result.kind == "smalltalk"
    assert result.matches == ()
    assert result.smalltalk


def test_a_greeting_with_a_question_is_a_question(small: Matcher) -> None:
    result = small.match("hi, how do i pass step 1")
    assert result.kind in ("answer", "suggest")
    assert result.matches[0].topic == "usmle-step1"


@pytest.mark.parametrize(
    "question",
    [
        "how many attempts for PLAB 2",
        "AMC exam dates",
        "MCCQE part 1 registration",
        "CaRMS match for imgs",
        "NCLEX for nurses",
        "dental school for a dentist",
        "SAT score for undergrad",
        "write a python script",
        "tell me a joke",
        "should i buy bitcoin",
        "what's 2+2",
    ],
)
def test_other_countries_professions_and_chitchat_are_none(small: Matcher, question: str) -> None:
    result = small.match(question)
    assert result.kind == "none"
    assert result.matches == ()


def test_another_exam_next_to_the_us_path_is_in_scope(small: Matcher) -> None:
    assert small.match("plab or step 1 first?").kind != "none"


@pytest.mark.parametrize("message", ["", "   ", "😂😂😂", "🙏", "?!...", "\u200b"])
def test_empty_or_emoji_only_is_none(small: Matcher, message: str) -> None:
    assert small.match(message).kind == "none"


def test_oversized_input_is_truncated_not_rejected(small: Matcher) -> None:
    result = small.match("what is soap " + "blah " * 5000)
    assert result.matches
    assert result.matches[0].topic == "soap"
    assert small.match("x" * 100_000).kind == "none"


def test_answer_keeps_the_ranking_and_suggest_offers_two_or_three(small: Matcher) -> None:
    answer = small.match("two year home rule waiver")
    assert answer.kind == "answer"
    assert 1 <= len(answer.matches) <= MAX_MATCHES
    suggest = small.match("visa")
    assert suggest.kind == "suggest"
    assert 2 <= len(suggest.matches) <= MAX_SUGGEST
    assert {m.topic for m in suggest.matches} >= {"visa-j1", "visa-h1b"}


@given(st.text(max_size=300))
def test_match_never_raises_and_keeps_the_contract(text: str) -> None:
    result = SMALL_MATCHER.match(text)
    assert result.kind in ("answer", "suggest", "none", "smalltalk")
    assert len(result.matches) <= MAX_MATCHES
    assert all(0 <= m.score <= 100 for m in result.matches)
    if result.kind in ("none", "smalltalk"):
        assert result.matches == ()


def test_matcher_on_an_empty_knowledge_base_says_none() -> None:
    assert Matcher(KnowledgeBase(topics=())).match("step 1").kind == "none"


# -- the real knowledge base --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("s1 subjects", "usmle-step1"),
        ("step-1 pass/fail??", "usmle-step1"),
        ("2ck score for IM", "usmle-step2ck"),
        ("is cs still there", "usmle-step2cs"),
        ("oet or ielts", "english-proficiency"),
        ("observership or externship", "usce"),
        ("how many LORs", "letters-of-recommendation"),
        ("ps length", "personal-statement"),
        ("when do interveiw invites come", "interviews"),
        ("how to certify rol", "nrmp-match"),
        ("soap", "soap"),
        ("step 3?", "usmle-step3"),
        ("2 year home rule", "visa-j1"),
        ("cap exempt h-1b", "visa-h1b"),
        ("prelim vs cat", "residency-training"),
        ("yog", "graduation-year"),
        ("ecfmg certifcate requirements", "ecfmg-certification"),
        ("recomendation letter from us doctor", "letters-of-recommendation"),
    ],
)
def test_real_knowledge_base_ranks_short_questions(
    real: Matcher, question: str, topic: str
) -> None:
    result = real.match(question)
    assert result.kind in ("answer", "suggest")
    assert result.matches[0].topic == topic


@pytest.mark.parametrize("question", ["visa", "usmle", "step"])
def test_real_knowledge_base_one_vague_word_is_not_a_confident_answer(
    real: Matcher, question: str
) -> None:
    assert real.match(question).kind in ("suggest", "none")


@pytest.mark.parametrize(
    "question",
    [
        "PLAB 1 result date",
        "AMC clinical exam in Melbourne",
        "how to apply through CaRMS",
        "NMC registration for nurses",
        "what's the weather like today",
        "give me a cake recipe",
        "who won the football game",
    ],
)
def test_real_knowledge_base_out_of_scope_is_none(real: Matcher, question: str) -> None:
    assert real.match(question).kind == "none"


_WORDS = st.lists(st.sampled_from(["step", "1", "fee", "eras", "usmle", "how", "much", "is"]))


@given(_WORDS, st.lists(_WORDS, min_size=1, max_size=4))
def test_fuzzy_on_sorted_words_is_token_sort_ratio(
    question: list[str], texts: list[list[str]]
) -> None:
    """Texts are sorted once when indexed or parsed; the score must stay token_sort_ratio's."""
    plain = " ".join(question)
    expected = max(fuzz.token_sort_ratio(plain, " ".join(t)) for t in texts) / 100.0
    got = _fuzzy(_sorted_words(plain), [_sorted_words(" ".join(t)) for t in texts])
    assert got == (expected if plain else 0.0)


_TERMS = st.sampled_from(["step1", "fee", "eras", "usmle", "match", "visa", "j1", "soap"])


@given(
    st.lists(st.lists(st.frozensets(_TERMS, min_size=1), max_size=4), min_size=1, max_size=5),
    st.dictionaries(_TERMS, st.floats(0.0, 3.0), min_size=1),
)
def test_closest_text_is_the_best_idf_cosine_of_each_documents_texts(
    docs: list[list[frozenset[str]]], query: dict[str, float]
) -> None:
    """The closest-text score is computed for all documents in one array pass; it must be what
    a walk over each document's texts gives, also for a document with no text at all."""
    index = LexicalIndex(
        (f"d{n}", [("variant", " ".join(sorted(t))) for t in texts]) for n, texts in enumerate(docs)
    )
    idf = index._idf
    norm = sum(w * w for w in query.values()) ** 0.5 or 1.0
    got = index._texts.closest(query, norm)
    for n, texts in enumerate(docs):
        expected = 0.0
        for terms in {frozenset(analyse(" ".join(sorted(t)))) for t in texts}:
            shared = sum(w * idf[t] for t, w in query.items() if t in terms)
            text_norm = sum(idf[t] ** 2 for t in terms) ** 0.5
            expected = max(expected, shared / (norm * text_norm) if text_norm else 0.0)
        assert got[n] == pytest.approx(min(1.0, expected))
