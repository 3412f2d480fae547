"""Which words carry a detection: each flagged sentence scored again with one word left out.

Reads: article, techniques. Writes: ``techniques`` (the ``cues`` and ``explanation`` of spans
that had no cue).

The token head seldom marks words inside a sentence that the decisions flag: in 21 English
articles, 6 of 284 spans had marked words. So most explanations could say only that the
sentence as a whole scored. This component asks the model itself. Each candidate word of a
flagged sentence is left out in turn, and the sentence is scored alone. The words whose
absence lowers the technique's probability most become the span's cues.

Names are never candidates: the model masks them (``detect.names``), and a detection must not
be explained by whom it names. Nor are words for peoples, faiths and other groups, which some
languages write in lowercase, so no mask catches them (``detect.names.GROUP_STEMS``). Function
words and words under three letters are not candidates either.

The cost is one model pass per candidate word, about a second for the example op-ed's 13
flagged sentences on 2 cores. So the component is not in ``registry.DEFAULT_DETECTORS``:
``analyze`` and ``serve`` add it (``--no-explain`` leaves it out), and ``batch`` and
``spinscope.load(explain=True)`` add it on request.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinscope.components import Doc
from spinscope.detect.names import DE_FUNCTION_WORDS, GROUP_STEMS, proper_noun_spans
from spinscope.detect.scores import ArticleScores, ScoringModel
from spinscope.detect.techniques import explanation
from spinscope.types import Paragraph, ParagraphTechniques, TechniqueSpan

WORD = re.compile(r"[^\W\d_][\w'’-]*")
# A longer sentence is tried on its first this many candidates: the cost is one pass each.
MAX_CANDIDATES = 40
# At most this many flagged sentences an article, the most confident first, so that a very long
# article costs seconds, not minutes (the op-ed has 13; 200,000 characters can flag hundreds).
MAX_SENTENCES = 50
# A word is a cue when leaving it out lowers the probability by at least MIN_DROP and by at
# least RELATIVE times the largest drop in its sentence; at most MAX_CUES words, largest first.
MIN_DROP = 0.02
RELATIVE = 0.4
MAX_CUES = 3
_EN_FUNCTION_WORDS = frozenset("""
the and but nor for yet not are was were has had have been being its it's his her hers him she they them their
theirs our ours you your yours who whom whose which that this these those what when where why how than then
there here from into onto with without about above below over under after before between through during
against among upon also just only very too can could would should will shall may might must does did doing
any all some each every both either neither such own same other another more most less least much many few
one two out off per via let lets until while unless although though whether since
""".split())
# The commonest function words of the other training languages: articles, pronouns, auxiliaries,
# conjunctions and prepositions, which otherwise come up as cues of a sentence's grammar.
_OTHER = {
    "de": "ist sind war waren wird werden wurde wurden hat haben hatte sich soll sollen kann können muss müssen",
    "fr": """les des une est sont été être avoir ont était par pour pas plus que qui quoi dont sur dans avec sans
             sous entre vers chez nous vous ils elles leur leurs notre nos votre vos mais donc car alors aussi très
             tout tous toute toutes cette ces son ses sera seront fait""",
    "it": """che non con per una uno gli del della dei delle dal dalla nel nella sul sulla sono era essere stato
             anche come più quando dove chi cui loro nostro nostra suo sua questo questa quello quella tutti tutto
             ora già molto""",
    "pl": """nie jak gdy tym tego tej które który która się jest był była było są być oraz ale czy tak także też
             tylko już przez przy dla pod nad ich jego jej nasz nasze nasza wszystko wszyscy jako""",
    "ru": """это как что когда все всё его она они мы вы был была было были быть есть для при про под над без
             или тоже также только уже так чтобы который которая которые свой своих этот эта эти там где""",
}
FUNCTION_WORDS = {"en": _EN_FUNCTION_WORDS, **{lang: frozenset(words.split()) for lang, words in _OTHER.items()}}
FUNCTION_WORDS["de"] |= DE_FUNCTION_WORDS  # and those the German name rule already knows


@dataclass(frozen=True, slots=True)
class WordEffect:
    """The probability of one technique in a sentence scored alone, and without one word."""

    word: str
    alone: float
    without: float

    @property
    def drop(self) -> float:
        return self.alone - self.without


def candidates(text: str, start: int, end: int, language: str | None) -> list[tuple[int, int]]:
    """Article offsets of the words in ``text[start:end]`` worth leaving out: no names, no words for
    peoples, faiths and other groups (``GROUP_STEMS``), no function words, at least three letters;
    the first ``MAX_CANDIDATES``."""
    names = proper_noun_spans(text, language)
    skip = FUNCTION_WORDS.get(language or "", frozenset())
    out = []
    for m in WORD.finditer(text, start, end):
        s, e = m.start(), m.end()
        word = m.group().lower()
        if e - s < 3 or word in skip or word.startswith(GROUP_STEMS) or any(a < e and s < b for a, b in names):
            continue
        out.append((s, e))
    return out[:MAX_CANDIDATES]


def without(text: str, start: int, end: int, word: tuple[int, int]) -> str:
    """The sentence ``text[start:end]`` with one word left out, spaces tidied. A one-word
    sentence leaves a full stop: the model scores something, and it says nothing."""
    return " ".join((text[start:word[0]] + text[word[1]:end]).split()) or "."


def cues(effects: Sequence[WordEffect]) -> list[WordEffect]:
    """The words that carry the detection, largest drop first (``MIN_DROP``, ``RELATIVE``, ``MAX_CUES``)."""
    ranked = sorted(effects, key=lambda x: -x.drop)
    if not ranked:
        return []
    floor = max(MIN_DROP, RELATIVE * ranked[0].drop)
    return [x for x in ranked if x.drop >= floor][:MAX_CUES]


def _sentence_probabilities(scores: ArticleScores) -> np.ndarray:
    """(n_techniques,): a one-sentence text's probabilities (its strongest unit, should the
    segmenter cut it)."""
    return scores.sentences.max(axis=0) if scores.sentences is not None else scores.paragraphs.max(axis=0)


def _most_confident(spans: Sequence[TechniqueSpan]) -> list[tuple[int, int]]:
    """The places of the ``MAX_SENTENCES`` spans with the highest confidence, each place once."""
    best: dict[tuple[int, int], float] = {}
    for s in spans:
        best[(s.start, s.end)] = max(best.get((s.start, s.end), 0.0), s.confidence)
    return sorted(best, key=lambda k: -best[k])[:MAX_SENTENCES]


class WordEffectsDetector:
    name = "word_effects"
    reads = ("article", "techniques")
    writes = ("techniques",)

    def __init__(self, model: ScoringModel) -> None:
        self.model = model
        self.labels = model.techniques.labels

    def predict(self, docs: Sequence[Doc]) -> list[tuple[ParagraphTechniques, ...]]:
        out = []
        for doc in docs:
            effects = self.effects(doc)
            out.append(tuple(self._explained(p, effects) for p in doc.techniques))
        return out

    def effects(self, doc: Doc) -> dict[tuple[int, int], tuple[list[str], np.ndarray, np.ndarray]]:
        """Per explained sentence (start, end): its candidate words, its probabilities scored alone,
        and its probabilities without each word. One article's variants go to the model at once,
        so its pool works on them side by side."""
        text, lang = doc.article.text, doc.article.language
        jobs, items = [], []
        for key in _most_confident([s for p in doc.techniques for s in p.spans if not s.cues]):
            words = candidates(text, *key, lang)
            if words:
                jobs.append((key, words))
                variants = [" ".join(text[key[0]:key[1]].split())] + [without(text, *key, w) for w in words]
                items += [(v, (Paragraph(1, 0, len(v)),), lang) for v in variants]
        scored = iter(self.model.start(items)() if items else [])
        out = {}
        for key, words in jobs:
            probs = np.stack([_sentence_probabilities(next(scored)) for _ in range(len(words) + 1)])
            out[key] = ([text[s:e] for s, e in words], probs[0], probs[1:])
        return out

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[tuple[ParagraphTechniques, ...]]) -> None:
        for doc, found in zip(docs, predictions, strict=True):
            doc.write("techniques", found)

    def _explained(self, para: ParagraphTechniques, effects: dict) -> ParagraphTechniques:
        spans = tuple(self._span(s, effects.get((s.start, s.end))) for s in para.spans)
        return dataclasses.replace(para, spans=spans)

    def _span(self, span: TechniqueSpan, found: tuple[list[str], np.ndarray, np.ndarray] | None) -> TechniqueSpan:
        if span.cues or found is None:
            return span
        words, alone, rest = found
        j = self.labels.index(span.technique)
        chosen = cues([WordEffect(w, float(alone[j]), float(q)) for w, q in zip(words, rest[:, j], strict=True)])
        if not chosen:
            return span
        top = chosen[0]
        because = (f" Left out one at a time, these words lower its score most: "
                   f"{', '.join(repr(c.word) for c in chosen)} (the sentence scored alone: {top.alone:.0%}, "
                   f"without {top.word!r} {top.without:.0%}).")
        return dataclasses.replace(span, cues=tuple(c.word for c in chosen),
                                   explanation=explanation(span.technique, because))

