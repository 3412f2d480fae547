"""The exported graph: constant Reshape targets give exactly the traced graph's outputs; fused
attention gives them within int8 rounding."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import spinscope
from spinscope.taxonomy import TECHNIQUE_NAMES
from spinscope.training import onnx_export
from spinscope.training import transformer as T

from .test_transformer import tiny_config

MODELS = Path(spinscope.__file__).parent / "models"

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module", params=["bert", "mpnet"])
def traced(request, tmp_path_factory):
    """A tiny model exported as the tracer leaves it (no rewrite), per architecture."""
    config = dict(tiny_config(400), model_type=request.param)
    torch.manual_seed(3)
    model = T.build_model(config, len(TECHNIQUE_NAMES))
    with torch.no_grad():  # peaked attention, as trained models have: at init it is near uniform, whatever the heads
        for name, p in model.named_parameters():
            if ".query.weight" in name or ".key.weight" in name:
                p.mul_(60)
    path = tmp_path_factory.mktemp(request.param) / "traced.onnx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onnx_export, "constant_reshapes", lambda p: 0)
        mp.setattr(onnx_export, "fuse_attention", lambda p, heads: 0)
        mp.setattr(onnx_export, "pool_middle", lambda p, layer: False)
        mp.setattr(onnx_export, "add_token_states", lambda p, layer: False)
        onnx_export.export_onnx(model, path)
    return path


def _outputs(path, ids, mask):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input_ids": ids, "attention_mask": mask})


def _computed_targets(path) -> int:
    graph = onnx.load(str(path)).graph
    fixed = {i.name for i in graph.initializer} | {o for n in graph.node if n.op_type == "Constant" for o in n.output}
    return sum(1 for n in graph.node if n.op_type == "Reshape" and n.input[1] not in fixed)


def test_constant_targets_give_identical_outputs_for_any_batch_and_length(traced, tmp_path):
    rewritten = tmp_path / "model.onnx"
    shutil.copy(traced, rewritten)
    before = _computed_targets(traced)
    changed = onnx_export.constant_reshapes(rewritten)
    assert changed > 0 and _computed_targets(rewritten) == before - changed
    assert len(onnx.load(str(rewritten)).graph.node) < len(onnx.load(str(traced)).graph.node)
    rng = np.random.default_rng(0)
    for batch, tokens in [(1, 1), (1, 4), (1, 37), (4, 11), (5, 2)]:
        ids = rng.integers(3, 400, (batch, tokens)).astype(np.int64)
        mask = np.ones_like(ids)
        mask[1:, max(1, tokens // 3):] = 0
        for a, b in zip(_outputs(traced, ids, mask), _outputs(rewritten, ids, mask), strict=True):
            assert a.shape == b.shape and np.array_equal(a, b)


def test_a_rewrite_that_changes_outputs_is_refused_and_the_file_kept(traced, tmp_path, monkeypatch):
    path = tmp_path / "model.onnx"
    shutil.copy(traced, path)
    original = path.read_bytes()
    real = onnx_export._target

    def heads_and_width_swapped(values, shapes):  # valid shapes, wrong layout
        t = real(values, shapes)
        return t[:2] + t[2:][::-1] if t and len(t) == 4 and 0 not in t[2:] else t

    monkeypatch.setattr(onnx_export, "_target", heads_and_width_swapped)
    with pytest.raises(RuntimeError, match="constant reshape targets (changed|broke)"):
        onnx_export.constant_reshapes(path)
    assert path.read_bytes() == original


def test_export_keeps_the_traced_graph_when_the_rewrite_is_refused(tmp_path, monkeypatch):
    def refuse(path):
        raise RuntimeError("constant reshape targets changed the output pooled; the graph was not rewritten")

    monkeypatch.setattr(onnx_export, "constant_reshapes", refuse)
    torch.manual_seed(3)
    model = T.build_model(tiny_config(400), len(TECHNIQUE_NAMES))
    with pytest.warns(UserWarning, match="exported with computed reshape targets"):
        onnx_export.export_onnx(model, tmp_path / "model.onnx")
    ids = np.array([[0, 7, 2]], np.int64)
    assert _outputs(tmp_path / "model.onnx", ids, np.ones_like(ids))[0].shape == (1, len(TECHNIQUE_NAMES))


def _ops(path) -> list[str]:
    return [n.op_type for n in onnx.load(str(path)).graph.node]


def _batches(rng):
    for batch, tokens in [(1, 1), (1, 5), (1, 40), (4, 11), (3, 23)]:
        ids = rng.integers(3, 400, (batch, tokens)).astype(np.int64)
        mask = np.ones_like(ids)
        mask[1:, max(1, tokens // 3):] = 0
        yield ids, mask


def test_fused_attention_is_one_node_per_layer_with_the_same_outputs_up_to_int8_rounding(traced, tmp_path):
    fused = tmp_path / "model.onnx"
    shutil.copy(traced, fused)
    layers = onnx_export.fuse_attention(fused, tiny_config(400)["num_attention_heads"])
    if "mpnet" in str(traced):  # relative position bias: not a plain mask, left as traced
        assert layers == 0 and fused.read_bytes() == traced.read_bytes()
        return
    assert layers == tiny_config(400)["num_hidden_layers"]
    ops = _ops(fused)
    assert ops.count("MultiHeadAttention") == layers and "Softmax" not in ops and len(ops) < len(_ops(traced))
    for ids, mask in _batches(np.random.default_rng(1)):
        a, b = _outputs(traced, ids, mask), _outputs(fused, ids, mask)
        for x, y in ((a[0], b[0]), (a[1][mask == 1], b[1][mask == 1]), (a[2], b[2])):
            assert x.shape == y.shape
            assert np.abs(x - y).max() <= 0.05 * np.abs(x).max() + 1e-5


@pytest.mark.parametrize("traced", ["bert"], indirect=True)  # MPNet's attention is not fused
def test_a_fusion_with_the_wrong_head_count_is_refused_and_the_file_kept(traced, tmp_path):
    _refused_and_kept(traced, tmp_path, lambda p: onnx_export.fuse_attention(p, 1), "fused attention changed .*layer.0")


def _refused_and_kept(traced, tmp_path, rewrite, match: str) -> None:
    path = tmp_path / "model.onnx"
    shutil.copy(traced, path)
    with pytest.raises(RuntimeError, match=match):
        rewrite(path)
    assert path.read_bytes() == traced.read_bytes()


def test_export_fuses_attention_after_constant_reshapes(tmp_path):
    torch.manual_seed(3)
    model = T.build_model(tiny_config(400), len(TECHNIQUE_NAMES))
    layers = tiny_config(400)["num_hidden_layers"]
    assert onnx_export.export_onnx(model, tmp_path / "model.onnx") == layers
    assert _ops(tmp_path / "model.onnx").count("MultiHeadAttention") == tiny_config(400)["num_hidden_layers"]
    assert onnx_export.pooled_middle_layer(tmp_path / "model.onnx") == onnx_export.middle_layer(layers) == 0
    assert [o.name for o in onnx.load(str(tmp_path / "model.onnx")).graph.output][-1] == "token_states"


@pytest.mark.parametrize("traced", ["bert"], indirect=True)
def test_fusing_a_model_directory_records_it_in_manifest_and_card(traced, tmp_path, capsys):
    manifest = json.loads((MODELS / "transformer" / "manifest.json").read_text(encoding="utf-8"))
    manifest["encoder_config"]["num_attention_heads"] = tiny_config(400)["num_attention_heads"]
    manifest["encoder_config"]["num_hidden_layers"] = tiny_config(400)["num_hidden_layers"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copy(traced, tmp_path / "model.onnx")
    assert onnx_export.main([str(tmp_path)]) == 0
    assert "2 attention layers fused; pooled_middle added (layer 0); token_states added" in capsys.readouterr().out
    written = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert written["graph"]["fused_layers"] == 2 and written["graph"]["pooled_middle_layer"] == 0
    assert written["graph"]["token_states"] is True and "attention head reads them" in written["graph"]["how"]
    assert written["version"] == manifest["version"]
    assert written["files_sha256"]["model.onnx"] == hashlib.sha256((tmp_path / "model.onnx").read_bytes()).hexdigest()
    assert "## Graph" in (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8")



def test_export_keeps_the_traced_attention_when_the_fusion_is_refused(tmp_path, monkeypatch):
    def refuse(path, heads):
        raise RuntimeError("fused attention changed /encoder/x; the graph was not rewritten")

    monkeypatch.setattr(onnx_export, "fuse_attention", refuse)
    torch.manual_seed(3)
    model = T.build_model(tiny_config(400), len(TECHNIQUE_NAMES))
    with pytest.warns(UserWarning, match="exported with the traced attention"):
        assert onnx_export.export_onnx(model, tmp_path / "model.onnx") == 0
    assert "Softmax" in _ops(tmp_path / "model.onnx")


def _with_layer0_states(path):
    """A session on the graph at ``path`` that also gives layer 0's states, as its last output."""
    probe = onnx.load(str(path))
    states = next(n.output[0] for n in probe.graph.node if n.name.endswith("layer.0/output/LayerNorm/LayerNormalization"))
    probe.graph.output.append(onnx.helper.make_tensor_value_info(states, onnx.TensorProto.FLOAT, None))
    return ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])


