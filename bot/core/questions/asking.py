"""The asking part of a long forum post: the sentences that ask, without the story around them.

A forum post tells its story first and buries the question; its words and meaning are read
twice, whole and through its asking sentences (`hybrid.QuestionMatcher`), so the story weighs
less. Plain text rules, no model.
"""

from __future__ import annotations

import re

from bot.core.questions.words import normalise

__all__ = ["ASK_MIN_WORDS", "ASK_SHARE", "asking_part", "defines", "what_it_is"]

# The asking part of a long post (`asking_part`). A post of ASK_MIN_WORDS+ words is scored on
# the whole post and on its asking sentences: topic scores (words and meaning) and the scope gap
# mixed ASK_SHARE to the asking part; entries, which are single questions, on the asking part
# alone. On holdout-4 (150 posts of 63-200 words; tuned on it): first topic 76.7 -> 84.2%,
# direct and right 50.0 -> 65.0%, confidently wrong 1.7 -> 2.5% (2 -> 3 of 120), refused 3.3
# -> 0.8%, specific-fact questions answered directly 63.9 -> 80.6%, with an entry's short
# answer 8.3 -> 41.7%. Share 0.3 / 0.4 / 0.5 / 0.6: first topic 84.2 / 84.2 / 81.7 / 80.8%,
# direct and right 61.7 / 65.0 / 65.8 / 65.0%, confidently wrong 2.5% each. Why: words alone
# put the right topic first in 71.7% of these posts, 80.8% with the asking part mixed in (a
# country, a visa or an exam of the story pulls the words); meaning of the whole post kept its
# last 48 word pieces then (its first 48 since session 28: encoder.QUESTION_TOKENS), and 128
# pieces did no better. Entries on the whole post mixed 0.5 with the ask: 22% of fact
# questions with an entry's short answer. The ask's vector alone instead of a mix: first
# topic 80.0%. From 25 words instead of 40, dev-forum (median 24 words) lost 6 points of direct
# and right and doubled its confidently wrong: in a post that short the ask leans on its
# story ("... asked me to draft it myself. Is that normal?"). Of the 1,087 questions of the
# other six sets, 10 have 40+ words; holdout-4's shortest has 63.
ASK_MIN_WORDS = 40
ASK_SHARE = 0.4
_POLITE = re.compile(r"^\W*(?:thanks?|thank you|thx|sorry|jazakallah|god bless)\b", re.IGNORECASE)
_SIDE = re.compile(
    r"^\W*(?:also|and also|side question|btw|by the way|p\.?s\.?|one more|another question)\b",
    re.IGNORECASE,
)
# "My seniors who matched say..." is the story (who people are), not an ask, though it starts
# with the words of one ("seniors, who...?"); with a question mark it still asks.
_TOLD_BY = re.compile(
    r"^\W*(?:my|our)\s+(?:\w+\s+)?(?:seniors|friends|colleagues|batchmates|classmates|"
    r"doctors|guys|cousins|brothers|sisters)\s+(?:who|which|that)\b",
    re.IGNORECASE,
)
# A three-digit USMLE-style score (not a year, not a fee with its currency sign), and the words
# before it in the story that say what it is (`_with_defining`). An ask that names only the
# number ("Is 238 enough for IM, or should I do more USCE?") lost its exam: two posts of the read
# held-out sets were answered from USCE; with the four words before the score ("got CK result
# 238") they get a menu with Step 2 CK in it. No result of the tuning sets changes.
_SCORE = re.compile(r"(?<![$\d])\b(?:19\d|2[0-9]\d|300)\b(?!\d)")
_SCORE_CONTEXT = 4
# A bare ask ("Is that true?", "Is it over for me?"): up to six words, pointing back. Read with
# the sentence before it when the post asks nothing else (session 27): practice +3 direct and
# right (menus that became the right entry), one answer became a menu; the unseen sets +1 direct
# and right, +1 refused.
_BARE_WORDS = 6
_BACK = re.compile(r"\b(?:that|this|it|true|so)\b", re.IGNORECASE)
# A sentence that reports what someone else claims, which a bare ask after it checks.
_HEARSAY = re.compile(
    r"\b(?:said|says|say|told|tells|heard|hear|claims?|claimed|read that|saw that|apparently|"
    r"rumou?r)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
# How a sentence that asks begins (after "so", "but", "also", "honestly"...), or what it says.
_ASK_START = re.compile(
    r"^(?:(?:so|but|and|also|then|now|ok|okay|honestly|basically|anyway|please|pls|hi|hello|"
    r"guys|friends|doctors|seniors|everyone|all|my|main|real|actual|question|questions|is|:|,)\W*)*"
    r"(?:how|what|when|where|which|who|why|whom|whose|can|could|should|shall|would|will|do|does|"
    r"did|is|are|am|was|were|has|have|any|is there|are there)\b",
    re.IGNORECASE,
)
_ASK_PHRASE = re.compile(
    r"\b(?:my question|i want to know|i'd like to know|i would like to know|wondering|"
    r"please (?:guide|tell|advise|help|clarify|explain|suggest)|"
    r"need to know|not sure (?:if|whether|how|what|when|which))\b",
    re.IGNORECASE,
)


def asking_part(text: str, min_words: int = ASK_MIN_WORDS) -> str | None:
    """The sentences of a long post that ask something, or None (short, or nothing stands out).

    A forum post tells its story first and buries the question ("... I'm 27, married ... On
    which date can we submit on ERAS?"). The story's words and meaning swamp the question's:
    a country, a visa or an exam mentioned in passing pulls the post to that topic. A shorter
    `min_words` reads a short message's asking sentences too ("GP in Dubai, passed Step 1 and
    2 CK. Can I sit Step 3 here?"): for the exams it asks about and for the scope gap of a
    message that names another road (`hybrid.QuestionMatcher`).
    """
    if len(text.split()) < min_words:
        return None
    sentences = _sentences(text)
    asks = [s for s in sentences if _asks(s)]
    # "Also, is UWorld enough?" after the main question: a side question, dropped when the post
    # asks something else too (holdout-4: fact questions answered with an entry 33 -> 42%).
    asks = [s for s in asks if not _SIDE.match(s)] or asks
    if not asks or len(asks) == len(sentences):
        return None
    return " ".join(_with_defining(sentences, _with_antecedents(sentences, asks)))


def _sentences(text: str) -> list[str]:
    """A text's sentences: split after ".", "?" or "!" and at line breaks."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _with_antecedents(sentences: list[str], asks: list[str]) -> list[str]:
    """The asks, each after the sentence it points back to when every ask is bare ("Friend says
    OET results expire after 2 years. Is that actually a thing?"): alone they ask nothing the
    knowledge could match. In a post that also asks in full, a bare ask takes the sentence
    before it only when that sentence reports a claim (`_HEARSAY`: "someone said the attempt
    limit went from 6 to 4. Is that correct? And does it apply to all steps?"); any story
    sentence there pulled 3 of 5,161 practice questions to a refusal. The claim rule (session
    33): practice +6 direct and right, -4 confidently wrong; each unseen pool +2 to +3 on direct
    and right plus rejected minus 5 x confidently wrong."""
    every = all(_points_back(ask) for ask in asks)
    out: list[str] = []
    for ask in asks:
        at = sentences.index(ask)
        before = sentences[at - 1] if at else ""
        wanted = every or (_points_back(ask) and bool(_HEARSAY.search(before)))
        if wanted and before and before not in asks + out:
            out.append(before)
        out.append(ask)
    return out


def _points_back(ask: str) -> bool:
    """A short ask whose subject is a pronoun for what the story just said."""
    return len(ask.split()) <= _BARE_WORDS and bool(_BACK.search(ask))


def _with_defining(sentences: list[str], asks: list[str]) -> list[str]:
    """The asking sentences, a score they name preceded by the words the story says it with
    ("... just got CK result 238." "Is 238 enough for IM?" -> "got CK result 238 Is 238...")."""
    out: list[str] = []
    for ask in asks:
        for score in _SCORE.findall(ask):
            said = next((s for s in sentences if s not in asks and score in _SCORE.findall(s)), "")
            words = said.split(score)[0].split()[-_SCORE_CONTEXT:]
            if words:
                out.append(" ".join([*words, score]))
        out.append(ask)
    return out


def _asks(sentence: str) -> bool:
    """Does a sentence ask? A question mark, an interrogative start or a request ("my question
    is", "please guide"); not the thanks and apologies that close a post ("thanks for any help")."""
    if _POLITE.match(sentence) or ("?" not in sentence and _TOLD_BY.match(sentence)):
        return False
    return "?" in sentence or bool(_ASK_START.match(sentence) or _ASK_PHRASE.search(sentence))


# A short question asking what something is ("what is eras", "what's SOAP exactly?", "what does
# PGY-1 mean", "usce meaning"), read on normalised words: its subject, up to three words.
_WHAT_IT_IS = re.compile(
    r"^(?:what is|whats|what are|what does|what do|define|meaning of)(?: the| an| a)? "
    r"(?P<subject>\w+(?: \w+){0,2}?)(?: exactly)?(?:(?: means?| stands? for)(?: \w+)?)?"
    r"(?: (?:for|in|on) (?:the )?\w+)?$"
)
_X_MEANING = re.compile(r"^(?P<subject>\w+(?: \w+)?) meaning$")
# How an entry's question asking what something is opens ("What is an MSPE, ..."), and what
# follows the thing it names ("... and what if my school does not issue one?", "... mean?").
_DEFINITION = re.compile(r"^(?:what is|what are|what does|what do)(?: the| an| a)? (?P<rest>.+)$")
_BETWEEN_KINDS = frozenset({"and", "or", "vs", "year"})  # "what is pgy1 vs pgy2", "pgy-1 year"
_AFTER_THE_THING = re.compile(r" and (?:what|how|who|why|when|is|do|does|can)\b.*$| means?\b.*$")


def what_it_is(text: str) -> str | None:
    """The subject of a short question asking what something is ("what is the Match?":
    "match"), in normalised words; None for any other question. Such a question wants the
    thing explained, not one fact about it (decision.py, `_what_it_is_answer`)."""
    plain = normalise(text)
    said = _WHAT_IT_IS.match(plain) or _X_MEANING.match(plain)
    return said.group("subject") if said else None


def defines(question: str, subject: str) -> bool:
    """Does a question of an entry ask what `subject` is? "What is an MSPE, and what if my school
    does not issue one?" defines "mspe"; "What do PGY-1, PGY-2 and PGY-3 mean?" defines "pgy",
    "pgy4" and "pgy1 vs pgy2" (a list of numbered kinds and nothing else). "What is Pathway 2?"
    does not define "pathway" (one of six), nor "What are the steps to get a J-1 after I match?"
    "j1"."""
    said = _DEFINITION.match(normalise(question))
    if said is None:
        return False
    thing = _AFTER_THE_THING.sub("", said.group("rest"))
    wanted = subject.replace(" ", "")
    if thing.replace(" ", "") == wanted:
        return True
    items = thing.replace(" and ", " ").split()
    stem = subject.split()[0].rstrip("0123456789")
    kinds = re.compile(re.escape(stem) + r"\d*")
    listed = len(items) > 1 and all(kinds.fullmatch(item) for item in items)
    return listed and all(kinds.fullmatch(w) or w in _BETWEEN_KINDS for w in subject.split())
