"""Frozen, typed result objects shared by every layer.

All offsets are character offsets (Python ``str`` indices) into
``Article.text``, end exclusive. ``to_json``/``from_json`` round-trip losslessly
and ``json_schema()`` publishes the schema that ``schema/analysis.schema.json``
pins (see ``SCHEMA_VERSION``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types as _pytypes
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

SCHEMA_VERSION = "1.6"
# The code a warning read from a document written before warnings had codes gets.
W_UNCODED = "W100"


def _freeze_mapping(obj: Any, name: str) -> None:
    object.__setattr__(obj, name, _pytypes.MappingProxyType(dict(getattr(obj, name))))


def _check_range(start: int, end: int) -> None:
    if start < 0 or end < start:
        raise ValueError(f"invalid character range [{start}, {end})")


@dataclass(frozen=True, slots=True)
class Article:
    """An input article. ``text`` is what was analysed, after extraction and cleaning."""

    id: str
    text: str
    title: str | None = None
    language: str | None = None
    source_url: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _freeze_mapping(self, "metadata")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A non-empty line. ``index`` is its 1-based line number, as in SemEval templates."""

    index: int
    start: int
    end: int

    def __post_init__(self) -> None:
        _check_range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    paragraph: int

    def __post_init__(self) -> None:
        _check_range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class TechniqueScore:
    """A paragraph-level score; ``detected`` means ``confidence >= threshold``.

    ``confidence`` is a calibrated probability (for the sentence-level model, that of the
    paragraph's strongest sentence); ``threshold`` is the one it was compared with.
    """

    technique: str
    confidence: float
    detected: bool
    threshold: float | None = None


@dataclass(frozen=True, slots=True)
class TechniqueSpan:
    """Where in a paragraph a detected technique is expressed, and why we think so."""

    technique: str
    start: int
    end: int
    confidence: float
    text: str
    paragraph: int
    cues: tuple[str, ...] = ()
    explanation: str = ""
    threshold: float | None = None

    def __post_init__(self) -> None:
        _check_range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ArticleTechnique:
    """Whether the article as a whole uses a technique; ``detected`` means ``confidence >= threshold``.

    ``confidence`` is a calibrated probability that the technique is used somewhere in the
    article. Evidence can add up over several sentences none of which clears the sentence
    threshold, so a technique can be detected here and in no paragraph. ``start``/``end``
    mark the passage (sentence, or paragraph for models without sentences) that scored
    highest for it, and ``passage_confidence`` is that passage's own probability.
    """

    technique: str
    confidence: float
    detected: bool
    threshold: float
    start: int
    end: int
    passage_confidence: float

    def __post_init__(self) -> None:
        _check_range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ParagraphTechniques:
    paragraph: Paragraph
    scores: tuple[TechniqueScore, ...]
    spans: tuple[TechniqueSpan, ...] = ()

    @property
    def detected(self) -> tuple[TechniqueScore, ...]:
        return tuple(s for s in self.scores if s.detected)


@dataclass(frozen=True, slots=True)
class Genre:
    label: str
    scores: Mapping[str, float]
    # Satire is the label only at this probability or above (schema 1.6); None: the label is the
    # most likely genre. So the label can be other than the highest score.
    satire_floor: float | None = None

    def __post_init__(self) -> None:
        _freeze_mapping(self, "scores")


@dataclass(frozen=True, slots=True)
class FrameScore:
    frame: str
    confidence: float
    detected: bool
    threshold: float | None = None


@dataclass(frozen=True, slots=True)
class AnalysisWarning:
    """Something a reader should know about how far to trust this analysis.

    ``code`` is stable (``spinscope.errors.W*``); the message is for people.
    """

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class TextSpan:
    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        _check_range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who (``source``) says (``cue``) what (``content``); ``kind`` is named, vague or self."""

    source: TextSpan | None
    cue: TextSpan | None
    content: TextSpan | None
    kind: str


@dataclass(frozen=True, slots=True)
class Offsets:
    start: int
    end: int

    def __post_init__(self) -> None:
        _check_range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class TargetEvidence:
    """A detection counted against an entity: its technique, where it is, and its confidence."""

    technique: str
    start: int
    end: int
    confidence: float

    def __post_init__(self) -> None:
        _check_range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation, place or group the article names, and how much rhetoric targets it.

    ``label`` is person, organisation, place, group or other. ``techniques`` counts the
    detections aimed at it; ``attacked`` weighs them (attacks on reputation most, then
    loaded language) by confidence, shared among the sentence's targets.
    """

    text: str
    label: str
    mentions: tuple[Offsets, ...]
    techniques: Mapping[str, int]
    attacked: float
    evidence: tuple[TargetEvidence, ...] = ()

    def __post_init__(self) -> None:
        _freeze_mapping(self, "techniques")


