"""Lifecycle semantics: history, updates, batches, delete-all, immutability, exports, isolation.

Each test stores its own memories (``infer: false``) under fresh entity ids inside this
run's namespace, and the session removes exactly those entities' memories at the end, so
the suite works against any implementation without touching data it did not create.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from contracts import dataset
from contracts.client import Client, poll, response_text

pytestmark = pytest.mark.v1v2  # stores through v1 add and lists through get-all v2 (the September 2025 API)

EXPORT_SCHEMA = {
    "type": "object",
    "properties": {
        "facts": {
            "type": "array",
            "items": {"type": "string"},
            "description": "everything known about the user",
        }
    },
}


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class Lab:
    """This module's namespace: mints entity ids inside it and remembers them for cleanup."""

    def __init__(self, api: Client, ns: str) -> None:
        self.api = api
        self.ns = ns
        self.created: list[tuple[str, str]] = []

    def entity(self, field: str = "user_id") -> str:
        value = f"{self.ns}-lc-{field.split('_')[0]}-{secrets.token_hex(3)}"
        self.created.append((field, value))
        return value

    def add(self, text: str, **fields: Any) -> str:
        return self.api.add_verbatim(text, **fields)

    def read(self, memory_id: str, check: str) -> dict[str, Any]:
        response = self.api.get(memory_id)
        body = _json(response)
        assert response.status_code == 200 and isinstance(body, dict), (
            f"[getMemory] {check}: expected 200 for {memory_id}, got {response_text(response)}"
        )
        return body

    def gone(self, memory_id: str, op: str, check: str) -> None:
        response = self.api.get(memory_id)
        assert response.status_code == 404, (
            f"[{op}] {check}: memory {memory_id} should be gone (get 404), got {response_text(response)}"
        )


@pytest.fixture(scope="session")
def lab(api: Client) -> Iterator[Lab]:
    """One namespace for the module; removes exactly the entities its tests created."""
    state = Lab(api, dataset.namespace())
    try:
        yield state
    finally:
        api.cleanup(state.ns, extra=state.created)


def _tag() -> str:
    return secrets.token_hex(3)


# --------------------------------------------------------------------------- history, update, delete


@pytest.mark.mem0_operation("getMemoryHistory")
def test_history_records_each_change_in_order(api: Client, lab: Lab) -> None:
    """add -> update -> update -> delete leaves ADD, UPDATE, UPDATE, DELETE with old/new texts."""
    user = lab.entity()
    tag = _tag()
    texts = [f"Collects vintage maps {tag}", f"Collects vintage globes {tag}", f"Collects old atlases {tag}"]
    memory_id = lab.add(texts[0], user_id=user)
    for text in texts[1:]:
        response = api.update(memory_id, text=text)
        assert response.status_code == 200, f"[updateMemory] update for history: {response_text(response)}"
    response = api.delete(memory_id)
    assert response.status_code in (200, 204), f"[deleteMemory] delete for history: {response_text(response)}"
    lab.gone(memory_id, "deleteMemory", "get after delete")

    expected = [
        ("ADD", None, texts[0]),
        ("UPDATE", texts[0], texts[1]),
        ("UPDATE", texts[1], texts[2]),
        ("DELETE", texts[2], None),
    ]
    response, _ = poll(
        lambda: api.history(memory_id),
        lambda r: r.status_code == 200 and isinstance(_json(r), list) and len(_json(r)) >= len(expected),
    )
    body = _json(response)
    assert response.status_code == 200 and isinstance(body, list), (
        f"[getMemoryHistory] history of a deleted memory stays readable: {response_text(response)}"
    )
    got = [(e.get("event"), e.get("old_memory"), e.get("new_memory")) for e in body]
    assert got == expected, f"[getMemoryHistory] events in order: expected {expected} got {got}"
    wrong = [e for e in body if e.get("memory_id") != memory_id]
    assert not wrong, f"[getMemoryHistory] every entry names memory {memory_id}: {wrong}"


