"""The vector cache: computed once per knowledge and model, read back, memory when unwritable."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.core.questions import encoder as encoder_module
from bot.core.questions import semantic
from bot.core.questions.encoder import Encoder
from bot.core.questions.semantic import (
    Indexed,
    SemanticIndex,
    cache_dir,
    question_vectors,
    shared_encoder,
)

pytestmark = pytest.mark.skipif(shared_encoder() is None, reason="model package not installed")
TEXTS = ["what is eras", "how many letters of recommendation", "step 1 pass fail"]
ITEMS = [Indexed("t", None, "variant")] * len(TEXTS)


class NoEncoding:
    """The real encoder's identity, but computing vectors is an error: only the cache may answer."""

    def __init__(self, real: Encoder) -> None:
        self.fingerprint = real.fingerprint
        self.runtime = real.runtime
        self.real = real

    def encode(self, texts: list[str], *args: object, **kwargs: object) -> np.ndarray:
        raise AssertionError("vectors were computed although they are cached")

    def encode_questions(self, texts: list[str]) -> np.ndarray:
        raise AssertionError("question vectors were computed although they are cached")

    def encode_question(self, text: str) -> np.ndarray:
        return self.real.encode_question(text)


@pytest.fixture(scope="module")
def model() -> Encoder:
    model = shared_encoder()
    assert model is not None
    return model


def test_vectors_are_cached_and_read_back(model: Encoder, tmp_path: Path) -> None:
    first = SemanticIndex(model, ITEMS, TEXTS, tmp_path)
    assert len(list(tmp_path.glob("vectors-*.npz"))) == 1
    again = SemanticIndex(NoEncoding(model), ITEMS, TEXTS, tmp_path)  # type: ignore[arg-type]
    assert np.array_equal(first.vectors, again.vectors)
    assert int(np.argmax(again.similarities("is step one pass/fail?"))) == 2


def test_a_question_set_is_encoded_once_and_read_back(model: Encoder, tmp_path: Path) -> None:
    story = "I graduated in 2019 and worked in a rural hospital since then. " * 8
    questions = [*TEXTS, story + "How many letters of recommendation do I need?"]
    first = question_vectors(model, questions, tmp_path)
    assert len(list(tmp_path.glob("questions-*.npz"))) == 1
    assert not list(tmp_path.glob("vectors-*.npz"))  # apart from the knowledge's vectors
    one_by_one = np.array([model.encode_question(q) for q in questions])
    assert np.abs(first - one_by_one).max() < 1e-5
    again = question_vectors(NoEncoding(model), questions, tmp_path)  # type: ignore[arg-type]
    assert np.array_equal(first, again)
    # The same long text as knowledge keeps its start, as a question its end: never mixed up.
    knowledge = SemanticIndex(model, [ITEMS[0]] * 4, questions, tmp_path).vectors
    assert np.abs(knowledge[3] - first[3]).max() > 1e-3


def test_vectors_of_another_runtime_are_never_reused(model: Encoder, tmp_path: Path) -> None:
    """Same model, other runtime (the numpy encoder, int8, another onnxruntime): recomputed."""
    SemanticIndex(model, ITEMS, TEXTS, tmp_path)
    question_vectors(model, TEXTS, tmp_path)
    calls: list[list[str]] = []

    class OtherRuntime(NoEncoding):
        def encode(self, texts: list[str], *args: object, **kwargs: object) -> np.ndarray:
            calls.append(list(texts))
            return self.real.encode(texts)

        def encode_questions(self, texts: list[str], *args: object) -> np.ndarray:
            calls.append(list(texts))
            return self.real.encode_questions(texts, *args)  # type: ignore[arg-type]

    other = OtherRuntime(model)
    other.runtime = model.runtime.replace("-ort", "-int8-ort")
    SemanticIndex(other, ITEMS, TEXTS, tmp_path)  # type: ignore[arg-type]
    question_vectors(other, TEXTS, tmp_path)  # type: ignore[arg-type]
    assert calls == [TEXTS, TEXTS]
    assert len(list(tmp_path.glob("vectors-*.npz"))) == 2


