"""The exported graph: constant Reshape targets give exactly the traced graph's outputs."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from spinscope.taxonomy import TECHNIQUE_NAMES
from spinscope.training import onnx_export
from spinscope.training import transformer as T

from .test_transformer import tiny_config

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
    path = tmp_path_factory.mktemp(request.param) / "traced.onnx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onnx_export, "constant_reshapes", lambda p: 0)
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
