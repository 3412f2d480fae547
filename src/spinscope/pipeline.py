"""The one ``Pipeline``: ingest -> segment -> detect -> results.

Models load once, in ``load()``. ``predict`` is pure (article in, scores
out); ``annotate`` applies thresholds and builds the typed ``Analysis``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np

from spinscope import languages
from spinscope.detect.classic import ArticleScores, ClassicModel
from spinscope.detect.transformer import TransformerModel
from spinscope.errors import InvalidOption
from spinscope.ingest import article_from_text
from spinscope.ingest.text import ENCODING_NOTE
from spinscope.segment import paragraphs, sentences
from spinscope.taxonomy import technique
from spinscope.types import (
    Analysis,
    Article,
    FrameScore,
    Genre,
    ModelInfo,
    Paragraph,
    ParagraphTechniques,
    Sentence,
    TechniqueScore,
    TechniqueSpan,
)

MODELS_DIR = Path(__file__).parent / "models"
DEFAULT_MODEL = "transformer"
# `spinscope serve --model` hands its choice to the worker processes through this variable.
MODEL_ENV = "SPINSCOPE_MODEL"
# Scores below this are left out of results; they only bloat JSON.
REPORT_FLOOR = 0.05
# Techniques expressed by a word or short phrase: the span is the cue itself.
# For the others the span is the sentence that holds the cue.
WORD_LEVEL = frozenset({"Loaded_Language", "Name_Calling-Labeling", "Exaggeration-Minimisation", "Repetition"})
MIN_LANGUAGE_CONFIDENCE = 0.5
# Beyond this, analysis time grows past a few seconds; no news article is this long.
MAX_ANALYSED_CHARS = 200_000


def load(model: str | Path = DEFAULT_MODEL) -> Pipeline:
    """Load a model by name (``transformer`` or ``classic``, under ``spinscope/models``) or by path."""
    path = Path(model)
    if not path.exists() and (MODELS_DIR / str(model)).exists():
        path = MODELS_DIR / str(model)
    if (path / "model.onnx").is_file():
        return Pipeline(TransformerModel.load(path))
    return Pipeline(ClassicModel.load(path))


def _check_threshold(threshold: float | None) -> None:
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise InvalidOption(f"threshold must be between 0 and 1, got {threshold}")


class Pipeline:
    def __init__(self, model: ClassicModel | TransformerModel) -> None:
        self.model = model
        self.info = ModelInfo(name=model.name, version=model.version, kind=model.kind)

    def __call__(self, source: str | Article, *, threshold: float | None = None, language: str | None = None) -> Analysis:
        _check_threshold(threshold)
        article = source if isinstance(source, Article) else article_from_text(source)
        article, warnings = self._with_language(article, language)
        paras = paragraphs(article.text)
        analysed = tuple(p for p in paras if p.end <= MAX_ANALYSED_CHARS)
        if not analysed and paras:  # one enormous line: analyse its beginning
            first = paras[0]
            analysed = (Paragraph(first.index, first.start, min(first.end, first.start + MAX_ANALYSED_CHARS)),)
        if analysed and analysed[-1].end < paras[-1].end:
            warnings.append(
                f"the article is {len(article.text):,} characters long; only its first {analysed[-1].end:,} "
                f"characters ({len(analysed)} of {len(paras)} paragraphs) were analysed"
            )
        return self.annotate(article, analysed, self.predict(article, analysed), threshold, warnings)

    def pipe(
        self, sources: Iterable[str | Article], *, batch_size: int = 32, threshold: float | None = None
    ) -> Iterator[Analysis]:
        """Analyse a stream lazily, ``batch_size`` inputs at a time, in input order."""
        if batch_size < 1:
            raise InvalidOption("batch_size must be at least 1")
        it = iter(sources)
        while batch := list(islice(it, batch_size)):
            for source in batch:
                yield self(source, threshold=threshold)

    def predict(self, article: Article, paras: tuple[Paragraph, ...]) -> ArticleScores:
        return self.model.predict(article.text, paras, article.language)

    def _with_language(self, article: Article, override: str | None) -> tuple[Article, list[str]]:
        warnings: list[str] = []
        if ENCODING_NOTE in article.metadata:
            warnings.append(article.metadata[ENCODING_NOTE])
        if override:
            lang = languages.normalize(override)
            found, prob = languages.detect(article.text)
            if found != lang and prob >= MIN_LANGUAGE_CONFIDENCE:
                warnings.append(f"the language was set to '{lang}', but the text looks like '{found}' (p={prob:.2f})")
        elif article.language:
            lang = article.language
        else:
            lang, prob = languages.detect(article.text)
            if prob < MIN_LANGUAGE_CONFIDENCE:
                warnings.append(f"language detection is unsure ({lang}, p={prob:.2f})")
        if lang not in languages.TRAINED:
            warnings.append(
                f"language '{lang}' has no training data; the multilingual model's results are less reliable"
            )
        return dataclasses.replace(article, language=lang), warnings

    def annotate(
        self,
        article: Article,
        paras: tuple[Paragraph, ...],
        scores: ArticleScores,
        threshold: float | None = None,
        warnings: Iterable[str] = (),
    ) -> Analysis:
        _check_threshold(threshold)
        head = self.model.techniques
        t_tech = head.thresholds if threshold is None else np.full(len(head.labels), threshold)
        t_frame = self.model.frames.thresholds if threshold is None else np.full(len(self.model.frames.labels), threshold)
        sents = sentences(article.text, paras)
        results = []
        for row, para in enumerate(paras):
            probs = scores.paragraphs[row]
            tech_scores = []
            spans = []
            located = scores.spans[row] if scores.spans is not None else ()
            for j in np.argsort(-probs):
                p = float(probs[j])
                detected = bool(p >= t_tech[j])
                if p < REPORT_FLOOR and not detected:
                    continue
                t = round(float(t_tech[j]), 4)
                tech_scores.append(TechniqueScore(head.labels[j], round(p, 4), detected, t))
                if detected:
                    placed = self._place(article.text, para, sents, scores, located, int(j), p, t)
                    spans += [dataclasses.replace(x, threshold=t) for x in placed]
            results.append(ParagraphTechniques(para, tuple(tech_scores), tuple(spans)))
        genre_labels = self.model.genre.labels
        genre = Genre(
            label=genre_labels[int(np.argmax(scores.genre))],
            scores={g: round(float(s), 4) for g, s in zip(genre_labels, scores.genre, strict=True)},
        )
        frames = tuple(
            sorted(
                (FrameScore(f, round(float(p), 4), bool(p >= t), round(float(t), 4)) for f, p, t in
                 zip(self.model.frames.labels, scores.frames, t_frame, strict=True)),
                key=lambda f: -f.confidence,
            )
        )
        return Analysis(
            article=article,
            paragraphs=tuple(results),
            sentences=sents,
            genre=genre,
            frames=frames,
            model=self.info,
            threshold=threshold,
            warnings=tuple(warnings),
        )

    def _place(self, text: str, para: Paragraph, sents: tuple[Sentence, ...], scores: ArticleScores,
               located: tuple[tuple[int, int, int, float], ...], j: int, p: float, t: float) -> list[TechniqueSpan]:
        """Spans for technique ``j``, detected in ``para`` with probability ``p`` over threshold ``t``."""
        if scores.sentences is not None:
            return self._sentence_spans(text, para, sents, scores.sentences, located, j, t)
        found = [s for s in located if s[0] == j]
        if found:
            return [self._token_span(text, para, j, s, e, p) for _, s, e, _q in found]
        return [self._span(text, para, sents, j, p)]

    def _sentence_spans(self, text: str, para: Paragraph, sents: tuple[Sentence, ...], probs: np.ndarray,
                        located: tuple[tuple[int, int, int, float], ...], j: int, t: float) -> list[TechniqueSpan]:
        """Every sentence of the paragraph whose own probability clears the threshold.

        The span is what the token head marked inside that sentence where it marked
        something, else the whole sentence: a sentence is the unit that was decided,
        and the token head is too weak to narrow it down on its own.
        """
        out = []
        name = self.model.techniques.labels[j]
        for row, sent in enumerate(sents):
            p = float(probs[row, j])
            if sent.paragraph != para.index or p < t:  # the paragraph's strongest sentence always clears it
                continue
            marked = [(s, e) for k, s, e, _q in located if k == j and s >= sent.start and e <= sent.end]
            out += [self._token_span(text, para, j, s, e, p) for s, e in marked]
            if not marked:
                out.append(_technique_span(name, text, para, sent.start, sent.end, p, (),
                                           f" The sentence as a whole scored {p:.0%}; the model marked no words in it."))
        return out

    def _token_span(self, text: str, para: Paragraph, j: int, start: int, end: int, p: float) -> TechniqueSpan:
        """A span the model's token head marked; its words are the cue."""
        cue = " ".join(text[start:end].split())
        short = cue if len(cue) <= 80 else cue[:77] + "..."
        return _technique_span(self.model.techniques.labels[j], text, para, start, end, p, (short,),
                               f" Marked by the model: {short!r}.")

    def _span(self, text: str, para: Paragraph, sents: tuple[Sentence, ...], j: int, p: float) -> TechniqueSpan:
        """Place a detected technique inside its paragraph with the cue lexicon.

        Word-level techniques get the run of cue words around the strongest
        one; the others get the sentence with the most cue weight. Without any
        cue word the span is the whole paragraph.
        """
        name = self.model.techniques.labels[j]
        lex = self.model.cues
        start, end, cue_words = para.start, para.end, ()
        if name in WORD_LEVEL:
            cue = lex.phrase(text, para.start, para.end, name)
            if cue is not None:
                start, end, cue_words = cue.start, cue.end, cue.words
        else:
            own = [s for s in sents if s.paragraph == para.index]
            best = max(own, key=lambda s: lex.strength(text, s.start, s.end, name), default=None)
            if best is not None and lex.strength(text, best.start, best.end, name) > 0:
                start, end = best.start, best.end
                cue_words = lex.top_words(text, start, end, name)
        because = f" Cue: {', '.join(repr(w) for w in cue_words)}." if cue_words else ""
        return _technique_span(name, text, para, start, end, p, tuple(cue_words), because)


def _technique_span(
    name: str, text: str, para: Paragraph, start: int, end: int, p: float, cues: tuple[str, ...], because: str
) -> TechniqueSpan:
    """The span with its explanation: the technique's definition, then why this text."""
    info = technique(name)
    return TechniqueSpan(
        technique=name,
        start=start,
        end=end,
        confidence=round(p, 4),
        text=text[start:end],
        paragraph=para.index,
        cues=cues,
        explanation=f"{info.label}: {info.definition}{because}",
    )
