import json

import pytest

from spinscope.detect.artifacts import MODELS_DIR
from spinscope.training.card import model_card


@pytest.mark.parametrize("kind", ["classic", "transformer"])
def test_every_shipped_card_is_the_one_writers_output_with_front_matter(kind):
    manifest = json.loads((MODELS_DIR / kind / "manifest.json").read_text())
    card = model_card(manifest)
    assert (MODELS_DIR / kind / "MODEL_CARD.md").read_text() == card, "regenerate with training.card.write_card"
    head, _, body = card.partition("\n---\n")
    assert head.startswith("---\nlanguage:\n- en\n")
    for key in ("license:", "datasets:\n- semeval-2023-task-3", "metrics:\n- micro-f1"):
        assert key in head
    assert f"# {manifest['name']} v{manifest['version']} ({kind})" in body
    assert "## Limits" in body and manifest["training_data"]["sha256"] in body


def test_recorded_calibration_shows_sentence_and_article_ece_per_language(tmp_path):
    from spinscope.training.transformer_card import record_calibration

    manifest = json.loads((MODELS_DIR / "transformer" / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    record_calibration(tmp_path, {"en": 0.0019, "all": 0.0027}, "how it was measured",
                       {"en": (0.0139, 0.0246), "all": (0.0113, 0.0178)})
    written = json.loads((tmp_path / "manifest.json").read_text())["calibration"]
    assert written["article_ece"] == {"en": 0.0139, "all": 0.0113}
    assert written["article_ece_if_calibrated"]["en"] == 0.0246
    card = (tmp_path / "MODEL_CARD.md").read_text()
    assert "| en | 0.0019 | 0.0139 | 0.0246 |" in card and "how it was measured" in card
    record_calibration(tmp_path, {"en": 0.0019}, "sentences alone")  # a model without article decisions
    assert "article_ece" not in json.loads((tmp_path / "manifest.json").read_text())["calibration"]
    assert "| en | 0.0019 |" in (tmp_path / "MODEL_CARD.md").read_text()
