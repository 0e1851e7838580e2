"""Sentence vectors for everything a person may ask about, cached on disk.

Each topic contributes its title, variants, keywords (joined into one text) and overview; each
entry its question, variants, keywords and short answer. Embedding ~3,000 such texts takes
seconds on one core, so the vectors are cached in a file named by a hash of the texts and of the
model: start-up and /reload read it in milliseconds, and any change to the knowledge or the
model makes a new file. Where no cache folder is writable the vectors stay in memory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.questions.encoder import MAX_TOKENS, Encoder, ModelMissing

log = logging.getLogger(__name__)

__all__ = ["Indexed", "SemanticIndex", "cache_dir", "shared_encoder"]

CACHE_ENV = "IMGBOT_CACHE_DIR"
SEMANTIC_ENV = "IMGBOT_SEMANTIC"  # "0" turns sentence vectors off (lexical matching only)
CACHE_FORMAT = "1"  # bump when the choice or order of indexed texts changes meaning
# Each knowledge version leaves a file (~4.5 MB for ~3,000 texts); keep the newest few, so
# a rollback or a test with another knowledge folder stays fast and the folder stays small.
CACHE_FILES_KEPT = 8


@dataclass(frozen=True)
class Indexed:
    """One embedded text: whose it is and what kind of text it is."""

    topic: str
    entry: str | None  # None: the topic's own text
    field: str  # title | variant | keyword | answer | question


def cache_dir() -> Path:
    """$IMGBOT_CACHE_DIR, else $XDG_CACHE_HOME/imgbot, else ~/.cache/imgbot."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "imgbot"


@lru_cache(maxsize=1)
def shared_encoder() -> Encoder | None:
    """The process's one encoder (90 MB, ~0.7 s to load), or None: then matching is lexical.

    Loaded once per process, so /reload and every test of a session reuse it.
    """
    if os.environ.get(SEMANTIC_ENV, "1").strip().lower() in ("0", "off", "false", "no"):
        log.info("sentence vectors off (%s=0): matching is lexical only", SEMANTIC_ENV)
        return None
    try:
        return Encoder()
    except ModelMissing as exc:
        log.warning("sentence model unavailable, matching is lexical only: %s", exc)
        return None


class SemanticIndex:
    """Unit vectors of the indexed texts; `similarities` gives the cosine of each to a question."""

    def __init__(
        self, encoder: Encoder, items: Sequence[Indexed], texts: Sequence[str], cache: Path | None
    ) -> None:
        self.encoder = encoder
        self.items = tuple(items)
        self.vectors = _cached_vectors(encoder, list(texts), cache)

    def similarities(self, question: str) -> np.ndarray:
        """Cosine (-1..1) of the question with every indexed text, in `items` order."""
        return self.vectors @ self.encoder.encode_question(question)


def _key(encoder: Encoder, texts: Sequence[str]) -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{encoder.fingerprint}|{MAX_TOKENS}".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:24]


def _cached_vectors(encoder: Encoder, texts: list[str], cache: Path | None) -> np.ndarray:
    """Vectors from the cache file for exactly these texts and this model, else computed."""
    path = cache / f"vectors-{_key(encoder, texts)}.npy" if cache else None
    if path and path.is_file():
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.shape == (len(texts), 384) and vectors.dtype == np.float32:
                return vectors
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable vector cache %s: %s", path, exc)
    vectors = encoder.encode(texts)
    if path:
        _write(path, vectors)
    return vectors


def _write(path: Path, vectors: np.ndarray) -> None:
    """Write atomically (a concurrent reader never sees half a file); in memory if we can't."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
            np.save(tmp, vectors, allow_pickle=False)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.warning("vector cache not writable (%s): keeping the vectors in memory", exc)
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Delete all but the CACHE_FILES_KEPT newest vector files (another process may race us)."""
    files = sorted(folder.glob("vectors-*.npy"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[CACHE_FILES_KEPT:]:
        old.unlink(missing_ok=True)
