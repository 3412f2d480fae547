import json

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="training needs the [train] extra")

from spinscope.detect.classic import ClassicModel  # noqa: E402
from spinscope.pipeline import Pipeline  # noqa: E402
from spinscope.training import classic  # noqa: E402
from spinscope.training.corpus import fold_of, load_corpus  # noqa: E402
from spinscope.training.run import train_classic_model  # noqa: E402
from tests.training.synthetic import AUTHORITY, LOADED, NEUTRAL, write_corpus  # noqa: E402


def test_folds_are_stable_and_by_article():
    assert fold_of("111111111") == fold_of("111111111")
    assert {fold_of(str(i)) for i in range(100)} == {0, 1, 2, 3, 4}


def test_corpus_reports_and_repairs_corrupted_label(tmp_path):
    logs = []
    corpus = load_corpus(write_corpus(tmp_path), ["en"], log=logs.append)
    assert len(corpus.articles) == 12 and len(corpus.paragraphs) == 36
    assert any("Loaded_Languag-č" in line and "repaired to 'Loaded_Language'" in line for line in logs)
    first = next(p for p in corpus.paragraphs if p.article == "1000" and p.index == 3)
    assert first.labels == ("Loaded_Language",)
    assert len(corpus.data_hash) == 64


def test_train_export_load_predict_round_trip(tmp_path):
    out = tmp_path / "model"
    manifest = train_classic_model(write_corpus(tmp_path / "data"), out, langs=["en"], folds=2, log=lambda m: None)
    assert set(manifest["cv_metrics"]) == {"techniques", "frames", "genre", "partner_techniques"}
    assert manifest["label_problems"][0]["repaired_to"] == "Loaded_Language"
    saved = json.loads((out / "manifest.json").read_text())
    assert saved["training_data"]["sha256"] == manifest["training_data"]["sha256"]
    assert "repaired to 'Loaded_Language'" in (out / "training-log.txt").read_text()

    pipe = Pipeline(ClassicModel.load(out))
    loaded = pipe(f"Headline\n\n{LOADED}\n\n{NEUTRAL}", language="en", threshold=0.5)
    p3, p5 = loaded.paragraphs[1], loaded.paragraphs[2]
    s3 = {s.technique: s.confidence for s in p3.scores}
    s5 = {s.technique: s.confidence for s in p5.scores}
    assert s3["Loaded_Language"] > s5.get("Loaded_Language", 0.0)
    opinion = pipe(f"Headline\n\n{LOADED}\n\n{AUTHORITY}", language="en")
    report = pipe(f"Headline\n\n{NEUTRAL}\n\n{NEUTRAL}", language="en")
    assert opinion.genre.scores["opinion"] > report.genre.scores["opinion"]


def test_runtime_features_match_training_features(tmp_path):
    """The runtime path (ClassicModel) must score exactly what training's features give for the
    text as the runtime reads it: proper nouns blanked (``names.without_proper_nouns``)."""
    from spinscope.detect.names import without_proper_nouns

    out = tmp_path / "model"
    train_classic_model(write_corpus(tmp_path / "data"), out, langs=["en"], folds=2, log=lambda m: None)
    model = ClassicModel.load(out)
    texts = ["Title", LOADED, NEUTRAL, AUTHORITY]
    text = "\n\n".join(texts)
    assert without_proper_nouns(text, "en") != text  # the fixture has names to blank
    texts = without_proper_nouns(text, "en").split("\n\n")  # offsets kept: the same paragraphs
    contexts = [f"{texts[i - 1] if i else ''}\n{texts[i + 1] if i + 1 < len(texts) else ''}" for i in range(4)]
    X = classic.paragraph_matrix(model.vectorizer, texts, contexts, model.context_weight)
    head = model.techniques
    expected = head.calibrated(X @ head.weights.astype(np.float32) + head.bias)
    from spinscope.segment import paragraphs

    got = model.predict(text, paragraphs(text), "en").paragraphs
    assert np.allclose(got, expected, atol=1e-5)


def test_training_is_deterministic(tmp_path):
    data = write_corpus(tmp_path / "data")
    a = train_classic_model(data, tmp_path / "a", langs=["en"], folds=2, log=lambda m: None)
    b = train_classic_model(data, tmp_path / "b", langs=["en"], folds=2, log=lambda m: None)
    assert a["cv_metrics"] == b["cv_metrics"]
    with np.load(tmp_path / "a" / "weights.npz") as za, np.load(tmp_path / "b" / "weights.npz") as zb:
        for k in za.files:
            # liblinear is seeded, so weights match exactly; the Platt fits go
            # through threaded BLAS and may differ in the last float bits.
            assert np.allclose(za[k], zb[k], rtol=1e-4, atol=1e-6), k
        assert np.array_equal(za["techniques_W"], zb["techniques_W"])


