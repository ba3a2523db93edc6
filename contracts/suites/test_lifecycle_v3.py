"""Lifecycle semantics of today's API (v3): queued adds and their events, dedupe, additive
inference, expiry, linked deletes, wildcard delete-all, entities by number, summaries,
projects and members, webhooks delivered to the suite's own receiver, and profile jobs.

Memories are stored under fresh entity ids of this module's namespace (default project) and
deleted at the end; projects and webhooks are made through `mem0_namespace.objects`, which
deletes them at the end even when a test fails half way. Anything that must hold a project of
its own (`*` on every entity kind, webhooks, project settings) happens in a project the run
made, so it can never touch a real account's data.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from contracts import dataset, oracle
from contracts.client import Client, SeedError, max_wait, poll, response_text
from contracts.plugin import RunNamespace, is_uuid, record_check
from contracts.receiver import Delivery

pytestmark = pytest.mark.v3


def _json(response: requests.Response | None) -> Any:
    if response is None:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def expect(ok: Any, op: str, check: str, detail: str = "") -> None:
    """Count a named check for `op` in the per-operation table and fail naming both."""
    record_check(check, bool(ok), operation=op)
    assert ok, f"[{op}] {check}: {detail}"


def _tag() -> str:
    return secrets.token_hex(3)


class Lab:
    """This module's namespace: mints entity ids inside it and remembers them for cleanup."""

    def __init__(self, api: Client, ns: str, run: RunNamespace) -> None:
        self.api = api
        self.ns = ns
        self.run = run
        self.created: list[tuple[str, str]] = []

    def entity(self, field: str = "user_id") -> str:
        value = f"{self.ns}-v3-{field.split('_')[0]}-{_tag()}"
        self.created.append((field, value))
        return value

    def add(self, messages: Any, **fields: Any) -> list[dict[str, Any]]:
        """A verbatim v3 add; answers its result items."""
        body = self.api.add_verbatim_v3(messages, **fields)
        results = body.get("results")
        expect(isinstance(results, list), "addMemoriesV3", "infer false answers results", f"{body}")
        return results

    def add_one(self, text: str, **fields: Any) -> str:
        results = self.add(text, **fields)
        expect(len(results) == 1 and results[0].get("id"), "addMemoriesV3", "one result per new text",
               f"{text!r} -> {results}")
        return results[0]["id"]

    def queued(self, text: str, **fields: Any) -> dict[str, Any]:
        """An add with inference (the default), followed until its event finished; answers the event."""
        response = self.api.add_v3({"messages": [{"role": "user", "content": text}], **fields})
        body = _json(response)
        expect(response.status_code == 200 and isinstance(body, dict) and is_uuid(body.get("event_id")),
               "addMemoriesV3", "queued add answers an event_id", response_text(response))
        expect(body.get("status") == "PENDING", "addMemoriesV3", "queued add answers status PENDING", f"{body}")
        return self.event(body["event_id"], "queued add")

    def event(self, event_id: str, check: str) -> dict[str, Any]:
        response, done = self.api.wait_event(event_id)
        event = _json(response)
        status = event.get("status") if isinstance(event, dict) else None
        expect(done, "getEvent", f"{check}: event leaves PENDING",
               f"event {event_id} still {status or response_text(response)} after {max_wait()}s (--max-wait)")
        problems = oracle.check_event(event, event_id=event_id)
        expect(not problems, "getEvent", f"{check}: event object", f"{problems}: {event}")
        expect(status == "SUCCEEDED", "getEvent", f"{check}: event SUCCEEDED", f"{event}")
        return event

    def read(self, memory_id: str, check: str, **params: Any) -> dict[str, Any]:
        response = self.api.request("GET", f"/v1/memories/{memory_id}/", params=params)
        body = _json(response)
        expect(response.status_code == 200 and isinstance(body, dict), "getMemory", check, response_text(response))
        return body

    def listed(self, filters: dict, **body: Any) -> list[dict[str, Any]]:
        try:
            return self.api.listing_v3(filters, **body)
        except SeedError as exc:
            expect(False, "getMemoriesV3", "list", str(exc))
            raise


@pytest.fixture(scope="session")
def lab3(api: Client, mem0_namespace: RunNamespace) -> Iterator[Lab]:
    """One namespace for the module; removes exactly the entities its tests created."""
    state = Lab(api, dataset.namespace(), mem0_namespace)
    try:
        yield state
    finally:
        api.cleanup(state.ns, extra=state.created, v3=True)


@pytest.fixture(scope="session")
def org(mem0_namespace: RunNamespace) -> str:
    org_id = mem0_namespace.home()[0]
    if org_id is None:
        pytest.fail("[ping] the key's organization: GET /v1/ping/ named no org_id")
    return org_id


# --------------------------------------------------------------------------- add, events


@pytest.mark.mem0_operation("addMemoriesV3")
def test_queued_add_is_followed_through_its_event(api: Client, lab3: Lab) -> None:
    """`infer` (default) answers PENDING and an event; the event SUCCEEDS naming the memories, which are listed."""
    user = lab3.entity()
    event = lab3.queued("I live in Copenhagen and I work as a pharmacist.", user_id=user)
    results = event["results"]
    expect(results, "getEvent", "queued add: results name the memories", f"{event}")
    expect(all(r.get("event") == "ADD" for r in results), "getEvent", "queued add only adds", f"{results}")
    expect(all(r.get("user_id") == user for r in results), "getEvent", "results name the user", f"{results}")
    expect(event.get("event_type") == "ADD", "getEvent", "event_type ADD", f"{event}")
    payload = event.get("payload") or {}
    expect(payload.get("user_id") == user, "getEvent", "payload is the request", f"{payload}")
    listed = {m["id"]: m.get("memory") for m in lab3.listed({"user_id": user})}
    want = {r["id"]: r["data"]["memory"] for r in results}
    expect(listed == want, "getMemoriesV3", "a queued add's memories are listed", f"listed {listed}, event {want}")


