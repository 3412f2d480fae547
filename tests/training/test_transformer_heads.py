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


def _sentence_outputs(rng, splits: dict[str, int], per_article: int, dim: int, tokens: bool = False):
    """Sentence outputs whose first technique shows only in the vectors, and not linearly
    (v0 * v1 > 0.5): the encoder's logits and the classical model carry nothing about it. With
    ``tokens``, each sentence has token states too, and the second technique shows only there:
    where one token carries both halves of a cue, not two tokens one half each."""
    from spinscope.taxonomy import TECHNIQUE_NAMES

    k = len(TECHNIQUE_NAMES)
    paragraphs, spans, st3, st3_classic, units, languages = [], [], {}, {}, {}, {}
    for split, n in splits.items():
        for aid in _article_ids(split, n, f"{split}-"):
            V = rng.normal(size=(per_article, dim)).astype(np.float32)
            gold = np.zeros((per_article, k), bool)
            gold[:, 0] = V[:, 0] * V[:, 1] > 0.5
            gold[:, 1:] = rng.random((per_article, k - 1)) < 0.02
            states = None
            if tokens:
                states = [rng.normal(size=(6, dim)).astype(np.float16) for _ in range(per_article)]
                gold[:, 1] = rng.random(per_article) < 0.3
                for t, cue in zip(states, gold[:, 1], strict=True):
                    a, b = (rng.integers(6),) * 2 if cue else rng.choice(6, 2, replace=False)
                    t[a, 0], t[b, 1] = 4.0, 4.0
            units[aid] = tuple(SimpleNamespace(start=10 * i, end=10 * i + 9) for i in range(per_article))
            spans += [SimpleNamespace(article=aid, start=10 * i + 1, end=10 * i + 5, technique=TECHNIQUE_NAMES[j])
                      for i, j in zip(*np.nonzero(gold), strict=True)]
            labels = tuple(TECHNIQUE_NAMES[j] for j in np.flatnonzero(gold.any(0)))
            paragraphs.append(SimpleNamespace(article=aid, labels=labels))
            st3[aid] = SimpleNamespace(logits=rng.normal(-3, 1, (per_article, k)), head_input=V,
                                       n_tokens=np.full(per_article, 25.0), token_states=states)
            st3_classic[aid] = SimpleNamespace(paragraphs=np.full((per_article, k), 0.05))
            languages[aid] = "en"
    corpus = SimpleNamespace(paragraphs=tuple(paragraphs), spans=tuple(spans))
    return corpus, SimpleNamespace(st3=st3, st3_classic=st3_classic, units=units, languages=languages)


def test_the_sentence_head_learns_from_the_vectors_what_the_decisions_then_read(monkeypatch):
    from spinscope.detect.decisions import FEATURES, SentenceDecisions, SentenceHead

    monkeypatch.setattr(H, "fit_span_threshold", lambda corpus, out: (0.05, 0.0))  # token logits are not faked here
    corpus, out = _sentence_outputs(np.random.default_rng(0), {"train": 120, "validation": 60, "test": 5}, 20, 8)
    arrays = H.fit_paragraph_heads(corpus, out, lambda _m: None)
    head = SentenceHead.from_arrays(arrays)
    assert head is not None and head.W1.shape[:2] == (3, 8)
    decisions = SentenceDecisions.from_arrays(arrays)
    assert decisions.weights.shape[1] == len(FEATURES)
    assert decisions.weights[0, FEATURES.index("sentence_head_logit")] > 1.0
    # scored on the validation rows, the first technique is found; without the head it could not be
    X, Y, _ = H.sentence_rows(corpus, out, "validation", head)
    found = decisions.probabilities(X)[:, 0] >= decisions.threshold
    assert (found & Y[:, 0]).sum() / max(found.sum(), 1) > 0.6 and (found & Y[:, 0]).sum() / Y[:, 0].sum() > 0.6


