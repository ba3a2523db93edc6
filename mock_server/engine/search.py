"""Relevance scoring for search: a deterministic stand-in for embedding similarity.

A text is described by three kinds of features: its content stems ("cook"), the lexicon
concepts those stems belong to (`~cook` groups cook, recipe, meal, chef, ...; so "movie"
meets "film" and "dinner" meets "meal"; the groups of bare preference verbs like/love/hate
are left to the user_preferences category), and its categories (a memory's are the ones
stored with it, a query's are those its words point to; `misc` and custom names do not
count). The score is the cosine of the two weighted feature vectors, with weights 1 for a
stem, 1/sqrt(2) for a concept and 2 for a category. In counts:

    score(q, m) = (s + c/2 + 4k) / sqrt((S_q + C_q/2 + 4 K_q) * (S_m + C_m/2 + 4 K_m))

where s, c, k are the stems, concepts and categories q and m share, and S, C, K how many
each has. So the score lies in [0, 1], is 1 for identical texts, and depends only on the
query and the memory, not on what else is stored. A shared category alone gives about
0.4-0.6 for short texts: "What can I cook for dinner tonight?" (food) finds "Is a
vegetarian" (food) above the default threshold 0.3, while a memory sharing nothing scores
0. With `keyword_search` only stems count: s / sqrt(S_q * S_m). `rerank` lifts each
score towards 1 by the share of the query's stems the memory contains and by matching
adjacent stem pairs: new = s + (1 - s) * (0.35 * coverage + 0.15 * proximity).

`SearchIndex` keeps inverted indexes (feature -> memory ids) and counts shared features
with C-level counters; memories that share only categories with the query are scored a
bucket at a time (same categories, same norm, same score). A query costs in proportion to
the postings of its features, not to the number of stored memories.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from .categories import DEFAULT_CATEGORIES, query_categories
from .text import CONCEPTS, content_terms

__all__ = [
    "CATEGORY_SQ",
    "CONCEPT_SQ",
    "STEM_SQ",
    "Features",
    "SearchIndex",
    "explain",
    "features",
    "rerank",
    "similarity",
]

# Squared feature weights: a shared feature adds its square to the dot product.
STEM_SQ = 1.0
CONCEPT_SQ = 0.5
CATEGORY_SQ = 4.0
_SCORED_CATEGORIES = frozenset(DEFAULT_CATEGORIES) - {"misc"}
_DIRECT_COST = 4  # scoring one candidate directly costs about as much as 4 postings


class Features(NamedTuple):
    """The distinct stems, concepts and scored categories of a text, in first-seen order."""

    stems: tuple[str, ...]
    concepts: tuple[str, ...]
    categories: tuple[str, ...]

    def norm(self) -> float:
        return _norm(len(self.stems), len(self.concepts), len(self.categories))


def _dot(stems: int, concepts: int, categories: int) -> float:
    return stems * STEM_SQ + concepts * CONCEPT_SQ + categories * CATEGORY_SQ


def _norm(stems: int, concepts: int, categories: int) -> float:
    return math.sqrt(_dot(stems, concepts, categories))


# Preference verbs ("likes", "loves", "prefers", "hates") are in nearly every preference
# memory; the user_preferences category already says what they share, so their lexicon
# groups are left out of scoring (they would make every such memory a posting to visit).
_UNSCORED_CONCEPTS = frozenset({"~like", "~dislik", "~prefer"})


def features(text: str, categories: Iterable[str] = ()) -> Features:
    """Stems, the lexicon concepts they belong to, and the categories that are scored."""
    stems = tuple(dict.fromkeys(content_terms(text)))
    labels: dict[str, None] = {}
    for s in stems:
        for label in CONCEPTS.get(s, ()):
            if label not in _UNSCORED_CONCEPTS:
                labels.setdefault(label, None)
    cats = tuple(dict.fromkeys(c for c in categories if c in _SCORED_CATEGORIES))
    return Features(stems, tuple(labels), cats)


@lru_cache(maxsize=2048)
def _query_features(query: str) -> Features:
    return features(query, query_categories(query))


def _clamp(x: float) -> float:
    return 0.0 if not x > 0.0 else 1.0 if x > 1.0 else x  # NaN -> 0.0


def _score(dot: float, qnorm: float, dnorm: float) -> float:
    return _clamp(dot / (qnorm * dnorm))


def similarity(query: str, text: str, categories: Sequence[str] = ()) -> float:
    """Score of one memory (text + its categories) for a query; the value SearchIndex gives."""
    q = _query_features(query)
    d = features(text, categories)
    qnorm, dnorm = q.norm(), d.norm()
    if not qnorm or not dnorm:
        return 0.0
    shared = (
        len(set(q.stems).intersection(d.stems)),
        len(set(q.concepts).intersection(d.concepts)),
        len(set(q.categories).intersection(d.categories)),
    )
    if not any(shared):
        return 0.0
    return _score(_dot(*shared), qnorm, dnorm)


def explain(query: str, text: str, categories: Sequence[str] = ()) -> dict[str, float]:
    """How much of `similarity` each kind of evidence gives (the parts sum to the score).

    Named as the v3 API names its `score_breakdown`: `bm25` for shared words (stems),
    `semantic` for shared meanings (lexicon concepts), `entity` for shared categories.
    """
    q = _query_features(query)
    d = features(text, categories)
    qnorm, dnorm = q.norm(), d.norm()
    if not qnorm or not dnorm:
        return {"semantic": 0.0, "bm25": 0.0, "entity": 0.0}
    scale = qnorm * dnorm
    stems = len(set(q.stems).intersection(d.stems)) * STEM_SQ
    concepts = len(set(q.concepts).intersection(d.concepts)) * CONCEPT_SQ
    cats = len(set(q.categories).intersection(d.categories)) * CATEGORY_SQ
    return {"semantic": concepts / scale, "bm25": stems / scale, "entity": cats / scale}


_Bucket = tuple[frozenset[str], float]  # (scored categories, norm)


class SearchIndex:
    """Inverted index of memory features; scoring touches only the query's postings.

    Not thread-safe on its own: the store calls it under its lock. The returned dict's
    order is unspecified (callers sort by score).
    """

    def __init__(self) -> None:
        self._postings: dict[str, dict[str, None]] = {}  # stem or concept -> ids
        self._docs: dict[str, tuple[Features, float, frozenset[str]]] = {}
        self._buckets: dict[_Bucket, dict[str, None]] = {}
        self._category_buckets: dict[str, dict[_Bucket, None]] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, memory_id: object) -> bool:
        return memory_id in self._docs

    def add(self, memory_id: str, text: str, categories: Sequence[str]) -> None:
        """Index a memory; re-adding an id replaces its previous text and categories."""
        if memory_id in self._docs:
            self.remove(memory_id)
        f = features(text, categories)
        postings = self._postings
        for term in chain(f.stems, f.concepts):
            bucket = postings.get(term)
            if bucket is None:
                postings[term] = {memory_id: None}
            else:
                bucket[memory_id] = None
        cats = frozenset(f.categories)
        norm = f.norm()
        self._docs[memory_id] = (f, norm, cats)
        if cats:
            key = (cats, norm)
            members = self._buckets.get(key)
            if members is None:
                self._buckets[key] = members = {}
                for category in f.categories:
                    self._category_buckets.setdefault(category, {})[key] = None
            members[memory_id] = None

    def remove(self, memory_id: str) -> None:
        """Forget a memory (no error if it is not indexed)."""
        entry = self._docs.pop(memory_id, None)
        if entry is None:
            return
        f, norm, cats = entry
        for term in chain(f.stems, f.concepts):
            bucket = self._postings[term]
            del bucket[memory_id]
            if not bucket:
                del self._postings[term]
        if cats:
            key = (cats, norm)
            members = self._buckets[key]
            del members[memory_id]
            if not members:
                del self._buckets[key]
                for category in cats:
                    keys = self._category_buckets[category]
                    del keys[key]
                    if not keys:
                        del self._category_buckets[category]

    def scores(
        self,
        query: str,
        candidates: Collection[str] | None = None,
        *,
        keyword_search: bool = False,
    ) -> dict[str, float]:
        """Score (> 0) of every indexed memory sharing a feature with the query.

        `candidates` restricts the result (sets and dict key views are used as they are,
        other collections are turned into a set). `keyword_search` scores stems only.
        """
        q = _query_features(query)
        allowed = _as_set(candidates)
        postings = self._postings
        stem_lists = [p for p in map(postings.get, q.stems) if p]
        if keyword_search:
            return self._keyword_scores(q, stem_lists, allowed)
        qnorm = q.norm()
        if not qnorm or not self._docs:
            return {}
        concept_lists = [p for p in map(postings.get, q.concepts) if p]
        keys: dict[_Bucket, None] = {}
        for category in q.categories:
            keys.update(self._category_buckets.get(category, {}))
        if allowed is not None:
            work = sum(map(len, stem_lists)) + sum(map(len, concept_lists))
            work += sum(len(self._buckets[key]) for key in keys)
            if len(allowed) * _DIRECT_COST < work:
                return self._direct_scores(q, qnorm, allowed)
        qcats = frozenset(q.categories)
        out: dict[str, float] = {}
        # Memories sharing only categories: one score per (categories, norm) bucket.
        for key in keys:
            cats, norm = key
            members = self._buckets[key]
            ids = members.keys() & allowed if allowed is not None else members
            if ids:
                out.update(dict.fromkeys(ids, _score(_dot(0, 0, len(cats & qcats)), qnorm, norm)))
        if not stem_lists and not concept_lists:
            return out
        # Memories sharing stems or concepts: counted at C speed, then scored one by one.
        stem_counts = Counter(chain.from_iterable(stem_lists))
        concept_counts = Counter(chain.from_iterable(concept_lists))
        touched = stem_counts.keys() | concept_counts.keys()
        if allowed is not None:
            touched &= allowed
        docs = self._docs
        s_get, c_get = stem_counts.get, concept_counts.get
        shared_of: dict[frozenset[str], int] = {}  # a memory's categories -> how many the query has
        for mid in touched:
            _, norm, cats = docs[mid]
            shared_categories = shared_of.get(cats)
            if shared_categories is None:
                shared_categories = shared_of[cats] = len(cats & qcats)
            # Inlined _dot and _score (same operations, so the same floats as similarity()).
            dot = s_get(mid, 0) * STEM_SQ + c_get(mid, 0) * CONCEPT_SQ + shared_categories * CATEGORY_SQ
            x = dot / (qnorm * norm)
            out[mid] = 1.0 if x > 1.0 else x
        return out

    def _direct_scores(self, q: Features, qnorm: float, allowed: AbstractSet[str]) -> dict[str, float]:
        """Few candidates: score each of them rather than walking long postings."""
        qstems, qconcepts, qcats = frozenset(q.stems), frozenset(q.concepts), frozenset(q.categories)
        docs = self._docs
        out: dict[str, float] = {}
        # Inlined _dot and _score (same operations, so the same floats as similarity()):
        # this loop runs once per candidate of every search that names a small scope.
        for mid in allowed:
            entry = docs.get(mid)
            if entry is None:
                continue
            f, norm, cats = entry
            stems = len(qstems.intersection(f.stems)) if qstems else 0
            concepts = len(qconcepts.intersection(f.concepts)) if qconcepts else 0
            categories = len(qcats & cats) if qcats else 0
            if stems or concepts or categories:
                x = (stems * STEM_SQ + concepts * CONCEPT_SQ + categories * CATEGORY_SQ) / (qnorm * norm)
                out[mid] = 1.0 if x > 1.0 else x
        return out

    def _keyword_scores(
        self, q: Features, stem_lists: list[dict[str, None]], allowed: AbstractSet[str] | None
    ) -> dict[str, float]:
        if not stem_lists:
            return {}
        counts = Counter(chain.from_iterable(stem_lists))
        qnorm = math.sqrt(len(q.stems))
        docs = self._docs
        out: dict[str, float] = {}
        for mid, shared in counts.items():
            if allowed is None or mid in allowed:
                out[mid] = _score(float(shared), qnorm, math.sqrt(len(docs[mid][0].stems)))
        return out


def _as_set(candidates: Collection[str] | None) -> AbstractSet[str] | None:
    if candidates is None or isinstance(candidates, AbstractSet):
        return candidates
    if isinstance(candidates, dict):
        return candidates.keys()
    return set(candidates)


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