@pytest.mark.mem0_operation("addMemoriesV3")
def test_infer_false_answers_results_at_once(api: Client, lab3: Lab) -> None:
    """`infer: false` stores user and assistant turns verbatim now (system turns dropped) and says so."""
    user = lab3.entity()
    tag = _tag()
    turns = [
        {"role": "system", "content": f"You are a helpful assistant {tag}"},
        {"role": "user", "content": f"My bike is a green Brompton {tag}"},
        {"role": "assistant", "content": f"A green Brompton folds small {tag}"},
    ]
    response = api.add_v3({"messages": turns, "user_id": user, "infer": False})
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict), "addMemoriesV3", "infer false",
           response_text(response))
    expect(body.get("status") == "SUCCEEDED" and is_uuid(body.get("event_id"))
           and isinstance(body.get("message"), str), "addMemoriesV3", "infer false answers SUCCEEDED, event_id,"
           " message", f"{body}")
    results = body.get("results") or []
    texts = sorted(r.get("data", {}).get("memory") for r in results)
    expect(texts == sorted(t["content"] for t in turns[1:]) and all(r.get("event") == "ADD" for r in results),
           "addMemoriesV3", "infer false stores user and assistant turns verbatim", f"{results}")
    event = lab3.event(body["event_id"], "infer false")
    expect({r["id"] for r in event["results"]} == {r["id"] for r in results}, "getEvent",
           "infer false: the event names the stored memories", f"{event['results']} vs {results}")
    plain = f"Keeps bees on the roof {tag}"
    lab3.add_one(plain, user_id=user)  # `messages` as a plain string: one user turn
    listed = sorted(m.get("memory") for m in lab3.listed({"user_id": user}))
    expect(listed == sorted([*texts, plain]), "getMemoriesV3", "infer false memories are listed", f"{listed}")


@pytest.mark.mem0_operation("addMemoriesV3")
def test_add_entity_ids_and_categories(api: Client, lab3: Lab) -> None:
    """Entity ids at the top level, else flat in `filters`; none is add's 400. `custom_categories`
    decide this call's categories."""
    user = lab3.entity()
    memory_id = lab3.add_one(f"Writes haiku at dawn {_tag()}", filters={"user_id": user})
    expect(lab3.read(memory_id, "ids from filters").get("user_id") == user, "addMemoriesV3",
           "entity ids flat in filters are read when none is at the top level", "")
    response = api.add_v3({"messages": [{"role": "user", "content": "No entity here"}], "infer": False})
    body = _json(response)
    expect(response.status_code == 400 and isinstance(body, dict) and body.get("error") == "400 Bad Request"
           and isinstance((body.get("details") or {}).get("message"), str), "addMemoriesV3",
           "no entity id: 400 in add's shape", response_text(response))
    custom = {"ct_boats": "Boats, sailing and the sea"}
    memory_id = lab3.add_one(f"I sail a small wooden boat on the sea {_tag()}", user_id=user,
                             custom_categories=[custom])
    categories = lab3.read(memory_id, "custom categories").get("categories") or []
    expect(categories and set(categories) <= set(custom), "addMemoriesV3",
           "custom_categories decide this call's categories", f"{categories}")


@pytest.mark.mem0_operation("addMemoriesV3")
def test_dedupe_within_a_scope(api: Client, lab3: Lab) -> None:
    """The same text in the same scope is stored once (across calls and within one); another scope stores it."""
    user, other, agent = lab3.entity(), lab3.entity(), lab3.entity("agent_id")
    text = f"Collects enamel pins {_tag()}"
    lab3.add_one(text, user_id=user)
    again = lab3.add(text, user_id=user)
    expect(again == [], "addMemoriesV3", "dedupe: a repeat in the same scope gives no result", f"{again}")
    twice = f"Bakes rye bread {_tag()}"
    both = lab3.add([{"role": "user", "content": twice}, {"role": "user", "content": twice}], user_id=user)
    expect(len(both) == 1, "addMemoriesV3", "dedupe: a text repeated within the call is stored once", f"{both}")
    lab3.add_one(text, user_id=user, agent_id=agent)  # another scope: user and agent
    lab3.add_one(text, user_id=other)  # another user
    listed = lab3.listed({"user_id": {"in": [user, other]}})
    keys = [oracle.dedupe_key({**m, "run_id": m.get("session_id")}) for m in listed]
    expect(len(keys) == len(set(keys)), "getMemoriesV3", "dedupe: no memory stored twice in one scope",
           f"{[m.get('memory') for m in listed]}")
    expect(sum(m.get("memory") == text for m in listed) == 3, "getMemoriesV3",
           "dedupe: one copy per scope", f"{[(m.get('memory'), m.get('agent_id')) for m in listed]}")


# --------------------------------------------------------------------------- additive inference


def _supersede(lab3: Lab, user: str, statements: list[str]) -> list[list[str]]:
    """Queued adds of statements about one subject, in order; answers each event's memory ids."""
    rounds = []
    for statement in statements:
        event = lab3.queued(statement, user_id=user)
        expect(all(r.get("event") == "ADD" for r in event["results"]), "addMemoriesV3",
               "additive inference: only ADD (never UPDATE, DELETE or NOOP)", f"{statement!r}: {event['results']}")
        ids = [r["id"] for r in event["results"]]
        expect(ids, "addMemoriesV3", "additive inference: a new fact is stored", f"{statement!r}: {event}")
        rounds.append(ids)
    return rounds


