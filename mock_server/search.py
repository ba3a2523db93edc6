"""Relevance scoring for search: a deterministic stand-in for embedding similarity.

Each text is turned into a sparse vector of weighted terms: its content stems (weight 1),
the stems the lexicon relates to them (weight 0.5, so "movie" meets "film" and "dinner"
meets "meal"), and one pseudo-term per category it belongs to (`cat:food`, weight 2; a
memory's categories are the ones stored with it, a query's are those its words point to,
`misc` and custom names left out). The score of a memory for a query is the cosine of the
two vectors, so it lies in [0, 1], is 1 for identical texts and depends only on the query
and the memory (not on what else is stored):

    score(q, m) = sum_t w_q(t) * w_m(t) / (|w_q| * |w_m|)
    w(t) = 1 for a stem of the text, 0.5 for a related stem, 2 for "cat:<category>"

A shared category alone gives about 0.4-0.6 for short texts, so "What can I cook for dinner
tonight?" (food) finds "Is a vegetarian" (food) above the default threshold 0.3, while a
memory sharing neither terms nor categories scores 0. With `keyword_search` the vectors
keep only the stems (all weight 1): plain lexical cosine. `rerank` then lifts each score
towards 1 by the share of the query's stems the memory contains and by matching adjacent
pairs: new = s + (1 - s) * (0.35 * coverage + 0.15 * proximity).

`SearchIndex` keeps an inverted index (term -> {memory id: weight}) and accumulates term
at a time, so a query costs in proportion to the postings of its terms, not to the number
of stored memories.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache

from .categories import DEFAULT_CATEGORIES, query_categories
from .text import CONCEPTS, content_terms

__all__ = ["CATEGORY_WEIGHT", "SearchIndex", "embed", "rerank", "similarity"]

TERM_WEIGHT = 1.0
CONCEPT_WEIGHT = 0.7
CATEGORY_WEIGHT = 2.0
_CATEGORY_PREFIX = "cat:"
_SCORED_CATEGORIES = frozenset(DEFAULT_CATEGORIES) - {"misc"}

Vector = tuple[tuple[str, float], ...]


def embed(text: str, categories: Iterable[str] = ()) -> Vector:
    """The weighted terms of a text (stems, related stems, category pseudo-terms), in order."""
    weights: dict[str, float] = {}
    stems = list(dict.fromkeys(content_terms(text)))
    for s in stems:
        weights[s] = TERM_WEIGHT
    for s in stems:
        for label in CONCEPTS.get(s, ()):
            weights[label] = CONCEPT_WEIGHT
    for category in categories:
        if category in _SCORED_CATEGORIES:
            weights[_CATEGORY_PREFIX + category] = CATEGORY_WEIGHT
    return tuple(weights.items())


def _norm(vector: Vector) -> float:
    return math.sqrt(sum(w * w for _, w in vector))


@lru_cache(maxsize=2048)
def _query_vector(query: str, keyword_search: bool) -> tuple[Vector, float]:
    if keyword_search:
        vector: Vector = tuple((s, TERM_WEIGHT) for s in dict.fromkeys(content_terms(query)))
    else:
        vector = embed(query, query_categories(query))
    return vector, _norm(vector)


def _clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def similarity(query: str, text: str, categories: Sequence[str] = ()) -> float:
    """Score of one memory (text + its categories) for a query; same value SearchIndex gives."""
    qvec, qnorm = _query_vector(query, False)
    dvec = dict(embed(text, categories))
    dnorm = _norm(tuple(dvec.items()))
    if not qnorm or not dnorm:
        return 0.0
    dot = 0.0
    for term, qw in qvec:
        dw = dvec.get(term)
        if dw is not None:
            dot += dw * qw
    return _clamp(dot / (qnorm * dnorm)) if dot else 0.0


class SearchIndex:
    """Inverted index of memory vectors; scoring touches only the query terms' postings.

    Not thread-safe on its own: the store calls it under its lock.
    """

    def __init__(self) -> None:
        self._postings: dict[str, dict[str, float]] = {}
        self._terms: dict[str, tuple[str, ...]] = {}
        self._norms: dict[str, float] = {}
        self._lexical_norms: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._terms)

    def __contains__(self, memory_id: object) -> bool:
        return memory_id in self._terms

    def add(self, memory_id: str, text: str, categories: Sequence[str]) -> None:
        """Index a memory; re-adding an id replaces its previous text and categories."""
        if memory_id in self._terms:
            self.remove(memory_id)
        vector = embed(text, categories)
        postings = self._postings
        for term, weight in vector:
            bucket = postings.get(term)
            if bucket is None:
                postings[term] = {memory_id: weight}
            else:
                bucket[memory_id] = weight
        self._terms[memory_id] = tuple(term for term, _ in vector)
        self._norms[memory_id] = _norm(vector)
        stems = sum(1 for term, w in vector if w == TERM_WEIGHT and not term.startswith(_CATEGORY_PREFIX))
        self._lexical_norms[memory_id] = math.sqrt(stems)

    def remove(self, memory_id: str) -> None:
        """Forget a memory (no error if it is not indexed)."""
        terms = self._terms.pop(memory_id, None)
        if terms is None:
            return
        for term in terms:
            bucket = self._postings[term]
            del bucket[memory_id]
            if not bucket:
                del self._postings[term]
        del self._norms[memory_id]
        del self._lexical_norms[memory_id]

    def scores(
        self,
        query: str,
        candidates: Collection[str] | None = None,
        *,
        keyword_search: bool = False,
    ) -> dict[str, float]:
        """Score (> 0) of every indexed memory sharing a term with the query.

        `candidates` restricts the result (any collection; sets and dict views are used
        as they are). `keyword_search` scores on the query's stems only.
        """
        qvector, qnorm = _query_vector(query, keyword_search)
        if not qnorm or not self._terms:
            return {}
        acc: dict[str, float] = {}
        postings = self._postings
        for term, qw in qvector:
            bucket = postings.get(term)
            if not bucket:
                continue
            if keyword_search:
                # Only the memory's own stems count, not terms related to them.
                for mid, w in bucket.items():
                    if w == TERM_WEIGHT:
                        acc[mid] = acc.get(mid, 0.0) + w * qw
            elif not acc:
                acc = {mid: w * qw for mid, w in bucket.items()}
            else:
                get = acc.get
                for mid, w in bucket.items():
                    acc[mid] = get(mid, 0.0) + w * qw
        norms = self._lexical_norms if keyword_search else self._norms
        if candidates is not None:
            acc = self._restrict(acc, candidates)
        return {mid: _clamp(dot / (qnorm * norms[mid])) for mid, dot in acc.items() if dot > 0.0}

    @staticmethod
    def _restrict(acc: dict[str, float], candidates: Collection[str]) -> dict[str, float]:
        if not isinstance(candidates, (set, frozenset, dict)) and not hasattr(candidates, "isdisjoint"):
            if len(candidates) < len(acc):
                return {mid: acc[mid] for mid in candidates if mid in acc}
            candidates = set(candidates)
        if len(candidates) < len(acc):
            return {mid: acc[mid] for mid in candidates if mid in acc}
        return {mid: dot for mid, dot in acc.items() if mid in candidates}


def _stem_pairs(stems: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:], strict=False))


def rerank(query: str, results: list[tuple[str, str, float]]) -> list[tuple[str, float]]:
    """Second pass: lift each score by exact stem coverage and adjacent-pair matches.

    new = s + (1 - s) * (0.35 * coverage + 0.15 * proximity), so scores stay in [0, 1] and
    never drop; ties keep the order they came in.
    """
    qstems = content_terms(query)
    unique = list(dict.fromkeys(qstems))
    qpairs = _stem_pairs(qstems)
    rescored = []
    for memory_id, text, score in results:
        score = _clamp(float(score))
        stems = content_terms(text)
        present = set(stems)
        coverage = sum(1 for s in unique if s in present) / len(unique) if unique else 0.0
        proximity = len(qpairs & _stem_pairs(stems)) / len(qpairs) if qpairs else 0.0
        rescored.append((memory_id, _clamp(score + (1.0 - score) * (0.35 * coverage + 0.15 * proximity))))
    rescored.sort(key=lambda item: -item[1])
    return rescored
