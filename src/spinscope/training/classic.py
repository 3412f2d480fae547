"""Train the classical models: shared TF-IDF features, linear heads, calibrated thresholds.

Every figure this module reports is cross-fitted: for each article-grouped
fold, calibration and thresholds come only from the other folds' out-of-fold
scores, then are applied to that fold. The shipped model uses calibration and
thresholds chosen on all out-of-fold scores.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from spinscope import parallel
from spinscope.detect.cues import CueLexicon
from spinscope.detect.features import Vectorizer
from spinscope.detect.linear import LinearHead, sigmoid, softmax
from spinscope.errors import TrainingDependencyMissing
from spinscope.evaluation.metrics import per_language
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.training.corpus import Corpus, LabelledParagraph, fold_of
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
# 2: the model's own genre head (fallback-genre.npz) learns hard news; the blend partner's stays.
# 3: a techniques head trained on sentences (partner-techniques.npz) for the transformer's decisions.
# 3.1: no name or group word is a cue (cues.json; ``training.cues``); every head as in 3.
# 3.2: the fallback genre head's per-language reporting offsets (``language_offsets``).
MODEL_VERSION = "3.2"
REPORTING = GENRE_NAMES.index("reporting")
PARTNER_ENTRY = {"unit": "sentence", "labels": "techniques whose gold span overlaps the sentence",
                 "context": "the neighbouring sentences", "file": "partner-techniques.npz",
                 "use": "the transformer's sentence decisions read it (blend partner); the model alone uses its "
                        "paragraph head"}
# Cross-validated tasks scored by another task's metric.
SCORED_AS = {"fallback_genre": "genre", "partner_techniques": "techniques"}


@dataclass(frozen=True)
class ClassicConfig:
    seed: int = 13
    folds: int = 5
    max_features: int = 100_000
    c_techniques: float = 0.1
    c_frames: float = 0.3
    c_genre: float = 1.0
    # The fallback's own genre head (``train_fallback_genre``): C and the weight of hard news
    # (``NewsTexts``) are chosen together under cross-validation from these grids.
    fallback_c: tuple[float, ...] = (1.0, 4.0)
    news_weights: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)
    # Labels with fewer positives than this share one global threshold: a
    # per-label optimum over a handful of examples does not transfer.
    min_positives_own_threshold: int = 25
    context_weight: float = 0.35
    # Also fit the sentence-trained techniques head (``train_partner``) the transformer reads.
    partner: bool = True
    n_jobs: int = 2


@dataclass
class CVResult:
    """Cross-fitted predictions for every training item, plus the items' keys and languages."""

    keys: list
    languages: list[str]
    gold: list
    pred: list
    probabilities: np.ndarray


def cue_entry(used: int, skipped: int) -> dict:
    """The manifest's ``cue_spans``: what the cue lexicon was learnt from, and what is never a cue."""
    return {"used": used, "skipped_misaligned": skipped,
            "never_cues": "listed names, other proper nouns, and words opening like a people, faith or group "
                          "(training.cues)"}


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


def fit_multilabel(X: sp.csr_matrix, Y: np.ndarray, C: float, seed: int, n_jobs: int) -> tuple[np.ndarray, np.ndarray]:
    """One binary classifier per label, in forked worker processes.

    Processes, not threads: liblinear seeds the C library's global ``rand()``,
    so concurrent fits in one process would make results depend on timing.
    Forking shares the matrix copy-on-write instead of pickling it per label.
    """
    X = sp.csr_matrix(X, dtype=np.float64)  # liblinear's input type, converted once
    X.sort_indices()
    results = list(parallel.ordered_map(lambda j: _fit_binary(X, Y[:, j], C, seed), range(Y.shape[1]), n_jobs))
    W = np.stack([w for w, _ in results], axis=1)
    b = np.array([b for _, b in results], dtype=np.float32)
    return W, b


