"""Article heads fitted on cached encoder outputs: the genre head's weighting and blend choice."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES
from spinscope.training.transformer import split_of

pytest.importorskip("sklearn", reason="fitting heads needs the [train] extra")
from spinscope.training import transformer_heads as H  # noqa: E402

OP, REP, SAT = (GENRE_NAMES.index(g) for g in ("opinion", "reporting", "satire"))


def test_genre_weights_balance_classes_within_each_language():
    y = np.array([OP] * 9 + [REP] + [OP, REP, REP, REP])
    langs = np.array(["en"] * 10 + ["fr"] * 4)
    w = H.genre_weights(y, langs)
    en, fr = langs == "en", langs == "fr"
    assert w[en & (y == OP)].sum() == pytest.approx(w[en & (y == REP)].sum())
    assert w[fr & (y == OP)].sum() == pytest.approx(w[fr & (y == REP)].sum())
    # each language keeps its share of the articles
    assert w[en].sum() == pytest.approx(10) and w[fr].sum() == pytest.approx(4)


def test_balanced_macro_ignores_how_frequent_each_class_is():
    # the same per-class rates at two class mixes give the same score; plain macro-F1 would not
    few = (np.array([OP] * 10 + [REP] * 2), np.array([OP] * 8 + [REP] * 2 + [REP, OP]))
    many = (np.array([OP] * 50 + [REP] * 10), np.array([OP] * 40 + [REP] * 10 + [REP] * 5 + [OP] * 5))
    assert H.genre_balanced_macro(*few) == pytest.approx(H.genre_balanced_macro(*many))
    assert H.genre_balanced_macro(np.array([OP, REP]), np.array([OP, REP])) == 1.0
    assert H.genre_balanced_macro(np.array([OP, REP]), np.array([OP, OP])) == pytest.approx((2 / 3 + 0) / 2)


def _article_ids(split: str, n: int, prefix: str) -> list[str]:
    out, i = [], 0
    while len(out) < n:
        if split_of(f"{prefix}{i}") == split:
            out.append(f"{prefix}{i}")
        i += 1
    return out


def test_english_reporting_is_recognised_though_english_is_mostly_opinion():
    """The document vector names the language (as a multilingual encoder's does); English is 90%
    opinion, French half reporting. A head balanced over the pooled languages learns English's
    prior; balanced within each language it follows the style feature."""
    rng = np.random.default_rng(0)
    arts, docs, docs_classic = [], {}, {}
    for split, n_en, n_fr in (("train", 200, 60), ("validation", 60, 20)):
        for lang, n, rep_share in (("en", n_en, 0.1), ("fr", n_fr, 0.5)):
            for aid in _article_ids(split, n, f"{lang}-{split}-"):
                genre = REP if rng.random() < rep_share else OP
                style = (1.0 if genre == REP else -1.0) + rng.normal(0, 1.2)
                vec = np.array([lang == "en", lang == "fr", style, rng.normal()], np.float32)
                arts.append(SimpleNamespace(id=aid, language=lang, genre=GENRE_NAMES[genre], frames=()))
                docs[aid] = SimpleNamespace(document=vec)
                # a classical model that knows nothing: a flat opinion lean
                docs_classic[aid] = SimpleNamespace(genre=np.array([0.5, 0.4, 0.1]), frames=np.full(len(FRAME_NAMES), 0.1))
    arrays = H.fit_article_heads(SimpleNamespace(articles=arts), SimpleNamespace(docs=docs, docs_classic=docs_classic),
                                 13, lambda _m: None)
    w = float(arrays["genre_w"][0])
    val_en = [a for a in arts if a.language == "en" and split_of(a.id) == "validation"]
    probs = np.array([w * H.softmax(docs[a.id].document @ arrays["genre_W"] + arrays["genre_b"])
                      + (1 - w) * docs_classic[a.id].genre for a in val_en])
    gold = np.array([GENRE_NAMES.index(a.genre) for a in val_en])
    assert w > 0.5, "the informative head must outweigh the flat classical one"
    assert (probs.argmax(1)[gold == REP] == REP).mean() >= 0.5
    assert (probs.argmax(1)[gold == OP] == OP).mean() >= 0.5


def test_article_gold_is_the_union_of_the_articles_paragraph_labels():
    from spinscope.taxonomy import TECHNIQUE_NAMES

    para = lambda a, labels: SimpleNamespace(article=a, labels=labels)  # noqa: E731
    corpus = SimpleNamespace(paragraphs=(para("a", ("Doubt",)), para("b", ()), para("a", ("Repetition", "Doubt")),
                                         para("c", ("Slogans",))))
    gold = H.article_gold(corpus, ["a", "b"])
    assert gold.shape == (2, len(TECHNIQUE_NAMES))
    assert {TECHNIQUE_NAMES[j] for j in np.flatnonzero(gold[0])} == {"Doubt", "Repetition"} and not gold[1].any()
