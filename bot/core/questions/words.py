"""Words of a question: normalisation, IMG abbreviations, stemming, and the word guards.

Users write short, on phones, in a second language, with abbreviations ("s1", "2ck", "usce",
"lor", "yog") and typos. Every reader of a message (the word index, the sentence model, the
scope check) starts here:

1. `normalise`: NFKC, casefold, emoji and punctuation to spaces, stretched letters collapsed,
   a few spelling variants of exam and visa names joined ("step-1" -> "step 1", "h-1b" -> "h1b").
2. `expand`: every abbreviation in `ABBREVIATIONS` adds its canonical words next to the original
   token, so "lor" matches a topic written with "letters of recommendation" and vice versa. The
   same expansion runs over topic titles, variants and keywords, so both sides meet in the middle.
   Chat words of the languages IMGs mix with English are put in English ("kab" -> "when") and
   those languages' small words ("hai", "po") left out.
3. `analyse`: content terms: stop/filler words dropped, a crude stemmer (plural, -ed, -ing,
   then the first 7 letters) so "certified", "certificate" and "certification" meet, exam steps
   joined into one term ("step 2 ck" -> "step2ck").
4. Guards for the known traps of FAQ bots: other countries' exams and other professions
   (`out_of_scope`), chit-chat, greetings and thanks (`smalltalk_reply`).

The word lists are data: vocabulary.yaml.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import TypedDict

from bot.core.yamlfile import load_yaml

__all__ = [
    "ABBREVIATIONS",
    "CHAT_WORDS",
    "OUT_OF_SCOPE_MARKERS",
    "STOPWORDS",
    "VOCABULARY_FILE",
    "WEAK_FACTOR",
    "WEAK_TERMS",
    "always_out_of_scope",
    "analyse",
    "expand",
    "expand_tokens",
    "family_visit",
    "join_compounds",
    "knowledge_text",
    "names_any",
    "normalise",
    "not_english",
    "out_of_scope",
    "parse_vocabulary",
    "smalltalk_reply",
    "stem",
    "word_pairs",
]


def _words(text: str) -> frozenset[str]:
    """A word set written as one readable block of text."""
    return frozenset(text.split())


# -- vocabulary ---------------------------------------------------------------------------------
# Abbreviations and the out-of-scope guards are data: bot/core/questions/vocabulary.yaml.
VOCABULARY_FILE = "vocabulary.yaml"


class Vocabulary(TypedDict):
    """vocabulary.yaml, checked: what each key holds is known after parse_vocabulary."""

    abbreviations: dict[str, str]
    chat_words: dict[str, str]
    chat_fillers: list[str]
    out_of_scope: list[str]
    out_of_scope_always: list[str]
    visitor_visa: list[str]
    visitor_family: list[str]
    visitor_ours: list[str]
    clinical_terms: list[str]
    clinical_asks: list[str]
    job_visa: list[str]
    job_visa_jobs: list[str]
    job_visa_ours: list[str]
    us_path: list[str]


def parse_vocabulary(text: str) -> Vocabulary:
    """Read and check vocabulary.yaml's text; a malformed file fails at import, loudly."""
    raw = load_yaml(text)
    if not isinstance(raw, dict):
        raise ValueError(f"{VOCABULARY_FILE}: expected a mapping")
    abbreviations = _word_map(raw, "abbreviations")
    chat_words = _word_map(raw, "chat_words")
    both = sorted(abbreviations.keys() & chat_words.keys())
    if both:
        raise ValueError(f"{VOCABULARY_FILE}: {', '.join(both)} in abbreviations and chat_words")
    return Vocabulary(
        abbreviations=abbreviations,
        chat_words=chat_words,
        chat_fillers=_word_list(raw, "chat_fillers"),
        out_of_scope=_word_list(raw, "out_of_scope"),
        out_of_scope_always=_word_list(raw, "out_of_scope_always"),
        visitor_visa=_word_list(raw, "visitor_visa"),
        visitor_family=_word_list(raw, "visitor_family"),
        visitor_ours=_word_list(raw, "visitor_ours"),
        clinical_terms=_word_list(raw, "clinical_terms"),
        clinical_asks=_word_list(raw, "clinical_asks"),
        job_visa=_word_list(raw, "job_visa"),
        job_visa_jobs=_word_list(raw, "job_visa_jobs"),
        job_visa_ours=_word_list(raw, "job_visa_ours"),
        us_path=_word_list(raw, "us_path"),
    )