def _genre_data(rng: np.random.Generator, n: int = 120):
    """English 90% opinion; column 0 is a reporting style the few reporting articles share weakly."""
    import scipy.sparse as sp

    y = np.where(rng.random(n) < 0.1, classic.REPORTING, 0)
    style = np.where(y == classic.REPORTING, 0.6, -0.6) + rng.normal(0, 1.0, n)
    X = sp.csr_matrix(np.c_[style, rng.normal(size=(n, 3))])
    return X, y, np.array(["en"] * n)


def _news_matrix(rng: np.random.Generator, n: int = 60):
    import scipy.sparse as sp

    return sp.csr_matrix(np.c_[1.5 + rng.normal(0, 1.0, n), rng.normal(size=(n, 3))])


def test_genre_news_at_weight_zero_is_the_semeval_head_and_weight_moves_towards_reporting():
    rng = np.random.default_rng(3)
    X, y, langs = _genre_data(rng)
    news = _news_matrix(rng)
    base = classic.fit_genre(X, y, langs, 1.0, 13)
    same = classic.fit_genre(X, y, langs, 1.0, 13, news, 0.0)
    assert np.array_equal(base[0], same[0]) and np.array_equal(base[1], same[1])
    probe = _news_matrix(rng)
    rep = [classic.softmax(np.asarray(probe @ W) + b)[:, classic.REPORTING].mean()
           for W, b in (classic.fit_genre(X, y, langs, 1.0, 13, news, w) for w in (0.0, 1.0, 4.0))]
    assert rep[0] < rep[1] < rep[2]


def test_genre_choice_takes_news_when_its_validation_articles_need_it():
    rng = np.random.default_rng(4)
    X, y, langs = _genre_data(rng, 200)
    folds = np.arange(len(y)) % 2
    cfg = classic.ClassicConfig(folds=2, fallback_c=(1.0,), news_weights=(0.0, 1.0, 4.0))
    logs: list[str] = []
    choice, Z = classic.choose_genre(X, y, folds, langs, _news_matrix(rng), _news_matrix(rng, 40), cfg, logs.append)
    assert choice["news_weight"] > 0 and set(choice["cv_scores"]) == {"C=1 news=0", "C=1 news=1", "C=1 news=4"}
    assert Z.shape == (len(y), 3) and any("chosen" in line for line in logs)


def test_language_offsets_match_each_languages_reporting_share_and_leave_english_alone():
    rng = np.random.default_rng(0)
    n = 200
    languages = np.array(["ru"] * n + ["en"] * n)
    y = np.where(rng.random(2 * n) < 0.3, classic.REPORTING, classic.GENRE_NAMES.index("opinion"))
    folds = np.arange(2 * n) % 5
    Z = np.zeros((2 * n, len(classic.GENRE_NAMES)))
    # reporting and opinion apart by the gold plus noise, and every Russian article pushed to reporting
    Z[:, classic.REPORTING] = 0.8 * (y == classic.REPORTING) + rng.normal(0, 0.3, 2 * n) + 0.9 * (languages == "ru")
    ru, en = languages == "ru", languages == "en"
    assert (Z[ru].argmax(1) == classic.REPORTING).mean() > 0.9
    offsets, nested = classic.language_offsets(Z, y, folds, languages)
    assert set(offsets) == {"ru"} and offsets["ru"] < -0.5
    called = (nested[ru].argmax(1) == classic.REPORTING).mean()
    assert abs(called - (y[ru] == classic.REPORTING).mean()) < 0.08
    assert np.array_equal(nested[en], Z[en])
    # each fold's offset, chosen on the other folds, moves only the reporting column, and down
    shift = nested[ru] - Z[ru]
    assert (shift[:, classic.REPORTING] < 0).all() and not np.delete(shift, classic.REPORTING, axis=1).any()


