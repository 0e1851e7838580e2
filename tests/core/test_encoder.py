"""The onnxruntime encoder against a numpy reference of the same model, and its failure modes.

No torch here: the reference is the BERT forward pass of all-MiniLM-L6-v2 written out in numpy
(float64) over the package's safetensors weights, as sentence-transformers runs it (embeddings +
LayerNorm, 6 layers of 12-head attention and an erf-GELU feed-forward, mean pooling over real
tokens, L2 normalisation). The ONNX graph (float32) must give its vectors to 1e-5.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer

from bot.core.questions import encoder as enc
from bot.core.questions import encoder_graph
from bot.core.questions.semantic import cache_dir, shared_encoder

pytestmark = pytest.mark.skipif(shared_encoder() is None, reason="model package not installed")

STORY = "We moved twice and I worked nights in a clinic while studying for the exams. " * 12
TEXTS = [
    "what is eras",
    "How much does the ERAS application cost for 60 programs?",
    "visa",
    STORY + "Do I need Step 3 for an H-1B?",  # over 128 word pieces: truncated
]


@pytest.fixture(scope="module")
def model() -> enc.Encoder:
    model = shared_encoder()
    assert model is not None
    return model


@pytest.fixture(scope="module")
def weights() -> dict[str, np.ndarray]:
    with zipfile.ZipFile(enc.model_zip()) as archive:
        blob = archive.read("model.safetensors")
    return {k: v.astype(np.float64) for k, v in encoder_graph.safetensors(blob).items()}


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    with zipfile.ZipFile(enc.model_zip()) as archive:
        tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
    tokenizer.no_padding()  # tokenizer.json pads to 128
    return tokenizer


def ids_of(tokenizer: Tokenizer, text: str, max_tokens: int, direction: str) -> list[int]:
    tokenizer.enable_truncation(max_tokens, direction=direction)
    return list(tokenizer.encode(text).ids)


def reference(w: dict[str, np.ndarray], batch: list[list[int]]) -> np.ndarray:
    """The numpy forward pass: unit vectors for id lists, padded to the longest."""
    n, length = len(batch), max(map(len, batch))
    ids, mask = np.zeros((n, length), dtype=np.int64), np.zeros((n, length))
    for row, seq in enumerate(batch):
        ids[row, : len(seq)], mask[row, : len(seq)] = seq, 1.0

    def norm(x: np.ndarray, name: str) -> np.ndarray:
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * w[name + ".weight"] + w[name + ".bias"]

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    def heads(x: np.ndarray) -> np.ndarray:
        return x.reshape(n, length, 12, 32).transpose(0, 2, 1, 3)

    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:length]
    )
    x = norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    padding = (1.0 - mask)[:, None, None, :] * -1e9
    for i in range(6):
        p = f"encoder.layer.{i}."
        q, k, v = (heads(dense(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(32) + padding
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(0, 2, 1, 3).reshape(n, length, 384)
        x = norm(dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = dense(x, p + "intermediate.dense")
        h = 0.5 * h * (1 + _erf(h / np.sqrt(2)))
        x = norm(dense(h, p + "output.dense") + x, p + "output.LayerNorm")
    pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    unit: np.ndarray = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    return unit


def _erf(x: np.ndarray) -> np.ndarray:
    """erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7): numpy has none."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return np.sign(x) * (1.0 - poly * np.exp(-(x**2)))


def assert_close(got: np.ndarray, want: np.ndarray) -> None:
    assert np.abs(got - want).max() < 1e-5


def test_vectors_match_the_numpy_reference(
    model: enc.Encoder, weights: dict[str, np.ndarray], tokenizer: Tokenizer
) -> None:
    ids = [ids_of(tokenizer, t, enc.MAX_TOKENS, "right") for t in TEXTS]
    assert len(ids[3]) == enc.MAX_TOKENS  # the long text was cut
    want = np.array([reference(weights, [seq])[0] for seq in ids])
    assert_close(model.encode(TEXTS), want)  # one batch, padded to the long text
    assert_close(reference(weights, ids), want)  # the reference's own padding is inert


def test_a_question_keeps_its_end_as_the_reference_does(
    model: enc.Encoder, weights: dict[str, np.ndarray], tokenizer: Tokenizer
) -> None:
    question = STORY + "How many letters of recommendation do I need?"
    seq = ids_of(tokenizer, question, enc.QUESTION_TOKENS, "left")
    assert tokenizer.decode(seq).endswith("how many letters of recommendation do i need?")
    assert_close(model.encode_question(question)[None], reference(weights, [seq]))


