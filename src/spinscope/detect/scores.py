"""The shared model pass: one run of the scoring model per article, read by the heads after it.

Reads: article (text, language), paragraphs. Writes: ``scores`` (``ArticleScores``).
Like spaCy's transformer component, it holds no decisions of its own: the
techniques, frames and genre detectors turn its probabilities into results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from spinscope.components import Doc
    from spinscope.detect.cues import CueLexicon
    from spinscope.detect.decisions import ArticleDecisions, LineContext
    from spinscope.detect.linear import LinearHead
    from spinscope.types import Paragraph


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Started:
    """Work under way (``start``): calling it waits for the results; ``cancel`` drops the part
    not begun yet, for a caller that will never ask for them."""

    wait: Callable[[], list]
    cancel: Callable[[], None] = _nothing

    def __call__(self) -> list:
        return self.wait()


@dataclass(frozen=True)
class ArticleScores:
    """Calibrated probabilities before any threshold is applied."""

    paragraphs: np.ndarray  # (n_paragraphs, n_techniques)
    frames: np.ndarray  # (n_frames,)
    genre: np.ndarray  # (n_genres,)
    # Per paragraph: (technique index, start, end, probability) from a span head; None without one.
    spans: tuple[tuple[tuple[int, int, int, float], ...], ...] | None = None
    # (n_sentences, n_techniques) for ``segment.sentences`` of the paragraphs, from a model that
    # decides per sentence; ``paragraphs`` then holds each paragraph's strongest sentence.
    sentences: np.ndarray | None = None
    # (n_sentences, hidden + 1): each sentence's pooled encoder vector and log length, for heads
    # that read sentences (check-worthiness); None from models without an encoder.
    sentence_features: np.ndarray | None = None
    # (n_techniques,): the calibrated probability that the article as a whole uses each technique,
    # from models with article decisions (``detect.decisions.ArticleDecisions``); None otherwise.
    article: np.ndarray | None = None


def sentence_features(vectors: np.ndarray, n_tokens: np.ndarray) -> np.ndarray:
    """Per sentence: the encoder's pooled vector and the log of its length in tokens."""
    return np.hstack([vectors, np.log1p(n_tokens)[:, None]]).astype(np.float32)


class ScoringModel(Protocol):
    """What the built-in detectors need of a loaded model (classic or transformer)."""

    kind: str
    name: str
    version: str
    techniques: LinearHead
    frames: LinearHead
    genre: LinearHead
    cues: CueLexicon
    # The operating point of ``ArticleScores.article``; None for models without article decisions.
    article_threshold: float | None
    # Satire is the genre label only at this probability or above (``detect.genre``); None: argmax.
    satire_floor: float | None
    # For text cut one sentence per line, the labels of each line's paragraph (``detect.decisions.LineContext``);
    # None for models without one.
    line_context: LineContext | None
    # Whether a paragraph as a whole uses each technique, from its sentences' probabilities
    # (``ArticleDecisions`` fitted on paragraphs; ``detect.paragraph_labels``); None for models without them.
    paragraph_decisions: ArticleDecisions | None

    def predict(self, text: str, paragraphs: tuple[Paragraph, ...], language: str | None = None) -> ArticleScores: ...

    def start(self, items: Sequence[tuple[str, tuple[Paragraph, ...], str | None]]) -> Started:
        """Begin ``predict`` for each (text, paragraphs, language); calling the result gives the
        same results. A model may work in the background until then (the encoder's pool)."""
        ...

    def readable_chars(self, text: str) -> int:
        """How much of ``text``, from its start, the model reads within its work budget."""
        ...

    def in_worker(self) -> None:
        """Adjust to running in a forked worker process (see ``spinscope.parallel``)."""
        ...


class ScoresDetector:
    name = "scores"
    reads = ("article", "paragraphs")
    writes = ("scores",)

    def __init__(self, model: ScoringModel) -> None:
        self.model = model

    def predict(self, docs: Sequence[Doc]) -> list[ArticleScores]:
        return self.start(docs)()

    def start(self, docs: Sequence[Doc]) -> Started:
        """``predict``, begun now and finished by calling the result (see ``components.Startable``)."""
        return self.model.start([(d.article.text, d.paragraphs, d.article.language) for d in docs])

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[ArticleScores]) -> None:
        for doc, scores in zip(docs, predictions, strict=True):
            doc.write("scores", scores)
