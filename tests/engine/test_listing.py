"""The kept listing order is always what sorting the memories afresh would give.

Memories come and go in any order, with few distinct creation times (so ties, broken by
id, are common), before and after the order is first asked for; and a namespace's search
still answers what the reference does while memories are added and deleted between
searches (the order kept across changes rather than built once).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.engine.clock import Clock
from mock_server.engine.filters import compile_filter
from mock_server.engine.listing import ListingOrder, listing_key
from mock_server.engine.models import Memory
from mock_server.engine.namespace import AddOptions, Namespace, Runtime, SearchOptions
from mock_server.engine.search import similarity

START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _memory(memory_id: str, day: int) -> Memory:
    created = START + timedelta(days=day)
    return Memory(memory_id, "text", "u1", None, None, None, None, (), (), False, None, created, created)


# Each step: add an id created on one of three days, remove the n-th stored memory, or read.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.text("abcdef", min_size=1, max_size=3), st.integers(0, 2)),
        st.tuples(st.just("remove"), st.integers(0, 30), st.just(0)),
        st.tuples(st.just("read"), st.just(0), st.just(0)),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_the_kept_order_is_always_a_fresh_sort(script):
    memories: dict[str, Memory] = {}
    order = ListingOrder(memories)
    for action, argument, day in script:
        if action == "add" and argument not in memories:
            memory = _memory(argument, day)
            memories[memory.id] = memory
            order.added(memory)
        elif action == "remove" and memories:
            memory = list(memories.values())[argument % len(memories)]
            order.removed(memory)
            del memories[memory.id]
        elif action == "read":
            assert list(order.newest_first()) == [m.id for m in sorted(memories.values(), key=listing_key)]
    assert list(order.newest_first()) == [m.id for m in sorted(memories.values(), key=listing_key)]


WORDS = ["hiking", "sushi", "trails", "salmon", "tennis", "dinner", "weekend", "lake"]
changes = st.lists(
    st.tuples(
        st.booleans(),  # add (or delete the oldest-added memory still there)
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
        st.integers(0, 2),  # days after START: ties on time are common
        st.sampled_from(WORDS),  # the query searched after the change
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes)
def test_search_between_changes_equals_the_reference(script):
    clock = Clock(datetime(2025, 6, 1, tzinfo=timezone.utc))
    namespace = Namespace("org", "project", "owner@test", Runtime(clock=clock))
    tree = {"user_id": "u1"}
    options = SearchOptions(top_k=5, threshold=0.1)
    for add, text, day, query in script:
        if add or not namespace.memories:
            added = AddOptions(infer=False, created_at=START + timedelta(days=day))
            namespace.add([{"role": "user", "content": text}], {"user_id": "u1"}, added)
        else:
            namespace.delete(next(iter(namespace.memories)))
        found = [(hit.memory.id, hit.score) for hit in namespace.search(query, tree, compile_filter(tree), options)]
        scored = [
            (m, similarity(query, m.memory, m.categories, corpus=namespace.search_index))
            for m in namespace.memories.values()
        ]
        scored.sort(key=lambda hit: (-hit[1], *listing_key(hit[0])))
        expected = [(m.id, round(s, 6)) for m, s in scored if round(s, 6) >= options.threshold]
        assert found == expected[: options.top_k]
