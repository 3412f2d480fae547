"""The detector contract: what a pipeline component reads, what it writes, and how it runs.

In the spirit of spaCy components. A detector declares its ``name``, the slots it
``reads`` and the slots it ``writes``; ``predict`` is pure (documents in, predictions
out) and ``set_annotations`` is the one step that writes. The ``Pipeline`` runs a
configured list of detectors over a batch of ``Doc``s and freezes each into an
``Analysis``. Detectors are found by name in ``spinscope.registry``.

A detector is one module plus its registration. Built-in slots are typed fields
of ``Doc``; a detector from another package writes its own slot under
``Doc.extensions`` and its result appears in JSON under ``extensions.<slot>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from spinscope.detect.scores import ArticleScores, Started
from spinscope.errors import InvalidOption
from spinscope.types import (
    AnalysisWarning,
    Article,
    ArticleTechnique,
    Attribution,
    Claim,
    Entity,
    FrameScore,
    Genre,
    Paragraph,
    ParagraphTechniques,
    Sentence,
)

# Slots every document has before any detector runs.
INPUTS = ("article", "paragraphs", "sentences", "threshold")
# Slots built-in detectors fill; anything else a detector writes goes to ``extensions``.
BUILT_IN = ("scores", "techniques", "article_techniques", "frames", "genre", "attributions", "claims", "entities")


@dataclass(slots=True)
class Doc:
    """One article on its way through the pipeline. Mutable only inside ``Pipeline``."""

    article: Article
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    threshold: float | None = None
    warnings: list[AnalysisWarning] = field(default_factory=list)
    scores: ArticleScores | None = None  # the shared model pass that later detectors read
    techniques: tuple[ParagraphTechniques, ...] = ()
    article_techniques: tuple[ArticleTechnique, ...] = ()
    frames: tuple[FrameScore, ...] = ()
    genre: Genre | None = None
    attributions: tuple[Attribution, ...] = ()
    claims: tuple[Claim, ...] = ()
    entities: tuple[Entity, ...] = ()
    extensions: dict[str, object] = field(default_factory=dict)

    def read(self, slot: str) -> object:
        return getattr(self, slot) if slot in INPUTS or slot in BUILT_IN else self.extensions[slot]

    def write(self, slot: str, value: object) -> None:
        if slot in INPUTS:
            raise InvalidOption(f"a detector may not overwrite the input slot {slot!r}")
        if slot in BUILT_IN:
            setattr(self, slot, value)
        else:
            self.extensions[slot] = value


@runtime_checkable
class Detector(Protocol):
    """What the pipeline needs of a component."""

    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]

    def predict(self, docs: Sequence[Doc]) -> Sequence[object]:
        """Pure: one prediction per document, from the slots in ``reads`` only."""

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[object]) -> None:
        """Write each prediction into its document's ``writes`` slots."""


@runtime_checkable
class Startable(Protocol):
    """A detector that can begin ``predict`` early, in the background (the encoder's pool).

    ``Pipeline.pipe`` starts the next batch with it while the current batch's later detectors
    run. Only a detector that reads nothing but ``INPUTS`` is started early.
    """

    def start(self, docs: Sequence[Doc]) -> Started:
        """Begin ``predict(docs)``; calling the result gives its predictions."""


def startable(detectors: Sequence[Detector]) -> list[Detector]:
    """The detectors ``Pipeline.pipe`` may start a batch ahead: ``Startable``, reading inputs only."""
    return [d for d in detectors if isinstance(d, Startable) and set(d.reads) <= set(INPUTS)]


def check_order(detectors: Sequence[Detector]) -> None:
    """Every slot a detector reads is an input or written by a detector before it."""
    available = set(INPUTS)
    seen: set[str] = set()
    for d in detectors:
        if d.name in seen:
            raise InvalidOption(f"detector {d.name!r} is listed twice")
        seen.add(d.name)
        missing = [r for r in d.reads if r not in available]
        if missing:
            raise InvalidOption(f"detector {d.name!r} reads {', '.join(missing)}, which no detector before it writes")
        available.update(d.writes)
