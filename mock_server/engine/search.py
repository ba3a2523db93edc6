"""Relevance scoring for search: a deterministic, model-free stand-in for embeddings.

A query is read as its distinct content stems (`text.content_terms`: stopwords dropped,
accents folded, snowball stems, irregular forms joined). Each stem t weighs its inverse
document frequency in the namespace, the BM25 form

    w(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

where N is how many memories the namespace holds and df(t) how many contain t; so a name
in every memory weighs little and a rare word much. A memory covers a query stem fully
(1) when it contains it, partly (RELATED_CREDIT) when it contains only a stem the lexicon
relates to it (a synonym, or a hypernym link such as animal/dog or Japan/Tokyo), and not
at all otherwise. The evidence is the weighted share of the query the memory covers:

    evidence = sum(w(t) * credit(t, m)) / sum(w(t))                          in [0, 1]

With a semantic backend (`embedders.py`) the evidence is the stronger of that lexical
share and the cosine c of the query's and the memory's vectors, scaled so that an
embedding alone gives at most SEMANTIC_WEIGHT (a full lexical match gives 1):

    evidence = max(lexical, SEMANTIC_WEIGHT * clip((c - COSINE_FLOOR) / (1 - COSINE_FLOOR)))

The score calibrates the evidence and lets shared categories break ties:

    score = min(1, evidence ** GAMMA + CATEGORY_WEIGHT * k / K)   (evidence > 0)
    score = 0                                                    (evidence = 0)

where K is how many categories the query points to and k how many of them the memory
has. Categories alone are no evidence, and add at most CATEGORY_WEIGHT (0.05) to a
memory that has some. A memory covering the whole query scores 1; one covering a
quarter of its weight 0.5 (0.55 with every category shared); one covering 9% 0.3.

The score depends on the query, the memory and, through w(t), on what else the
namespace (one org/project of one key) stores: the same data gives the same answers.
`similarity` is the plain reference implementation; `SearchIndex.scores` is the indexed
path and returns exactly the same floats. With `keyword_search` only exact stems count
(no related stems, no embeddings, no categories).
"""

from __future__ import annotations

import heapq
import math
import sys
from collections.abc import Collection, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, NamedTuple, Protocol

from .categories import DEFAULT_CATEGORIES, query_categories
from .text import NEIGHBOURS, content_terms

if TYPE_CHECKING:  # numpy and the backends load only when a semantic backend is used
    import numpy as np

    from .embedders import Embedder
    from .vectors import VectorStore

__all__ = [
    "CATEGORY_WEIGHT",
    "COSINE_FLOOR",
    "GAMMA",
    "RELATED_CREDIT",
    "SEMANTIC_WEIGHT",
    "Corpus",
    "Query",
    "Ranking",
    "SearchIndex",
    "explain",
    "parse_query",
    "rerank",
    "similarity",
]

RELATED_CREDIT = 0.6  # a related stem covers a query stem this much (an exact one: 1)
GAMMA = 0.5  # calibration: the score grows as the square root of the evidence
CATEGORY_WEIGHT = 0.05  # the most shared categories can add: a tie-breaker
SEMANTIC_WEIGHT = 0.5  # the most evidence an embedding alone gives (with a semantic backend)
COSINE_FLOOR = 0.2  # an embedding cosine at or below this is no evidence
_SCORED_CATEGORIES = frozenset(DEFAULT_CATEGORIES) - {"misc"}
_DIRECT_COST = 4  # scoring one candidate directly costs about as much as 4 postings
_PEEL, _SPLIT = -1, -2  # a group waiting unsplit: to peel off its members with every category it can have, or to split


class Corpus(Protocol):
    """What term weights depend on: how many memories there are and how many hold a stem."""

    def size(self) -> int: ...

    def document_frequency(self, term: str) -> int: ...


class Query(NamedTuple):
    """A query as scored: its distinct stems, the stems related to each, its categories."""

    terms: tuple[str, ...]
    related: tuple[frozenset[str], ...]
    categories: frozenset[str]
    reach: tuple[str, ...]  # the stems and every stem related to one, each postings read once per search


# A match pattern: weight of the query covered, of which by exact stems, and the query's
# categories its memories can have.
Pattern = tuple[float, float, frozenset[str]]

