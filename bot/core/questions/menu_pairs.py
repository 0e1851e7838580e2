"""Menus whose first topic writers nearly always mean: answered directly instead.

Some topics sit second in many menus because they are the umbrella over the first: the ECFMG
certificate behind its clinical skills requirement, ECFMG registration behind MyIntealth, the
year of graduation behind choosing programs. The confidence (`bot.core.questions.confidence`)
weighs how close the two scores are, not which two topics they are, so such menus stay menus
although the writer meant the first topic. Counted over the practice sets, a pair of first two
menu topics is listed when the writers of at least `MIN_MENUS` in-scope menus filed
`MIN_SHARE` or more of them under the first topic: at 5/6 answering pays under the
calibration rule (direct and right minus 5 x confidently wrong, BENCHMARKS.md).

`menu_pairs.yaml` holds the pairs with their counts; `benchmarks/bench_menu_pairs.py` counts
them again and writes the file (after a knowledge or matching change that moves menus).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from bot.core.yamlfile import load_yaml

__all__ = [
    "MENU_PAIRS",
    "MENU_PAIRS_FILE",
    "MIN_MENUS",
    "MIN_SHARE",
    "MenuPair",
    "parse_menu_pairs",
]

MENU_PAIRS_FILE = "menu_pairs.yaml"
MIN_MENUS = 10
MIN_SHARE = 5 / 6  # answering pays at 5 right per wrong: 5 / (5 + 1)


@dataclass(frozen=True)
class MenuPair:
    """The first two topics of a menu and how its practice menus were filed."""

    first: str
    second: str
    menus: int  # in-scope menus of the practice sets with these two topics first
    first_meant: int  # ...filed under the first topic by their writers


def parse_menu_pairs(text: str) -> dict[tuple[str, str], MenuPair]:
    """Read and check menu_pairs.yaml's text; a malformed file fails loudly, naming what."""
    raw = load_yaml(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("pairs"), list):
        raise ValueError(f"{MENU_PAIRS_FILE}: expected a mapping with a 'pairs' list")
    pairs: dict[tuple[str, str], MenuPair] = {}
    for n, row in enumerate(raw["pairs"], start=1):
        if not isinstance(row, dict) or set(row) != {"first", "second", "menus", "first_meant"}:
            raise ValueError(
                f"{MENU_PAIRS_FILE}: pair #{n} needs first, second, menus, first_meant"
            )
        first, second, menus, meant = row["first"], row["second"], row["menus"], row["first_meant"]
        if not (isinstance(first, str) and isinstance(second, str) and first != second):
            raise ValueError(f"{MENU_PAIRS_FILE}: pair #{n} needs two different topic ids")
        if not (isinstance(menus, int) and isinstance(meant, int) and 0 <= meant <= menus):
            raise ValueError(f"{MENU_PAIRS_FILE}: pair #{n}: first_meant is a count <= menus")
        if (first, second) in pairs:
            raise ValueError(f"{MENU_PAIRS_FILE}: pair #{n} ({first}, {second}) is listed twice")
        pairs[first, second] = MenuPair(first, second, menus, meant)
    return pairs


MENU_PAIRS = parse_menu_pairs(
    resources.files("bot.core.questions").joinpath(MENU_PAIRS_FILE).read_text("utf-8")
)