def _word_map(raw: dict[str, object], name: str) -> dict[str, str]:
    words = raw.get(name)
    if not isinstance(words, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
        for k, v in words.items()
    ):
        raise ValueError(f"{VOCABULARY_FILE}: {name} must map words to words")
    return words


def _word_list(raw: dict[str, object], name: str) -> list[str]:
    words = raw.get(name)
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ValueError(f"{VOCABULARY_FILE}: {name} must be a list of words or phrases")
    if len(set(words)) != len(words):
        raise ValueError(f"{VOCABULARY_FILE}: {name} lists a word twice")
    return words


_VOCABULARY = parse_vocabulary(
    resources.files("bot.core.questions").joinpath(VOCABULARY_FILE).read_text("utf-8")
)
# Abbreviations and synonyms IMGs use -> canonical words added next to the original token.
# Keys are single normalised tokens or two-token phrases; values are plain words.
ABBREVIATIONS: dict[str, str] = _VOCABULARY["abbreviations"]
# Question words of the languages IMGs mix with English ("kab", "magkano") -> the English ones,
# which replace them; the languages' small words ("hai", "po") are dropped (vocabulary.yaml).
CHAT_WORDS: dict[str, str] = _VOCABULARY["chat_words"]
CHAT_FILLERS: frozenset[str] = frozenset(_VOCABULARY["chat_fillers"])


Markers = tuple[frozenset[str], tuple[str, ...]]  # single words, and phrases of several


def _markers(listed: list[str]) -> Markers:
    """Single-word markers as a set, multi-word ones as normalised phrases."""
    words = [normalise(w) for w in listed]
    return frozenset(w for w in words if " " not in w), tuple(w for w in words if " " in w)


# Words that carry no topic on their own: question words, pronouns, auxiliaries, politeness, and
# domain words every topic shares. They still count for smalltalk detection and phrase matches.
ENGLISH_STOPWORDS: frozenset[str] = _words(
    """
    a about after again all also am an and any anyone are as at be been being but by can could
    did do does doing done dont during each either even ever every for from get getting give go
    going got had has have having he her here hi hello hey him his how i id if im in into is it
    its ive just kindly know let like me mine more most much must my need needed needs no not now
    of off ok okay on one only or other our out own please pls plz possible question r really
    regarding right say shall she should so some someone something sir madam maam still such
    sure tell than that the their them then there these they thing things this
    those to too u ur us very want wanted was we well were what whats when where whether which
    while who whom why will with would yeah yes you your yours bro dear doctor dr guys guide
    help info information anybody anything also actually already basically exactly currently
    vs versus make come over once didnt dont cant wont isnt
    """
)
STOPWORDS: frozenset[str] = ENGLISH_STOPWORDS | CHAT_FILLERS

# Domain words nearly every question contains: they count, but at this share of their weight,
# so "img", "usmle" or "residency" alone never drive an answer.
WEAK_TERMS: frozenset[str] = _words(
    "usmle img residen resident usa exam doctor medical step year time many thank best "
    # specialties qualify a question ("how many programs for IM") more than they choose a topic
    "interna medicin surgery pediatr psychia neurolo cardiol radiolo anesthe patholog"
)
WEAK_FACTOR = 0.3