def test_a_long_posts_opening_is_read_as_the_reference_does(
    model: enc.Encoder, weights: dict[str, np.ndarray], tokenizer: Tokenizer
) -> None:
    """keep="start": the first QUESTION_TOKENS pieces, where a post names its exam or visa."""
    post = "My friend sat Step 2 CS in Houston in 2019. " + STORY + "Is that still true?"
    seq = ids_of(tokenizer, post, enc.QUESTION_TOKENS, "right")
    assert tokenizer.decode(seq).startswith("my friend sat step 2 cs in houston")
    assert_close(model.encode_question(post, "start")[None], reference(weights, [seq]))
    ask = "Is that still true?"
    both = model.encode_questions([post, ask], ["start", "end"])
    assert_close(both, np.array([model.encode_question(post, "start"), model.encode_question(ask)]))


def test_vectors_are_unit_length_float32_and_deterministic(model: enc.Encoder) -> None:
    first, again = model.encode(TEXTS), model.encode(TEXTS)
    assert first.shape == (4, 384) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first, again)


def test_a_vector_does_not_depend_on_its_batch(model: enc.Encoder) -> None:
    alone = model.encode(["is step 1 pass fail"])[0]
    batched = model.encode(["is step 1 pass fail", "a much longer text " * 10, "visa"])[0]
    assert np.abs(alone - batched).max() < 1e-5


