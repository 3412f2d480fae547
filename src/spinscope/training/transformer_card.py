"""Manifest and model card for the transformer model (every saved model carries both)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.training.card import metrics_table
from spinscope.training.corpus import Corpus
from spinscope.training.transformer import TEST_FOLD, VALIDATION_FOLD, EncoderConfig

MODEL_NAME = "spinscope-e5-small-multi"
# v2: sentence-level decisions (``detect.decisions``) on the v1 encoder.
HEADS_VERSION = "2"


def write_manifest(
    out: Path, corpus: Corpus, cfg: EncoderConfig, bert_config: dict, source: dict, metrics: dict, seconds: float
) -> dict[str, Any]:
    manifest = {
        "name": MODEL_NAME,
        "version": HEADS_VERSION,
        "kind": "transformer",
        "fallback": "classic",
        "licence": (
            "MIT (fine-tuned from intfloat/multilingual-e5-small, MIT); the SemEval-2023 training data "
            "is research-only and is not redistributed"
        ),
        "source": source,
        "training_data": {
            "source": "SemEval-2023 Task 3 training sets (en, fr, de, it, pl, ru)",
            "sha256": corpus.data_hash,
            "articles_subtasks_1_2": len(corpus.articles),
            "paragraphs_subtask_3": len(corpus.paragraphs),
        },
        "split": {
            "rule": "fold = sha256(article id) % 5, by article",
            "test_fold": TEST_FOLD,
            "validation_fold": VALIDATION_FOLD,
            "train_folds": [f for f in range(5) if f not in (TEST_FOLD, VALIDATION_FOLD)],
        },
        "labels": {"techniques": list(TECHNIQUE_NAMES), "frames": list(FRAME_NAMES), "genre": list(GENRE_NAMES)},
        "config": asdict(cfg),
        "special_ids": {
            "bos": int(bert_config.get("bos_token_id", 0)), "eos": int(bert_config.get("eos_token_id", 2)),
            "pad": int(bert_config.get("pad_token_id", 1)),
        },
        "encoder_config": {k: v for k, v in bert_config.items() if isinstance(v, (int, float, str))},
        "files_sha256": _hashes(out),
        "test_metrics": metrics,
        "label_problems": [asdict(p) for p in corpus.problems],
        "training_seconds": round(seconds, 1),
    }
    return _save(out, manifest)


def update_manifest(out: Path, corpus: Corpus, *, decisions: dict, metrics: dict,
                    seconds: float | None = None) -> dict[str, Any]:
    """Record refitted heads in an existing model's manifest: decisions, file hashes, scores."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    if manifest["training_data"]["sha256"] != corpus.data_hash:
        raise ValueError("the heads are fitted on other data than the encoder was trained on")
    manifest["version"] = HEADS_VERSION
    manifest["decisions"] = decisions
    manifest["files_sha256"] = _hashes(out)
    manifest["test_metrics"] = metrics
    if seconds is not None:
        manifest["heads_seconds"] = round(seconds, 1)
    return _save(out, manifest)


def record_calibration(out: Path, ece: dict[str, float], how: str) -> dict[str, Any]:
    """Add the expected calibration error that ``bench/shift.py`` measured to the manifest and card."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["calibration"] = {"how": how, "ece": {k: round(v, 4) for k, v in ece.items()}}
    return _save(out, manifest)


def _hashes(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest()
            for name in ("model.onnx", "tokenizer.json", "heads.npz") if (out / name).is_file()}


def _save(out: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(model_card(manifest), encoding="utf-8")
    return manifest


def model_card(m: dict[str, Any]) -> str:
    lines = [
        f"# {m['name']} v{m['version']} ({m['kind']})",
        "",
        "Persuasion techniques (23, per paragraph and per token span), frames (14) and genre (3)",
        "for news articles in many languages. Runs on ONNX Runtime (int8) without torch.",
        "",
        "## Provenance",
        *[f"- {k.replace('_', ' ')}: {v}" for k, v in m["source"].items()],
        f"- Training data: {m['training_data']['source']}; sha256 `{m['training_data']['sha256']}`.",
        f"- Licence: {m['licence']}.",
        f"- Time of the command that wrote this model: {m['training_seconds']} s on a 2-core CPU "
        "(epochs resumed from checkpoints are not counted).",
        "",
        "## Method",
        "multilingual-e5-small (12 layers, hidden 384) fine-tuned jointly on all six training",
        "languages with two heads on one forward pass: a paragraph head (mean-pooled, 23",
        "techniques) and a token head (23 techniques, trained on the gold character spans).",
        "Training adds re-segmented copies of paragraphs (single sentences, and pairs of",
        "adjacent paragraphs merged) labelled from the gold spans, for robustness to how a",
        "source splits its text.",
        "",
        "At run time every article is read sentence by sentence, whatever its line breaks.",
        "Per sentence and technique, a logistic regression over the encoder's logit, the",
        "classical model's score for the same sentence, the sentence length and the language",
        "gives a calibrated probability; one threshold applies to all techniques, and a",
        "paragraph's score is its strongest sentence's. These regressions and the threshold",
        "were fitted on the validation fold's sentences (the threshold on out-of-fold",
        "probabilities). Genre and frame heads are logistic regressions on the mean of the",
        "article's sentence vectors, blended with the classical model's (weights chosen on",
        "the validation fold).",
        "",
        f"Sentence decisions: `{m.get('decisions')}`",
        "",
        f"Split: {m['split']['rule']}; test fold {m['split']['test_fold']}, validation fold "
        f"{m['split']['validation_fold']}, training folds {m['split']['train_folds']}.",
        "",
        f"Configuration: `{m['config']}`",
        "",
        "## Test-fold scores (never used for any choice)",
        "",
        *metrics_table(m["test_metrics"]),
    ]
    if m.get("calibration"):
        c = m["calibration"]
        lines += ["", "## Calibration", "", c["how"], "", "| language | ECE |", "|---|---|",
                  *[f"| {lang} | {v:.4f} |" for lang, v in c["ece"].items()]]
    lines += [
        "",
        "## Limits",
        "- English training articles are 88% opinion; quality on news reporting is lower.",
        "- Satire has few examples; genre calls of satire are unreliable.",
        "- Four techniques have no English training example; they are learnt from other languages only.",
        "- Languages without training data (es, el, ka, ...) get the multilingual model with a warning.",
        "",
    ]
    return "\n".join(lines)
