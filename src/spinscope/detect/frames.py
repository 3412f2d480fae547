"""Frames of the whole article.

Reads: threshold, scores. Writes: ``frames`` (every frame, most likely first).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spinscope.components import Doc
from spinscope.detect.scores import ScoringModel
from spinscope.types import FrameScore


class FramesDetector:
    name = "frames"
    reads = ("threshold", "scores")
    writes = ("frames",)

    def __init__(self, model: ScoringModel) -> None:
        self.labels = model.frames.labels
        self.thresholds = model.frames.thresholds

    def predict(self, docs: Sequence[Doc]) -> list[tuple[FrameScore, ...]]:
        out = []
        for doc in docs:
            assert doc.scores is not None  # guaranteed by ``reads`` and ``check_order``
            t_all = self.thresholds if doc.threshold is None else np.full(len(self.labels), doc.threshold)
            scored = (FrameScore(f, round(float(p), 4), bool(p >= t), round(float(t), 4))
                      for f, p, t in zip(self.labels, doc.scores.frames, t_all, strict=True))
            out.append(tuple(sorted(scored, key=lambda f: -f.confidence)))
        return out

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[tuple[FrameScore, ...]]) -> None:
        for doc, frames in zip(docs, predictions, strict=True):
            doc.write("frames", frames)