def test_news_trains_the_fallbacks_own_genre_head_and_leaves_the_blend_partners(tmp_path):
    from spinscope.segment import paragraphs

    data = write_corpus(tmp_path / "data")
    plain, out = tmp_path / "plain", tmp_path / "model"
    train_classic_model(data, plain, langs=["en"], folds=2, log=lambda m: None)
    manifest = train_classic_model(data, out, langs=["en"], folds=2, log=lambda m: None,
                                   news_dir=_polnear(tmp_path / "polnear"))
    assert manifest["fallback_genre"]["language_offsets"] == {}  # English only, and English gets none
    entry = manifest["fallback_genre"]["news"]
    assert entry["articles"] + entry["validation_articles"] == 8 and len(entry["sha256"]) == 64
    assert "PolNeAR" in entry["source"] and manifest["fallback_genre"]["news_weight"] in classic.ClassicConfig().news_weights
    assert json.loads((out / "manifest.json").read_text())["fallback_genre"] == manifest["fallback_genre"]
    assert set(manifest["cv_metrics"]) == {"techniques", "frames", "genre", "fallback_genre", "partner_techniques"}
    # the blend partner's genre head is the one trained without news
    with np.load(plain / "weights.npz") as a, np.load(out / "weights.npz") as b:
        assert np.array_equal(a["genre_W"], b["genre_W"])
    assert not (plain / "fallback-genre.npz").exists() and ClassicModel.load(plain).fallback_genre is None
    from spinscope.detect.linear import LinearHead

    model = ClassicModel.load(out)
    text = f"Headline\n\n{NEUTRAL}\n\n{AUTHORITY}"
    partner = model.predict(text, paragraphs(text), "en", blend_partner=True).genre
    assert np.allclose(partner, ClassicModel.load(plain).predict(text, paragraphs(text), "en").genre)
    # alone, the model reads its own head: one that calls everything satire shows it
    own = model.fallback_genre
    model.fallback_genre = LinearHead(own.labels, own.weights, own.bias + np.array([0, 0, 50], np.float32))
    assert model.predict(text, paragraphs(text), "en").genre.argmax() == own.labels.index("satire")
    assert model.predict(text, paragraphs(text), "en", blend_partner=True).genre.argmax() != own.labels.index("satire")


def _polnear(root):
    news = root / "train" / "text"
    news.mkdir(parents=True)
    for i in range(8):
        (news / f"news-{i}.txt").write_text(f"The committee met on Monday {i}, officials said.\n", encoding="utf-8")
    return root


def test_genre_only_refit_keeps_every_other_head_and_refuses_other_data(tmp_path):
    from spinscope.errors import TrainingDataMismatch
    from spinscope.training.run import fit_classic_genre_only

    data, out = write_corpus(tmp_path / "data"), tmp_path / "model"
    train_classic_model(data, out, langs=["en"], folds=2, log=lambda m: None)
    read_by_transformer = {f: (out / f).read_bytes() for f in ("weights.npz", "vocab.json", "cues.json")}
    manifest = fit_classic_genre_only(data, out, _polnear(tmp_path / "polnear"), langs=["en"], log=lambda m: None)
    assert all((out / f).read_bytes() == b for f, b in read_by_transformer.items())
    assert (out / "fallback-genre.npz").is_file() and manifest["version"] == classic.MODEL_VERSION
    assert manifest["fallback_genre"]["news"]["articles"] + manifest["fallback_genre"]["news"]["validation_articles"] == 8
    assert "fallback_genre" in manifest["cv_metrics"]
    assert "# train --model classic-genre" in (out / "training-log.txt").read_text()
    assert ClassicModel.load(out).fallback_genre is not None
    other = write_corpus(tmp_path / "other", n_articles=10)
    with pytest.raises(TrainingDataMismatch):
        fit_classic_genre_only(other, out, tmp_path / "polnear", langs=["en"], log=lambda m: None)


def test_sentence_rows_label_each_sentence_by_the_spans_it_overlaps(tmp_path):
    text = f"Title 1\n\n{NEUTRAL} {LOADED}\n\n{AUTHORITY}\n"
    import dataclasses

    from spinscope.semeval.io import GoldSpan
    from spinscope.training.corpus import LabelledParagraph

    corpus = load_corpus(write_corpus(tmp_path / "data", n_articles=2), ["en"])
    start = text.index("corrupt")
    corpus = dataclasses.replace(
        corpus, st3_texts={"1000": text},
        paragraphs=(LabelledParagraph("1000", "en", 3, f"{NEUTRAL} {LOADED}", ("Loaded_Language",), "", ""),),
        spans=(GoldSpan("1000", "Loaded_Language", start, start + 7),))
    rows = classic.sentence_rows(corpus)
    # the paragraph's label falls on the sentence that holds the span, not on its neighbour
    assert [(r.text, r.labels) for r in rows] == [("Title 1", ()), (NEUTRAL, ()), (LOADED, ("Loaded_Language",)),
                                                  (AUTHORITY, ())]
    assert (rows[2].previous, rows[2].next) == (NEUTRAL, AUTHORITY) and rows[0].previous == ""


