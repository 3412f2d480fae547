"""Paragraph and sentence segmentation with character offsets.

SemEval-2023 Task 3 treats every non-blank line as a paragraph and numbers it
by its 1-based line number; blank lines keep their number but yield nothing.
Matching that exactly is what lets ``semeval predict`` work without templates.
"""

from __future__ import annotations

import re

from spinscope.types import Paragraph, Sentence

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) and whitespace.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’»)\]]*\s+""")
# Tokens before a period that do not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs etc no inc ltd co gen col lt sgt rep sen gov u.s u.k e.g i.e".split()
)
_LAST_WORD = re.compile(r"(\S+?)[.]+[\"'”’»)\]]*\s*$")


def paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Every line holding a non-whitespace character, numbered by line (1-based)."""
    out = []
    pos = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            out.append(Paragraph(index=number, start=pos, end=pos + len(line)))
        pos += len(line) + 1
    return tuple(out)


def _is_abbreviation(chunk: str) -> bool:
    m = _LAST_WORD.search(chunk)
    if not m:
        return False
    word = m.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentences(text: str, paras: tuple[Paragraph, ...] | None = None) -> tuple[Sentence, ...]:
    """Split each paragraph into sentences; offsets exclude surrounding whitespace."""
    out = []
    for para in paras if paras is not None else paragraphs(text):
        start = para.start
        for m in _BOUNDARY.finditer(text, para.start, para.end):
            if _is_abbreviation(text[start : m.end()]):
                continue
            _append_trimmed(text, start, m.end(), para.index, out)
            start = m.end()
        _append_trimmed(text, start, para.end, para.index, out)
    return tuple(out)


def _append_trimmed(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start=start, end=end, paragraph=paragraph))