# A group of one score as formed: the score, its memories, and (when the path knows them) its
# parts, each with the breakdown `explain` gives its members.
Formed = tuple[float, Collection[str], list[tuple[Collection[str], dict[str, float]]] | None]


@lru_cache(maxsize=4096)
def parse_query(query: str) -> Query:
    terms = tuple(dict.fromkeys(content_terms(query)))
    related = tuple(frozenset(NEIGHBOURS.get(t, ())) for t in terms)
    categories = frozenset(c for c in query_categories(query) if c in _SCORED_CATEGORIES)
    return Query(terms, related, categories, terms + tuple(r for near in related for r in near))


def idf(document_frequency: int, size: int) -> float:
    """BM25's inverse document frequency, always > 0."""
    return math.log(1.0 + (size - document_frequency + 0.5) / (document_frequency + 0.5))


def _weights(q: Query, corpus: Corpus | None) -> list[float]:
    if corpus is None:
        return [1.0] * len(q.terms)
    size = corpus.size()
    return [idf(corpus.document_frequency(t), size) for t in q.terms]


def _semantic(cosine: float) -> float:
    """An embedding cosine as evidence in [0, 1]: nothing at or below COSINE_FLOOR."""
    value = (cosine - COSINE_FLOOR) / (1.0 - COSINE_FLOOR)
    return 0.0 if not value > 0.0 else 1.0 if value > 1.0 else value


def _evidence(covered: float, total: float, cosine: float | None) -> float:
    """The share of the query covered, or the embedding's evidence when that is stronger."""
    lexical = covered / total if total > 0.0 else 0.0
    if cosine is None:
        return lexical
    semantic = SEMANTIC_WEIGHT * _semantic(cosine)
    return semantic if semantic > lexical else lexical


def _calibrate(evidence: float, shared_categories: int, query_categories: int) -> float:
    """The score from the evidence and the categories shared (see the module docstring)."""
    if not evidence > 0.0:
        return 0.0  # categories alone are no evidence
    score = evidence**GAMMA
    if shared_categories:
        score += CATEGORY_WEIGHT * shared_categories / query_categories
    return 1.0 if score > 1.0 else score


def _coverage(q: Query, weights: Sequence[float], stems: AbstractSet[str], keyword: bool) -> tuple[float, float]:
    """(weight covered, of which by exact stems), each summed in query order.

    The first sum is formed exactly as `SearchIndex.scores` forms it (same additions in
    the same order), so both paths give the same floats.
    """
    covered = exact = 0.0
    for term, weight, near in zip(q.terms, weights, q.related, strict=True):
        if term in stems:
            covered += weight
            exact += weight
        elif not keyword and near and not near.isdisjoint(stems):
            covered += weight * RELATED_CREDIT
    return covered, exact


def _memory_stems(text: str) -> tuple[str, ...]:
    """A memory's distinct stems, interned: a tuple of a few shared strings is a fraction of
    a set's size, and membership in a handful of stems is as quick."""
    return tuple(dict.fromkeys(sys.intern(term) for term in content_terms(text)))


@lru_cache(maxsize=4096)
def _scored(categories: tuple[str, ...]) -> frozenset[str]:
    """The categories search weighs, one shared set per combination."""
    return frozenset(c for c in categories if c in _SCORED_CATEGORIES)


@lru_cache(maxsize=4096)
def _joined(known: frozenset[str], more: frozenset[str]) -> frozenset[str]:
    """The union of two sets of categories, one shared set per combination."""
    return known | more


def _score(
    q: Query, weights: Sequence[float], stems: AbstractSet[str], categories: AbstractSet[str],
    cosine: float | None, keyword: bool,
) -> float:
    covered, _ = _coverage(q, weights, stems, keyword)
    evidence = _evidence(covered, sum(weights), None if keyword else cosine)
    shared = 0 if keyword or not q.categories else len(q.categories & categories)
    return _calibrate(evidence, shared, len(q.categories))