def test_changed_texts_get_a_new_cache_file(model: Encoder, tmp_path: Path) -> None:
    SemanticIndex(model, ITEMS, TEXTS, tmp_path)
    SemanticIndex(model, ITEMS[:2], TEXTS[:2], tmp_path)
    assert len(list(tmp_path.glob("vectors-*.npz"))) == 2


def test_a_corrupt_cache_file_is_recomputed(model: Encoder, tmp_path: Path) -> None:
    SemanticIndex(model, ITEMS, TEXTS, tmp_path)
    [path] = tmp_path.glob("vectors-*.npz")
    path.write_bytes(b"not a numpy file")
    index = SemanticIndex(model, ITEMS, TEXTS, tmp_path)
    assert index.vectors.shape == (3, 384)
    assert np.allclose(index.vectors, model.encode(TEXTS), atol=1e-6)


def test_an_edit_embeds_only_the_new_texts(model: Encoder, tmp_path: Path) -> None:
    SemanticIndex(model, ITEMS, TEXTS, tmp_path)
    calls: list[list[str]] = []

    class Counting(NoEncoding):
        def encode(self, texts: list[str], *args: object, **kwargs: object) -> np.ndarray:
            calls.append(list(texts))
            return self.real.encode(texts)

    edited = [*TEXTS[:2], "is step 1 graded pass or fail"]
    index = SemanticIndex(Counting(model), ITEMS, edited, tmp_path)  # type: ignore[arg-type]
    assert calls == [["is step 1 graded pass or fail"]]
    assert np.allclose(index.vectors, model.encode(edited), atol=1e-6)


def test_a_text_indexed_twice_gets_its_vector_at_every_place(
    model: Encoder, tmp_path: Path
) -> None:
    """A variant written under a topic and under its entry: both places hold its vector, on a
    fresh cache and when an edit reuses an older cache file."""
    twice = [TEXTS[0], TEXTS[1], TEXTS[0]]
    fresh = SemanticIndex(model, ITEMS, twice, tmp_path)
    expected = model.encode(twice)
    assert np.allclose(fresh.vectors, expected, atol=1e-6)
    edited = [*twice, TEXTS[1]]
    reused = SemanticIndex(model, [*ITEMS, ITEMS[0]], edited, tmp_path)
    assert np.allclose(reused.vectors, model.encode(edited), atol=1e-6)


def test_a_damaged_vector_in_an_old_cache_file_is_computed_again(
    model: Encoder, tmp_path: Path
) -> None:
    """A file of the duplicate-text bug held zero vectors beside good ones; reused, they spread
    to every later file. Neither a reused nor a read-back vector may be anything but unit length."""
    SemanticIndex(model, ITEMS, TEXTS, tmp_path)
    [path] = tmp_path.glob("vectors-*.npz")
    with np.load(path) as data:
        ids, vectors = data["ids"], data["vectors"].copy()
    vectors[1] = 0.0  # what the old bug left
    np.savez(path, ids=ids, vectors=vectors)
    read_back = SemanticIndex(model, ITEMS, TEXTS, tmp_path)  # the same texts: read, not reused
    assert np.allclose(read_back.vectors, model.encode(TEXTS), atol=1e-6)
    np.savez(path, ids=ids, vectors=vectors)
    edited = [*TEXTS, "is step 1 graded pass or fail"]
    reused = SemanticIndex(model, [*ITEMS, ITEMS[0]], edited, tmp_path)  # an edit: reused
    assert np.allclose(reused.vectors, model.encode(edited), atol=1e-6)