@pytest.mark.mem0_operation("addMemoriesV3")
def test_additive_inference_supersedes_without_overwriting(api: Client, lab3: Lab) -> None:
    """A changed fact is added beside the old one, which gets `replaced_by`; `latest_only` hides the old one."""
    user = lab3.entity()
    first, second = _supersede(lab3, user, ["I live in Berlin.", "I moved to Lisbon."])
    before = {i: lab3.read(i, "additive inference: the old memory stays") for i in first}
    superseded = [i for i, m in before.items() if m.get("replaced_by") in second]
    expect(superseded, "addMemoriesV3", "additive inference: the old fact's replaced_by names the new one",
           f"old {[(m.get('memory'), m.get('replaced_by')) for m in before.values()]}, new {second}")
    listed = {m["id"] for m in lab3.listed({"user_id": user})}
    expect(set(first) | set(second) <= listed, "getMemoriesV3", "additive inference: old and new are both listed",
           f"{listed}")
    latest = {m["id"] for m in lab3.listed({"user_id": user}, latest_only=True)}
    expect(not set(superseded) & latest and set(second) <= latest, "getMemoriesV3", "latest_only hides the"
           " superseded memory", f"latest {latest}, superseded {superseded}")
    for memory_id in superseded:
        response = api.history(memory_id)
        events = [e.get("event") for e in _json(response) or []] if response.status_code == 200 else None
        expect(events == ["ADD"], "getMemoryHistory", "additive inference: nothing UPDATEd or DELETEd",
               f"history of {memory_id}: {events}")


@pytest.mark.mem0_operation("deleteMemory")
def test_delete_linked_cascades_through_what_was_superseded(api: Client, lab3: Lab) -> None:
    """`delete_linked=true` deletes the superseded memories transitively and counts them; a plain delete
    makes the superseded memory current again."""
    user = lab3.entity()
    rounds = _supersede(lab3, user, ["I live in Berlin.", "I moved to Lisbon.", "I moved to Porto."])
    everything = {m["id"]: m for m in lab3.listed({"user_id": user}, show_expired=True)}
    newest = [i for i in rounds[-1] if any(m.get("replaced_by") == i for m in everything.values())]
    expect(newest, "addMemoriesV3", "additive inference: the newest fact supersedes one", f"{everything}")
    head = newest[0]
    chain, frontier = set(), {head}
    while frontier:  # what `head` superseded, transitively, as the target itself shows it
        frontier = {i for i, m in everything.items() if m.get("replaced_by") in frontier} - chain
        chain |= frontier
    response = api.delete(head, delete_linked=True)
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict), "deleteMemory", "delete_linked",
           response_text(response))
    expect(body.get("cascade_count") == len(chain), "deleteMemory", "delete_linked: cascade_count",
           f"expected {len(chain)} (superseded {sorted(chain)}), got {body}")
    for memory_id in {head, *chain}:
        gone = api.get(memory_id)
        expect(gone.status_code == 404, "deleteMemory", "delete_linked: the chain is gone", response_text(gone))
    left = {m["id"] for m in lab3.listed({"user_id": user}, show_expired=True)}
    expect(left == set(everything) - chain - {head}, "deleteMemory", "delete_linked: nothing else went",
           f"left {left}")

    other = lab3.entity()
    old, new = _supersede(lab3, other, ["I live in Berlin.", "I moved to Lisbon."])
    replaced = [i for i in old if lab3.read(i, "before a plain delete").get("replaced_by") in new]
    expect(replaced, "addMemoriesV3", "additive inference: replaced_by", f"{old} -> {new}")
    target = lab3.read(replaced[0], "superseded").get("replaced_by")
    response = api.delete(target)
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict) and "cascade_count" not in body, "deleteMemory",
           "a plain delete answers as before (no cascade_count)", response_text(response))
    revived = lab3.read(replaced[0], "the superseded memory after its successor went")
    expect(revived.get("replaced_by") is None, "deleteMemory", "deleting the successor makes the old one current",
           f"{revived}")
    latest = {m["id"] for m in lab3.listed({"user_id": other}, latest_only=True)}
    expect(replaced[0] in latest, "getMemoriesV3", "latest_only lists the revived memory", f"{latest}")


# --------------------------------------------------------------------------- update, expiry


@pytest.mark.mem0_operation("updateMemory")
def test_update_answers_the_memory_and_expiry_follows(api: Client, lab3: Lab) -> None:
    """PUT answers the memory object; a past `expiration_date` hides it unless `show_expired`; null clears it."""
    user, run = lab3.entity(), lab3.entity("run_id")
    text = f"Plays the bandoneon {_tag()}"
    memory_id = lab3.add_one(text, user_id=user, run_id=run)

    response = api.update(memory_id, expiration_date="2020-01-01")
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict), "updateMemory", "update expiration_date",
           response_text(response))
    missing = [k for k in ("id", "memory", "text", "session_id", "structured_attributes", "replaced_by",
                           "synthesized", "expiration_date", "created_at", "updated_at") if k not in body]
    expect(not missing, "updateMemory", "answers the memory object", f"lacks {missing}: {body}")
    expect(body.get("id") == memory_id and body.get("memory") == text == body.get("text")
           and body.get("session_id") == run and str(body.get("expiration_date"))[:10] == "2020-01-01",
           "updateMemory", "the memory object's values", f"{body}")

    def visible(**options: Any) -> tuple[bool, bool]:
        listed = memory_id in {m["id"] for m in lab3.listed({"user_id": user}, **options)}
        response = api.search_v3(text, {"user_id": user}, threshold=0, **options)
        found = memory_id in {r.get("id") for r in (_json(response) or {}).get("results", [])}
        return listed, found

    expect(visible() == (False, False), "getMemoriesV3", "expired: hidden from list and search", f"{visible()}")
    expect(visible(show_expired=True) == (True, True), "getMemoriesV3", "show_expired: listed and searched",
           f"{visible(show_expired=True)}")
    lab3.read(memory_id, "an expired memory stays readable by id")

    response = api.update(memory_id, expiration_date=None)
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict) and body.get("expiration_date") is None,
           "updateMemory", "expiration_date null clears it", response_text(response))
    expect(visible() == (True, True), "getMemoriesV3", "expiry cleared: listed and searched again", f"{visible()}")
    created = lab3.read(memory_id, "before an update with timestamp")["created_at"]
    new_text = f"Plays the accordion {_tag()}"
    response = api.update(memory_id, text=new_text, timestamp=86400)  # as today's SDKs send it
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict) and body.get("memory") == new_text
           and body.get("text") == new_text, "updateMemory", "update text answers the new memory",
           response_text(response))
    expect(oracle.parse_instant(body.get("created_at", "")) == oracle.parse_instant(created), "updateMemory",
           "timestamp is accepted and not used", f"created_at {created} became {body.get('created_at')}")


