"""Hard news as more English reporting for the genre head, and the validation choice of its weight."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES
from tests.training.test_transformer_heads import _article_ids

pytest.importorskip("sklearn", reason="fitting heads needs the [train] extra")
from spinscope.training import genre_news as G  # noqa: E402
from spinscope.training import transformer_heads as H  # noqa: E402

OP, REP = GENRE_NAMES.index("opinion"), GENRE_NAMES.index("reporting")
FLAT = np.array([0.5, 0.4, 0.1])  # a classical partner that knows nothing


def _semeval(rng: np.random.Generator):
    """English 90% opinion, French half reporting; feature 2 is a weak reporting style."""
    arts, docs, docs_classic = [], {}, {}
    for split, n_en, n_fr in (("train", 200, 60), ("validation", 80, 40)):
        for lang, n, rep_share in (("en", n_en, 0.1), ("fr", n_fr, 0.5)):
            for aid in _article_ids(split, n, f"{lang}-{split}-"):
                genre = REP if rng.random() < rep_share else OP
                style = (0.7 if genre == REP else -0.7) + rng.normal(0, 1.0)
                docs[aid] = SimpleNamespace(document=np.array([lang == "en", lang == "fr", style, rng.normal()], np.float32))
                docs_classic[aid] = SimpleNamespace(genre=FLAT, frames=np.full(len(FRAME_NAMES), 0.1))
                arts.append(SimpleNamespace(id=aid, language=lang, genre=GENRE_NAMES[genre], frames=()))
    return SimpleNamespace(articles=arts), SimpleNamespace(docs=docs, docs_classic=docs_classic)


def _news(rng: np.random.Generator, style: float, domain: float, n: int = 150) -> G.News:
    """English news: ``style`` on the reporting feature, ``domain`` on a feature SemEval lacks."""
    ids = tuple(f"news-{i}" for i in range(n))
    docs = np.array([[1, 0, style + rng.normal(0, 1.0), domain + rng.normal(0, 0.3)] for _ in ids], np.float32)
    return G.News(ids, docs, np.tile(FLAT, (n, 1)), "0" * 64)


def test_news_at_weight_zero_is_the_semeval_head():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 4)), np.array([OP, REP, OP] * 20)
    langs = np.array(["en"] * 30 + ["fr"] * 30)
    base = H.fit_genre_head(X, y, langs, 13)
    same = H.fit_genre_head(X, y, langs, 13, rng.normal(size=(10, 4)), 0.0)
    assert np.array_equal(base[0], same[0]) and np.array_equal(base[1], same[1])


def test_news_weight_moves_english_towards_reporting():
    rng = np.random.default_rng(2)
    X = np.c_[np.ones(100), rng.normal(size=(100, 2))]
    y = np.array([OP] * 90 + [REP] * 10)
    langs = np.array(["en"] * 100)
    news = np.c_[np.ones(50), rng.normal(size=(50, 2))]
    rep = [H.softmax(news @ W + b)[:, REP].mean() for W, b in (H.fit_genre_head(X, y, langs, 13, news, w)
                                                                for w in (0.0, 1.0, 4.0))]
    assert rep[0] < rep[1] < rep[2]


def test_validation_adds_news_only_where_the_semeval_head_misses_it():
    corpus, out = _semeval(np.random.default_rng(3))
    log: list[str] = []
    # News that leans opinion on SemEval's style but has a look of its own: the SemEval head misses
    # it; with weight, the head learns the look, and SemEval's articles (without it) keep their calls.
    weight, W, b, scores = G.choose_news_weight(corpus, out, _news(np.random.default_rng(4), -0.5, 2.0), 1.0, 0.5, 13,
                                                log.append)
    assert weight > 0 and scores[f"{weight:g}"] > scores["0"] + 0.03
    assert set(scores) == {f"{w:g}" for w in G.NEWS_WEIGHTS} and any("chosen" in m for m in log)
    # News the SemEval head already recognises: more weight only tilts English towards reporting.
    weight, *_ = G.choose_news_weight(corpus, out, _news(np.random.default_rng(5), 4.0, 0.0), 1.0, 0.5, 13,
                                      lambda _m: None)
    assert weight == 0.0


def test_news_validation_fold_is_the_hash_split():
    news = _news(np.random.default_rng(6), 0.0, 0.0, n=400)
    share = news.validation.mean()
    assert 0.12 < share < 0.28  # one fold in five
    entry = G.decision_entry(news, 2.0, {"0": 0.5, "2": 0.6})
    assert entry["articles"] + entry["validation_articles"] == 400 and entry["weight"] == 2.0


def test_read_news_needs_training_articles(tmp_path):
    with pytest.raises(FileNotFoundError, match="no PolNeAR training articles"):
        G.read_news(tmp_path)
    (tmp_path / "train" / "text").mkdir(parents=True)
    (tmp_path / "train" / "text" / "nyt_2016-01-01_a.txt").write_text("Senators voted on Tuesday.", encoding="utf-8")
    assert G.read_news(tmp_path) == {"nyt_2016-01-01_a": "Senators voted on Tuesday."}

