"""Sentence vectors for everything a person may ask about, cached on disk.

The matcher (`hybrid`) chooses the texts: topic titles, variants and keywords, entry questions,
variants and keywords (~3,300). Embedding them all takes ~5 s of CPU on one core (10-20 s of
wall on a busy machine), so the vectors are cached in a file named by a hash of the texts, the
model and its runtime: start-up and /reload read it in milliseconds, and any change to the
knowledge or the model makes a new file, which reuses the vectors of unchanged texts from the
previous files. Where no cache folder is writable the
vectors stay in memory.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.questions.encoder import (
    MAX_TOKENS,
    QUESTION_TOKENS,
    Encoder,
    EncoderBroken,
    Keep,
    ModelMissing,
)

log = logging.getLogger(__name__)

__all__ = ["Indexed", "SemanticIndex", "cache_dir", "question_vectors", "shared_encoder"]

CACHE_ENV = "IMGBOT_CACHE_DIR"
SEMANTIC_ENV = "IMGBOT_SEMANTIC"  # "0" turns sentence vectors off (lexical matching only)
CACHE_FORMAT = "1"  # bump when the choice or order of indexed texts changes meaning
# Each knowledge version leaves a file (~4.6 MB for ~3,000 texts); keep the newest few, so
# a rollback or a test with another knowledge folder stays fast and the folder stays small.
CACHE_FILES_KEPT = 8
KNOWLEDGE = "vectors"  # cache file prefixes: the knowledge's texts...
QUESTIONS = "questions"  # ...and evaluation sets (questions keep their end, see encoder.py)
OPENINGS = "openings"  # ...and the long posts of evaluation sets (they keep their start)
_QUESTION_KINDS: dict[Keep, str] = {"end": QUESTIONS, "start": OPENINGS}
_KEEP_OF_KIND: dict[str, Keep] = {kind: keep for keep, kind in _QUESTION_KINDS.items()}
# Question sets are small files (30-250 KB) and many: the test suite alone scores ~30 lists
# (nine sets, their long posts' asking parts, their fact questions). With 8 kept, each run
# evicted what the next run needed and re-encoded ~11 s of CPU.
QUESTION_FILES_KEPT = 64
# A stored vector more than this away from length 1 is damaged, never reused (`_unit_length`).
UNIT_TOLERANCE = 1e-3


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
    """The process's one encoder (~115 MB, ~0.2 s to load; the first start builds its graph
    into the cache folder, ~3 s), or None: then matching is lexical.

    Loaded once per process, so /reload and every test of a session reuse it.
    """
    if os.environ.get(SEMANTIC_ENV, "1").strip().lower() in ("0", "off", "false", "no"):
        log.info("sentence vectors off (%s=0): matching is lexical only", SEMANTIC_ENV)
        return None
    try:
        return Encoder(cache=cache_dir(), lock=_cache_lock)
    except ModelMissing as exc:
        log.warning("sentence model unavailable, matching is lexical only: %s", exc)
        return None
    except EncoderBroken as exc:
        # A bot that answers from words alone (~10 points less first-topic accuracy) serves
        # people better than one that does not start; the error says what to repair.
        log.error("sentence model broken, matching is lexical only: %s", exc)
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
        return self.similarities_to(self.encoder.encode_question(question))

    def similarities_to(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of an already encoded question with every indexed text (encode once, reuse)."""
        cosines: np.ndarray = self.vectors @ vector
        return cosines


def question_vectors(
    encoder: Encoder, questions: Sequence[str], cache: Path | None, keep: Keep = "end"
) -> np.ndarray:
    """Vectors of a whole question set (an evaluation), encoded in batches and cached like the
    knowledge's: the same set is scored again after every change of the matcher, and its
    questions rarely change (dev-forum: ~3.5 s to encode, milliseconds to read back).
    keep="start": the openings of long posts (`Encoder.encode_question`)."""
    return _cached_vectors(encoder, list(questions), cache, _QUESTION_KINDS[keep])


def _key(encoder: Encoder, texts: Sequence[str], kind: str) -> str:
    digest = hashlib.sha256(_model_tag(encoder, kind))
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:24]


def _model_tag(encoder: Encoder, kind: str) -> bytes:
    """The model and what ran it (graph version, onnxruntime version): vectors of
    another runtime are never mixed with these."""
    if kind != KNOWLEDGE:  # questions: other truncation than the knowledge's
        return f"{CACHE_FORMAT}|{encoder.runtime}|{QUESTION_TOKENS}|{kind}".encode()
    return f"{CACHE_FORMAT}|{encoder.runtime}|{MAX_TOKENS}".encode()


def _text_ids(encoder: Encoder, texts: Sequence[str], kind: str) -> np.ndarray:
    """A 16-byte id per text (and model): what lets a new knowledge version reuse old vectors."""
    tag = _model_tag(encoder, kind)
    ids = [hashlib.blake2b(tag + t.encode("utf-8"), digest_size=16).digest() for t in texts]
    return np.array(ids, dtype="S16")


