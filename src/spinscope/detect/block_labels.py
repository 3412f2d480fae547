"""The techniques of the paragraph each line was cut from, where blank lines still mark the paragraphs.

Reads: paragraphs, sentences, threshold, scores. Writes: ``block_labels``, an extension slot
(``extensions.block_labels`` in JSON): per line, its index and the techniques of its paragraph,
most likely first; empty where the text's blank lines do not mark paragraphs.

A text cut one sentence per line loses its paragraphs, and SemEval's paragraph labels stay on
each of its sentences; the line context (``decisions.LineContext``) guesses the paragraph from the
lines around each one. When the cut kept a blank line between paragraphs
(``segment.paragraph_blocks``), the paragraph is known: each run of lines gets the paragraph
decisions on all its sentences, as a paragraph given on one line would. Cross-fitted over the
test and validation folds, cut that way, English lines went 0.384 → 0.486 and English reporting
lines 0.271 → 0.458 against the line context (``bench/shift.py``, ``crossfit_lines``). A model
without paragraph decisions (the classical model) writes nothing here. Not in the default
pipeline; ``evaluation.semeval`` adds it for subtask 3.
"""

from __future__ import annotations

from collections.abc import Sequence

from spinscope.components import Doc
from spinscope.detect.paragraph_labels import Labels, ParagraphLabelsDetector
from spinscope.segment import paragraph_blocks

SLOT = "block_labels"


class BlockLabelsDetector(ParagraphLabelsDetector):
    name = "block_labels"
    writes = (SLOT,)

    def predict(self, docs: Sequence[Doc]) -> list[Labels]:
        return [self.block_labels(d) for d in docs]

    def block_labels(self, doc: Doc) -> Labels:
        blocks = paragraph_blocks(doc.paragraphs, doc.sentences)
        if blocks is None or self.decisions is None or doc.scores is None or doc.scores.sentences is None:
            return ()
        return self.paragraph_labels(doc, {line: block[0] for block in blocks for line in block})
