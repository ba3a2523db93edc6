"""Saved state in the engine: snapshots, fixtures and the SQLite saver, as plain Python.

The saver's one promise is checked directly: after any change is committed, the data file
read back is exactly the snapshot of the live state.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mock_server.engine import AddOptions, Clock, Ids, MemoryService, Runtime, Scope, SearchOptions
from mock_server.engine.errors import InvalidInput
from mock_server.engine.jobs import Jobs
from mock_server.engine.snapshot import dump, settle_interrupted
from mock_server.engine.state import fingerprint, key_hash
from mock_server.engine.storage import Storage, StorageError
from mock_server.engine.webhooks import DeliveryPolicy, WebhookDispatcher

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
KEY, OTHER = "m0-snap-key", "m0-snap-other"
SCOPE = Scope(KEY)
ALEX = {"user_id": "alex"}
SCHEMA = {"type": "object", "properties": {"diet": {"type": "string"}}}


def say(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def new_service(seed: int | None = 7) -> MemoryService:
    """A repeatable service whose webhook receiver always says 200."""
    runtime = Runtime(
        Clock(START),
        Ids(seed),
        jobs=Jobs(inline=True),
        webhooks=WebhookDispatcher(transport=lambda *_: 200, policy=DeliveryPolicy(attempts=1)),
    )
    return MemoryService(runtime)


def build_state(service: MemoryService) -> None:
    """A little of everything a project holds."""
    org = service.identity(SCOPE).org_id
    service.create_webhook(SCOPE, "hook", "http://127.0.0.1:9/hook", ["memory_add", "memory_update"])
    service.add(SCOPE, say("I am a vegetarian and I live in Lisbon."), ALEX, AddOptions())
    service.add(SCOPE, say("I moved to Porto."), ALEX, AddOptions(reconcile=False))  # supersedes Lisbon
    kept = service.add(SCOPE, say("Prefers tea"), {"user_id": "alex", "agent_id": "bot"},
                       AddOptions(infer=False, metadata={"source": "chat"}))
    service.update(SCOPE, kept[0].id, "Prefers green tea", {"source": "chat", "n": 2})
    gone = service.add(SCOPE, say("Temporary note"), {"run_id": "r1"}, AddOptions(infer=False))
    service.delete(SCOPE, gone[0].id)
    service.add_queued(SCOPE, say("I play chess"), ALEX, AddOptions(), payload={"messages": say("I play chess")})
    service.delete_where(SCOPE, {"run_id": "*"}, None)
    service.export(SCOPE, SCHEMA, ALEX)
    service.feedback(SCOPE, kept[0].id, "POSITIVE", "right")
    project = service.create_project(KEY, org, "Second", "another project")
    service.add_member(KEY, org, project.project_id, "ana@example.com", "READER")
    service.update_project(KEY, org, project.project_id, {"custom_instructions": "Only food."})
    service.update_profile_settings(SCOPE, custom_instructions="Be brief.")
    service.start_profile_job(SCOPE, "trigger", "user", "alex", None, "idem-1")
    service.add(Scope(OTHER), say("Other key's fact"), {"agent_id": "helper"}, AddOptions(infer=False))
    service.runtime.webhooks.drain(10)


def answers(service: MemoryService) -> dict:
    """What the API would read back, through the facade."""
    found = service.get_all(SCOPE, ALEX, include_expired=True)
    return {
        "all": [(m.id, m.memory, m.replaced_by, m.categories, m.created_at) for m in found],
        "search": [(h.memory.id, h.score) for h in service.search(SCOPE, "where does alex live", ALEX,
                                                                  SearchOptions(threshold=0))],
        "history": {m.id: [(e.id, e.event, e.new_memory) for e in service.history(SCOPE, m.id)] for m in found},
        "entities": [(e.id, e.type, e.name, e.total_memories) for e in service.entities(SCOPE)],
        "events": [(e.id, e.status, [r.id for r in e.results]) for e in service.events(SCOPE)],
        "webhooks": [(w.webhook_id, w.event_types) for w in service.webhooks(SCOPE)],
        "deliveries": [(d.id, d.status, len(d.attempts)) for d in service.deliveries(SCOPE)],
        "profile": service.profile(SCOPE, "user", "alex").data,
        "export": service.get_export(SCOPE, None, ALEX).data,
        "projects": [(ns.project_id, ns.project.name, [m.email for m in ns.project.members])
                     for ns in service.projects(KEY, service.identity(SCOPE).org_id)],
    }


def test_a_round_trip_gives_an_equal_document_the_same_answers_and_the_same_next_ids():
    original = new_service()
    build_state(original)
    document = json.loads(json.dumps(original.snapshot()))
    assert document["runtime"]["ids"]["seed"] == 7 and document["runtime"]["clock"] == "2025-01-01T00:00:00Z"
    assert KEY not in json.dumps(document) and key_hash(KEY) in json.dumps(document)

    restored = new_service(seed=None)
    restored.store.known_keys = frozenset({OTHER})  # as with mem0-mock --api-key
    restored.restore(restored.read_state(document))
    assert restored.snapshot() == document
    assert restored.store.by_hash(key_hash(KEY)).api_key is None  # no key until a request brings it
    assert restored.store.by_hash(key_hash(OTHER)).api_key == OTHER
    assert answers(restored) == answers(original)
    assert restored.store.by_hash(key_hash(KEY)).api_key == KEY
    sailing = AddOptions(infer=False)
    again = [service.add(SCOPE, say("Likes sailing"), ALEX, sailing) for service in (original, restored)]
    assert again[0] == again[1]  # the seeded id sequence goes on where it was


def test_a_bad_document_names_every_problem_by_path():
    service = new_service()
    build_state(service)
    document = json.loads(json.dumps(service.snapshot()))
    project = document["tenants"][0]["projects"][0]
    project["memories"][0]["created_at"] = "yesterday"
    project["memories"][1]["replaced_by"] = "no-such-memory"
    project["memories"][2]["colour"] = "red"
    project["events"][0]["status"] = 3
    project["entities"].append(dict(project["entities"][0]))
    document["tenants"][1]["key_sha256"] = KEY
    document["runtime"]["ids"]["drawn"] = -1
    with pytest.raises(InvalidInput) as refused:
        service.read_state(document)
    where = "tenants[0].projects[0]"
    assert set(refused.value.errors) == {
        f"{where}.memories[0].created_at",
        f"{where}.memories[1].replaced_by",
        f"{where}.memories[2].colour",
        f"{where}.events[0].status",
        f"{where}.entities[{len(project['entities']) - 1}].id",
        f"{where}.entities[{len(project['entities']) - 1}]",
        "tenants[1].key_sha256",
        "runtime.ids.drawn",
    }
    for bad, field in (([], "non_field_errors"), ({"format": "other", "version": 1, "tenants": []}, "format"),
                       ({"format": "mem0-mock-snapshot", "version": 2, "tenants": []}, "version")):
        with pytest.raises(InvalidInput) as refused:
            service.read_state(bad)
        assert field in refused.value.errors


def test_fixtures_become_memories_with_history_and_entities():
    service = new_service()
    fixtures = {"keys": {KEY: {"memories": [
        {"text": "Is a vegetarian", "user_id": "alex", "metadata": {"source": "onboarding"}, "categories": ["food"],
         "created_at": "2025-01-02T03:04:05Z", "expiration_date": "2030-01-01", "immutable": True},
        {"text": "Lives in Lisbon", "user_id": "alex", "agent_id": "bot", "id": "fixed-id", "created_at": "2025-01-03"},
    ]}}}
    service.restore(service.read_state(fixtures))
    first, second = service.get_all(SCOPE, ALEX)
    assert (second.memory, second.categories, second.immutable, second.expiration_date.isoformat()) == (
        "Is a vegetarian", ("food",), True, "2030-01-01")
    assert first.id == "fixed-id" and first.created_at == datetime(2025, 1, 3, tzinfo=timezone.utc)
    assert first.categories  # from the default catalogue
    assert [e.event for e in service.history(SCOPE, "fixed-id")] == ["ADD"]
    assert [(e.type, e.name, e.id) for e in service.entities(SCOPE)] == [("agent", "bot", "2"), ("user", "alex", "1")]


def test_bad_fixtures_name_the_item_and_never_the_key():
    service = new_service()
    drawn = service.runtime.ids.drawn
    fixtures = {"keys": {KEY: {"memories": [
        {"text": "fine", "user_id": "u"},
        {"text": "", "user_id": "u", "created_at": "soon", "colour": "red"},
        {"text": "no entity"},
    ]}, "": {"memories": []}}}
    with pytest.raises(InvalidInput) as refused:
        service.read_state(fixtures)
    where = f"keys[{fingerprint(KEY)}].memories"
    assert set(refused.value.errors) == {
        f"{where}[1].text", f"{where}[1].created_at", f"{where}[1].colour", f"{where}[2]", "keys",
    }
    assert KEY not in json.dumps(refused.value.errors)
    assert service.runtime.ids.drawn == drawn  # nothing changed, the id sequence included


def saved_state(storage: Storage) -> dict:
    document = storage.read()
    return {"runtime": document.get("runtime"), "tenants": document["tenants"]}


def live_state(service: MemoryService) -> dict:
    document = dump(service.store, service.runtime)
    return {"runtime": document["runtime"], "tenants": document["tenants"]}


def test_the_data_file_always_reads_back_as_the_live_state(tmp_path: Path):
    service = new_service()
    storage = Storage(tmp_path / "state.db")
    changes = service.runtime.changes
    changes.enabled = True
    changes.sink = lambda: storage.save(changes, service.store, service.runtime)
    org = service.identity(SCOPE).org_id

    def check() -> None:
        service.runtime.webhooks.drain(10)
        changes.commit()
        assert saved_state(storage) == live_state(service)

    steps = [
        lambda: build_state(service),
        lambda: service.delete(SCOPE, service.get_all(SCOPE, ALEX)[0].id, linked=True),
        lambda: service.delete_entity(SCOPE, "user", "alex"),
        lambda: service.add(SCOPE, say("Alex is back"), ALEX, AddOptions(infer=False)),  # the entity again
        lambda: service.delete_project(KEY, org, service.identity(SCOPE).project_id),  # default: comes back empty
        lambda: service.add(SCOPE, say("Fresh start"), ALEX, AddOptions(infer=False)),
        lambda: service.delete_webhook(KEY, service.webhooks(Scope(OTHER))[0].webhook_id)
        if service.webhooks(Scope(OTHER)) else None,
        lambda: service.runtime.clock.advance(3600),
        lambda: service.reset(OTHER),
        lambda: service.restore(service.read_state({"keys": {OTHER: {"memories": [{"text": "x", "user_id": "u"}]}}})),
        lambda: service.reset(),
    ]
    for step in steps:
        step()
        check()
    storage.close()
    reopened = Storage(tmp_path / "state.db")
    assert saved_state(reopened) == live_state(service)


def test_a_data_file_is_used_by_one_mock_and_must_be_one(tmp_path: Path):
    first = Storage(tmp_path / "state.db")
    with pytest.raises(StorageError, match="in use"):
        Storage(tmp_path / "state.db")
    first.close()
    (tmp_path / "notes.txt").write_text("not a database " * 100)
    with pytest.raises(StorageError, match="not a mem0-mock data file"):
        Storage(tmp_path / "notes.txt")


def test_work_a_stopped_mock_left_pending_is_failed_on_restart():
    service = new_service()
    event = service.namespace(SCOPE).new_event("ADD", {"messages": say("half done")})
    assert settle_interrupted(service.store.tenants(), START) == 1
    assert (event.status, event.error) == ("FAILED", "The mock stopped before this work finished.")
