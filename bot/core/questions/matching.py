"""Match a free-text question to knowledge-base topics, with scores 0-100 and an honest "none".

Users write short, on phones, in a second language, with abbreviations ("s1", "2ck", "usce",
"lor", "yog") and typos. The pipeline is therefore:

1. `normalise`: NFKC, casefold, emoji and punctuation to spaces, stretched letters collapsed,
   a few spelling variants of exam and visa names joined ("step-1" -> "step 1", "h-1b" -> "h1b").
2. `expand`: every abbreviation in `ABBREVIATIONS` adds its canonical words next to the original
   token, so "lor" matches a topic written with "letters of recommendation" and vice versa. The
   same expansion runs over topic titles, variants and keywords, so both sides meet in the middle.
3. Analysis into content terms: stop/filler words dropped, a crude stemmer (plural, -ed, -ing,
   then the first 7 letters) so "certified", "certificate" and "certification" meet, exam steps
   joined into one term ("step 2 ck" -> "step2ck"), and typos of known words corrected with
   rapidfuzz against the knowledge base's own vocabulary.
4. Scoring per topic (0-100), over an inverted index and then the best dozen candidates:
   coverage (how much of the question's *informative* weight the topic explains: IDF over
   topics, so words in many topics such as "usmle" or "residency" count little, and words no
   topic uses count against every topic), an IDF cosine with the topic's closest single text
   (title, keyword or variant), shared word pairs ("home rule"), and rapidfuzz's token_sort_ratio
   to the closest variant as a tie-breaker.
5. A decision (`Matcher.match`) with named thresholds, plus guards for the known traps of FAQ
   bots: one-word queries that many topics share, other countries' exams and other professions,
   chit-chat, greetings and thanks.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import TypedDict

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.models import KnowledgeBase, Match, MatchResult, Topic
from bot.core.yamlfile import load_yaml

__all__ = [
    "ABBREVIATIONS",
    "ANSWER_MIN",
    "MARGIN",
    "MAX_INPUT_CHARS",
    "SUGGEST_MIN",
    "LexicalIndex",
    "Matcher",
    "Query",
    "always_out_of_scope",
    "analyse",
    "expand",
    "names_any",
    "normalise",
    "smalltalk_reply",
]

# -- decision thresholds ----------------------------------------------------------------------
# Chosen by sweeping ANSWER_MIN 40-55, MARGIN 5-12 and SUGGEST_MIN 20-32 over the score
# distributions of tests/data/dev.yaml on the full knowledge base (BENCHMARKS.md, "Matching"):
# - correct in-scope top scores run from 29 up; SUGGEST_MIN sits below that, so an in-scope
#   question is almost never refused. Out-of-scope questions score 25-40 before the guards
#   (other-country exams, other professions, chit-chat), which is why those guards exist: a score
#   threshold alone cannot separate them;
# - every confidently wrong answer had a top-vs-second gap of 8 or less, and tops under 45 were
#   wrong often enough that "did you mean" is the honest reply: with 45/8, no dev answer is
#   confidently wrong and about 70% of questions are answered directly.
ANSWER_MIN = 45.0  # top score at or above this (with MARGIN) answers directly
MARGIN = 8.0  # top minus second below this: ask "did you mean" with 2-3 candidates
SUGGEST_MIN = 24.0  # top score below this: out of scope, say so honestly
SUGGEST_WINDOW = 20.0  # candidates within this of the top score are offered as suggestions
# One content word shared by more than this share of topics ("visa", "usmle", "step") says too
# little to answer; offer the topics that use it most instead.
AMBIGUOUS_DF_SHARE = 0.08
MAX_MATCHES = 5
MAX_SUGGEST = 3
MAX_INPUT_CHARS = 500  # a longer message is a story: match on its first 500 characters
CANDIDATES = 12  # topics rescored with rapidfuzz after the fast term stage


def _words(text: str) -> frozenset[str]:
    """A word set written as one readable block of text."""
    return frozenset(text.split())


# -- vocabulary ---------------------------------------------------------------------------------
# Abbreviations and the out-of-scope guards are data: bot/core/questions/vocabulary.yaml.
VOCABULARY_FILE = "vocabulary.yaml"


class Vocabulary(TypedDict):
    """vocabulary.yaml, checked: what each key holds is known after parse_vocabulary."""

    abbreviations: dict[str, str]
    out_of_scope: list[str]
    out_of_scope_always: list[str]
    us_path: list[str]


def parse_vocabulary(text: str) -> Vocabulary:
    """Read and check vocabulary.yaml's text; a malformed file fails at import, loudly."""
    raw = load_yaml(text)
    if not isinstance(raw, dict):
        raise ValueError(f"{VOCABULARY_FILE}: expected a mapping")
    abbreviations = raw.get("abbreviations")
    if not isinstance(abbreviations, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
        for k, v in abbreviations.items()
    ):
        raise ValueError(f"{VOCABULARY_FILE}: abbreviations must map words to words")
    return Vocabulary(
        abbreviations=abbreviations,
        out_of_scope=_word_list(raw, "out_of_scope"),
        out_of_scope_always=_word_list(raw, "out_of_scope_always"),
        us_path=_word_list(raw, "us_path"),
    )


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


