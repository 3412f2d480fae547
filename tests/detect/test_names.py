from spinscope.detect.features import analyze
from spinscope.detect.names import encoder_view, mask_names


def test_listed_names_and_their_forms_are_masked():
    text = "Pakistan's army, ISIS fighters, the Tories' plan and North Korea; Donald Trump said so."
    masked = mask_names(text)
    for name in ("Pakistan", "ISIS", "Tories", "North Korea", "Trump"):
        assert name not in masked
    assert "army" in masked and "Donald" in masked and "plan" in masked


def test_the_encoder_reads_every_name_as_one_stand_in_whatever_its_length():
    import numpy as np

    views = [encoder_view(t, "names", None) for t in ("Why does Pakistan's army shelter ISIS?",
                                                      "Why does the EU's army shelter Hamas?")]
    assert views[0].text == "Why does Name's army shelter Name?"
    assert views[1].text == "Why does the Name's army shelter Name?"
    text = "The (PKK) and Pakistan met."
    view = encoder_view(text, "proper_nouns", "en")
    assert view.text == "The ( Name) and Name met."  # after a space, so always the same word piece
    # Token offsets map back to the article: a stand-in covers its name, the rest shifts.
    tokens = np.array([[0, 3], [4, 5], [5, 10], [10, 11], [12, 15], [15, 20], [21, 24]])
    assert view.to_article(tokens).tolist() == [[0, 3], [4, 5], [5, 8], [8, 9], [10, 13], [13, 22], [23, 26]]
    assert [text[s:e] for s, e in view.to_article(tokens)] == ["The", "(", "PKK", ")", "and", " Pakistan", "met"]
    assert view.piece(14, 27) == "Name met."
    assert encoder_view(text, "none", "en").text == text


def test_words_that_only_look_like_names_stay():
    text = "the turkey was chad-like; a democratic vote, a labour dispute, the iranian-made drone"
    assert mask_names(text) == text


def test_classic_features_ignore_listed_names():
    assert analyze("The regime in Pakistan lies.") == analyze("The regime in India lies.")
    assert analyze("The regime in Pakistan lies.") != analyze("The regime in Freedonia lies.")  # not listed


def test_proper_nouns_are_masked_wherever_they_stand():
    a = "Catalonia must act. The Red Brigades attacked Catalonia's police, said Hartmann. I think ISIS lies."
    b = "Flanders must act. The Black Hand attacked Flanders's police, said Okonkwo. I think NATO lies."
    ma, mb = (encoder_view(t, "proper_nouns", None).text for t in (a, b))
    assert ma == mb  # a listed acronym and unlisted names alike
    assert ma.split()[:3] == ["Name", "must", "act."]  # first in its sentence, but a name elsewhere too
    assert "The" in ma.split() and "I" in ma.split() and "think" in ma
    # Capitalised first words that are not names elsewhere, and shouted slogans, stay.
    assert encoder_view("However, STOP THE STEAL was everywhere.", "proper_nouns", None).text == (
        "However, STOP THE STEAL was everywhere.")


def test_names_in_capitals_are_masked_but_shouted_words_and_numerals_stay():
    from spinscope.detect.names import without_proper_nouns

    a = "The PKK, not the army, runs the camps, says SALVINI. NOT one step, wrote Louis XVI. It is NOT over."
    b = "The BJP, not the army, runs the camps, says HARTMANN. NOT one step, wrote Louis XVI. It is NOT over."
    for view in (lambda t: encoder_view(t, "proper_nouns", "en").text, lambda t: without_proper_nouns(t, "en")):
        assert view(a).split() == view(b).split()
    ma = encoder_view(a, "proper_nouns", "en").text
    for kept in ("NOT", "XVI", "army"):  # a common word shouted, a Roman numeral
        assert kept in ma
    assert "PKK" not in ma and "SALVINI" not in ma
    # Outside English, a word in capitals is shouted when the article also writes it in lowercase.
    it = "Il PKK dice NO. Ma no, non è così."
    assert encoder_view(it, "proper_nouns", "it").text == "Il Name dice NO. Ma no, non è così."
    assert encoder_view("The US and us.", "proper_nouns", "en").text == "The Name and us."  # listed: "us" is a word


def test_german_masks_names_but_reads_common_nouns():
    text = ("Die Bundesregierung traf Hartmann und Josep Borrell in Quebec, sagt Putin. "
            "„Was sagen Sie?“, fragte die US-Regierung nach dem Gas- und Strommarkt. Die Zugvögel und Okonkwo kamen.")
    view = encoder_view(text, "proper_nouns", "de").text
    for name in ("Hartmann", "Josep Borrell", "Quebec", "Putin", "Okonkwo"):
        assert name not in view
    # Nouns (known, a compound of known ones, hyphenated, cut off), and words capitalised only
    # because a quote opens stay.
    for word in ("Bundesregierung", "„Was", "Sie", "Gas-", "Strommarkt", "Zugvögel"):
        assert word in view
    assert "Name-Regierung" in view  # the name a compound opens with ("US-Regierung")
    assert encoder_view(text, "names", "de").text != view  # more than the lists


