from spinscope.detect.features import analyze
from spinscope.detect.names import mask_names


def test_listed_names_and_their_forms_are_masked():
    text = "Pakistan's army, ISIS fighters, the Tories' plan and North Korea; Donald Trump said so."
    masked = mask_names(text)
    for name in ("Pakistan", "ISIS", "Tories", "North Korea", "Trump"):
        assert name not in masked
    assert "army" in masked and "Donald" in masked and "plan" in masked


def test_same_length_masking_keeps_offsets_and_makes_names_alike():
    a = mask_names("Why does Pakistan's army shelter ISIS?", keep_offsets=True)
    b = mask_names("Why does India's army shelter Hamas?", keep_offsets=True)
    assert len(a) == len("Why does Pakistan's army shelter ISIS?")
    assert a.split() == b.split()  # the same words once the padding is set aside


def test_words_that_only_look_like_names_stay():
    text = "the turkey was chad-like; a democratic vote, a labour dispute, the iranian-made drone"
    assert mask_names(text) == text


def test_classic_features_ignore_listed_names():
    assert analyze("The regime in Pakistan lies.") == analyze("The regime in India lies.")
    assert analyze("The regime in Pakistan lies.") != analyze("The regime in Freedonia lies.")  # not listed


def test_proper_nouns_are_masked_wherever_they_stand():
    from spinscope.detect.names import mask_proper_nouns

    a = "Catalonia must act. The Red Brigades attacked Catalonia's police, said Hartmann. I think ISIS lies."
    b = "Flanders must act. The Black Hand attacked Flanders's police, said Okonkwo. I think NATO lies."
    ma, mb = mask_proper_nouns(a), mask_proper_nouns(b)
    assert len(ma) == len(a)
    assert ma.split() == mb.split()  # a listed acronym and unlisted names alike
    assert ma.split()[:3] == ["Name", "must", "act."]  # first in its sentence, but a name elsewhere too
    assert "The" in ma.split() and "I" in ma.split() and "think" in ma
    # Capitalised first words that are not names elsewhere, and shouted slogans, stay.
    assert mask_proper_nouns("However, STOP THE STEAL was everywhere.") == "However, STOP THE STEAL was everywhere."


def test_german_masks_names_but_reads_common_nouns():
    from spinscope.detect.names import encoder_view

    text = ("Die Bundesregierung traf Hartmann und Josep Borrell in Quebec, sagt Putin. "
            "„Was sagen Sie?“, fragte die US-Regierung nach dem Gas- und Strommarkt. Die Zugvögel und Okonkwo kamen.")
    view = encoder_view(text, "proper_nouns", "de")
    assert len(view) == len(text)
    for name in ("Hartmann", "Josep Borrell", "Quebec", "Putin", "Okonkwo"):
        assert name not in view
    # Nouns (known, a compound of known ones, hyphenated, cut off), and words capitalised only
    # because a quote opens stay.
    for word in ("Bundesregierung", "„Was", "Sie", "US-Regierung", "Gas-", "Strommarkt", "Zugvögel"):
        assert word in view
    assert encoder_view(text, "names", "de") != view  # more than the lists


def test_german_swaps_of_unlisted_names_read_alike():
    from spinscope.detect.names import encoder_view, without_proper_nouns

    a = "Die Regierung von Hartmann lügt über Katalonien, meint Lindqvist."
    b = "Die Regierung von Okonkwo lügt über Tasmanien, meint Ferreira."
    assert encoder_view(a, "proper_nouns", "de").split() == encoder_view(b, "proper_nouns", "de").split()
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
        assert mask_names(text, keep_offsets=True) == text
    masked = mask_names("Marine Le Pen, bin Laden, Stati Uniti, Wielka Brytania, Hong Kong.", keep_offsets=True)
    assert masked.split() == ["Marine", "Name,", "Name,", "Name,", "Name,", "Name."]
