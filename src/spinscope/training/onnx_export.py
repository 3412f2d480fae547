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

The traced self-attention is still about 25 nodes a layer (reshapes, transposes, two
matmuls, the mask's Where, a softmax and its NaN guard). ``fuse_attention`` replaces each
layer's core with one ONNX Runtime ``MultiHeadAttention`` node (checked against the traced
core), leaving the int8 projections around it as they are: on the shipped model, windows
of 12-70 tokens ran 7-9% faster here (one and two threads), 4-token windows 45%.
Its float sums run in another order, so the int8 rounding downstream can differ by a step.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np

from spinscope.detect.transformer import MIDDLE_OUTPUT, OUTPUTS, TOKEN_OUTPUT

# ONNX metadata: which layer ``MIDDLE_OUTPUT`` pools (0-based, as the tracer names layers).
MIDDLE_KEY = "pooled_middle_layer"


def export_onnx(model, path: Path, opset: int = 17) -> int:
    """Export ``model`` to ``path``; returns how many attention layers were fused (0 if none)."""
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
    try:
        fused = fuse_attention(path, int(model.encoder.config.num_attention_heads))
    except RuntimeError as exc:  # as above: a slower graph, not a lost run
        warnings.warn(f"{exc}; exported with the traced attention", stacklevel=2)
        fused = 0
    layer = middle_layer(int(model.encoder.config.num_hidden_layers))
    try:
        pool_middle(path, layer)
    except RuntimeError as exc:  # the sentence head then reads the last layer alone
        warnings.warn(f"{exc}; exported without {MIDDLE_OUTPUT}", stacklevel=2)
    try:
        add_token_states(path, layer)
    except RuntimeError as exc:  # the decisions are then fitted without the attention head
        warnings.warn(f"{exc}; exported without {TOKEN_OUTPUT}", stacklevel=2)
    return fused


