"""Count the menus writers meant the first topic of, by pair, and write menu_pairs.yaml.

    .venv/bin/python benchmarks/bench_menu_pairs.py                 # count and list, no write
    .venv/bin/python benchmarks/bench_menu_pairs.py --write         # ...and write the file
    .venv/bin/python benchmarks/bench_menu_pairs.py --check A.yaml  # also on sets not counted

Over the practice sets (tests/data and the held-out sets benchmarks/heldout/README.md marks as
read, as bench_confidence.py), each in-scope question the decision offers in a menu, without
any listed pair, counts for the menu's first two topics: meant when its writer filed it under
the first. A pair is listed when at least MIN_MENUS menus have it and MIN_SHARE of them were
meant (both in bot/core/questions/menu_pairs.py): answering them directly then gains more
direct and right answers than five times the confidently wrong ones (the calibration rule of
BENCHMARKS.md). --check reports what the listed pairs would do on other sets: menus
answered, right and wrong.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml
from bench_confidence import fitting_run, practice_sets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.evaluation import NONE, load_questions  # noqa: E402
from bot.core.questions.decision import decide  # noqa: E402
from bot.core.questions.hybrid import QuestionMatcher  # noqa: E402
from bot.core.questions.menu_pairs import MENU_PAIRS_FILE, MIN_MENUS, MIN_SHARE  # noqa: E402

OUT = ROOT / "bot" / "core" / "questions" / MENU_PAIRS_FILE

Pair = tuple[str, str]


def menus(matcher: QuestionMatcher, paths: list[Path]) -> tuple[Counter[Pair], Counter[Pair]]:
    """In-scope menus by their first two topics, and how many of each the writer meant first."""
    questions = [(q, t) for path in paths for q, t in load_questions(path) if t != NONE]
    seen: Counter[Pair] = Counter()
    meant: Counter[Pair] = Counter()
    analyses = matcher.analyse_many([q for q, _ in questions])
    for (_, topic), analysis in zip(questions, analyses, strict=True):
        result = decide(analysis, matcher.thresholds, lexical_only=False, menu_pairs=())
        if result.kind != "suggest" or result.matches[0].topic != analysis.ranking[0].topic:
            continue
        pair = (result.matches[0].topic, result.matches[1].topic)
        seen[pair] += 1
        meant[pair] += topic == pair[0]
    return seen, meant


def listed(seen: Counter[Pair], meant: Counter[Pair]) -> list[Pair]:
    """The pairs with enough menus, enough of them meant first; most menus first."""
    pairs = [p for p, n in seen.items() if n >= MIN_MENUS and meant[p] / n >= MIN_SHARE]
    return sorted(pairs, key=lambda p: (-seen[p], p))


def write(pairs: list[Pair], seen: Counter[Pair], meant: Counter[Pair], total: int) -> None:
    header = (
        "# Menus answered directly (bot/core/questions/menu_pairs.py), written by\n"
        "# benchmarks/bench_menu_pairs.py --write; do not edit by hand. Counted over\n"
        f"# {total} in-scope menus of the practice sets: pairs with {MIN_MENUS}+ menus,\n"
        f"# {MIN_SHARE:.0%}+ of them meant first.\n"
    )
    body = {
        "pairs": [
            {"first": a, "second": b, "menus": seen[a, b], "first_meant": meant[a, b]}
            for a, b in pairs
        ]
    }
    OUT.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")


def main() -> None:
    args, matcher = fitting_run(__doc__.splitlines()[0], MENU_PAIRS_FILE)
    seen, meant = menus(matcher, practice_sets())
    pairs = listed(seen, meant)
    print(f"{sum(seen.values())} in-scope menus of the practice sets; listed pairs:")
    for a, b in pairs:
        print(f"  {a} / {b}: {meant[a, b]} of {seen[a, b]} meant first")
    if args.check:
        seen_c, meant_c = menus(matcher, [Path(p) for p in args.check])
        right = sum(meant_c[p] for p in pairs)
        answered = sum(seen_c[p] for p in pairs)
        print(f"checked sets: {answered} menus answered, {right} right, {answered - right} wrong")
    if args.write:
        write(pairs, seen, meant, sum(seen.values()))
        print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
