"""Evaluation gate, in the spirit of trafilatura's ``eval_gate``.

Retrains the classical models with the shipped configuration under 5-fold,
article-grouped cross-validation on the SemEval-2023 training data and fails
when any pinned figure drops. The data hash pins the evaluation set: if the
data changes, the figures must be re-measured and re-pinned, not silently
compared. Pins are the measured figures minus 0.01, so float noise passes and
real regressions do not.
"""

import pytest

from tests.conftest import SHARED_DATA, needs_shared_data

pytest.importorskip("sklearn", reason="the gate retrains models: needs the [train] extra")

EVAL_SET_SHA256 = "221320044cb61b88594a0a2bf84f19a9b352a667093290328f1be96decd8cd3b"

# (task, language, metric): minimum. Official metrics: genre macro-F1, frames and techniques micro-F1.
PINNED = {
    ("techniques", "en", "micro_f1"): 0.351,
    ("techniques", "all", "micro_f1"): 0.355,
    ("techniques", "fr", "micro_f1"): 0.322,
    ("techniques", "de", "micro_f1"): 0.366,
    ("techniques", "it", "micro_f1"): 0.424,
    ("techniques", "pl", "micro_f1"): 0.287,
    ("techniques", "ru", "micro_f1"): 0.353,
    ("frames", "en", "micro_f1"): 0.665,
    ("frames", "all", "micro_f1"): 0.612,
    ("genre", "en", "macro_f1"): 0.377,
    ("genre", "all", "macro_f1"): 0.547,
}


@needs_shared_data()
def test_cross_validated_quality_does_not_drop():
    from spinscope.training import classic
    from spinscope.training.corpus import load_corpus

    corpus = load_corpus(SHARED_DATA)
    assert corpus.data_hash == EVAL_SET_SHA256, "evaluation data changed: re-measure and re-pin"
    table = classic.cv_table(classic.train(corpus, classic.ClassicConfig(), log=lambda m: None).cv)
    drops = {
        key: (table[key[0]][key[1]][key[2]], floor)
        for key, floor in PINNED.items()
        if table[key[0]][key[1]][key[2]] < floor
    }
    assert not drops, f"quality below pinned minimums (got, pinned): {drops}"


@needs_shared_data()
def test_shipped_model_was_trained_on_the_evaluation_set():
    import json

    from spinscope.pipeline import MODELS_DIR

    manifest = json.loads((MODELS_DIR / "classic" / "manifest.json").read_text())
    assert manifest["training_data"]["sha256"] == EVAL_SET_SHA256
    for (task, lang, metric), floor in PINNED.items():
        assert manifest["cv_metrics"][task][lang][metric] >= floor, (task, lang, metric)