# --------------------------------------------------------------------------- delete-all


@pytest.mark.mem0_operation("deleteMemories")
def test_delete_all_needs_a_filter_and_wildcards_mean_any(api: Client, lab3: Lab) -> None:
    """No filter: 400. `*` means any non-null id of that kind, ANDed with the run's own user id (so
    nothing of anyone else can match); the answer names a DELETE event listing what went."""
    response = api.delete_all()
    expect(response.status_code == 400, "deleteMemories", "no filter is refused", response_text(response))
    user, agent, run = lab3.entity(), lab3.entity("agent_id"), lab3.entity("run_id")
    tag = _tag()
    with_agent = lab3.add_one(f"Agent-scoped note {tag}", user_id=user, agent_id=agent)
    with_run = lab3.add_one(f"Run-scoped note {tag}", user_id=user, run_id=run)
    plain = lab3.add_one(f"User-only note {tag}", user_id=user)

    response = api.delete_all(user_id=user, agent_id="*")
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("message"), str)
           and is_uuid(body.get("event_id")), "deleteMemories", "answers a message and an event_id",
           response_text(response))
    event = lab3.event(body["event_id"], "delete-all")
    expect(event.get("event_type") == "DELETE" and {r["id"] for r in event["results"]} == {with_agent},
           "getEvent", "the DELETE event lists what went", f"{event}")
    left = {m["id"] for m in lab3.listed({"user_id": user})}
    expect(left == {with_run, plain}, "deleteMemories", "user_id=U&agent_id=*: memories of U with any agent",
           f"left {left}")
    response = api.delete_all(user_id=user, run_id="*")
    expect(response.status_code in (200, 204), "deleteMemories", "user_id=U&run_id=*", response_text(response))
    left = {m["id"] for m in lab3.listed({"user_id": user})}
    expect(left == {plain}, "deleteMemories", "user_id=U&run_id=*: memories of U with any run", f"left {left}")


def _add_in(api: Client, org: str, project: str, text: str, **fields: Any) -> str:
    """A verbatim add into one of the run's projects (v1 add: today's add has no project)."""
    body = {"messages": [{"role": "user", "content": text}], "infer": False, "output_format": "v1.1",
            "org_id": org, "project_id": project, **fields}
    response = api.add(body)
    items = (_json(response) or {}).get("results") if response.status_code == 200 else None
    expect(items and items[0].get("id"), "addMemories", "add into a project of the run", response_text(response))
    return items[0]["id"]


@pytest.mark.v1v2
@pytest.mark.mem0_operation("deleteMemories")
def test_delete_all_with_every_wildcard_empties_only_that_project(
    api: Client, lab3: Lab, mem0_namespace: RunNamespace, org: str
) -> None:
    """`user_id=*&agent_id=*&app_id=*&run_id=*` empties a project (one the run made), and no other."""
    project = mem0_namespace.objects.create_project()
    expect(project, "createProject", "a project for the run", "the target made none")
    user, agent = lab3.entity(), lab3.entity("agent_id")
    tag = _tag()
    inside = [_add_in(api, org, project, f"Inside note {n} {tag}", **ids)
              for n, ids in enumerate([{"user_id": user}, {"agent_id": agent}, {"user_id": user, "app_id": user}])]
    outside = lab3.add_one(f"Outside note {tag}", user_id=user)
    scope = {"org_id": org, "project_id": project}
    response = api.delete_all(user_id="*", agent_id="*", app_id="*", run_id="*", **scope)
    expect(response.status_code in (200, 204), "deleteMemories", "every wildcard", response_text(response))
    for memory_id in inside:
        gone = api.request("GET", f"/v1/memories/{memory_id}/", params=scope)
        expect(gone.status_code == 404, "deleteMemories", "every wildcard empties the project", response_text(gone))
    lab3.read(outside, "[deleteMemories] every wildcard in another project left the default project alone")


# --------------------------------------------------------------------------- events, entities, summary


@pytest.mark.mem0_operation("listEvents")
def test_events_list_newest_first(api: Client, lab3: Lab) -> None:
    """The project's events, newest first, hold the run's recent events; an unknown event is 404."""
    user = lab3.entity()
    answers = [api.add_verbatim_v3(f"Event probe {n} {_tag()}", user_id=user) for n in range(2)]
    mine = [a["event_id"] for a in answers]
    seen: dict[str, dict[str, Any]] = {}
    previous = None
    for number in range(1, 6):  # the run's events are the newest: they are on the first pages
        response = api.list_events(page=number, page_size=50)
        body = _json(response)
        expect(response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("results"), list),
               "listEvents", "a DRF page of events", response_text(response))
        for event in body["results"]:
            created = oracle.parse_instant(event["created_at"])
            expect(previous is None or created <= previous, "listEvents", "newest first",
                   f"{event['id']} at {created} after {previous}")
            previous = created
            seen[event["id"]] = event
        if set(mine) <= set(seen) or not body.get("next"):
            break
    expect(set(mine) <= set(seen), "listEvents", "the run's events are listed", f"missing {set(mine) - set(seen)}")
    for event_id in mine:
        problems = oracle.check_event(seen[event_id], event_id=event_id, event_type="ADD")
        expect(not problems, "listEvents", "event objects", f"{problems}")
    response = api.get_event(str(uuid.uuid4()))
    expect(response.status_code == 404, "getEvent", "unknown event is 404", response_text(response))


