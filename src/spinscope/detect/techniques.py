"""Persuasion techniques per paragraph, and where in each paragraph they are expressed.

Reads: article (text), paragraphs, sentences, threshold, scores. Writes: ``techniques``.
``predict`` applies the thresholds and places spans; each span carries its
explanation (the technique's definition, then why this text).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from spinscope.components import Doc
from spinscope.detect.scores import ArticleScores, ScoringModel
from spinscope.taxonomy import technique
from spinscope.types import Paragraph, ParagraphTechniques, Sentence, TechniqueScore, TechniqueSpan

# Scores below this are left out of results; they only bloat JSON.
REPORT_FLOOR = 0.05
# Techniques expressed by a word or short phrase: the span is the cue itself.
# For the others the span is the sentence that holds the cue.
WORD_LEVEL = frozenset({"Loaded_Language", "Name_Calling-Labeling", "Exaggeration-Minimisation", "Repetition"})

Located = tuple[tuple[int, int, int, float], ...]


class TechniquesDetector:
    name = "techniques"
    reads = ("article", "paragraphs", "sentences", "threshold", "scores")
    writes = ("techniques",)

    def __init__(self, model: ScoringModel) -> None:
        self.labels = model.techniques.labels
        self.thresholds = model.techniques.thresholds
        self.cues = model.cues

    def predict(self, docs: Sequence[Doc]) -> list[tuple[ParagraphTechniques, ...]]:
        return [self.paragraphs(d) for d in docs]

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[tuple[ParagraphTechniques, ...]]) -> None:
        for doc, found in zip(docs, predictions, strict=True):
            doc.write("techniques", found)

    def paragraphs(self, doc: Doc) -> tuple[ParagraphTechniques, ...]:
        scores = doc.scores
        assert scores is not None  # guaranteed by ``reads`` and ``check_order``
        t_all = self.thresholds if doc.threshold is None else np.full(len(self.labels), doc.threshold)
        results = []
        for row, para in enumerate(doc.paragraphs):
            probs = scores.paragraphs[row]
            tech_scores, spans = [], []
            located = scores.spans[row] if scores.spans is not None else ()
            for j in np.argsort(-probs):
                p = float(probs[j])
                detected = bool(p >= t_all[j])
                if p < REPORT_FLOOR and not detected:
                    continue
                t = round(float(t_all[j]), 4)
                tech_scores.append(TechniqueScore(self.labels[j], round(p, 4), detected, t))
                if detected:
                    placed = self._place(doc.article.text, para, doc.sentences, scores, located, int(j), p, t)
                    spans += [dataclasses.replace(x, threshold=t) for x in placed]
            results.append(ParagraphTechniques(para, tuple(tech_scores), tuple(spans)))
        return tuple(results)

    def _place(self, text: str, para: Paragraph, sents: tuple[Sentence, ...], scores: ArticleScores,
               located: Located, j: int, p: float, t: float) -> list[TechniqueSpan]:
        """Spans for technique ``j``, detected in ``para`` with probability ``p`` over threshold ``t``."""
        if scores.sentences is not None:
            return self._sentence_spans(text, para, sents, scores.sentences, located, j, t)
        found = [s for s in located if s[0] == j]
        if found:
            return [self._token_span(text, para, j, s, e, p) for _, s, e, _q in found]
        return [self._cue_span(text, para, sents, j, p)]

    def _sentence_spans(self, text: str, para: Paragraph, sents: tuple[Sentence, ...], probs: np.ndarray,
                        located: Located, j: int, t: float) -> list[TechniqueSpan]:
        """Every sentence of the paragraph whose own probability clears the threshold.

        The span is the stretch the token head marked inside that sentence where it marked
        something (``transformer.token_spans``), else the whole sentence: a sentence is the
        unit that was decided, and the token head is too weak to narrow it down on its own.
        """
        out = []
        for row, sent in enumerate(sents):
            p = float(probs[row, j])
            if sent.paragraph != para.index or p < t:  # the paragraph's strongest sentence always clears it
                continue
            marked = [(s, e) for k, s, e, _q in located if k == j and s >= sent.start and e <= sent.end]
            out += [self._token_span(text, para, j, s, e, p) for s, e in marked]
            if not marked:
                out.append(explained_span(self.labels[j], text, para, sent.start, sent.end, p, (),
                                          f" The sentence as a whole scored {p:.0%}; the model marked no words in it."))
        return out

    def _token_span(self, text: str, para: Paragraph, j: int, start: int, end: int, p: float) -> TechniqueSpan:
        """A span the model's token head marked; its words are the cue."""
        cue = " ".join(text[start:end].split())
        short = cue if len(cue) <= 80 else cue[:77] + "..."
        return explained_span(self.labels[j], text, para, start, end, p, (short,), f" Marked by the model: {short!r}.")

    def _cue_span(self, text: str, para: Paragraph, sents: tuple[Sentence, ...], j: int, p: float) -> TechniqueSpan:
        """Place a detected technique inside its paragraph with the cue lexicon.

        Word-level techniques get the run of cue words around the strongest
        one; the others get the sentence with the most cue weight. Without any
        cue word the span is the whole paragraph.
        """
        name = self.labels[j]
        start, end, cue_words = para.start, para.end, ()
        if name in WORD_LEVEL:
            cue = self.cues.phrase(text, para.start, para.end, name)
            if cue is not None:
                start, end, cue_words = cue.start, cue.end, cue.words
        else:
            own = [s for s in sents if s.paragraph == para.index]
            best = max(own, key=lambda s: self.cues.strength(text, s.start, s.end, name), default=None)
            if best is not None and self.cues.strength(text, best.start, best.end, name) > 0:
                start, end = best.start, best.end
                cue_words = self.cues.top_words(text, start, end, name)
        because = f" Cue: {', '.join(repr(w) for w in cue_words)}." if cue_words else ""
        return explained_span(name, text, para, start, end, p, tuple(cue_words), because)


def explained_span(
    name: str, text: str, para: Paragraph, start: int, end: int, p: float, cues: tuple[str, ...], because: str
) -> TechniqueSpan:
    """The span with its explanation: the technique's definition, then why this text."""
    return TechniqueSpan(
        technique=name,
        start=start,
        end=end,
        confidence=round(p, 4),
        text=text[start:end],
        paragraph=para.index,
        cues=cues,
        explanation=explanation(name, because),
    )


def explanation(name: str, because: str) -> str:
    """A span's explanation: the technique's definition, then ``because`` (why this text)."""
    info = technique(name)
    return f"{info.label}: {info.definition}{because}"
