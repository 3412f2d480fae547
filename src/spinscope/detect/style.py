"""Surface style of a whole article, for the genre head.

Reporting quotes people and says who said what; opinion speaks in the first and
second person, asks and exclaims. These cues read the same in every language we
serve, so unlike the encoder's document vector they carry over to a language, or
a genre mix, the heads saw little of (leave-one-language-out: the style features
alone find 27 of 41 English reporting articles, the document vector none).
"""

from __future__ import annotations

import re

import numpy as np

from spinscope.segment import paragraphs, sentences

_FIRST = re.compile(
    r"\b(I|me|my|we|our|us|je|nous|notre|mon|ma|ich|wir|unser|mein|io|noi|nostro|mio|ja|my|nasz|mój|я|мы|наш|мой)\b",
    re.I)
_SECOND = re.compile(r"\b(you|your|vous|votre|tu|du|ihr|euch|voi|ty|wy|ты|вы|ваш)\b", re.I)
_SAID = re.compile(
    r"\b(said|says|told|according to|announced|reported|stated|a déclaré|selon|dit|sagte|laut|erklärte|ha detto|"
    r"secondo|ha dichiarato|powiedział|według|сказал|заявил|по словам|сообщил)\b", re.I)
_QUOTES = re.compile(r'["“”«»„]')
_CAPITALISED = re.compile(r"\b[A-ZА-Я][a-zа-я]+")

NAMES = ("quotes_per_word", "digits_per_char", "first_person_per_word", "second_person_per_word",
         "said_per_sentence", "questions_per_sentence", "exclamations_per_sentence", "log_words_per_sentence",
         "log_words", "capitalised_per_word")


def style_features(text: str) -> np.ndarray:
    """One row of ``NAMES``, unscaled; the head standardises with its training mean and spread."""
    n = max(1, len(sentences(text, paragraphs(text))))
    words = max(1, len(text.split()))
    return np.array([
        len(_QUOTES.findall(text)) / words, sum(c.isdigit() for c in text) / max(1, len(text)),
        len(_FIRST.findall(text)) / words, len(_SECOND.findall(text)) / words,
        len(_SAID.findall(text)) / n, text.count("?") / n, text.count("!") / n,
        np.log(words / n), np.log(words), len(_CAPITALISED.findall(text)) / words,
    ], np.float32)