def fit_multiclass(X: sp.csr_matrix, y: np.ndarray, C: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    clf = LogisticRegression(C=C, class_weight="balanced", random_state=seed, max_iter=2000)
    clf.fit(X, y)
    return genre_columns(clf, X.shape[1])


def fit_genre(X: sp.csr_matrix, y: np.ndarray, languages: np.ndarray, C: float, seed: int,
              news: sp.csr_matrix | None = None, weight: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The fallback's multinomial genre head, classes balanced over all languages pooled.

    ``news``: more English reporting articles, weighing ``weight`` times as much in total as one
    class of English articles (as ``transformer_heads.fit_genre_head`` weighs them)."""
    counts = np.bincount(y, minlength=len(GENRE_NAMES))
    w = len(y) / (np.count_nonzero(counts) * counts[y])  # sklearn's class_weight="balanced"
    if news is not None and news.shape[0] and weight > 0:
        X = sp.vstack([X, news], format="csr")
        y, w = with_news(y, w, languages, news.shape[0], weight)
    clf = LogisticRegression(C=C, random_state=seed, max_iter=3000)
    clf.fit(X, y, sample_weight=w)
    return genre_columns(clf, X.shape[1])


def with_news(y: np.ndarray, w: np.ndarray, languages: np.ndarray, n: int, weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels and sample weights with ``n`` news articles appended as reporting, weighing ``weight``
    times as much in total as one class of English articles (both genre heads weigh news so)."""
    en = languages == "en"
    # Without English articles, the mean total weight of one (language, class) group.
    one_class = w[en].sum() / len(set(y[en])) if en.any() else w.sum() / len(set(zip(languages, y, strict=True)))
    return (np.concatenate([y, np.full(n, REPORTING)]), np.concatenate([w, np.full(n, weight * one_class / n)]))


@dataclass(frozen=True)
class NewsTexts:
    """Hard news as English reporting for the genre head: texts by id, with PolNeAR's validation
    articles (the hash split that SemEval's articles follow) kept for choosing, never fitted."""

    texts: dict[str, str]
    validation: frozenset[str]
    sha256: str
    source: str
    licence: str

    @property
    def fitted(self) -> list[str]:
        return [a for a in sorted(self.texts) if a not in self.validation]


def choose_genre(X: sp.csr_matrix, y: np.ndarray, folds: np.ndarray, languages: np.ndarray, news_fit: sp.csr_matrix,
                 news_val: sp.csr_matrix, cfg: ClassicConfig, log: Callable[[str], None]) -> tuple[dict, np.ndarray]:
    """C and news weight of the fallback's genre head, and the chosen setting's out-of-fold decision values.

    Score: the mean, over SemEval's languages (out-of-fold) and the news validation articles
    (all reporting; each fold's model votes), of the class-balanced macro-F1, as the transformer's
    genre head is chosen (``genre_news``). A tie keeps the earlier, smaller setting."""
    from spinscope.training.transformer_heads import genre_balanced_macro

    best: tuple[float, dict, np.ndarray] | None = None
    scores: dict[str, float] = {}
    for C in cfg.fallback_c:
        for weight in cfg.news_weights:
            Z = np.zeros((X.shape[0], len(GENRE_NAMES)), np.float32)
            votes = []
            for k in np.unique(folds):
                tr = folds != k
                W, b = fit_genre(X[tr], y[tr], languages[tr], C, cfg.seed, news_fit, weight)
                Z[~tr] = X[~tr] @ W + b
                votes.append(softmax(np.asarray(news_val @ W) + b))
            pred = Z.argmax(1)
            per = [genre_balanced_macro(y[languages == g], pred[languages == g]) for g in sorted(set(languages))]
            per.append(genre_balanced_macro(np.full(news_val.shape[0], REPORTING), np.mean(votes, 0).argmax(1)))
            score = float(np.mean(per))
            scores[f"C={C:g} news={weight:g}"] = round(score, 4)
            log(f"fallback genre C {C:g}, news weight {weight:g}: mean class-balanced macro-F1 {score:.3f}")
            if best is None or score > best[0] + 1e-9:
                best = (score, {"c": C, "news_weight": weight}, Z)
    assert best is not None
    log(f"fallback genre: C {best[1]['c']:g}, news weight {best[1]['news_weight']:g} chosen")
    return {**best[1], "cv_scores": scores}, best[2]


# Offsets on the fallback's reporting decision value, searched in this grid (its decision values
# between reporting and opinion spread over about +-0.8 in each language).
OFFSET_GRID = np.round(np.arange(-2.0, 2.001, 0.05), 2)


def language_offsets(Z: np.ndarray, y: np.ndarray, folds: np.ndarray, languages: np.ndarray,
                     keep: frozenset[str] = frozenset({"en"})) -> tuple[dict[str, float], np.ndarray]:
    """Per-language offsets on the reporting decision value of the fallback's genre head, and the
    out-of-fold decision values ``Z`` with them applied as cross-validation would see them.

    The head balances classes over all languages pooled, so a language whose reporting share is
    above the pool's leans to reporting whatever the text (Russian: 34% reporting, called reporting
    96% of the time out of fold). Each language's offset makes the share of its out-of-fold
    articles called reporting match the share of reporting among them (the smallest such offset).
    Languages in ``keep`` get none: English reporting is set by the weight of the news it learns,
    for input unlike its 90%-opinion training articles. In the returned ``Z`` each fold's offsets
    were chosen on the other folds only."""

    def offset(z: np.ndarray, gold: np.ndarray) -> float:
        share = float(np.mean(gold == REPORTING))
        gap = [abs(float(np.mean(_with_offset(z, g).argmax(1) == REPORTING)) - share) for g in OFFSET_GRID]
        return float(min(zip(gap, np.abs(OFFSET_GRID), OFFSET_GRID, strict=True))[2])  # ties: the smallest offset

    chosen: dict[str, float] = {}
    nested = Z.copy()
    for lang in sorted(set(languages) - keep):
        m = languages == lang
        chosen[lang] = offset(Z[m], y[m])
        for k in np.unique(folds[m]):
            held = m & (folds == k)
            rest = m & (folds != k)
            if rest.any():
                nested[held] = _with_offset(Z[held], offset(Z[rest], y[rest]))
    return chosen, nested


def _with_offset(z: np.ndarray, delta: float) -> np.ndarray:
    out = np.array(z, dtype=np.float64)
    out[:, REPORTING] += delta
    return out


def genre_matrix(corpus: Corpus, vec: Vectorizer, folds: int) -> tuple:
    """Every article with a genre: its features, genre index, fold and language."""
    arts = [a for a in corpus.articles if a.genre is not None]
    return (arts, _stack(vec, [a.text for a in arts]), np.array([GENRE_NAMES.index(a.genre) for a in arts]),  # type: ignore[arg-type]
            np.array([fold_of(a.id, folds) for a in arts]), np.array([a.language for a in arts]))


def train_fallback_genre(matrix: tuple, vec: Vectorizer, cfg: ClassicConfig, log: Callable[[str], None],
                         news: NewsTexts) -> tuple[LinearHead, CVResult, dict] | None:
    """The genre head the classical model uses alone (``fallback-genre.npz``), with hard news as
    English reporting: its cross-validated setting and predictions, then the head fitted on every
    article of ``matrix`` (``genre_matrix``). None for a corpus without English. The transformer's blend keeps the SemEval-only
    ``genre`` head it was fitted with, so this one can change without moving the default model."""
    arts, X, y, folds, langs = matrix
    if not (langs == "en").any():
        return None
    Xn = _stack(vec, [news.texts[a] for a in news.fitted])
    Xnv = _stack(vec, [news.texts[a] for a in sorted(news.validation)])
    choice, Z = choose_genre(X, y, folds, langs, Xn, Xnv, cfg, log)
    offsets, Z = language_offsets(Z, y, folds, langs)
    choice["language_offsets"] = {str(lang): round(v, 2) for lang, v in offsets.items()}
    log(f"fallback genre: offsets on the reporting decision value {choice['language_offsets']}")
    choice["news"] = {"source": news.source, "articles": len(news.fitted), "validation_articles": len(news.validation),
                      "sha256": news.sha256, "licence": news.licence}
    P = softmax(Z)
    cv = CVResult([a.id for a in arts], list(langs), [a.genre for a in arts], [GENRE_NAMES[i] for i in P.argmax(1)], P)
    W, b = fit_genre(X, y, langs, choice["c"], cfg.seed, Xn, choice["news_weight"])
    return LinearHead(GENRE_NAMES, W, b), cv, choice


def sentence_rows(corpus: Corpus) -> tuple[LabelledParagraph, ...]:
    """Every labelled article's sentences, the units the transformer scores
    (``detect.transformer.sentence_units``), as rows: labelled with the techniques whose gold
    span overlaps the sentence, with the neighbouring sentences as context."""
    from spinscope.detect.transformer import sentence_units
    from spinscope.segment import paragraphs
    from spinscope.training.transformer import spans_by_article

    gold = spans_by_article(corpus)
    language = {p.article: p.language for p in corpus.paragraphs}
    rows = []
    for aid in sorted(language):
        text = corpus.st3_texts[aid]
        units, _ = sentence_units(text, paragraphs(text))
        chunks = [text[u.start : u.end] for u in units]
        for n, u in enumerate(units):
            labels = sorted({TECHNIQUE_NAMES[j] for s, e, j in gold.get(aid, []) if s < u.end and e > u.start})
            rows.append(LabelledParagraph(aid, language[aid], u.index, chunks[n], tuple(labels),
                                          chunks[n - 1] if n else "", chunks[n + 1] if n + 1 < len(chunks) else ""))
    return tuple(rows)


def techniques_head(rows: Sequence[LabelledParagraph], vec: Vectorizer, cfg: ClassicConfig,
                    ) -> tuple[LinearHead, CVResult]:
    """A techniques head on ``rows`` (paragraphs or sentences, each beside its neighbours):
    its cross-fitted predictions, then the head fitted on all rows, Platt-calibrated and
    thresholded on the out-of-fold scores."""
    X = paragraph_matrix(vec, [r.text for r in rows], [f"{r.previous}\n{r.next}" for r in rows], cfg.context_weight)
    Y = _onehot([r.labels for r in rows], TECHNIQUE_NAMES)
    folds = np.array([fold_of(r.article, cfg.folds) for r in rows])

    def fit(X, Y):  # type: ignore[no-untyped-def]
        return fit_multilabel(X, Y, cfg.c_techniques, cfg.seed, cfg.n_jobs)

    Z = oof_decisions(X, Y, folds, fit)
    P, D = cross_fitted_multilabel(Z, Y, folds, cfg.min_positives_own_threshold)
    cv = CVResult([(r.article, r.index) for r in rows], [r.language for r in rows], [r.labels for r in rows],
                  [_labels_of(d, TECHNIQUE_NAMES) for d in D], P)
    W, b = fit(X, Y)
    a, c = calibrate(Z, Y)
    return LinearHead(TECHNIQUE_NAMES, W, b, a, c,
                      choose_thresholds(sigmoid(a * Z + c), Y, cfg.min_positives_own_threshold)), cv


def train_partner(corpus: Corpus, vec: Vectorizer, cfg: ClassicConfig, log: Callable[[str], None],
                  ) -> tuple[LinearHead, CVResult]:
    """The techniques head the transformer's sentence decisions read (``partner-techniques.npz``):
    the paragraph head's recipe on ``sentence_rows``, so that it learns what a sentence shows, not
    what a paragraph around it does."""
    rows = sentence_rows(corpus)
    head, cv = techniques_head(rows, vec, cfg)
    log(f"sentence techniques head (blend partner): {len(rows)} sentences, {sum(bool(r.labels) for r in rows)} "
        "with a technique")
    return head, cv


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
    fallback_genre: LinearHead | None = None
    fallback_choice: dict | None = None
    partner: LinearHead | None = None


def train(corpus: Corpus, config: ClassicConfig = ClassicConfig(), log: Callable[[str], None] = print,
          news: NewsTexts | None = None) -> TrainedClassic:
    """Cross-validate, then fit every head on all data. Deterministic for a given seed.

    ``news``: hard news for the fallback's own genre head (``train_fallback_genre``)."""
    t0 = time.time()
    cfg = config
    paras = corpus.paragraphs
    vec = Vectorizer.fit((p.text for p in paras), cfg.max_features)
    log(f"vocabulary: {len(vec):,} features ({time.time() - t0:.0f}s)")

    frame_arts = [a for a in corpus.articles if a.frames is not None]
    Xf = _stack(vec, [a.text for a in frame_arts])
    Yf = _onehot([a.frames or () for a in frame_arts], FRAME_NAMES)
    ff = np.array([fold_of(a.id, cfg.folds) for a in frame_arts])
    log(f"matrices: {len(paras)} paragraphs, frame articles {Xf.shape} ({time.time() - t0:.0f}s)")

    def fit_f(X, Y):  # type: ignore[no-untyped-def]
        return fit_multilabel(X, Y, cfg.c_frames, cfg.seed, cfg.n_jobs)

    cv: dict[str, CVResult] = {}
    tech, cv["techniques"] = techniques_head(paras, vec, cfg)
    log(f"techniques cross-validated ({time.time() - t0:.0f}s)")
    Zf = oof_decisions(Xf, Yf, ff, fit_f)
    Pf, Df = cross_fitted_multilabel(Zf, Yf, ff, cfg.min_positives_own_threshold)
    cv["frames"] = CVResult(
        [a.id for a in frame_arts], [a.language for a in frame_arts],
        [a.frames for a in frame_arts], [_labels_of(r, FRAME_NAMES) for r in Df], Pf,
    )
    matrix = genre_matrix(corpus, vec, cfg.folds)
    genre_arts, Xg, yg, fg, lg = matrix
    Pg = softmax(oof_decisions(Xg, yg, fg, lambda X, y: fit_multiclass(X, y, cfg.c_genre, cfg.seed)))
    cv["genre"] = CVResult([a.id for a in genre_arts], list(lg), [a.genre for a in genre_arts],
                           [GENRE_NAMES[i] for i in Pg.argmax(1)], Pg)
    fallback = train_fallback_genre(matrix, vec, cfg, log, news) if news is not None else None
    if fallback is not None:
        cv["fallback_genre"] = fallback[1]
    log(f"frames and genre cross-validated ({time.time() - t0:.0f}s)")
    partner = None
    if cfg.partner:
        partner, cv["partner_techniques"] = train_partner(corpus, vec, cfg, log)

    Wf, bf = fit_f(Xf, Yf)
    af, cf = calibrate(Zf, Yf)
    frames = LinearHead(FRAME_NAMES, Wf, bf, af, cf,
                   choose_thresholds(sigmoid(af * Zf + cf), Yf, cfg.min_positives_own_threshold))
    cues, used, skipped = learn_cues(corpus)
    log(f"cue lexicon from {used} gold spans ({skipped} skipped: offsets off word boundaries)")
    log(f"final models fitted ({time.time() - t0:.0f}s)")
    genre = LinearHead(GENRE_NAMES, *fit_multiclass(Xg, yg, cfg.c_genre, cfg.seed))
    return TrainedClassic(vec, tech, frames, genre, cues, used, skipped, cv, cfg,
                          *((fallback[0], fallback[2]) if fallback is not None else (None, None)), partner)


def cv_table(cv: dict[str, CVResult]) -> dict[str, dict[str, dict[str, float]]]:
    """``{task: {language|all: {micro_f1, macro_f1, n}}}`` from cross-fitted predictions."""
    return {task: per_language(SCORED_AS.get(task, task), dict(zip(res.keys, res.gold, strict=True)),
                               dict(zip(res.keys, res.pred, strict=True)), dict(zip(res.keys, res.languages, strict=True)))
            for task, res in cv.items()}


def export(model: TrainedClassic, corpus: Corpus, out_dir: str | Path, training_seconds: float) -> dict:
    """Write vocabulary, weights (float16), manifest and model card; return the manifest."""
    from spinscope.training.export import save_classic

    metrics = cv_table(model.cv)
    manifest = {
        "name": MODEL_NAME,
        "version": MODEL_VERSION,
        "kind": "classic",
        "licence": (
            "Apache-2.0 (weights trained by spinscope; the SemEval-2023 training data "
            "is research-only and is not redistributed)"
        ),
        "training_data": corpus.provenance(),
        "label_problems": [asdict(p) for p in corpus.problems],
        "cue_spans": cue_entry(model.cues_used, model.cues_skipped),
        "labels": {
            "techniques": list(model.techniques.labels),
            "frames": list(model.frames.labels),
            "genre": list(model.genre.labels),
        },
        "config": asdict(model.config),
        **({"fallback_genre": model.fallback_choice} if model.fallback_choice is not None else {}),
        **({"partner_techniques": PARTNER_ENTRY} if model.partner is not None else {}),
        "cv_protocol": f"{model.config.folds}-fold, grouped by article (sha256 of id), thresholds and calibration cross-fitted",
        "cv_metrics": metrics,
        "training_seconds": round(training_seconds, 1),
    }
    save_classic(Path(out_dir), model.vectorizer, model.techniques, model.frames, model.genre, model.cues, manifest,
                 model.fallback_genre, model.partner)
    return manifest