@pytest.mark.mem0_operation("getMemoryHistory")
def test_history_of_an_unknown_id_is_404(api: Client) -> None:
    """An id never seen has no history."""
    response = api.history(str(uuid.uuid4()))
    assert response.status_code == 404, f"[getMemoryHistory] unknown id: expected 404, got {response_text(response)}"


@pytest.mark.mem0_operation("updateMemory")
def test_update_changes_text_and_metadata_only_of_that_memory(api: Client, lab: Lab) -> None:
    """An update answers the new text and is what get returns; a sibling memory is untouched."""
    user = lab.entity()
    tag = _tag()
    target_id = lab.add(f"Grows tomatoes on the balcony {tag}", user_id=user)
    sibling_id = lab.add(f"Keeps two cats {tag}", user_id=user)
    sibling = lab.read(sibling_id, "sibling before update")
    new_text = f"Grows peppers on the balcony {tag}"
    response = api.update(target_id, text=new_text)
    body = _json(response)
    assert response.status_code == 200 and isinstance(body, dict), (
        f"[updateMemory] update text: {response_text(response)}"
    )
    assert body.get("memory") == new_text and body.get("text") == new_text, (
        f"[updateMemory] answer carries the new text as memory and text: {body}"
    )
    assert lab.read(target_id, "after update").get("memory") == new_text, (
        "[updateMemory] get after update returns the new text"
    )
    response = api.update(target_id, metadata={"source": "contract", "rank": 1})
    assert response.status_code == 200, f"[updateMemory] update metadata: {response_text(response)}"
    after = lab.read(target_id, "after metadata update")
    assert after.get("metadata") == {"source": "contract", "rank": 1}, (
        f"[updateMemory] metadata update: expected {{'source': 'contract', 'rank': 1}} got {after.get('metadata')}"
    )
    assert after.get("memory") == new_text, f"[updateMemory] metadata update kept the text: {after}"
    assert lab.read(sibling_id, "sibling after update") == sibling, (
        "[updateMemory] the other memory of the same user changed"
    )


@pytest.mark.mem0_operation("deleteMemory")
def test_delete_removes_only_that_memory(api: Client, lab: Lab) -> None:
    """Delete by id: get is 404 afterwards, a second delete is 404, the sibling stays."""
    user = lab.entity()
    tag = _tag()
    doomed = lab.add(f"Learns the cello {tag}", user_id=user)
    kept = lab.add(f"Learns Portuguese {tag}", user_id=user)
    response = api.delete(doomed)
    assert response.status_code in (200, 204), f"[deleteMemory] delete: {response_text(response)}"
    lab.gone(doomed, "deleteMemory", "get after delete")
    response = api.delete(doomed)
    assert response.status_code == 404, f"[deleteMemory] second delete: expected 404, got {response_text(response)}"
    lab.read(kept, "[deleteMemory] sibling after delete")
    listed = [m.get("id") for m in api.listing({"user_id": user})]
    assert listed == [kept], f"[deleteMemory] listing after delete: expected [{kept}] got {listed}"


# --------------------------------------------------------------------------- batches


@pytest.mark.mem0_operation("batchUpdateMemories")
def test_batch_update_applies_to_exactly_the_ids_given(api: Client, lab: Lab) -> None:
    """Texts and metadata change for the named ids; every other memory is byte-for-byte the same."""
    user = lab.entity()
    tag = _tag()
    ids = [lab.add(f"Batch fact {n} about kayaking {tag}", user_id=user) for n in range(4)]
    before = {i: lab.read(i, "before batch update") for i in ids}
    new_text = f"Batch fact 0 about canoeing {tag}"
    response = api.batch_update([
        {"memory_id": ids[0], "text": new_text},
        {"memory_id": ids[1], "metadata": {"batch": "yes"}},
    ])
    body = _json(response)
    assert response.status_code == 200, f"[batchUpdateMemories] update two: {response_text(response)}"
    assert body == {"message": "Successfully updated 2 memories"}, (
        f"[batchUpdateMemories] answer: expected 'Successfully updated 2 memories', got {body}"
    )
    first = lab.read(ids[0], "batch-updated text")
    assert first.get("memory") == new_text, f"[batchUpdateMemories] text of {ids[0]}: {first.get('memory')!r}"
    second = lab.read(ids[1], "batch-updated metadata")
    assert second.get("metadata") == {"batch": "yes"}, (
        f"[batchUpdateMemories] metadata of {ids[1]}: {second.get('metadata')!r}"
    )
    assert second.get("memory") == before[ids[1]]["memory"], (
        f"[batchUpdateMemories] a metadata-only item kept its text: {second.get('memory')!r}"
    )
    for other in ids[2:]:
        assert lab.read(other, "not in the batch") == before[other], (
            f"[batchUpdateMemories] memory {other} was not in the batch but changed"
        )


