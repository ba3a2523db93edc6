"""The mock's filter engine against the contract suite's oracle, on generated trees.

The two are written independently (mock_server/engine/filters.py and contracts/oracle.py); a
disagreement on any generated tree is a bug in one of them.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from hypothesis import HealthCheck, given, settings

from contracts import oracle
from contracts.strategies import filter_conditions
from mock_server.engine.filters import compile_filter, decided_by_index, every_candidate, names_entity
from mock_server.engine.models import ENTITY_FIELDS, Memory
from mock_server.engine.service import _selection


def _memory(i: int, text: str, when: str, *, user=None, agent=None, run=None, app=None,
            categories=(), metadata=None) -> Memory:
    moment = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
    return Memory(
        id=f"00000000-0000-4000-8000-{i:012d}", memory=text, user_id=user, agent_id=agent, app_id=app,
        run_id=run, metadata=metadata, categories=list(categories), keywords=text.lower().split(),
        immutable=False, expiration_date=None, created_at=moment, updated_at=moment, hash="h",
    )


MEMORIES = [
    _memory(1, "Loves JAZZ music", "2024-07-01T00:00:00", user="u1", categories=["music"],
            metadata={"topic": "music", "priority": 1}),
    _memory(2, "loves jazz festivals", "2024-07-01T23:59:59", user="u1", agent="a1", categories=["music", "travel"],
            metadata={"topic": "music", "source": "chat"}),
    _memory(3, "Is a vegetarian", "2024-07-09T23:59:59", user="u2", categories=["food"], metadata={"priority": 3}),
    _memory(4, "Allergic to nuts", "2024-07-10T00:00:00", user="u2", run="r1", categories=["health", "food"]),
    _memory(5, "Plays tennis", "2024-07-31T23:59:59", agent="a2", categories=["sports"],
            metadata={"topic": "sports", "priority": 2}),
    _memory(6, "Works as a nurse", "2024-08-01T00:00:00", app="app", user="u3", categories=["professional_details"]),
]
JSON_MEMORIES = [m.as_record() for m in MEMORIES]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=filter_conditions(JSON_MEMORIES, max_depth=3))
def test_mock_filters_agree_with_the_oracle(tree):
    predicate = compile_filter(tree)
    mock_ids = [m.id for m in MEMORIES if predicate(m)]
    oracle_ids = [m["id"] for m in JSON_MEMORIES if oracle.matches(tree, m, today=date(2025, 1, 1))]
    assert mock_ids == oracle_ids, tree
    assert names_entity(tree) == oracle.names_entity(tree)


def test_a_filter_the_index_decides_matches_exactly_what_the_index_holds():
    """One entity id equal to one value: the index's memories for that value are exactly the
    filter's matches, so search and listing skip the predicate (`every_candidate`)."""
    for name in ENTITY_FIELDS:
        for value in {getattr(m, name) for m in MEMORIES} - {None}:
            tree = {name: value}
            assert decided_by_index(tree)
            predicate = compile_filter(tree)
            assert [m.id for m in MEMORIES if predicate(m)] == [m.id for m in MEMORIES if getattr(m, name) == value]
            assert _selection(tree, None) is every_candidate
            assert _selection(tree, {"topic": "music"}) is not every_candidate  # v1 metadata: checked per memory
            assert _selection(tree, None, latest_only=True) is not every_candidate
    for tree in ({"user_id": "*"}, {"user_id": {"in": ["u1"]}}, {"user_id": "u1", "agent_id": "a1"},
                 {"AND": [{"user_id": "u1"}]}, {"metadata": {"topic": "music"}}, {"user_id": 7}, {}, []):
        assert not decided_by_index(tree), tree
