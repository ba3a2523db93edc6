"""The engine's facade used as plain Python: no HTTP, no Flask."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mock_server.engine import AddOptions, Clock, Ids, MemoryService, Runtime, Scope, SearchOptions
from mock_server.engine.errors import EntityRequired, NotFound, Refused

SCOPE = Scope("m0-engine-key")
ALEX = {"user_id": "alex"}


def say(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_reconciling_inference_updates_a_changed_fact():
    service = MemoryService()
    first = service.add(SCOPE, say("I live in Paris."), ALEX, AddOptions())
    second = service.add(SCOPE, say("I moved to Berlin."), ALEX, AddOptions())
    assert [r.event for r in first] == ["ADD"] and [r.event for r in second] == ["UPDATE"]
    assert [m.memory for m in service.get_all(SCOPE, ALEX)] == [second[0].memory]
    assert [e.event for e in service.history(SCOPE, first[0].id)] == ["ADD", "UPDATE"]


def test_additive_inference_keeps_the_old_fact_beside_the_new_one():
    service = MemoryService()
    additive = AddOptions(reconcile=False)
    service.add(SCOPE, say("I live in Paris."), ALEX, additive)
    moved = service.add(SCOPE, say("I moved to Berlin."), ALEX, additive)
    again = service.add(SCOPE, say("I moved to Berlin."), ALEX, additive)
    assert [r.event for r in moved] == ["ADD"] and again == []
    texts = sorted(m.memory for m in service.get_all(SCOPE, ALEX))
    assert len(texts) == 2 and any("Paris" in t for t in texts) and any("Berlin" in t for t in texts)


def test_a_frozen_clock_and_seeded_ids_make_runs_repeatable():
    def run() -> list[tuple[str, datetime]]:
        runtime = Runtime(Clock(datetime(2025, 1, 1, tzinfo=timezone.utc)), Ids(seed=7))
        service = MemoryService(runtime)
        results = service.add(SCOPE, say("I enjoy sailing on the lake."), ALEX, AddOptions(infer=False))
        memory = service.get(SCOPE, results[0].id)
        return [(memory.id, memory.created_at)]

    first, second = run(), run()
    assert first == second and first[0][1] == datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_refusals_are_domain_errors():
    service = MemoryService()
    with pytest.raises(EntityRequired):
        service.add(SCOPE, say("I like tea."), {}, AddOptions())
    with pytest.raises(EntityRequired):
        service.search(SCOPE, "tea", {"categories": {"in": ["food"]}}, SearchOptions())
    with pytest.raises(NotFound):
        service.get(SCOPE, "00000000-0000-4000-8000-000000000000")
    stored = service.add(SCOPE, say("I like tea."), ALEX, AddOptions(infer=False, immutable=True))
    with pytest.raises(Refused):
        service.update(SCOPE, stored[0].id, "I like coffee.", None)


def test_keys_and_projects_are_separate_worlds():
    service = MemoryService()
    service.add(SCOPE, say("I like tea."), ALEX, AddOptions(infer=False))
    assert service.get_all(Scope("another-key"), ALEX) == []
    assert service.get_all(Scope(SCOPE.api_key, "org-x", "proj-y"), ALEX) == []
    assert len(service.get_all(SCOPE, ALEX)) == 1


def test_extract_assistant_stores_what_the_assistant_states():
    turns = [{"role": "user", "content": "I'm off to Lisbon next week."},
             {"role": "assistant", "content": "My cousin Rui runs a bakery in Alfama."}]
    v1 = MemoryService()
    v1.add(SCOPE, turns, ALEX, AddOptions(reconcile=False))
    assert [m.memory for m in v1.get_all(SCOPE, ALEX)] == ["Is off to Lisbon next week"]
    v3 = MemoryService()
    v3.add(SCOPE, turns, ALEX, AddOptions(reconcile=False, extract_assistant=True))
    assert sorted(m.memory for m in v3.get_all(SCOPE, ALEX)) == [
        "Cousin Rui runs a bakery in Alfama", "Is off to Lisbon next week",
    ]


def test_assistant_statements_about_the_user_are_facts_when_asked():
    service = MemoryService()
    chat = [
        {"role": "user", "content": "What should I cook tonight?"},
        {"role": "assistant", "content": "Since you mentioned you are vegetarian, try a lentil curry."},
    ]
    user_only = service.add(SCOPE, chat, ALEX, AddOptions(reconcile=False))
    assert user_only == []  # a question, and the assistant is not read
    both = service.add(SCOPE, chat, ALEX, AddOptions(reconcile=False, extract_assistant=True))
    assert "Is a vegetarian" in [r.memory for r in both]
