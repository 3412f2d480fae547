"""Genre of the whole article: opinion, reporting or satire.

Reads: scores. Writes: ``genre`` (the most likely label and every label's probability).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spinscope.components import Doc
from spinscope.detect.scores import ScoringModel
from spinscope.types import Genre


class GenreDetector:
    name = "genre"
    reads = ("scores",)
    writes = ("genre",)

    def __init__(self, model: ScoringModel) -> None:
        self.labels = model.genre.labels

    def predict(self, docs: Sequence[Doc]) -> list[Genre]:
        out = []
        for doc in docs:
            assert doc.scores is not None  # guaranteed by ``reads`` and ``check_order``
            probs = doc.scores.genre
            out.append(Genre(label=self.labels[int(np.argmax(probs))],
                             scores={g: round(float(s), 4) for g, s in zip(self.labels, probs, strict=True)}))
        return out

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[Genre]) -> None:
        for doc, genre in zip(docs, predictions, strict=True):
            doc.write("genre", genre)