def test_an_unwritable_cache_keeps_vectors_in_memory(model: Encoder, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    index = SemanticIndex(model, ITEMS, TEXTS, blocker / "cache")
    assert index.vectors.shape == (3, 384)


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IMGBOT_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("IMGBOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x" / "imgbot"


def test_only_the_newest_cache_files_are_kept(model: Encoder, tmp_path: Path) -> None:
    for n in range(semantic.CACHE_FILES_KEPT + 2):
        SemanticIndex(model, ITEMS[:1], [f"question number {n}"], tmp_path)
    assert len(list(tmp_path.glob("vectors-*.npz"))) == semantic.CACHE_FILES_KEPT


def test_question_sets_keep_more_files_than_knowledge_versions(
    model: Encoder, tmp_path: Path
) -> None:
    """The test suite alone scores ~30 question lists: eight files made every run re-encode."""
    assert semantic.QUESTION_FILES_KEPT >= 32
    for n in range(semantic.CACHE_FILES_KEPT + 2):
        question_vectors(model, [f"question number {n}"], tmp_path)
    assert len(list(tmp_path.glob("questions-*.npz"))) == semantic.CACHE_FILES_KEPT + 2


def test_without_the_model_package_one_log_line_and_no_encoder(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(encoder_module, "MODEL_PACKAGE", "no_such_model_package_here")
    shared_encoder.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.core.questions.semantic"):
            assert shared_encoder() is None
        assert len(caplog.records) == 1 and "lexical only" in caplog.records[0].getMessage()
    finally:
        monkeypatch.undo()
        shared_encoder.cache_clear()  # the next caller loads the real model again


def test_a_broken_runtime_is_an_error_line_and_lexical_matching_not_a_dead_bot(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    shared_encoder.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.core.questions.semantic"):
            assert shared_encoder() is None
        [record] = caplog.records
        assert record.levelno == logging.ERROR and "onnxruntime" in record.getMessage()
    finally:
        monkeypatch.undo()
        shared_encoder.cache_clear()


def test_semantic_matching_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMGBOT_SEMANTIC", "0")
    shared_encoder.cache_clear()
    try:
        assert shared_encoder() is None
    finally:
        monkeypatch.undo()
        shared_encoder.cache_clear()


def test_the_cache_lock_is_exclusive_between_processes(tmp_path: Path) -> None:
    import fcntl

    with (
        semantic._cache_lock(tmp_path),
        open(tmp_path / ".lock", "a") as other,
        pytest.raises(BlockingIOError),
    ):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(tmp_path / ".lock", "a") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: free again


def test_embedding_a_question_set_does_not_wait_for_the_knowledges_lock(tmp_path: Path) -> None:
    import fcntl
    import threading

    taken = threading.Event()

    def embed_questions() -> None:
        with semantic._cache_lock(tmp_path, semantic.QUESTIONS):
            with (
                open(tmp_path / f".lock-{semantic.QUESTIONS}", "a") as other,
                pytest.raises(BlockingIOError),  # exclusive among question sets
            ):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            taken.set()

    with semantic._cache_lock(tmp_path):  # another process embeds the knowledge
        worker = threading.Thread(target=embed_questions)
        worker.start()
        assert taken.wait(timeout=30)
    worker.join(timeout=30)


def test_a_start_that_waited_for_the_lock_reads_what_the_holder_wrote(
    model: Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bots (or test workers) start on new knowledge: only the first one embeds it."""
    import shutil
    import threading

    donor = SemanticIndex(model, ITEMS, TEXTS, tmp_path / "donor")
    (written,) = (tmp_path / "donor").glob("vectors-*.npz")
    real_read, first_read_done = semantic._read, threading.Event()

    def read_then_the_holder_finishes(path: Path, ids: np.ndarray) -> np.ndarray | None:
        found = real_read(path, ids)
        if not first_read_done.is_set():  # the holder writes its file while we wait for the lock
            shutil.copy(written, tmp_path / "cache" / written.name)
            first_read_done.set()
        return found

    def no_embedding(*args: object) -> np.ndarray:
        raise AssertionError("embedded again what the lock holder had just written")

    monkeypatch.setattr(semantic, "_read", read_then_the_holder_finishes)
    monkeypatch.setattr(semantic, "_embed", no_embedding)
    got: list[np.ndarray] = []
    waiter = threading.Thread(
        target=lambda: got.append(SemanticIndex(model, ITEMS, TEXTS, tmp_path / "cache").vectors)
    )
    with semantic._cache_lock(tmp_path / "cache"):
        waiter.start()
        assert first_read_done.wait(timeout=30)
    waiter.join(timeout=30)
    assert len(got) == 1 and np.array_equal(got[0], donor.vectors)