def middle_layer(num_layers: int) -> int:
    """The layer whose states ``pool_middle`` pools: the middle one (layer.5 of 12)."""
    return max(num_layers // 2 - 1, 0)


def pooled_middle_layer(path: Path) -> int | None:
    """The layer ``path``'s ``MIDDLE_OUTPUT`` pools; None where it has none."""
    import onnx

    meta = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
    return int(meta[MIDDLE_KEY]) if MIDDLE_KEY in meta else None


def pool_middle(path: Path, layer: int) -> bool:
    """Add the output ``MIDDLE_OUTPUT`` to ``path`` in place: layer ``layer``'s hidden states,
    averaged over the attention mask as ``pooled`` averages the last layer's, by the same mask
    and count. Returns False where the graph has it already. Raises, and leaves the file as it
    was, where ``pooled`` is not computed so or the layer is missing, or where the new output
    is not the masked mean of the layer's states or any other output moved.

    Why: the sentence head reads it beside ``pooled``. On session 27's rows, cross-fitted over
    the validation and test folds, it lifted the line decisions' micro-F1 from 0.404 to 0.411
    (English 0.372 to 0.378); the other layers tried (1, 3, 7, 9) gained less.
    """
    import onnx
    from onnx import TensorProto, helper

    model = _lacking(path, MIDDLE_OUTPUT)
    if model is None:
        return False
    graph = model.graph
    made = {o: n for n in graph.node for o in n.output}
    states = _layer_states(graph, layer)
    div, total, product = _pooling(made)
    # The mask is the product's input that no LayerNorm makes.
    masks = [] if product is None else [
        i for i in product.input if i not in made or made[i].op_type != "LayerNormalization"]
    if states is None or len(masks) != 1:
        raise RuntimeError(f"the graph has no layer {layer} or does not pool as expected; {MIDDLE_OUTPUT} was not added")
    mask = masks[0]
    scope = f"{MIDDLE_OUTPUT}/"
    graph.node.extend([
        helper.make_node("Mul", [states, mask], [f"{scope}masked"], name=f"{scope}Mul"),
        helper.make_node("ReduceSum", [f"{scope}masked", *total.input[1:]], [f"{scope}sum"], name=f"{scope}ReduceSum",
                         keepdims=0),
        helper.make_node("Div", [f"{scope}sum", div.input[1]], [MIDDLE_OUTPUT], name=f"{scope}Div"),
    ])
    graph.output.append(helper.make_tensor_value_info(MIDDLE_OUTPUT, TensorProto.FLOAT, ["batch", "hidden"]))
    onnx.helper.set_model_props(model, {**{p.key: p.value for p in model.metadata_props}, MIDDLE_KEY: str(layer)})
    _check_pooled(onnx.load(str(path)), model, states)
    onnx.save(model, str(path))
    return True


def _check_pooled(before, after, states: str) -> None:  # noqa: ANN001
    import onnx

    probe = onnx.ModelProto()
    probe.CopyFrom(after)
    probe.graph.output.append(onnx.helper.make_tensor_value_info(states, onnx.TensorProto.FLOAT, None))
    feeds = _feeds(*CHECK)
    feeds["input_ids"] = np.random.default_rng(0).integers(3, 100, CHECK).astype(np.int64)
    try:
        got = _run(probe, feeds)
    except Exception as exc:  # noqa: BLE001 - any failure of the new graph means: keep the old one
        raise RuntimeError(f"{MIDDLE_OUTPUT} broke the graph ({exc}); it was not added") from exc
    mask = feeds["attention_mask"][..., None].astype(np.float32)
    mean = (got[states] * mask).sum(1) / mask.sum(1)
    if not np.allclose(got[MIDDLE_OUTPUT], mean, rtol=1e-5, atol=1e-6):
        raise RuntimeError(f"{MIDDLE_OUTPUT} is not the masked mean of its layer; it was not added")
    for name, value in _run(before, feeds).items():
        if not np.array_equal(value, got[name]):
            raise RuntimeError(f"adding {MIDDLE_OUTPUT} changed the output {name}; it was not added")


def add_token_states(path: Path, layer: int) -> bool:
    """Add the output ``TOKEN_OUTPUT`` to ``path`` in place: every token's states, the last
    layer's (those ``pooled`` averages) and layer ``layer``'s side by side (batch, tokens,
    2 x hidden). Returns False where the graph has it already. Raises, and leaves the file as it
    was, where ``pooled`` is not computed from a LayerNorm's states or the layer is missing, or
    where the new output is not those states or any other output moved.

    Why: the attention head (``detect.decisions.AttentionHead``) reads them.
    """
    import onnx
    from onnx import TensorProto, helper

    model = _lacking(path, TOKEN_OUTPUT)
    if model is None:
        return False
    graph = model.graph
    made = {o: n for n in graph.node for o in n.output}
    middle = _layer_states(graph, layer)
    product = _pooling(made)[2]
    lasts = [] if product is None else [
        i for i in product.input if i in made and made[i].op_type == "LayerNormalization"]
    last = lasts[0] if len(lasts) == 1 else None
    if middle is None or last is None:
        raise RuntimeError(f"the graph has no layer {layer} or does not pool as expected; {TOKEN_OUTPUT} was not added")
    graph.node.append(helper.make_node("Concat", [last, middle], [TOKEN_OUTPUT], name=f"{TOKEN_OUTPUT}/Concat", axis=-1))
    graph.output.append(helper.make_tensor_value_info(TOKEN_OUTPUT, TensorProto.FLOAT, ["batch", "tokens", "states"]))
    before = onnx.load(str(path))
    feeds = _feeds(*CHECK)
    feeds["input_ids"] = np.random.default_rng(0).integers(3, 100, CHECK).astype(np.int64)
    try:
        probe = onnx.ModelProto()
        probe.CopyFrom(model)
        for name in (last, middle):
            probe.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
        got = _run(probe, feeds)
    except Exception as exc:  # noqa: BLE001 - any failure of the new graph means: keep the old one
        raise RuntimeError(f"{TOKEN_OUTPUT} broke the graph ({exc}); it was not added") from exc
    if not np.array_equal(got[TOKEN_OUTPUT], np.concatenate([got[last], got[middle]], axis=-1)):
        raise RuntimeError(f"{TOKEN_OUTPUT} is not the two layers' states; it was not added")
    for name, value in _run(before, feeds).items():
        if not np.array_equal(value, got[name]):
            raise RuntimeError(f"adding {TOKEN_OUTPUT} changed the output {name}; it was not added")
    onnx.save(model, str(path))
    return True


def _lacking(path: Path, output: str):  # noqa: ANN202 - an onnx ModelProto, or None
    """The graph at ``path``, loaded to be given ``output``; None where it has that output already."""
    import onnx

    model = onnx.load(str(path))
    return None if any(o.name == output for o in model.graph.output) else model


def _layer_states(graph, layer: int) -> str | None:  # noqa: ANN001 - an onnx GraphProto
    """The hidden states layer ``layer`` gives: its output LayerNorm's output; None where there is no such layer."""
    suffix = f"layer.{layer}/output/LayerNorm/LayerNormalization"
    return next((n.output[0] for n in graph.node if n.op_type == "LayerNormalization" and n.name.endswith(suffix)), None)


def _pooling(made: dict) -> tuple:
    """``pooled`` = ReduceSum(last states x mask) / count: its Div, ReduceSum and Mul nodes, each
    None where the graph does not pool so."""
    div = made.get("pooled")
    total = made.get(div.input[0]) if div is not None and div.op_type == "Div" else None
    product = made.get(total.input[0]) if total is not None and total.op_type == "ReduceSum" else None
    return div, total, product if product is not None and product.op_type == "Mul" else None


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
    nodes = targets + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    _drop_unused(graph)
    try:
        got = _run(model, _feeds(*CHECK))
    except Exception as exc:  # noqa: BLE001 - any failure of the rewritten graph means: keep the traced one
        raise RuntimeError(f"constant reshape targets broke the graph ({exc}); it was not rewritten") from exc
    for name, value in expected.items():
        if not np.array_equal(value, got[name]):
            raise RuntimeError(f"constant reshape targets changed the output {name}; the graph was not rewritten")
    onnx.save(model, str(path))
    return len(targets)


# How closely each fused node must give its layer's traced attention output, on the traced
# graph's own inputs to it (float32 sums in another order differ by about 1e-5).
FUSE_RTOL, FUSE_ATOL = 1e-3, 1e-4


def _attention_output(consumers: dict[str, list], softmax) -> str | None:  # noqa: ANN001
    """The tensor the attention core hands to the output projection: the softmax's data path
    through the NaN guard (if any), the product with V and the Reshape-Transpose-Reshape that
    merges the heads; None where the graph is not shaped so."""
    t = softmax.output[0]
    guard = [n for n in consumers.get(t, []) if n.op_type == "Where"]
    if guard:
        t = guard[0].output[0]
    for op in ("MatMul", "Reshape", "Transpose", "Reshape"):
        nxt = [n for n in consumers.get(t, []) if n.op_type == op]
        if len(nxt) != 1:
            return None
        t = nxt[0].output[0]
    return t


def fuse_attention(path: Path, num_heads: int) -> int:
    """Rewrite ``path`` in place with each BERT self-attention core as one ``MultiHeadAttention``.

    Returns how many layers were fused (0 where none has BERT's shape, MPNet's for one: its
    relative position bias is not a plain mask). Raises, and leaves the file as it was, if
    the rewritten graph fails to run or a fused node's output differs from the traced
    attention's (see ``_check_fused``).
    """
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(path))
    graph = model.graph
    produced = {o for n in graph.node for o in n.output}
    consumers: dict[str, list] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    mask = "attention_mask/int32"
    layers: list[tuple[list[str], str]] = []
    for softmax in [n for n in graph.node if n.op_type == "Softmax" and "/attention/self/" in n.name]:
        scope = softmax.name[: softmax.name.index("/attention/self/") + len("/attention/self/")]
        qkv = [f"{scope}{x}/Add_output_0" for x in ("query", "key", "value")]
        out = _attention_output(consumers, softmax)
        if out is None or not all(x in produced for x in qkv):
            continue
        at = next(i for i, n in enumerate(graph.node) if out in n.output)
        graph.node.remove(graph.node[at])
        graph.node.insert(at, helper.make_node("MultiHeadAttention", [*qkv, "", mask], [out], name=f"{scope}MultiHeadAttention",
                                               domain="com.microsoft", num_heads=num_heads))
        layers.append((qkv, out))
    if not layers:
        return 0
    graph.node.insert(0, helper.make_node("Cast", ["attention_mask"], [mask], name="attention_mask/Cast", to=TensorProto.INT32))
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    _drop_unused(graph)
    _check_fused(onnx.load(str(path)), model, layers, num_heads)
    onnx.save(model, str(path))
    return len(layers)


