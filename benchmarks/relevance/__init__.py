"""Relevance benchmark: the mock's search against BM25 and embeddings on a frozen labelled set.

`python -m benchmarks.relevance` writes benchmarks/RELEVANCE.md (see `run.py`).
"""
