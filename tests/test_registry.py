"""Detectors from other packages, found through the ``spinscope.detectors`` entry point."""

from __future__ import annotations

import json

import pytest

import spinscope
from spinscope import registry
from spinscope.errors import InvalidOption
from spinscope.report import render
from spinscope.types import Analysis
from tests.conftest import FIXTURES

TEXT = "The plan is a disgrace! Everyone knows it!\n\nThe council meets on Monday."


@pytest.fixture
def toy_installed(monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES / "toy_plugin"))
    yield
    import sys

    sys.modules.pop("toy_spinscope", None)


def test_a_toy_detector_adds_a_json_field_and_a_text_section(toy_installed):
    assert "toy" in registry.factories()
    nlp = spinscope.load(detectors=[*registry.DEFAULT_DETECTORS, "toy"])
    assert nlp.detector_names[-1] == "toy"
    analysis = nlp(TEXT)
    doc = json.loads(analysis.to_json())
    assert doc["extensions"]["exclamations"] == {"count": 2, "offsets": [22, 41]}
    assert doc["paragraphs"] and doc["genre"]["label"]  # the built-in detectors still ran
    text = render(analysis, "text")
    assert "Exclamations (toy detector): 2" in text
    assert Analysis.from_json(analysis.to_json()).extensions["exclamations"]["count"] == 2


def test_without_the_toy_the_json_has_no_extensions(pipeline):
    assert "extensions" not in json.loads(pipeline(TEXT).to_json())


def test_unknown_detector_and_bad_order_are_clear_errors(toy_installed):
    with pytest.raises(InvalidOption, match="unknown detector 'nope'"):
        spinscope.load(detectors=["scores", "nope"])
    with pytest.raises(InvalidOption, match="reads scores"):
        spinscope.load(detectors=["techniques", "scores"])
    with pytest.raises(InvalidOption, match="cannot disable 'toy'"):
        spinscope.load(disable=["toy"])


def test_disabled_detectors_leave_their_fields_empty():
    analysis = spinscope.load("classic", disable=["genre", "frames"])(TEXT)
    assert analysis.genre is None and analysis.frames == ()
    assert analysis.paragraphs
    assert "Genre:" not in render(analysis, "text")
    assert "Genre:" not in render(analysis, "html")


def test_a_config_file_sets_model_and_detectors(tmp_path):
    cfg = tmp_path / "spinscope.toml"
    cfg.write_text('model = "classic"\ndisable = ["frames"]\n')
    nlp = spinscope.load(config=cfg)
    assert nlp.info.kind == "classic"
    assert nlp.detector_names == ("scores", "techniques", "article_techniques", "genre", "attribution", "claims", "entities")
    bad = tmp_path / "bad.toml"
    bad.write_text('detectors = ["scores"]\ncolour = "red"\n')
    with pytest.raises(InvalidOption, match="unknown keys colour"):
        spinscope.load(config=bad)


def test_pipe_batches_documents_through_each_detector(pipeline):
    calls: list[int] = []

    class Counting:
        name, reads, writes = "counting", ("article",), ("seen",)

        def predict(self, docs):
            calls.append(len(docs))
            return [len(d.article.text) for d in docs]

        def set_annotations(self, docs, predictions):
            for d, p in zip(docs, predictions, strict=True):
                d.write("seen", p)

    nlp = spinscope.Pipeline(pipeline.model, [*pipeline.detectors, Counting()])
    out = list(nlp.pipe([TEXT, TEXT + " Again!", "Short text here."], batch_size=2))
    assert calls == [2, 1]
    assert [a.extensions["seen"] for a in out] == [len(TEXT), len(TEXT) + 7, 16]
