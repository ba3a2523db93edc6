"""Scale: search v2 and get-all v2 latency in-process as the store grows (no HTTP).

Calls what the handlers call: `Namespace.search` / `Namespace.select` with a predicate
from `compile_filter`, and `memory_json` for each memory answered (the handler renders
before it serialises), so the numbers are the mock's own cost per request.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mock_server.api.common import memory_json
from mock_server.engine import Identity
from mock_server.engine.demo import generate_bulk
from mock_server.engine.filters import compile_filter
from mock_server.engine.namespace import Namespace, SearchOptions
from mock_server.engine.seeding import load_memories

from .common import GETALL_CATEGORIES, QUERIES, SEED, getall_filter, percentile, search_filter
from .profiling import QUERY_PARTS, profile_calls

OPERATIONS = ("search-v2", "get-all-v2")


@dataclass(frozen=True)
class ScaleCase:
    memories: int
    users: int
    alone: bool = False  # only the measured user's memories (the baseline for many users)

    @property
    def label(self) -> str:
        if self.alone:
            return f"1 user's own memories alone (from {self.memories:,} over {self.users:,} users)"
        return f"{self.memories:,} in 1 scope" if self.users == 1 else f"{self.memories:,} over {self.users:,} users"


@dataclass
class LatencyRow:
    operation: str
    case: ScaleCase
    scope: int  # memories of the filtered user
    matches: float  # mean results per call
    samples: int
    p50_ms: float
    p95_ms: float
    profile: str | None = None


@dataclass
class LoadRow:
    case: ScaleCase
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@dataclass
class ScaleResults:
    rows: list[LatencyRow] = field(default_factory=list)
    loads: list[LoadRow] = field(default_factory=list)

    def find(self, operation: str, memories: int, users: int, alone: bool = False) -> LatencyRow | None:
        for row in self.rows:
            case = row.case
            if (row.operation, case.memories, case.users, case.alone) == (operation, memories, users, alone):
                return row
        return None


@dataclass
class ScaleSettings:
    single_scope: tuple[int, ...] = (1_000, 10_000, 100_000)
    spread: tuple[int, int] | None = (100_000, 1_000)  # memories, users
    budget_s: float = 5.0  # sampling time per row
    min_samples: int = 16
    max_samples: int = 400


ProfileWanted = Callable[[LatencyRow, "ScaleResults"], bool]


def _sample(call: Callable[[int], int], settings: ScaleSettings) -> tuple[list[float], float]:
    """Latencies of call(i) after one warm-up round; returns (seconds each, mean matches)."""
    for i in range(len(QUERIES)):
        call(i)
    latencies: list[float] = []
    matched = 0
    clock = time.perf_counter
    stop = clock() + settings.budget_s
    i = 0
    while i < settings.max_samples and (i < settings.min_samples or clock() < stop):
        began = clock()
        matched += call(i)
        latencies.append(clock() - began)
        i += 1
    return latencies, matched / max(1, len(latencies))


def identity_of(namespace: Namespace) -> Identity:
    return Identity(namespace.org_id, namespace.project_id, namespace.owner)


def search_call(namespace: Namespace, user_id: str) -> Callable[[int], int]:
    """search v2 as the handler runs it: compile the filter, search, render the hits."""
    tree = search_filter(user_id)
    options = SearchOptions(top_k=10, threshold=0.3)
    identity = identity_of(namespace)

    def call(i: int) -> int:
        predicate = compile_filter(tree)
        hits = namespace.search(QUERIES[i % len(QUERIES)], tree, predicate, options)
        rendered = [{**memory_json(hit.memory, identity), "score": hit.score} for hit in hits]
        return len(rendered)

    return call


def getall_call(namespace: Namespace, user_id: str) -> Callable[[int], int]:
    """get-all v2 as the handler runs it: compile the filter, select, render every match."""
    trees = [getall_filter(user_id, category) for category in GETALL_CATEGORIES]
    identity = identity_of(namespace)

    def call(i: int) -> int:
        tree = trees[i % len(trees)]
        found = namespace.select(tree, compile_filter(tree))
        rendered = [memory_json(memory, identity) for memory in found]
        return len(rendered)

    return call


def measured_user(case: ScaleCase) -> str:
    """The user whose scope a case filters on: the first generated memory's (deterministic)."""
    user_id = next(iter(generate_bulk(case.memories, case.users, seed=SEED))).user_id
    assert user_id is not None
    return user_id


def build(case: ScaleCase, user_id: str) -> tuple[Namespace, float]:
    """A namespace loaded through seeding.load_memories, and the load's wall time."""
    namespace = Namespace("org-bench", "project-bench", "bench@bench.local")
    items = generate_bulk(case.memories, case.users, seed=SEED)
    if case.alone:
        items = iter([m for m in items if m.user_id == user_id])  # picked before the clock starts
    began = time.perf_counter()
    load_memories(namespace, items)
    return namespace, time.perf_counter() - began


def measure_case(case: ScaleCase, settings: ScaleSettings, results: ScaleResults, wants_profile: ProfileWanted) -> None:
    user_id = measured_user(case)
    namespace, load_seconds = build(case, user_id)
    results.loads.append(LoadRow(case, len(namespace.memories), load_seconds))
    scope = len(namespace.by_entity["user_id"].get(user_id, {}))
    for operation in OPERATIONS:
        call = search_call(namespace, user_id) if operation == "search-v2" else getall_call(namespace, user_id)
        latencies, matches = _sample(call, settings)
        row = LatencyRow(
            operation, case, scope, matches, len(latencies),
            percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000,
        )
        if wants_profile(row, results):
            count = max(len(QUERIES), min(64, len(latencies)))
            title = f"{operation}, {case.label}: {count} calls in-process"
            row.profile = profile_calls(call, count, title=title, parts=QUERY_PARTS)
        results.rows.append(row)
    del namespace
    gc.collect()


def measure_scale(settings: ScaleSettings, wants_profile: ProfileWanted = lambda row, results: False) -> ScaleResults:
    """One scope at each size; then one user's memories alone, and that user among many."""
    results = ScaleResults()
    for size in settings.single_scope:
        measure_case(ScaleCase(size, 1), settings, results, wants_profile)
    if settings.spread is not None:
        memories, users = settings.spread
        measure_case(ScaleCase(memories, users, alone=True), settings, results, wants_profile)
        measure_case(ScaleCase(memories, users), settings, results, wants_profile)
    return results
