"""Official SemEval-2023 Task 3 metrics.

Subtask 1 is single-label (macro-F1 official, micro-F1 reported); subtasks 2
and 3 are multi-label over the official label list (micro-F1 official,
macro-F1 reported). In the multi-label macro averages a class absent from
both gold and prediction scores 1, as in the official scorer.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from spinscope.errors import ScoringMismatch


@dataclass(frozen=True, slots=True)
class Scores:
    micro_f1: float
    macro_f1: float
    per_class: Mapping[str, float]
    n_items: int
    micro_precision: float = 0.0
    micro_recall: float = 0.0


def _f1(tp: float, fp: float, fn: float, empty: float) -> float:
    denom = 2 * tp + fp + fn
    return empty if denom == 0 else 2 * tp / denom


def _check_keys(gold: Mapping, pred: Mapping) -> list:
    missing = [k for k in gold if k not in pred]
    extra = [k for k in pred if k not in gold]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"{len(missing)} gold items have no prediction (first: {missing[0]})")
        if extra:
            parts.append(f"{len(extra)} predictions are not in gold (first: {extra[0]})")
        raise ScoringMismatch("; ".join(parts))
    return list(gold)


def score_multilabel(
    gold: Mapping[Hashable, Sequence[str]], pred: Mapping[Hashable, Sequence[str]], labels: Sequence[str]
) -> Scores:
    keys = _check_keys(gold, pred)
    index = {name: i for i, name in enumerate(labels)}
    g = np.zeros((len(keys), len(labels)), dtype=bool)
    p = np.zeros_like(g)
    for row, k in enumerate(keys):
        for name in gold[k]:
            if name in index:
                g[row, index[name]] = True
        for name in pred[k]:
            if name not in index:
                raise ScoringMismatch(f"prediction for {k} uses unknown label {name!r}")
            p[row, index[name]] = True
    tp = (g & p).sum(axis=0)
    fp = (~g & p).sum(axis=0)
    fn = (g & ~p).sum(axis=0)
    per_class = {name: _f1(tp[i], fp[i], fn[i], 1.0) for i, name in enumerate(labels)}
    micro = _f1(tp.sum(), fp.sum(), fn.sum(), 0.0)
    macro = float(np.mean(list(per_class.values()))) if labels else 0.0
    n_pred, n_gold = int(tp.sum() + fp.sum()), int(tp.sum() + fn.sum())
    precision = float(tp.sum() / n_pred) if n_pred else 0.0
    recall = float(tp.sum() / n_gold) if n_gold else 0.0
    return Scores(float(micro), macro, per_class, len(keys), precision, recall)


def score_single_label(gold: Mapping[Hashable, str], pred: Mapping[Hashable, str], labels: Sequence[str]) -> Scores:
    """Macro-F1 over the classes seen in gold or prediction (a single-label scorer
    has no official per-class list to fall back on); micro-F1 equals accuracy."""
    for k, v in pred.items():
        if v not in labels:
            raise ScoringMismatch(f"prediction for {k} uses unknown label {v!r}")
    seen = [name for name in labels if name in set(gold.values()) | set(pred.values())]
    return score_multilabel({k: [v] for k, v in gold.items()}, {k: [v] for k, v in pred.items()}, seen)


# The official metric of each SemEval-2023 Task 3 subtask.
OFFICIAL = {1: "macro_f1", 2: "micro_f1", 3: "micro_f1"}
TASK_SUBTASK = {"genre": 1, "frames": 2, "techniques": 3}


def score_task(task: str, gold: Mapping, pred: Mapping) -> Scores:
    """Scores for ``genre`` (single-label) or ``frames``/``techniques``/``paragraph_techniques``/
    ``article_techniques`` (multi-label)."""
    from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES

    if task == "genre":
        return score_single_label(gold, pred, GENRE_NAMES)
    return score_multilabel(gold, pred, TECHNIQUE_NAMES if task in ("techniques", "paragraph_techniques", "article_techniques")
                            else FRAME_NAMES)


def per_language(task: str, gold: Mapping, pred: Mapping, langs: Mapping) -> dict[str, dict[str, float]]:
    """One row per language plus "all": micro- and macro-F1, micro precision and recall, and n.

    ``langs`` maps each gold key to its language; ``pred`` must cover every gold key.
    """
    table = {}
    for lang in sorted({langs[k] for k in gold}) + ["all"]:
        keys = [k for k in gold if lang in ("all", langs[k])]
        s = score_task(task, {k: gold[k] for k in keys}, {k: pred[k] for k in keys})
        table[lang] = {"micro_f1": round(s.micro_f1, 4), "macro_f1": round(s.macro_f1, 4),
                       "precision": round(s.micro_precision, 4), "recall": round(s.micro_recall, 4), "n": len(keys)}
    return table
