"""Questions typed in the languages IMGs mix with English (vocabulary.yaml `chat_words` and
`chat_fillers`): Hindi/Urdu, Tagalog, Pidgin and Arabic chat words in Latin letters, and
messages in another script. The questions are written for these tests, not taken from a
question set."""

from __future__ import annotations

import pytest

from bot.core import texts
from bot.core.models import KnowledgeBase
from bot.core.questions.answers import Answers
from bot.core.questions.facets import FACETS
from bot.core.questions.hybrid import QuestionMatcher
from bot.core.questions.semantic import shared_encoder
from bot.core.questions.words import (
    CHAT_WORDS,
    STOPWORDS,
    analyse,
    expand,
    not_english,
    parse_vocabulary,
)

needs_model = pytest.mark.skipif(shared_encoder() is None, reason="model package not installed")


@pytest.mark.parametrize(
    ("raw", "english"),
    [
        ("step 1 ka result kab aata hai", "step 1 result when aata"),
        ("ERAS ka kharcha kitna hai?", "eras cost how much"),
        ("magkano po ang bayad sa ERAS?", "how much fee eras"),
        ("emta el match day", "when match day"),
        ("wetin be the YOG cutoff", "what be the yog year graduation cutoff"),
        ("certificate kab tak chahiye", "certificate by when need"),
        ("¿Cuánto cuesta el Step 1 ahora?", "how much cost step 1 now"),
        ("quando abre o ERAS?", "when opens eras"),
        ("combien de lettres pour la residency", "how much letters residency"),
        ("step 1 fee koto?", "step 1 fee cost how much"),
        ("ERAS inafunguliwa lini?", "eras inafunguliwa when"),
        ("kailangan ko ba ng USCE?", "need usce us clinical experience"),
        ("abhi kya karna padega bhai?", "now what must"),
        ("step 1 ka exam kitne ghante chalta hai?", "step 1 exam how many hours chalta"),
        ("¿Cuál Step puedo dar aquí en México?", "which step can dar here mexico"),
        ("onde fica a prova do Step 1?", "where fica a exam do step 1"),
    ],
)
def test_chat_words_are_read_in_english_and_fillers_left_out(raw: str, english: str) -> None:
    assert expand(raw) == english


def test_chat_fillers_carry_no_subject() -> None:
    assert {"hai", "po", "ka"} <= STOPWORDS
    assert analyse("ERAS fee kitna hai po") == analyse("ERAS fee kitna")


def test_a_chat_question_word_asks_its_kind_of_fact() -> None:
    assert "date" in FACETS.facets_of(expand("Match Day kailan?"))
    assert "fee" in FACETS.facets_of(expand("gastos ng ERAS?"))


def test_a_chat_word_is_never_also_an_abbreviation() -> None:
    text = "abbreviations: {kab: when}\nchat_words: {kab: when}\nchat_fillers: [hai]\n"
    with pytest.raises(ValueError, match="kab in abbreviations and chat_words"):
        parse_vocabulary(text)
    assert all(" " not in word or len(word.split()) == 2 for word in CHAT_WORDS)


@needs_model
@pytest.mark.parametrize(
    ("question", "topic", "entry"),
    [
        ("ERAS ka kharcha kitna hai per program?", "eras-application", "eras-fee-tiers"),
        ("magkano po ang bayad sa Step 1?", "costs", "costs-step1-ck-fee"),
        ("kailan po ang Match Day?", "nrmp-match", "nrmp-match-day"),
        ("OET ka score kitna chahiye ECFMG ke liye?", "english-proficiency", "oet-minimum-scores"),
        (
            "residency kitne saal ki hoti hai family medicine mein?",
            "residency-training",
            "res-length-by-specialty",
        ),
        (
            "cuantas cartas de recomendación necesito para ERAS?",
            "letters-of-recommendation",
            "lor-how-many",
        ),
        ("quanto custa o Step 2 CK?", "costs", "costs-step1-ck-fee"),
        ("quand est le Match Day 2027?", "nrmp-match", "nrmp-match-day"),
        ("shift kitne ghante ki hoti hai residency mein?", "residency-training", "res-duty-hours"),
    ],
)
def test_a_fact_asked_in_a_mixed_language_gets_its_entry(
    real: QuestionMatcher, question: str, topic: str, entry: str
) -> None:
    result = real.match(question)
    assert (result.kind, result.matches[0].topic, result.entry) == ("answer", topic, entry)


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("ما هي رسوم ERAS؟", True),
        ("स्टेप 1 की फीस कितनी है?", True),
        ("сколько стоит экзамен?", True),
        ("步骤1多少钱", True),
        ("ERAS ka kharcha kitna hai?", True),
        ("¿cuánto cuesta el Step 1 para los médicos?", True),
        ("est-ce que je peux passer le Step 3 au Maroc?", True),
        ("how much is the ERAS fee, bhai?", False),
        ("is my résumé the same as the ERAS CV?", False),
        ("🙏🙏", False),
    ],
)
def test_a_message_in_another_language_is_told_apart(text: str, other: bool) -> None:
    assert not_english(text) is other


@pytest.mark.parametrize(
    "question",
    ["ما هي رسوم التسجيل في ERAS؟", "est-ce que mon chien peut voyager avec moi en avion?"],
)
def test_a_question_in_another_language_is_asked_again_in_english(
    repo_knowledge: KnowledgeBase, real: QuestionMatcher, question: str
) -> None:
    answers = Answers(repo_knowledge, real)
    result, reply = answers.respond(question)
    assert (result.kind, reply.text) == ("none", texts.ENGLISH_ONLY)
    assert answers.respond("best pizza in chicago")[1].text == texts.OUT_OF_SCOPE


@needs_model
@pytest.mark.parametrize(
    "question",
    [
        "alguien sabe cuanto cuesta renovar la residencia temporal en España?",
        "renouvellement du titre de séjour en France, combien de temps?",
    ],
)
def test_another_countrys_residence_permit_is_not_a_residency(
    real: QuestionMatcher, question: str
) -> None:
    assert real.match(question).kind == "none"
