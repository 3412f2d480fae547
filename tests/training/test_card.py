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
