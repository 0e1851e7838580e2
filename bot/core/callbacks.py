"""Short, versioned, validated button codes.

Telegram gives a button 1-64 bytes of callback data and sends back whatever a client puts there,
so every code is parsed strictly: anything we did not produce decodes to None and gets a polite
"this button is out of date" instead of an exception. Codes look like `1|t|usmle-step1`.

A button that changes someone's state can carry its owner, the person it was shown to, as a last
part `@<user id>` (`1|x|yes|@42`): in a group everyone sees the same keyboard, and only the owner's
press may act. The owner is checked by the service (`owned_by`), never trusted for more than that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.numbers import parse_int

VERSION = "1"
MAX_BYTES = 64

# kind -> how many arguments it takes. Arguments are checked against ARG_PATTERN.
KINDS: dict[str, int] = {
    "t": 1,  # show topic <id>
    "e": 1,  # show entry <id> (a specific question inside a topic)
    "f": 2,  # feedback <topic id> <u|d>
    "s": 1,  # browse stage <stage id> ("all" for the stage list)
    "p": 2,  # dialog answer <field> <value>
    "pk": 1,  # dialog: skip <field>
    "pb": 0,  # dialog: back one question
    "n": 0,  # show my plan (/next)
    "pr": 0,  # show progress
    "nt": 2,  # plan: <keep|move> the target Match <year> (when the target is out of reach)
    "x": 1,  # forget: <yes|no>
    "r": 2,  # reminder settings: <setting> <value>
    "c": 2,  # cohort/channel action: <verb> <code>
    "b": 2,  # admin broadcast: <yes|no> <broadcast id>
}
ARG_PATTERN = re.compile(r"[A-Za-z0-9_.+/-]{1,40}")  # fullmatch: "$" would let "x\n" through
OWNER_MARK = "@"  # never in ARG_PATTERN, so an owner cannot be mistaken for an argument
MAX_USER_ID = 2**53 - 1  # Telegram user ids fit in 52 bits (Bot API docs)


@dataclass(frozen=True)
class Callback:
    kind: str
    args: tuple[str, ...]
    owner: int | None = None  # the only user whose press may act, when the button says so


def encode(kind: str, *args: object, owner: int | None = None) -> str:
    """Build a callback code; raises ValueError for anything that would not round-trip."""
    parts = [str(a) for a in args]
    if KINDS.get(kind) != len(parts) or not all(ARG_PATTERN.fullmatch(p) for p in parts):
        raise ValueError(f"bad callback {kind!r} {parts!r}")
    if owner is not None:
        if not 0 < owner <= MAX_USER_ID:
            raise ValueError(f"bad callback owner {owner!r}")
        parts.append(f"{OWNER_MARK}{owner}")
    data = "|".join([VERSION, kind, *parts])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def decode(data: object) -> Callback | None:
    """Parse a code we produced; None for anything else (forged, stale version, malformed)."""
    if not isinstance(data, str) or not data or len(data.encode()) > MAX_BYTES:
        return None
    version, _, rest = data.partition("|")
    if version != VERSION or not rest:
        return None
    kind, *args = rest.split("|")
    owner = None
    if args and args[-1].startswith(OWNER_MARK):
        raw = args.pop()[1:]
        owner = parse_int(raw, 1, MAX_USER_ID)
        if owner is None or str(owner) != raw:  # one spelling per owner: no "@007"
            return None
    if KINDS.get(kind) != len(args) or not all(ARG_PATTERN.fullmatch(a) for a in args):
        return None
    return Callback(kind, tuple(args), owner)