def _breakdown(
    q: Query, weights: Sequence[float], stems: AbstractSet[str], categories: AbstractSet[str],
    cosine: float | None,
) -> dict[str, float]:
    covered, exact = _coverage(q, weights, stems, False)
    shared = len(q.categories & categories) if q.categories else 0
    return _split(covered, exact, sum(weights), shared, len(q.categories), cosine)


def _split(
    covered: float, exact: float, total: float, shared: int, query_categories: int, cosine: float | None
) -> dict[str, float]:
    """The score of a coverage, split by kind of evidence (see `explain`)."""
    evidence = _evidence(covered, total, cosine)
    score = _calibrate(evidence, shared, query_categories)  # `_score`, from the coverage at hand
    entity = min(score, CATEGORY_WEIGHT * shared / query_categories) if shared and score > 0.0 else 0.0
    lexical = covered / total if total > 0.0 else 0.0
    # The lexical part is split by what exact stems covered; an embedding that won is all semantic.
    bm25 = (score - entity) * exact / covered if evidence == lexical and covered > 0.0 else 0.0
    return {"semantic": score - entity - bm25, "bm25": bm25, "entity": entity}


class _Breakdowns(dict):
    """`_split` of each (weight covered, of which by exact stems, categories shared, cosine)
    asked for, for one query: worked out once per match pattern, one dict to be read only."""

    def __init__(self, total: float, query_categories: int) -> None:
        super().__init__()
        self._total, self._query_categories = total, query_categories

    def __missing__(self, key: tuple[float, float, int, float | None]) -> dict[str, float]:
        covered, exact, shared, cosine = key
        found = self[key] = _split(covered, exact, self._total, shared, self._query_categories, cosine)
        return found


def similarity(
    query: str, text: str, categories: Sequence[str] = (), *, corpus: Corpus | None = None,
    keyword_search: bool = False, cosine: float | None = None,
) -> float:
    """Score of one memory (text + its categories) for a query: the reference implementation.

    `corpus` supplies the term weights (a `SearchIndex` is one); without it every query
    stem weighs the same. `cosine` is the embedding cosine of query and memory, when a
    semantic backend is in use. `SearchIndex.scores` answers exactly these values.
    """
    q = parse_query(query)
    return _score(q, _weights(q, corpus), _memory_stems(text), _scored(tuple(categories)), cosine, keyword_search)


def explain(
    query: str, text: str, categories: Sequence[str] = (), *, corpus: Corpus | None = None,
    cosine: float | None = None,
) -> dict[str, float]:
    """How much of `similarity` each kind of evidence gives (the parts sum to the score).

    Named as the v3 API names its `score_breakdown`: `bm25` for the query's own stems found
    in the memory, `semantic` for meaning found another way (related stems, embeddings),
    `entity` for the categories shared. The calibrated evidence is split between the first
    two in proportion to what each contributed to it.
    """
    q = parse_query(query)
    return _breakdown(q, _weights(q, corpus), _memory_stems(text), _scored(tuple(categories)), cosine)