@dataclass(frozen=True, slots=True)
class ClaimAttribution:
    """The attribution covering a claim: its kind, or ``none``, and its index in ``attributions``."""

    kind: str
    index: int | None


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence and the probability that it states a check-worthy factual claim.

    ``checkworthy`` means ``checkworthiness >= threshold`` and a ``mood`` of ``statement``:
    a question or an exhortation ("Pakistan must ...") states no claim, whatever its
    probability (English patterns; other languages are read as statements). Every analysed
    sentence is listed.
    """

    start: int
    end: int
    text: str
    checkworthiness: float
    checkworthy: bool
    threshold: float
    attribution: ClaimAttribution | None = None
    mood: str = "statement"  # statement, question or exhortation

    def __post_init__(self) -> None:
        _check_range(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    version: str
    kind: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the pipeline found in one article.

    ``genre`` is None and ``frames``/``paragraphs`` are empty when their detector was
    disabled. ``extensions`` holds what detectors from other packages wrote, by slot
    name; it is left out of the JSON when empty.
    """

    article: Article
    paragraphs: tuple[ParagraphTechniques, ...]
    sentences: tuple[Sentence, ...]
    genre: Genre | None
    frames: tuple[FrameScore, ...]
    model: ModelInfo
    # The article as a whole (schema 1.5); empty when the article_techniques detector did not run.
    techniques: tuple[ArticleTechnique, ...] = ()
    threshold: float | None = None
    warnings: tuple[AnalysisWarning, ...] = ()
    schema_version: str = SCHEMA_VERSION
    claims: tuple[Claim, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    entities: tuple[Entity, ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _freeze_mapping(self, "extensions")

    @property
    def spans(self) -> tuple[TechniqueSpan, ...]:
        return tuple(s for p in self.paragraphs for s in p.spans)

    @property
    def checkworthy_claims(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if c.checkworthy)

    @property
    def detected_techniques(self) -> tuple[ArticleTechnique, ...]:
        return tuple(t for t in self.techniques if t.detected)

    @property
    def detected_frames(self) -> tuple[FrameScore, ...]:
        return tuple(f for f in self.frames if f.detected)

    def technique_counts(self) -> dict[str, int]:
        """Paragraphs in which each technique was detected."""
        counts: dict[str, int] = {}
        for p in self.paragraphs:
            for s in p.detected:
                counts[s.technique] = counts.get(s.technique, 0) + 1
        return counts

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(to_dict(self), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, data: str) -> Analysis:
        return from_dict(cls, json.loads(data))


# --- generic (de)serialisation over the dataclasses above -------------------------

T = TypeVar("T")


# Fields left out of the JSON while they hold their empty default, so adding them kept
# every earlier document byte-for-byte the same.
OMIT_WHEN_EMPTY = frozenset({"extensions"})


def to_dict(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if not (f.name in OMIT_WHEN_EMPTY and not getattr(obj, f.name))}
    if isinstance(obj, Mapping):
        return {str(k): to_dict(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [to_dict(v) for v in obj]
    return obj


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, _pytypes.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if value is None else _convert(args[0], value)
    if origin is tuple:
        inner = typing.get_args(tp)[0]
        return tuple(_convert(inner, v) for v in value)
    if origin in (Mapping, dict):
        return {str(k): v for k, v in value.items()}
    if tp is AnalysisWarning and isinstance(value, str):  # documents from before warnings had codes
        return AnalysisWarning(W_UNCODED, value)
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value)
    if tp is float and isinstance(value, int):
        return float(value)
    return value


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def _schema_for(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any:
        return {}
    origin = typing.get_origin(tp)
    if origin in (typing.Union, _pytypes.UnionType):
        return {"anyOf": [_schema_for(a, defs) for a in typing.get_args(tp)]}
    if origin is tuple:
        return {"type": "array", "items": _schema_for(typing.get_args(tp)[0], defs)}
    if origin in (Mapping, dict):
        return {"type": "object", "additionalProperties": _schema_for(typing.get_args(tp)[1], defs)}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder guards recursion
            hints = _hints(tp)
            fields = dataclasses.fields(tp)
            defs[name] = {
                "type": "object",
                "description": (tp.__doc__ or "").strip().split("\n")[0],
                "properties": {f.name: _schema_for(hints[f.name], defs) for f in fields},
                "required": [f.name for f in fields if f.name not in OMIT_WHEN_EMPTY],
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}
    return {"type": simple[tp]}


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of an ``Analysis`` document."""
    defs: dict[str, Any] = {}
    root = _schema_for(Analysis, defs)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://spinscope.invalid/schema/analysis-{SCHEMA_VERSION}.json",
        "title": "spinscope Analysis",
        **root,
        "$defs": defs,
    }
    defs["Analysis"]["properties"]["schema_version"] = {"const": SCHEMA_VERSION}
    return schema

