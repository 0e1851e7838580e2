"""Score a matcher against a labelled question set (tests/data/dev.yaml and friends).

The numbers are the ones the quality bar is stated in:

- top1: in-scope questions whose first-ranked topic is the expected one and that were not
  refused (kind answer or suggest);
- top3: in-scope questions whose expected topic is among the first three offered;
- refused_rate: in-scope questions that got kind "none" (the bot said "I don't know");
- none_precision / none_recall: out-of-scope detection, where a question "gets no topic" when
  its kind is none or smalltalk (none_recall is "out of scope rejected");
- direct_correct: in-scope questions answered directly (kind answer, no menu) on the right topic;
- confident_wrong: in-scope questions answered directly on a wrong topic;
- facts_direct: the questions marked `fact: true` (they ask one fact: a fee, a date, a score, a
  rule) answered directly on the right topic, the bar for specific facts.

A question's right topic is its `topic`, or one of its `also` topics: the sets define `also` as
"a second topic that would be equally right" (dev-forum.yaml's header). Issue 10's own numbers
for dev-forum (75% first topic right, 33% direct and right) are what the matcher of that day
scores counted this way (70% and 31% on `topic` alone). `strict` scores `topic` alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

from yaml import YAMLError

from bot.core.models import MatchResult
from bot.core.quoting import excerpt
from bot.core.yamlfile import load_yaml

NONE = "none"  # the label of out-of-scope questions


class Question(NamedTuple):
    """One labelled question: the topic its writer meant ("none": out of scope), and topics
    that would be equally right."""

    text: str
    topic: str
    also: tuple[str, ...] = ()
    fact: bool = False  # it asks one specific fact


__all__ = ["NONE", "EvalReport", "Miss", "Question", "evaluate", "load_questions", "match_all"]


class _Matches(Protocol):
    def match(self, text: str) -> MatchResult: ...


def match_all(matcher: _Matches, texts: Sequence[str]) -> list[MatchResult]:
    """Every question's result: in one batch when the matcher can (`match_many`: the same
    results, the sentence vectors encoded together and cached), else one by one."""
    many = getattr(matcher, "match_many", None)
    if callable(many):
        results: list[MatchResult] = many(texts)
        return results
    return [matcher.match(text) for text in texts]


def load_questions(path: str | Path) -> list[Question]:
    """The questions of `questions: [{q, topic, also, fact}, ...]` (`also` and `fact`
    optional). A file that cannot be read or parsed raises ValueError naming it, for a one-line
    message."""
    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, YAMLError) as exc:
        raise ValueError(f"{path}: not a YAML text file ({excerpt(exc, 200)})") from exc
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a mapping with a 'questions' list")
    questions: list[Question] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "q" not in item or "topic" not in item:
            raise ValueError(f"{path}: question #{n} needs 'q' and 'topic'")
        also, fact = item.get("also") or [], item.get("fact", False)
        if not isinstance(also, list):
            raise ValueError(f"{path}: question #{n}: 'also' must be a list of topic ids")
        if not isinstance(fact, bool):
            raise ValueError(f"{path}: question #{n}: 'fact' must be true or false")
        text, topic = str(item["q"]), str(item["topic"])
        questions.append(Question(text, topic, tuple(map(str, also)), fact))
    return questions


@dataclass(frozen=True)
class Miss:
    """One question the matcher got wrong: what we expected and what it did."""

    question: str
    expected: str
    kind: str
    got: tuple[str, ...]  # the topics offered, best first (empty for none/smalltalk)
    scores: tuple[float, ...]


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


@dataclass(frozen=True)
class EvalReport:
    """Aggregate scores plus enough detail (confusions, misses) to see what to fix."""

    total: int
    in_scope: int
    out_of_scope: int
    top1: float
    top3: float
    refused_rate: float
    none_precision: float
    none_recall: float
    direct_correct: float = 0.0
    confident_wrong: float = 0.0
    facts: int = 0  # in-scope questions marked `fact: true`
    facts_direct: float = 0.0
    confusions: dict[str, dict[str, int]] = field(default_factory=dict)
    misses: tuple[Miss, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data."""
        return {
            "total": self.total,
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "refused_rate": round(self.refused_rate, 4),
            "none_precision": round(self.none_precision, 4),
            "none_recall": round(self.none_recall, 4),
            "direct_correct": round(self.direct_correct, 4),
            "confident_wrong": round(self.confident_wrong, 4),
            "facts": self.facts,
            "facts_direct": round(self.facts_direct, 4),
            "confusions": {k: dict(v) for k, v in self.confusions.items()},
            "misses": [
                {
                    "question": m.question,
                    "expected": m.expected,
                    "kind": m.kind,
                    "got": list(m.got),
                    "scores": list(m.scores),
                }
                for m in self.misses
            ],
        }

    def to_text(self) -> str:
        """A short human-readable report: headline numbers, confusions, then every miss."""
        lines = [
            f"questions: {self.total} ({self.in_scope} in scope, {self.out_of_scope} out of scope)",
            f"top-1: {self.top1:.1%}   top-3: {self.top3:.1%}   refused: {self.refused_rate:.1%}",
            f"none precision: {self.none_precision:.1%}   none recall: {self.none_recall:.1%}",
            f"direct and right: {self.direct_correct:.1%}   "
            f"confidently wrong: {self.confident_wrong:.1%}",
        ]
        if self.facts:
            lines.append(
                f"fact questions ({self.facts}) answered directly: {self.facts_direct:.1%}"
            )
        if self.confusions:
            lines.append("confusions (expected -> first-ranked, count):")
        for expected, got in sorted(self.confusions.items()):
            pairs = ", ".join(f"{topic} {n}" for topic, n in sorted(got.items()))
            lines.append(f"  {expected} -> {pairs}")
        if self.misses:
            lines.append(f"misses ({len(self.misses)}):")
        for m in self.misses:
            offered = ", ".join(f"{t} {s:.0f}" for t, s in zip(m.got, m.scores, strict=True))
            lines.append(f"  [{m.expected} -> {m.kind}: {offered or '-'}] {m.question}")
        return "\n".join(lines)


