"""The fast search path answers exactly what the plain reference would, on random data.

The reference scores every visible memory of the scope with `similarity` (the plain
implementation of the score), keeps those at or above the threshold and orders them by
score, then newest first, then id. `Namespace.search` reads the index's ranking a group at
a time, each group only as far as the answer needs; both must give the same memories, in
the same order, with the same scores.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.engine.clock import Clock
from mock_server.engine.filters import compile_filter
from mock_server.engine.namespace import AddOptions, Namespace, Runtime, SearchOptions, listing_key
from mock_server.engine.search import similarity

WORDS = ["hiking", "sushi", "trails", "salmon", "tennis", "Tokyo", "Japan", "dog", "puppy", "jazz", "music",
         "cooking", "dinner", "Berlin", "moved", "loves", "weekend", "mountains", "lake", "sailing"]
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
TODAY = date(2025, 6, 1)

memories = st.lists(
    st.tuples(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join),
        st.sampled_from(["u1", "u2"]),
        st.integers(0, 5),  # days after START: equal dates make ties on time, broken by id
        st.booleans(),  # expired
    ),
    min_size=1,
    max_size=40,
)
queries = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)


def reference(namespace: Namespace, query: str, options: SearchOptions) -> list[tuple[str, float]]:
    hits = []
    for memory in namespace.memories.values():
        if memory.user_id != "u1" or memory.is_expired(TODAY):
            continue
        score = similarity(query, memory.memory, memory.categories, corpus=namespace.search_index)
        hits.append((memory, score))
    hits.sort(key=lambda hit: (-hit[1], *listing_key(hit[0])))
    rounded = [(m.id, round(min(1.0, max(0.0, s)), 6)) for m, s in hits]
    return [hit for hit in rounded if hit[1] >= options.threshold][: options.top_k]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(memories, queries, st.sampled_from([0.0, 0.1, 0.3, 0.6]), st.integers(1, 12))
def test_search_equals_the_reference(rows, query, threshold, top_k):
    clock = Clock(datetime(2025, 6, 1, 12, tzinfo=timezone.utc))
    namespace = Namespace("org", "project", "owner@test", Runtime(clock=clock))
    for text, user, day, expired in rows:
        options = AddOptions(
            infer=False,
            created_at=START + timedelta(days=day),
            expiration_date=date(2025, 1, 1) if expired else None,
        )
        namespace.add([{"role": "user", "content": text}], {"user_id": user}, options)
    tree = {"user_id": "u1"}
    options = SearchOptions(top_k=top_k, threshold=threshold)
    found = [(hit.memory.id, hit.score) for hit in namespace.search(query, tree, compile_filter(tree), options)]
    assert found == reference(namespace, query, options)
