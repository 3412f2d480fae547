import numpy as np

from spinscope.detect.decisions import FEATURES, SentenceDecisions, unit_features
from spinscope.training.decisions import fit_sentence_decisions


def test_sentence_decisions_learn_a_signal_and_pick_a_threshold_out_of_fold():
    rng = np.random.default_rng(0)
    n, k = 2000, 3
    Y = rng.random((n, k)) < 0.1
    logits = np.where(Y, 2.0, -2.0) + rng.normal(0, 1.0, (n, k))  # the encoder carries the signal
    classic = np.full((n, k), 0.1)  # the classical model carries none
    X = unit_features(logits, classic, np.full(n, 20.0), "en")
    assert X.shape == (n, k, len(FEATURES))
    W, b, t, f1 = fit_sentence_decisions(X, Y, np.array([f"a{i // 10}" for i in range(n)]))
    assert f1 > 0.8 and 0.05 <= t <= 0.95
    assert (W[:, FEATURES.index("transformer_logit")] > 0).all()
    P = SentenceDecisions(W.astype(float), b.astype(float), t).probabilities(X)
    assert abs(P.mean() - Y.mean()) < 0.02  # calibrated on average