def test_partner_head_is_the_sentence_head_and_refits_alone_to_the_same_bytes(tmp_path):
    from spinscope.errors import ModelCorrupt
    from spinscope.segment import paragraphs
    from spinscope.training.run import fit_classic_partner_only

    data, out = write_corpus(tmp_path / "data"), tmp_path / "model"
    manifest = train_classic_model(data, out, langs=["en"], folds=2, log=lambda m: None)
    assert manifest["partner_techniques"]["unit"] == "sentence"
    model = ClassicModel.load(out)
    assert model.partner_head == "partner_techniques"
    text = f"Headline\n\n{LOADED}\n\n{NEUTRAL}"
    own = model.predict(text, paragraphs(text), "en").paragraphs
    partner = model.predict(text, paragraphs(text), "en", techniques_head="partner_techniques").paragraphs
    assert own.shape == partner.shape and not np.allclose(own, partner)
    with pytest.raises(ModelCorrupt):
        model.predict(text, paragraphs(text), "en", techniques_head="frames")

    fitted = (out / "partner-techniques.npz").read_bytes()
    kept = {f: (out / f).read_bytes() for f in ("weights.npz", "vocab.json", "cues.json")}
    (out / "partner-techniques.npz").unlink()
    old = ClassicModel.load(out)
    assert old.partner_head == "techniques"
    with pytest.raises(ModelCorrupt):
        old.predict(text, paragraphs(text), "en", techniques_head="partner_techniques")
    refit = fit_classic_partner_only(data, out, langs=["en"], log=lambda m: None)
    assert all((out / f).read_bytes() == b for f, b in kept.items())
    (tmp_path / "fitted.npz").write_bytes(fitted)
    with np.load(tmp_path / "fitted.npz") as a, np.load(out / "partner-techniques.npz") as b:
        assert set(a.files) == set(b.files) == {"W", "b", "a", "c", "t"}
        assert all(np.array_equal(a[k], b[k]) for k in a.files)  # the same head as whole training gave
    assert refit["version"] == classic.MODEL_VERSION and "partner_techniques" in refit["cv_metrics"]
    assert "# train --model classic-partner" in (out / "training-log.txt").read_text()


def test_cues_refit_alone_gives_whole_trainings_lexicon_and_moves_no_other_file(tmp_path):
    from spinscope.training.run import fit_classic_cues_only

    data, out = write_corpus(tmp_path / "data"), tmp_path / "model"
    train_classic_model(data, out, langs=["en"], folds=2, log=lambda m: None)
    learnt = (out / "cues.json").read_bytes()
    kept = {f.name: f.read_bytes() for f in out.iterdir() if f.suffix == ".npz" or f.name == "vocab.json"}
    (out / "cues.json").write_text('{"Loaded_Language": {"biden": 3.0}}', encoding="utf-8")
    manifest = fit_classic_cues_only(data, out, langs=["en"], log=lambda m: None)
    assert (out / "cues.json").read_bytes() == learnt
    assert {f: (out / f).read_bytes() for f in kept} == kept and len(kept) >= 3
    assert manifest["version"] == classic.MODEL_VERSION and "names" in manifest["cue_spans"]["never_cues"]
    assert "# train --model classic-cues" in (out / "training-log.txt").read_text()


def test_partner_refit_learns_from_the_corpus_it_is_given(tmp_path):
    """The heads fit adds the partner to a training-folds model from the training folds alone."""
    import dataclasses

    from spinscope.training.run import fit_classic_partner_only

    data, out = write_corpus(tmp_path / "data"), tmp_path / "model"
    corpus = load_corpus(data, ["en"])
    keep = {a.id for a in corpus.articles[:8]}
    part = dataclasses.replace(corpus, articles=tuple(a for a in corpus.articles if a.id in keep),
                               paragraphs=tuple(p for p in corpus.paragraphs if p.article in keep),
                               st3_texts={a: t for a, t in corpus.st3_texts.items() if a in keep})
    train_classic_model(data, out, langs=["en"], folds=2, log=lambda m: None)
    manifest = fit_classic_partner_only(data, out, log=lambda m: None, corpus=part)
    assert manifest["cv_metrics"]["partner_techniques"]["all"]["n"] == len(classic.sentence_rows(part)) < len(
        classic.sentence_rows(corpus))