# Smalltalk: a message made only of these words, with at least one greeting, thanks, goodbye or
# acknowledgement, gets a friendly reply instead of a topic.
_GREETINGS = _words(
    "hi hello hey heya hiya hii yo salam salaam assalamualaikum assalam aoa namaste hola "
    "greetings morning evening afternoon sup"
)
_THANKS = _words(
    "thanks thank thx ty tysm thanku thankyou shukriya jazakallah appreciated grateful"
)
_BYES = _words("bye goodbye byee cya goodnight")
_ACKS = _words("ok okay k kk alright cool great nice noted perfect awesome fine sure")
_SMALLTALK_FILLER = _words(
    """
    a lot so much very you u sir maam madam doctor dr bro brother sis dear bot all everyone guys
    again for the help your good see there oh man and too really buddy friend how are r doing
    whats up it got is this am i later night day have nice great many once again again
    """
)
_SMALLTALK_VOCAB = _GREETINGS | _THANKS | _BYES | _ACKS | _SMALLTALK_FILLER
SMALLTALK_REPLIES: dict[str, str] = {
    "thanks": "You're welcome! Ask me anything else about the road to a US residency.",
    "bye": "Good luck on your journey! Come back any time you have a question.",
    "greeting": "Hello! Ask me anything about the road to a US residency, e.g. "
    '"when should I take Step 1?" or "how many LoRs do I need?"',
    "ack": "Great! Anything else you'd like to know?",
}

_STEP_NUMBERS = {"1": "1", "one": "1", "i": "1", "2": "2", "two": "2", "ii": "2"}
_STEP_NUMBERS |= {"3": "3", "three": "3", "iii": "3"}

# Words with a real double letter: stretched spellings collapse to these, not to one letter.
_DOUBLE_LETTER_WORDS = _words(
    """
    good cool too soon need see feel free week been all will well still full pass less guess fee
    fees three agree sorry hello letter apply matter offer common recommend programme book look
    school tool keep seek seen meet sheet speed three too off stuff staff cross class access
    success process add odd tell call small wall kill fill spell till bill till doll boss loss
    miss kiss yes need indeed feedback"""
)

_SPACE_RE = re.compile(r"\s+")
_APOSTROPHE_RE = re.compile(r"['’`´]")
_NON_WORD_RE = re.compile(r"[\W_]+")
_STRETCH_RE = re.compile(r"([^\W\d_])\1{2,}")
_JOINS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bstep\s*(?=[123]\b)"), "step "),
    (re.compile(r"\bstep\s*2\s*(ck|cs)\b"), r"step 2 \1"),
    (re.compile(r"\bh\s*1\s*b\b"), "h1b"),
    (re.compile(r"\bj\s+1\b"), "j1"),
    (re.compile(r"\bpgy\s+([1-7])\b"), r"pgy\1"),
    (re.compile(r"\busmle\s*([123])\b"), r"usmle step \1"),
)


def _collapse_stretch(match: re.Match[str]) -> str:
    return match.group(1)


def _destretch_word(word: str) -> str:
    """'pleeeease' -> 'please', 'goooood' -> 'good': 3+ repeats to 1, or to 2 for real doubles."""
    single = _STRETCH_RE.sub(_collapse_stretch, word)
    double = _STRETCH_RE.sub(lambda m: m.group(1) * 2, word)
    return double if double in _DOUBLE_LETTER_WORDS else single


def _latin_unaccented(text: str) -> str:
    """The text with the accents of its Latin letters dropped ("cuánto" -> "cuanto"); other
    scripts' marks (Devanagari vowel signs) stay. Word lists are written plain, and people type
    a word either way."""
    if text.isascii():
        return text
    out: list[str] = []
    for c in unicodedata.normalize("NFD", text):
        if not (unicodedata.combining(c) and out and out[-1].isascii()):
            out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


