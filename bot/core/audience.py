"""Who a calendar event concerns: named conditions on a person's profile.

Each event in knowledge/deadlines.yaml lists its audience as data (`audience: [{who, why}]`), so a
curator who adds a new kind of event (a ResidencyCAS deadline, a Pathways opening) reaches the right
people without a code change. The names below are the whole vocabulary; `imgbot validate` rejects
any other name. An event without an audience concerns everyone in its cycle.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.models import PATHWAY_IN, Profile

EVERYONE = "everyone"

# name -> (what it means, for curators and error messages; whether it holds for a profile)
CONDITIONS: dict[str, tuple[str, Callable[[Profile], bool]]] = {
    EVERYONE: ("everyone in the event's Match cycle", lambda p: True),
    "eras-not-submitted": ("has not submitted ERAS yet", lambda p: not p.eras_submitted),
    "nrmp-not-registered": (
        "has not registered for the NRMP Match",
        lambda p: not p.nrmp_registered,
    ),
    "not-certified": ("is not ECFMG certified yet", lambda p: not p.ecfmg_certified),
    "pathway-not-applied": (
        "is not ECFMG certified and has not applied for a clinical-skills Pathway",
        lambda p: not p.ecfmg_certified and p.pathway not in PATHWAY_IN,
    ),
    "rol-not-certified": ("has not certified a rank order list", lambda p: not p.rol_certified),
    "needs-visa": ("needs a visa", lambda p: bool(p.needs_visa)),
    "visa-without-step3": (
        "needs a visa and has not passed Step 3 (H-1B hopefuls)",
        lambda p: bool(p.needs_visa) and p.step3 != "passed",
    ),
    "result-pending": (
        "does not know a Match result yet",
        lambda p: p.match_result not in ("matched", "unmatched"),
    ),
    "matched": ("has matched", lambda p: p.match_result == "matched"),
    "unmatched": ("did not match", lambda p: p.match_result == "unmatched"),
    "matched-or-pending": (
        "has matched or does not know yet",
        lambda p: p.match_result != "unmatched",
    ),
    "unmatched-or-pending": (
        "did not match or does not know yet",
        lambda p: p.match_result != "matched",
    ),
}


def conditions_of(profile: Profile) -> frozenset[str]:
    """The names that hold for this person: many people share one set, so callers cache by it."""
    return frozenset(name for name, (_, holds) in CONDITIONS.items() if holds(profile))