@pytest.mark.mem0_operation("batchUpdateMemories")
def test_batch_update_with_an_unknown_or_immutable_id_changes_nothing(api: Client, lab: Lab) -> None:
    """All-or-nothing: one unknown (or immutable) id means 400 and no memory changes."""
    user = lab.entity()
    tag = _tag()
    ids = [lab.add(f"Atomic fact {n} about gliding {tag}", user_id=user) for n in range(2)]
    frozen = lab.add(f"Atomic frozen fact {tag}", user_id=user, immutable=True)
    before = {i: lab.read(i, "before failing batch") for i in [*ids, frozen]}
    batches = {
        "unknown id": [
            {"memory_id": ids[0], "text": f"changed {tag}"},
            {"memory_id": str(uuid.uuid4()), "text": "ghost"},
        ],
        "immutable id": [
            {"memory_id": ids[1], "text": f"changed {tag}"},
            {"memory_id": frozen, "text": f"changed frozen {tag}"},
        ],
    }
    for check, batch in batches.items():
        response = api.batch_update(batch)
        body = _json(response)
        assert response.status_code == 400, (
            f"[batchUpdateMemories] batch with an {check}: expected 400, got {response_text(response)}"
        )
        assert isinstance(body, dict) and "memories" in body, (
            f"[batchUpdateMemories] batch with an {check}: expected a {{'memories': [...]}} body, got {body}"
        )
        for memory_id, old in before.items():
            assert lab.read(memory_id, check) == old, (
                f"[batchUpdateMemories] batch with an {check} changed memory {memory_id}"
            )


@pytest.mark.mem0_operation("batchDeleteMemories")
@pytest.mark.parametrize("form", ["memory_ids", "memories"])
def test_batch_delete_removes_exactly_the_ids_given(api: Client, lab: Lab, form: str) -> None:
    """Both body forms delete the named ids and nothing else."""
    user = lab.entity()
    tag = _tag()
    ids = [lab.add(f"Deletable fact {n} about origami {tag}", user_id=user) for n in range(5)]
    before = {i: lab.read(i, "before batch delete") for i in ids[2:]}
    doomed = ids[:2]
    body = {"memory_ids": doomed} if form == "memory_ids" else {"memories": [{"memory_id": i} for i in doomed]}
    response = api.batch_delete(body)
    answer = _json(response)
    assert response.status_code in (200, 204), f"[batchDeleteMemories] {form} form: {response_text(response)}"
    if response.status_code == 200:
        assert answer == {"message": "Successfully deleted 2 memories"}, (
            f"[batchDeleteMemories] {form} form answer: expected 'Successfully deleted 2 memories', got {answer}"
        )
    for memory_id in doomed:
        lab.gone(memory_id, "batchDeleteMemories", f"{form} form")
    for memory_id, old in before.items():
        assert lab.read(memory_id, f"{form} form, not named") == old, (
            f"[batchDeleteMemories] {form} form: memory {memory_id} was not named but changed"
        )
    listed = {m.get("id") for m in api.listing({"user_id": user})}
    assert listed == set(ids[2:]), f"[batchDeleteMemories] {form} form: listing {listed} != {set(ids[2:])}"


