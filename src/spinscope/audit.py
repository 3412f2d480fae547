"""Counterfactual audits: does a detection depend on *who* is named?

``audit_swap`` analyses an article and a copy in which names are exchanged
("Pakistan=India"), and lists every technique decision that moves. The same
rhetoric should get the same verdict whoever its target is; each moved decision
is evidence that it does not.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spinscope.errors import InvalidOption
from spinscope.taxonomy import TECHNIQUE_NAMES
from spinscope.types import Analysis, Article


@dataclass(frozen=True, slots=True)
class Swap:
    """Replace every whole-word ``old`` with ``new`` (case-sensitive)."""

    old: str
    new: str

    @classmethod
    def parse(cls, spec: str) -> Swap:
        old, sep, new = spec.partition("=")
        old, new = old.strip(), new.strip()
        if not sep or not old or not new:
            raise InvalidOption(f"a swap is written OLD=NEW, e.g. 'Pakistan=India'; got {spec!r}")
        if "\n" in old + new:
            raise InvalidOption("swapped names cannot contain line breaks")
        if old == new:
            raise InvalidOption(f"swap {spec!r} changes nothing")
        return cls(old, new)


def apply_swaps(text: str, swaps: Sequence[Swap]) -> tuple[str, dict[str, int]]:
    """The text with all swaps applied at once (so A=B, B=A exchanges), and the count per name."""
    if not swaps:
        raise InvalidOption("give at least one swap")
    olds = [s.old for s in swaps]
    if len(set(olds)) != len(olds):
        raise InvalidOption("each name may be swapped only once")
    table = {s.old: s.new for s in swaps}
    # Longest first, so "North Korea" wins over "Korea"; word edges so "Iran" leaves "Iranian" alone.
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(o) for o in sorted(olds, key=len, reverse=True)) + r")(?!\w)")
    counts = dict.fromkeys(olds, 0)

    def replace(m: re.Match[str]) -> str:
        counts[m.group(1)] += 1
        return table[m.group(1)]

    return pattern.sub(replace, text), counts


@dataclass(frozen=True, slots=True)
class MovedDecision:
    """A technique decision that differs between the two versions: in a paragraph (its line
    number), or in the article as a whole (``paragraph`` 0)."""

    paragraph: int
    technique: str
    confidence_before: float
    confidence_after: float
    detected_before: bool
    detected_after: bool


@dataclass(frozen=True, slots=True)
class SwapAudit:
    swaps: tuple[Swap, ...]
    replacements: dict[str, int]
    original: Analysis
    swapped: Analysis
    moved: tuple[MovedDecision, ...]
    decisions: int  # paragraph x technique decisions compared
    article_moved: tuple[MovedDecision, ...] = ()  # the article as a whole (``Analysis.techniques``)

    @property
    def flip_rate(self) -> float:
        return len(self.moved) / self.decisions if self.decisions else 0.0

    @property
    def paragraphs_changed(self) -> int:
        return len({m.paragraph for m in self.moved})

    @property
    def genre_moved(self) -> tuple[str, str] | None:
        """The genre label before and after the swap, when it changed."""
        return genre_moved(self.original, self.swapped)


Decisions = dict[tuple[int, str], tuple[float, bool]]


def _decisions(analysis: Analysis) -> Decisions:
    return {(p.paragraph.index, s.technique): (s.confidence, s.detected) for p in analysis.paragraphs for s in p.scores}


def _article_decisions(analysis: Analysis) -> Decisions:
    return {(0, t.technique): (t.confidence, t.detected) for t in analysis.techniques}


def _moved(before: Decisions, after: Decisions) -> tuple[MovedDecision, ...]:
    moved = []
    for key in sorted(before.keys() | after.keys()):
        (pb, db), (pa, da) = before.get(key, (0.0, False)), after.get(key, (0.0, False))
        if db != da:
            moved.append(MovedDecision(key[0], key[1], pb, pa, db, da))
    return tuple(moved)


def compare(original: Analysis, swapped: Analysis) -> tuple[tuple[MovedDecision, ...], int]:
    """Decisions that differ, paragraph by paragraph (swaps keep line numbers), and how many were compared."""
    return _moved(_decisions(original), _decisions(swapped)), len(original.paragraphs) * len(TECHNIQUE_NAMES)


def compare_article(original: Analysis, swapped: Analysis) -> tuple[MovedDecision, ...]:
    """Decisions on the article as a whole that differ (``paragraph`` 0)."""
    return _moved(_article_decisions(original), _article_decisions(swapped))


def genre_moved(original: Analysis, swapped: Analysis) -> tuple[str, str] | None:
    before, after = original.genre.label, swapped.genre.label
    return None if before == after else (before, after)


def audit_swap(nlp, article: Article, swaps: Sequence[Swap], *, threshold: float | None = None,  # noqa: ANN001
               language: str | None = None) -> SwapAudit:
    """Analyse ``article`` and its name-swapped copy with ``nlp`` (a ``Pipeline``) and compare them."""
    text, counts = apply_swaps(article.text, swaps)
    if not any(counts.values()):
        raise InvalidOption("none of the names to swap occurs in the article")
    original = nlp(article, threshold=threshold, language=language)
    # The swapped copy keeps the original's language, so detection cannot differ on that.
    swapped = nlp(dataclasses.replace(article, text=text, title=None), threshold=threshold,
                  language=language or original.article.language)
    moved, n = compare(original, swapped)
    return SwapAudit(tuple(swaps), counts, original, swapped, moved, n, compare_article(original, swapped))