def _entity_row(api: Client, entity_type: str, name: str) -> dict[str, Any] | None:
    """The listing's row for an entity, walking the pages."""
    for number in range(1, 200):
        response = api.list_entities(page=number, page_size=100)
        body = _json(response)
        if response.status_code != 200 or not isinstance(body, dict):
            return None
        for row in body.get("results", []):
            if isinstance(row, dict) and (row.get("type"), row.get("name")) == (entity_type, name):
                return row
        if not body.get("next"):
            return None
    return None


@pytest.mark.mem0_operation("deleteEntityById")
def test_entities_by_numeric_id(api: Client, lab3: Lab) -> None:
    """The listing's numeric id reads (`GET /v2/entities/...` by name) and deletes (`/v1/entities/.../{id}/`)."""
    user = lab3.entity()
    memory_id = lab3.add_one(f"Entity probe {_tag()}", user_id=user)
    row = _entity_row(api, "user", user)
    expect(row is not None and str(row.get("id", "")).isdigit(), "listEntities", "entities carry a numeric id",
           f"{row}")
    response = api.get_entity("user", user)
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, list) and len(body) == 1
           and body[0].get("name") == user and body[0].get("type") == "user"
           and str(body[0].get("id")) == str(row["id"]), "getEntity", "the entity as a one-item list",
           response_text(response))
    for bad, status in (("not-a-number", 400), ("999999999999", 404)):
        response = api.delete_entity_by_id("user", bad)
        expect(response.status_code == status, "deleteEntityById", f"entity id {bad!r} is {status}",
               response_text(response))
        if status == 400:
            expect("entity_id" in (_json(response) or {}), "deleteEntityById", "a field error on entity_id",
                   response_text(response))
    other = lab3.entity()
    lab3.add_one(f"Entity probe {_tag()}", user_id=other)
    response = api.delete_entity("user", other)
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("message"), str)
           and is_uuid(body.get("event_id")), "deleteEntity", "by name: answers a message and an event_id",
           response_text(response))
    response = api.delete_entity_by_id("user", str(row["id"]))
    body = _json(response)
    expect(response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("message"), str)
           and is_uuid(body.get("event_id")), "deleteEntityById", "answers a message and an event_id",
           response_text(response))
    gone, _ = poll(lambda: api.get(memory_id), lambda r: r.status_code == 404)
    expect(gone.status_code == 404, "deleteEntityById", "the entity's memories go", response_text(gone))
    response = api.get_entity("user", user)
    expect(response.status_code == 404, "getEntity", "a deleted entity is 404", response_text(response))
    again = lab3.entity()
    lab3.add_one(f"Entity probe {_tag()}", user_id=again)
    new_row = _entity_row(api, "user", again)
    expect(new_row is not None and str(new_row.get("id")) != str(row["id"]), "listEntities",
           "a deleted entity's id is never reused", f"{row} then {new_row}")


@pytest.mark.mem0_operation("getSummary")
def test_summary_covers_exactly_the_selected_memories(api: Client, lab3: Lab) -> None:
    """The summary's counts add up to the visible memories the filters select, each summarised once."""
    user, other = lab3.entity(), lab3.entity()
    tag = _tag()
    texts = [f"Is a vegetarian {tag}", f"Is allergic to hazelnuts {tag}", f"Runs marathons in spring {tag}"]
    for text in texts:
        lab3.add_one(text, user_id=user)
    lab3.add_one(f"Expired: used to like kale {tag}", user_id=user, expiration_date="2020-01-01")
    foreign = f"Breeds koi carp {tag}"
    lab3.add_one(foreign, user_id=other)
    response = api.summary({"filters": {"user_id": user}})
    body = _json(response)
    expect(response.status_code == 200, "getSummary", "summary of one user", response_text(response))
    problems = oracle.check_summary(body, [{"memory": t} for t in texts],
                                    others=[foreign, f"Expired: used to like kale {tag}"])
    expect(not problems, "getSummary", "the summary covers exactly the selected visible memories",
           f"{problems}: {body}")
    response = api.summary({"filters": {"metadata": {"topic": "x"}}})
    expect(response.status_code == 400, "getSummary", "filters must name an entity id", response_text(response))


# --------------------------------------------------------------------------- projects