class SearchIndex:
    """Inverted index of memory stems (and vectors, with a semantic backend).

    Keeps what term weights need (how many memories, how many hold each stem) up to date
    on every add and remove. Lexical scoring touches only the postings of the query's
    stems and of the stems related to them; a memory reaching neither scores 0 (whatever
    its categories) unless an embedder is given, in which case every candidate with a
    vector is scored. Not thread-safe on its own: the namespace calls it under its lock.
    The returned dict's order is unspecified (callers sort by score).

    With an embedder, texts are embedded by `prepare` before they are added (so a failing
    backend fails before anything changes), and `add` takes each text's vector from there.
    """

    def __init__(self) -> None:
        # Postings are dicts used as sets (values None): half a grown set's size, and their
        # key views do set algebra with sets at C speed.
        self._postings: dict[str, dict[str, None]] = {}  # stem -> ids of memories holding it
        self._docs: dict[str, tuple[str, ...]] = {}  # id -> its stems
        self._posting_count = 0  # how many postings all stems hold: what any query's `_work` is within
        self._categories: dict[str, dict[str, None]] = {}  # scored category -> ids (one memory's: `_categories_of`)
        # stem -> every scored category a memory holding it has had: a bound on what a memory
        # reached through the stem can share with a query (kept while the stem is, never narrowed)
        self._stem_categories: dict[str, frozenset[str]] = {}
        self.vectors: VectorStore | None = None  # made with the first vector
        self._prepared: dict[str, np.ndarray] = {}  # text -> vector, for the adds to come

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, memory_id: object) -> bool:
        return memory_id in self._docs

    def size(self) -> int:
        return len(self._docs)

    def document_frequency(self, term: str) -> int:
        return len(self._postings.get(term, ()))

    def prepare(self, texts: Sequence[str], embedder: Embedder | None) -> None:
        """Embed texts about to be added (raises `Unavailable`; nothing is indexed then).

        Replaces what an earlier call prepared. Without an embedder, nothing to do.
        """
        self._prepared = {}
        if embedder is not None and texts:
            wanted = list(dict.fromkeys(texts))
            self._prepared = dict(zip(wanted, embedder.embed(wanted), strict=True))

    def add(self, memory_id: str, text: str, categories: Sequence[str]) -> None:
        """Index a memory; re-adding an id replaces its previous text, categories and vector.

        The memory gets a vector when `prepare` embedded its text.
        """
        if memory_id in self._docs:
            self.remove(memory_id)
        stems = _memory_stems(text)
        scored = _scored(tuple(categories))
        postings, stem_categories = self._postings, self._stem_categories
        for term in stems:
            bucket = postings.get(term)
            if bucket is None:
                postings[term] = {memory_id: None}
            else:
                bucket[memory_id] = None
            if scored:
                known = stem_categories.get(term)
                if known is None or not scored <= known:
                    stem_categories[term] = scored if known is None else _joined(known, scored)
        self._docs[memory_id] = stems
        self._posting_count += len(stems)
        for category in scored:
            self._categories.setdefault(category, {})[memory_id] = None
        vector = self._prepared.get(text)
        if vector is not None:
            if self.vectors is None:
                from .vectors import VectorStore

                self.vectors = VectorStore()
            self.vectors.put(memory_id, vector)

    def remove(self, memory_id: str) -> None:
        """Forget a memory (no error if it is not indexed)."""
        stems = self._docs.pop(memory_id, None)
        if stems is None:
            return
        self._posting_count -= len(stems)
        for term in stems:
            bucket = self._postings[term]
            del bucket[memory_id]
            if not bucket:
                del self._postings[term]
                self._stem_categories.pop(term, None)
        for category, members in list(self._categories.items()):
            members.pop(memory_id, None)
            if not members:
                del self._categories[category]
        if self.vectors is not None:
            self.vectors.discard(memory_id)

    def _holders(self, categories: Iterable[str]) -> list[dict[str, None]]:
        """The members of each of these categories that some memory holds."""
        found = (self._categories.get(category) for category in categories)
        return [members for members in found if members]

    def _categories_of(self, memory_id: str) -> frozenset[str]:
        return frozenset(c for c, members in self._categories.items() if memory_id in members)

    def _cosine(self, query: str, memory_id: str, embedder: Embedder | None) -> float | None:
        if embedder is None or self.vectors is None or memory_id not in self.vectors:
            return None
        return self.vectors.cosine(embedder.embed([query])[0], memory_id)

    def similarity(
        self, query: str, memory_id: str, *, keyword_search: bool = False, embedder: Embedder | None = None
    ) -> float:
        """The reference score of one indexed memory: what `scores` gives it (or 0.0)."""
        stems, categories = self._docs[memory_id], self._categories_of(memory_id)
        q = parse_query(query)
        cosine = None if keyword_search else self._cosine(query, memory_id, embedder)
        return _score(q, _weights(q, self), stems, categories, cosine, keyword_search)

    def explain(self, query: str, memory_id: str, embedder: Embedder | None = None) -> dict[str, float]:
        """`explain` for an indexed memory, with its embedding cosine when there is one."""
        return self.explain_all(query, [memory_id], embedder)[0]

    def explain_all(
        self, query: str, memory_ids: Sequence[str], embedder: Embedder | None = None
    ) -> list[dict[str, float]]:
        """`explain` for several indexed memories, the query's term weights worked out once.

        Memories of one match pattern get the same breakdown (`_Breakdowns`).
        """
        q = parse_query(query)
        weights = _weights(q, self)
        holders = self._holders(q.categories)  # only the query's categories count
        known = _Breakdowns(sum(weights), len(q.categories))
        breakdowns = []
        for memory_id in memory_ids:
            covered, exact = _coverage(q, weights, self._docs[memory_id], False)
            shared = sum(memory_id in members for members in holders)
            breakdowns.append(known[covered, exact, shared, self._cosine(query, memory_id, embedder)])
        return breakdowns

    def scores(
        self,
        query: str,
        candidates: Collection[str] | None = None,
        *,
        keyword_search: bool = False,
        embedder: Embedder | None = None,
    ) -> dict[str, float]:
        """Score (> 0) of every indexed memory with some evidence for the query.

        `candidates` restricts the result (sets and dict key views are used as they are,
        other collections are turned into a set). With an `embedder` the query's vector
        adds the semantic evidence (it raises `Unavailable` when the backend fails);
        `keyword_search` uses neither.
        """
        out: dict[str, float] = {}
        for score, members in self.ranking(query, candidates, keyword_search=keyword_search, embedder=embedder):
            out.update(dict.fromkeys(members, score))
        return out

    def ranking(
        self,
        query: str,
        candidates: Collection[str] | None = None,
        *,
        keyword_search: bool = False,
        embedder: Embedder | None = None,
        explained: bool = False,
    ) -> Ranking:
        """The memories `scores` gives a score, grouped by that score, best first.

        Memories with one match pattern share one score, so a search reads the ranking a
        group at a time and looks only at the groups its answer needs: the ranking is formed
        as it is read (`_best_first`), so groups past the answer, or under its threshold, are
        never split by category. Read it under the lock the index is read under.
        `explained`: keep what `Ranking.breakdown` answers, where the path knows it.
        """
        return Ranking(self._ranked(query, candidates, keyword_search, embedder, explained))

    def _ranked(
        self, query: str, candidates: Collection[str] | None, keyword_search: bool, embedder: Embedder | None,
        explained: bool,
    ) -> Iterator[Formed]:
        """(score, the memories with that score > 0, their explanations if known) best first,
        by the cheapest path for the query."""
        if not self._docs:
            return iter(())
        q = parse_query(query)
        allowed = _as_set(candidates)
        weights = _weights(q, self)
        vectors = self.vectors if embedder is not None and not keyword_search and self.vectors else None
        dense = vectors is not None
        query_vector = embedder.embed([query])[0] if vectors is not None and embedder is not None else None
        if not q.terms and not dense:
            return iter(())
        if allowed is not None and self._cheaper_directly(len(allowed), q, keyword_search):
            cosines = vectors.cosines(query_vector, allowed) if vectors is not None else {}
            return _best_first_of(self._direct_scores(q, weights, allowed, cosines, keyword_search))
        restrict = allowed if allowed is not None and len(allowed) < len(self._docs) else None
        total = sum(weights)
        if vectors is not None:
            covered = self._covered(q, weights, keyword_search)
            if restrict is not None:
                covered = {mid: covered[mid] for mid in covered.keys() & restrict}
            cosines = vectors.cosines(query_vector, allowed)
            return _best_first_of(self._fused_scores(q, covered, total, cosines))
        categories = frozenset() if keyword_search else q.categories
        groups = self._groups(q, weights, keyword_search, restrict)
        return self._best_first(groups, total, categories, explained=explained and not keyword_search)

    def _best_first(
        self, groups: dict[Pattern, set[str]], total: float, categories: frozenset[str], explained: bool
    ) -> Iterator[Formed]:
        """The groups of one match pattern, as groups of one score, best first.

        A group's members score alike but for the categories each shares with the query,
        which add at most CATEGORY_WEIGHT. So a group waits, unsplit, under the best score
        any of its members could have (with every category of the query it can have), and
        is split only once that is the best score left: a search whose answer fills from
        the first groups never splits the rest. The first split only peels off the members
        that have all those categories (an intersection per category); the rest waits again,
        one category lower, and is split fully only if the answer reaches it. A score is
        given only once no group left could reach it, with every group of that score merged
        into one; each score is `_calibrate`'s, from the same floats as `similarity` (the
        bounds too: the same formula with a count of categories none can exceed).

        `explained`: each score comes with its parts, each with the breakdown `explain`
        gives its members (what the part's weight covered, by exact stems, and categories
        shared say: the same floats), so a v3 search explains its hits without scoring them
        again.
        """
        ncats = len(categories)
        # (-score, or -bound while unsplit; order; categories shared, or _PEEL / _SPLIT while unsplit;
        #  weight covered; of which by exact stems; the query's categories members can have; members)
        waiting: list[tuple[float, int, int, float, float, frozenset[str], set[str]]] = []
        order = 0

        def wait(covered: float, exact: float, can: frozenset[str], shared: int, bound: int, members: set[str]) -> None:
            nonlocal order
            order += 1
            score = _calibrate(_evidence(covered, total, None), bound, ncats)
            heapq.heappush(waiting, (-score, order, shared, covered, exact, can, members))

        for (covered, exact, can), members in groups.items():
            wait(covered, exact, can, _PEEL if can else 0, len(can), members)
        breakdowns = _Breakdowns(total, ncats)

        def split(state: int, covered: float, exact: float, can: frozenset[str], members: set[str]) -> None:
            if state == _SPLIT:
                for shared, part in self._by_shared_categories(members, can).items():
                    wait(covered, exact, can, shared, shared, part)
                return
            top = self._with_all(members, can)  # _PEEL: those with every category they can have, the rest one lower
            if top:
                wait(covered, exact, can, len(can), len(can), top)
            rest = members - top if top else members
            if rest:
                wait(covered, exact, can, _SPLIT if len(can) > 1 else 0, len(can) - 1, rest)

        while waiting:
            negative, _, shared, covered, exact, can, members = heapq.heappop(waiting)
            if not negative < 0.0:
                return  # no evidence left (a weight covered is never 0: cannot happen, but cheap to say)
            if shared < 0:
                split(shared, covered, exact, can, members)
                continue
            group = members
            parts = [(members, breakdowns[covered, exact, shared, None])] if explained else None
            while waiting and waiting[0][0] == negative:  # the same score from another group, or maybe
                _, _, shared, covered, exact, can, other = heapq.heappop(waiting)
                if shared < 0:
                    split(shared, covered, exact, can, other)
                    continue
                group = group | other
                if parts is not None:
                    parts.append((other, breakdowns[covered, exact, shared, None]))
            yield -negative, group, parts

    def _with_all(self, members: set[str], categories: frozenset[str]) -> set[str]:
        """The members that have every one of these categories."""
        top = members
        for category in categories:
            holders = self._categories.get(category)
            top = top & holders.keys() if holders else set()
            if not top:
                break
        return top

    def _by_shared_categories(self, members: set[str], categories: frozenset[str]) -> dict[int, set[str]]:
        """Members by how many of these categories they have (only counts that occur)."""
        parts: dict[int, set[str]] = {0: members}
        for category in categories:
            members_of = self._categories.get(category)
            holders = members_of.keys() if members_of else _NOTHING
            regrouped: dict[int, set[str]] = {}
            for shared, group in parts.items():
                inside = group & holders
                _merge(regrouped, shared + 1, inside)
                _merge(regrouped, shared, group - inside if inside else group)
            parts = regrouped
        return parts

    def _groups(
        self, q: Query, weights: Sequence[float], keyword: bool, restrict: AbstractSet[str] | None
    ) -> dict[Pattern, set[str]]:
        """The memories reached, grouped by match pattern: the weight of the query they cover,
        how much of it exact stems cover, and which of the query's categories they can have.

        Memories with the same match pattern get the same score (but for categories, which
        `_best_first` splits by), so the groups are formed with set operations (C speed)
        rather than memory by memory: term by term in query order, each group splits into
        the memories that hold the stem, those that hold only a related stem, and the rest,
        adding each term's weight exactly as `_coverage` adds it (same additions, same
        order, so the same floats). A memory holding a stem has no category the stem's
        memories have never had (`_stem_categories`), so each group also keeps the query's
        categories its members can have: the bound `_best_first` ranks it by unsplit.
        """
        postings, stem_categories = self._postings, self._stem_categories
        wanted = frozenset() if keyword else q.categories
        groups: dict[Pattern, set[str]] = {}
        for term, weight, near in zip(q.terms, weights, q.related, strict=True):
            # `exact` is what `set - exact` reads fastest: the postings dict itself, or a set
            bucket = postings.get(term)
            exact: AbstractSet[str] | dict[str, None] = _NOTHING
            if bucket:
                exact = bucket if restrict is None else _within(bucket.keys(), restrict)
            exact_can = wanted & stem_categories.get(term, _NOTHING) if wanted else _NOTHING
            related: set[str] = set()
            related_can: frozenset[str] = _NOTHING
            if not keyword:
                for other in near:
                    bucket = postings.get(other)
                    if bucket:
                        related.update(bucket)
                        if wanted:
                            related_can = related_can | (wanted & stem_categories.get(other, _NOTHING))
                if related and exact:
                    related = related.difference(exact)  # walks `related` (unless it is far bigger)
                if restrict is not None and related:
                    related = _within(related, restrict)
            if not exact and not related:
                continue
            part = weight * RELATED_CREDIT
            split: dict[Pattern, set[str]] = {}
            reached_exact: list[set[str]] = []  # the hits in earlier groups, to leave out of the new ones
            reached_related: list[set[str]] = []
            exact_keys = exact.keys() if isinstance(exact, dict) else exact
            for pattern, members in groups.items():
                # `members & postings` walks the smaller side; `members - postings` would copy
                # the postings, so the rest is what the group holds besides its hits.
                hit, near_hit = members & exact_keys, members & related
                covered, by_exact, can = pattern
                _merge(split, (covered + weight, by_exact + weight, can & exact_can), hit)
                _merge(split, (covered + part, by_exact, can & related_can), near_hit)
                _merge(split, pattern, members.difference(hit, near_hit) if hit or near_hit else members)
                if hit:
                    reached_exact.append(hit)
                if near_hit:
                    reached_related.append(near_hit)
            fresh = set(exact_keys)
            fresh.difference_update(*reached_exact)
            related.difference_update(*reached_related)
            _merge(split, (0.0 + weight, 0.0 + weight, exact_can), fresh)
            _merge(split, (0.0 + part, 0.0, related_can), related)
            groups = split
        return groups

    def _fused_scores(
        self, q: Query, covered: dict[str, float], total: float, cosines: dict[str, float]
    ) -> dict[str, float]:
        """Scores with a semantic backend: every memory with a vector has some cosine."""
        holders = self._holders(q.categories)
        ncats = len(q.categories)
        out: dict[str, float] = {}
        for mid in covered.keys() | cosines.keys():
            evidence = _evidence(covered.get(mid, 0.0), total, cosines.get(mid))
            shared = sum(mid in members for members in holders)
            score = _calibrate(evidence, shared, ncats)
            if score > 0.0:
                out[mid] = score
        return out

    def _cheaper_directly(self, candidates: int, q: Query, keyword: bool) -> bool:
        """Whether scoring these candidates one by one costs less than walking the query's
        postings. All the postings there are bound that walk: often enough to decide."""
        cost = candidates * _DIRECT_COST
        return cost < self._posting_count and cost < self._work(q, keyword)

    def _work(self, q: Query, keyword: bool) -> int:
        """How many postings the query's stems (and related stems) hold."""
        stems = q.terms if keyword else q.reach
        return sum(map(len, map(self._postings.get, stems, repeat(_NOTHING, len(stems)))))

    def _covered(self, q: Query, weights: Sequence[float], keyword: bool) -> dict[str, float]:
        """Weight covered per memory reached, summed term by term in query order (as `_coverage`)."""
        postings = self._postings
        covered: dict[str, float] = {}
        get = covered.get
        for term, weight, near in zip(q.terms, weights, q.related, strict=True):
            exact = postings.get(term)
            if exact:
                for mid in exact:
                    covered[mid] = get(mid, 0.0) + weight
            if keyword or not near:
                continue
            reached: set[str] = set()
            for other in near:
                bucket = postings.get(other)
                if bucket:
                    reached.update(bucket)
            if exact:
                reached.difference_update(exact)
            if reached:
                part = weight * RELATED_CREDIT
                for mid in reached:
                    covered[mid] = get(mid, 0.0) + part
        return covered

    def _direct_scores(
        self, q: Query, weights: list[float], allowed: AbstractSet[str], cosines: dict[str, float], keyword: bool
    ) -> dict[str, float]:
        """Few candidates: score each of them rather than walking long postings.

        `_score` inlined (the same additions in the same order, so the same floats): this
        loop runs for every search that names a small scope.
        """
        docs = self._docs
        total = sum(weights)
        terms = [(term, weight, weight * RELATED_CREDIT, near if not keyword else frozenset())
                 for term, weight, near in zip(q.terms, weights, q.related, strict=True)]
        holders = () if keyword else self._holders(q.categories)
        ncats = len(q.categories)
        memo: dict[tuple[float, int, float | None], float] = {}
        out: dict[str, float] = {}
        for mid in allowed:
            stems = docs.get(mid)
            if stems is None:
                continue
            covered = 0.0
            for term, weight, part, near in terms:
                if term in stems:
                    covered += weight
                elif near and not near.isdisjoint(stems):
                    covered += part
            cosine = cosines.get(mid) if cosines else None
            if cosine is None and not covered > 0.0:
                continue  # no evidence: `_calibrate` gives 0, whatever the categories
            key = (covered, sum(mid in members for members in holders) if holders else 0, cosine)
            score = memo.get(key)
            if score is None:
                score = memo[key] = _calibrate(_evidence(covered, total, cosine), key[1], ncats)
            if score > 0.0:
                out[mid] = score
        return out


