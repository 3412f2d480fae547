"""The organisers' baseline idea, reimplemented: per language, word 1-2-gram TF-IDF and a
linear SVM per label (one multi-class SVM for genre) at its default decision threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC


def fit_predict(train_texts: Sequence[str], train_gold: Sequence, test_texts: Sequence[str], task: str,
                names: Sequence[str]) -> list:
    """Predictions for ``test_texts``: a label (genre) or a tuple of labels (frames, techniques)."""
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    Xtr = vec.fit_transform(train_texts)
    Xte = vec.transform(test_texts)
    if task == "genre":
        y = list(train_gold)
        return [str(v) for v in LinearSVC().fit(Xtr, y).predict(Xte)] if len(set(y)) > 1 else [y[0]] * len(test_texts)
    D = np.zeros((len(test_texts), len(names)), bool)
    for j, name in enumerate(names):
        y = np.array([name in g for g in train_gold])
        if y.any() and not y.all():
            D[:, j] = LinearSVC().fit(Xtr, y).decision_function(Xte) > 0
    return [tuple(names[j] for j in np.flatnonzero(row)) for row in D]
