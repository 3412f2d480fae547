"""Train the classical models: shared TF-IDF features, linear heads, calibrated thresholds.

Every figure this module reports is cross-fitted: for each article-grouped
fold, calibration and thresholds come only from the other folds' out-of-fold
scores, then are applied to that fold. The shipped model uses calibration and
thresholds chosen on all out-of-fold scores.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from spinscope.detect.cues import CueLexicon
from spinscope.detect.features import Vectorizer
from spinscope.detect.linear import LinearHead, sigmoid, softmax
from spinscope.errors import TrainingDependencyMissing
from spinscope.evaluation.metrics import per_language
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.training.corpus import Corpus, fold_of
from spinscope.training.cues import learn_cues

try:
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise TrainingDependencyMissing(
        "training needs the [train] extra: pip install -e '.[train]'"
    ) from exc

MODEL_NAME = "spinscope-classic"


@dataclass(frozen=True)
class ClassicConfig:
    seed: int = 13
    folds: int = 5
    max_features: int = 100_000
    c_techniques: float = 0.1
    c_frames: float = 0.3
    c_genre: float = 1.0
    # Labels with fewer positives than this share one global threshold: a
    # per-label optimum over a handful of examples does not transfer.
    min_positives_own_threshold: int = 25
    context_weight: float = 0.35
    n_jobs: int = 2


@dataclass
class CVResult:
    """Cross-fitted predictions for every training item, plus the items' keys and languages."""

    keys: list
    languages: list[str]
    gold: list
    pred: list
    probabilities: np.ndarray