def test_batches_run_on_two_threads_give_the_vectors_of_one_thread(
    model: enc.Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [f"question {n}: how long does ECFMG take to verify my diploma" for n in range(40)]
    assert len(texts) * 16 > enc.BATCH_TOKENS  # more than one batch
    monkeypatch.setattr(enc, "EMBED_THREADS", 1)
    alone = model.encode(texts)
    monkeypatch.setattr(enc, "EMBED_THREADS", 2)
    assert np.array_equal(model.encode(texts), alone)


def test_questions_encoded_together_equal_questions_encoded_alone(model: enc.Encoder) -> None:
    questions = ["eras fee?", "is step 1 pass fail", STORY + "Do I need Step 3 for an H-1B?"]
    assert model.token_count(questions[2]) > enc.QUESTION_TOKENS  # padded and truncated
    together = model.encode_questions(questions * 20)
    alone = np.array([model.encode_question(q) for q in questions] * 20)
    assert together.shape == (60, 384)
    assert np.abs(together - alone).max() < 1e-5


def test_texts_of_very_different_lengths_are_not_padded_into_one_pass(
    model: enc.Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long post and its short asking sentence go through the graph in two passes (padding
    the ask to the post's 48 pieces cost ~5 ms a post); texts of near lengths share one."""
    post, ask = STORY + "Do I need Step 3 for an H-1B?", "Do I need Step 3 for an H-1B?"
    passes: list[list[int]] = []
    forward = model._forward

    def counted(batch: list[list[int]]) -> np.ndarray:
        passes.append([len(ids) for ids in batch])
        return forward(batch)

    monkeypatch.setattr(model, "_forward", counted)
    both = model.encode_questions([post, ask])
    assert passes == [[model.token_count(ask)], [enc.QUESTION_TOKENS]]
    assert np.abs(both - [model.encode_question(post), model.encode_question(ask)]).max() < 1e-5
    passes.clear()
    model.encode_questions(["is step 1 pass fail", "is step 2 ck pass fail"])
    assert len(passes) == 1


def test_meaning_beats_wording(model: enc.Encoder) -> None:
    fee, price, pizza = model.encode(
        ["how much is the eras fee", "what does it cost to apply through eras", "best pizza dough"]
    )
    assert float(fee @ price) > float(fee @ pizza) + 0.3


def test_a_missing_model_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enc, "MODEL_PACKAGE", "no_such_model_package_here")
    with pytest.raises(enc.ModelMissing, match="not installed"):
        enc.model_zip()


def test_without_onnxruntime_the_encoder_refuses_clearly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    with pytest.raises(enc.EncoderBroken, match="onnxruntime cannot be imported"):
        enc.Encoder(cache=tmp_path)
    assert not list(tmp_path.iterdir())


# -- the cached graph ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph_file(model: enc.Encoder) -> Path:
    """The graph the shared encoder loaded (or built) in the test cache folder."""
    path = cache_dir() / f"{model.runtime}.onnx"
    assert path.is_file()
    return path


def no_build(self: enc.Encoder, out: Path) -> None:
    raise AssertionError("the graph was built although a good one is cached")


def test_a_cached_graph_is_loaded_not_built(
    model: enc.Encoder, graph_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(graph_file, tmp_path / graph_file.name)
    monkeypatch.setattr(enc.Encoder, "_build", no_build)
    loaded = enc.Encoder(cache=tmp_path)
    assert np.array_equal(loaded.encode(TEXTS), model.encode(TEXTS))


def test_the_graph_is_built_once_into_the_cache_folder(model: enc.Encoder, tmp_path: Path) -> None:
    built = enc.Encoder(cache=tmp_path / "cache")  # the real build: a child process, ~5 s
    assert [p.name for p in (tmp_path / "cache").glob("*.onnx")] == [f"{model.runtime}.onnx"]
    assert np.abs(built.encode(TEXTS) - model.encode(TEXTS)).max() < 1e-5


def with_recorded_probe(graph: bytes, vector: str) -> bytes:
    """The graph file with another probe vector recorded in its metadata, edited in place.

    The entry is protobuf: field 1 "probe", then field 2 (tag 0x12), its length and the text.
    A text of the same length (padded with spaces, which the loader's split() drops) keeps
    every length around it valid; this spares loading and re-serialising the 90 MB model with
    onnx (~1.5 s of CPU, most of it importing onnx).
    """
    marker = b"\x0a\x05probe\x12"
    assert graph.count(marker) == 1
    start = graph.index(marker) + len(marker)
    length, shift = 0, 0
    while True:  # the varint length of the recorded text
        byte = graph[start]
        start += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    assert len(vector) <= length
    return graph[:start] + vector.ljust(length).encode() + graph[start + length :]


@pytest.mark.parametrize("damage", ["truncated", "other vectors"])
def test_a_damaged_graph_is_rebuilt_not_used(
    damage: str,
    model: enc.Encoder,
    graph_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = graph_file.read_bytes()
    target = tmp_path / graph_file.name
    if damage == "truncated":
        target.write_bytes(good[: len(good) // 2])
    else:  # loads fine, but the vector recorded at build time is another one
        target.write_bytes(with_recorded_probe(good, " ".join(["0.05"] * 384)))
    builds: list[Path] = []

    def rebuild(self: enc.Encoder, out: Path) -> None:
        builds.append(out)
        out.write_bytes(good)

    monkeypatch.setattr(enc.Encoder, "_build", rebuild)
    repaired = enc.Encoder(cache=tmp_path)
    assert len(builds) == 1 and target.read_bytes() == good
    assert np.array_equal(repaired.encode(TEXTS), model.encode(TEXTS))


def test_weights_that_do_not_build_are_a_clear_error(tmp_path: Path) -> None:
    damaged = tmp_path / "model.zip"
    with zipfile.ZipFile(enc.model_zip()) as real, zipfile.ZipFile(damaged, "w") as copy:
        copy.writestr("tokenizer.json", real.read("tokenizer.json"))
        copy.writestr("model.safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(enc.EncoderBroken, match=r"building the encoder graph failed: .*Error"):
        enc.Encoder(damaged, cache=tmp_path / "cache")  # the real build, in its child process
    assert not list((tmp_path / "cache").glob("*.onnx"))


def test_a_graph_that_stays_broken_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enc.Encoder, "_build", lambda self, out: out.write_bytes(b"not a graph"))
    with pytest.raises(enc.EncoderBroken, match="does not load"):
        enc.Encoder(cache=tmp_path)
    assert not list(tmp_path.glob("*.onnx"))  # nothing broken is cached


def test_a_start_that_waited_for_the_lock_loads_what_the_holder_built(
    graph_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bots (or test workers) start without a graph: only the first one builds it."""
    taken: list[Path] = []

    @contextmanager
    def lock(folder: Path) -> Iterator[None]:
        taken.append(folder)
        shutil.copy(graph_file, folder / graph_file.name)  # the holder finished meanwhile
        yield

    monkeypatch.setattr(enc.Encoder, "_build", no_build)
    enc.Encoder(cache=tmp_path, lock=lock)
    assert taken == [tmp_path]
