import json

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="training needs the [train] extra")

from spinscope.detect.classic import ClassicModel  # noqa: E402
from spinscope.pipeline import Pipeline  # noqa: E402
from spinscope.training import classic  # noqa: E402
from spinscope.training.corpus import fold_of, load_corpus  # noqa: E402
from spinscope.training.run import train_classic_model  # noqa: E402
from tests.training.synthetic import AUTHORITY, LOADED, NEUTRAL, write_corpus  # noqa: E402


def test_folds_are_stable_and_by_article():
    assert fold_of("111111111") == fold_of("111111111")
    assert {fold_of(str(i)) for i in range(100)} == {0, 1, 2, 3, 4}


def test_corpus_reports_and_repairs_corrupted_label(tmp_path):
    logs = []
    corpus = load_corpus(write_corpus(tmp_path), ["en"], log=logs.append)
    assert len(corpus.articles) == 12 and len(corpus.paragraphs) == 36
    assert any("Loaded_Languag-č" in line and "repaired to 'Loaded_Language'" in line for line in logs)
    first = next(p for p in corpus.paragraphs if p.article == "1000" and p.index == 3)
    assert first.labels == ("Loaded_Language",)
    assert len(corpus.data_hash) == 64


def test_train_export_load_predict_round_trip(tmp_path):
    out = tmp_path / "model"
    manifest = train_classic_model(write_corpus(tmp_path / "data"), out, langs=["en"], folds=2, log=lambda m: None)
    assert set(manifest["cv_metrics"]) == {"techniques", "frames", "genre"}
    assert manifest["label_problems"][0]["repaired_to"] == "Loaded_Language"
    saved = json.loads((out / "manifest.json").read_text())
    assert saved["training_data"]["sha256"] == manifest["training_data"]["sha256"]
    assert "repaired to 'Loaded_Language'" in (out / "training-log.txt").read_text()

    pipe = Pipeline(ClassicModel.load(out))
    loaded = pipe(f"Headline\n\n{LOADED}\n\n{NEUTRAL}", language="en", threshold=0.5)
    p3, p5 = loaded.paragraphs[1], loaded.paragraphs[2]
    s3 = {s.technique: s.confidence for s in p3.scores}
    s5 = {s.technique: s.confidence for s in p5.scores}
    assert s3["Loaded_Language"] > s5.get("Loaded_Language", 0.0)
    opinion = pipe(f"Headline\n\n{LOADED}\n\n{AUTHORITY}", language="en")
    report = pipe(f"Headline\n\n{NEUTRAL}\n\n{NEUTRAL}", language="en")
    assert opinion.genre.scores["opinion"] > report.genre.scores["opinion"]


def test_runtime_features_match_training_features(tmp_path):
    """The runtime path (ClassicModel) must score exactly what training's features give for the
    text as the runtime reads it: proper nouns blanked (``names.without_proper_nouns``)."""
    from spinscope.detect.names import without_proper_nouns

    out = tmp_path / "model"
    train_classic_model(write_corpus(tmp_path / "data"), out, langs=["en"], folds=2, log=lambda m: None)
    model = ClassicModel.load(out)
    texts = ["Title", LOADED, NEUTRAL, AUTHORITY]
    text = "\n\n".join(texts)
    assert without_proper_nouns(text, "en") != text  # the fixture has names to blank
    texts = without_proper_nouns(text, "en").split("\n\n")  # offsets kept: the same paragraphs
    contexts = [f"{texts[i - 1] if i else ''}\n{texts[i + 1] if i + 1 < len(texts) else ''}" for i in range(4)]
    X = classic.paragraph_matrix(model.vectorizer, texts, contexts, model.context_weight)
    head = model.techniques
    expected = head.calibrated(X @ head.weights.astype(np.float32) + head.bias)
    from spinscope.segment import paragraphs

    got = model.predict(text, paragraphs(text), "en").paragraphs
    assert np.allclose(got, expected, atol=1e-5)


def test_training_is_deterministic(tmp_path):
    data = write_corpus(tmp_path / "data")
    a = train_classic_model(data, tmp_path / "a", langs=["en"], folds=2, log=lambda m: None)
    b = train_classic_model(data, tmp_path / "b", langs=["en"], folds=2, log=lambda m: None)
    assert a["cv_metrics"] == b["cv_metrics"]
    with np.load(tmp_path / "a" / "weights.npz") as za, np.load(tmp_path / "b" / "weights.npz") as zb:
        for k in za.files:
            # liblinear is seeded, so weights match exactly; the Platt fits go
            # through threaded BLAS and may differ in the last float bits.
            assert np.allclose(za[k], zb[k], rtol=1e-4, atol=1e-6), k
        assert np.array_equal(za["techniques_W"], zb["techniques_W"])
