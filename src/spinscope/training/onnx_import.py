"""Read a fine-tuned model's weights back from its int8 ONNX export.

The committed models keep only the int8 graph, not the fp32 checkpoint. To start a new
fine-tuning from a shipped model (a shallower student that keeps its task knowledge), the
quantised weights are dequantised, ``(q - zero_point) * scale``, and named as
``training.transformer.build_model`` names them. MatMul weights are recognised by the name
of the node that reads them (``/encoder/encoder/layer.3/attention/self/query/MatMul_quant``
reads ``encoder.encoder.layer.3.attention.self.query.weight``), and transposed back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

_MATMUL = re.compile(r"^/(.+)/(?:Gemm_)?MatMul_quant$")


def _dequantised(inits: dict, base: str) -> np.ndarray:
    from onnx import numpy_helper

    q = numpy_helper.to_array(inits[f"{base}_quantized"]).astype(np.float32)
    scale = numpy_helper.to_array(inits[f"{base}_scale"]).astype(np.float32)
    zero = numpy_helper.to_array(inits[f"{base}_zero_point"]).astype(np.float32)
    return (q - zero) * scale


def state_from_onnx(path: str | Path) -> dict[str, np.ndarray]:
    """Every parameter of the exported model (encoder and both heads), in fp32, named as in
    ``build_model``'s state dict."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    inits = {i.name: i for i in graph.initializer}
    state: dict[str, np.ndarray] = {}
    for name, init in inits.items():
        if not name.endswith(("_quantized", "_scale", "_zero_point")) and not name.startswith("onnx::"):
            state[name] = numpy_helper.to_array(init).astype(np.float32)  # biases and LayerNorms stay fp32
        elif name.endswith(".weight_quantized"):  # embedding tables, quantised under their own names
            state[name[: -len("_quantized")]] = _dequantised(inits, name[: -len("_quantized")])
    for node in graph.node:
        m = _MATMUL.match(node.name) if node.op_type == "MatMulInteger" else None
        if m is None:
            continue
        base = node.input[1][: -len("_quantized")]
        state[m.group(1).replace("/", ".") + ".weight"] = _dequantised(inits, base).T.copy()  # ONNX keeps W^T
    return state


def load_onnx_model(model_dir: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """(state, encoder config) of a transformer model directory, as ``training.transformer.train``
    takes them: encoder weights named as in ``BertModel`` (``embeddings.…``, ``encoder.layer.…``),
    the heads as ``paragraph.…`` and ``span.…``."""
    model_dir = Path(model_dir)
    manifest = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    state = {k.removeprefix("encoder."): v for k, v in state_from_onnx(model_dir / "model.onnx").items()}
    config = dict(manifest["encoder_config"])
    found = {int(m.group(1)) for k in state if (m := re.search(r"\blayer\.(\d+)\.", k))}
    if len(found) != int(config["num_hidden_layers"]):
        raise ValueError(f"{model_dir}: the graph holds {len(found)} layers, the manifest says "
                         f"{config['num_hidden_layers']}")
    return state, config
