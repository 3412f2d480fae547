"""Everything after fine-tuning: article heads, calibration, blending, thresholds, scores.

Inputs are the exported int8 ONNX encoder's outputs, so what is tuned is what
ships. Split (``transformer.split_of``): genre and frame heads are fitted on
the training folds; calibration, blend weights and thresholds on the
validation fold only; the test fold is only ever scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spinscope.detect.classic import ArticleScores, ClassicModel
from spinscope.detect.linear import sigmoid, softmax
from spinscope.detect.transformer import Encoder, RawOutputs, token_spans
from spinscope.segment import paragraphs
from spinscope.semeval.scoring import score_multilabel, score_single_label
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.training.classic import calibrate, choose_thresholds
from spinscope.training.corpus import Corpus
from spinscope.training.transformer import split_of

MIN_POSITIVES = 25  # below this on the validation fold a label shares the global threshold
BLEND_GRID = np.round(np.arange(0.0, 1.01, 0.1), 2)
# The token head's probabilities are low (span tokens are rare), so the grid reaches down to 0.01.
SPAN_GRID = np.array([0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5])


@dataclass
class Outputs:
    """Raw encoder and classical outputs for every article, keyed by article id."""

    st3: dict[str, RawOutputs]
    st3_classic: dict[str, ArticleScores]
    docs: dict[str, RawOutputs]
    docs_classic: dict[str, ArticleScores]


def run_all(
    encoder: Encoder, classic: ClassicModel, texts: dict[str, str], progress: Callable[[Iterable], Iterable] = lambda x: x,
    cache: dict[str, tuple[RawOutputs, ArticleScores]] | None = None,
) -> tuple[dict[str, RawOutputs], dict[str, ArticleScores]]:
    """Outputs per article id; an article text already in ``cache`` (subtasks share articles) is not rerun."""
    cache = {} if cache is None else cache
    raw, cls = {}, {}
    for aid in progress(sorted(texts)):
        text = texts[aid]
        if text not in cache:
            paras = paragraphs(text)
            if not paras:
                continue
            cache[text] = (encoder.run(text, paras), classic.predict(text, paras))
        raw[aid], cls[aid] = cache[text]
    return raw, cls


def collect(encoder: Encoder, classic: ClassicModel, corpus: Corpus, splits: set[str], progress=lambda x: x) -> Outputs:
    st3 = {a: t for a, t in corpus.st3_texts.items() if split_of(a) in splits}
    docs = {a.id: a.text for a in corpus.articles if split_of(a.id) in splits or split_of(a.id) == "train"}
    cache: dict[str, tuple[RawOutputs, ArticleScores]] = {}
    r3, c3 = run_all(encoder, classic, st3, progress, cache)
    rd, cd = run_all(encoder, classic, docs, progress, cache)
    return Outputs(r3, c3, rd, cd)


# -- paragraph rows -----------------------------------------------------------
def _row_of(corpus: Corpus) -> dict[tuple[str, int], int]:
    """(article, SemEval paragraph number) -> row in that article's score matrix; segments each article once."""
    return {(aid, q.index): r for aid, text in corpus.st3_texts.items() for r, q in enumerate(paragraphs(text))}


def paragraph_rows(corpus: Corpus, out: Outputs, split: str):
    """Logits, classical probabilities, gold matrix, keys and languages of labelled paragraphs."""
    index = {n: j for j, n in enumerate(TECHNIQUE_NAMES)}
    rows = _row_of(corpus)
    Z, P, Y, keys, langs = [], [], [], [], []
    for p in corpus.paragraphs:
        if split_of(p.article) != split or p.article not in out.st3:
            continue
        r = rows[(p.article, p.index)]
        Z.append(out.st3[p.article].logits[r])
        P.append(out.st3_classic[p.article].paragraphs[r])
        y = np.zeros(len(TECHNIQUE_NAMES), bool)
        y[[index[x] for x in p.labels if x in index]] = True
        Y.append(y)
        keys.append((p.article, p.index))
        langs.append(p.language)
    return np.array(Z), np.array(P), np.array(Y), keys, langs


def micro_f1(D: np.ndarray, Y: np.ndarray) -> float:
    tp = float((D & Y).sum())
    return 2 * tp / (D.sum() + Y.sum()) if (D.sum() + Y.sum()) else 0.0


def fit_blend(Pt: np.ndarray, Pc: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray, float]:
    """Global blend weight and per-label thresholds that maximise validation micro-F1."""
    best = (-1.0, 1.0, np.zeros(Y.shape[1], np.float32))
    for w in BLEND_GRID:
        P = w * Pt + (1 - w) * Pc
        t = choose_thresholds(P, Y, MIN_POSITIVES)
        f = micro_f1(P >= t, Y)
        if f > best[0] + 1e-9:
            best = (f, float(w), t)
    return best[1], best[2], best[0]


# -- article heads --------------------------------------------------------------
def _docs(corpus: Corpus, out: Outputs, split: str, task: str):
    arts = [a for a in corpus.articles if split_of(a.id) == split and a.id in out.docs
            and (a.frames is not None if task == "frames" else a.genre is not None)]
    X = np.array([out.docs[a.id].document for a in arts])
    C = np.array([getattr(out.docs_classic[a.id], task) for a in arts])
    return arts, X, C


