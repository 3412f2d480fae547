"""Which techniques the article as a whole uses.

Reads: sentences, paragraphs, threshold, scores. Writes: ``article_techniques``.
With a model that has article decisions, the probability is ``ArticleScores.article``
(calibrated over the whole article) and the threshold is the model's article threshold:
``--threshold`` moves the sentence and paragraph decisions, whose probabilities are on
another scale, and not this one. Without them (the classical fallback) each technique
gets its strongest paragraph's probability and the paragraph threshold, so the list is
the union of the paragraph detections.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spinscope.components import Doc
from spinscope.detect.scores import ScoringModel
from spinscope.detect.techniques import REPORT_FLOOR
from spinscope.types import ArticleTechnique


class ArticleTechniquesDetector:
    name = "article_techniques"
    reads = ("sentences", "paragraphs", "threshold", "scores")
    writes = ("article_techniques",)

    def __init__(self, model: ScoringModel) -> None:
        self.labels = model.techniques.labels
        self.paragraph_thresholds = model.techniques.thresholds
        self.article_threshold = model.article_threshold

    def predict(self, docs: Sequence[Doc]) -> list[tuple[ArticleTechnique, ...]]:
        return [self.article(d) for d in docs]

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[tuple[ArticleTechnique, ...]]) -> None:
        for doc, found in zip(docs, predictions, strict=True):
            doc.write("article_techniques", found)

    def article(self, doc: Doc) -> tuple[ArticleTechnique, ...]:
        scores = doc.scores
        assert scores is not None  # guaranteed by ``reads`` and ``check_order``
        if not doc.paragraphs:
            return ()
        # The passages that can show each technique: sentences where the model decides per sentence.
        by_sentence = scores.sentences is not None and 0 < len(scores.sentences) == len(doc.sentences)
        passages = doc.sentences if by_sentence else doc.paragraphs
        local = scores.sentences if by_sentence else scores.paragraphs
        if scores.article is not None and self.article_threshold is not None:
            probs, thresholds = scores.article, np.full(len(self.labels), self.article_threshold)
        else:
            probs = scores.paragraphs.max(axis=0)
            thresholds = self.paragraph_thresholds if doc.threshold is None else np.full(len(self.labels), doc.threshold)
        out = []
        for j in np.argsort(-probs, kind="stable"):
            p, t = float(probs[j]), float(thresholds[j])
            if p < REPORT_FLOOR and p < t:
                continue
            best = int(np.argmax(local[:, j]))
            out.append(ArticleTechnique(self.labels[j], round(p, 4), p >= t, round(t, 4), passages[best].start,
                                        passages[best].end, round(float(local[best, j]), 4)))
        return tuple(out)