def _gets_no_topic(result: MatchResult) -> bool:
    return result.kind in ("none", "smalltalk")


def evaluate(
    matcher: _Matches, questions: Iterable[Question | tuple[str, str]], *, strict: bool = False
) -> EvalReport:
    """Run every question through the matcher (`match_all`) and score the decisions, a
    question's `also` topics counting as right unless `strict`."""
    labelled: Sequence[Question] = [Question(*q) for q in questions]
    top1 = top3 = refused = in_scope = direct = wrong = facts = facts_direct = 0
    none_hits = none_predicted = none_expected = 0
    confusions: dict[str, Counter[str]] = {}
    misses: list[Miss] = []
    results = match_all(matcher, [q.text for q in labelled])
    for (question, expected, also, fact), result in zip(labelled, results, strict=True):
        right = {expected} if strict else {expected, *also}
        offered = tuple(m.topic for m in result.matches)
        no_topic = _gets_no_topic(result)
        none_predicted += no_topic
        if expected == NONE:
            none_expected += 1
            none_hits += no_topic
            correct = no_topic
        else:
            in_scope += 1
            refused += result.kind == "none"
            first_ok = not no_topic and bool(offered) and offered[0] in right
            top1 += first_ok
            direct += first_ok and result.kind == "answer"
            facts += fact
            facts_direct += fact and first_ok and result.kind == "answer"
            wrong += result.kind == "answer" and not first_ok
            top3 += not no_topic and not right.isdisjoint(offered[:3])
            correct = first_ok
        got = NONE if no_topic else offered[0]
        if got not in right:
            confusions.setdefault(expected, Counter())[got] += 1
        if not correct:
            scores = tuple(m.score for m in result.matches)
            misses.append(Miss(question, expected, result.kind, offered, scores))
    return EvalReport(
        total=len(labelled),
        in_scope=in_scope,
        out_of_scope=none_expected,
        top1=_ratio(top1, in_scope),
        top3=_ratio(top3, in_scope),
        refused_rate=refused / in_scope if in_scope else 0.0,
        none_precision=_ratio(none_hits, none_predicted),
        none_recall=_ratio(none_hits, none_expected),
        direct_correct=_ratio(direct, in_scope),
        confident_wrong=wrong / in_scope if in_scope else 0.0,
        facts=facts,
        facts_direct=_ratio(facts_direct, facts),
        confusions={k: dict(v) for k, v in confusions.items()},
        misses=tuple(misses),
    )
