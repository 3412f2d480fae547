"""Write a trained classical model: float16 weights, JSON vocabulary, manifest and model card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.detect.artifacts import write_arrays, write_manifest
from spinscope.detect.classic import FALLBACK_GENRE_FILE, HEADS, PARTNER_TECHNIQUES_FILE
from spinscope.detect.cues import CueLexicon
from spinscope.detect.features import Vectorizer
from spinscope.detect.linear import LinearHead
from spinscope.training.card import write_card


def save_fallback_genre(path: Path, head: LinearHead) -> None:
    """The classical model's own genre head, apart from ``weights.npz``: refitting it
    (``train --model classic-genre``) leaves the heads the transformer blends with untouched."""
    write_arrays(path / FALLBACK_GENRE_FILE, {"W": head.weights.astype(np.float16), "b": head.bias.astype(np.float32)},
                 compressed=True)


def head_arrays(head: LinearHead, prefix: str = "") -> dict[str, np.ndarray]:
    """A calibrated head as arrays: float16 weights, float32 bias, Platt terms and thresholds."""
    return {f"{prefix}W": head.weights.astype(np.float16), f"{prefix}b": head.bias.astype(np.float32),
            f"{prefix}a": head.platt_a.astype(np.float32), f"{prefix}c": head.platt_c.astype(np.float32),
            f"{prefix}t": head.thresholds.astype(np.float32)}


def save_partner(path: Path, head: LinearHead) -> None:
    """The sentence-trained techniques head the transformer's decisions read, apart from
    ``weights.npz``: adding it (``train --model classic-partner``) leaves the model alone unchanged."""
    write_arrays(path / PARTNER_TECHNIQUES_FILE, head_arrays(head), compressed=True)


def save_classic(
    path: Path,
    vectorizer: Vectorizer,
    techniques: LinearHead,
    frames: LinearHead,
    genre: LinearHead,
    cues: CueLexicon,
    manifest: dict[str, Any],
    fallback_genre: LinearHead | None = None,
    partner: LinearHead | None = None,
) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if fallback_genre is not None:
        save_fallback_genre(path, fallback_genre)
    if partner is not None:
        save_partner(path, partner)
    arrays: dict[str, np.ndarray] = {"idf": vectorizer.idf.astype(np.float32)}
    for name, head in zip(HEADS, (techniques, frames, genre), strict=True):
        arrays |= head_arrays(head, f"{name}_")
    write_arrays(path / "weights.npz", arrays, compressed=True)
    cues.save(path / "cues.json")
    (path / "vocab.json").write_text(json.dumps(vectorizer.vocabulary, ensure_ascii=False), encoding="utf-8")
    write_manifest(path, manifest)
    write_card(path, manifest)
