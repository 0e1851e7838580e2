"""The all-MiniLM-L6-v2 encoder as an ONNX graph, built from the package's safetensors weights.

Built once per model and graph version (encoder.py caches the file), with `onnx.helper`: no
torch, no export, no download. The graph is the BERT encoder as sentence-transformers runs it
for this model: embeddings + LayerNorm, 6 layers of 12-head self-attention and an erf-GELU
feed-forward, mean pooling over the attention mask, L2 normalisation. Inputs `input_ids` and
`attention_mask` (int64, batch x length; padding has mask 0), output `vectors` (batch x 384,
float32, unit length). Standard operators, as a PyTorch export writes them (onnxruntime fuses
the GELU with its bias); its own fused Attention and SkipLayerNormalization operators gave the
same vectors and no speed: the time goes to the matrix products.

Float32, not int8: onnxruntime's dynamic int8 quantisation halved the time per question but
cost up to 2.5-3 points of first-topic accuracy on a question set (BENCHMARKS.md, "Matching").

It is built in a child process (`python -m bot.core.questions.encoder_graph`): building peaks
at ~600 MB (the weights, the graph's copy, its serialisation), which the bot's process would
keep (~310 MB resident after an in-process build); loading the built file costs ~115 MB.
"""

from __future__ import annotations

import json
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

GRAPH_VERSION = "1"  # bump when the graph below changes: cached graph files are keyed by it
OPSET = 17  # LayerNormalization is an ONNX operator from opset 17
LAYERS = 6
HEADS = 12
WIDTH = 384
EPS = 1e-12

__all__ = ["GRAPH_VERSION", "build_graph", "safetensors", "write_graph"]


def safetensors(blob: bytes | bytearray) -> dict[str, np.ndarray]:
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


