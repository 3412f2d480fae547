"""Word and character n-gram TF-IDF features, computed without scikit-learn.

Training and inference share this one implementation, so the features a
model was trained on are by construction the ones it sees at run time. The
vocabulary is a JSON list and the idf a float array: nothing is pickled.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from spinscope.detect.names import mask_names
from spinscope.segment.words import words

CHAR_NGRAMS = (3, 5)
CHAR_CACHE = 50_000  # tokens whose char n-gram ids a Vectorizer keeps (15 MB when full, measured)


def char_ngrams(token: str, sizes: tuple[int, int] = CHAR_NGRAMS) -> list[str]:
    """``c:`` features of one lower-cased token, padded with spaces at both ends."""
    padded = f" {token} "
    lo, hi = sizes
    return ["c:" + padded[i : i + n] for n in range(lo, min(hi, len(padded)) + 1) for i in range(len(padded) - n + 1)]


def analyze(text: str, word_ngrams: int = 2, char_sizes: tuple[int, int] = CHAR_NGRAMS) -> list[str]:
    """Feature strings: ``w:`` word 1..n-grams, ``c:`` char n-grams inside padded words.

    Listed names (countries, groups, parties, politicians) are dropped first: see ``names``.
    """
    return _features(text, word_ngrams, char_sizes)[0]


def _features(text: str, word_ngrams: int = 2, char_sizes: tuple[int, int] = CHAR_NGRAMS) -> tuple[list[str], list[str]]:
    """``analyze``'s features and the word tokens they came from."""
    toks = _tokens(text)
    feats = _word_features(toks, word_ngrams)
    for tok in toks:
        feats.extend(char_ngrams(tok, char_sizes))
    feats.extend(_punctuation(text))
    return feats, toks


def _tokens(text: str) -> list[str]:
    return [w for w, _, _ in words(mask_names(text))]


def _word_features(toks: list[str], word_ngrams: int = 2) -> list[str]:
    feats = []
    for n in range(1, word_ngrams + 1):
        feats.extend("w:" + " ".join(toks[i : i + n]) for i in range(len(toks) - n + 1))
    return feats


def _punctuation(text: str) -> list[str]:
    """Punctuation the word tokenizer drops but that carries rhetoric."""
    return ["p:" + ch for ch in text if ch in "!?\"“”«»…"]


class Counts(NamedTuple):
    """Counts over the vocabulary, the ids counted (in order), and the first and last word (for
    the bigram that joins two texts)."""

    counter: Counter
    ids: list[int]
    first: str | None
    last: str | None


class Vectorizer:
    """Sublinear-tf, idf-weighted, L2-normalised bag of n-grams over a fixed vocabulary."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray) -> None:
        if len(vocabulary) != len(idf):
            raise ValueError("vocabulary and idf lengths differ")
        self.vocabulary = list(vocabulary)
        self.index = {f: i for i, f in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self._char_ids: dict[str, tuple[int, ...]] = {}  # a token's char n-grams in the vocabulary

    def __len__(self) -> int:
        return len(self.vocabulary)

    def counts(self, text: str) -> Counts:
        """As ``analyze``'s features looked up one by one, in the same order (so sums add up in the
        same order), with each token's char n-grams looked up once per vocabulary: 2x faster."""
        toks, get, cache = _tokens(text), self.index.get, self._char_ids
        ids = [i for f in _word_features(toks) if (i := get(f)) is not None]
        for tok in toks:
            found = cache.get(tok)
            if found is None:
                found = tuple(i for f in char_ngrams(tok) if (i := get(f)) is not None)
                if len(cache) < CHAR_CACHE:
                    cache[tok] = found
            ids.extend(found)
        ids.extend(i for f in _punctuation(text) if (i := get(f)) is not None)
        return Counts(Counter(ids), ids, (toks[0] if toks else None), (toks[-1] if toks else None))

    def joined(self, a: Counts, b: Counts) -> Counter:
        """The counts of ``a + "\n" + b`` from those of ``a`` and ``b``: the same features, plus the
        word bigram across the join. Saves analysing every sentence's context a second time.

        Counted afresh from both id lists (C speed): the keys, order and values of
        ``a.counter + b.counter``, where updating one Counter with another loops in Python.
        """
        ids = a.ids + b.ids
        if a.last is not None and b.first is not None and (j := self.index.get(f"w:{a.last} {b.first}")) is not None:
            ids.append(j)
        return Counter(ids)

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse vector as (indices, values)."""
        return self.weigh(self.counts(text)[0])

    def weigh(self, counts: Counter) -> tuple[np.ndarray, np.ndarray]:
        """Sublinear tf times idf, L2-normalised, as (indices, values)."""
        if not counts:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        idx = np.fromiter(counts.keys(), np.int32, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        val = (1.0 + np.log(tf)) * self.idf[idx]
        val /= np.linalg.norm(val) or 1.0
        return idx, val.astype(np.float32)

    @classmethod
    def fit(cls, texts: Iterable[str], max_features: int, min_df: int = 2) -> Vectorizer:
        """Keep the ``max_features`` n-grams with the highest document frequency."""
        df: Counter[str] = Counter()
        n_docs = 0
        for text in texts:
            df.update(set(analyze(text)))
            n_docs += 1
        kept = sorted((f for f, c in df.items() if c >= min_df), key=lambda f: (-df[f], f))[:max_features]
        kept.sort()
        idf = np.array([math.log((1 + n_docs) / (1 + df[f])) + 1.0 for f in kept], dtype=np.float32)
        return cls(kept, idf)
