"""The techniques each paragraph as a whole uses: what tasks that label paragraphs score.

Reads: paragraphs, sentences, threshold, scores. Writes: ``paragraph_labels``, an extension slot
(``extensions.paragraph_labels`` in JSON): per paragraph, its index and the techniques it uses,
most likely first.

The analysis flags a technique in a paragraph where one of its sentences clears the threshold:
a detection is what a sentence shows, with its span. SemEval labels paragraphs instead, with
what any of their sentences shows, and evidence spread over a paragraph's sentences adds up. So
this detector reads a model's paragraph decisions (``decisions.ArticleDecisions`` fitted on the
validation fold's paragraphs: the noisy-OR of the paragraph's sentence probabilities and its
strongest sentence's, never below the strongest). It is not in the default pipeline;
``evaluation.semeval.predict_folder`` adds it for subtask 3. A model without paragraph
decisions (the classical model, transformers before v4.9) gives each paragraph's strongest
sentence at the model's thresholds: the analysis' own detections.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spinscope.components import Doc
from spinscope.detect.scores import ArticleScores, ScoringModel
from spinscope.types import Sentence

SLOT = "paragraph_labels"
# Per paragraph: (its index, the techniques it uses, most likely first).
Labels = tuple[tuple[int, tuple[str, ...]], ...]


class ParagraphLabelsDetector:
    name = "paragraph_labels"
    reads = ("paragraphs", "sentences", "threshold", "scores")
    writes = (SLOT,)

    def __init__(self, model: ScoringModel) -> None:
        self.labels = model.techniques.labels
        self.thresholds = model.techniques.thresholds
        self.decisions = getattr(model, "paragraph_decisions", None)

    def predict(self, docs: Sequence[Doc]) -> list[Labels]:
        return [self.paragraph_labels(d) for d in docs]

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[Labels]) -> None:
        for doc, found in zip(docs, predictions, strict=True):
            doc.write(self.writes[0], found)

    def paragraph_labels(self, doc: Doc, group_of: dict[int, int] | None = None) -> Labels:
        """Per paragraph, its labels; with ``group_of`` (paragraph index -> the key of its group),
        those of its group's sentences taken together (needs the model's paragraph decisions)."""
        scores = doc.scores
        assert scores is not None  # guaranteed by ``reads`` and ``check_order``
        keys = list(dict.fromkeys(group_of.values())) if group_of else [p.index for p in doc.paragraphs]
        probs, thresholds = self.probabilities(scores, doc.sentences, keys, group_of)
        if doc.threshold is not None:
            thresholds = np.full(len(self.labels), doc.threshold)
        row = {key: i for i, key in enumerate(keys)}
        out = []
        for p in doc.paragraphs:
            q = probs[row[group_of[p.index] if group_of else p.index]]
            out.append((p.index, tuple(self.labels[j] for j in np.argsort(-q, kind="stable") if q[j] >= thresholds[j])))
        return tuple(out)

    def probabilities(self, scores: ArticleScores, sents: tuple[Sentence, ...], keys: list[int],
                      group_of: dict[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(len(keys), n_techniques) probabilities of each paragraph (``keys`` their indices) or
        each group of them, and their (n_techniques,) thresholds."""
        if self.decisions is None or scores.sentences is None:
            if group_of:
                raise ValueError("paragraphs are grouped only through a model's paragraph decisions")
            return scores.paragraphs, np.asarray(self.thresholds)
        owner = np.array([group_of[s.paragraph] if group_of else s.paragraph for s in sents], np.int64)
        probs = self.decisions.grouped(scores.sentences, owner, keys)
        return probs, np.full(len(self.labels), self.decisions.threshold)
