import numpy as np
import pytest

from spinscope.detect.decisions import (
    CONTEXT_FLOOR,
    CONTEXT_WINDOW,
    FEATURES,
    FEATURES_ATTENTION,
    FEATURES_V4,
    ArticleDecisions,
    AttentionHead,
    LineContext,
    SentenceDecisions,
    SentenceHead,
    logit,
    noisy_or,
    unit_features,
)
from spinscope.training.decisions import (
    fit_article_decisions,
    fit_attention_head,
    fit_sentence_decisions,
    fit_sentence_head,
)


def test_sentence_decisions_learn_a_signal_and_pick_a_threshold_out_of_fold():
    rng = np.random.default_rng(0)
    n, k = 2000, 3
    Y = rng.random((n, k)) < 0.1
    logits = np.where(Y, 2.0, -2.0) + rng.normal(0, 1.0, (n, k))  # the encoder carries the signal
    classic = np.full((n, k), 0.1)  # the classical model carries none
    X = unit_features(logits, classic, np.full(n, 20.0), "en")
    assert X.shape == (n, k, len(FEATURES_V4))
    W, b, t, f1 = fit_sentence_decisions(X, Y, np.array([f"a{i // 10}" for i in range(n)]))
    assert f1 > 0.8 and 0.05 <= t <= 0.95
    assert (W[:, FEATURES_V4.index("transformer_logit")] > 0).all()
    P = SentenceDecisions(W.astype(float), b.astype(float), t).probabilities(X)
    assert abs(P.mean() - Y.mean()) < 0.02  # calibrated on average


def test_noisy_or_counts_every_sentence():
    p = np.array([[0.1, 0.0], [0.1, 0.0], [0.1, 0.5]])
    assert np.allclose(noisy_or(p), [1 - 0.9**3, 0.5])
    assert np.allclose(noisy_or(np.zeros((0, 2))), [0.0, 0.0])  # no sentence: no evidence


def _articles(seed: int, n: int, k: int, sizes: tuple[int, int], background: float):
    """A generator, gold techniques (30% of pairs) and each article's background sentence probabilities."""
    rng = np.random.default_rng(seed)
    gold = rng.random((n, k)) < 0.3
    return rng, gold, [rng.uniform(0.0, background, (int(rng.integers(*sizes)), k)) for _ in range(n)]


def test_article_decisions_find_evidence_spread_over_weak_sentences():
    """Articles whose technique shows in many weak sentences are positive; the fit must learn that
    the aggregate (not any one sentence) carries it, and choose its threshold out of fold."""
    rng, gold, sentences = _articles(seed=1, n=400, k=4, sizes=(10, 30), background=0.02)
    for p, g in zip(sentences, gold, strict=True):
        p[:, g] += rng.uniform(0.04, 0.1, (len(p), int(g.sum())))  # weak everywhere, never over 0.15
    decisions, f1 = fit_article_decisions(sentences, gold)
    assert decisions.weight > 0 and f1 > 0.9 and 0.05 <= decisions.threshold <= 0.95
    union_of_sentences = np.stack([s.max(0) for s in sentences]) >= 0.15
    assert not union_of_sentences.any()
    found = np.stack([decisions.probabilities(s) for s in sentences]) >= decisions.threshold
    assert (found == gold).mean() > 0.9
    P = np.stack([decisions.probabilities(s) for s in sentences])
    assert abs(P.mean() - gold.mean()) < 0.03  # calibrated on average
    assert (P >= np.stack([s.max(0) for s in sentences]) - 1e-6).all()  # never below the strongest sentence
    sure = np.zeros((3, gold.shape[1]))
    sure[1, 0] = 0.9  # one sentence sure of technique 0: so is the article
    assert decisions.probabilities(sure)[0] >= 0.9


def test_article_decisions_tell_one_sure_sentence_from_many_weak_ones():
    """Gold follows the strongest sentence while article length inflates the noisy-OR: the
    fit must lean on the strongest sentence's slope to separate them."""
    # Background up to 0.04 per sentence: a long article's noisy-OR climbs without evidence.
    rng, gold, sentences = _articles(seed=2, n=600, k=3, sizes=(2, 80), background=0.04)
    for p, g in zip(sentences, gold, strict=True):
        for j in np.flatnonzero(g):
            p[rng.integers(len(p)), j] = rng.uniform(0.12, 0.3)
    decisions, f1 = fit_article_decisions(sentences, gold)
    assert decisions.strongest_weight > 0 and f1 > 0.9
    only_noisy_or = ArticleDecisions(decisions.weight, decisions.bias, decisions.threshold)
    found = lambda d: np.stack([d.probabilities(s) for s in sentences]) >= decisions.threshold  # noqa: E731
    assert (found(decisions) == gold).mean() > (found(only_noisy_or) == gold).mean()


