"""Attributions: who (source) says (cue) what (content), and what kind of source it is.

Reads: article (text), paragraphs. Writes: ``attributions``. The CRF tagger
(``attribution_tagger``) marks source, cue and content tokens per paragraph; each cue
then takes the nearest unused source and content in its paragraph (PolNeAR gives each
token at most one attribution, so proximity restores most links). A source is ``self``
(the author or outlet: I, we), ``vague`` (analysts, critics, officials, sources, reports,
some, many, people familiar with ... and no proper name), or ``named`` (a person,
organisation, outlet or document, by name, pronoun or specific description).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from spinscope.components import Doc
from spinscope.detect.attribution_tagger import Tagger, spans, tokens
from spinscope.detect.scores import ScoringModel
from spinscope.types import Attribution, TextSpan

SELF = frozenset({"i", "we", "me", "us", "this newspaper", "this reporter", "the author", "this writer"})
VAGUE_HEADS = frozenset("""analysts critics officials sources experts observers some many people reports report
researchers residents authorities aides insiders others those investigators diplomats commentators studies
witnesses activists voices circles reporting accounts rumours rumors observers scholars pundits figures""".split())
# Words that may open a vague source with a capital only because they open the sentence.
COMMON = frozenset("""the a an some many several most few other others political senior local former top unnamed
anonymous government security intelligence administration western foreign military one two three""".split())
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+")
# A report with no one named behind it: "News that ...", "amid reports that ...". The content runs
# to the end of the clause; a capitalised word or a possessive before the noun names a source.
_NOMINAL = re.compile(r"\b(news|reports|rumou?rs|word|speculation)\s+(that)\s+([^.;:!?—]+)", re.I)
_POSSESSIVE = frozenset("his her their its our my your whose".split())


PRONOUNS = frozenset("he she it they him her them his its their who whose which that this these".split())
DEFINITE = frozenset("the this that these those his her its their our my your".split())
INDEFINITE = frozenset("a an some many several few most all other others one two three four five dozens hundreds "
                       "thousands over nearly almost about just more numerous various".split())
# Group nouns and adjectives that are no names even when capitalised ("Democratic voters said ...").
GROUPS = frozenset("democrats republicans conservatives liberals progressives americans voters evangelicals "
                   "muslims christians jews europeans rabbis activists democratic republican gop u.s. us american "
                   "house senate federal state liberal conservative".split())
_CHUNK_END = frozenset("of for in at with who that which whose from on , ( ;".split())


def _chunk(words: list[str]) -> list[str]:
    """The first noun chunk: "supporters of both candidates" -> ["supporters"]."""
    chunk = []
    for w in words:
        if w.lower().strip(",;(") in _CHUNK_END:
            break
        chunk.append(w.strip(".,;:"))
        if w.endswith(","):
            break
    return chunk or [words[0].strip(".,;:")]


def source_kind(source: str, at_sentence_start: bool) -> str:
    """named, vague or self, from the form of the source phrase.

    Definite descriptions, pronouns and proper names refer to someone specific (named);
    indefinite, quantified or bare plural phrases without a proper name do not (vague).
    """
    words = source.split()
    if not words:
        return "vague"
    low = [w.lower().strip(".,;:") for w in words]
    if " ".join(low) in SELF:
        return "self"
    if low[0] in PRONOUNS or (len(low) == 1 and low[0].endswith(("’s", "'s"))):
        return "named"
    chunk = _chunk(words)
    if at_sentence_start:  # "Friends of ...", "Political analysts": the capital only starts the sentence
        chunk[0] = chunk[0].lower() if chunk[0].lower() in COMMON | VAGUE_HEADS else chunk[0]
    names = [w for w in chunk if w[:1].isupper() and w.lower() not in GROUPS]
    head = chunk[-1]
    quantity = low[0][:1].isdigit() or "percent" in low or "%" in source
    if low[0] in DEFINITE and not quantity:
        return "vague" if not names and head.lower() in VAGUE_HEADS else "named"
    bare_plural = head.lower().endswith("s") and not head.endswith(("’s", "'s")) and (
        head.islower() or head.lower() in GROUPS) and len(head) > 3
    if quantity or ((low[0] in INDEFINITE or bare_plural or set(low) & VAGUE_HEADS) and not names):
        return "vague"
    return "named"


def kind_of(text: str, start: int, end: int) -> str:
    """The kind of the source at ``text[start:end]``."""
    return source_kind(text[start:end], _starts_sentence(text, start))


def nominal_reports(text: str, start: int, end: int, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Cue and content spans of unsourced reports in ``text[start:end]`` that the tagger left unmarked."""
    out: list[tuple[str, int, int]] = []
    for m in _NOMINAL.finditer(text, start, end):
        before = text[start:m.start()].split()
        prev = before[-1] if before else ""
        opens = not prev or prev[-1] in ".!?\"“”:"
        if not opens and (not prev[:1].islower() or prev.lower() in _POSSESSIVE or prev.endswith(("’s", "'s"))):
            continue
        if any(s < m.end(2) and m.start(1) < e for _, s, e in found):
            continue
        out += [("CUE", m.start(1), m.end(2)), ("CON", m.start(3), m.start(3) + len(m.group(3).rstrip()))]
    return out


