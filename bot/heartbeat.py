"""Touched by every reminder sweep, so a health check can tell a stuck bot from a live one."""

from __future__ import annotations

import time
from pathlib import Path

GRACE_SECONDS = 120


def path_for(db_path: str) -> Path:
    return Path(f"{db_path}.heartbeat")


def beat(db_path: str) -> None:
    path_for(db_path).touch()


def is_fresh(db_path: str, interval: float) -> bool:
    """True when the last sweep is recent enough, or when no sweep has run yet (starting up)."""
    path = path_for(db_path)
    if not path.exists():
        return True
    return time.time() - path.stat().st_mtime <= 3 * interval + GRACE_SECONDS
