"""Genre of the whole article: opinion, reporting or satire.

Reads: scores. Writes: ``genre`` (the label and every label's probability).

The label is the most likely genre, except that a model may set a floor for satire
(``satire_floor``): below it an article gets the likelier of the other two. Satire is rare
(3 of 426 English training articles), and the official macro-F1 scores a satire call on a
set without satire as a whole class at 0; calling it only when more likely than not was
chosen on the validation fold (``training.decisions.SATIRE_FLOOR``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spinscope.components import Doc
from spinscope.detect.scores import ScoringModel
from spinscope.types import Genre


def genre_label(probs: np.ndarray, labels: Sequence[str], satire_floor: float | None = None) -> str:
    """The most likely genre; satire only at ``satire_floor`` or above, if a floor is given."""
    order = np.argsort(-np.asarray(probs), kind="stable")
    for i in order:
        if labels[i] != "satire" or satire_floor is None or probs[i] >= satire_floor:
            return labels[int(i)]
    return labels[int(order[0])]


class GenreDetector:
    name = "genre"
    reads = ("scores",)
    writes = ("genre",)

    def __init__(self, model: ScoringModel) -> None:
        self.labels = model.genre.labels
        self.satire_floor = model.satire_floor

    def predict(self, docs: Sequence[Doc]) -> list[Genre]:
        out = []
        for doc in docs:
            assert doc.scores is not None  # guaranteed by ``reads`` and ``check_order``
            probs = doc.scores.genre
            out.append(Genre(label=genre_label(probs, self.labels, self.satire_floor),
                             scores={g: round(float(s), 4) for g, s in zip(self.labels, probs, strict=True)},
                             satire_floor=self.satire_floor))
        return out

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[Genre]) -> None:
        for doc, genre in zip(docs, predictions, strict=True):
            doc.write("genre", genre)
