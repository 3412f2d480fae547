"""Manifest and model card for the transformer model (every saved model carries both)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from spinscope.detect import artifacts
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.training.card import write_card
from spinscope.training.corpus import Corpus
from spinscope.training.transformer import TEST_FOLD, VALIDATION_FOLD, EncoderConfig

MODEL_NAME = "spinscope-e5-small-multi"
# v2: sentence-level decisions (``detect.decisions``) on the v1 encoder.
# v3: heads refitted on one-window-per-run encoder outputs (scores no longer depend on batching).
# 3.1: heads on proper-noun-masked encoder input; 3.2: classical scores without proper nouns.
# 4.0: the encoder fine-tuned again on a GPU with the recipe the ablation chose (EncoderConfig).
# 4.1: the same encoder; the genre head balances classes within each language (bench/genre_cv.py).
# 4.2: the same encoder and heads; article decisions (the article as a whole) added.
# 4.3: the same encoder and heads; satire is the genre label only when at least 50% likely.
# 4.4: the same encoder; the genre head also learns PolNeAR's hard news as English reporting.
# 4.5: the same encoder; the sentence decisions read the classical model's sentence-trained head.
# 4.6: the same encoder and sentence decisions; the article decisions also read the strongest sentence.
# 4.7: the same encoder; the sentence decisions also read a sentence head on the encoder's vectors.
# 4.8: 4.7 and a line context (context.npz) for text cut one sentence per line (semeval predict --lines).
# 4.9: 4.8 and paragraph decisions (in context.npz) for paragraph lines (semeval predict).
# 5.0: the same encoder weights; the graph also pools a middle layer, which the sentence head reads.
# 5.1: the same encoder weights; the graph also gives token states, which an attention head reads.
HEADS_VERSION = "5.1"


def write_manifest(
    out: Path, corpus: Corpus, cfg: EncoderConfig, bert_config: dict, source: dict, metrics: dict, seconds: float,
    fused_layers: int = 0, middle_layer: int | None = None,
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
        "training_data": corpus.provenance(),
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
    if fused_layers or middle_layer is not None:
        manifest["graph"] = _graph(fused_layers, middle_layer, _gives_tokens(out))
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


def record_ablation(out: Path, results: dict[str, dict], what: dict[str, str], shipped: str, how: str) -> dict[str, Any]:
    """Add the validation scores of the fine-tuning variants (``bench/encoder_ablation.py``) to the manifest and card."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    cols = ("para_all", "para_en", "sent_all", "sent_en", "sent_rep")
    manifest["ablation"] = {
        "how": how, "shipped": shipped,
        "variants": {n: {"what": what[n], **{c: r[c]["f1"] for c in cols}, "score": r["score"]} for n, r in results.items()},
    }
    return _save(out, manifest)


def record_calibration(out: Path, ece: dict[str, float], how: str,
                       article: dict[str, tuple[float, float]] | None = None) -> dict[str, Any]:
    """Add the expected calibration error that ``bench/shift.py`` measured to the manifest and card:
    per language, the sentence probabilities' and, where given, the article probabilities' with
    the most a perfectly calibrated model would show on as many article x technique pairs."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["calibration"] = {"how": how, "ece": {k: round(v, 4) for k, v in ece.items()}}
    if article:
        manifest["calibration"]["article_ece"] = {k: round(v, 4) for k, (v, _) in article.items()}
        manifest["calibration"]["article_ece_if_calibrated"] = {k: round(b, 4) for k, (_, b) in article.items()}
    return _save(out, manifest)


def record_graph(out: Path, fused_layers: int, middle_layer: int | None = None) -> dict[str, Any]:
    """Record how ``model.onnx`` was rewritten after export (``onnx_export.main``); the weights
    are the same, and so is the version until the heads are refitted."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["graph"] = _graph(fused_layers, middle_layer, _gives_tokens(out))
    manifest["files_sha256"] = _hashes(out)
    return _save(out, manifest)


def _gives_tokens(out: Path) -> bool:
    import onnx

    from spinscope.detect.transformer import TOKEN_OUTPUT

    graph = onnx.load(str(out / "model.onnx"), load_external_data=False).graph
    return any(o.name == TOKEN_OUTPUT for o in graph.output)


def _graph(fused_layers: int, middle_layer: int | None = None, token_states: bool = False) -> dict[str, Any]:
    graph: dict[str, Any] = {
        "attention": "com.microsoft.MultiHeadAttention", "fused_layers": fused_layers,
        "how": (f"The self-attention of {fused_layers} layers runs as one ONNX Runtime MultiHeadAttention node "
                "each (training/onnx_export.fuse_attention), each checked against the traced attention it "
                "replaced; the int8 projections are as exported.")}
    if middle_layer is not None:
        graph["pooled_middle_layer"] = middle_layer
        graph["how"] += (f" The output pooled_middle is layer.{middle_layer}'s states averaged over the attention mask "
                         "as pooled averages the last layer's (training/onnx_export.pool_middle); the sentence head "
                         "reads both.")
    if token_states:
        graph["token_states"] = True
        graph["how"] += (" The output token_states is every token's states, the last layer's and that middle layer's "
                         "side by side (training/onnx_export.add_token_states); the attention head reads them.")
    return graph


def _hashes(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest()
            for name in ("model.onnx", "tokenizer.json", "heads.npz", "context.npz") if (out / name).is_file()}


def _save(out: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    artifacts.write_manifest(out, manifest)
    write_card(out, manifest)
    return manifest