def not_english(text: str) -> bool:
    """Is the message written mostly in another language: in another script (Arabic,
    Devanagari, Cyrillic, Chinese...), or with more of the chat languages' small and question
    words ("que", "de", "kya", "po") than English ones? The matcher reads English: such a
    message it cannot place is asked again in English rather than refused as out of scope."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in letters)
    if len(letters) - latin > latin:
        return True
    words = normalise(text).split()
    foreign = sum(w in CHAT_WORDS or w in CHAT_FILLERS for w in words)
    return foreign > sum(w in ENGLISH_STOPWORDS for w in words)


@lru_cache(maxsize=512)  # a question is normalised 5-10 times (one parse per word index)
def normalise(text: str) -> str:
    """Plain lower-case words and numbers separated by single spaces, Latin letters without
    their accents ("Fachsprachprüfung", "cuánto", "résumé"); never raises.

    Keeps the tokens that matter for IMGs ("2ck", "h1b", "j1", "pgy1", "step 1") and folds their
    common spellings together ("Step-1", "STEP1", "h-1b", "J 1", "PGY-1").
    """
    if not text:
        return ""
    text = _latin_unaccented(unicodedata.normalize("NFKC", str(text)).casefold())
    text = _APOSTROPHE_RE.sub("", text)
    text = _NON_WORD_RE.sub(" ", text)
    if _STRETCH_RE.search(text):
        text = " ".join(_destretch_word(w) for w in text.split())
    for pattern, replacement in _JOINS:
        text = pattern.sub(replacement, text)
    return _SPACE_RE.sub(" ", text).strip()


# Other countries' licensing exams, other professions and everyday chit-chat: the bot covers US
# residency for physicians only (vocabulary.yaml says which words, and when a US marker rescues).
OUT_OF_SCOPE_MARKERS, OUT_OF_SCOPE_PHRASES = _markers(_VOCABULARY["out_of_scope"])
ALWAYS_OUT_MARKERS, ALWAYS_OUT_PHRASES = _markers(_VOCABULARY["out_of_scope_always"])
# A message naming one of each of `needs`, and none of `unless` (`_names_all_but`).
Combination = tuple[tuple[Markers, ...], Markers]
# A visitor visa for the writer's family, with nothing of the exams or US clinical experience.
FAMILY_VISIT: Combination = (
    (_markers(_VOCABULARY["visitor_visa"]), _markers(_VOCABULARY["visitor_family"])),
    _markers(_VOCABULARY["visitor_ours"]),
)
# An H-1B for a job outside medicine, with nothing of the path.
OTHER_JOB_VISA: Combination = (
    (_markers(_VOCABULARY["job_visa"]), _markers(_VOCABULARY["job_visa_jobs"])),
    _markers(_VOCABULARY["job_visa_ours"]),
)
# The words of a clinical question: two different ones, or one asked about as medicine ("first
# line", "dose"), make a message one (`clinical`).
CLINICAL_TERMS = _markers(_VOCABULARY["clinical_terms"])
CLINICAL_ASKS = _markers(_VOCABULARY["clinical_asks"])
# Compared with words and analysed terms ("step1"), so not normalised ("step 1").
US_PATH_MARKERS = frozenset(_VOCABULARY["us_path"])


def expand_tokens(tokens: Sequence[str]) -> list[str]:
    """Tokens with the canonical words of every abbreviation inserted right after it, chat
    words in English ("kab" -> "when") and chat fillers ("hai") left out: no reader of a
    question (the word index, the sentence model) knows them, and English is what both read."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = f"{tokens[i]} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        if pair in CHAT_WORDS:
            out += CHAT_WORDS[pair].split()
            i += 2
            continue
        if tokens[i] in CHAT_WORDS or tokens[i] in CHAT_FILLERS:
            out += CHAT_WORDS.get(tokens[i], "").split()
            i += 1
            continue
        if pair in ABBREVIATIONS:
            out += [tokens[i], tokens[i + 1], *ABBREVIATIONS[pair].split()]
            i += 2
            continue
        out.append(tokens[i])
        canonical = ABBREVIATIONS.get(tokens[i])
        if tokens[i] == "im" and _is_internal_medicine(tokens, i):
            canonical = "internal medicine"
        if canonical and canonical != tokens[i]:
            out += canonical.split()
        i += 1
    return out


