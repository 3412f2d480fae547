"""The genre label: the most likely genre, satire only at the model's floor or above."""

from types import SimpleNamespace

import numpy as np
import pytest

from spinscope.detect.genre import GenreDetector, genre_label

LABELS = ("opinion", "reporting", "satire")


@pytest.mark.parametrize("probs,floor,label", [
    ((0.30, 0.25, 0.45), None, "satire"),  # no floor: the argmax
    ((0.30, 0.25, 0.45), 0.5, "opinion"),  # satire below the floor: the likelier other genre
    ((0.20, 0.35, 0.45), 0.5, "reporting"),
    ((0.20, 0.25, 0.55), 0.5, "satire"),
    ((0.20, 0.30, 0.50), 0.5, "satire"),  # at the floor counts
    ((0.60, 0.30, 0.10), 0.5, "opinion"),  # the floor only touches satire
])
def test_satire_needs_the_floor_and_the_rest_is_the_argmax(probs, floor, label):
    assert genre_label(np.array(probs), LABELS, floor) == label


def test_the_detector_applies_the_models_floor_and_keeps_every_probability():
    doc = SimpleNamespace(scores=SimpleNamespace(genre=np.array([0.30, 0.25, 0.45], np.float32)))
    for floor, label in ((None, "satire"), (0.5, "opinion")):
        model = SimpleNamespace(genre=SimpleNamespace(labels=LABELS), satire_floor=floor)
        genre = GenreDetector(model).predict([doc])[0]
        assert genre.label == label and genre.scores == {"opinion": 0.3, "reporting": 0.25, "satire": 0.45}


def test_the_shipped_models_floor(pipeline):
    assert pipeline.model.satire_floor == 0.5
    assert pipeline.model.classic.satire_floor is None
