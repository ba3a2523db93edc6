"""The issue's "shape": 1,000 memories of ONE user, searched for "hiking and sushi".

Deterministic: every eighth memory (i % 8 == 0) is about hiking and every eighth
(i % 8 == 4) about sushi; the rest are `generate_bulk`'s texts for one user. So the
query's words occur in about a quarter of the memories (the exact share is measured and
reported, since the generated user may also like hiking). The memories live under their
own API key, so the other workloads (and the adds) never see them.

`app_cost` measures the same requests in-process through Flask's test client (no HTTP
server), which says what one call costs the app itself.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mock_server.engine.demo import DemoMemory, generate_bulk

from .common import SEED, percentile
from .loadgen import Request

SHAPE_KEY = "bench-shape-key"  # its own tenant
SHAPE_USER = "shape-user"
SHAPE_QUERY = "hiking and sushi"
SHAPE_COUNT = 1000
SHAPE_WORKLOADS = ("shape-get-memory", "shape-search-v2", "shape-search-v3")
QUERY_WORDS = re.compile(r"\b(hiking|sushi)\b", re.IGNORECASE)

_PLACES = ("the Alps", "Yosemite", "the Lake District", "Patagonia", "the Dolomites", "Snowdonia", "the Rockies",
           "Zion", "the Pyrenees", "Mount Rainier", "the Black Forest")
_FRIENDS = ("Maya", "Jonas", "Priya", "Leo", "Sofia", "Tom", "Aiko")
_HIKING = (
    "Went hiking in {place} last weekend with {friend}",
    "Loves hiking on Sunday mornings",
    "Bought new hiking boots before a trip to {place}",
    "Plans a week of hiking in {place} next summer",
    "Goes hiking with {friend} twice a month",
    "Prefers long hiking trails over short walks",
    "Joined a hiking club that meets near {place}",
)
_SUSHI = (
    "Loves sushi, especially salmon nigiri",
    "Had sushi with {friend} at a small place near the station",
    "Orders sushi for lunch every Friday",
    "Is learning to roll sushi at home",
    "Favourite dinner after a long week is sushi",
    "Took {friend} to a sushi bar for a birthday",
    "Prefers sushi without wasabi",
)


def _themed(templates: tuple[str, ...], k: int) -> str:
    return templates[k % len(templates)].format(place=_PLACES[k % len(_PLACES)], friend=_FRIENDS[k % len(_FRIENDS)])


def shape_memories(count: int = SHAPE_COUNT, seed: int = SEED) -> Iterator[DemoMemory]:
    """`count` memories of SHAPE_USER: 1/8 about hiking, 1/8 about sushi, the rest generated."""
    for i, item in enumerate(generate_bulk(count, 1, seed=seed)):
        text = item.text
        if i % 8 == 0:
            text = _themed(_HIKING, i // 8)
        elif i % 8 == 4:
            text = _themed(_SUSHI, i // 8)
        yield dataclasses.replace(item, text=text, user_id=SHAPE_USER)


def matching_share(count: int = SHAPE_COUNT) -> float:
    """Share of the shape's memories in which a word of the query occurs."""
    if count <= 0:
        return 0.0
    return sum(1 for m in shape_memories(count) if QUERY_WORDS.search(m.text)) / count


def search_body() -> str:
    """The issue's request, for v2 and v3 alike (no top_k: the endpoint's default)."""
    return json.dumps({"query": SHAPE_QUERY, "filters": {"user_id": SHAPE_USER}})


def plan(workload: str, memory_ids: list[str]) -> list[Request]:
    """shape-get-memory rotates over 100 of the user's ids; the searches send the one query."""
    if workload == "shape-get-memory":
        return [Request("GET", f"/v1/memories/{mid}/", key=SHAPE_KEY) for mid in memory_ids[:100]]
    if workload == "shape-search-v2":
        return [Request("POST", "/v2/memories/search/", search_body(), key=SHAPE_KEY)]
    if workload == "shape-search-v3":
        return [Request("POST", "/v3/memories/search/", search_body(), key=SHAPE_KEY)]
    raise ValueError(workload)


# --- the app's own cost per call (no HTTP server) ----------------------------------------------


@dataclass
class CostRow:
    workload: str
    samples: int
    p50_us: float
    p95_us: float
    results: int  # memories in the answer (1 for a get)
    body_bytes: int


def _cost(client: Any, workload: str, requests: list[Request], budget_s: float, max_samples: int) -> CostRow:
    calls = [(r.method, r.path, r.body, r.headers()) for r in requests]

    def call(i: int) -> bytes:
        method, path, body, headers = calls[i % len(calls)]
        reply = client.open(path, method=method, data=body, headers=headers)
        if reply.status_code != 200:
            raise RuntimeError(f"{workload}: {method} {path} answered {reply.status_code}: {reply.data[:300]!r}")
        return bytes(reply.data)

    for i in range(20):
        call(i)
    latencies: list[float] = []
    clock = time.perf_counter
    stop = clock() + budget_s
    i = 0
    while i < max_samples and (i < 20 or clock() < stop):
        began = clock()
        call(i)
        latencies.append(clock() - began)
        i += 1
    body = call(0)
    answer = json.loads(body)
    found = answer["results"] if isinstance(answer, dict) and "results" in answer else answer
    results = len(found) if isinstance(found, list) else 1
    return CostRow(
        workload, len(latencies), percentile(latencies, 50) * 1e6, percentile(latencies, 95) * 1e6, results, len(body)
    )


def app_cost(count: int = SHAPE_COUNT, budget_s: float = 1.0, max_samples: int = 2000) -> list[CostRow]:
    """p50 of each shape request through the Flask test client (one thread, after a warm-up)."""
    from benchmarks.serve import build_mock  # Flask and the app load only here

    app, info = build_mock(0, 1, shape=count)
    client = app.test_client()
    return [
        _cost(client, workload, plan(workload, info["shape_memory_ids"]), budget_s, max_samples)
        for workload in SHAPE_WORKLOADS
    ]