# "im" is "I'm" unless a neighbour shows it names the specialty ("apply for im", "im programs").
_IM_BEFORE = _words("for in into of categorical prelim preliminary matched match apply")
_IM_AFTER = _words(
    "residency program programs programme match prelim categorical spot spots position positions "
    "applicant applicants specialty ps lor lors pd"
)


def _is_internal_medicine(tokens: Sequence[str], i: int) -> bool:
    before = tokens[i - 1] if i > 0 else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    return before in _IM_BEFORE or after in _IM_AFTER or len(tokens) == 1


def expand(text: str) -> str:
    """`normalise`, then each abbreviation followed by its canonical words: "s1" -> "s1 step 1"."""
    return " ".join(expand_tokens(normalise(text).split()))


# Acronyms a suffix rule would break ("eras" is not the plural of "era").
_NO_STEM = US_PATH_MARKERS | _words("eras myeras ielts wdoms epic myintealth freida passfail")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude, fast stemmer: enough for 'programs'/'program', 'certified'/'certificate'."""
    if len(word) <= 3 or not word.isalpha() or word in _NO_STEM:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:7]


def join_compounds(tokens: Sequence[str]) -> list[str]:
    """Multi-word names as one term: 'step 2 ck' -> 'step2ck', 'pass fail' -> 'passfail'.

    'steps 1 and 2' -> 'step1 step2ck'. A bare 'step 2' is CK: CS ended in 2021 and people who
    mean it say so.
    """
    out: list[str] = []
    i = 0
    while i < len(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tokens[i] in ("step", "steps") and nxt in _STEP_NUMBERS:
            i += 1
            while True:
                compound, i = _step_compound(tokens, i)
                if not out or out[-1] != compound:  # "ck" expands to "step 2 ck" right after it
                    out.append(compound)
                has_more = i + 1 < len(tokens) and tokens[i] in ("and", "or", "n", "&")
                if not (has_more and tokens[i + 1] in _STEP_NUMBERS):
                    break
                i += 1
            continue
        if tokens[i] == "pass" and nxt == "fail":  # the grading, not a failed attempt
            out.append("passfail")
            i += 2
            continue
        if tokens[i] in ("pathway", "pathways") and nxt.isdigit() and len(nxt) == 1:
            out += ["pathway", f"pathway{nxt}"]  # ECFMG Pathway 1-6 is one thing
            i += 2
            continue
        out.append(tokens[i])
        i += 1
    return out


def _step_compound(tokens: Sequence[str], i: int) -> tuple[str, int]:
    """The exam term for the step number at tokens[i], and the index after it."""
    number = _STEP_NUMBERS[tokens[i]]
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    if number == "2" and after in ("ck", "cs"):
        return f"step2{after}", i + 2
    return ("step2ck" if number == "2" else f"step{number}"), i + 1


def analyse(text: str) -> list[str]:
    """Content terms of a text, in order: expanded, steps joined, stopwords dropped, stemmed."""
    return _terms(normalise(text))


def _terms(normalised: str) -> list[str]:
    tokens = join_compounds(expand_tokens(normalised.split()))
    return [stem(t) for t in tokens if t not in STOPWORDS]


@lru_cache(maxsize=1 << 15)
def knowledge_text(text: str) -> tuple[str, tuple[str, ...]]:
    """(normalised text, its terms) of a knowledge text, computed once per process.

    The three word indexes of the hybrid matcher share most texts, and a /reload rebuilds them:
    analysing ~8,000 texts took ~1 s of a ~3 s start-up (half of it normalising each text
    twice). ~4,000 distinct texts, a few MB.
    """
    normalised = normalise(text)
    return normalised, tuple(_terms(normalised))


def word_pairs(terms: Sequence[str]) -> list[str]:
    """Neighbouring terms as pairs ("home rule", "match day"): what a question and a topic's
    texts can share beyond single words."""
    return [f"{a} {b}" for a, b in pairwise(terms) if a != b]


# -- guards -----------------------------------------------------------------------------------


def names_any(words: Sequence[str], markers: frozenset[str], phrases: Sequence[str]) -> bool:
    """Does a normalised message hold one of these words, or one of these phrases as whole words?"""
    return any(w in markers for w in words) or any(_phrases_in(words, phrases))


def _phrases_in(words: Sequence[str], phrases: Sequence[str]) -> Iterator[bool]:
    """For each phrase, whether the normalised message holds it as whole words (lazily)."""
    padded = f" {' '.join(words)} "
    return (f" {p} " in padded for p in phrases)


def always_out_of_scope(words: Sequence[str]) -> bool:
    """A word or phrase no question of the US path uses (vocabulary.yaml out_of_scope_always),
    a family member's visitor visa (`family_visit`), an H-1B for a job outside medicine
    (`other_job_visa`) or a clinical question (`clinical`)."""
    return (
        names_any(words, ALWAYS_OUT_MARKERS, ALWAYS_OUT_PHRASES)
        or family_visit(words)
        or other_job_visa(words)
        or clinical(words)
    )


def family_visit(words: Sequence[str]) -> bool:
    """Does a normalised message ask about a visitor visa for the writer's family, naming none
    of the exams, US clinical experience or a dependant's visa? (vocabulary.yaml says why.)"""
    return _names_all_but(words, FAMILY_VISIT)