@pytest.mark.mem0_operation("createProject")
def test_project_create_read_update_members_delete(api: Client, mem0_namespace: RunNamespace, org: str) -> None:
    """A project the run creates: listed, read (whole or by `fields`), updated, its members managed, deleted."""
    name = f"{mem0_namespace.prefix}lifecycle-{_tag()}"
    response = api.project_call("POST", org, json={"name": name, "description": "mem0 contracts"})
    body = _json(response)
    project = body.get("project_id") if isinstance(body, dict) else None
    if project:
        mem0_namespace.objects.projects.append(project)
    expect(response.status_code == 200 and project and isinstance(body.get("message"), str), "createProject",
           "answers a message and the project_id", response_text(response))
    mem0_namespace.objects.touch_projects()

    response = api.project_call("GET", org)
    listed = _json(response)
    expect(response.status_code == 200 and isinstance(listed, list)
           and any(p.get("project_id") == project and p.get("name") == name for p in listed), "listProjects",
           "the new project is listed", response_text(response))
    response = api.project_call("GET", org, project)
    got = _json(response)
    expect(response.status_code == 200 and isinstance(got, dict) and got.get("project_id") == project
           and got.get("name") == name and got.get("is_default") is False, "getProject", "the project",
           response_text(response))
    response = api.project_call("GET", org, project, params={"fields": ["name", "custom_categories"]})
    got = _json(response)
    expect(response.status_code == 200 and isinstance(got, dict) and set(got) == {"name", "custom_categories"},
           "getProject", "fields keeps only the named keys", response_text(response))

    categories = [{"ct_gardening": "Plants, gardens and growing vegetables"}]
    response = api.project_call("PATCH", org, project, json={"custom_categories": categories,
                                                             "custom_instructions": ["Keep facts short.", "No names."]})
    expect(response.status_code == 200 and isinstance((_json(response) or {}).get("message"), str),
           "updateProject", "answers a message", response_text(response))
    got = _json(api.project_call("GET", org, project)) or {}
    instructions = got.get("custom_instructions") or ""
    expect(got.get("custom_categories") == categories and "Keep facts short." in instructions
           and "No names." in instructions, "updateProject", "the update is read back (instructions joined)",
           f"{got}")

    email = mem0_namespace.objects.member_email()
    members_path = ("members/",)

    def members() -> dict[str, str]:
        response = api.project_call("GET", org, project, *members_path)
        body = _json(response)
        expect(response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("members"), list),
               "listProjectMembers", "a members list", response_text(response))
        return {m.get("email") or m.get("username"): m.get("role") for m in body["members"]}

    expect("OWNER" in members().values(), "listProjectMembers", "the key's user owns the project", f"{members()}")
    response = api.project_call("POST", org, project, *members_path, json={"email": email, "role": "READER"})
    expect(response.status_code == 200, "addProjectMember", "add a READER", response_text(response))
    expect(members().get(email) == "READER", "addProjectMember", "the member is listed as READER", f"{members()}")
    response = api.project_call("POST", org, project, *members_path, json={"email": email, "role": "READER"})
    expect(response.status_code == 400, "addProjectMember", "a member twice is 400", response_text(response))
    response = api.project_call("PUT", org, project, *members_path, json={"email": email, "role": "OWNER"})
    expect(response.status_code == 200 and members().get(email) == "OWNER", "updateProjectMember",
           "the role changes", response_text(response))
    response = api.project_call("DELETE", org, project, *members_path, params={"email": email})
    expect(response.status_code == 200 and email not in members(), "removeProjectMember", "the member goes",
           response_text(response))
    response = api.project_call("DELETE", org, project, *members_path, params={"email": email})
    expect(response.status_code == 404, "removeProjectMember", "not a member: 404", response_text(response))

    response = api.project_call("GET", org, f"{project}-not-a-project")
    expect(response.status_code == 404, "getProject", "a project the key lacks is 404", response_text(response))
    response = api.project_call("GET", f"{org}-not-this-org", project)
    expect(response.status_code == 404, "getProject", "another organization's path is 404", response_text(response))
    response = api.project_call("DELETE", org, project)
    expect(response.status_code == 200, "deleteProject", "delete the project", response_text(response))
    mem0_namespace.objects.forget_project(project)
    response = api.project_call("GET", org, project)
    body = _json(response)
    expect(response.status_code == 404 and isinstance(body, dict) and isinstance(body.get("detail"), str),
           "deleteProject", "a deleted project is 404 {detail}", response_text(response))


@pytest.mark.v1v2
@pytest.mark.mem0_operation("updateProject")
def test_project_settings_apply_to_later_adds(api: Client, lab3: Lab, mem0_namespace: RunNamespace,
                                               org: str) -> None:
    """A project's custom_categories decide the categories of the adds that follow; its memories stay in it."""
    project = mem0_namespace.objects.create_project()
    expect(project, "createProject", "a project for the run", "the target made none")
    scope = {"org_id": org, "project_id": project}
    user = lab3.entity()
    tag = _tag()
    before = lab3.read(_add_in(api, org, project, f"I grow tomatoes in my garden {tag}", user_id=user),
                       "before the update", **scope)
    expect(set(before.get("categories") or []) <= set(oracle.CATEGORY_CATALOGUE), "addMemories",
           "a new project categorises with the default catalogue", f"{before.get('categories')}")
    custom = {"ct_gardening": "Plants, gardens and growing vegetables", "ct_pets": "Animals kept at home"}
    response = api.project_call("PATCH", org, project,
                                json={"custom_categories": [{k: v} for k, v in custom.items()]})
    expect(response.status_code == 200, "updateProject", "set custom_categories", response_text(response))
    after = lab3.read(_add_in(api, org, project, f"I planted vegetables in the garden {tag}", user_id=user),
                      "after the update", **scope)
    got = set(after.get("categories") or [])
    expect(got and got <= set(custom), "updateProject", "custom_categories apply to a later add",
           f"categories {sorted(got)}, project's {sorted(custom)}")
    response = api.get_all_v2({"user_id": user})
    expect(response.status_code == 200 and _json(response) == [], "getMemoriesV2",
           "a project's memories are not in the default project", response_text(response))


# --------------------------------------------------------------------------- webhooks


def _details(deliveries: list[Delivery], memory_id: str) -> list[dict[str, Any]]:
    """The `event_details` of deliveries about one memory (others are never looked at or shown)."""
    found = []
    for delivery in deliveries:
        details = delivery.body.get("event_details") if isinstance(delivery.body, dict) else None
        if isinstance(details, dict) and memory_id in (details.get("id"), details.get("memory_id")):
            found.append(details)
    return found


