"""The out-of-scope guard by meaning (bot/core/questions/scope.py, scope.yaml) on long posts,
and the word guards' exceptions (vocabulary.yaml). The posts are written for these tests, not
taken from a question set."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.models import KnowledgeBase, Match
from bot.core.questions.asking import asking_part
from bot.core.questions.decision import HYBRID, Analysis
from bot.core.questions.hybrid import QuestionMatcher
from bot.core.questions.scope import (
    ScopeGuard,
    load_askers,
    load_off_topic,
    load_route_phrases,
    load_route_words,
    load_scope,
    load_us_school,
    other_asker,
    says_off_topic,
    us_school_writer,
)
from bot.core.questions.semantic import shared_encoder
from bot.core.questions.words import expand

needs_model = pytest.mark.skipif(shared_encoder() is None, reason="model package not installed")

# Near misses told as a forum post: the story is the domain's own (an IMG, the USMLE, a US
# visa), the question is not.
LAB_SCIENTIST = (
    "Hi all, I am a clinical laboratory scientist from Kenya with five years in a blood bank, "
    "and my wife is an IMG who just passed Step 2 CK and hopes to match next year. I would like "
    "to keep working in a hospital lab once we move. Which certification exam do lab "
    "professionals need in the US, and will a hospital sponsor a work visa for a lab job?"
)
PARENTS_VISIT = (
    "Hello everyone, I am a PGY-2 in family medicine in Texas on a J-1 visa, originally from "
    "Lahore. My younger sister is getting married next spring and my parents want to come here "
    "first to spend some weeks with my kids. Their last application was turned down at the "
    "embassy. Which papers should my parents carry to their B-2 visitor visa interview, and "
    "does a letter from my program help them?"
)
CAR_LOAN = (
    "Hi everyone, I am a PGY-1 in internal medicine in Ohio. I came on a J-1 from Cairo last June "
    "and everything at the program is going well. I have no credit history in the US yet and I "
    "need a car because the hospital is far from my apartment. Which banks give a car loan to a "
    "new resident without a credit score, and is leasing better than buying for three years?"
)
# In scope: another country's exam named as the road not taken.
PLAB_CONSIDERED = (
    "Hi, I finished my MBBS in Pakistan in 2021 and I did consider PLAB because the UK route "
    "looked faster, but after talking to seniors I decided on the US. I have passed Step 1 and "
    "I'm studying for CK now, working part time in a clinic. How many months before my CK "
    "should I book my exam date, and how long does it take for the score to come out?"
)


# A third post (an IMG who passed Step 1 moving to Australia, asking about the AMC) has been
# answered since session 28, when a post's meaning began to be read from its opening
# (encoder.QUESTION_TOKENS): near misses rejected over the practice sets 1,822 -> 1,820 of
# 1,896, the unseen sets 506 of 525 before and after (BENCHMARKS.md, session 28).
@needs_model
@pytest.mark.parametrize("post", [LAB_SCIENTIST, CAR_LOAN])
def test_a_long_near_miss_post_is_refused(real: QuestionMatcher, post: str) -> None:
    assert asking_part(post) is not None  # read as a long post
    analysis = real.analyse(post)
    assert analysis.guard is None  # no word guard: the meaning of the post refuses it
    assert real.match(post).kind == "none"


@needs_model
def test_a_family_visitor_visa_post_is_refused_by_its_words(real: QuestionMatcher) -> None:
    # A J-1 resident's story, the parents' B-2 the question (vocabulary.yaml visitor_visa): the
    # residency words do not hand it to meaning.
    assert real.analyse(PARENTS_VISIT).guard == "out-of-scope"
    assert real.match(PARENTS_VISIT).kind == "none"


@needs_model
@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # another country's exam as the road not taken (a story intent about Australia once
        # refused this one by meaning)
        (
            "I considered AMC for Australia but chose the US, how many attempts are allowed "
            "for Step 1?",
            "attempt-limits-and-failures",
        ),
        # where an IMG works now is not where they are going
        (
            "I'm a GP in Qatar now. Does my Gulf work experience help my residency application, "
            "or do programs only want US clinical experience?",
            None,
        ),
        # experience next door reads close to Canada's own licensing (session 26: a read
        # held-out question was refused before scope.yaml named this intent)
        ("Canadian elective in Montreal, will US programs accept it as USCE?", "usce"),
    ],
)
def test_a_question_that_names_another_country_on_the_way_to_the_us_is_answered(
    real: QuestionMatcher, question: str, topic: str | None
) -> None:
    result = real.match(question)
    assert result.kind in ("answer", "suggest")
    if topic is not None:
        assert result.matches[0].topic == topic


@needs_model
@pytest.mark.parametrize(
    "question",
    [
        "what time does Walmart close on Sundays",
        "I'm a teacher from Kenya, is there a J-1 visa for teachers in the US?",
        "where can I buy a warm winter coat in Chicago before my interviews?",
    ],
)
def test_everyday_errands_and_other_jobs_visas_are_refused(
    real: QuestionMatcher, question: str
) -> None:
    assert real.analyse(question).guard is None  # no word list names them
    assert real.match(question).kind == "none"


@needs_model
def test_residency_on_an_h4_ead_is_answered(real: QuestionMatcher) -> None:
    # The IT worker's spouse asking for the EAD itself is refused (scope.yaml); a doctor on H-4
    # asking about residency is ours.
    result = real.match(
        "My husband is a software engineer on H-1B; can I do residency on my H-4 EAD?"
    )
    assert result.kind in ("answer", "suggest")
    assert "visa-h1b" in [m.topic for m in result.matches[:3]]


@needs_model
def test_a_spouses_own_work_permit_paperwork_is_refused_but_whether_they_may_work_is_ours(
    real: QuestionMatcher,
) -> None:
    # The J-2 spouse's EAD at USCIS (processing, renewal) is their own immigration case; whether
    # a J-2 spouse may work at all is a rule of the J-1 (visa-j1's family entry).
    assert (
        real.match(
            "my wife is on J2, her work permit renewal is pending, can she keep working?"
        ).kind
        == "none"
    )
    result = real.match("Can my spouse work on a J-2 while I'm a J-1 resident?")
    assert (result.kind, result.entry) == ("answer", "j1-family-j2")


@needs_model
def test_a_long_post_that_names_plab_as_the_road_not_taken_is_answered(
    real: QuestionMatcher,
) -> None:
    result = real.match(PLAB_CONSIDERED)
    assert result.kind in ("answer", "suggest")
    assert result.matches[0].topic == "usmle-step2ck"


@needs_model
def test_a_long_posts_gap_mixes_its_whole_text_and_its_asking_part(real: QuestionMatcher) -> None:
    assert real.semantic is not None and real.scope is not None
    ask = asking_part(LAB_SCIENTIST)
    assert ask is not None
    whole, asked = real.semantic.encoder.encode_questions(
        [expand(LAB_SCIENTIST), expand(ask)], ["start", "end"]
    )
    gaps = [
        real.scope.gap(v, float(real.semantic.similarities_to(v).max())) for v in (whole, asked)
    ]
    expected = ScopeGuard.post_gap(*gaps)
    assert real.analyse(LAB_SCIENTIST).scope_gap == pytest.approx(expected, abs=1e-4)


# A short question whose story names another country's licence and whose ask is the US road's.
GULF_LICENCE_STEP3 = (
    "Family doctor in Abu Dhabi, DOH licensed. Is Step 3 only offered inside America?"
)


def test_a_short_questions_gap_ask_is_its_ask_only_when_the_story_alone_names_another_road(
    real: QuestionMatcher,
) -> None:
    assert real.gap_ask(GULF_LICENCE_STEP3) == "Is Step 3 only offered inside America?"
    # the other road in the ask itself: the whole question is what it asks about
    assert real.gap_ask("I passed Step 1 last year. Is the DHA exam hard for a GP?") is None
    # no other road named: nothing to set apart
    assert real.gap_ask("I passed Step 1 last year. When should I take Step 2 CK?") is None
    # a long post's gap ask is its asking part
    assert real.gap_ask(LAB_SCIENTIST) == asking_part(LAB_SCIENTIST)


@needs_model
def test_a_short_question_naming_a_gulf_licence_in_its_story_is_judged_by_its_ask(
    real: QuestionMatcher,
) -> None:
    assert real.semantic is not None and real.scope is not None
    ask = real.gap_ask(GULF_LICENCE_STEP3)
    assert ask is not None
    whole, asked = real.semantic.encoder.encode_questions(
        [expand(GULF_LICENCE_STEP3), expand(ask)], ["end", "end"]
    )
    gaps = [
        real.scope.gap(v, float(real.semantic.similarities_to(v).max())) for v in (whole, asked)
    ]
    assert gaps[0] > HYBRID.scope_margin  # whole, it reads like the Gulf licence: refused
    assert real.analyse(GULF_LICENCE_STEP3).scope_gap == pytest.approx(
        ScopeGuard.post_gap(*gaps), abs=1e-4
    )
    result = real.match(GULF_LICENCE_STEP3)
    assert result.kind in ("answer", "suggest")
    assert result.matches[0].topic == "usmle-step3"


def test_a_posts_gap_leans_on_what_it_asks() -> None:
    # The same whole-text gap: an asking part on the out-of-scope side raises the post's gap...
    assert ScopeGuard.post_gap(-0.2, 0.1) > ScopeGuard.post_gap(-0.2, -0.2)
    # ...as much as the whole text's would (half each), and whole and ask alike give that gap.
    assert ScopeGuard.post_gap(-0.2, 0.1) == pytest.approx(ScopeGuard.post_gap(0.1, -0.2))
    assert ScopeGuard.post_gap(0.05, 0.05) == pytest.approx(0.05)


IN_SCOPE_WORDS = [
    # the knowledge's own variant: a resident's spouse on H-4 (no longer a word guard)
    ("h4 ead for a resident's husband", "visa-h1b"),
    # a flight in a Match question (no longer a word guard)
    ("Match Day is on which date? My parents want to book flights to celebrate with me", None),
]


@pytest.mark.parametrize(("question", "topic"), IN_SCOPE_WORDS)
def test_words_that_in_scope_questions_use_are_no_word_guard(
    real: QuestionMatcher, question: str, topic: str | None
) -> None:
    assert real.analyse(question).guard != "out-of-scope"


@needs_model
@pytest.mark.parametrize(("question", "topic"), IN_SCOPE_WORDS)
def test_in_scope_questions_that_name_a_flight_or_an_h4_ead_are_answered(
    real: QuestionMatcher, question: str, topic: str | None
) -> None:
    result = real.match(question)
    assert result.kind != "none"
    if topic is not None:
        assert result.matches[0].topic == topic


def test_the_scope_file_has_one_line_and_post_like_intents() -> None:
    inside, outside = load_scope()
    assert inside and outside
    long = [i for i in outside if len(i.split()) >= 15]
    assert len(long) >= 20  # the intents told as a forum post
    assert len(outside) - len(long) >= 80  # and the one-line intents


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("in_scope: [residency]\nout_of_scope: [tax, tax]\n", "twice"),
        ("in_scope: [residency]\nout_of_scope: [Residency]\n", "twice"),
        ("in_scope: [residency]\nout_of_scope: [tax, 3]\n", "out_of_scope"),
        ("in_scope: residency\nout_of_scope: [tax]\n", "in_scope"),
        ("in_scope: [residency]\nout_of_scope: ['  ']\n", "out_of_scope"),
    ],
)
def test_a_malformed_scope_file_is_rejected_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        load_scope(text)


@needs_model
def test_the_scope_guard_reads_vectors_of_the_intents() -> None:
    encoder = shared_encoder()
    assert encoder is not None
    guard = ScopeGuard(encoder, None)
    tax = encoder.encode_question("how do I file my US income tax return")
    residency = encoder.encode_question("how do I apply to residency through ERAS")
    assert guard.gap(tax, 0.0) > 0 > guard.gap(residency, 0.0)
    assert guard.gap(tax, 1.0) < guard.gap(tax, 0.0)  # the knowledge counts on the in side


# Another country's exam as the road not taken, next to the US road's plain words.
ROAD_NOT_TAKEN = (
    "Not doing the MCCQE anymore, focusing on the US match. How many programs should I apply to?"
)
CANADA = "After the MCCQE and the NAC, how many IMGs get a Canadian residency spot through CaRMS?"


def test_the_us_roads_plain_words_hand_a_word_guarded_question_to_meaning() -> None:
    assert ScopeGuard.judges(["dropped", "plab", "for", "us", "residency"], [])
    assert ScopeGuard.judges(["mccqe", "or", "the", "match"], [])
    assert not ScopeGuard.judges(["mccqe", "pass", "mark"], [])  # no US road named
    assert not ScopeGuard.judges(
        ["fpgee", "then", "residency"], []
    )  # another profession's own exam
    assert not ScopeGuard.judges(["eras", "tour", "match"], [])  # a name we share
    # two of another road's names outweigh a plain word of ours; the US road named as such not
    assert not ScopeGuard.judges(["mccqe1", "and", "nac", "then", "the", "match"], [])
    assert ScopeGuard.judges(["mccqe1", "and", "nac", "but", "us", "residency", "now"], [])
    # a US state's licence next to another country's (session 32); a driving licence is not
    assert ScopeGuard.judges(["approbation", "accepted", "in", "any", "us", "state"], [])
    assert not ScopeGuard.judges(["approbation", "and", "a", "us", "state", "driving"], [])
    # the US road as the writer's plan or dream, residency named after the country, the
    # graduation year programs screen on, next to two of another road's names (session 36)
    assert ScopeGuard.judges(["gp", "dha", "licence", "nhs", "but", "the", "us", "dream"], [])
    assert ScopeGuard.judges(["scfhs", "dha", "and", "my", "us", "plan"], [])
    assert ScopeGuard.judges(["mrcp", "nhs", "full", "residency", "in", "the", "us"], [])
    assert ScopeGuard.judges(["doh", "licence", "nhs", "year", "of", "graduation"], [])


@needs_model
def test_a_foreign_licence_asked_about_for_a_us_state_licence_is_answered(
    real: QuestionMatcher,
) -> None:
    # Written for this test; before, "Approbation" refused it by its word.
    result = real.match(
        "I hold a German Approbation. Which US states accept it for a full medical license?"
    )
    assert result.kind == "answer" and result.matches[0].topic == "medical-license"


@needs_model
def test_a_question_naming_another_countrys_exam_as_the_road_not_taken_is_answered(
    real: QuestionMatcher,
) -> None:
    assert real.analyse(ROAD_NOT_TAKEN).guard != "out-of-scope"
    result = real.match(ROAD_NOT_TAKEN)
    assert result.kind in ("answer", "suggest")
    assert result.matches[0].topic == "program-list"
    assert real.match(CANADA).kind == "none"  # the other country's road itself: refused


def test_without_the_model_the_word_guard_stands(repo_knowledge: KnowledgeBase) -> None:
    lexical = QuestionMatcher(repo_knowledge, None)
    assert lexical.analyse(ROAD_NOT_TAKEN).guard == "out-of-scope"


@pytest.mark.parametrize(
    ("load", "text", "problem"),
    [
        (load_route_words, "us_route: residency\n", "list"),
        (load_route_words, "us_route: [residency, '']\n", "list"),
        (load_route_words, "us_route: [us match]\n", "single words"),
        (load_route_words, "abbreviations: {}\n", "us_route"),
        (load_route_phrases, "us_route_phrases: us programs\n", "list"),
        (load_route_phrases, "us_route_phrases: [us programs, '']\n", "list"),
        (load_route_phrases, "abbreviations: {}\n", "us_route_phrases"),
    ],
)
def test_a_malformed_route_list_is_rejected(
    load: Callable[[str], object], text: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        load(text)


def test_the_route_words_are_read_from_the_vocabulary() -> None:
    assert {"residency", "match"} <= load_route_words()


@pytest.mark.parametrize(
    ("text", "judged"),
    [
        ("after plab do us programmes count my uk years", True),
        ("after plab can i work in the us", False),
        ("pance for us programmes", False),
        ("skipped the interview dinner last night was it rude", True),
        ("not doing carms applying to us im this year", True),
        ("years on the nhs after plab do they count for a us medical licence", True),
        ("my dha licence for the clinical skills requirement", True),
        ("mrcp and consultant for years do programs filter on yog", True),
        ("two years in the nhs is that us clinical experience", True),
        ("orientation june 21 but my ds 2019 says july 1 and my lease starts then", True),
        ("best dinner spot near my hotel", False),
    ],
)
def test_the_us_road_in_plain_phrases_hands_a_word_guard_refusal_to_meaning(
    text: str, judged: bool
) -> None:
    """Questions written for this test: the road not taken (PLAB) next to "US programmes" is
    judged by meaning; "in the US" alone (a near miss's own country) is not a rescue, and an
    always-out word stays refused."""
    assert ScopeGuard.judges(text.split(), []) is judged


# Who is asking (scope.other_asker, vocabulary.yaml `askers`): posts written for these tests.
RESPIRATORY_THERAPIST = (
    "Good evening everyone, I work as a respiratory therapist in Manila with six years in an "
    "adult ICU, and my cousin who is an MBBS doctor told me about this group because you all "
    "know the US system so well. I would like to move to the US too and keep working with "
    "ventilators. Which credential evaluation and which state licence does a respiratory "
    "therapist need, and will a hospital sponsor the visa for someone in my job?"
)
ENGINEER_HUSBAND = (
    "Hello all, I'm an electrical engineer in Lagos and my wife passed Step 1 last year, she "
    "is the doctor in our house and reads this group every day. My company has a branch in "
    "Houston and they want to move me there next spring. How long does premium processing "
    "take for my own work petition, and can I start the new job before the approval arrives?"
)
NURSE_WIFE_IMG = (
    "Hi seniors, my wife is a nurse and I'm an IMG doctor from Kerala with Step 1 and Step 2 CK "
    "passed. We are both hoping to move to the US next year and I am applying to internal "
    "medicine programs in this cycle through ERAS. If I match, can I take the J-1 through "
    "ECFMG and can she come with me as my J-2 dependent and work there?"
)


@pytest.mark.parametrize(
    ("text", "other"),
    [
        (RESPIRATORY_THERAPIST, True),
        (ENGINEER_HUSBAND, True),
        ("Pharmacist here. Can I apply for a residency in the US?", True),
        ("I'm not a doctor, I'm a teacher; my husband is on a J-1 in Ohio", True),
        # someone else's job is not the writer's
        (NURSE_WIFE_IMG, False),
        ("my wife is a nurse, I'm an IMG doctor, can we both go on J-1?", False),
        ("I'm a dentist's daughter and an MBBS graduate, how do I start the USMLE?", False),
        # a doctor who names a former job, or a job next to the degree, is a doctor
        ("I worked as a lab technician before med school; now I'm an IMG with Step 1", False),
        ("I'm a lab technician now but I graduated MBBS in 2019. How do I start?", False),
        ("I'm a lecturer at a medical college (anatomy) with an MBBS, planning the USMLE", False),
        ("I'm an engineer and my wife is the doctor; can she do residency?", True),
        ("I'm a physiotherapist married to an IMG resident. Can I work on J-2?", True),
        ("I'm a doctor, not a nurse, so which visa do I need for residency?", False),
        ("How many programs should I apply to as an engineer turned doctor?", False),
        # scientists (session 20)
        ("I'm a postdoc in a chemistry lab in Boston, not a physician. Can I switch visas?", True),
        ("I'm a biochemist on a J-1, can my lab sponsor an H-1B?", True),
        (
            "I'm a postdoc in cardiology research and an MBBS graduate; does it count as USCE?",
            False,
        ),
    ],
)
def test_the_writer_who_names_another_job_for_themselves_is_an_other_asker(
    text: str, other: bool
) -> None:
    assert other_asker(text) is other


@needs_model
@pytest.mark.parametrize("post", [RESPIRATORY_THERAPIST, ENGINEER_HUSBAND])
def test_a_post_by_someone_in_another_job_about_their_own_road_is_refused(
    real: QuestionMatcher, post: str
) -> None:
    analysis = real.analyse(post)
    assert analysis.guard is None and analysis.other_asker
    assert real.match(post).kind == "none"


@needs_model
@pytest.mark.parametrize(
    ("question", "topic"),
    [
        (NURSE_WIFE_IMG, "visa-j1"),
        ("my wife is a nurse, I'm an IMG doctor, can we both go on J-1?", "visa-j1"),
        (
            "I'm a doctor from Cairo and my husband is a software engineer on an H-1B in New "
            "Jersey. Can I apply to residency from his H-4 visa, or do I need my own?",
            None,
        ),
        (
            "I'm a lab technician now but I graduated MBBS in 2019 from Dhaka. I passed Step 1 "
            "last year. How many programs should I apply to in the Match with a 2019 "
            "graduation year?",
            None,
        ),
    ],
)
def test_an_img_who_names_a_spouses_job_is_answered(
    real: QuestionMatcher, question: str, topic: str | None
) -> None:
    assert not real.analyse(question).other_asker
    result = real.match(question)
    assert result.kind in ("answer", "suggest")
    if topic is not None:
        assert topic in [m.topic for m in result.matches[:2]]


@needs_model
@pytest.mark.parametrize(
    "question",
    [
        "my permanent resident card expires in two months, what do I file",
        "the courier says my package was delivered but nothing came, who do I call",
        # the British spelling of a word-guarded phrase ("licence" alone: the medical licence)
        "can I swap my Indian driving licence for a US one without a road test",
        # session 27: a tenant's insurance and a green card holder's permit to stay abroad
        "as a new resident do I need renters insurance, and what does it cover?",
        "studying abroad for a year on my green card, do I need a re-entry permit?",
    ],
)
def test_everyday_immigration_and_errands_are_refused(real: QuestionMatcher, question: str) -> None:
    assert real.match(question).kind == "none"


@pytest.mark.parametrize(
    "question",
    [
        "during my research year here, can my fiancee join me on a K-1 visa?",
        "can my fiance come on a K-1 while I'm doing observerships here?",
    ],
)
def test_a_fiancees_k1_visa_is_refused_by_its_word(real: QuestionMatcher, question: str) -> None:
    """Session 29: a fiancé(e)'s K-1 family visa (vocabulary.yaml out_of_scope_always). By
    meaning alone an observer's K-1 question read as ours; the word refuses it."""
    assert real.analyse(question).guard == "out-of-scope"
    assert real.match(question).kind == "none"


def test_a_fiancee_in_the_couples_match_is_answered(real: QuestionMatcher) -> None:
    result = real.match("my fiancee and I are both IMGs, can we do the couples match?")
    assert result.kind == "answer" and result.matches[0].topic == "couples-match"


# Near misses by kind (scope.yaml, pass 3), each next to the IMG's question it borders. Before
# the pass all but the step count were answered or offered as a menu.
NEAR_MISSES_BY_KIND = [
    # a card's fee abroad / paying the exam fees from abroad
    "does my Mastercard charge extra if I pay for a hotel in euros on holiday?",
    # a step goal / the USMLE's Steps
    "is walking 8000 steps every day enough to burn belly fat?",
    # a corporate job interview / a residency interview
    "after my interview for a marketing manager job at a software company, how long should I "
    "wait before emailing HR?",
    # J-1 categories that are not a physician's
    "can an exchange teacher extend her three years with the same school district?",
    # session 19: US medical school admissions, a medical interpreter, a patient of a teaching
    # hospital (written for this test, by the kinds holdout-31 and -32 showed)
    "my acceptance to a US MD program starts in August, could I push my start back a year for a "
    "lab job?",
    "I speak Arabic and English, can I work as a hospital interpreter in Michigan while my husband "
    "does residency?",
    "after my knee operation at a university hospital I learned a resident did it, can I ask for "
    "only the attending next time?",
    # the general-knowledge families (our words in other meanings)
    "how do I get an apostille for my marriage certificate to use in Texas?",
    "my tires need a rotation, how often should a car get one?",
    "Can a camp counselor on a J-1 switch to another visa after the summer?",
    "my cousin is a hotel management graduate, how does the J-1 trainee program work?",
    # another profession's residency match (named next to "residency", so meaning judges it)
    "when are PGY1 rank lists due in the ASHP residency match?",
    # state residency for tuition / residency programs in a state
    "to pay resident tuition at a state university, how long must I have lived in Ohio first?",
    # a scholarship for a master's / a research fellowship before residency
    "what GPA do I need for a fully funded DAAD scholarship for a master's in Germany?",
    # a dating app's match / the Match
    "I got a match on a dating app, what should I text first?",
]
ROADS_NEXT_TO_THEM = [
    ("can I pay the USMLE fee with an Indian debit card?", "costs"),
    ("how many steps are in the USMLE and which one should I take first?", "usmle-overview"),
    ("how soon after a virtual residency interview should I send a thank you note?", "interviews"),
    ("how long can I stay on a J-1 visa as a resident physician?", "visa-j1"),
    ("can I do an internship year in the US on a J-1 before a preliminary spot?", "visa-j1"),
    ("As an IMG matched into internal medicine, how does ECFMG sponsor my J-1 visa?", "visa-j1"),
    ("is the Match binding once I certify my rank list?", "nrmp-match"),
    ("do Texas residency programs favour IMGs who live in Texas?", "program-list"),
    ("can I apply for a research fellowship in the US before residency?", "usce"),
]
# The IMG's questions next to out-of-scope pass 5's near misses (NEAR_MISSES_PASS_5, below).
ROADS_NEXT_TO_PASS_5 = [
    (
        "what should my personal statement for internal medicine residency say?",
        "personal-statement",
    ),
    ("can my husband work in the US while I do residency on a J-1?", "visa-j1"),
    ("how long after residency can I apply for a green card on an H-1B?", "visa-h1b"),
    ("how much does a first-year resident earn in Boston?", "residency-training"),
    ("how many hours of US clinical experience do residency programs want from IMGs?", "usce"),
    # session 18: financing the road, next to the loans and money near misses
    (
        "Is it worth it financially for a Ghanaian doctor to try the US, borrowing from family "
        "for all the exams and travel?",
        "mentors-and-feasibility",
    ),
    # session 35 (scope.yaml, after holdout-171 to -173's measurement): refused before, next to
    # other countries' evaluators, a bank card's dispute and a laptop (a word guard)
    (
        "For Pathway 6, does the doctor who watches my mini-CEX need a licence from a particular "
        "country?",
        "clinical-skills-requirement",
    ),
    (
        "my debit card from India gets declined every time I pay on MyIntealth, what else can I "
        "use",
        "costs",
    ),
    ("How much should I spend on a ring light and laptop for virtual interviews?", "interviews"),
    # session 35 (scope.yaml, after holdout-181's measurement): refused next to other
    # admissions' essays
    ("do I need a different personal statement for peds and IM?", "personal-statement"),
]


@needs_model
@pytest.mark.parametrize(("question", "topic"), ROADS_NEXT_TO_THEM + ROADS_NEXT_TO_PASS_5)
def test_the_img_question_next_to_each_near_miss_is_answered(
    real: QuestionMatcher, question: str, topic: str
) -> None:
    result = real.match(question)
    assert result.kind in ("answer", "suggest")
    assert topic in [m.topic for m in result.matches[:2]]


@needs_model
def test_another_professions_match_is_refused_by_its_name_a_spouses_is_not(
    real: QuestionMatcher,
) -> None:
    # vocabulary.yaml: "appic", "psyd" and "ashp" are out_of_scope words; the model alone read
    # this one as the NRMP's rank list and answered nrmp-match.
    psychologist = (
        "I'm finishing my PsyD and ranking internship sites in APPIC, how many should I rank?"
    )
    assert real.analyse(psychologist).guard == "out-of-scope"
    assert real.match(psychologist).kind == "none"
    spouse = "My wife is doing her PsyD and I'm an IMG on J-1, can she work while I'm a resident?"
    assert real.analyse(spouse).guard is None  # the US road (J-1) hands it to meaning
    result = real.match(spouse)
    assert result.kind == "answer"
    assert result.matches[0].topic == "visa-j1"


# Who studies at a US MD or DO school (scope.us_school_writer, vocabulary.yaml `us_school`):
# questions written for these tests.
@pytest.mark.parametrize(
    ("text", "us_student"),
    [
        ("I'm an MS3 at a US medical school. How many away rotations for neurosurgery?", True),
        ("US DO student here, is it worth taking USMLE Step 1 next to COMLEX?", True),
        ("I'm a second year DO student and my school wants a remediation exam.", True),
        ("I'm a fourth year MD student at a state school in Iowa, failed my surgery shelf", True),
        ("I am currently an american medical student on a research year. Loans?", True),
        ("As a DO student in Texas, do I need USMLE for an ACGME program?", True),
        ("second year at a DO school, how many weeks do we get for dedicated study?", True),
        ("MS2 at a US med school, is a research year worth it?", True),
        # someone else's school, a school abroad, or a US citizen abroad: an IMG's question
        ("My husband is a US MD student and I'm an IMG from Lagos. Couples match?", False),
        ("I'm an IMG engaged to a US DO student; can we rank programs together?", False),
        (
            "I'm a 4th year student at a state medical college in Kerala. When is Step 1 best?",
            False,
        ),
        ("I'm an MD student in Yerevan, Armenia, starting USMLE prep.", False),
        ("I'm a US citizen at a school in Grenada. Do I need ECFMG certification?", False),
        ("How do students from abroad do US electives? I'm in final year in Accra.", False),
        ("As an IMG married to a US MD student, can we rank together?", False),
        ("I'm an American medical graduate from a school in Grenada. Do I need ECFMG?", False),
        ("I'm a student at a US hospital for a 4-week elective; can I get a letter?", False),
        ("I'm a US doctor's wife and an MBBS graduate from Lahore. Where do I start?", False),
        ("final year MBBS in Dhaka, when should I book Step 1?", False),
    ],
)
def test_a_writer_at_a_us_md_or_do_school_is_told_apart_from_imgs(
    text: str, us_student: bool
) -> None:
    assert us_school_writer(text) is us_student


@pytest.mark.parametrize("lexical", [False, True])
def test_a_us_students_own_question_is_out_of_scope_with_or_without_the_model(
    repo_knowledge: KnowledgeBase, real: QuestionMatcher, lexical: bool
) -> None:
    # By meaning such questions sit next to the knowledge (a failed exam, an MSPE, a research
    # year): the writer's own words decide, with the model or without it.
    matcher = QuestionMatcher(repo_knowledge, None) if lexical else real
    asked = "I'm an MS2 at a US med school and failed a block exam. Will it be on my MSPE?"
    assert matcher.analyse(asked).guard == "out-of-scope"
    assert matcher.match(asked).kind == "none"
    img = "I'm an IMG and my fiance is a US MD student. Can we do the couples match together?"
    assert matcher.match(img).kind != "none"


def test_a_malformed_us_school_list_is_rejected() -> None:
    with pytest.raises(ValueError, match="us_school"):
        load_us_school("us_school: [us md, '']\n")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("askers: {other: [nurse]}\n", "askers.doctor"),
        ("askers: {other: [nurse, ''], doctor: [doctor]}\n", "askers.other"),
        ("askers: {other: [nurse, doctor], doctor: [doctor]}\n", "share"),
    ],
)
def test_a_malformed_asker_list_is_rejected(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        load_askers(text)


def test_a_short_question_needs_a_higher_top_score_than_a_long_one(
    repo_knowledge: KnowledgeBase,
) -> None:
    lexical = QuestionMatcher(repo_knowledge, None)
    ranking = (Match("usce", 30.0), Match("costs", 20.0))

    def kind(words: int, gap: float = -0.3, other: bool = False) -> str:
        analysis = Analysis(None, None, ranking, (), True, gap, "usce", 3, words, other)
        return lexical.decide(analysis, HYBRID).kind

    assert HYBRID.suggest_min < 30.0 < HYBRID.short_min
    assert kind(HYBRID.short_words - 1) == "none"
    assert kind(HYBRID.short_words) != "none"


def test_a_writer_in_another_job_is_held_to_the_stricter_margin(
    repo_knowledge: KnowledgeBase,
) -> None:
    lexical = QuestionMatcher(repo_knowledge, None)
    ranking = (Match("visa-j1", 60.0), Match("costs", 20.0))
    gap = (HYBRID.asker_margin + HYBRID.scope_margin) / 2  # between the two margins

    def kind(other: bool) -> str:
        analysis = Analysis(None, None, ranking, (), True, gap, "visa-j1", 3, 60, other)
        return lexical.decide(analysis, HYBRID).kind

    assert kind(other=True) == "none"
    assert kind(other=False) == "answer"


@pytest.mark.parametrize(
    ("text", "off"),
    [
        ("A bit off-topic, but which bank gives a credit card without SSN?", True),
        ("OFF TOPIC: my landlord wants a cosigner, what do I do", True),
        ("Sorry for the non-medical question, how do I ship a parcel to Karachi?", True),
        ("Not a USMLE question exactly, but how long does a sibling green card take?", True),
        ("Not residency related... well, not about residency: how do I rent a flat?", True),
        ("Is it not a USMLE rule that CK comes after Step 1?", False),
        ("Is the topic of my personal statement off the mark?", False),
        ("how many programs should I apply to", False),
    ],
)
def test_a_writer_who_calls_the_question_off_topic_is_recognised(text: str, off: bool) -> None:
    assert says_off_topic(text) is off


def test_a_post_called_off_topic_is_held_to_its_own_margin(
    repo_knowledge: KnowledgeBase,
) -> None:
    lexical = QuestionMatcher(repo_knowledge, None)
    ranking = (Match("visa-h1b", 60.0), Match("costs", 20.0))
    gap = (HYBRID.off_topic_margin + HYBRID.scope_margin) / 2  # between the two margins

    def kind(off: bool) -> str:
        analysis = Analysis(None, None, ranking, (), True, gap, "visa-h1b", 3, 60, False, off)
        return lexical.decide(analysis, HYBRID).kind

    assert kind(off=True) == "none"
    assert kind(off=False) == "answer"


def test_a_malformed_off_topic_list_is_rejected() -> None:
    with pytest.raises(ValueError, match="off_topic"):
        load_off_topic("off_topic: [off topic, 3]\n")


# Pass 4 (scope.yaml, by kind, after tests/data/near-misses.yaml showed these kinds passing):
# humanitarian and investor immigration, tax residency, English tests for other countries, and
# our words in other meanings (a company's board, soap, a college transcript). Written for this
# test, not taken from a question set.
NEAR_MISSES_PASS_4 = [
    "can I apply for asylum if I overstayed my visa",
    "minimum investment for an E-2 treaty investor visa",
    "what is the substantial presence test for US taxes",
    "is IELTS or PTE accepted for an Australian skilled migration visa",
    "who sits on the board of directors of a nonprofit",
    "how to remove soap residue and hard water stains from a bathtub",
    "how do I order an official transcript from my university for a job application",
    # our words in other meanings: rank, licence exam, visiting, fellowship, elective, interview
    "how to rank my website higher on Google",
    "what is the passing score for the real estate license exam",
    "what are the visiting hours at the hospital for a patient's family",
    "what are the fellowship programs at my church",
    "elective courses for a computer science degree",
    "is there an interview for the naturalization N-400",
    # other roads after a medical degree, other professions' residencies, errands
    "can I do a PhD in the US after MBBS",
    "how to get a job as a clinical research coordinator",
    "how long is a dental residency",
    "how do I get a Real ID in California",
    # meals: no longer words of the guard (session 34), refused by meaning
    "dinner ideas for tonight",
    "healthy breakfast before work",
]
ROADS_NEXT_TO_PASS_4 = [
    ("can I get a green card through my residency program?", "visa-j1"),
    ("is the OET required for ECFMG certification or can I use IELTS?", "english-proficiency"),
    ("what is the board certification exam after residency?", "after-residency"),
    ("can I apply to SOAP if I did not match?", "soap"),
    ("who sends my medical school transcript to ERAS?", "mspe-and-transcripts"),
]


@needs_model
@pytest.mark.parametrize("question", NEAR_MISSES_BY_KIND + NEAR_MISSES_PASS_4)
def test_near_misses_of_the_everyday_and_other_programmes_are_refused_by_meaning(
    real: QuestionMatcher, question: str
) -> None:
    assert real.analyse(question).guard is None  # no word list names them: meaning refuses
    assert real.match(question).kind == "none"


@needs_model
@pytest.mark.parametrize(
    "question",
    [
        # session 32 (scope.yaml, after holdout-109's measurement; written for this test): before,
        # a menu of the Match and residency topics, and the Step fees answered
        "How does intern allocation work in Australia for foreign students who study there?",
        "When is the TUS exam this spring and what is its fee?",
        # session 32 (scope.yaml, after holdout-127's measurement): before, a menu of the visa
        # topics and a USCE answer
        "Can my husband work while he is on F-2 and I finish my master's in data science?",
        "Which ACRP or CCRP certification is best for a clinical research coordinator?",
        # session 35 (scope.yaml, after holdout-171 and -174's measurement): before, a menu of
        # the fee topics and of certification and US experience
        "how much is the N-400 fee and can I get it reduced?",
        "Can I move from clinical medicine to a health informatics analyst job in the US? what "
        "certificates?",
        # session 35 (after holdout-188 and -190's measurement): before, answers from the
        # clinical skills requirement and from costs
        "how many mini-CEX do I need on Horus before my ARCP?",
        "How much is rent for a one-bedroom apartment near a hospital in Queens?",
    ],
)
def test_another_countrys_allocation_and_exam_dates_are_refused(
    real: QuestionMatcher, question: str
) -> None:
    assert real.match(question).kind == "none"


@needs_model
@pytest.mark.parametrize(("question", "topic"), ROADS_NEXT_TO_PASS_4)
def test_the_img_question_next_to_each_pass_4_near_miss_is_answered(
    real: QuestionMatcher, question: str, topic: str
) -> None:
    # Answered or offered first, not refused: whether directly is the confidence's call (since
    # session 37 the green card question is a J-1/H-1B menu leading with the J-1 entry's answer).
    result = real.match(question)
    assert result.kind in ("answer", "suggest")
    assert result.matches[0].topic == topic


@needs_model
@pytest.mark.parametrize(
    "question",
    [
        "what is the pass rate of the NBCOT exam",
        "INBDE how many attempts are allowed",
        "CFA level 2 pass rate this year",
        "I got a match on tinder, what should I say first?",
    ],
)
def test_other_professions_exams_and_a_dating_app_are_refused_by_name(
    real: QuestionMatcher, question: str
) -> None:
    assert real.analyse(question).guard == "out-of-scope"
    assert real.match(question).kind == "none"


@needs_model
def test_a_spouses_exam_next_to_the_us_road_is_judged_by_meaning(real: QuestionMatcher) -> None:
    # "naplex" is out_of_scope, not always: the J-1 hands the question to meaning.
    question = "my wife passed the NAPLEX and I'm a resident on a J-1, can she work?"
    assert real.analyse(question).guard is None
    result = real.match(question)
    assert result.kind == "answer"
    assert result.matches[0].topic == "visa-j1"


@pytest.mark.parametrize(
    "question",
    ["MRCOG part 1 fees", "DNB final exam result date", "INI-CET cut off for MD medicine"],
)
def test_other_countries_postgraduate_exams_are_refused_by_name(
    real: QuestionMatcher, question: str
) -> None:
    assert real.analyse(question).guard == "out-of-scope"


@needs_model
def test_another_countrys_postgraduate_exam_next_to_the_us_road_is_answered(
    real: QuestionMatcher,
) -> None:
    question = "I finished DNB in India, can I still apply for US residency?"
    assert real.analyse(question).guard is None  # "residency" hands it to meaning
    assert real.match(question).kind in ("answer", "suggest")


# Near misses of kinds that out-of-scope pass 5 (tuning set near-misses-2) added to scope.yaml
# and vocabulary.yaml, in our own words (the IMG's questions next to them: ROADS_NEXT_TO_PASS_5).
# Before the pass, the I-130, the PhD stipend and the home-country fellowship were answered or
# offered a menu.
NEAR_MISSES_PASS_5 = [
    "how do I make my business school admission essay stand out for Harvard's MBA?",
    "my company matches 4% in the 401(k), should I contribute more than that?",
    "can my landlord end my lease early if the building is sold?",
    "my employer wants to move me to their Texas office on an L-1B, how long can I stay?",
    "how long does an I-130 petition for my husband take from Lahore these days?",
    "my parents want to visit me next summer, is there a ban on visitor visas for Pakistanis?",
    "how many shadowing hours do US medical schools expect from pre-med applicants?",
    "is the stipend for an international PhD student enough to live in Boston, and can my wife "
    "work?",
    "how hard is MRCP Part 1 for an Indian doctor planning to train in the UK?",
    "when is the next Oman Medical Specialty Board entrance exam for general practitioners?",
    "should I do a master's in surgery at home or a fellowship in my own country?",
    "what does ST depression in V1 to V3 mean on my patient's ECG?",
]


@needs_model
@pytest.mark.parametrize("question", NEAR_MISSES_PASS_5)
def test_near_misses_of_pass_5_are_refused(real: QuestionMatcher, question: str) -> None:
    assert real.match(question).kind == "none"


@needs_model
def test_a_personal_statement_that_tells_of_a_patients_drug_is_answered(
    real: QuestionMatcher,
) -> None:
    # "warfarin" is a clinical word; "PS" names the residency application's essay.
    question = (
        "My PS starts with my grandfather's stroke and how we could not afford his warfarin - "
        "too dramatic for IM programs?"
    )
    result = real.match(question)
    assert (result.kind, result.matches[0].topic) == ("answer", "personal-statement")


@needs_model
def test_a_dating_app_named_is_refused_whatever_its_match_words_say(real: QuestionMatcher) -> None:
    # "unmatched" reads as the NRMP's (SOAP answered it directly); the app's name decides.
    question = "my Bumble match unmatched me after a week, is that normal?"
    assert real.analyse(question).guard == "out-of-scope"
    assert real.match(question).kind == "none"


@needs_model
@pytest.mark.parametrize(
    "question",
    [
        # a student's F-1 work: Residency Training answered it (duty hours)
        "doing an MS in the US on F-1, how many hours per week can I work on campus?",
        # cricket's league, whose "match" read as the NRMP's
        "IPL 2027 match schedule anyone?",
        # a student's summer J-1
        "how do I get a J-1 summer work and travel visa for university students?",
        # another country's exam typed with its accent
        "Fachsprachprüfung in Hessen: how much does it cost and how long is the wait?",
    ],
)
def test_session_21_near_miss_kinds_are_refused_by_their_words(
    real: QuestionMatcher, question: str
) -> None:
    assert real.analyse(question).guard == "out-of-scope"
    assert real.match(question).kind == "none"


@needs_model
def test_an_img_on_f1_asking_about_residency_is_answered(real: QuestionMatcher) -> None:
    # In scope, not refused as a student visa question (since session 37 offered in a menu).
    result = real.match(
        "I'm an IMG on F-1 doing an MPH: can I apply for residency in my final year?"
    )
    assert result.kind in ("answer", "suggest")
    assert result.matches[0].topic == "graduation-year"


@needs_model
@pytest.mark.parametrize(
    "question",
    [
        "how do I set up smartphrases in Epic before intern year starts?",
        "does PSLF count residency payments, or should I choose forbearance as a PGY-1?",
        "NYC flat: do guarantor companies accept residents on a J-1, and what are broker fees?",
        "how long does NADRA take to issue a marriage certificate for my wife's J-2 papers?",
        "Step 1 prep: sensitivity 80%, specificity 90%, prevalence 5%, how do I get the PPV?",
        "can I reschedule my CMA exam at Prometric for free?",
        "I'm a BDS from Lahore: is there an ECFMG-like certification for dentists?",
    ],
)
def test_session_21_near_misses_next_to_residents_and_exams_are_refused(
    real: QuestionMatcher, question: str
) -> None:
    # Each got a menu or a direct answer before (Epic's templates read as ECFMG's EPIC, the
    # apartment as the J-1's fees, the CMA's rescheduling as Step 1's).
    assert real.match(question).kind == "none"


@needs_model
def test_a_question_naming_another_countrys_road_is_marked_for_the_decision(
    real: QuestionMatcher,
) -> None:
    # The mark lowers no score: it lets a weak menu near the boundary be refused (decision.py,
    # `road_menu_top_max`). A GP in Dubai asking about Step 3 is still ours.
    in_dubai = "I work as a GP in Dubai with a DHA licence. Can I take Step 3 from here?"
    assert real.analyse(in_dubai).other_road
    assert real.match(in_dubai).kind in ("answer", "suggest")
    assert not real.analyse("how many attempts do I get for step 1?").other_road