@pytest.mark.mem0_operation("batchDeleteMemories")
@pytest.mark.parametrize("form", ["memory_ids", "memories"])
def test_batch_delete_with_an_unknown_id_deletes_nothing(api: Client, lab: Lab, form: str) -> None:
    """All-or-nothing: a batch naming an unknown id is 400 and the known ids survive."""
    user = lab.entity()
    tag = _tag()
    ids = [lab.add(f"Surviving fact {n} about pottery {tag}", user_id=user) for n in range(2)]
    named = [ids[0], str(uuid.uuid4())]
    body = {"memory_ids": named} if form == "memory_ids" else {"memories": [{"memory_id": i} for i in named]}
    response = api.batch_delete(body)
    answer = _json(response)
    assert response.status_code == 400, (
        f"[batchDeleteMemories] {form} form with an unknown id: expected 400, got {response_text(response)}"
    )
    assert isinstance(answer, dict) and "memories" in answer, (
        f"[batchDeleteMemories] {form} form with an unknown id: expected a {{'memories': [...]}} body, got {answer}"
    )
    for memory_id in ids:
        lab.read(memory_id, f"[batchDeleteMemories] {form} form with an unknown id deleted {memory_id}")


# --------------------------------------------------------------------------- delete-all


@pytest.mark.mem0_operation("deleteMemories")
def test_delete_all_removes_exactly_that_users_memories(api: Client, lab: Lab) -> None:
    """DELETE /v1/memories/?user_id=X removes X's memories (whatever else they name) and no other."""
    x, y, agent = lab.entity(), lab.entity(), lab.entity("agent_id")
    tag = _tag()
    x_ids = [lab.add(f"X likes sailing {tag}", user_id=x), lab.add(f"X likes rowing {tag}", user_id=x, agent_id=agent)]
    others = [
        lab.add(f"Y likes surfing {tag}", user_id=y),
        lab.add(f"Y likes diving {tag}", user_id=y, agent_id=agent),
        lab.add(f"Agent-only note on tides {tag}", agent_id=agent),
    ]
    before = {i: lab.read(i, "before delete-all") for i in others}
    response = api.delete_all(user_id=x)
    assert response.status_code in (200, 204), f"[deleteMemories] user_id={x}: {response_text(response)}"
    for memory_id in x_ids:
        lab.gone(memory_id, "deleteMemories", f"memory of user {x}")
    for memory_id, old in before.items():
        assert lab.read(memory_id, "not X's") == old, f"[deleteMemories] user_id={x} changed {memory_id}"
    assert api.listing({"user_id": x}) == [], f"[deleteMemories] user {x} still lists memories"


@pytest.mark.mem0_operation("deleteMemories")
def test_delete_all_matches_every_given_id_and_metadata(api: Client, lab: Lab) -> None:
    """Several ids delete the memories naming all of them; metadata narrows as a subset match."""
    user, agent = lab.entity(), lab.entity("agent_id")
    tag = _tag()
    both = lab.add(f"Both: plays chess {tag}", user_id=user, agent_id=agent)
    user_only = lab.add(f"User only: plays go {tag}", user_id=user)
    agent_only = lab.add(f"Agent only: plays bridge {tag}", agent_id=agent)
    red = lab.add(f"Red note {tag}", user_id=user, metadata={"colour": "red", "n": 1})
    blue = lab.add(f"Blue note {tag}", user_id=user, metadata={"colour": "blue", "n": 1})

    response = api.delete_all(user_id=user, agent_id=agent)
    assert response.status_code in (200, 204), f"[deleteMemories] user+agent: {response_text(response)}"
    lab.gone(both, "deleteMemories", "user_id and agent_id both named")
    for memory_id in (user_only, agent_only, red, blue):
        lab.read(memory_id, f"[deleteMemories] user+agent deleted {memory_id}, which names only one of them")

    response = api.delete_all(user_id=user, metadata={"colour": "red"})
    assert response.status_code in (200, 204), f"[deleteMemories] user+metadata: {response_text(response)}"
    lab.gone(red, "deleteMemories", "metadata subset match")
    for memory_id in (user_only, blue, agent_only):
        lab.read(memory_id, f"[deleteMemories] metadata {{'colour': 'red'}} deleted {memory_id}")