@pytest.mark.mem0_operation("createWebhook")
def test_webhooks_deliver_to_the_suites_receiver(api: Client, lab3: Lab, mem0_namespace: RunNamespace,
                                                 org: str, request: pytest.FixtureRequest) -> None:
    """Active webhooks of a project get the documented payload for each add, update, delete and
    categorisation they subscribe to; an inactive one gets nothing; update and delete manage them.

    The webhooks live on a project the run creates, its memory added there through v1 add. A
    target of today's API only (`--surface v3`) has no add into another project, so there they
    live on the key's default project: deliveries about any memory but the run's are ignored.
    """
    objects = mem0_namespace.objects
    if not objects.receiver_reachable():
        pytest.skip(f"the target {api.base_url} is not on this machine, so it cannot reach the suite's webhook"
                    " receiver on 127.0.0.1: pass --webhook-receiver URL (an address the target can reach)")
    own_project = request.config.getoption("mem0_surface") != "v3"
    project = objects.create_project() if own_project else mem0_namespace.home()[1]
    expect(project, "createProject" if own_project else "ping", "a project for the webhooks", "none")
    receiver = objects.receiver()
    paths = {name: f"/{mem0_namespace.prefix}{name}-{_tag()}" for name in ("changes", "categories", "inactive")}
    hooks: dict[str, str] = {}
    for name, event_types, active in (("changes", ["memory_add", "memory_update", "memory_delete"], True),
                                      ("categories", ["memory_categorize"], True),
                                      ("inactive", ["memory_add", "memory_delete"], False)):
        body = {"name": f"{mem0_namespace.prefix}{name}", "url": f"{receiver.url}{paths[name]}",
                "event_types": event_types, "is_active": active}
        response = objects.create_webhook(project, body)
        hook = _json(response)
        expect(response is not None and response.status_code == 201 and isinstance(hook, dict), "createWebhook",
               "answers 201 with the webhook", response_text(response) if response is not None else "no answer")
        expect(hook.get("url") == body["url"] and hook.get("event_types") == event_types
               and hook.get("is_active") is active and hook.get("webhook_id"), "createWebhook",
               "the webhook as created", f"{hook}")
        hooks[name] = str(hook["webhook_id"])
    camel_body = {"name": f"{mem0_namespace.prefix}camel", "eventTypes": ["memory_add"], "is_active": False,
                  "url": f"{receiver.url}/{mem0_namespace.prefix}camel"}
    response = objects.create_webhook(project, camel_body)
    camel = _json(response) or {}
    expect(response is not None and response.status_code == 201 and camel.get("event_types") == ["memory_add"],
           "createWebhook", "eventTypes is accepted as event_types", f"{camel}")
    hooks["camel"] = str(camel.get("webhook_id"))
    response = api.webhooks(project)
    listed = {str(h.get("webhook_id")) for h in _json(response) or []} if response.status_code == 200 else set()
    expect(set(hooks.values()) <= listed, "listWebhooks", "the project's webhooks are listed",
           response_text(response))
    default = api.webhooks(mem0_namespace.home()[1] or "")
    response = api.webhooks("null")
    expect(response.status_code == 200 and _json(response) == _json(default), "listWebhooks",
           "null as the project id means the key's default project", response_text(response))

    scope = {"org_id": org, "project_id": project} if own_project else {}
    text = f"I keep a logbook of every sunrise {_tag()}"
    if own_project:
        memory_id = _add_in(api, org, project, text, user_id=lab3.entity())
    else:
        memory_id = lab3.add_one(text, user_id=lab3.entity())
    wait = max_wait()

    def arrived(path: str, event: str) -> list[dict[str, Any]]:
        got, _ = receiver.wait_for(
            lambda ds: any(d.get("event") == event for d in _details(ds, memory_id)), path=path, timeout=wait)
        return [d for d in _details(got, memory_id) if d.get("event") == event]

    def seen(name: str) -> list[dict[str, Any]]:
        return _details(receiver.deliveries(paths[name]), memory_id)

    added = arrived(paths["changes"], "ADD")
    expect(added and added[0].get("data", {}).get("memory") == text, "createWebhook",
           "memory_add delivers {event_details: {id, data: {memory}, event: ADD}}", f"got {seen('changes')}")
    categorised = arrived(paths["categories"], "CATEGORIZE")
    stored = lab3.read(memory_id, "webhook memory", **scope)
    expect(categorised and categorised[0].get("categories") == stored.get("categories"), "createWebhook",
           "memory_categorize delivers {event: CATEGORIZE, memory_id, categories}",
           f"got {seen('categories')}, memory {stored.get('categories')}")
    new_text = f"I keep a logbook of every sunset {_tag()}"
    response = api.request("PUT", f"/v1/memories/{memory_id}/", params=scope, json={"text": new_text})
    expect(response.status_code == 200, "updateMemory", "update in the project", response_text(response))
    updated = arrived(paths["changes"], "UPDATE")
    expect(updated and updated[0].get("data", {}).get("memory") == new_text, "createWebhook",
           "memory_update delivers UPDATE with the new text", f"got {seen('changes')}")
    response = api.request("DELETE", f"/v1/memories/{memory_id}/", params=scope)
    expect(response.status_code in (200, 204), "deleteMemory", "delete in the project", response_text(response))
    deleted = arrived(paths["changes"], "DELETE")
    expect(deleted, "createWebhook", "memory_delete delivers DELETE", f"got {seen('changes')}")
    counts = sorted(d.get("event") for d in seen("changes"))
    expect(counts == ["ADD", "DELETE", "UPDATE"], "createWebhook", "one delivery per event", f"{counts}")
    expect(not seen("inactive"), "createWebhook", "an inactive webhook gets nothing", f"{seen('inactive')}")

    response = api.update_webhook(hooks["changes"], {"name": f"{mem0_namespace.prefix}renamed",
                                                     "event_types": ["memory_add"]})
    expect(response.status_code == 200 and isinstance((_json(response) or {}).get("message"), str),
           "updateWebhook", "answers a message", response_text(response))
    after = {str(h.get("webhook_id")): h for h in _json(api.webhooks(project)) or []}
    expect(after.get(hooks["changes"], {}).get("name") == f"{mem0_namespace.prefix}renamed"
           and after[hooks["changes"]].get("event_types") == ["memory_add"], "updateWebhook",
           "the change is listed", f"{after.get(hooks['changes'])}")
    for hook in hooks.values():
        response = api.delete_webhook(hook)
        expect(response.status_code == 200, "deleteWebhook", "delete a webhook", response_text(response))
        objects.forget_webhook(hook)
    left = {str(h.get("webhook_id")) for h in _json(api.webhooks(project)) or []}
    expect(not left & set(hooks.values()), "deleteWebhook", "deleted webhooks are not listed", f"{left}")
    response = api.delete_webhook(hooks["changes"])
    expect(response.status_code == 404, "deleteWebhook", "a deleted webhook is 404", response_text(response))