def test_with_token_states_an_attention_head_is_fitted_and_the_decisions_read_it(monkeypatch):
    pytest.importorskip("torch")
    from spinscope.detect.decisions import FEATURES, FEATURES_ATTENTION, AttentionHead, SentenceDecisions, SentenceHead
    from spinscope.training import decisions as D

    monkeypatch.setattr(H, "fit_span_threshold", lambda corpus, out: (0.05, 0.0))
    monkeypatch.setattr(D, "ATTENTION_MAX_EPOCHS", 6)
    corpus, out = _sentence_outputs(np.random.default_rng(2), {"train": 100, "validation": 60, "test": 5}, 20, 8, True)
    arrays = H.fit_paragraph_heads(corpus, out, lambda _m: None)
    head, attention = SentenceHead.from_arrays(arrays), AttentionHead.from_arrays(arrays)
    assert attention is not None and attention.dim == 8
    decisions = SentenceDecisions.from_arrays(arrays)
    assert decisions.weights.shape[1] == len(FEATURES_ATTENTION)
    assert decisions.weights[1, FEATURES_ATTENTION.index("attention_head_logit")] > 1.0
    X, Y, _ = H.sentence_rows(corpus, out, "validation", head, attention)
    found = decisions.probabilities(X)[:, 1] >= decisions.threshold
    assert (found & Y[:, 1]).sum() / max(found.sum(), 1) > 0.8 and (found & Y[:, 1]).sum() / Y[:, 1].sum() > 0.8
    # without token states there is no attention head, and the decisions read one column fewer
    for raw in out.st3.values():
        raw.token_states = None
    plain = H.fit_paragraph_heads(corpus, out, lambda _m: None)
    assert AttentionHead.from_arrays(plain) is None and plain["sentences_W"].shape[1] == len(FEATURES)


def test_fitting_the_sentence_head_without_training_sentences_is_a_clear_error():
    corpus, out = _sentence_outputs(np.random.default_rng(1), {"validation": 10}, 5, 4)
    with pytest.raises(ValueError, match="training fold"):
        H.fit_paragraph_heads(corpus, out, lambda _m: None)


def test_each_sentence_row_carries_the_labels_of_its_paragraph():
    from spinscope.detect.transformer import sentence_units
    from spinscope.segment import paragraphs
    from spinscope.taxonomy import TECHNIQUE_NAMES

    (aid,) = _article_ids("validation", 1, "ctx-")
    text = "A title\n\nThey lie. They always lie. Nobody checks.\n\nThe vote is on Monday."
    paras = paragraphs(text)
    units, owner = sentence_units(text, paras)
    assert len(units) == 5 and list(owner) == [0, 1, 1, 1, 2]
    corpus = SimpleNamespace(
        st3_texts={aid: text}, spans=(),
        paragraphs=(SimpleNamespace(article=aid, index=paras[1].index, labels=("Repetition", "Loaded_Language")),
                    SimpleNamespace(article=aid, index=paras[2].index, labels=())))
    out = SimpleNamespace(st3={aid: None}, units={aid: units}, owners={aid: owner})
    rows = H.paragraph_gold_rows(corpus, out, "validation")
    names = [{TECHNIQUE_NAMES[j] for j in np.flatnonzero(r)} for r in rows]
    assert names == [set(), {"Repetition", "Loaded_Language"}, {"Repetition", "Loaded_Language"},
                     {"Repetition", "Loaded_Language"}, set()]  # the title has no labelled paragraph
    assert H.paragraph_gold_rows(corpus, out, "test").shape == (0, len(TECHNIQUE_NAMES))


def test_paragraph_groups_hold_each_labelled_paragraphs_sentences_and_its_labels():
    from spinscope.detect.transformer import sentence_units
    from spinscope.segment import paragraphs
    from spinscope.taxonomy import TECHNIQUE_NAMES

    (aid,) = _article_ids("validation", 1, "grp-")
    text = "A title\n\nThey lie. They always lie. Nobody checks.\n\nThe vote is on Monday."
    paras = paragraphs(text)
    units, owner = sentence_units(text, paras)
    corpus = SimpleNamespace(
        st3_texts={aid: text}, spans=(),
        paragraphs=(SimpleNamespace(article=aid, index=paras[1].index, labels=("Repetition",)),
                    SimpleNamespace(article=aid, index=paras[2].index, labels=())))
    out = SimpleNamespace(st3={aid: None}, units={aid: units}, owners={aid: owner})
    P = np.arange(5 * len(TECHNIQUE_NAMES), dtype=float).reshape(5, -1)
    groups, gold = H.paragraph_groups(corpus, out, "validation", P)
    assert [g.tolist() for g in groups] == [P[1:4].tolist(), P[4:5].tolist()]  # the unlabelled title is left out
    assert [{TECHNIQUE_NAMES[j] for j in np.flatnonzero(r)} for r in gold] == [{"Repetition"}, set()]
    with pytest.raises(ValueError, match="6 probability rows for 5 sentences"):
        H.paragraph_groups(corpus, out, "validation", np.zeros((6, len(TECHNIQUE_NAMES))))