@pytest.mark.mem0_operation("deleteMemories")
def test_delete_all_without_an_entity_id_is_refused(api: Client) -> None:
    """No entity id: 400 (and so nothing is deleted)."""
    response = api.delete_all()
    assert response.status_code == 400, f"[deleteMemories] no entity id: expected 400, got {response_text(response)}"


# --------------------------------------------------------------------------- immutability


@pytest.mark.mem0_operation("updateMemory")
def test_immutable_memory_refuses_updates(api: Client, lab: Lab) -> None:
    """An immutable memory answers 400 to a text or metadata update and stays as it was."""
    user = lab.entity()
    text = f"Was born in Porto {_tag()}"
    memory_id = lab.add(text, user_id=user, immutable=True)
    before = lab.read(memory_id, "immutable before update")
    assert before.get("immutable") is True, f"[addMemories] immutable flag not stored: {before}"
    for change in ({"text": "Was born in Lisbon"}, {"metadata": {"edited": True}}):
        response = api.update(memory_id, **change)
        assert response.status_code == 400, (
            f"[updateMemory] immutable memory, update {change}: expected 400, got {response_text(response)}"
        )
        assert lab.read(memory_id, "immutable after refused update") == before, (
            f"[updateMemory] immutable memory changed by the refused update {change}"
        )
    response = api.history(memory_id)
    events = [e.get("event") for e in _json(response) or []] if response.status_code == 200 else None
    assert events == ["ADD"], f"[getMemoryHistory] immutable memory history: expected ['ADD'] got {events}"


# --------------------------------------------------------------------------- exports


def _strings(value: Any) -> list[str]:
    """Every string value in a JSON document (keys excluded)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.mem0_operation("getMemoryExport")
@pytest.mark.parametrize("selector", ["filters", "user_id"])
def test_export_holds_only_the_selected_memories(api: Client, lab: Lab, selector: str) -> None:
    """Every string of the export comes from a selected memory; none from another entity's."""
    chosen, other = lab.entity(), lab.entity()
    tag = _tag()
    chosen_texts = [f"Speaks fluent Icelandic {tag}", f"Restores antique clocks {tag}", f"Bakes sourdough {tag}"]
    other_texts = [f"Breeds racing pigeons {tag}", f"Repairs vintage motorcycles {tag}"]
    for text in chosen_texts:
        lab.add(text, user_id=chosen)
    for text in other_texts:
        lab.add(text, user_id=other)
    select: dict[str, Any] = {"filters": {"AND": [{"user_id": chosen}]}} if selector == "filters" else {
        "user_id": chosen
    }
    response = api.create_export({"schema": EXPORT_SCHEMA, **select})
    body = _json(response)
    assert response.status_code in (200, 201) and isinstance(body, dict) and body.get("id"), (
        f"[createMemoryExport] by {selector}: expected 201 with an id, got {response_text(response)}"
    )
    export_id = body["id"]
    response, _ = poll(lambda: api.get_export({"memory_export_id": export_id}), lambda r: r.status_code == 200)
    export = _json(response)
    assert response.status_code == 200 and isinstance(export, dict), (
        f"[getMemoryExport] by id ({selector}): expected 200 with an object, got {response_text(response)}"
    )
    strings = [s for s in _strings(export) if s.strip()]
    assert strings, f"[getMemoryExport] export of {len(chosen_texts)} memories holds no text: {export}"
    foreign = [s for s in strings if any(s in t or t in s for t in other_texts)]
    assert not foreign, f"[getMemoryExport] export by {selector} holds another user's memories: {foreign}"
    stray = [s for s in strings if not any(s in t for t in chosen_texts)]
    assert not stray, (
        f"[getMemoryExport] export by {selector}: strings not from a selected memory {stray}; selected {chosen_texts}"
    )
    response = api.get_export(select)
    again = _json(response)
    assert response.status_code == 200 and again == export, (
        f"[getMemoryExport] latest export by the same {selector}: expected {export}, got {response_text(response)}"
    )


