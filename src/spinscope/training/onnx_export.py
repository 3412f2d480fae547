"""Export the fine-tuned encoder and its two token-level heads to int8 ONNX.

The graph takes ``input_ids`` and ``attention_mask`` and returns the paragraph
logits, the per-token span logits and the mean-pooled paragraph vector (which
the article-level genre and frame heads read), so one forward pass serves all
heads. Weights are quantised to int8 with ONNX Runtime's dynamic quantiser.

The tracer computes every reshape's target from the input's shape (Shape, Gather,
Unsqueeze, Concat: about 600 of the graph's 1,575 nodes for 12 layers). At run time
each window is one short call, so per-node overhead counts; ``constant_reshapes``
replaces those targets with constants (0 copies a dimension, -1 infers one), checked
to give the same outputs, which made single windows about 6% faster.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np

OUTPUTS = ("paragraph_logits", "span_logits", "pooled")


def export_onnx(model, path: Path, opset: int = 17) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = model.float().cpu().eval()  # trained on CUDA in bf16 autocast, exported on the CPU in fp32
    ids = torch.tensor([[0, 100, 200, 2], [0, 300, 2, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        torch.onnx.export(
            model, (ids, mask), str(fp32),
            input_names=["input_ids", "attention_mask"], output_names=list(OUTPUTS),
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                "paragraph_logits": {0: "batch"}, "span_logits": {0: "batch", 1: "tokens"}, "pooled": {0: "batch"},
            },
            opset_version=opset, dynamo=False,
        )
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"])
    try:
        constant_reshapes(path)
    except RuntimeError as exc:  # the traced graph is still right, only slower: keep it rather than lose a training run
        warnings.warn(f"{exc}; exported with computed reshape targets", stacklevel=2)


# (batch, tokens) probes: a target dimension is a constant, a copy of the input's, or the one to infer.
PROBES = ((1, 9), (2, 23), (3, 5))
CHECK = (2, 13)


def _feeds(batch: int, tokens: int) -> dict[str, np.ndarray]:
    ids = np.full((batch, tokens), 5, np.int64)
    mask = np.ones_like(ids)
    mask[1:, tokens // 2:] = 0  # padded rows, as a batched caller gives them
    return {"input_ids": ids, "attention_mask": mask}


def _run(model, feeds: dict[str, np.ndarray], extra: list[str] = ()) -> dict[str, np.ndarray]:
    import onnx
    import onnxruntime as ort

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    typed = {v.name: v for v in onnx.shape_inference.infer_shapes(model).graph.value_info}
    for name in extra:
        probe.graph.output.append(typed[name])
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds), strict=True))


def _target(values: list[list[int]], shapes: list[tuple[int, ...]]) -> list[int] | None:
    """The constant Reshape target that gives ``values`` for inputs of ``shapes``, if there is one."""
    out: list[int | None] = []
    for i in range(len(values[0])):
        col = [v[i] for v in values]
        if all(i < len(s) and s[i] == c for s, c in zip(shapes, col, strict=True)):
            out.append(0)
        elif len(set(col)) == 1:
            out.append(col[0])
        else:
            out.append(None)
    return None if out.count(None) > 1 else [-1 if x is None else x for x in out]


def constant_reshapes(path: Path) -> int:
    """Rewrite ``path`` in place with constant Reshape targets and without the nodes left unused.

    Returns how many Reshapes changed. Raises if the rewritten graph's outputs differ at all
    from the original's on a shape none of the probes had.
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    fixed = {i.name for i in graph.initializer} | {o for n in graph.node if n.op_type == "Constant" for o in n.output}
    computed = [n for n in graph.node if n.op_type == "Reshape" and n.input[1] not in fixed]
    if not computed:
        return 0
    wanted = list(dict.fromkeys(x for n in computed for x in (n.input[0], n.input[1])))
    probes = [_run(model, _feeds(*p), wanted) for p in PROBES]
    expected = _run(model, _feeds(*CHECK))
    # Constant nodes, not initialisers: ``onnx_import`` reads every initialiser as a weight.
    targets = []
    for n in computed:
        target = _target([p[n.input[1]].tolist() for p in probes], [p[n.input[0]].shape for p in probes])
        if target is None:
            continue
        name = f"{n.name or n.output[0]}/constant_target"
        targets.append(helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array(target, np.int64))))
        n.input[1] = name
    needed = {o.name for o in graph.output}
    kept = []
    for n in reversed(graph.node):
        if any(o in needed for o in n.output):
            kept.append(n)
            needed.update(i for i in n.input if i)
    del graph.node[:]
    graph.node.extend(targets + kept[::-1])
    used = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(used)
    try:
        got = _run(model, _feeds(*CHECK))
    except Exception as exc:  # noqa: BLE001 - any failure of the rewritten graph means: keep the traced one
        raise RuntimeError(f"constant reshape targets broke the graph ({exc}); it was not rewritten") from exc
    for name, value in expected.items():
        if not np.array_equal(value, got[name]):
            raise RuntimeError(f"constant reshape targets changed the output {name}; the graph was not rewritten")
    onnx.save(model, str(path))
    return len(targets)
