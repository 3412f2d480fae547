from collections import Counter

import numpy as np

from spinscope.detect.features import Vectorizer, analyze
from spinscope.segment.words import words


def test_words_keep_offsets_and_hyphens():
    text = "Blood-drenched, they said: “No.”"
    assert [(w, text[s:e]) for w, s, e in words(text)][:1] == [("blood-drenched", "Blood-drenched")]


def test_analyze_emits_word_char_and_punctuation_features():
    feats = analyze("Evil plan!")
    assert "w:evil" in feats and "w:evil plan" in feats and "c: ev" in feats and "p:!" in feats


def test_vectorizer_is_l2_normalised_and_ignores_unknown_features():
    vec = Vectorizer.fit(["evil plan", "good plan", "evil deed"], max_features=1000, min_df=1)
    idx, val = vec.transform_one("evil plan plan")
    assert np.isclose(np.linalg.norm(val), 1.0)
    weight = {vec.vocabulary[i]: v for i, v in zip(idx, val, strict=True)}
    idf = {f: vec.idf[vec.index[f]] for f in ("w:plan", "w:evil")}
    # both words are in 2 of 3 documents (smoothed idf); 'plan' occurs twice (sublinear tf)
    assert np.isclose(idf["w:plan"], np.log(4 / 3) + 1) and np.isclose(idf["w:evil"], idf["w:plan"])
    assert np.isclose(weight["w:plan"] / weight["w:evil"], 1 + np.log(2))
    empty_idx, empty_val = vec.transform_one("zzzz qqqq")
    assert len(empty_idx) == len(empty_val) == 0


def test_joined_counts_equal_the_counts_of_the_joined_text():
    texts = ["The evil plan failed!", "“Nobody believed it,” she said.", "", "Plan B: evil again?"]
    vec = Vectorizer.fit(texts + ["failed nobody", "it evil", "again plan"], max_features=5000, min_df=1)
    for a in texts:
        for b in texts:
            joined = vec.joined(vec.counts(a), vec.counts(b))
            direct = vec.counts(a + "\n" + b)[0]
            assert joined == direct, (a, b)
    # the bigram across the join is there ("failed nobody"), and only when both sides have words
    assert vec.index["w:failed nobody"] in vec.joined(vec.counts(texts[0]), vec.counts(texts[1]))


def test_counts_are_analyze_looked_up_in_order_with_or_without_the_token_cache(monkeypatch):
    from spinscope.detect import features

    texts = ["The evil plan failed! The plan, the evil.", "Nobody believed “the plan”?", ""]
    vec = Vectorizer.fit(texts + ["plan plan evil"], max_features=5000, min_df=1)

    def expected(text):
        return list(Counter(vec.index[f] for f in analyze(text) if f in vec.index).items())

    for _ in range(2):  # the second round reads the cache the first one filled
        assert [list(vec.counts(t)[0].items()) for t in texts] == [expected(t) for t in texts]
    assert "plan" in vec._char_ids
    monkeypatch.setattr(features, "CHAR_CACHE", 0)
    fresh = Vectorizer(vec.vocabulary, vec.idf)
    assert [list(fresh.counts(t)[0].items()) for t in texts] == [expected(t) for t in texts]
    assert not fresh._char_ids  # a full cache is read, never grown
