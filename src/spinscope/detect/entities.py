"""Entity targets: whom the article's rhetoric is aimed at.

Reads: article (text, language), sentences, techniques (the detected spans).
Writes: ``entities``.

Mentions come from ``detect.mentions`` (the rules by default; spaCy with the option
``{"entities": {"backend": "spacy"}}`` or ``"auto"``) and are grouped per entity. Each
detected technique span is aimed at the entities it covers; when it covers none, at the
entities its sentence names or refers back to ("it", "the group", "the state"... for
English: the nearest name before "it" in its sentence, else the first fitting name of the
nearest earlier sentence that has one). Its weight — attacks on reputation 2, loaded
language 1.5, anything else 0.5, times its confidence — is shared equally among those
targets. An entity's ``attacked`` is the sum of its shares.
The weights are a reading of the taxonomy, not fitted: there is no labelled target data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spinscope.components import Doc
from spinscope.detect.mentions import Mention, finder_for, resolve
from spinscope.detect.scores import ScoringModel
from spinscope.taxonomy import category_of
from spinscope.types import Entity, Offsets, Sentence, TargetEvidence, TechniqueSpan

WEIGHTS = {"attack_on_reputation": 2.0}
TECHNIQUE_WEIGHTS = {"Loaded_Language": 1.5}
OTHER_WEIGHT = 0.5
# English words that refer back to an entity named before, and the labels each may refer to.
ANAPHORA = re.compile(r"\b(?:it|its|itself|the (?:group|organi[sz]ation|movement|network|state|country|"
                      r"government|regime|party))\b", re.IGNORECASE)
REFERS_TO = {"group": ("organisation", "group", "other"), "organisation": ("organisation", "other"),
             "organization": ("organisation", "other"), "movement": ("organisation", "group", "other"),
             "network": ("organisation", "other"), "party": ("organisation", "other"),
             "state": ("place",), "country": ("place",), "government": ("place",), "regime": ("place",)}
NON_PERSON = ("organisation", "place", "group", "other")
REFERS_TO_PRONOUNS = ("it", "its", "itself")


def weight(technique: str) -> float:
    return TECHNIQUE_WEIGHTS.get(technique, WEIGHTS.get(category_of(technique).name, OTHER_WEIGHT))


@dataclass
class _Tally:
    techniques: dict[str, int]
    attacked: float
    evidence: list[TargetEvidence]


class EntitiesDetector:
    name = "entities"
    reads = ("article", "sentences", "techniques")
    writes = ("entities",)

    def __init__(self, model: ScoringModel | None = None, backend: str = "rules") -> None:
        # Rules by default, so results do not change with what else is installed; "spacy" or "auto" opt in.
        # An unknown backend, or "spacy" without spaCy's English pipeline, fails at load rather than mid-batch.
        finder_for("en" if backend == "spacy" else None, backend)
        self.backend = backend

    def predict(self, docs: Sequence[Doc]) -> list[tuple[Entity, ...]]:
        return [self._entities(d) for d in docs]

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[tuple[Entity, ...]]) -> None:
        for doc, found in zip(docs, predictions, strict=True):
            doc.write("entities", found)

    def _entities(self, doc: Doc) -> tuple[Entity, ...]:
        text, language = doc.article.text, doc.article.language
        groups = resolve(text, finder_for(language, self.backend).find(text, language))
        if not groups:
            return ()
        owner = {(m.start, m.end): i for i, g in enumerate(groups) for m in g}
        mentions = sorted((m for g in groups for m in g), key=lambda m: m.start)
        tallies = [_Tally({}, 0.0, []) for _ in groups]
        spans = [s for p in doc.techniques for s in p.spans if s.threshold is None or s.confidence >= s.threshold]
        for span in spans:
            targets = _targets(span, doc.sentences, mentions, owner, groups, text, language)
            for i in targets:
                t = tallies[i]
                t.techniques[span.technique] = t.techniques.get(span.technique, 0) + 1
                t.attacked += weight(span.technique) * span.confidence / len(targets)
                t.evidence.append(TargetEvidence(span.technique, span.start, span.end, span.confidence))
        out = [Entity(_name(text, g), _label(g), tuple(Offsets(m.start, m.end) for m in g), dict(t.techniques),
                      round(t.attacked, 4), tuple(t.evidence)) for g, t in zip(groups, tallies, strict=True)]
        return tuple(sorted(out, key=lambda e: (-e.attacked, e.mentions[0].start)))


def _targets(span: TechniqueSpan, sentences: Sequence[Sentence], mentions: list[Mention],
             owner: dict[tuple[int, int], int], groups: list[list[Mention]], text: str,
             language: str | None) -> list[int]:
    """The entities one detection is aimed at (indices into ``groups``)."""
    inside = {owner[(m.start, m.end)] for m in mentions if m.start < span.end and span.start < m.end}
    if inside:
        return sorted(inside)
    sentence = next((s for s in sentences if s.start <= span.start < s.end), None)
    if sentence is None:
        return []
    named = {owner[(m.start, m.end)] for m in mentions if sentence.start <= m.start < sentence.end}
    if language in (None, "en"):
        for ref in ANAPHORA.finditer(text, sentence.start, sentence.end):
            noun = ref.group().lower().split()[-1]
            labels = REFERS_TO.get(noun, NON_PERSON)
            fits = [m for m in mentions if _label(groups[owner[(m.start, m.end)]]) in labels]
            # "it" may point back within its sentence, to the nearest name; "the group" names someone
            # other than its sentence's names.
            within = [m for m in fits if sentence.start <= m.start and m.end <= ref.start()]
            found = within[-1] if within and noun in REFERS_TO_PRONOUNS else _subject_before(sentence.start, sentences, fits)
            if found is not None:
                named.add(owner[(found.start, found.end)])
    return sorted(named)


def _subject_before(start: int, sentences: Sequence[Sentence], fits: list[Mention]) -> Mention | None:
    """The first fitting name of the nearest earlier sentence that has one: the sentence's subject,
    more often than its last name ("The Crimson Brotherhood wages a war on Sylvania. Its bombings
    ..." is about the Brotherhood)."""
    for s in reversed([s for s in sentences if s.end <= start]):
        first = next((m for m in fits if s.start <= m.start < s.end), None)
        if first is not None:
            return first
    return None


def _name(text: str, group: list[Mention]) -> str:
    """The entity's longest mention, its first spelling on ties."""
    return max((text[m.start:m.end] for m in group), key=len)


def _label(group: list[Mention]) -> str:
    labels = [m.label for m in group]
    return max(dict.fromkeys(labels), key=labels.count)