def link(found: list[tuple[str, int, int]]) -> list[tuple[tuple[int, int] | None, ...]]:
    """(source, cue, content) offsets per cue: the nearest unused source and content."""
    srcs = [(s, e) for r, s, e in found if r == "SRC"]
    cons = [(s, e) for r, s, e in found if r == "CON"]
    out = []
    for _, cs, ce in (x for x in found if x[0] == "CUE"):
        src = min(srcs, key=lambda x: abs(x[0] - cs), default=None)
        con = min(cons, key=lambda x: (x[0] < cs, abs(x[0] - ce)), default=None)
        for chosen, pool in ((src, srcs), (con, cons)):
            if chosen is not None:
                pool.remove(chosen)
        out.append((src, (cs, ce), con))
    return out


class AttributionDetector:
    name = "attribution"
    reads = ("article", "paragraphs")
    writes = ("attributions",)

    def __init__(self, model: ScoringModel) -> None:
        path = getattr(model, "path", None)
        self.tagger = Tagger.load(Path(path)) if path is not None else None

    def predict(self, docs: Sequence[Doc]) -> list[tuple[Attribution, ...]]:
        if self.tagger is None:
            return [() for _ in docs]
        toks = [[tokens(d.article.text, p.start, p.end) for p in d.paragraphs] for d in docs]
        tags = iter(self.tagger.tag_many([t for doc_toks in toks for t in doc_toks]))  # the batch's paragraphs decoded together
        return [self._attributions(d, [(t, next(tags)) for t in doc_toks]) for d, doc_toks in zip(docs, toks, strict=True)]

    @staticmethod
    def _attributions(doc: Doc, tagged: list[tuple[list[tuple[str, int, int]], list[str]]]) -> tuple[Attribution, ...]:
        text = doc.article.text
        out = []
        for p, (toks, tags) in zip(doc.paragraphs, tagged, strict=True):
            found = spans(toks, tags)
            extra = nominal_reports(text, p.start, p.end, found)
            # The reports' own pairs, never linked to the tagger's sources.
            pairs = link(found) + [(None, c[1:], n[1:]) for c, n in zip(extra[::2], extra[1::2], strict=True)]
            for src, cue, con in sorted(pairs, key=lambda x: x[1][0]):
                ref = [None if x is None else TextSpan(x[0], x[1], text[x[0]:x[1]]) for x in (src, cue, con)]
                # No source at all ("it was reported that ...") is as vague as a source gets.
                kind = "vague" if ref[0] is None else kind_of(text, ref[0].start, ref[0].end)
                out.append(Attribution(ref[0], ref[1], ref[2], kind))
        return tuple(out)

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[tuple[Attribution, ...]]) -> None:
        for doc, found in zip(docs, predictions, strict=True):
            doc.write("attributions", found)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?\n\"“”"
