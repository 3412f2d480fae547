import pytest

from spinscope.detect.mentions import RuleFinder, finder_for, key, resolve
from spinscope.errors import InvalidOption


def _names(text, language="en"):
    return [(text[m.start:m.end], m.label) for m in RuleFinder().find(text, language)]


def test_rules_find_names_countries_and_acronyms_but_not_sentence_openers():
    text = ("However, the Bank of England warned Germany's leaders on Monday.\n"
            "NATO met in Brussels. Officials said Brussels would wait. I disagree.")
    assert _names(text) == [("Bank of England", "other"), ("Germany", "place"), ("NATO", "organisation"),
                            ("Brussels", "other"), ("Brussels", "other")]


def test_an_english_opener_is_a_name_only_when_english_does_not_write_it_in_lowercase():
    text = "History offers a warning. Violence spread. Freedonia shelters them. Security held."
    assert _names(text) == [("Freedonia", "other")]
    # Seen capitalised inside a sentence, a common word is a name here ("Rose" the person).
    assert ("Rose", "other") in _names("Rose said no. We asked Rose again.")
    # A capitalised function word alone is no name, even inside a line ("Email This").
    assert _names("Email This. Officials flew in from The Hague on a mission to the court today.") == [("The Hague", "other")]


def test_title_case_headlines_yield_only_known_names():
    text = "Pakistan: A Haven for ISIS in the North\n\nISIS is active in Pakistan and in the north."
    assert {n for n, _ in _names(text)} == {"Pakistan", "ISIS"}


def test_countries_come_from_the_articles_language():
    assert ("Allemagne", "place") in _names("Selon le ministre, l'Allemagne et la Allemagne voisine.", "fr")
    assert _names("Laut Berichten hat Frankreich reagiert.", "de") == [("Frankreich", "place")]


def test_german_names_are_the_capitalised_words_that_are_no_common_noun():
    text = "Die Bundesregierung traf Josep Borrell in Quebec, sagt Putin. Die Zugvögel und Okonkwo kamen laut NATO."
    assert [n for n, _ in _names(text, "de")] == ["Josep Borrell", "Quebec", "Putin", "Okonkwo", "NATO"]


def test_resolve_merges_repeats_surnames_and_bracketed_acronyms():
    text = "Imran Khan met the Islamic State (IS) envoy. Later Khan said that the Islamic State lied."
    groups = resolve(text, RuleFinder().find(text, "en"))
    assert [[text[m.start:m.end] for m in g] for g in groups] == [
        ["Imran Khan", "Khan"], ["Islamic State", "IS", "Islamic State"]]
    assert key("The  Islamic State’s") == "islamic state’s".replace("’", "'")


def test_backend_choice_is_checked():
    with pytest.raises(InvalidOption, match="unknown entity backend"):
        finder_for("en", "magic")
    assert isinstance(finder_for("xx", "auto"), RuleFinder)  # no spaCy pipeline for the language


def test_spacy_backend_when_installed():
    pytest.importorskip("spacy")
    found = finder_for("en", "spacy")
    text = "Angela Merkel met officials of the United Nations in Paris on Monday."
    names = {(text[m.start:m.end], m.label) for m in found.find(text, "en")}
    assert {("Angela Merkel", "person"), ("United Nations", "organisation"), ("Paris", "place")} <= names
