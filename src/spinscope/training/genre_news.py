"""Hard news as more English reporting for the genre head (``spinscope train --model genre``).

SemEval's English training articles are 88% opinion. Balanced within each language, the genre
head still called 83% of PolNeAR's dev articles opinion, though PolNeAR holds only hard news
(picked by seven US publishers' own section tags, editorials excluded). So PolNeAR's training
articles join the head's training set as English reporting, weighing ``weight`` times as much
in total as one class of SemEval's English articles.

The weight is chosen on validation data alone: the mean, over SemEval's languages (validation
fold) and PolNeAR's own validation fold ("news", all reporting), of the class-balanced macro-F1
of the labels that ship (blend, satire floor). The blend weight stays the model's. PolNeAR's dev
split is never read here, so it stays the out-of-sample check (``bench/shift.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spinscope.detect.classic import ClassicModel
from spinscope.detect.genre import genre_label
from spinscope.detect.linear import softmax
from spinscope.detect.transformer import Encoder
from spinscope.taxonomy import GENRE_NAMES
from spinscope.training.classic import NewsTexts
from spinscope.training.corpus import Corpus
from spinscope.training.transformer import split_of
from spinscope.training.transformer_heads import (
    Outputs,
    fit_genre_head,
    genre_balanced_macro,
    genre_rows,
    run_all,
)

NEWS_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
SOURCE = "PolNeAR v1.0.0 train split (hard news on the 2016 US election from 7 publishers), as English reporting"
REPORTING = GENRE_NAMES.index("reporting")
LICENCE = "PolNeAR is for research use and is not redistributed"


@dataclass(frozen=True)
class News:
    """The genre head's inputs for each news article: document vector and classical genre probabilities."""

    ids: tuple[str, ...]
    documents: np.ndarray
    classic: np.ndarray
    sha256: str

    @property
    def validation(self) -> np.ndarray:
        """Articles in PolNeAR's own validation fold (the same hash split as SemEval's)."""
        return np.array([split_of(a) == "validation" for a in self.ids], bool)


def read_news(root: str | Path) -> dict[str, str]:
    """PolNeAR's training articles, by file stem; raises if there are none."""
    files = sorted((Path(root) / "train" / "text").glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no PolNeAR training articles in {Path(root) / 'train' / 'text'}")
    return {f.stem: f.read_text(encoding="utf-8") for f in files}


def news_beside(data_dir: str | Path) -> Path | None:
    """PolNeAR beside a SemEval data root (or in a shared data root), when it has training articles."""
    root = Path(data_dir).parent if Path(data_dir).name == "semeval2023" else Path(data_dir)
    return root / "polnear" if (root / "polnear" / "train" / "text").is_dir() else None


def digest(texts: dict[str, str]) -> str:
    h = hashlib.sha256()
    for stem in sorted(texts):
        h.update(f"{stem}\0{texts[stem]}\0".encode())
    return h.hexdigest()


def news_texts(root: str | Path) -> NewsTexts:
    """PolNeAR's training articles for the classical genre head, its validation fold set apart."""
    texts = read_news(root)
    return NewsTexts(texts, frozenset(a for a in texts if split_of(a) == "validation"), digest(texts), SOURCE, LICENCE)


def news_outputs(encoder: Encoder, classic: ClassicModel, texts: dict[str, str],
                 progress: Callable = lambda x: x) -> News:
    out = Outputs({}, {}, {}, {}, {}, {}, {}, dict.fromkeys(texts, "en"))
    run_all(encoder, classic, texts, out, progress, st3=False)
    ids = tuple(sorted(out.docs))
    return News(ids, np.array([out.docs[a].document for a in ids]),
                np.array([out.docs_classic[a].genre for a in ids]), digest(texts))


def _labels(P: np.ndarray, floor: float | None) -> np.ndarray:
    return np.array([GENRE_NAMES.index(genre_label(p, GENRE_NAMES, floor)) for p in P], dtype=int)


def choose_news_weight(corpus: Corpus, out: Outputs, news: News, blend: float, floor: float | None, seed: int,
                       log: Callable[[str], None]) -> tuple[float, np.ndarray, np.ndarray, dict[str, float]]:
    """Refit the genre head at each of ``NEWS_WEIGHTS``; the weight, head and validation scores of the best.

    A tie keeps the smaller weight: the change from the SemEval-only head is then the least."""
    X, y, langs, _ = genre_rows(corpus, out, "train")
    Xv, yv, lv, Cv = genre_rows(corpus, out, "validation")
    fit, val = news.documents[~news.validation], news.validation
    scores: dict[str, float] = {}
    best: tuple[float, float, np.ndarray, np.ndarray] | None = None
    for weight in NEWS_WEIGHTS:
        W, b = fit_genre_head(X, y, langs, seed, fit, weight)
        pred = _labels(blend * softmax(Xv @ W + b) + (1 - blend) * Cv, floor)
        per = {lang: genre_balanced_macro(yv[lv == lang], pred[lv == lang]) for lang in sorted(set(lv))}
        news_pred = _labels(blend * softmax(news.documents[val] @ W + b) + (1 - blend) * news.classic[val], floor)
        per["news"] = genre_balanced_macro(np.full(int(val.sum()), REPORTING), news_pred)
        score = float(np.mean(list(per.values())))
        scores[f"{weight:g}"] = round(score, 4)
        log(f"genre with news at weight {weight:g}: validation mean class-balanced macro-F1 {score:.3f} "
            f"({', '.join(f'{k} {v:.3f}' for k, v in per.items())})")
        if best is None or score > best[0] + 1e-9:
            best = (score, weight, W, b)
    assert best is not None
    log(f"genre: news weight {best[1]:g} chosen")
    return best[1], best[2], best[3], scores


def decision_entry(news: News, weight: float, scores: dict[str, float]) -> dict:
    """What the manifest records about the news articles in the genre head."""
    return {"source": SOURCE, "articles": int((~news.validation).sum()), "validation_articles": int(news.validation.sum()),
            "sha256": news.sha256, "weight": weight, "validation_scores": scores,
            "licence": LICENCE}
