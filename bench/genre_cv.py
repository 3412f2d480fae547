"""Genre heads under 5-fold cross-validation over every labelled SemEval article.

Usage: python bench/genre_cv.py [--outputs runs/transformer/article-outputs.npz]
                                [--data ../shared/data/semeval2023] [--blend 0.3,0.6,1.0] [--json F]

The test fold holds five English reporting articles, too few to tell two genre heads
apart. This refits both genre heads on four folds (by article, ``fold_of``) and scores
the fifth, so every one of the 1,025 articles is scored once:

- the transformer head on the encoder's document vectors (``--outputs``: what
  ``spinscope train --heads-only`` saves in its work directory), weighted two ways:
  classes balanced over all languages pooled (model v4.0), and balanced within each
  language (``transformer_heads.genre_weights``, v4.1);
- the classical head on TF-IDF features, fitted on the raw text and applied to the text
  with proper nouns blanked, as ``spinscope train`` and the runtime do;

then blends them at each ``--blend`` weight on the transformer head. Printed per row:
mean over languages of macro-F1 and of class-balanced macro-F1, English recall of
opinion and reporting, satire calls on articles that are not satire, and the English
macro-F1 expected when 65% of articles are reporting, 30% opinion and 5% satire (the
per-class rates held, a satire article counted as half called satire).

Caveat: the encoder was fine-tuned (for techniques, not genre) on folds 2-4, so the
document vectors of those articles are not fully unseen. Both weightings share this.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from output import finish

from spinscope.detect.features import Vectorizer
from spinscope.detect.linear import softmax
from spinscope.detect.names import without_proper_nouns
from spinscope.evaluation.metrics import score_single_label
from spinscope.taxonomy import GENRE_NAMES
from spinscope.training.classic import ClassicConfig, _stack, genre_columns
from spinscope.training.corpus import fold_of, load_corpus
from spinscope.training.transformer_heads import genre_balanced_macro, genre_weights

OP, REP, SAT = (GENRE_NAMES.index(g) for g in ("opinion", "reporting", "satire"))
MIX = {OP: 0.30, REP: 0.65, SAT: 0.05}


def macro(y: np.ndarray, pred: np.ndarray) -> float:
    """The official macro-F1 (classes present in gold or prediction)."""
    return score_single_label({i: GENRE_NAMES[k] for i, k in enumerate(y)},
                              {i: GENRE_NAMES[k] for i, k in enumerate(pred)}, GENRE_NAMES).macro_f1


def expected_macro(y: np.ndarray, pred: np.ndarray) -> float:
    rates = np.zeros((3, 3))
    for k in (OP, REP):
        rates[k] = np.bincount(pred[y == k], minlength=3) / max(1, (y == k).sum())
    rates[SAT] = [0.5, 0.0, 0.5]
    counts = rates * np.array([MIX[k] for k in range(3)])[:, None]
    return float(np.mean([2 * counts[k, k] / (counts[k].sum() + counts[:, k].sum()) for k in range(3)]))


def cross_fit(X, y: np.ndarray, folds: np.ndarray, weights, X_apply=None) -> np.ndarray:  # noqa: ANN001
    from sklearn.linear_model import LogisticRegression

    X_apply = X if X_apply is None else X_apply
    P = np.zeros((len(y), len(GENRE_NAMES)))
    for k in np.unique(folds):
        tr = folds != k
        clf = LogisticRegression(C=1.0, max_iter=3000, random_state=13).fit(X[tr], y[tr], sample_weight=weights(tr))
        W, b = genre_columns(clf, X.shape[1])
        P[~tr] = softmax(np.asarray(X_apply[~tr] @ W) + b)
    return P


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--outputs", default="runs/transformer/article-outputs.npz")
    ap.add_argument("--blend", default="0.3,0.6,1.0", help="weights on the transformer head to score")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    t0 = time.time()
    corpus = load_corpus(args.data, log=lambda m: None)
    z = np.load(args.outputs)
    row = {a: i for i, a in enumerate(z["ids"])}
    arts = [a for a in corpus.articles if a.genre and a.id in row]
    X = z["document"][[row[a.id] for a in arts]]
    y = np.array([GENRE_NAMES.index(a.genre) for a in arts])
    lang = np.array([a.language for a in arts])
    folds = np.array([fold_of(a.id, 5) for a in arts])
    print(f"{len(arts)} articles; document vectors from {args.outputs}", file=sys.stderr)

    def pooled(tr: np.ndarray) -> np.ndarray:
        counts = np.bincount(y[tr], minlength=3)
        return len(y[tr]) / (np.count_nonzero(counts) * counts[y[tr]])

    heads = {"pooled (v4.0)": cross_fit(X, y, folds, pooled),
             "per language (v4.1)": cross_fit(X, y, folds, lambda tr: genre_weights(y[tr], lang[tr]))}
    # The classical head: its own vocabulary per fold would be slower and change little; one
    # vocabulary over the paragraphs of all folds is shared, as the IDF is.
    vec = Vectorizer.fit((p.text for p in corpus.paragraphs), ClassicConfig().max_features)
    F_fit = _stack(vec, [a.text for a in arts])
    F_run = _stack(vec, [without_proper_nouns(a.text, a.language) for a in arts])
    classic = cross_fit(F_fit, y, folds, pooled, F_run)
    print(f"heads cross-fitted in {time.time() - t0:.0f}s", file=sys.stderr)

    figures: dict = {}
    en = lang == "en"
    print(f"{'head':<22}{'blend':>6}{'macro/lang':>11}{'balanced':>9}{'en op R':>8}{'en rep R':>9}"
          f"{'satire FP':>10}{'en @65% rep':>12}")
    rows = [("classic alone", 0.0, heads["pooled (v4.0)"])] + [
        (name, float(w), P) for name, P in heads.items() for w in args.blend.split(",")]
    for name, w, P in rows:
        pred = (w * P + (1 - w) * classic).argmax(1)
        r = {
            "macro_per_language": float(np.mean([macro(y[lang == g], pred[lang == g]) for g in sorted(set(lang))])),
            "balanced_per_language": float(np.mean([genre_balanced_macro(y[lang == g], pred[lang == g])
                                                    for g in sorted(set(lang))])),
            "en_opinion_recall": float((pred[en & (y == OP)] == OP).mean()),
            "en_reporting_recall": float((pred[en & (y == REP)] == REP).mean()),
            "satire_false_calls": int(((pred == SAT) & (y != SAT)).sum()),
            "en_expected_macro_65_reporting": expected_macro(y[en], pred[en]),
        }
        figures[f"{name}, blend {w}"] = r
        print(f"{name:<22}{w:>6.1f}{r['macro_per_language']:>11.3f}{r['balanced_per_language']:>9.3f}"
              f"{r['en_opinion_recall']:>8.2f}{r['en_reporting_recall']:>9.2f}{r['satire_false_calls']:>10}"
              f"{r['en_expected_macro_65_reporting']:>12.3f}")
    return finish(figures, args.json, t0)


if __name__ == "__main__":
    raise SystemExit(main())
