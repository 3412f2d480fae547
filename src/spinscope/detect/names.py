"""Names the classical model must not learn from: countries, groups, parties, politicians.

The n-gram model weighs every word it saw in training, names included, so the same
sentence could be flagged about one country and not about another. ``mask_names``
removes listed names (and their possessive and plural forms) before features are
built, so the classical model's scores cannot depend on which of them is named.
``bench/neutrality.py`` measures what this changes; ``spinscope audit swap`` checks
any article. The list is deliberately broad and plain; names outside it still reach
the model.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

COUNTRIES = """
Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria Azerbaijan Bahamas Bahrain Bangladesh
Barbados Belarus Belgium Belize Benin Bhutan Bolivia Bosnia Botswana Brazil Brunei Bulgaria Burkina Burundi Cambodia
Cameroon Canada Chad Chile China Colombia Comoros Congo Croatia Cuba Cyprus Czechia Denmark Djibouti Dominica Ecuador
Egypt Eritrea Estonia Eswatini Ethiopia Fiji Finland France Gabon Gambia Georgia Germany Ghana Greece Grenada Guatemala
Guinea Guyana Haiti Honduras Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy Jamaica Japan Jordan
Kazakhstan Kenya Kiribati Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Lesotho Liberia Libya Liechtenstein Lithuania
Luxembourg Madagascar Malawi Malaysia Maldives Mali Malta Mauritania Mauritius Mexico Micronesia Moldova Monaco
Mongolia Montenegro Morocco Mozambique Myanmar Namibia Nauru Nepal Netherlands Nicaragua Niger Nigeria Norway Oman
Pakistan Palau Palestine Panama Paraguay Peru Philippines Poland Portugal Qatar Romania Russia Rwanda Samoa Senegal
Serbia Seychelles Singapore Slovakia Slovenia Somalia Spain Sudan Suriname Sweden Switzerland Syria Taiwan Tajikistan
Tanzania Thailand Togo Tonga Tunisia Turkey Turkmenistan Tuvalu Uganda Ukraine Uruguay Uzbekistan Vanuatu Vatican
Venezuela Vietnam Yemen Zambia Zimbabwe Britain England Scotland Wales America Gaza Crimea Chechnya Kashmir Tibet
Xinjiang Donbas US
Hong Kong|Saudi Arabia|North Korea|South Korea|South Africa|South Sudan|New Zealand|Sri Lanka|Costa Rica|El Salvador|
United States|United Kingdom|United Arab Emirates|Ivory Coast|Sierra Leone|Papua New Guinea|North Macedonia|
Dominican Republic|Czech Republic|Central African Republic|East Timor|Equatorial Guinea|West Bank|Stati Uniti|
Vereinigte Staaten|Stany Zjednoczone|Wielka Brytania
Russie Russland Rosja Россия России Украина Украины Ukraina Ukraine Allemagne Deutschland Niemcy Germania Frankreich
Francja Francia Chine Cina Chiny Китай États-Unis США Inghilterra
Angleterre Großbritannien Polska Pologne Polen Polonia Italie Italien Włochy Israël Izrael Израиль
Iranu Irán Турция Türkei Turquie Turcja Siria Syrie Syrien Сирия
"""

DEMONYMS = """
Afghan Albanian Algerian American Argentine Armenian Australian Austrian Azerbaijani Bangladeshi Belarusian Belgian
Bolivian Bosnian Brazilian British Bulgarian Cambodian Cameroonian Canadian Chilean Chinese Colombian Congolese
Croatian Cuban Cypriot Czech Danish Dutch Egyptian English Eritrean Estonian Ethiopian Filipino Finnish French
Georgian German Ghanaian Greek Guatemalan Haitian Honduran Hungarian Icelandic Indian Indonesian Iranian Iraqi Irish
Israeli Italian Jamaican Japanese Jordanian Kazakh Kenyan Korean Kurdish Kuwaiti Latvian Lebanese Libyan Lithuanian
Malaysian Malian Mexican Moldovan Mongolian Moroccan Nepali Nigerian Norwegian Pakistani Palestinian Panamanian
Peruvian Polish Portuguese Qatari Romanian Russian Rwandan Saudi Scottish Senegalese Serbian Slovak Slovenian Somali
Spanish Sudanese Swedish Swiss Syrian Taiwanese Thai Tunisian Turkish Ugandan Ukrainian Uzbek Venezuelan Vietnamese
Welsh Yemeni Zimbabwean Palestinians Israelis Russians Ukrainians Americans Germans Pakistanis Indians Afghans Iraqis
Iranians Syrians Turks Kurds Chinese Brits
"""

GROUPS = """
ISIS ISIL Daesh Taliban Hamas Hezbollah Hizbollah Antifa Wagner NATO OTAN EU UN
al-Qaeda|al Qaeda|Al-Qaeda|Al Qaeda|Islamic State|Boko Haram|Proud Boys|Muslim Brotherhood|Islamic Jihad|
al-Shabaab|Black Lives Matter|Ku Klux Klan|Tehrik-i-Taliban|Lashkar-e-Taiba|Jaish-e-Mohammed|Houthis|Azov
"""

PARTIES = """
Republicans Republican Democrats Democratic Democrat GOP Labour Tories Tory Conservatives Conservative Liberals
Liberal SNP UKIP AfD CDU CSU SPD FDP Linke PiS Konfederacja Lewica Lega Forza PD M5S Fidesz
Liberal Democrats|Die Grünen|Die Linke|Platforma Obywatelska|Prawo i Sprawiedliwość|Fratelli d'Italia|
Forza Italia|Movimento 5 Stelle|Partito Democratico|Rassemblement National|Front National|Les Républicains|
La France Insoumise|En Marche|United Russia|Единая Россия|Reform UK|Brexit Party
"""

PEOPLE = """
Trump Biden Obama Clinton Bush Reagan Carter Kennedy Nixon Harris Pence Sanders Pelosi McConnell Schumer DeSantis
Cruz Rubio Romney Haley Vance Putin Medvedev Lavrov Zelensky Zelenskyy Poroshenko Yanukovych Lukashenko Xi Jinping
Erdogan Erdoğan Netanyahu Modi Khan Sharif Bhutto Musharraf Assad Khamenei Rouhani Raisi Orban Orbán Merkel Scholz
Macron Hollande Sarkozy Mélenchon Zemmour Johnson Sunak Truss Starmer Corbyn Cameron Blair Farage Meloni
Salvini Berlusconi Draghi Conte Renzi Kaczyński Tusk Duda Morawiecki Navalny Trudeau Bolsonaro Lula Maduro Chávez
Castro Kim Jong-un Baghdadi Zawahiri Gaddafi Saddam Hussein
Le Pen|bin Laden
"""


def _names(block: str) -> list[str]:
    out = []
    for line in block.strip().splitlines():
        out += [x.strip() for x in line.split("|")] if "|" in line else line.split()
    return [x for x in out if x]


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    names = {n for block in (COUNTRIES, DEMONYMS, GROUPS, PARTIES, PEOPLE) for n in _names(block)}
    # Whole words, case-sensitive (so "Georgia" the country and the state go alike, and lowercase
    # words are never touched), with possessives and an 's' plural: "Pakistan's", "Tories'". Parts
    # of hyphenated words too: "Putin-Regime", "anti-Trump", "Saudi-led".
    return re.compile(rf"(?<!\w)(?P<name>{trie_alternation(names)})(?P<suffix>['’]s?|s)?(?!\w)")


def trie_alternation(words: Iterable[str]) -> str:
    """A regex matching ``words``, written as a trie of shared prefixes.

    It matches as the plain alternation in longest-first order does: at a position only names
    on one trie path can match, and each node tries the longer name before it stops. But the
    engine reads each character once instead of trying 700 names in turn: 6.6x faster.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def regex(node: dict) -> str:
        branches = [re.escape(ch) + regex(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return f"{body}?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"

    return regex(trie)


def mask_names(text: str) -> str:
    """``text`` with every listed name and its suffix removed, each as one space (for bag-of-n-gram
    features; the encoder reads names as a stand-in, ``encoder_view``)."""
    return _pattern().sub(" ", text)


_WORD = re.compile(r"[^\W\d_][\w-]*")
_OPENS_SENTENCE = re.compile(r"(?:^|[.!?:;\n])[\s\"'“‘«»„‚(\[]*$")

# Word stems of peoples, regions, faiths, sexual orientation and migration, in the six training languages.
# Where a language writes these in lowercase ("russi", "ebraico", "geje"), no capital marks them as names,
# so explanations leave out the words that open with one: the cue lexicon (``training.cues``) and the
# words that carry a detection (``detect.word_effects``) say how a sentence argues, not whom it names.
GROUP_STEMS = tuple("""
americ amerik америк russ rosj rosyj русск росси ukrain украин chin cines chiń китай israel izrael израил palestin
палестин pakistan indien indian indiano hindu arab араб afric afryk африк europ европ asiat azja азиат mexic meksyk
мексик turk türk turc turch турец syri syrien сири iran иран german deutsch allemand tedesc niemc немец french
francais français frances francuz француз polish polnisch polonais polacc polak polsk поляк польск italian italien
włos итальян british britisch britann brytyj британ muslim musulm muzułm мусульм islam ислам jew jüd
juif juiv ebre ebra żyd евре christ chrét cristian chrześc христиан catholi kathol cattolic katoli католи protestan
evangel orthodox ortodoss prawosław правосл gay gej гей lesb лесб homosex omosess гомосекс transgender queer migrant
immigr imigr emigr мигрант refugee flüchtling réfugié rifugiat uchodź беженц
""".split())

# German capitalises every noun, so there a capital marks a name only on a word that is no
# common noun: not in the lexicon (``training.lexicon``), not a compound ending in one, not a
# function word (capitalised where a sentence or quote opens unseen), and not written in
# lowercase elsewhere in the article. A word the lexicon's source tags only as a surname,
# first name or place is a name even when it looks like a compound ("Hartmann").
CAPITALISED_NOUNS = frozenset({"de"})
LEXICONS = Path(__file__).parents[1] / "models" / "lexicons"
_DE_NOUN_ENDINGS = ("ung", "ungen", "heit", "heiten", "keit", "keiten", "schaft", "schaften", "ismus", "ität",
                    "itäten", "tion", "tionen", "nis", "nisse", "tum", "tümer", "ling", "linge",
                    *(stem + end for stem in ("isch", "lich") for end in ("", "e", "en", "er", "es", "em")))  # adjectives
DE_FUNCTION_WORDS = frozenset("""
der die das den dem des ein eine einer eines einem einen kein keine keiner keinen keinem dieser diese dieses diesen
diesem jener jene jenes jeder jede jedes jeden alle allen viele manche mancher solche welche welcher wer was wie wo
wann warum weshalb wieso woher wohin ob wenn dann denn doch aber und oder sondern auch noch nur schon sogar zwar also
so da dabei damit dazu daher darum deshalb deswegen trotzdem dennoch jedoch allerdings außerdem zudem sowie sowohl
weder als während nachdem bevor seit seitdem solange sobald obwohl weil dass damals heute gestern morgen jetzt nun
hier dort immer nie niemals vielleicht natürlich ja nein bitte danke es er wir ich ihr sie man mein meine unser
unsere euer eure sein seine ihre ihren ihrem ihrer ihnen dich dir du mich mir uns euch nach vor bei mit von zu zum
zur für gegen ohne um aus auf in im an am über unter zwischen durch neben hinter statt trotz wegen laut gemäß
nicht nichts etwas mehr weniger ganz sehr selbst eben gerade bereits etwa fast kaum wohl erst zuerst
""".split())


@lru_cache(maxsize=2)
def german_lexicon(kind: str) -> frozenset[str]:
    """Lowercased German forms, read once on the first German text: ``common`` nouns (about
    257,000) or ``proper`` names that are nothing else (about 9,000). See ``training.lexicon``."""
    return _word_list(LEXICONS / f"de-{kind}.txt.gz")


@lru_cache(maxsize=1)
def english_common() -> frozenset[str]:
    """Lowercased English word forms that English text writes in lowercase inside sentences
    (about 12,000; ``training.english_words``), read once on the first English text."""
    return _word_list(LEXICONS / "en" / "common.txt.gz")


def _word_list(path: Path) -> frozenset[str]:
    """A gzipped list, one word per line (``training.lexicon.write_word_list``)."""
    return frozenset(gzip.decompress(path.read_bytes()).decode("utf-8").split("\n"))


def lowercase_words(text: str) -> frozenset[str]:
    """Lowercased words the article itself writes in lowercase."""
    return frozenset(m.group().lower() for m in _WORD.finditer(text) if m.group()[0].islower())


def german_common(word: str, common_in_article: frozenset[str] = frozenset()) -> bool:
    """Whether a capitalised German word reads as a common word, not a name. A hyphenated
    word goes by its last part ("US-Regierung"); a cut-off first part ("Gas-") by itself."""
    parts = [p for p in word.lower().split("-") if p]
    if not parts:
        return True
    w = parts[-1]
    if w in DE_FUNCTION_WORDS or w in common_in_article:
        return True
    common = german_lexicon("common")
    if w in common:
        return True
    if w in german_lexicon("proper"):
        return False
    return w.endswith(_DE_NOUN_ENDINGS) or any(w[i:] in common for i in range(3, len(w) - 3))  # a compound's head: 4+ letters


@lru_cache(maxsize=8)  # the encoder's view and the classical model's both need an article's spans
def proper_noun_spans(text: str, language: str | None = None) -> tuple[tuple[int, int], ...]:
    """Runs of capitalised words that are names whatever list they are on: not the first word
    of a sentence (unless the same word also appears capitalised inside one), not "I". In
    German, only words that are no common noun (``german_common``). A word in capitals only is
    a name wherever it stands ("PKK", "BJP", "SALVINI"), unless it is a Roman numeral or a word
    the article also writes in lowercase ("NOT", "THE": emphasis and shouted headlines)."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text) if m.group()[0].isupper()]
    lowercase = lowercase_words(text)
    if language in CAPITALISED_NOUNS:
        words = [x for s, e, w in words for x in _german_name_part(s, e, w, lowercase)]
    starts = {s: bool(_OPENS_SENTENCE.search(text[max(0, s - 12):s])) for s, _, _ in words}
    inside = {w for s, _, w in words if not starts[s]}
    spans: list[tuple[int, int]] = []
    for s, e, w in words:
        if len(w) < 2 or (_acronym_is_word(w, lowercase, language) if w.isupper() else starts[s] and w not in inside):
            continue
        if spans and text[spans[-1][1]:s] == " ":  # "Red Brigades": one name, one stand-in
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return tuple(spans)


def _german_name_part(start: int, end: int, word: str, lowercase: frozenset[str]) -> list[tuple[int, int, str]]:
    """A capitalised German word if it is a name; of a compound that is a common noun by its last
    part, the name it opens with ("Hartmann-Regime"); else nothing."""
    if not german_common(word, lowercase):
        return [(start, end, word)]
    head = word.split("-", 1)[0]
    if head != word and len(head) > 1 and not german_common(head, lowercase):
        return [(start, start + len(head), head)]
    return []


_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def _acronym_is_word(word: str, lowercase: frozenset[str], language: str | None) -> bool:
    """Whether a word in capitals only is no name: a Roman numeral ("XVI"), or shouted ("NOT"):
    written in lowercase elsewhere in the article or, in English, a common word."""
    low = word.lower()
    return (bool(_ROMAN.fullmatch(word)) or low in lowercase
            or (language in (None, "en") and low in english_common()))


def _over_proper_nouns(text: str, base: str, fill: Callable[[str], str], language: str | None) -> str:
    """``base`` (``text`` or a same-length view of it) with each proper noun of ``text`` replaced by ``fill(noun)``."""
    out = list(base)
    for s, e in proper_noun_spans(text, language):
        out[s:e] = fill(text[s:e])
    return "".join(out)


MASKS = ("none", "names", "proper_nouns")
# Every masked name reads as this one word, whatever its length: a stand-in as long as the name
# ("Nm" for "EU", "Nme" for "PKK") made a swap of "ISIS" for "PKK" a change the encoder could see
# (bench/neutrality.py --acronyms: 10.7% of test-fold paragraphs flipped, 1.1% for acronyms of
# four letters or more).
STAND_IN = "Name"


@dataclass(frozen=True)
class EncoderView:
    """What the encoder reads: ``text`` with each masked name replaced by ``STAND_IN`` (after a
    space, so that it is always the same word piece), and the map between the two texts' offsets."""

    text: str
    # Per stand-in, in order: (start, end) of the name in the article, (start, end) in ``text``.
    names: tuple[tuple[int, int, int, int], ...] = ()

    @classmethod
    def of(cls, article: str, spans: Iterable[tuple[int, int]] = ()) -> EncoderView:
        parts, names, last, shift = [], [], 0, 0
        for s, e in _merged(spans):
            stand_in = STAND_IN if s == 0 or article[s - 1].isspace() else " " + STAND_IN
            parts += [article[last:s], stand_in]
            names.append((s, e, s + shift, s + shift + len(stand_in)))
            shift += len(stand_in) - (e - s)
            last = e
        return cls("".join(parts) + article[last:], tuple(names))

    def piece(self, start: int, end: int) -> str:
        """What the encoder reads of the article's ``start``-``end`` (a paragraph or sentence)."""
        s, e = self.to_view(np.array([[start, end]], np.int64))[0]
        return self.text[s:e]

    def to_view(self, offsets: np.ndarray) -> np.ndarray:
        """Article offsets (outside names: where units start and end) as offsets into ``text``."""
        return self._map(np.asarray(offsets, np.int64), article_side=True)

    def to_article(self, offsets: np.ndarray) -> np.ndarray:
        """(n, 2) token offsets into ``text`` as article offsets: a token inside a stand-in covers the name."""
        return self._map(np.asarray(offsets, np.int64), article_side=False)

    def _map(self, x: np.ndarray, article_side: bool) -> np.ndarray:
        if not self.names:
            return x.copy()
        n = np.array(self.names, np.int64)
        src_s, src_e, dst_s, dst_e = (n[:, 0], n[:, 1], n[:, 2], n[:, 3]) if article_side else (
            n[:, 2], n[:, 3], n[:, 0], n[:, 1])
        # Past the end of k names, a position moves by their summed change in length.
        after = np.searchsorted(src_e, x, side="right")
        shift = np.concatenate([[0], np.cumsum((dst_e - dst_s) - (src_e - src_s))])
        out = x + shift[after]
        # Strictly inside a name: a start goes to the name's start, an end to its end.
        k = np.searchsorted(src_s, x, side="right") - 1
        inside = (k >= 0) & (x > src_s[np.maximum(k, 0)]) & (x < src_e[np.maximum(k, 0)])
        if inside.any():
            is_end = np.zeros(x.shape, bool)
            if x.ndim == 2:
                is_end[:, 1] = True
            kk = k[inside]
            out[inside] = np.where(is_end[inside], dst_e[kk], dst_s[kk])
        return out


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones united ("Donald Trump" over the listed "Trump")."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def listed_name_spans(text: str) -> list[tuple[int, int]]:
    """Where ``mask_names`` finds a listed name (without its possessive or plural suffix)."""
    return [m.span("name") for m in _pattern().finditer(text)]


def encoder_view(text: str, mask: str, language: str | None) -> EncoderView:
    """What the encoder reads under a model's masking mode: listed names (``names``), and every
    proper noun as well (``proper_nouns``), each as ``STAND_IN``; ``none`` reads the text as it is."""
    if mask == "proper_nouns":
        return EncoderView.of(text, [*listed_name_spans(text), *proper_noun_spans(text, language)])
    if mask == "names":
        return EncoderView.of(text, listed_name_spans(text))
    return EncoderView(text)


def without_any_names(text: str, language: str | None) -> str:
    """``text`` with every listed name (suffix included) and every other proper noun blanked, offsets kept."""
    listed = _pattern().sub(lambda m: " " * len(m.group()), text)
    return _over_proper_nouns(text, listed, lambda noun: " " * len(noun), language)


def without_proper_nouns(text: str, language: str | None) -> str:
    """``text`` with every proper noun blanked (offsets kept): what the classical model reads,
    which drops the listed names itself (``features``)."""
    return _over_proper_nouns(text, text, lambda noun: " " * len(noun), language)