def _merge(groups: dict, key: object, members: set[str]) -> None:
    if members:
        found = groups.get(key)
        if found is None:
            groups[key] = members
        else:
            found |= members


_NOTHING: frozenset[str] = frozenset()


def _within(members: set[str], allowed: AbstractSet[str]) -> set[str]:
    """`members & allowed`, walking the smaller side (`allowed` may be a dict's keys)."""
    if isinstance(allowed, (set, frozenset)) or len(allowed) <= len(members):
        return members & allowed  # type: ignore[operator]
    return {m for m in members if m in allowed}


def _best_first_of(scores: dict[str, float]) -> Iterator[Formed]:
    """Scores worked out memory by memory, as groups of one score, best first (unexplained)."""
    groups: dict[float, list[str]] = {}
    for memory_id, score in scores.items():
        groups.setdefault(score, []).append(memory_id)
    return ((score, members, None) for score, members in sorted(groups.items(), reverse=True))


class Ranking:
    """Groups of one score, best first, formed as they are first read (`SearchIndex.ranking`).

    Can be read again: a second reading replays the groups formed, then goes on.
    """

    def __init__(self, groups: Iterator[Formed]) -> None:
        self._source = groups
        self._formed: list[tuple[float, Collection[str]]] = []
        self._parts: dict[float, list[tuple[Collection[str], dict[str, float]]] | None] = {}

    def __iter__(self) -> Iterator[tuple[float, Collection[str]]]:
        formed = self._formed
        position = 0
        while True:
            if position == len(formed):
                found = next(self._source, None)
                if found is None:
                    return
                score, members, parts = found
                formed.append((score, members))
                self._parts[score] = parts
            yield formed[position]
            position += 1

    def breakdown(self, memory_id: str, score: float) -> dict[str, float] | None:
        """What `explain` gives a memory read at this score, if the ranking knows it (else None:
        memories scored one by one, a keyword search, or a score not read yet)."""
        parts = self._parts.get(score)
        if not parts:
            return None
        if len(parts) == 1:  # the usual case: a score one match pattern gives (the memory is read in it)
            return parts[0][1]
        for members, breakdown in parts:
            if memory_id in members:
                return breakdown
        return None


def _as_set(candidates: Collection[str] | None) -> AbstractSet[str] | None:
    if candidates is None or isinstance(candidates, AbstractSet):
        return candidates
    if isinstance(candidates, dict):
        return candidates.keys()
    return set(candidates)


def _stem_pairs(stems: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:], strict=False))


def _clamp(x: float) -> float:
    return 0.0 if not x > 0.0 else 1.0 if x > 1.0 else x  # NaN -> 0.0


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
