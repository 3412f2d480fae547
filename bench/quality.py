"""Article-grouped 5-fold CV of the classical models, next to the organisers' baseline idea.

Usage: python bench/quality.py [--data ../shared/data/semeval2023] [--json out.json]

Both systems see the same folds (sha256 of the article id). The baseline
reimplements the organisers' idea: word n-gram TF-IDF and a linear SVM per
language with its default decision threshold. spinscope's figures are
cross-fitted: calibration and thresholds for a fold come from the other folds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from baseline import fit_predict
from output import finish

from spinscope.evaluation.metrics import per_language
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.training import classic, genre_news
from spinscope.training.corpus import fold_of, load_corpus

LABELS = {"techniques": TECHNIQUE_NAMES, "frames": FRAME_NAMES, "genre": GENRE_NAMES}
SUBTASK = {"genre": "1 genre (macro-F1)", "fallback_genre": "1 genre, classic alone", "frames": "2 frames (micro-F1)",
           "techniques": "3 techniques (micro-F1)"}


def baseline(res: classic.CVResult, texts: list[str], task: str) -> dict[str, tuple[float, float]]:
    """Per-language word-TF-IDF + LinearSVC, trained and scored on the same folds as ``res``."""
    langs = np.array(res.languages)
    folds = np.array([fold_of(k[0] if isinstance(k, tuple) else k) for k in res.keys])
    preds: list = [None] * len(texts)
    for lang in sorted(set(res.languages)):
        for k in range(5):
            tr = np.flatnonzero((langs == lang) & (folds != k))
            te = np.flatnonzero((langs == lang) & (folds == k))
            if not len(te):
                continue
            p = fit_predict([texts[i] for i in tr], [res.gold[i] for i in tr], [texts[i] for i in te], task, LABELS[task])
            for i, v in zip(te, p, strict=True):
                preds[i] = v
    table = per_language(task, dict(zip(res.keys, res.gold, strict=True)), dict(zip(res.keys, preds, strict=True)),
                         dict(zip(res.keys, res.languages, strict=True)))
    return {lang: (row["micro_f1"], row["macro_f1"]) for lang, row in table.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    t0 = time.time()
    corpus = load_corpus(args.data)
    news_dir = genre_news.news_beside(args.data)  # as `spinscope train` does: PolNeAR's news joins the genre head
    model = classic.train(corpus, classic.ClassicConfig(), log=lambda m: print(f"  {m}", file=sys.stderr),
                          news=genre_news.news_texts(news_dir) if news_dir else None)
    train_s = time.time() - t0
    ours = classic.cv_table(model.cv)
    texts = {
        "techniques": [p.text for p in corpus.paragraphs],
        "frames": [a.text for a in corpus.articles if a.frames is not None],
        "genre": [a.text for a in corpus.articles if a.genre is not None],
    }
    print(f"data sha256 {corpus.data_hash[:16]}  CV+fit time {train_s:.0f}s")
    print(f"{'subtask':<24}{'lang':<6}{'spinscope micro':>16}{'macro':>8}{'baseline micro':>16}{'macro':>8}{'n':>7}")
    figures = {}
    # fallback_genre: the genre head `--model classic` uses alone, when PolNeAR's news was there to learn.
    for task in ("genre", "fallback_genre", "frames", "techniques"):
        if task not in model.cv:
            continue
        scored = classic.SCORED_AS.get(task, task)
        base = baseline(model.cv[task], texts[scored], scored)
        for lang, m in ours[task].items():
            b = base[lang]
            print(f"{SUBTASK[task]:<24}{lang:<6}{m['micro_f1']:>16.3f}{m['macro_f1']:>8.3f}{b[0]:>16.3f}{b[1]:>8.3f}{m['n']:>7}")
            figures.setdefault(task, {})[lang] = {"spinscope": m, "baseline": {"micro_f1": b[0], "macro_f1": b[1]}}
    return finish(figures, args.json, t0)


if __name__ == "__main__":
    raise SystemExit(main())