# --------------------------------------------------------------------------- profiles


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _job(api: Client, job_id: str) -> dict[str, Any]:
    def finished(response: requests.Response) -> bool:
        job = (_json(response) or {}).get("job") if response.status_code == 200 else None
        return isinstance(job, dict) and job.get("status") in ("SUCCEEDED", "FAILED")

    response, done = poll(lambda: api.get_profile_job(job_id), finished)
    job = (_json(response) or {}).get("job") or {}
    expect(done, "getProfileJob", "the job finishes", f"{job_id} still {job.get('status')} after {max_wait()}s")
    expect(job.get("status") == "SUCCEEDED", "getProfileJob", "the job SUCCEEDED", f"{job}")
    return job


@pytest.mark.mem0_operation("startProfileJob")
def test_profile_job_builds_the_entitys_profile(api: Client, lab3: Lab) -> None:
    """A trigger job for a run entity (idempotent by key) is followed until SUCCEEDED; the profile is
    read back, built from that entity's memories only; an entity with no memories gets insufficient_data."""
    settings = _json(api.profile_settings()) or {}
    if settings.get("enabled") is False:
        pytest.skip("profiles are turned off for this project; the suite does not turn them on")
    user, other, empty = lab3.entity(), lab3.entity(), lab3.entity()
    tag = _tag()
    texts = [f"Lives in Trieste {tag}", f"Works as a luthier {tag}", f"Loves sailing and sushi {tag}"]
    for text in texts:
        lab3.add_one(text, user_id=user)
    lab3.add_one(f"Lives in Reykjavik {tag}", user_id=other)
    objects = lab3.run.objects
    objects.snapshot_profile_settings()  # written back below, even if the target took a bad change
    try:
        for bad in ({"entities": {"user": {"schema": {"type": "object", "properties": {"x": {"type": "string"}}}}}},
                    {"schema": {"type": "object", "properties": {"x": {"type": "string", "description": "x"}}}}):
            response = api.request("POST", "/v2/profiles/settings/", json=bad)
            expect(response.status_code == 400, "updateProfileSettings",
                   "a property without description, or a flat body, is 400", response_text(response))
        expect(_json(api.profile_settings()) == settings, "updateProfileSettings", "a refused change changes nothing",
               "")
    finally:
        objects.restore_profile_settings()
    response = api.get_profile("user", user)
    expect(response.status_code == 200 and (_json(response) or {}).get("status") == "pending", "getProfile",
           "pending before any job built it", response_text(response))

    key = uuid.uuid4().hex
    body = {"operation": "trigger", "entity_type": "user", "entity_id": user}
    response = api.start_profile_job(body, key)
    started = _json(response)
    expect(response.status_code == 202 and isinstance(started, dict) and started.get("job_id")
           and started.get("status") == "QUEUED" and started.get("replayed") is False, "startProfileJob",
           "answers 202 QUEUED", response_text(response))
    response = api.start_profile_job(body, key)
    again = _json(response) or {}
    expect(again.get("job_id") == started["job_id"] and again.get("replayed") is True, "startProfileJob",
           "the same Idempotency-Key answers the same job", response_text(response))
    job = _job(api, started["job_id"])
    expect(any(r.get("entity_id") == user for r in job.get("results", [])), "getProfileJob",
           "the job names the entity", f"{job}")

    response = api.get_profile("user", user)
    profile = _json(response)
    expect(response.status_code == 200 and isinstance(profile, dict) and profile.get("status") == "succeeded"
           and profile.get("entity_id") == user and profile.get("generation_count", 0) >= 1, "getProfile",
           "the built profile", response_text(response))
    strings = [s for s in _strings(profile.get("profile")) if s.strip()]
    expect(strings, "getProfile", "the profile holds what the memories say", f"{profile}")
    stray = [s for s in strings if not any(s.lower() in t.lower() for t in texts)]
    expect(not stray, "getProfile", "built from the entity's own memories only", f"{stray} not in {texts}")

    gone = lab3.add_one(f"Short-lived note {tag}", user_id=empty)
    expect(api.delete(gone).status_code in (200, 204), "deleteMemory", "delete", "")
    response = api.start_profile_job({"operation": "trigger", "entity_type": "user", "entity_id": empty})
    _job(api, (_json(response) or {}).get("job_id", str(uuid.uuid4())))
    response = api.get_profile("user", empty)
    expect((_json(response) or {}).get("status") == "insufficient_data", "getProfile",
           "an entity with no memories gets insufficient_data", response_text(response))
    response = api.start_profile_job({"operation": "trigger", "entity_type": "user",
                                      "entity_id": f"{lab3.ns}-never-{_tag()}"})
    expect(response.status_code == 404, "startProfileJob", "an unknown entity is 404", response_text(response))