@pytest.mark.mem0_operation("getMemoryExport")
def test_unknown_export_is_404(api: Client) -> None:
    """An export id never created is 404."""
    response = api.get_export({"memory_export_id": str(uuid.uuid4())})
    assert response.status_code == 404, f"[getMemoryExport] unknown id: expected 404, got {response_text(response)}"


# --------------------------------------------------------------------------- isolation


@pytest.fixture(scope="module")
def foreign(api: Client, lab: Lab, target: Any) -> Iterator[tuple[Client, str, str, str]]:
    """A memory stored with key 1, and a client holding key 2 (another tenant)."""
    if target.second_api_key is None:
        pytest.skip("isolation needs a second tenant's key: pass --second-api-key (or MEM0_SECOND_API_KEY)")
    other = Client(target.base_url, target.second_api_key)
    user = lab.entity()
    text = f"Secret: keeps a diary in Esperanto {_tag()}"
    memory_id = lab.add(text, user_id=user)
    try:
        yield other, user, memory_id, text
    finally:
        other.close()


def _probe(op: str, run: Callable[[Client, str, str, str], requests.Response], expected: tuple[int, ...]):
    return pytest.param(op, run, expected, id=op, marks=pytest.mark.mem0_operation(op))


def _empty_listing(response: requests.Response) -> bool:
    body = _json(response)
    if isinstance(body, dict):
        body = body.get("results")
    return body == []


ISOLATION = [
    _probe("getMemory", lambda c, u, m, t: c.get(m), (404,)),
    _probe("getMemoryHistory", lambda c, u, m, t: c.history(m), (404,)),
    _probe("getMemoriesV2", lambda c, u, m, t: c.get_all_v2({"user_id": u}), (200,)),
    _probe("getMemoriesV1", lambda c, u, m, t: c.get_all_v1(user_id=u), (200,)),
    _probe("searchMemoriesV2", lambda c, u, m, t: c.search_v2(t, {"user_id": u}, threshold=0), (200,)),
    _probe("searchMemoriesV1", lambda c, u, m, t: c.search_v1(t, user_id=u, threshold=0), (200,)),
    _probe("updateMemory", lambda c, u, m, t: c.update(m, text="overwritten by another tenant"), (404,)),
    _probe("batchUpdateMemories", lambda c, u, m, t: c.batch_update([{"memory_id": m, "text": "overwritten"}]),
           (400,)),
    _probe("deleteMemory", lambda c, u, m, t: c.delete(m), (404,)),
    _probe("batchDeleteMemories", lambda c, u, m, t: c.batch_delete({"memory_ids": [m]}), (400,)),
    _probe("deleteMemories", lambda c, u, m, t: c.delete_all(user_id=u), (200, 204, 404)),
]


@pytest.mark.parametrize(("op", "run", "expected"), ISOLATION)
def test_another_key_cannot_see_or_change_the_memory(
    api: Client,
    lab: Lab,
    foreign: tuple[Client, str, str, str],
    op: str,
    run: Callable[[Client, str, str, str], requests.Response],
    expected: tuple[int, ...],
) -> None:
    """Key 2 neither reads key 1's memory nor changes it, whatever the operation."""
    other, user, memory_id, text = foreign
    before = lab.read(memory_id, f"isolation, before {op} with key 2")
    response = run(other, user, memory_id, text)
    assert response.status_code in expected, (
        f"[{op}] isolation: with another key expected {expected}, got {response_text(response)}"
    )
    if response.status_code == 200 and op in {"getMemoriesV2", "getMemoriesV1", "searchMemoriesV2",
                                               "searchMemoriesV1"}:
        assert _empty_listing(response), f"[{op}] isolation: another key sees {response_text(response)}"
    assert text not in response.text, f"[{op}] isolation: another key's answer holds the text: {response.text}"
    assert lab.read(memory_id, f"isolation, after {op} with key 2") == before, (
        f"[{op}] isolation: the memory changed after {op} with another key"
    )
