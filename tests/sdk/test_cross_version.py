"""One store behind both APIs: what today's Python SDK (2.2.1, v3 calls) adds, the seed-era
SDK (0.1.118, v1/v2 calls, imported here) reads, searches and changes, and back."""

from __future__ import annotations

import warnings

import pytest
from mem0 import MemoryClient

from tests.conftest import KEY_A

from .helpers import finished_event
from .rpc import Driver, RemoteClient

warnings.filterwarnings("ignore", category=DeprecationWarning)


@pytest.fixture
def today(python_v3_driver: Driver, live) -> RemoteClient:
    python_v3_driver.request(
        op="new", name="cross", **{"class": "MemoryClient"}, kwargs={"api_key": KEY_A, "host": live.url}
    )
    return RemoteClient(python_v3_driver, "cross")


@pytest.fixture
def seed(live) -> MemoryClient:
    return MemoryClient(api_key=KEY_A, host=live.url)


def test_v3_memories_are_visible_through_v1_and_v2(today: RemoteClient, seed: MemoryClient, live):
    stored = today.add("Loves sailing", user_id="cross", run_id="trip-1", infer=False)["results"][0]["id"]
    queued = today.add("I'm a vegetarian.", user_id="cross")
    inferred = finished_event(live.url, queued["event_id"], KEY_A)["results"][0]["id"]

    assert {m["id"] for m in seed.get_all(user_id="cross")} == {stored, inferred}
    v2 = seed.get_all(version="v2", filters={"AND": [{"user_id": "cross"}, {"run_id": "trip-1"}]})
    assert [(m["id"], m["memory"], m["run_id"]) for m in v2] == [(stored, "Loves sailing", "trip-1")]
    found = seed.search("sailing", version="v2", filters={"user_id": "cross"})
    assert found[0]["id"] == stored
    assert seed.get(inferred)["memory"] == "Is a vegetarian"

    seed.update(stored, text="Loves sailing in Greece")
    assert today.get(stored)["memory"] == "Loves sailing in Greece"
    assert [e["event"] for e in seed.history(stored)] == ["ADD", "UPDATE"]


def test_v1_memories_are_visible_through_v3(today: RemoteClient, seed: MemoryClient):
    added = seed.add([{"role": "user", "content": "Works as a nurse"}], user_id="cross", run_id="r-9", infer=False)
    memory_id = added["results"][0]["id"]

    [listed] = today.get_all(filters={"user_id": "cross"})["results"]
    assert (listed["id"], listed["memory"], listed["session_id"]) == (memory_id, "Works as a nurse", "r-9")
    [hit] = today.search("nurse", filters={"user_id": "cross"})["results"]
    assert (hit["id"], hit["run_id"]) == (memory_id, "r-9") and hit["score_breakdown"]

    # Same text, same scope: today's add does not store it twice.
    assert today.add("Works as a nurse", user_id="cross", run_id="r-9", infer=False)["results"] == []
    today.delete_all(user_id="cross")
    assert seed.get_all(user_id="cross") == []
