"""Evaluation: the official metrics, per-language tables, and scoring SemEval folders with a Pipeline.

Benches, training and the eval gate build their tables here, so a figure means the
same thing wherever it is printed.
"""