def test_score_split_scores_the_paragraphs_as_semeval_predict_labels_them_too():
    from spinscope.detect.decisions import ArticleDecisions
    from spinscope.detect.scores import ArticleScores
    from spinscope.segment import paragraphs
    from spinscope.taxonomy import TECHNIQUE_NAMES

    (aid,) = _article_ids("test", 1, "score-")
    text = "They may lie. Perhaps they do.\n\nThe vote is on Monday."
    paras = paragraphs(text)
    doubt = TECHNIQUE_NAMES.index("Doubt")
    sentences = np.zeros((3, len(TECHNIQUE_NAMES)), np.float32)
    sentences[:2, doubt] = 0.15  # two weak sentences: neither clears 0.18, together (28%) they clear 0.25
    para = lambda i, labels: SimpleNamespace(article=aid, index=paras[i].index, labels=labels, language="en")  # noqa: E731
    corpus = SimpleNamespace(st3_texts={aid: text}, paragraphs=(para(0, ("Doubt",)), para(1, ())), articles=())
    out = SimpleNamespace(st3={aid: None}, docs={}, owners={aid: np.array([0, 0, 1])})
    scores = ArticleScores(np.stack([sentences[:2].max(0), sentences[2]]), np.zeros(0), np.zeros(0), sentences=sentences)
    thresholds = {"techniques": np.full(len(TECHNIQUE_NAMES), 0.18), "frames": np.zeros(0)}
    metrics = H.score_split(corpus, out, "test", lambda a, o, st3: scores, thresholds,
                            paragraph=ArticleDecisions(1.0, 0.0, 0.25))
    assert metrics["techniques"]["en"]["recall"] == 0.0
    assert metrics["paragraph_techniques"]["en"]["recall"] == 1.0 and metrics["paragraph_techniques"]["en"]["n"] == 2
    assert "paragraph_techniques" not in H.score_split(corpus, out, "test", lambda a, o, st3: scores, thresholds)


def test_line_context_is_fitted_on_the_fold_it_is_given(monkeypatch):
    """bench/shift.py cross-fits the line context, fitting it on the test fold too: ``split`` picks
    the rows and the paragraph labels it learns from. Here a line's own probability predicts its
    paragraph's labels in the test fold and their absence in the validation fold."""
    from spinscope.taxonomy import TECHNIQUE_NAMES

    rng = np.random.default_rng(1)
    P = {s: rng.uniform(0.02, 0.98, (400, len(TECHNIQUE_NAMES))) for s in ("test", "validation")}
    arts = np.repeat([f"a{i}" for i in range(40)], 10)
    monkeypatch.setattr(H, "sentence_rows", lambda corpus, out, split, head, attention: (P[split], None, arts))
    monkeypatch.setattr(H, "paragraph_gold_rows",
                        lambda corpus, out, split: (P[split] >= 0.5) if split == "test" else (P[split] < 0.5))
    identity = SimpleNamespace(probabilities=lambda X: X)
    lines = np.array([[0.9] * len(TECHNIQUE_NAMES), [0.1] * len(TECHNIQUE_NAMES)])
    on_test = H.fit_line_context_on(None, None, identity, None, lambda _m: None, split="test").probabilities(lines)
    on_validation = H.fit_line_context_on(None, None, identity, None, lambda _m: None).probabilities(lines)
    assert (on_test[0] > on_test[1]).all()
    assert (on_validation[0] < on_validation[1]).all()


def test_article_decisions_are_fitted_on_the_fold_they_are_given(monkeypatch):
    """bench/shift.py cross-fits the article decisions too. Here an article whose sentences are
    sure of a technique uses it in the test fold and does not in the validation fold, so the
    fitted slope on the article's evidence has opposite signs."""
    from spinscope.detect.decisions import ArticleDecisions
    from spinscope.taxonomy import TECHNIQUE_NAMES

    rng = np.random.default_rng(2)
    k = len(TECHNIQUE_NAMES)
    arts = np.repeat([f"a{i}" for i in range(60)], 5)
    P = {s: rng.uniform(0.02, 0.98, (len(arts), k)) for s in ("test", "validation")}
    ids = sorted(set(arts))
    strong = {s: np.stack([P[s][arts == a].max(0) >= 0.9 for a in ids]) for s in P}
    gold = {"test": strong["test"], "validation": ~strong["validation"]}
    asked = {}

    def rows(corpus, out, split, head, attention):
        asked["split"] = split
        return P[split], None, arts

    monkeypatch.setattr(H, "sentence_rows", rows)
    # article_gold is not told the fold; it answers for the fold whose rows were read.
    monkeypatch.setattr(H, "article_gold", lambda corpus, ids: gold[asked["split"]])
    identity = SimpleNamespace(probabilities=lambda X: X)

    def fitted(**split: str) -> ArticleDecisions:
        return ArticleDecisions.from_array(H.fit_article_decisions_on(None, None, identity, None, lambda _m: None, **split))

    on_test, on_validation = fitted(split="test"), fitted()  # the default: validation
    assert on_test.weight + on_test.strongest_weight > 0
    assert on_validation.weight + on_validation.strongest_weight < 0
