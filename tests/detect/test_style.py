import numpy as np

from spinscope.detect.style import NAMES, style_features

REPORTING = ('The minister said on Tuesday that the budget would rise by 4%. "We will publish the figures," '
             "she told reporters. According to the ministry, 1,200 posts are affected.")
OPINION = "We must stop this madness! Do you really believe them? I do not, and neither should you."


def test_features_separate_reporting_from_opinion():
    r, o = style_features(REPORTING), style_features(OPINION)
    assert r.shape == o.shape == (len(NAMES),) and r.dtype == np.float32
    f = dict(zip(NAMES, zip(r, o, strict=True), strict=True))
    assert f["said_per_sentence"][0] > f["said_per_sentence"][1]
    assert f["quotes_per_word"][0] > f["quotes_per_word"][1]
    assert f["digits_per_char"][0] > f["digits_per_char"][1]
    assert f["first_person_per_word"][1] > f["first_person_per_word"][0]
    assert f["second_person_per_word"][1] > 0 == f["second_person_per_word"][0]
    assert f["questions_per_sentence"][1] > 0 and f["exclamations_per_sentence"][1] > 0


def test_empty_text_gives_finite_features():
    assert np.isfinite(style_features("")).all()