def _drop_unused(graph) -> None:  # noqa: ANN001
    """Remove the nodes and initialisers no graph output depends on."""
    needed = {o.name for o in graph.output}
    kept = []
    for n in reversed(graph.node):
        if any(o in needed for o in n.output):
            kept.append(n)
            needed.update(i for i in n.input if i)
    del graph.node[:]
    graph.node.extend(kept[::-1])
    used = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(used)


def _check_fused(traced, fused, layers: list[tuple[list[str], str]], num_heads: int) -> None:  # noqa: ANN001
    """Each fused node against the subgraph it replaced, on that subgraph's own inputs.

    A whole-graph comparison would not do: in an int8 graph the per-call activation scales
    amplify a float-rounding change chaotically on some inputs (on one 50-token input of random
    ids the shipped model's logits moved by 14% on average), while on real text decisions
    barely move.
    """
    import onnxruntime as ort
    from onnx import TensorProto, helper

    rng = np.random.default_rng(0)
    names = [t for qkv, out in layers for t in (*qkv, out)]
    inputs = [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["batch", "tokens", "hidden"]) for x in "qkv"]
    inputs.append(helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"]))
    mha = helper.make_model(
        helper.make_graph([helper.make_node("MultiHeadAttention", ["q", "k", "v", "", "mask"], ["out"], domain="com.microsoft",
                                            num_heads=num_heads)], "attention", inputs,
                          [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["batch", "tokens", "hidden"])]),
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    session = ort.InferenceSession(mha.SerializeToString(), providers=["CPUExecutionProvider"])
    for batch, tokens in ((1, 1), (1, 29), CHECK):
        feeds = _feeds(batch, tokens)
        # Varied tokens: with one token repeated, attention is uniform whatever the heads.
        feeds["input_ids"] = rng.integers(3, 100, (batch, tokens)).astype(np.int64)
        try:
            _run(fused, feeds)
        except Exception as exc:  # noqa: BLE001 - any failure of the fused graph means: keep the traced one
            raise RuntimeError(f"fused attention broke the graph ({exc}); it was not rewritten") from exc
        values = _run(traced, feeds, names)
        mask = feeds["attention_mask"].astype(np.int32)
        real = mask.astype(bool)
        for (q, k, v), out in layers:
            got = session.run(None, {"q": values[q], "k": values[k], "v": values[v], "mask": mask})[0]
            if not np.allclose(got[real], values[out][real], rtol=FUSE_RTOL, atol=FUSE_ATOL):
                raise RuntimeError(f"fused attention changed {out}; the graph was not rewritten")


def main(argv: list[str] | None = None) -> int:
    """``python -m spinscope.training.onnx_export DIR``: rewrite a model directory's graph in place
    as models are exported now (attention fused, the middle layer pooled, token states given),
    for models exported before these existed, and record it in the manifest and card.

    Example: python -m spinscope.training.onnx_export src/spinscope/models/transformer
    """
    import argparse
    import json

    from spinscope.training.transformer_card import record_graph

    parser = argparse.ArgumentParser(prog="python -m spinscope.training.onnx_export", description=main.__doc__)
    parser.add_argument("model_dir", type=Path)
    args = parser.parse_args(argv)
    manifest = json.loads((args.model_dir / "manifest.json").read_text(encoding="utf-8"))
    config = manifest["encoder_config"]
    path = args.model_dir / "model.onnx"
    fused = fuse_attention(path, int(config["num_attention_heads"]))
    pooled = pool_middle(path, middle_layer(int(config["num_hidden_layers"])))
    layer = pooled_middle_layer(path)
    tokens = add_token_states(path, layer)
    if fused or pooled or tokens:
        record_graph(args.model_dir, fused or manifest.get("graph", {}).get("fused_layers", 0), layer)
    print(f"{path}: {fused} attention layers fused; "
          + (f"{MIDDLE_OUTPUT} added (layer {layer})" if pooled else f"{MIDDLE_OUTPUT} already there")
          + (f"; {TOKEN_OUTPUT} added" if tokens else f"; {TOKEN_OUTPUT} already there"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
