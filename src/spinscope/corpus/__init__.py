"""Corpus analytics: batch results in a DuckDB store, queried with SQL."""
