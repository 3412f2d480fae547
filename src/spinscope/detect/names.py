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
from functools import lru_cache
from pathlib import Path

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
Xinjiang Donbas
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
    # words are never touched), with possessives and an 's' plural: "Pakistan's", "Tories'".
    return re.compile(rf"(?<![\w-])(?P<name>{trie_alternation(names)})(?P<suffix>['’]s?|s)?(?![\w-])")


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


def _placeholder(name: str) -> str:
    """The same stand-in for every name of four characters or more, right-aligned to keep offsets."""
    return ("Name" if len(name) >= 4 else "Nme"[: len(name)]).rjust(len(name))


def mask_names(text: str, *, keep_offsets: bool = False) -> str:
    """``text`` with every listed name removed.

    By default a name and its suffix become one space (for bag-of-n-gram features). With
    ``keep_offsets`` each name becomes a same-length stand-in and its suffix stays, so every
    character offset still points into the original text (for the encoder and its spans).
    """
    if not keep_offsets:
        return _pattern().sub(" ", text)
    return _pattern().sub(lambda m: _placeholder(m.group("name")) + (m.group("suffix") or ""), text)


_WORD = re.compile(r"[^\W\d_][\w-]*")
_OPENS_SENTENCE = re.compile(r"(?:^|[.!?:;\n])[\s\"'“‘«»„‚(\[]*$")

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
_DE_FUNCTION_WORDS = frozenset("""
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


def german_common_in(text: str) -> frozenset[str]:
    """Lowercased words the article itself writes in lowercase."""
    return frozenset(m.group().lower() for m in _WORD.finditer(text) if m.group()[0].islower())


def german_common(word: str, common_in_article: frozenset[str] = frozenset()) -> bool:
    """Whether a capitalised German word reads as a common word, not a name. A hyphenated
    word goes by its last part ("US-Regierung"); a cut-off first part ("Gas-") by itself."""
    parts = [p for p in word.lower().split("-") if p]
    if not parts:
        return True
    w = parts[-1]
    if w in _DE_FUNCTION_WORDS or w in common_in_article:
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
    of a sentence (unless the same word also appears capitalised inside one), not "I", not all
    capitals (acronyms and shouted slogans stay; the listed ones are masked by ``mask_names``).
    In German, only words that are no common noun (``german_common``)."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text) if m.group()[0].isupper()]
    if language in CAPITALISED_NOUNS:
        common = german_common_in(text)
        words = [(s, e, w) for s, e, w in words if not german_common(w, common)]
    starts = {s: bool(_OPENS_SENTENCE.search(text[max(0, s - 12):s])) for s, _, _ in words}
    inside = {w for s, _, w in words if not starts[s]}
    spans: list[tuple[int, int]] = []
    for s, e, w in words:
        if len(w) < 2 or w.isupper() or (starts[s] and w not in inside):
            continue
        if spans and text[spans[-1][1]:s] == " ":  # "Red Brigades": one name, one stand-in
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return tuple(spans)


def mask_proper_nouns(text: str, language: str | None = None) -> str:
    """``mask_names(text, keep_offsets=True)``, and every other proper noun as well (offsets kept)."""
    return _over_proper_nouns(text, mask_names(text, keep_offsets=True), _placeholder, language)


def _over_proper_nouns(text: str, base: str, fill: Callable[[str], str], language: str | None) -> str:
    """``base`` (``text`` or a same-length view of it) with each proper noun of ``text`` replaced by ``fill(noun)``."""
    out = list(base)
    for s, e in proper_noun_spans(text, language):
        out[s:e] = fill(text[s:e])
    return "".join(out)


MASKS = ("none", "names", "proper_nouns")


def encoder_view(text: str, mask: str, language: str | None) -> str:
    """What the encoder reads under a model's masking mode (offsets unchanged)."""
    if mask == "proper_nouns":
        return mask_proper_nouns(text, language)
    if mask == "names":
        return mask_names(text, keep_offsets=True)
    return text


def without_any_names(text: str, language: str | None) -> str:
    """``text`` with every listed name (suffix included) and every other proper noun blanked, offsets kept."""
    listed = _pattern().sub(lambda m: " " * len(m.group()), text)
    return _over_proper_nouns(text, listed, lambda noun: " " * len(noun), language)


def without_proper_nouns(text: str, language: str | None) -> str:
    """``text`` with every proper noun blanked (offsets kept): what the classical model reads,
    which drops the listed names itself (``features``)."""
    return _over_proper_nouns(text, text, lambda noun: " " * len(noun), language)