def test_names_that_open_hyphenated_words_are_masked():
    a = "Das Putin-Regime und die Hartmann-Regierung streiten über den Ukraine-Krieg."
    b = "Das Biden-Regime und die Okonkwo-Regierung streiten über den Tasmanien-Krieg."
    assert encoder_view(a, "proper_nouns", "de").text == encoder_view(b, "proper_nouns", "de").text
    assert encoder_view(a, "proper_nouns", "de").text.startswith("Das Name-Regime und die Name-Regierung")
    assert mask_names("anti-Trump rallies, the Saudi-led coalition") == mask_names(
        "anti-Biden rallies, the Iranian-led coalition")
    assert mask_names("the chad-like, iranian-made drone") == "the chad-like, iranian-made drone"


def test_german_swaps_of_unlisted_names_read_alike():
    from spinscope.detect.names import without_proper_nouns

    a = "Die Regierung von Hartmann lügt über Katalonien, meint Lindqvist."
    b = "Die Regierung von Okonkwo lügt über Tasmanien, meint Ferreira."
    assert encoder_view(a, "proper_nouns", "de").text == encoder_view(b, "proper_nouns", "de").text
    assert without_proper_nouns(a, "de").split() == without_proper_nouns(b, "de").split() == [
        "Die", "Regierung", "von", "lügt", "über", ",", "meint", "."]


def test_a_german_word_written_in_lowercase_elsewhere_is_no_name():
    from spinscope.detect.names import proper_noun_spans

    text = "Er kam. Und Zwoggel sagte es. Das ist zwoggel, nicht Zwoggel."
    assert proper_noun_spans(text, "de") == ()
    assert proper_noun_spans(text.replace("zwoggel", "schön"), "de") != ()


def test_the_classical_model_reads_no_proper_noun(monkeypatch):
    from pathlib import Path

    import numpy as np

    from spinscope.detect.classic import ClassicModel
    from spinscope.detect.names import without_proper_nouns
    from spinscope.segment import paragraphs

    assert without_proper_nouns("He met Hartmann in Quebec.", "en") == "He met          in       ."
    assert without_proper_nouns("Die Regierung lügt.", "de") == "Die Regierung lügt."
    model = ClassicModel.load(Path(__file__).parents[2] / "src" / "spinscope" / "models" / "classic")
    a = "Title\n\nThe corrupt regime in Catalonia lies to its people, says Hartmann."
    b = "Title\n\nThe corrupt regime in Flanders lies to its people, says Okonkwo."
    pa, pb = (model.predict(t, paragraphs(t), "en") for t in (a, b))
    assert np.array_equal(pa.paragraphs, pb.paragraphs) and np.array_equal(pa.genre, pb.genre)
    # Without the blanking the names would be read (char n-grams): the test can fail.
    monkeypatch.setattr("spinscope.detect.classic.without_proper_nouns", lambda text, language: text)
    assert not np.array_equal(model.predict(a, paragraphs(a), "en").paragraphs,
                              model.predict(b, paragraphs(b), "en").paragraphs)


def test_the_trie_regex_matches_as_the_longest_first_alternation():
    import re

    from spinscope.detect.names import trie_alternation

    words = ["Democrat", "Democrats", "Democratic", "Liberal", "Liberal Democrats", "Hong Kong", "Hong", "US", "U.S.",
             "Kim", "Kim Jong-un", "al-Qaeda", "a"]
    longest_first = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    text = ("Democrats and Democratic voters; the Liberal Democratic group; Liberal Democrats' plans; Hong Kong, "
            "Hong Konger; U.S. and US; Kim Jong-un, Kim's; al-Qaeda's; a b; Democratics")
    for suffix in ("", r"(?:'s?|s)?(?![\w-])"):
        flat = re.compile(rf"(?<![\w-])(?:{longest_first}){suffix}")
        trie = re.compile(rf"(?<![\w-])(?:{trie_alternation(words)}){suffix}")
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)]
    assert re.fullmatch(trie_alternation(words), "Kim Jong-un") and not re.fullmatch(trie_alternation(words), "Kim Jong")


def test_without_any_names_blanks_listed_names_and_proper_nouns_keeping_offsets():
    from spinscope.detect.names import without_any_names

    text = "ISIS and Pakistan's army met Hartmann; the army lied."
    out = without_any_names(text, "en")
    assert len(out) == len(text)
    assert out.split() == ["and", "army", "met", ";", "the", "army", "lied."]


def test_parts_of_multiword_names_are_not_names_on_their_own():
    # "Le Pen" and "bin Laden" once sat on whitespace-split lines, which made "Le" (and "Les"),
    # "bin" and "Laden" names; so did "Vereinigte Staaten", "Stati Uniti" and "Wielka Brytania".
    kept = {"Les gens disent. Le Monde aussi.": "fr", "Ich bin im Laden. Die Staaten streiten.": "de",
            "Gli Stati membri tacciono.": "it", "Wielka sprawa.": "pl"}
    for text in kept:
        assert mask_names(text) == text
    masked = encoder_view("Marine Le Pen, bin Laden, Stati Uniti, Wielka Brytania, Hong Kong.", "names", None).text
    assert masked == "Marine Name, Name, Name, Name, Name."