class _Graph:
    """Nodes and initializers collected while the encoder is written out."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[object] = []
        self.initializers: dict[str, object] = {}
        self.count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        if name not in self.initializers:
            self.initializers[name] = self.numpy_helper.from_array(value, name)
        return name

    def op(self, kind: str, *inputs: str, **attrs: Any) -> str:
        self.count += 1
        out = f"{kind.lower()}_{self.count}"
        self.nodes.append(self.helper.make_node(kind, list(inputs), [out], name=out, **attrs))
        return out

    def layer_norm(self, x: str, prefix: str, w: dict[str, np.ndarray]) -> str:
        gamma = self.const(f"{prefix}.weight", w[f"{prefix}.weight"])
        beta = self.const(f"{prefix}.bias", w[f"{prefix}.bias"])
        return self.op("LayerNormalization", x, gamma, beta, axis=-1, epsilon=EPS)

    def dense(self, x: str, prefix: str, weight: np.ndarray, bias: np.ndarray) -> str:
        """x @ weight.T + bias (a torch Linear)."""
        matmul = self.op("MatMul", x, self.const(f"{prefix}.weight", _f32(weight.T)))
        return self.op("Add", matmul, self.const(f"{prefix}.bias", _f32(bias)))


def _f32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


def build_graph(w: dict[str, np.ndarray]) -> Any:
    """The ONNX model (an onnx.ModelProto, float32, ~90 MB) for the weights of a safetensors
    file. onnxruntime checks it when it loads it."""
    from onnx import TensorProto

    g = _Graph()
    head = WIDTH // HEADS
    ids = "input_ids"
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)  # batch x length
    # Embeddings: word + position (+ token type 0, folded into the positions), LayerNorm.
    words = g.op(
        "Gather", g.const("word_embeddings", _f32(w["embeddings.word_embeddings.weight"])), ids
    )
    positions = _f32(
        w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    )
    length = g.op("Shape", ids, start=1, end=2)
    zero = g.const("zero", np.array([0], dtype=np.int64))
    used = g.op("Slice", g.const("position_embeddings", positions), zero, length, zero)
    x = g.layer_norm(g.op("Add", words, used), "embeddings.LayerNorm", w)
    # Padding gets no attention: -1e9 added to its scores before the softmax (batch x 1 x 1 x L).
    padding = g.op(
        "Mul",
        g.op("Sub", g.const("one", np.array(1.0, np.float32)), mask),
        g.const("minus_inf", np.array(-1e9, np.float32)),
    )
    bias = g.op("Unsqueeze", padding, g.const("axes_1_2", np.array([1, 2], dtype=np.int64)))
    split = g.const("thirds", np.array([WIDTH] * 3, dtype=np.int64))
    heads_shape = g.const("heads_shape", np.array([0, 0, HEADS, head], dtype=np.int64))
    width_shape = g.const("width_shape", np.array([0, 0, WIDTH], dtype=np.int64))
    scale = 1.0 / np.sqrt(head)
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        # q, k and v in one product; the 1/sqrt(head) score scale folded into q's weights.
        parts = ("query", "key", "value")
        qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"] for n in parts])
        qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in parts])
        qkv_w[:WIDTH] *= scale
        qkv_b[:WIDTH] *= scale
        qkv = g.dense(x, p + "attention.qkv", qkv_w, qkv_b)
        q, k, v = (f"{p}{n}" for n in "qkv")
        g.nodes.append(g.helper.make_node("Split", [qkv, split], [q, k, v], axis=-1))
        q = g.op("Transpose", g.op("Reshape", q, heads_shape), perm=[0, 2, 1, 3])
        k = g.op("Transpose", g.op("Reshape", k, heads_shape), perm=[0, 2, 3, 1])
        v = g.op("Transpose", g.op("Reshape", v, heads_shape), perm=[0, 2, 1, 3])
        probs = g.op("Softmax", g.op("Add", g.op("MatMul", q, k), bias), axis=-1)
        context = g.op("Transpose", g.op("MatMul", probs, v), perm=[0, 2, 1, 3])
        context = g.op("Reshape", context, width_shape)
        attended = g.dense(
            context,
            p + "attention.output.dense",
            w[p + "attention.output.dense.weight"],
            w[p + "attention.output.dense.bias"],
        )
        x = g.layer_norm(g.op("Add", attended, x), p + "attention.output.LayerNorm", w)
        up = g.dense(
            x,
            p + "intermediate.dense",
            w[p + "intermediate.dense.weight"],
            w[p + "intermediate.dense.bias"],
        )
        down = g.dense(
            _gelu(g, up),
            p + "output.dense",
            w[p + "output.dense.weight"],
            w[p + "output.dense.bias"],
        )
        x = g.layer_norm(g.op("Add", down, x), p + "output.LayerNorm", w)
    # Mean over the real tokens, then unit length.
    weights = g.op("Unsqueeze", mask, g.const("axis_2", np.array([2], dtype=np.int64)))
    axis_1 = g.const("axis_1", np.array([1], dtype=np.int64))
    summed = g.op("ReduceSum", g.op("Mul", x, weights), axis_1, keepdims=0)
    count = g.op(
        "Max",
        g.op("ReduceSum", weights, axis_1, keepdims=0),
        g.const("tiny", np.array(1e-9, np.float32)),
    )
    pooled = g.op("Div", summed, count)
    g.nodes.append(g.helper.make_node("LpNormalization", [pooled], ["vectors"], axis=1, p=2))
    graph = g.helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            g.helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
            g.helper.make_tensor_value_info(
                "attention_mask", TensorProto.INT64, ["batch", "length"]
            ),
        ],
        [g.helper.make_tensor_value_info("vectors", TensorProto.FLOAT, ["batch", WIDTH])],
        list(g.initializers.values()),
    )
    model = g.helper.make_model(graph, opset_imports=[g.helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # onnxruntime reads IR 3-10; 8 is what opset 17 came with
    return model


def _gelu(g: _Graph, x: str) -> str:
    """x * 0.5 * (1 + erf(x / sqrt(2))): the exact GELU, in the pattern onnxruntime fuses."""
    root2 = g.const("sqrt_2", np.array(np.sqrt(2.0), np.float32))
    erf = g.op("Erf", g.op("Div", x, root2))
    half = g.const("half", np.array(0.5, np.float32))
    return g.op(
        "Mul", g.op("Mul", x, g.op("Add", erf, g.const("one", np.array(1.0, np.float32)))), half
    )


def write_graph(model_zip: Path, out: Path, probe: str) -> None:
    """Build the graph from the package's model.zip, record the vector it gives `probe` (the
    loader checks the file against it) and save it to `out`."""
    from tokenizers import Tokenizer

    # The weights first: damaged ones fail here, before onnx is imported (~1 s of CPU).
    with zipfile.ZipFile(model_zip) as archive:
        weights = safetensors(archive.read("model.safetensors"))
        tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
    tokenizer.no_padding()
    import onnx
    import onnxruntime

    model = build_graph(weights)
    del weights  # the model holds its own copy
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    ids = np.array([tokenizer.encode(probe).ids], dtype=np.int64)
    (vector,) = session.run(["vectors"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    onnx.helper.set_model_props(model, {"probe": " ".join(f"{x:.9g}" for x in vector[0])})
    onnx.save(model, out)


def main(argv: list[str]) -> int:
    """python -m bot.core.questions.encoder_graph MODEL_ZIP OUT PROBE_TEXT"""
    if len(argv) != 3:
        print(main.__doc__, file=sys.stderr)
        return 2
    write_graph(Path(argv[0]), Path(argv[1]), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