def _markers(listed: list[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Single-word markers as a set, multi-word ones as normalised phrases."""
    words = [normalise(w) for w in listed]
    return frozenset(w for w in words if " " not in w), tuple(w for w in words if " " in w)


# Words that carry no topic on their own: question words, pronouns, auxiliaries, politeness, and
# domain words every topic shares. They still count for smalltalk detection and phrase matches.
STOPWORDS: frozenset[str] = _words(
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


@lru_cache(maxsize=512)  # a question is normalised 5-10 times (one parse per word index)
def normalise(text: str) -> str:
    """Plain lower-case words and numbers separated by single spaces; never raises.

    Keeps the tokens that matter for IMGs ("2ck", "h1b", "j1", "pgy1", "step 1") and folds their
    common spellings together ("Step-1", "STEP1", "h-1b", "J 1", "PGY-1").
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
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
# Compared with words and analysed terms ("step1"), so not normalised ("step 1").
US_PATH_MARKERS = frozenset(_VOCABULARY["us_path"])


def _expand_tokens(tokens: Sequence[str]) -> list[str]:
    """Tokens with the canonical words of every abbreviation inserted right after it."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = f"{tokens[i]} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
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
    return " ".join(_expand_tokens(normalise(text).split()))


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


def _join_compounds(tokens: Sequence[str]) -> list[str]:
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
    tokens = _join_compounds(_expand_tokens(normalised.split()))
    return [stem(t) for t in tokens if t not in STOPWORDS]


@lru_cache(maxsize=1 << 15)
def _knowledge_text(text: str) -> tuple[str, tuple[str, ...]]:
    """(normalised text, its terms) of a knowledge text, computed once per process.

    The three word indexes of the hybrid matcher share most texts, and a /reload rebuilds them:
    analysing ~8,000 texts took ~1 s of a ~3 s start-up (half of it normalising each text
    twice). ~4,000 distinct texts, a few MB.
    """
    normalised = normalise(text)
    return normalised, tuple(_terms(normalised))


def _phrases(terms: Sequence[str]) -> list[str]:
    return [f"{a} {b}" for a, b in pairwise(terms) if a != b]


# -- matcher ------------------------------------------------------------------------------------

# Where a term was seen in a topic: keywords and titles are written to point at the topic,
# variants also carry incidental words.
# Answer text (a topic's overview, an entry's short answer) also says what a topic is about, but
# with many incidental words: it counts for coverage at this weight, never as a "closest text"
# nor for word pairs. 0.4 keeps a fact that sits only in an answer findable without letting long
# answers outvote titles and variants (dev.yaml top-1 stays >= 95%, BENCHMARKS.md).
# Entries' questions, variants and keywords ("entry") point at their topic, but an entry often
# names a neighbouring topic's subject ("when does ERAS open" sits in the Match timeline).
_FIELD_WEIGHT = {"keyword": 1.0, "title": 1.0, "variant": 0.75, "entry": 0.5, "answer": 0.4}
UNKNOWN_WEIGHT_SHARE = 0.55  # a word no topic uses weighs this share of the rarest known word
NUMBER_WEIGHT = 0.3  # numbers ("2019", "240", "2nd") say little about the topic
# Shares of the final score. Coverage (how much of the question the topic explains) is the
# backbone; the closest single text (a variant, keyword or the title) rewards a question that is
# *about* the same thing as one way of asking, not just sharing words; phrases reward word pairs
# ("home rule", "match day"); rapidfuzz on the plain text breaks near-ties by wording.
COVERAGE_SHARE = 0.45
TEXT_SHARE = 0.3
PHRASE_SHARE = 0.15
FUZZ_SHARE = 0.1
# Typo correction (rapidfuzz ratio against the KB's words). Short words need a closer match:
# "though" must not become "through" (92), while "interveiw" -> "interview" (89) and
# "certifcate" -> "certificate" (95) should be corrected.
TYPO_MIN_LEN = 5
CORRECTIONS_KEPT = 50_000  # distinct words remembered per index (a few MB at most)


def _typo_cutoff(word: str) -> float:
    return 94.0 if len(word) <= 6 else 88.0 if len(word) <= 8 else 85.0


# Long messages are stories; the question is in the sentence with a "?" (else the last one),
# so its words count this much more.
FOCUS_BOOST = 1.5
ECHO_FACTOR = 0.0  # the KB already says it with the abbreviation: the echo adds nothing
_SENTENCE_RE = re.compile(r"(?<=[.?!])\s+|\n+")


@dataclass(frozen=True)
class Query:
    """A message as the matcher sees it."""

    words: list[str]  # normalised words
    terms: list[str]  # content terms (see Matcher._terms)
    plain: str  # the normalised text, its words sorted, for rapidfuzz (see _sorted_words)
    focus: frozenset[str]  # terms of the sentence that asks the question, in a long message
    echoes: frozenset[str]  # canonical words added for an abbreviation the KB itself uses


@dataclass
class _TopicIndex:
    """What the matcher precomputes for one topic."""

    id: str
    weights: dict[str, float]  # term -> how strongly the topic is about it (0-1)
    phrases: frozenset[str]
    term_sets: tuple[frozenset[str], ...]  # content terms of each title/keyword/variant
    plain: tuple[str, ...]  # normalised title and variants, words sorted, for rapidfuzz


def topic_texts(topic: Topic) -> list[tuple[str, str]]:
    """(field, text) pairs that describe a topic: its title, keywords and variants."""
    return [
        ("title", topic.title),
        *(("keyword", k) for k in topic.keywords),
        *(("variant", v) for v in topic.variants),
    ]


def _index_doc(doc_id: str, texts: Sequence[tuple[str, str]]) -> tuple[_TopicIndex, set[str]]:
    """Term weights for one document: field weight, lifted by how many of its texts use the term."""
    best: dict[str, float] = {}
    seen_in: Counter[str] = Counter()
    phrases: set[str] = set()
    raw_words: set[str] = set()
    term_sets: list[frozenset[str]] = []
    plain: list[str] = []
    for field_name, text in texts:
        normalised, terms = _knowledge_text(text)
        raw_words.update(normalised.split())
        for term in set(terms):
            best[term] = max(best.get(term, 0.0), _FIELD_WEIGHT[field_name])
            seen_in[term] += 1
        if field_name == "answer":
            continue
        phrases.update(_phrases(terms))
        if terms:
            term_sets.append(frozenset(terms))
        if field_name != "keyword":
            plain.append(_sorted_words(normalised))
    n_texts = max(len(texts), 1)
    weights = {t: w * (0.7 + 0.3 * min(1.0, 3 * seen_in[t] / n_texts)) for t, w in best.items()}
    index = _TopicIndex(doc_id, weights, frozenset(phrases), tuple(term_sets), tuple(plain))
    return index, raw_words


class _TextIndex:
    """Every title, keyword and variant of every document, for the closest-text score.

    One array over all documents' texts: a question's shared weight with each text is one
    `bincount` over the texts its terms occur in, and each document's best cosine one
    `maximum.reduceat`. Walking the dozen candidates' texts in Python, term by term, was a
    sixth of a question's CPU; the sums are the same, added in the same order.
    """

    def __init__(self, docs: Sequence[_TopicIndex], idf: dict[str, float]) -> None:
        term_texts: dict[str, list[int]] = defaultdict(list)
        norms: list[float] = []
        starts: list[int] = []
        for doc in docs:
            starts.append(len(norms))
            for terms in doc.term_sets:
                for term in terms:
                    term_texts[term].append(len(norms))
                norms.append(math.sqrt(sum(idf[t] ** 2 for t in terms)))
        self._idf = idf
        self._term_texts = {t: np.array(ns, dtype=np.intp) for t, ns in term_texts.items()}
        self._norms = np.array(norms, dtype=np.float64)
        first = np.array(starts, dtype=np.intp)
        # reduceat needs a start inside the array for each segment: documents with no text
        # (an entry of answer text only) get 0 afterwards instead.
        self._has_texts = np.diff(np.append(first, len(norms))) > 0
        self._starts = first[self._has_texts]
        self._docs = len(docs)

    def closest(self, query: dict[str, float], query_norm: float) -> list[float]:
        """Per document, 0-1: the IDF cosine between the question and its closest text."""
        hits = [
            (self._term_texts[t], w * self._idf[t])
            for t, w in query.items()
            if t in self._term_texts
        ]
        best = np.zeros(self._docs)
        if hits and len(self._starts):
            texts = np.concatenate([ns for ns, _ in hits])
            weights = np.concatenate([np.full(len(ns), w) for ns, w in hits])
            shared = np.bincount(texts, weights, minlength=len(self._norms))
            cosines = shared / (query_norm * self._norms)
            best[self._has_texts] = np.minimum(np.maximum.reduceat(cosines, self._starts), 1.0)
        found: list[float] = best.tolist()
        return found


class LexicalIndex:
    """Ranks documents (topics, or entries) for a question by the words they share, 0-100.

    Everything that depends only on the documents is computed here, once; `scores` walks an
    inverted index for the question's terms, then rescores the best few candidates.
    """

    def __init__(self, docs: Iterable[tuple[str, Sequence[tuple[str, str]]]]) -> None:
        self._topics: list[_TopicIndex] = []
        raw_vocab: set[str] = set()
        for doc_id, texts in docs:
            index, words = _index_doc(doc_id, texts)
            self._topics.append(index)
            raw_vocab |= words
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        phrase_df: Counter[str] = Counter()
        for i, index in enumerate(self._topics):
            for term, weight in index.weights.items():
                self._postings[term].append((i, weight))
            phrase_df.update(index.phrases)
        n = max(len(self._topics), 1)
        self._n = n
        self._idf = {t: math.log((n + 1) / len(p)) + 0.1 for t, p in self._postings.items()}
        self._phrase_idf = {p: math.log((n + 1) / df) + 0.1 for p, df in phrase_df.items()}
        self._unknown_weight = UNKNOWN_WEIGHT_SHARE * (math.log(n + 1) + 0.1)
        self._texts = _TextIndex(self._topics, self._idf)
        # Typo correction only towards real words of the knowledge base, never stopwords.
        self._typo_vocab = sorted(
            w for w in raw_vocab if len(w) >= TYPO_MIN_LEN - 1 and w.isalpha()
        )
        self._typo_vocab_set = frozenset(self._typo_vocab)
        self._known_terms = frozenset(self._postings)
        # Corrections already looked up: a fuzzy search over the vocabulary costs ~0.1 ms a
        # word, a long forum post has 100+ words, and its asking part is parsed a second time.
        self._corrections: dict[str, str] = {}

    # -- analysis -----------------------------------------------------------------------------
    def _correct(self, word: str) -> str:
        """A known word for a misspelt one ('interveiw' -> 'interview'), else the word itself."""
        corrected = self._corrections.get(word)
        if corrected is None:
            if len(self._corrections) >= CORRECTIONS_KEPT:
                self._corrections.clear()  # a bound for a bot that runs for months
            corrected = self._corrections[word] = self._look_up(word)
        return corrected

    def _look_up(self, word: str) -> str:
        if len(word) < TYPO_MIN_LEN or not word.isalpha() or word in self._typo_vocab_set:
            return word
        if word in STOPWORDS or word in OUT_OF_SCOPE_MARKERS or stem(word) in self._known_terms:
            return word
        best = process.extractOne(
            word, self._typo_vocab, scorer=fuzz.ratio, score_cutoff=_typo_cutoff(word)
        )
        return best[0] if best else word

    def _terms(self, words: Sequence[str]) -> list[str]:
        """Content terms of a normalised question, typos corrected.

        An abbreviation the knowledge base never uses ("s1") is dropped once its canonical
        words are in: otherwise it would count as an unknown word against every topic.
        """
        corrected = [self._correct(w) for w in words]
        tokens = _join_compounds(_expand_tokens(corrected))
        terms = (stem(t) for t in tokens if t not in STOPWORDS)
        return [t for t in terms if t in self._known_terms or t not in ABBREVIATIONS]

    def _echoes(self, words: Sequence[str], terms: Sequence[str]) -> frozenset[str]:
        """Terms that only repeat a known abbreviation's meaning ("usce" -> "clinical").

        Counting them in full would let one abbreviation outweigh the rest of the question.
        """
        echoes: set[str] = set()
        for word in words:
            canonical = ABBREVIATIONS.get(word)
            if canonical and stem(word) in self._known_terms:
                echoes.update(stem(t) for t in canonical.split())
        return frozenset(echoes - {stem(w) for w in words})

    def _term_weight(self, term: str) -> float:
        """How much a question term says: IDF, less for numbers and weak domain words."""
        if term[0].isdigit():  # "conrad 30" or "pathway 6" still count as phrases
            return NUMBER_WEIGHT
        weight = self._idf.get(term, self._unknown_weight)
        return weight * WEAK_FACTOR if term in WEAK_TERMS else weight

    # -- scoring ------------------------------------------------------------------------------
    def _weights(self, query: Query) -> dict[str, float]:
        """Question term -> weight: IDF-based, boosted in the asking sentence, echoes muted."""
        return {
            t: self._term_weight(t)
            * (FOCUS_BOOST if t in query.focus else 1.0)
            * (ECHO_FACTOR if t in query.echoes else 1.0)
            for t in query.terms
        }

    def _scores(self, query: Query) -> dict[int, float]:
        """Topic index -> score 0-100: coverage over all topics, the rest on the best few."""
        weights = self._weights(query)
        total = sum(weights.values())
        evidence: dict[int, float] = defaultdict(float)
        for term, query_weight in weights.items():
            for i, weight in self._postings.get(term, ()):
                evidence[i] += query_weight * weight
        if total <= 0 or not evidence:
            return {}
        candidates = sorted(evidence, key=evidence.__getitem__, reverse=True)[:CANDIDATES]
        phrases = [p for p in _phrases(query.terms) if p in self._phrase_idf]
        norm = math.sqrt(sum(w * w for w in weights.values()))
        closest = self._texts.closest(weights, norm)
        scores: dict[int, float] = {}
        for i in candidates:
            coverage = min(1.0, evidence[i] / total)
            score = COVERAGE_SHARE * coverage
            score += TEXT_SHARE * closest[i]
            score += PHRASE_SHARE * self._phrase_share(phrases, self._topics[i], coverage)
            score += FUZZ_SHARE * _fuzzy(query.plain, self._topics[i].plain) * coverage
            scores[i] = round(100.0 * min(1.0, max(0.0, score)), 1)
        return scores

    def _phrase_share(self, phrases: Sequence[str], topic: _TopicIndex, coverage: float) -> float:
        """0-1: IDF share of the question's known word pairs that the topic also uses."""
        total = sum(self._phrase_idf[p] for p in phrases)
        if not total:
            return coverage  # a one-word question has no pair to share: don't penalise it
        return sum(self._phrase_idf[p] for p in phrases if p in topic.phrases) / total

    def _parse(self, text: str) -> Query:
        """Truncate, normalise and analyse a message once for ranking and guards."""
        text = (text or "")[:MAX_INPUT_CHARS]
        words = normalise(text).split()
        terms = self._terms(words)
        sentences = [s for s in _SENTENCE_RE.split(text) if normalise(s)]
        focus: frozenset[str] = frozenset()
        if len(sentences) > 1:
            asked = [s for s in sentences if "?" in s] or sentences
            focus = frozenset(self._terms(normalise(asked[-1]).split()))
        plain = _sorted_words(" ".join(words))
        return Query(words, terms, plain, focus, self._echoes(words, terms))

    def _rank(self, query: Query) -> list[Match]:
        scores = self._scores(query)
        order = sorted(scores, key=lambda i: (-scores[i], i))[:MAX_MATCHES]
        return [Match(self._topics[i].id, scores[i]) for i in order if scores[i] > 0]

    def ranked(self, text: str) -> list[Match]:
        """The raw ranking (best first, at most 5) before any decision or guard."""
        return self._rank(self._parse(text))

    def _has_known_word(self, terms: Sequence[str]) -> bool:
        """Numbers alone ("what's 2+2") match dates and fees everywhere but ask nothing."""
        return any(t in self._known_terms and not t[0].isdigit() for t in terms)

    def _too_vague(self, terms: Sequence[str]) -> bool:
        """One known content word that many topics share ('visa', 'usmle', 'step')."""
        unique = set(terms)
        if len(unique) != 1:
            return False
        postings = self._postings.get(next(iter(unique)), [])
        return len(postings) > max(2, AMBIGUOUS_DF_SHARE * self._n)

    def parse(self, text: str) -> Query:
        """A message as this index sees it (typos corrected towards its own vocabulary)."""
        return self._parse(text)

    def scores(self, query: Query) -> dict[str, float]:
        """Document id -> score 0-100 for the best candidates; documents not listed score 0."""
        return {self._topics[i].id: s for i, s in self._scores(query).items() if s > 0}

    def has_known_word(self, query: Query) -> bool:
        return self._has_known_word(query.terms)

    def too_vague(self, query: Query) -> bool:
        return self._too_vague(query.terms)


class Matcher(LexicalIndex):
    """The lexical matcher: ranks topics by their titles, keywords and variants and decides.

    This is the matcher as it was before entries and sentence vectors (`imgbot ask --lexical`,
    benchmarks/bench_matching.py): kept so the two can be compared on the same questions.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__((t.id, topic_texts(t)) for t in kb.topics)

    # -- decision -----------------------------------------------------------------------------
    def match(self, text: str) -> MatchResult:
        """Decide what to do with one message; see MatchResult for the kinds."""
        query = self._parse(text)
        words, terms = query.words, query.terms
        if not words:
            return MatchResult("none")
        reply = smalltalk_reply(words)
        if reply is not None:
            return MatchResult("smalltalk", smalltalk=reply)
        if out_of_scope(words, terms):
            return MatchResult("none")
        ranking = self._rank(query)
        if not ranking or ranking[0].score < SUGGEST_MIN or not self._has_known_word(terms):
            return MatchResult("none")
        if self._too_vague(terms):
            return MatchResult("suggest", tuple(_suggestions(ranking)))
        top = ranking[0].score
        second = ranking[1].score if len(ranking) > 1 else 0.0
        if top >= ANSWER_MIN and top - second >= MARGIN:
            return MatchResult("answer", tuple(ranking))
        return MatchResult("suggest", tuple(_suggestions(ranking)))


def _sorted_words(text: str) -> str:
    """The words in sorted order: `fuzz.ratio` of two sorted texts is `token_sort_ratio`.

    Sorting each text once, when it is indexed or parsed, instead of in every comparison
    halved the rapidfuzz time of a long post (holdout-4: 12 candidates x up to 275 texts).
    """
    return " ".join(sorted(text.split()))


def _fuzzy(plain: str, texts: Sequence[str]) -> float:
    """0-1: rapidfuzz similarity, word order aside, of the question to the closest text
    (both already in sorted word order)."""
    if not plain or not texts:
        return 0.0
    best = process.extractOne(plain, texts, scorer=fuzz.ratio)
    return best[1] / 100.0 if best else 0.0


def _suggestions(ranking: Sequence[Match]) -> list[Match]:
    """The 2-3 candidates close enough to the top to offer as "did you mean"."""
    top = ranking[0].score
    close = [m for m in ranking[:MAX_SUGGEST] if top - m.score <= SUGGEST_WINDOW]
    return close if len(close) >= 2 else list(ranking[:2])


def names_any(words: Sequence[str], markers: frozenset[str], phrases: Sequence[str]) -> bool:
    """Does a normalised message hold one of these words, or one of these phrases as whole words?"""
    if any(w in markers for w in words):
        return True
    padded = f" {' '.join(words)} "
    return any(f" {p} " in padded for p in phrases)


def always_out_of_scope(words: Sequence[str]) -> bool:
    """A word or phrase no question of the US path uses (vocabulary.yaml out_of_scope_always)."""
    return names_any(words, ALWAYS_OUT_MARKERS, ALWAYS_OUT_PHRASES)


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