def _load(path: Path, count: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(text ids, vectors) of a cache file, or None when it is unreadable or not ours."""
    try:
        with np.load(path, allow_pickle=False) as data:
            ids, vectors = data["ids"], data["vectors"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable vector cache %s: %s", path, exc)
        return None
    if vectors.dtype != np.float32 or vectors.shape != (len(ids), 384):
        return None
    if count is not None and len(ids) != count:
        return None
    return ids, vectors


def _cached_vectors(
    encoder: Encoder, texts: list[str], cache: Path | None, kind: str = KNOWLEDGE
) -> np.ndarray:
    """Vectors from the cache file for exactly these texts and this model, else computed.

    After a knowledge edit most texts are unchanged: their vectors are taken from the newest
    cache files and only new texts are embedded, so a /reload after an edit stays fast.
    """
    path = cache / f"{kind}-{_key(encoder, texts, kind)}.npz" if cache else None
    ids = _text_ids(encoder, texts, kind)
    if path is None:
        return _embed(encoder, texts, ids, None, kind)
    found = _read(path, ids)
    if found is not None:
        return found
    with _cache_lock(path.parent, kind):
        # Another process starting on the same knowledge (a second bot, a test worker) may
        # have embedded it while we waited: ~5 s of CPU each that need not be paid twice.
        found = _read(path, ids)
        return found if found is not None else _embed(encoder, texts, ids, path, kind)


def _read(path: Path, ids: np.ndarray) -> np.ndarray | None:
    """The cached vectors of exactly these texts, or None (also when one of them is damaged:
    `_embed` then reuses the good ones and computes the rest)."""
    if not path.is_file():
        return None
    found = _load(path, len(ids))
    if found is None or not np.array_equal(found[0], ids):
        return None
    return found[1] if bool(_unit_length(found[1]).all()) else None


def _unit_length(vectors: np.ndarray) -> np.ndarray:
    """Which rows are real sentence vectors (the encoder normalises every one to length 1).

    A cache file written before the duplicate-text fix holds zero vectors; reused, they were
    copied into every later file. This machine's cache had 196 of 3,331 knowledge vectors at
    zero, which moved first topics by up to 3 points against a fresh install's.
    """
    unit: np.ndarray = np.abs(np.linalg.norm(vectors, axis=1) - 1.0) < UNIT_TOLERANCE
    return unit


@contextmanager
def _cache_lock(folder: Path, kind: str = KNOWLEDGE) -> Iterator[None]:
    """Hold an exclusive lock on the cache folder for one kind of vectors (the knowledge's, with
    the encoder's graph, or the question sets'); without a writable folder, no lock.

    One lock per kind, not per folder: a process embedding a question set need not wait for
    another that embeds the knowledge. The test suite on an empty cache, three runs each way
    interleaved: 117-130 s against 126-133 s with one lock for both.
    """
    name = ".lock" if kind == KNOWLEDGE else f".lock-{kind}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / name, "a")  # noqa: SIM115 - closed in finally
    except OSError:
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # closing releases the lock


def _embed(
    encoder: Encoder, texts: list[str], ids: np.ndarray, path: Path | None, kind: str
) -> np.ndarray:
    """Vectors reused from older cache files where the text is unchanged, the rest computed."""
    cache = path.parent if path else None
    vectors = np.zeros((len(texts), 384), dtype=np.float32)
    missing = _reuse(cache, ids, vectors, kind) if cache else list(range(len(texts)))
    if missing:
        todo = [texts[i] for i in missing]
        if kind == KNOWLEDGE:
            vectors[missing] = encoder.encode(todo)
        else:
            vectors[missing] = encoder.encode_questions(todo, [_KEEP_OF_KIND[kind]] * len(todo))
    if path:
        _write(path, ids, vectors, kind)
    return vectors


def _reuse(cache: Path, ids: np.ndarray, vectors: np.ndarray, kind: str) -> list[int]:
    """Fill `vectors` from older cache files; the positions still missing.

    The same text may be indexed more than once (a variant of a topic and of its entry): every
    position gets the vector. Keeping one position per text left ~100 of 3,300 knowledge
    vectors at zero, how many depending on the cache's history.
    """
    wanted: dict[bytes, list[int]] = defaultdict(list)
    for n, text_id in enumerate(ids):
        wanted[bytes(text_id)].append(n)
    for old in _newest(cache, kind):
        found = _load(old)
        if found is None:
            continue
        for text_id, vector, good in zip(found[0], found[1], _unit_length(found[1]), strict=True):
            positions = wanted.pop(bytes(text_id), None) if good else None
            if positions is not None:
                vectors[positions] = vector
        if not wanted:
            break
    return sorted(n for positions in wanted.values() for n in positions)


def _newest(cache: Path, kind: str) -> list[Path]:
    try:
        files = list(cache.glob(f"{kind}-*.npz"))
        return sorted(files, key=lambda f: f.stat().st_mtime, reverse=True)
    except OSError:
        return []


def _write(path: Path, ids: np.ndarray, vectors: np.ndarray, kind: str) -> None:
    """Write atomically (a concurrent reader never sees half a file); in memory if we can't."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
            np.savez(tmp, ids=ids, vectors=vectors)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.warning("vector cache not writable (%s): keeping the vectors in memory", exc)
        return
    kept = CACHE_FILES_KEPT if kind == KNOWLEDGE else QUESTION_FILES_KEPT
    for old in _newest(path.parent, kind)[kept:]:
        old.unlink(missing_ok=True)
