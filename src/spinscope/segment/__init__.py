"""Segmentation: paragraphs exactly as SemEval templates define them, then sentences."""

from spinscope.segment.paragraphs import paragraphs, sentences

__all__ = ["paragraphs", "sentences"]
