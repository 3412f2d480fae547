"""Segmentation: paragraphs exactly as SemEval templates define them, then sentences."""

from spinscope.segment.paragraphs import lines_are_sentences, paragraph_blocks, paragraphs, sentences

__all__ = ["lines_are_sentences", "paragraph_blocks", "paragraphs", "sentences"]