def test_article_decisions_round_trip_and_read_models_without_the_strongest_slope():
    d = ArticleDecisions(1.5, -2.0, 0.3, 0.7)
    assert ArticleDecisions.from_array(d.to_array()).to_array() == pytest.approx([1.5, -2.0, 0.3, 0.7])
    old = ArticleDecisions.from_array(np.array([1.5, -2.0, 0.3], np.float32))  # saved before v4.6
    assert old.strongest_weight == 0.0 and old.weight == 1.5
    with pytest.raises(ValueError, match="3 or 4 numbers"):
        ArticleDecisions.from_array(np.zeros(5))


def test_grouped_decisions_read_each_paragraphs_own_sentences_and_give_nothing_to_an_empty_one():
    d = ArticleDecisions(1.0, 0.0, 0.3, 1.0)
    sentences = np.array([[0.9, 0.1], [0.2, 0.1], [0.1, 0.6]])
    owner = np.array([4, 4, 7])
    out = d.grouped(sentences, owner, [7, 5, 4])
    assert out.shape == (3, 2)
    assert np.allclose(out[0], d.probabilities(sentences[2:]))
    assert np.allclose(out[2], d.probabilities(sentences[:2]))
    assert not out[1].any()  # paragraph 5 owns no sentence


def test_the_sentence_head_is_the_last_feature_and_old_layouts_keep_their_columns():
    n, k = 4, 3
    head = np.full((n, k), 0.2)
    with_head = unit_features(np.zeros((n, k)), np.full((n, k), 0.1), np.full(n, 9.0), "fr", head)
    assert FEATURES[: len(FEATURES_V4)] == FEATURES_V4 and with_head.shape == (n, k, len(FEATURES))
    assert np.allclose(with_head[..., :-1], unit_features(np.zeros((n, k)), np.full((n, k), 0.1), np.full(n, 9.0), "fr"))
    assert np.allclose(with_head[..., -1], logit(np.array(0.2)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # the comparison net need not converge
def test_the_sentence_head_learns_an_interaction_and_runs_as_the_networks_it_was_fitted_as():
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(3)
    V = rng.normal(size=(3000, 6)).astype(np.float32) * 2 + 1
    Y = np.stack([(V[:, 0] - 1) * (V[:, 1] - 1) > 0, V[:, 2] > 3], axis=1)  # an XOR no linear model can learn
    head = fit_sentence_head(V, Y, seed=0)
    fresh = rng.normal(size=(1000, 6)).astype(np.float32) * 2 + 1
    gold = (fresh[:, 0] - 1) * (fresh[:, 1] - 1) > 0
    assert ((head.probabilities(fresh)[:, 0] >= 0.5) == gold).mean() > 0.9
    # the numpy forward pass is sklearn's, member by member
    x = (V - head.mean) / head.scale
    net = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(x, Y.astype(int))
    one = SentenceHead(head.mean, head.scale, net.coefs_[0][None], net.intercepts_[0][None], net.coefs_[1][None],
                       net.intercepts_[1][None])
    assert np.allclose(one.probabilities(V[:50]), net.predict_proba(x[:50]), atol=1e-5)


def test_the_sentence_head_round_trips_and_is_absent_from_older_models():
    rng = np.random.default_rng(0)
    head = SentenceHead(np.zeros(4, np.float32), np.ones(4, np.float32), rng.normal(size=(2, 4, 5)).astype(np.float32),
                        np.zeros((2, 5), np.float32), rng.normal(size=(2, 5, 3)).astype(np.float32),
                        np.zeros((2, 3), np.float32))
    again = SentenceHead.from_arrays(head.to_arrays() | {"sentences_t": np.array([0.15])})
    assert again is not None and np.allclose(again.probabilities(np.ones((2, 4))), head.probabilities(np.ones((2, 4))))
    assert SentenceHead.from_arrays({"sentences_t": np.array([0.15])}) is None  # before v4.7
    broken = head.to_arrays() | {"sentence_head_b2": np.zeros((2, 4), np.float32)}
    with pytest.raises(ValueError, match="do not fit"):
        SentenceHead.from_arrays(broken)


def test_line_context_reads_each_line_and_its_strongest_neighbour_at_each_distance():
    lines = np.array([[0.9, 0.0], [0.0, 0.0], [0.0, 0.3], [0.0, 0.0], [0.0, 0.0]])
    X = LineContext.features(lines)
    assert X.shape == (5, 2, 1 + CONTEXT_WINDOW)
    floor = logit(np.array(CONTEXT_FLOOR))
    assert np.allclose(X[:, 0, 0], logit(np.array([0.9, CONTEXT_FLOOR, CONTEXT_FLOOR, CONTEXT_FLOOR, CONTEXT_FLOOR])))
    assert np.allclose(X[:, 0, 1], [floor, logit(np.array(0.9)), floor, floor, floor])  # one line away
    assert np.allclose(X[:, 0, 2], [floor, floor, logit(np.array(0.9)), floor, floor])  # two lines away
    assert np.allclose(X[:, 1, 1], [floor, logit(np.array(0.3)), floor, logit(np.array(0.3)), floor])  # both sides
    assert LineContext.features(np.zeros((1, 2))).shape == (1, 2, 1 + CONTEXT_WINDOW)  # a one-line article


def test_line_context_gives_a_line_the_technique_of_the_paragraph_it_was_cut_from():
    """Synthetic articles of two-sentence paragraphs: a paragraph's label shows in one of its
    sentences only, yet both carry it. The fitted context labels the quiet sentence too."""
    rng = np.random.default_rng(1)
    feats, gold, arts = [], [], []
    for a in range(300):
        labels = rng.random(6) < 0.3  # six paragraphs, one technique
        own = np.zeros(12)
        for i, on in enumerate(labels):
            own[2 * i + rng.integers(2)] = 0.8 if on else 0.02
        p = np.clip(own + rng.normal(0, 0.02, 12), 0, 1)[:, None]
        feats.append(LineContext.features(p))
        gold.append(np.repeat(labels, 2)[:, None])
        arts += [f"a{a}"] * 12
    X, Y = np.concatenate(feats), np.concatenate(gold)
    W, b, t, f1 = fit_sentence_decisions(X, Y, np.array(arts))
    context = LineContext(W, b, t)
    own_only = X[:, :, 0] >= logit(np.array(0.5))  # each line's own sentence alone: half the labels
    assert f1 > 0.8 and f1 > 2 * (own_only & Y).sum() / (own_only.sum() + Y.sum()) + 0.1
    assert W[0, 1] > 0  # the line next to a sure one is likelier to share its paragraph's label
    quiet = context.probabilities(np.array([[0.02], [0.9], [0.02], [0.02], [0.02], [0.02]]))
    assert quiet[0, 0] > context.threshold > quiet[5, 0]  # the neighbour of the sure line, not a far line


def test_line_context_round_trips_and_is_absent_from_older_models():
    context = LineContext(np.ones((3, 1 + CONTEXT_WINDOW)), np.zeros(3), 0.2)
    again = LineContext.from_arrays(context.to_arrays() | {"sentences_t": np.array([0.18])})
    assert np.allclose(again.weights, context.weights) and again.threshold == pytest.approx(0.2)
    assert LineContext.from_arrays({"sentences_t": np.array([0.18])}) is None  # before v4.8
    broken = context.to_arrays() | {"line_context_W": np.ones((3, 7), np.float32)}
    with pytest.raises(ValueError, match="do not fit together"):
        LineContext.from_arrays(broken)
    assert LineContext.probabilities(context, np.zeros((0, 3))).shape == (0, 3)


def test_the_attention_heads_column_follows_the_sentence_heads():
    n, k = 4, 3
    base = (np.zeros((n, k)), np.full((n, k), 0.1), np.full(n, 9.0), "de")
    both = unit_features(*base, np.full((n, k), 0.2), np.full((n, k), 0.7))
    assert FEATURES_ATTENTION[: len(FEATURES)] == FEATURES and both.shape == (n, k, len(FEATURES_ATTENTION))
    assert np.allclose(both[..., :-1], unit_features(*base, np.full((n, k), 0.2)))
    assert np.allclose(both[..., -1], logit(np.array(0.7)))
    with pytest.raises(ValueError, match="follows the sentence head"):
        unit_features(*base, None, np.full((n, k), 0.7))


def _cue_sentences(rng, n: int, dim: int = 8):
    """Sentences of 3-11 random tokens. Technique 0 is used where one token carries both halves of
    a cue (its first two values large); the other sentences carry the halves on two tokens, so the
    mean over tokens is alike for both and only a token-level reading tells them apart."""
    tokens = [rng.normal(size=(rng.integers(3, 12), dim)).astype(np.float32) for _ in range(n)]
    Y = np.zeros((n, 2), bool)
    for i, t in enumerate(tokens):
        Y[i, 0] = rng.random() < 0.3
        a, b = (rng.integers(len(t)),) * 2 if Y[i, 0] else rng.choice(len(t), 2, replace=False)
        t[a, 0], t[b, 1] = 4.0, 4.0
    return tokens, Y


def test_the_attention_head_finds_one_cue_token_and_runs_as_the_torch_networks_it_was_fitted_as(monkeypatch):
    torch = pytest.importorskip("torch")
    from sklearn.linear_model import LogisticRegression

    import spinscope.training.decisions as D

    monkeypatch.setattr(D, "ATTENTION_MAX_EPOCHS", 8)
    rng = np.random.default_rng(5)
    tokens, Y = _cue_sentences(rng, 1500)
    head = fit_attention_head(tokens, Y, np.array([f"a{i // 6}" for i in range(1500)]), seed=0)
    assert head.W1.shape[0] == D.ATTENTION_MEMBERS and head.dim == 8
    fresh, gold = _cue_sentences(rng, 300)
    p = head.probabilities(fresh)
    assert p.shape == (300, 2) and ((p[:, 0] >= 0.5) == gold[:, 0]).mean() > 0.9
    mean = LogisticRegression().fit(np.stack([t.mean(0) for t in tokens]), Y[:, 0])
    assert mean.score(np.stack([t.mean(0) for t in fresh]), gold[:, 0]) < 0.8  # what the mean alone can tell
    assert p[:, 1].max() < 0.5  # technique 1 never occurs
    # the numpy forward pass is torch's, member by member
    for m in range(D.ATTENTION_MEMBERS):
        net = D.attention_net(torch, 8, head.W1.shape[2], 2)
        with torch.no_grad():
            for name, value in (("norm.weight", head.norm_gain), ("norm.bias", head.norm_bias), ("hidden.weight", head.W1),
                                ("hidden.bias", head.b1), ("attend.weight", head.Wa), ("attend.bias", head.ba),
                                ("say.weight", head.Wv), ("say.bias", head.bv)):
                v = value[m].T if value.ndim == 3 else value[m]
                net.get_parameter(name).copy_(torch.from_numpy(np.ascontiguousarray(v)))
            want = net(torch.from_numpy(fresh[0][None]), torch.ones(1, len(fresh[0]), dtype=torch.bool)).numpy()[0]
        np.testing.assert_allclose(head.logits(fresh[:1])[0, m], want, rtol=1e-4, atol=1e-4)
    # an article runs as one batch: each sentence as it would alone, and one without tokens gets 0
    batch = head.probabilities([fresh[3], np.zeros((0, 8), np.float32), fresh[4]])
    np.testing.assert_allclose(batch[[0, 2]], np.concatenate([head.probabilities([fresh[3]]), head.probabilities([fresh[4]])]),
                               rtol=1e-5, atol=1e-6)
    assert not batch[1].any()
    again = AttentionHead.from_arrays(head.to_arrays())
    # the same batch on both sides: a 300-row and a 5-row batch may round differently (BLAS)
    assert np.array_equal(again.probabilities(fresh[:5]), head.probabilities(fresh[:5]))
    arrays = head.to_arrays() | {"attention_head_Wv": head.Wv[:, :, :1]}
    with pytest.raises(ValueError, match="do not fit together"):
        AttentionHead.from_arrays(arrays)
    with pytest.raises(ValueError, match="lacks bv"):
        AttentionHead.from_arrays({k: v for k, v in head.to_arrays().items() if k != "attention_head_bv"})
    assert AttentionHead.from_arrays({"sentences_W": np.zeros(1)}) is None  # models before v5.1
