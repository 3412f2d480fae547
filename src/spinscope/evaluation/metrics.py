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


def micro_f1_interval(pred: np.ndarray, gold: np.ndarray, groups: Sequence[Hashable], draws: int = 1000,
                      seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """A percentile bootstrap interval for the micro-F1 of boolean (rows, labels) decisions,
    resampling ``groups`` (the article of each row), not rows: a row's labels are not
    independent of its article's other rows, and a slice of five articles is five draws."""
    (f1,) = _bootstrap_f1((pred,), gold, groups, draws, seed)
    return _central(f1, level) if len(f1) else (0.0, 0.0)


def micro_f1_difference_interval(pred_a: np.ndarray, pred_b: np.ndarray, gold: np.ndarray, groups: Sequence[Hashable],
                                 draws: int = 1000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """The same interval for micro-F1(b) - micro-F1(a), both scored on the same resampled articles
    (paired): far narrower than two separate intervals, since both variants meet the same hard
    and easy articles in every draw."""
    f1_a, f1_b = _bootstrap_f1((pred_a, pred_b), gold, groups, draws, seed)
    return _central(f1_b - f1_a, level) if len(f1_a) else (0.0, 0.0)


def _bootstrap_f1(preds: tuple[np.ndarray, ...], gold: np.ndarray, groups: Sequence[Hashable], draws: int,
                  seed: int) -> list[np.ndarray]:
    """Each prediction's micro-F1 in ``draws`` resamplings of the groups (the same ones for all); empty without groups."""
    gold = np.asarray(gold, bool)
    keys = list(dict.fromkeys(groups))
    if not keys:
        return [np.zeros(0) for _ in preds]
    where = {k: i for i, k in enumerate(keys)}
    owner = np.array([where[g] for g in groups])
    weights = np.random.default_rng(seed).multinomial(len(keys), np.full(len(keys), 1.0 / len(keys)), size=draws)
    out = []
    for pred in preds:
        pred = np.asarray(pred, bool)
        counts = np.zeros((len(keys), 2))  # per group: 2 tp, and fp + fn
        np.add.at(counts, owner, np.stack([2 * (pred & gold).sum(1), (pred ^ gold).sum(1)], axis=1))
        two_tp, wrong = (weights @ counts).T
        out.append(np.divide(two_tp, two_tp + wrong, out=np.zeros(draws), where=two_tp + wrong > 0))
    return out


def _central(values: np.ndarray | list[float], level: float) -> tuple[float, float]:
    """The central ``level`` share of bootstrap values, as (low, high)."""
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def macro_f1_interval(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str], draws: int = 1000,
                      seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """A percentile bootstrap interval for ``score_single_label``'s macro-F1, resampling items
    (articles): with five reporting articles among eighty, one article moves the figure a lot."""
    if not len(gold):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(draws):
        pick = rng.integers(0, len(gold), len(gold))
        values.append(score_single_label(dict(enumerate(gold[i] for i in pick)),
                                         dict(enumerate(pred[i] for i in pick)), labels).macro_f1)
    return _central(values, level)