def fit_article_heads(corpus: Corpus, out: Outputs, seed: int, log: Callable[[str], None]) -> dict[str, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    arrays: dict[str, np.ndarray] = {}
    # Frames: one logistic regression per frame on the training folds' document vectors.
    arts, X, _ = _docs(corpus, out, "train", "frames")
    Yf = np.array([[f in (a.frames or ()) for f in FRAME_NAMES] for a in arts])
    W = np.zeros((X.shape[1], len(FRAME_NAMES)), np.float32)
    b = np.zeros(len(FRAME_NAMES), np.float32)
    for j in range(len(FRAME_NAMES)):
        if Yf[:, j].any() and not Yf[:, j].all():
            clf = LogisticRegression(C=1.0, max_iter=2000, random_state=seed).fit(X, Yf[:, j])
            W[:, j], b[j] = clf.coef_[0], clf.intercept_[0]
        else:
            b[j] = 10.0 if Yf[:, j].all() else -10.0
    arts, Xv, Cv = _docs(corpus, out, "validation", "frames")
    Yv = np.array([[f in (a.frames or ()) for f in FRAME_NAMES] for a in arts])
    a, c = calibrate(Xv @ W + b, Yv)
    w, t, f1 = fit_blend(sigmoid(a * (Xv @ W + b) + c), Cv, Yv)
    log(f"frames: blend weight {w} on the transformer head, validation micro-F1 {f1:.3f}")
    arrays.update(frames_W=W, frames_b=b, frames_a=a, frames_c=c, frames_t=t, frames_w=np.full(len(FRAME_NAMES), w, np.float32))

    # Genre: multinomial, class-balanced (88% of English training articles are opinion).
    arts, X, _ = _docs(corpus, out, "train", "genre")
    y = np.array([GENRE_NAMES.index(a.genre) for a in arts])
    clf = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced", random_state=seed).fit(X, y)
    Wg = np.zeros((X.shape[1], len(GENRE_NAMES)), np.float32)
    bg = np.full(len(GENRE_NAMES), -30.0, np.float32)
    Wg[:, clf.classes_] = clf.coef_.T
    bg[clf.classes_] = clf.intercept_
    arts, Xv, Cv = _docs(corpus, out, "validation", "genre")
    yv = np.array([GENRE_NAMES.index(a.genre) for a in arts])
    Pt = softmax(Xv @ Wg + bg)
    best = (-1.0, 1.0, np.zeros(len(GENRE_NAMES), np.float32))
    offsets = [np.array([0.0, o1, o2], np.float32) for o1 in np.arange(-1, 2.01, 0.25) for o2 in np.arange(-1, 2.01, 0.25)]
    for w in BLEND_GRID:
        logp = np.log(w * Pt + (1 - w) * Cv + 1e-9)
        for off in offsets:
            f = genre_macro(yv, (logp + off).argmax(1))
            if f > best[0] + 1e-9:
                best = (f, float(w), off)
    log(f"genre: blend weight {best[1]}, offsets {best[2].tolist()}, validation macro-F1 {best[0]:.3f}")
    arrays.update(genre_W=Wg, genre_b=bg, genre_w=np.array([best[1]], np.float32), genre_offset=best[2],
                  genre_a=np.zeros(0, np.float32), genre_c=np.zeros(0, np.float32), genre_t=np.zeros(0, np.float32))
    return arrays


def genre_macro(y: np.ndarray, pred: np.ndarray) -> float:
    fs = []
    for k in range(len(GENRE_NAMES)):
        tp = float(((pred == k) & (y == k)).sum())
        d = float((pred == k).sum() + (y == k).sum())
        if (y == k).any():
            fs.append(2 * tp / d if d else 0.0)
    return float(np.mean(fs)) if fs else 0.0


# -- spans (SemEval-2020 Task 11 technique-classification style) ----------------------
def span_f1(pred: list[tuple[str, str, int, int]], gold: list[tuple[str, str, int, int]]) -> tuple[float, float, float]:
    """Precision/recall with partial credit: overlap length over the predicted (or gold) span length.

    Spans count only against spans of the same article and technique, as in the
    SemEval-2020 Task 11 scorer.
    """
    from collections import defaultdict

    by: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for a, t, s, e in gold:
        by[(a, t)].append((s, e))
    pby: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for a, t, s, e in pred:
        pby[(a, t)].append((s, e))

    def credit(spans: list[tuple[str, str, int, int]], other: dict) -> float:
        total = 0.0
        for a, t, s, e in spans:
            if e <= s:
                continue
            best = max((max(0, min(e, oe) - max(s, os_)) for os_, oe in other.get((a, t), [])), default=0)
            total += best / (e - s)
        return total

    p = credit(pred, by) / len(pred) if pred else 0.0
    r = credit(gold, pby) / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def predicted_spans(out: Outputs, articles: Iterable[str], thresholds: np.ndarray) -> list[tuple[str, str, int, int]]:
    spans = []
    for aid in articles:
        for para in token_spans(out.st3[aid], thresholds):
            spans += [(aid, TECHNIQUE_NAMES[j], s, e) for j, s, e, _p in para]
    return spans


def gold_spans(corpus: Corpus, articles: set[str]) -> list[tuple[str, str, int, int]]:
    return [(s.article, s.technique, s.start, s.end) for s in corpus.spans if s.article in articles]


def fit_span_threshold(corpus: Corpus, out: Outputs) -> tuple[float, float]:
    val = {a for a in out.st3 if split_of(a) == "validation"}
    gold = gold_spans(corpus, val)
    best = (-1.0, 0.5)
    for t in SPAN_GRID:
        f = span_f1(predicted_spans(out, sorted(val), np.full(len(TECHNIQUE_NAMES), t, np.float32)), gold)[2]
        if f > best[0] + 1e-9:
            best = (f, float(t))
    return best[1], best[0]


def _over(names: tuple[str, ...], probs: np.ndarray, thresholds: np.ndarray) -> tuple[str, ...]:
    return tuple(n for n, x, t in zip(names, probs, thresholds, strict=True) if x >= t)


# -- scoring a split --------------------------------------------------------------
def score_split(corpus: Corpus, out: Outputs, split: str, combine: Callable[[RawOutputs, ArticleScores], ArticleScores],
                thresholds: dict[str, np.ndarray]) -> dict[str, dict[str, dict[str, float]]]:
    """``{task: {lang|all: {micro_f1, macro_f1, n}}}`` for whatever ``combine`` produces."""
    scored = {a: combine(out.st3[a], out.st3_classic[a]) for a in out.st3 if split_of(a) == split}
    docs = {a: combine(out.docs[a], out.docs_classic[a]) for a in out.docs if split_of(a) == split}
    gold_t, pred_t, lang_t = {}, {}, {}
    rows = _row_of(corpus)
    for p in corpus.paragraphs:
        if p.article in scored:
            probs = scored[p.article].paragraphs[rows[(p.article, p.index)]]
            gold_t[(p.article, p.index)] = p.labels
            pred_t[(p.article, p.index)] = _over(TECHNIQUE_NAMES, probs, thresholds["techniques"])
            lang_t[(p.article, p.index)] = p.language
    gold_f, pred_f, gold_g, pred_g, lang_a = {}, {}, {}, {}, {}
    for a in corpus.articles:
        if a.id not in docs:
            continue
        lang_a[a.id] = a.language
        if a.frames is not None:
            gold_f[a.id] = a.frames
            pred_f[a.id] = _over(FRAME_NAMES, docs[a.id].frames, thresholds["frames"])
        if a.genre is not None:
            gold_g[a.id] = a.genre
            pred_g[a.id] = GENRE_NAMES[int(np.argmax(docs[a.id].genre))]
    table: dict[str, dict[str, dict[str, float]]] = {}
    for task, gold, pred, langs in (("techniques", gold_t, pred_t, lang_t), ("frames", gold_f, pred_f, lang_a),
                                    ("genre", gold_g, pred_g, lang_a)):
        table[task] = {}
        for lang in sorted({langs[k] for k in gold}) + ["all"]:
            keys = [k for k in gold if lang in ("all", langs[k])]
            g = {k: gold[k] for k in keys}
            pr = {k: pred[k] for k in keys}
            s = score_single_label(g, pr, GENRE_NAMES) if task == "genre" else score_multilabel(
                g, pr, TECHNIQUE_NAMES if task == "techniques" else FRAME_NAMES)
            table[task][lang] = {"micro_f1": round(s.micro_f1, 4), "macro_f1": round(s.macro_f1, 4), "n": len(keys)}
    return table


def fit_paragraph_heads(corpus: Corpus, out: Outputs, log: Callable[[str], None]) -> dict[str, np.ndarray]:
    Z, P, Y, _, _ = paragraph_rows(corpus, out, "validation")
    a, c = calibrate(Z, Y)
    Zt = sigmoid(a * Z + c)
    w, t, f1 = fit_blend(Zt, P, Y)
    log(f"techniques: blend weight {w} on the transformer head, validation micro-F1 {f1:.3f}")
    t_alone = choose_thresholds(Zt, Y, MIN_POSITIVES)
    log(f"techniques: transformer alone, validation micro-F1 {micro_f1(Zt >= t_alone, Y):.3f}")
    span_t, span_f = fit_span_threshold(corpus, out)
    log(f"spans: token threshold {span_t}, validation span F1 {span_f:.3f}")
    return {
        "techniques_a": a, "techniques_c": c, "techniques_t": t,
        "techniques_w": np.full(len(TECHNIQUE_NAMES), w, np.float32),
        "spans_t": np.full(len(TECHNIQUE_NAMES), span_t, np.float32),
    }


def save_heads(path: Path, arrays: dict[str, np.ndarray]) -> None:
    np.savez(path / "heads.npz", **{k: np.asarray(v, np.float32) for k, v in arrays.items()})
