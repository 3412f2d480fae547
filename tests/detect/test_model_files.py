"""The shipped model: compact, documented, loadable without pickles."""

import json

import numpy as np

from spinscope.pipeline import MODELS_DIR
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES

CLASSIC = MODELS_DIR / "classic"


def test_all_models_fit_the_size_budget():
    total = sum(f.stat().st_size for f in MODELS_DIR.rglob("*") if f.is_file())
    # The project's limit is 120 MB; this tighter guard keeps any growth a deliberate choice.
    assert total <= 70 * 1024 * 1024, f"models take {total / 2**20:.1f} MB"


def test_manifest_and_card():
    m = json.loads((CLASSIC / "manifest.json").read_text())
    assert len(m["training_data"]["sha256"]) == 64
    assert m["labels"] == {"techniques": list(TECHNIQUE_NAMES), "frames": list(FRAME_NAMES), "genre": list(GENRE_NAMES)}
    assert "Apache-2.0" in m["licence"]
    assert m["cv_metrics"]["techniques"]["en"]["micro_f1"] > 0
    card = (CLASSIC / "MODEL_CARD.md").read_text()
    assert m["training_data"]["sha256"] in card and "Limits" in card


def test_weights_load_without_pickle():
    with np.load(CLASSIC / "weights.npz", allow_pickle=False) as z:
        assert z["techniques_W"].dtype == np.float16
        assert z["techniques_t"].shape == (len(TECHNIQUE_NAMES),)
        assert ((z["techniques_t"] > 0) & (z["techniques_t"] < 1)).all()


def test_the_fallbacks_own_genre_head_loads_and_the_default_model_does_not_read_it():
    from spinscope.detect.classic import FALLBACK_GENRE_FILE, ClassicModel
    from spinscope.detect.linear import LinearHead
    from spinscope.detect.transformer import TransformerModel
    from spinscope.segment import paragraphs

    with np.load(CLASSIC / FALLBACK_GENRE_FILE, allow_pickle=False) as z:
        assert z["W"].dtype == np.float16 and z["W"].shape[1] == len(GENRE_NAMES)
    m = json.loads((CLASSIC / "manifest.json").read_text())
    assert "PolNeAR" in m["fallback_genre"]["news"]["source"] and len(m["fallback_genre"]["news"]["sha256"]) == 64
    classic = ClassicModel.load(CLASSIC)
    model = TransformerModel(MODELS_DIR / "transformer", classic)
    text = "Headline\n\nThe council met on Tuesday and approved the budget, officials said.\n\nWe must act now."
    before = model.predict(text, paragraphs(text), "en").genre
    own = classic.fallback_genre
    classic.fallback_genre = LinearHead(own.labels, own.weights, own.bias + np.array([0, 0, 50], np.float32))
    assert classic.predict(text, paragraphs(text), "en").genre.argmax() == GENRE_NAMES.index("satire")
    assert np.array_equal(model.predict(text, paragraphs(text), "en").genre, before)


def test_the_fallbacks_language_offsets_move_that_languages_own_genre_only():
    from spinscope.detect.classic import ClassicModel
    from spinscope.segment import paragraphs

    m = json.loads((CLASSIC / "manifest.json").read_text())
    assert set(m["fallback_genre"]["language_offsets"]) == {"fr", "de", "it", "pl", "ru"}  # English: none
    classic = ClassicModel.load(CLASSIC)
    text = "Headline\n\nThe council met on Tuesday and approved the budget, officials said.\n\nWe must act now."
    before = classic.predict(text, paragraphs(text), "en").genre
    partner = classic.predict(text, paragraphs(text), "ru", blend_partner=True).genre
    for offset, reporting in ((50.0, True), (-50.0, False)):
        classic.fallback_offsets = {"ru": offset}
        assert bool(classic.predict(text, paragraphs(text), "ru").genre.argmax() == GENRE_NAMES.index("reporting")) is reporting
    assert np.array_equal(classic.predict(text, paragraphs(text), "en").genre, before)
    assert np.array_equal(classic.predict(text, paragraphs(text), "ru", blend_partner=True).genre, partner)


def test_language_offsets_that_are_not_numbers_are_a_corrupt_model(tmp_path):
    import shutil

    import pytest

    from spinscope.detect.classic import ClassicModel
    from spinscope.errors import ModelCorrupt

    shutil.copytree(CLASSIC, tmp_path / "classic")
    m = json.loads((tmp_path / "classic" / "manifest.json").read_text())
    m["fallback_genre"]["language_offsets"] = {"ru": "low"}
    (tmp_path / "classic" / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ModelCorrupt, match="language_offsets"):
        ClassicModel.load(tmp_path / "classic")


def test_a_fallback_genre_head_of_the_wrong_size_is_a_corrupt_model(tmp_path):
    import shutil

    import pytest

    from spinscope.detect.classic import FALLBACK_GENRE_FILE, ClassicModel
    from spinscope.errors import ModelCorrupt

    shutil.copytree(CLASSIC, tmp_path / "classic")
    np.savez(tmp_path / "classic" / FALLBACK_GENRE_FILE, W=np.zeros((10, 3), np.float16), b=np.zeros(3, np.float32))
    with pytest.raises(ModelCorrupt, match="vocabulary size"):
        ClassicModel.load(tmp_path / "classic")


def test_the_partner_techniques_head_loads_and_must_match_the_vocabulary(tmp_path):
    import shutil

    import pytest

    from spinscope.detect.classic import PARTNER_TECHNIQUES_FILE, ClassicModel
    from spinscope.errors import ModelCorrupt

    with np.load(CLASSIC / PARTNER_TECHNIQUES_FILE, allow_pickle=False) as z:
        assert z["W"].dtype == np.float16 and z["W"].shape[1] == len(TECHNIQUE_NAMES)
    assert json.loads((CLASSIC / "manifest.json").read_text())["partner_techniques"]["unit"] == "sentence"
    shutil.copytree(CLASSIC, tmp_path / "classic")
    bad = {k: np.zeros(len(TECHNIQUE_NAMES), np.float32) for k in ("b", "a", "c", "t")}
    np.savez(tmp_path / "classic" / PARTNER_TECHNIQUES_FILE, W=np.zeros((10, len(TECHNIQUE_NAMES)), np.float16), **bad)
    with pytest.raises(ModelCorrupt, match="vocabulary size"):
        ClassicModel.load(tmp_path / "classic")
