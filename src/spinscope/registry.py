"""Detectors by name: the built-in ones, and any another package registers.

A package adds a detector with an entry point in the ``spinscope.detectors`` group::

    [project.entry-points."spinscope.detectors"]
    toy = "toy_detector:ToyDetector"

The object it names is called with the loaded scoring model and returns a
``components.Detector``. If it has a ``sections`` mapping (format -> callable(format,
value) -> str | None), the reports show that section for the slots it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import entry_points

from spinscope.components import Detector
from spinscope.detect.article_techniques import ArticleTechniquesDetector
from spinscope.detect.attribution import AttributionDetector
from spinscope.detect.block_labels import BlockLabelsDetector
from spinscope.detect.claims import ClaimsDetector
from spinscope.detect.entities import EntitiesDetector
from spinscope.detect.frames import FramesDetector
from spinscope.detect.genre import GenreDetector
from spinscope.detect.paragraph_labels import ParagraphLabelsDetector
from spinscope.detect.scores import ScoresDetector, ScoringModel
from spinscope.detect.techniques import TechniquesDetector
from spinscope.detect.word_effects import WordEffectsDetector
from spinscope.errors import InvalidOption

GROUP = "spinscope.detectors"
Factory = Callable[[ScoringModel], Detector]
BUILT_IN: Mapping[str, Factory] = {
    "scores": ScoresDetector, "techniques": TechniquesDetector, "article_techniques": ArticleTechniquesDetector,
    "frames": FramesDetector, "genre": GenreDetector,
    "attribution": AttributionDetector, "claims": ClaimsDetector, "entities": EntitiesDetector,
    "paragraph_labels": ParagraphLabelsDetector, "block_labels": BlockLabelsDetector,
    "word_effects": WordEffectsDetector,
}
# What ``spinscope.load()`` runs, in order. ``paragraph_labels`` and ``block_labels`` serve SemEval's
# paragraph task only.
DEFAULT_DETECTORS = ("scores", "techniques", "article_techniques", "frames", "genre", "attribution", "claims", "entities")


def explained(names: Sequence[str]) -> list[str]:
    """``names`` with ``word_effects`` right after ``techniques`` (the words that carry each
    detection; one model pass per word, so it is left out of the default list)."""
    names = [n for n in names if n != "word_effects"]
    if "techniques" not in names:
        return names
    at = names.index("techniques") + 1
    return [*names[:at], "word_effects", *names[at:]]


def factories() -> dict[str, Factory]:
    """Built-in detectors, then those installed packages register (read afresh on every call)."""
    found = dict(BUILT_IN)
    for ep in entry_points(group=GROUP):
        if ep.name not in found:
            found[ep.name] = ep.load()
    return found


def build(names: tuple[str, ...] | list[str], model: ScoringModel,
          options: Mapping[str, Mapping[str, object]] | None = None) -> list[Detector]:
    """The named detectors, each made with the model and its ``options`` (keyword settings)."""
    known = factories()
    options = options or {}
    unknown = [n for n in [*names, *options] if n not in known]
    if unknown:
        raise InvalidOption(f"unknown detector {unknown[0]!r}; known: {', '.join(sorted(known))}")
    out = []
    for n in names:
        if n not in options:
            out.append(known[n](model))
            continue
        try:
            out.append(known[n](model, **options[n]))
        except TypeError as exc:
            raise InvalidOption(f"detector {n!r} does not take the options {dict(options[n])}: {exc}") from exc
    return out


def section(slot: str, fmt: str) -> Callable[[str, object], str | None] | None:
    """The report section a registered detector provides for ``slot`` in format ``fmt``, if any."""
    for factory in factories().values():
        if slot in getattr(factory, "writes", ()):
            return getattr(factory, "sections", {}).get(fmt)
    return None
