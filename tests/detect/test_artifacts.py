import json
import shutil

import pytest

import spinscope
from spinscope.detect.artifacts import MODELS_DIR, load_model, read_arrays, resolve, write_arrays
from spinscope.errors import ModelCorrupt, ModelNotFound


def test_built_in_names_resolve_to_the_package_and_a_local_folder_does_not_shadow_them(tmp_path, monkeypatch):
    (tmp_path / "transformer").mkdir()  # an unrelated folder in the working directory
    monkeypatch.chdir(tmp_path)
    assert resolve("transformer") == MODELS_DIR / "transformer"
    assert resolve("./transformer").resolve() == (tmp_path / "transformer").resolve()
    with pytest.raises(ModelNotFound, match="give a model directory as a path"):
        resolve("my-model")
    with pytest.raises(ModelNotFound, match="does not exist"):
        resolve("./missing")


def test_the_manifest_kind_decides_the_loader(tmp_path):
    shutil.copytree(MODELS_DIR / "classic", tmp_path / "m")
    assert load_model(tmp_path / "m").kind == "classic"
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    manifest["kind"] = "crystal-ball"
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelCorrupt, match="kind 'crystal-ball'"):
        spinscope.load(tmp_path / "m")
    (tmp_path / "m" / "manifest.json").write_text("{not json")
    with pytest.raises(ModelCorrupt, match="not valid JSON"):
        load_model(tmp_path / "m")


def test_arrays_round_trip_and_pickles_are_refused(tmp_path):
    import numpy as np

    write_arrays(tmp_path / "a.npz", {"w": np.arange(3, dtype=np.float32)})
    assert read_arrays(tmp_path / "a.npz")["w"].tolist() == [0.0, 1.0, 2.0]
    np.savez(tmp_path / "p.npz", o=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError):
        read_arrays(tmp_path / "p.npz")