def other_job_visa(words: Sequence[str]) -> bool:
    """Does a normalised message ask about an H-1B for a job outside medicine, naming nothing of
    the path? (vocabulary.yaml job_visa says why.)"""
    return _names_all_but(words, OTHER_JOB_VISA)


def _names_all_but(words: Sequence[str], combination: Combination) -> bool:
    """Does a normalised message name something of each list of a combination's `needs` and
    nothing of its `unless`?"""
    needs, unless = combination
    return all(names_any(words, *listed) for listed in needs) and not names_any(words, *unless)


def clinical(words: Sequence[str]) -> bool:
    """Does a normalised message name two different clinical terms (vocabulary.yaml
    clinical_terms: "diuretics" and "hypokalemia"), or one with a clinical ask (clinical_asks:
    "first line for HFrEF", "DKA management")? One term alone may be the writer's own story."""
    terms = _count_named(words, *CLINICAL_TERMS)
    return terms >= 2 or (terms == 1 and names_any(words, *CLINICAL_ASKS))


def other_roads_named(words: Sequence[str]) -> int:
    """How many distinct out_of_scope words and phrases a normalised message names ("mccqe1",
    "nac", "carms": three)."""
    return _count_named(words, OUT_OF_SCOPE_MARKERS, OUT_OF_SCOPE_PHRASES)


def _count_named(words: Sequence[str], markers: frozenset[str], phrases: Sequence[str]) -> int:
    """How many distinct words and phrases of a list a normalised message names."""
    return len(markers.intersection(words)) + sum(_phrases_in(words, phrases))


def out_of_scope(words: Sequence[str], terms: Sequence[str]) -> bool:
    """Another country's exam, another profession or chit-chat, with nothing of the US path."""
    if always_out_of_scope(words):
        return True
    if not names_any(words, OUT_OF_SCOPE_MARKERS, OUT_OF_SCOPE_PHRASES):
        return False
    return not any(t in US_PATH_MARKERS for t in (*words, *terms))


def smalltalk_reply(words: Sequence[str]) -> str | None:
    """A friendly reply when the message is only a greeting, thanks, goodbye or 'ok'."""
    if not words or len(words) > 8 or any(w not in _SMALLTALK_VOCAB for w in words):
        return None
    present = set(words)
    for kind, group in (("thanks", _THANKS), ("bye", _BYES), ("greeting", _GREETINGS)):
        if present & group:
            return SMALLTALK_REPLIES[kind]
    if present & _ACKS:
        return SMALLTALK_REPLIES["ack"]
    return None
