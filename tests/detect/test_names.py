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
