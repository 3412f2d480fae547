"""Paragraph and sentence segmentation with character offsets.

SemEval-2023 Task 3 treats every non-blank line as a paragraph and numbers it
by its 1-based line number; blank lines keep their number but yield nothing.
Matching that exactly is what lets ``semeval predict`` work without templates.
"""

from __future__ import annotations

import re
from collections import Counter

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


# A text reads as cut one sentence per line when at least this share of its lines hold one sentence
# each. Chosen on the validation fold (runs/s21/regime_choice.py) by the mean F1, against paragraph
# labels, of the articles as SemEval gives them and the same articles cut by another sentence
# splitter (a naive regex, since a cut text may come from any): English 0.3504 at 0.95, 0.3613 at
# 0.9, 0.3690 at 0.85, 0.3855 at 0.8, 0.3822 at 0.75. At 0.9 a fifth of the English articles cut that
# way read as paragraphs; at 0.8, 12% of the test fold's English articles as given read as cut. With
# v4.9's paragraph decisions on paragraph lines (runs/s23/regime_choice_v49.py) validation still
# chooses 0.8: English 0.3813 at 0.7, 0.3842 at 0.75, 0.3876 at 0.8, 0.3683 at 0.85.
SENTENCE_LINES_SHARE = 0.8


def lines_are_sentences(paras: tuple[Paragraph, ...], sents: tuple[Sentence, ...]) -> bool:
    """Whether the lines look like sentences cut from paragraphs: at least ``SENTENCE_LINES_SHARE``
    of them hold one sentence each."""
    per_line = Counter(s.paragraph for s in sents)
    single = sum(per_line[p.index] == 1 for p in paras)
    return bool(paras) and single >= SENTENCE_LINES_SHARE * len(paras)


def paragraph_blocks(paras: tuple[Paragraph, ...], sents: tuple[Sentence, ...]) -> tuple[tuple[int, ...], ...] | None:
    """The paragraphs of a text cut one sentence per line that kept a blank line between them: the
    line numbers of each run of lines between blank lines. None unless the lines read as cut and the
    runs look like paragraphs: three or more, two or more of several lines. That leaves out a title
    and one body (SemEval's English training files), a blank line after every line (its test files:
    nothing tells the paragraphs there) and text with no blank line at all; of SemEval's and
    PolNeAR's files as given, it takes 12 of 2,426 (``runs/s39/coverage.py``, rule R6; the
    training fold chose it over also asking that no run hold over half the lines,
    ``runs/s39/train_rule.py``)."""
    if not paras or not lines_are_sentences(paras, sents):
        return None
    runs: list[list[int]] = [[paras[0].index]]
    for p in paras[1:]:
        if p.index == runs[-1][-1] + 1:
            runs[-1].append(p.index)
        else:
            runs.append([p.index])
    if len(runs) < 3 or sum(len(r) > 1 for r in runs) < 2:
        return None
    return tuple(tuple(r) for r in runs)


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
