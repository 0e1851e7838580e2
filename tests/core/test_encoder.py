"""The numpy MiniLM encoder: invariants of its vectors and its failure modes.

No reference implementation (torch) is installed here, so these check properties that any
correct forward pass has: unit vectors, determinism, batching and padding invariance, meaning
over wording, and the erf approximation GELU rests on.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.core.questions import encoder as enc
from bot.core.questions.semantic import shared_encoder

pytestmark = pytest.mark.skipif(shared_encoder() is None, reason="model package not installed")


@pytest.fixture(scope="module")
def model() -> enc.Encoder:
    model = shared_encoder()
    assert model is not None
    return model


def test_vectors_are_unit_length_float32_and_deterministic(model: enc.Encoder) -> None:
    texts = ["what is eras", "How much does the ERAS application cost?"]
    first, again = model.encode(texts), model.encode(texts)
    assert first.shape == (2, 384) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first, again)


def test_padding_in_a_batch_does_not_change_a_vector(model: enc.Encoder) -> None:
    short = "is step 1 pass fail"
    alone = model.encode([short])[0]
    batched = model.encode([short, "a much longer text " * 10, "visa"])[0]
    assert np.abs(alone - batched).max() < 1e-5


def test_questions_encoded_together_equal_questions_encoded_alone(model: enc.Encoder) -> None:
    story = "We moved twice and I worked nights in a clinic while studying for the exams. " * 6
    questions = ["eras fee?", "is step 1 pass fail", story + "Do I need Step 3 for an H-1B?"]
    assert model.token_count(questions[2]) > enc.QUESTION_TOKENS  # padded and truncated
    together = model.encode_questions(questions * 20)  # more than one batch
    alone = np.array([model.encode_question(q) for q in questions] * 20)
    assert together.shape == (60, 384)
    assert np.abs(together - alone).max() < 1e-5


def test_meaning_beats_wording(model: enc.Encoder) -> None:
    fee, price, pizza = model.encode(
        ["how much is the eras fee", "what does it cost to apply through eras", "best pizza dough"]
    )
    assert float(fee @ price) > float(fee @ pizza) + 0.3


def test_a_long_question_keeps_its_last_word_pieces(model: enc.Encoder) -> None:
    story = "I graduated in 2019 and worked in a rural hospital for years. " * 12
    ask = "How many letters of recommendation do I need?"
    assert model.token_count(story + ask) > enc.QUESTION_TOKENS
    kept = model.encode_question(story + ask)
    tail = model.encode_question(ask)
    head = model.encode([story + ask])[0]  # knowledge texts keep their start
    assert float(kept @ tail) > float(head @ tail)


def test_gelu_matches_the_erf_definition() -> None:
    x = np.linspace(-8, 8, 4001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(float)])
    assert np.abs(enc._gelu(x.copy()) - exact).max() < 1e-6


def test_a_missing_model_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enc, "MODEL_PACKAGE", "no_such_model_package_here")
    with pytest.raises(enc.ModelMissing, match="not installed"):
        enc.model_zip()
