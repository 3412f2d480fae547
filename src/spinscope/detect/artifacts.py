"""The model-directory format, read in one place.

A model directory holds ``manifest.json`` (kind, name, version, labels, data hash,
metrics, licence), ``MODEL_CARD.md`` and the kind's own files: arrays in ``.npz``
(never pickles) and, for the transformer, ``model.onnx`` and ``tokenizer.json``.
The manifest's ``kind`` decides the loader. Built-in names resolve to the models
shipped in the package; anything else must look like a path, so a folder that
happens to be called ``transformer`` in the working directory never shadows the
shipped model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.errors import ModelCorrupt, ModelNotFound

MODELS_DIR = Path(__file__).parents[1] / "models"
BUILT_IN = ("transformer", "classic")


def looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.startswith((".", "~"))


def resolve(model: str | Path) -> Path:
    """The directory for a built-in name or a path."""
    if isinstance(model, Path) or looks_like_path(model):
        path = Path(model).expanduser()
        if not path.is_dir():
            raise ModelNotFound(f"model directory {path} does not exist")
        return path
    if model in BUILT_IN:
        return MODELS_DIR / model
    raise ModelNotFound(f"no built-in model called {model!r} (built-in: {', '.join(BUILT_IN)}); "
                        f"give a model directory as a path, e.g. ./{model}")


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelNotFound(f"model directory {path} has no readable manifest.json") from exc
    except ValueError as exc:
        raise ModelCorrupt(f"manifest.json in {path} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise ModelCorrupt(f"manifest.json in {path} is not a JSON object")
    return manifest


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file; pickled objects are refused."""
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def write_arrays(path: Path, arrays: dict[str, np.ndarray], compressed: bool = False) -> None:
    """Write arrays in their own dtypes (the caller chooses float16 where precision allows)."""
    (np.savez_compressed if compressed else np.savez)(path, **arrays)


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_model(model: str | Path = "transformer"):  # noqa: ANN201 - a ClassicModel or TransformerModel
    """Load a scoring model by built-in name or path, with the loader its manifest's ``kind`` names."""
    from spinscope.detect.classic import ClassicModel
    from spinscope.detect.transformer import TransformerModel

    loaders = {"classic": ClassicModel.load, "transformer": TransformerModel.load}
    path = resolve(model)
    if not (path / "manifest.json").is_file():
        raise ModelNotFound(f"model directory {path} has no manifest.json")
    kind = read_manifest(path).get("kind")
    if kind not in loaders:
        raise ModelCorrupt(f"model in {path} has kind {kind!r}; spinscope can load {', '.join(loaders)}")
    return loaders[kind](path)
