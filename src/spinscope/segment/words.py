"""Word tokens with offsets: shared by the classical features and the reports' word counts."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
# Scripts written without spaces between words (Han, kana, Thai): each character counts as a word.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def words(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased word tokens with their character offsets."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def word_count(text: str) -> int:
    """About how many words ``text`` has, in any script (over-counts unspaced scripts)."""
    return len(_WORD.findall(_UNSPACED.sub(" ", text))) + len(_UNSPACED.findall(text))


def find_word(text: str, start: int, end: int, word: str) -> tuple[int, int] | None:
    """Offsets of the first whole-word occurrence of ``word`` in ``text[start:end]``, or None."""
    m = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text[start:end])
    return None if m is None else (start + m.start(), start + m.end())