def _stack(vec: Vectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for text in texts:
        idx, val = vec.transform_one(text)
        indices.append(idx)
        data.append(val)
        indptr.append(indptr[-1] + len(idx))
    return sp.csr_matrix(
        (np.concatenate(data) if data else [], np.concatenate(indices) if indices else [], indptr),
        shape=(len(texts), len(vec)),
        dtype=np.float32,
    )


def paragraph_matrix(vec: Vectorizer, texts: Sequence[str], contexts: Sequence[str], weight: float) -> sp.csr_matrix:
    """Paragraph features next to down-weighted neighbour features (same vocabulary)."""
    return sp.hstack([_stack(vec, texts), weight * _stack(vec, contexts)], format="csr")


def _fit_binary(X: sp.csr_matrix, y: np.ndarray, C: float, seed: int) -> tuple[np.ndarray, float]:
    if y.all() or not y.any():  # degenerate fold: a constant model
        return np.zeros(X.shape[1], np.float32), 8.0 if y.all() else -8.0
    clf = LinearSVC(C=C, class_weight="balanced", random_state=seed, max_iter=2000)
    clf.fit(X, y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


_JOB: dict[str, tuple] = {}


def _fit_column(j: int) -> tuple[np.ndarray, float]:
    X, Y, C, seed = _JOB["fit"]
    return _fit_binary(X, Y[:, j], C, seed)


def fit_multilabel(X: sp.csr_matrix, Y: np.ndarray, C: float, seed: int, n_jobs: int) -> tuple[np.ndarray, np.ndarray]:
    """One binary classifier per label, in forked worker processes.

    Processes, not threads: liblinear seeds the C library's global ``rand()``,
    so concurrent fits in one process would make results depend on timing.
    Forking shares the matrix copy-on-write instead of pickling it per label.
    """
    X = sp.csr_matrix(X, dtype=np.float64)  # liblinear's input type, converted once
    X.sort_indices()
    _JOB["fit"] = (X, Y, C, seed)
    try:
        if n_jobs > 1:
            with multiprocessing.get_context("fork").Pool(n_jobs) as pool:
                results = pool.map(_fit_column, range(Y.shape[1]))
        else:
            results = [_fit_column(j) for j in range(Y.shape[1])]
    finally:
        _JOB.clear()
    W = np.stack([w for w, _ in results], axis=1)
    b = np.array([b for _, b in results], dtype=np.float32)
    return W, b


def fit_multiclass(X: sp.csr_matrix, y: np.ndarray, C: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    clf = LogisticRegression(C=C, class_weight="balanced", random_state=seed, max_iter=2000)
    clf.fit(X, y)
    return genre_columns(clf, X.shape[1])


def genre_columns(clf: LogisticRegression, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """A fitted logistic regression as one weight column and bias per genre, for a softmax.

    Classes missing from the training data get a very negative bias. With two classes
    sklearn keeps one coefficient row, the log-odds of the second class: it goes in that
    class's column and the first class's stays zero, so the softmax gives the same odds.
    """
    W = np.zeros((dim, len(GENRE_NAMES)), np.float32)
    b = np.full(len(GENRE_NAMES), -30.0, np.float32)
    if len(clf.classes_) == 2:
        b[clf.classes_] = 0.0, clf.intercept_[0]
        W[:, clf.classes_[1]] = clf.coef_[0]
    else:
        W[:, clf.classes_] = clf.coef_.T
        b[clf.classes_] = clf.intercept_
    return W, b


def platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """1-D logistic fit of labels on decision values (Platt scaling)."""
    if y.all() or not y.any():
        return 1.0, 0.0
    clf = LogisticRegression(C=100.0, solver="lbfgs")
    clf.fit(z.reshape(-1, 1), y)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def _best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.5)
    for t in _GRID:
        pred = p >= t
        tp = float((pred & y).sum())
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f1 > best[0] + 1e-9:
            best = (f1, float(t))
    return best[1], best[0]


def choose_thresholds(P: np.ndarray, Y: np.ndarray, min_positives: int) -> np.ndarray:
    """Per-label F1-optimal thresholds; rare labels get the micro-F1-optimal global one."""
    global_t, _ = _best_threshold(P.ravel(), Y.ravel())
    out = np.full(P.shape[1], global_t, np.float32)
    for j in range(P.shape[1]):
        if Y[:, j].sum() >= min_positives:
            out[j] = _best_threshold(P[:, j], Y[:, j])[0]
    return out


def calibrate(Z: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ab = [platt(Z[:, j], Y[:, j]) for j in range(Z.shape[1])]
    return np.array([a for a, _ in ab], np.float32), np.array([b for _, b in ab], np.float32)


def oof_decisions(
    X: sp.csr_matrix, Y: np.ndarray, folds: np.ndarray, fit: Callable[[sp.csr_matrix, np.ndarray], tuple]
) -> np.ndarray:
    """Out-of-fold decision values: each fold scored by a model trained on the others."""
    Z = np.zeros((X.shape[0], Y.shape[1] if Y.ndim == 2 else len(GENRE_NAMES)), np.float32)
    for k in np.unique(folds):
        train, test = folds != k, folds == k
        W, b = fit(X[train], Y[train])
        Z[test] = X[test] @ W + b
    return Z


def cross_fitted_multilabel(Z: np.ndarray, Y: np.ndarray, folds: np.ndarray, min_pos: int) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated probabilities and decisions for each fold, tuned on the other folds only."""
    P = np.zeros_like(Z)
    D = np.zeros(Z.shape, bool)
    for k in np.unique(folds):
        tune, test = folds != k, folds == k
        a, b = calibrate(Z[tune], Y[tune])
        t = choose_thresholds(sigmoid(a * Z[tune] + b), Y[tune], min_pos)
        P[test] = sigmoid(a * Z[test] + b)
        D[test] = P[test] >= t
    return P, D


def _labels_of(row: np.ndarray, names: Sequence[str]) -> tuple[str, ...]:
    return tuple(names[j] for j in np.flatnonzero(row))


def _onehot(rows: Sequence[Sequence[str]], names: Sequence[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    Y = np.zeros((len(rows), len(names)), bool)
    for i, labels in enumerate(rows):
        for name in labels:
            Y[i, index[name]] = True
    return Y


@dataclass
class TrainedClassic:
    vectorizer: Vectorizer
    techniques: LinearHead
    frames: LinearHead
    genre: LinearHead
    cues: CueLexicon
    cues_used: int
    cues_skipped: int
    cv: dict[str, CVResult]
    config: ClassicConfig


def train(corpus: Corpus, config: ClassicConfig = ClassicConfig(), log: Callable[[str], None] = print) -> TrainedClassic:
    """Cross-validate, then fit every head on all data. Deterministic for a given seed."""
    t0 = time.time()
    cfg = config
    paras = corpus.paragraphs
    vec = Vectorizer.fit((p.text for p in paras), cfg.max_features)
    log(f"vocabulary: {len(vec):,} features ({time.time() - t0:.0f}s)")

    Xp = paragraph_matrix(vec, [p.text for p in paras], [f"{p.previous}\n{p.next}" for p in paras], cfg.context_weight)
    Yt = _onehot([p.labels for p in paras], TECHNIQUE_NAMES)
    fp = np.array([fold_of(p.article, cfg.folds) for p in paras])

    frame_arts = [a for a in corpus.articles if a.frames is not None]
    genre_arts = [a for a in corpus.articles if a.genre is not None]
    Xf = _stack(vec, [a.text for a in frame_arts])
    Yf = _onehot([a.frames or () for a in frame_arts], FRAME_NAMES)
    ff = np.array([fold_of(a.id, cfg.folds) for a in frame_arts])
    Xg = _stack(vec, [a.text for a in genre_arts])
    yg = np.array([GENRE_NAMES.index(a.genre) for a in genre_arts])  # type: ignore[arg-type]
    fg = np.array([fold_of(a.id, cfg.folds) for a in genre_arts])
    log(f"matrices: paragraphs {Xp.shape}, frame articles {Xf.shape}, genre articles {Xg.shape} ({time.time() - t0:.0f}s)")

    def fit_t(X, Y):  # type: ignore[no-untyped-def]
        return fit_multilabel(X, Y, cfg.c_techniques, cfg.seed, cfg.n_jobs)

    def fit_f(X, Y):  # type: ignore[no-untyped-def]
        return fit_multilabel(X, Y, cfg.c_frames, cfg.seed, cfg.n_jobs)

    def fit_g(X, y):  # type: ignore[no-untyped-def]
        return fit_multiclass(X, y, cfg.c_genre, cfg.seed)

    cv: dict[str, CVResult] = {}
    Zt = oof_decisions(Xp, Yt, fp, fit_t)
    Pt, Dt = cross_fitted_multilabel(Zt, Yt, fp, cfg.min_positives_own_threshold)
    cv["techniques"] = CVResult(
        [(p.article, p.index) for p in paras], [p.language for p in paras],
        [p.labels for p in paras], [_labels_of(r, TECHNIQUE_NAMES) for r in Dt], Pt,
    )
    log(f"techniques cross-validated ({time.time() - t0:.0f}s)")
    Zf = oof_decisions(Xf, Yf, ff, fit_f)
    Pf, Df = cross_fitted_multilabel(Zf, Yf, ff, cfg.min_positives_own_threshold)
    cv["frames"] = CVResult(
        [a.id for a in frame_arts], [a.language for a in frame_arts],
        [a.frames for a in frame_arts], [_labels_of(r, FRAME_NAMES) for r in Df], Pf,
    )
    Zg = oof_decisions(Xg, yg, fg, fit_g)
    Pg = softmax(Zg)
    cv["genre"] = CVResult(
        [a.id for a in genre_arts], [a.language for a in genre_arts],
        [a.genre for a in genre_arts], [GENRE_NAMES[i] for i in Pg.argmax(1)], Pg,
    )
    log(f"frames and genre cross-validated ({time.time() - t0:.0f}s)")

    Wt, bt = fit_t(Xp, Yt)
    at, ct = calibrate(Zt, Yt)
    tech = LinearHead(TECHNIQUE_NAMES, Wt, bt, at, ct,
                 choose_thresholds(sigmoid(at * Zt + ct), Yt, cfg.min_positives_own_threshold))
    Wf, bf = fit_f(Xf, Yf)
    af, cf = calibrate(Zf, Yf)
    frames = LinearHead(FRAME_NAMES, Wf, bf, af, cf,
                   choose_thresholds(sigmoid(af * Zf + cf), Yf, cfg.min_positives_own_threshold))
    Wg, bg = fit_g(Xg, yg)
    genre = LinearHead(GENRE_NAMES, Wg, bg)
    cues, used, skipped = learn_cues(corpus)
    log(f"cue lexicon from {used} gold spans ({skipped} skipped: offsets off word boundaries)")
    log(f"final models fitted ({time.time() - t0:.0f}s)")
    return TrainedClassic(vec, tech, frames, genre, cues, used, skipped, cv, cfg)


def cv_table(cv: dict[str, CVResult]) -> dict[str, dict[str, dict[str, float]]]:
    """``{task: {language|all: {micro_f1, macro_f1, n}}}`` from cross-fitted predictions."""
    return {task: per_language(task, dict(zip(res.keys, res.gold, strict=True)),
                               dict(zip(res.keys, res.pred, strict=True)), dict(zip(res.keys, res.languages, strict=True)))
            for task, res in cv.items()}


def export(model: TrainedClassic, corpus: Corpus, out_dir: str | Path, training_seconds: float) -> dict:
    """Write vocabulary, weights (float16), manifest and model card; return the manifest."""
    from spinscope.training.export import save_classic

    metrics = cv_table(model.cv)
    manifest = {
        "name": MODEL_NAME,
        "version": "1",
        "kind": "classic",
        "licence": (
            "Apache-2.0 (weights trained by spinscope; the SemEval-2023 training data "
            "is research-only and is not redistributed)"
        ),
        "training_data": corpus.provenance(),
        "label_problems": [asdict(p) for p in corpus.problems],
        "cue_spans": {"used": model.cues_used, "skipped_misaligned": model.cues_skipped},
        "labels": {
            "techniques": list(model.techniques.labels),
            "frames": list(model.frames.labels),
            "genre": list(model.genre.labels),
        },
        "config": asdict(model.config),
        "cv_protocol": f"{model.config.folds}-fold, grouped by article (sha256 of id), thresholds and calibration cross-fitted",
        "cv_metrics": metrics,
        "training_seconds": round(training_seconds, 1),
    }
    save_classic(Path(out_dir), model.vectorizer, model.techniques, model.frames, model.genre, model.cues, manifest)
    return manifest