def test_the_middle_layer_is_pooled_over_the_mask_and_no_other_output_moves(traced, tmp_path):
    path = tmp_path / "model.onnx"
    shutil.copy(traced, path)
    assert onnx_export.pool_middle(path, 0) is True
    assert onnx_export.pooled_middle_layer(path) == 0 and onnx_export.pooled_middle_layer(traced) is None
    session = _with_layer0_states(path)
    for ids, mask in _batches(np.random.default_rng(2)):
        *got, middle, hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})
        for x, y in zip(_outputs(traced, ids, mask), got, strict=True):
            assert np.array_equal(x, y)
        weights = mask[..., None].astype(np.float32)
        np.testing.assert_allclose(middle, (hidden * weights).sum(1) / weights.sum(1), rtol=1e-5, atol=1e-6)
        assert not np.allclose(middle, got[2], atol=1e-3)  # not the last layer's
    assert onnx_export.pool_middle(path, 0) is False  # already there: the file is left alone


def test_pooling_a_layer_the_graph_lacks_is_refused_and_the_file_kept(traced, tmp_path):
    _refused_and_kept(traced, tmp_path, lambda p: onnx_export.pool_middle(p, 9), "no layer 9")


def test_token_states_are_the_last_and_middle_layers_side_by_side_and_no_other_output_moves(traced, tmp_path):
    path = tmp_path / "model.onnx"
    shutil.copy(traced, path)
    assert onnx_export.add_token_states(path, 0) is True
    session = _with_layer0_states(path)
    for ids, mask in _batches(np.random.default_rng(4)):
        *got, tokens, middle = session.run(None, {"input_ids": ids, "attention_mask": mask})
        for x, y in zip(_outputs(traced, ids, mask), got, strict=True):
            assert np.array_equal(x, y)
        hidden = middle.shape[-1]
        assert tokens.shape == (*ids.shape, 2 * hidden)
        np.testing.assert_array_equal(tokens[..., hidden:], middle)
        weights = mask[..., None].astype(np.float32)  # the first half is what ``pooled`` averages
        np.testing.assert_allclose((tokens[..., :hidden] * weights).sum(1) / weights.sum(1), got[2], rtol=1e-5, atol=1e-6)
    assert onnx_export.add_token_states(path, 0) is False  # already there: the file is left alone


def test_token_states_of_a_layer_the_graph_lacks_are_refused_and_the_file_kept(traced, tmp_path):
    _refused_and_kept(traced, tmp_path, lambda p: onnx_export.add_token_states(p, 9), "no layer 9")
