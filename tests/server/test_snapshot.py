"""State in and out over HTTP: `GET`/`POST /_mock/snapshot`, fixtures, and reset to a loaded state.

Two live strict mocks (ids seeded, clock frozen) serve the module: state is built in one
through the API, carried to the other as a snapshot, and both must then answer alike.
Configurations of their own (a --load state, an admin token) use the Flask test client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server.engine.webhooks import DeliveryPolicy
from mock_server.server import BackgroundServer, MockConfig, create_app
from mock_server.server.cli import read_document
from tests.processes import free_port
from tests.server.test_v3 import Api, wait_for

README = Path(__file__).resolve().parents[2] / "README.md"
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
KEY = "m0-snapshot-key"
OTHER = "m0-snapshot-other"
ONE_TRY = DeliveryPolicy(attempts=1, timeout_seconds=2.0)
FIXTURES = {"keys": {KEY: {"memories": [
    {"text": "Is a vegetarian", "user_id": "alex", "categories": ["food"], "created_at": "2025-01-02T03:04:05Z"},
    {"text": "Lives in Lisbon", "user_id": "alex", "metadata": {"source": "import"}},
]}}}


def config(**extra: Any) -> MockConfig:
    return MockConfig(strict=True, seed=7, clock=START, webhook_delivery=ONE_TRY, **extra)


@pytest.fixture(scope="module")
def mocks() -> Iterator[tuple[str, str]]:
    with BackgroundServer(create_app(config())) as source, BackgroundServer(create_app(config())) as copy:
        yield source.url, copy.url


@pytest.fixture
def urls(mocks: tuple[str, str]) -> tuple[str, str]:
    for url in mocks:
        requests.post(f"{url}/_mock/reset", timeout=10).raise_for_status()
    return mocks


def snapshot(url: str) -> dict[str, Any]:
    reply = requests.get(f"{url}/_mock/snapshot", timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def build(url: str) -> None:
    """A little of everything, through the public API."""
    api = Api(url, KEY)
    ping = api.call("GET", "/v1/ping/")
    hook = api.call("POST", f"/api/v1/webhooks/projects/{ping['project_id']}/", expect=201, json={
        "name": "dead", "url": f"http://127.0.0.1:{free_port()}/hook", "event_types": ["memory_add"]})
    api.call("POST", "/v1/memories/", json={"messages": [{"role": "user", "content": "I am a vegetarian"
                                                                                    " and I live in Lisbon."}],
                                             "user_id": "alex"})
    api.add("I moved to Porto.", user_id="alex")  # v3: additive, queued (done at once: the mock is seeded)
    kept = api.add("Prefers green tea", user_id="alex", agent_id="bot", infer=False,
                   metadata={"source": "chat"})["results"][0]["id"]
    api.call("PUT", f"/v1/memories/{kept}/", json={"text": "Prefers jasmine tea"})
    gone = api.add("A passing thought", run_id="r1", infer=False)["results"][0]["id"]
    api.call("DELETE", f"/v1/memories/{gone}/")
    api.call("POST", "/v1/exports/", expect=201, json={"schema": {"type": "object", "properties": {
        "diet": {"type": "string"}}}, "filters": {"user_id": "alex"}})
    api.call("POST", "/v1/feedback/", json={"memory_id": kept, "feedback": "POSITIVE"})
    projects = f"/api/v1/orgs/organizations/{ping['org_id']}/projects/"
    staging = api.call("POST", projects, json={"name": "staging", "description": "tests"})["project_id"]
    api.call("POST", f"{projects}{staging}/members/", json={"email": "sam@example.com", "role": "READER"})
    api.call("POST", "/v2/profiles/jobs/", expect=202, json={"operation": "trigger", "entity_type": "user",
                                                              "entity_id": "alex"})
    Api(url, OTHER).add("Another key's fact", user_id="zoe", infer=False)
    deliveries = f"{url}/_mock/webhooks/deliveries?webhook_id={hook['webhook_id']}"
    wait_for(lambda: all(d["status"] == "failed" for d in requests.get(deliveries, timeout=10).json()["deliveries"]),
             "the deliveries to fail")


def answers(url: str) -> dict[str, Any]:
    """What the API reads back: lists, search, history, entities, events, webhooks, ..."""
    api = Api(url, KEY)
    ping = api.call("GET", "/v1/ping/")
    listed = api.call("POST", "/v2/memories/", json={"filters": {"user_id": "alex"}})
    return {
        "list": listed,
        "v3 list": api.memories(filters={"user_id": "alex"}),
        "search": api.call("POST", "/v2/memories/search/", json={"query": "where does alex live",
                                                                   "filters": {"user_id": "alex"}}),
        "history": [api.call("GET", f"/v1/memories/{m['id']}/history/") for m in listed],
        "entities": api.call("GET", "/v1/entities/"),
        "events": api.call("GET", "/v1/events/"),
        "webhooks": api.call("GET", f"/api/v1/webhooks/projects/{ping['project_id']}/"),
        "deliveries": requests.get(f"{url}/_mock/webhooks/deliveries", timeout=10).json(),
        "projects": api.call("GET", f"/api/v1/orgs/organizations/{ping['org_id']}/projects/"),
        "profile": api.call("GET", "/v2/entities/user/alex/profile/"),
        "export": api.call("POST", "/v1/exports/get/", json={"filters": {"user_id": "alex"}}),
        "other": Api(url, OTHER).call("POST", "/v2/memories/", json={"filters": {"user_id": "zoe"}}),
    }


def test_a_snapshot_round_trip_gives_the_same_document_and_the_same_answers(urls: tuple[str, str]):
    source, copy = urls
    build(source)
    document = snapshot(source)
    text = json.dumps(document)
    assert KEY not in text and OTHER not in text  # keys only as their SHA-256
    project = document["tenants"][0]["projects"][0]
    assert {"memories", "history", "entities", "events", "exports", "feedback", "webhooks", "deliveries",
            "profiles", "profile_jobs"} <= set(project)
    assert any(m["replaced_by"] for m in project["memories"]) and project["deliveries"]

    restored = requests.post(f"{copy}/_mock/snapshot", json=document, timeout=30)
    assert restored.status_code == 200, restored.text
    assert restored.json()["tenants"] == 2
    assert snapshot(copy) == document
    assert answers(copy) == answers(source)
    # Both go on alike: the clock and the seeded id sequence came along.
    again = [Api(url, KEY).add("Likes sailing", user_id="alex", infer=False) for url in urls]
    assert again[0] == again[1]


def test_one_keys_snapshot_and_a_fixtures_document(urls: tuple[str, str]):
    source, _ = urls
    restored = requests.post(f"{source}/_mock/snapshot", json=FIXTURES, timeout=10)
    assert restored.json() == {"message": "State restored.", "tenants": 1, "memories": 2}
    Api(source, OTHER).add("Someone else", user_id="zoe", infer=False)
    mine = requests.get(f"{source}/_mock/snapshot", headers={"Authorization": f"Token {KEY}"}, timeout=10).json()
    (tenant,) = mine["tenants"]
    assert [m["memory"] for m in tenant["projects"][0]["memories"]] == ["Is a vegetarian", "Lives in Lisbon"]
    assert len(snapshot(source)["tenants"]) == 2


@pytest.mark.parametrize("change, field", [
    (lambda d: d.update(version=9), "version"),
    (lambda d: d["tenants"][0].update(key_sha256="m0-snapshot-key"), "tenants[0].key_sha256"),
    (lambda d: d["tenants"][0]["projects"][0]["memories"][1].update(created_at="soon"),
     "tenants[0].projects[0].memories[1].created_at"),
    (lambda d: d["tenants"][0]["projects"][0]["memories"][0].update(user_id=None),
     "tenants[0].projects[0].memories[0]"),
])
def test_a_bad_snapshot_is_a_400_naming_the_field_and_changes_nothing(urls: tuple[str, str], change, field):
    source, _ = urls
    requests.post(f"{source}/_mock/snapshot", json=FIXTURES, timeout=10).raise_for_status()
    before = snapshot(source)
    bad = json.loads(json.dumps(before))
    change(bad)
    refused = requests.post(f"{source}/_mock/snapshot", json=bad, timeout=10)
    assert refused.status_code == 400 and field in refused.json(), refused.text
    assert snapshot(source) == before


def test_bad_bodies_are_400s(urls: tuple[str, str]):
    source, _ = urls
    for body in (None, [], {"keys": {KEY: {"memories": [{"text": "no entity"}]}}}, {"colour": "red"}):
        reply = requests.post(f"{source}/_mock/snapshot", json=body, timeout=10)
        assert reply.status_code == 400 and KEY not in reply.text, reply.text
    not_json = requests.post(f"{source}/_mock/snapshot", data="{", timeout=10)
    assert not_json.status_code == 400 and "JSON parse error" in not_json.json()["detail"]


def test_reset_goes_back_to_the_loaded_state():
    client = create_app(config(initial_state=FIXTURES, demo=True)).test_client()
    auth = {"Authorization": f"Token {KEY}"}
    start = client.get("/_mock/snapshot").get_json()

    def texts(key: str = KEY) -> list[str]:
        reply = client.post("/v2/memories/", json={"filters": {"user_id": "alex"}},
                            headers={"Authorization": f"Token {key}"})
        return [m["memory"] for m in reply.get_json()]

    assert texts() == ["Is a vegetarian", "Lives in Lisbon"]  # newest first
    client.post("/v1/memories/", json={"messages": [{"role": "user", "content": "Likes tea"}], "user_id": "alex",
                                       "infer": False}, headers=auth)
    assert "Name is Alex" in texts(OTHER)  # --demo still fills keys the loaded state lacks
    client.post("/_mock/reset", json={"api_key": KEY})
    assert texts() == ["Is a vegetarian", "Lives in Lisbon"] and "Name is Alex" in texts(OTHER)
    client.post("/_mock/reset")
    assert client.get("/_mock/snapshot").get_json() == start  # same ids, same clock, same id sequence


def test_the_snapshot_needs_the_admin_token():
    client = create_app(config(admin_token="s3cret")).test_client()
    assert client.get("/_mock/snapshot").status_code == 401
    assert client.post("/_mock/snapshot", json=FIXTURES).status_code == 401
    reply = client.get("/_mock/snapshot", headers={"X-Mem0-Mock-Admin": "s3cret"})
    assert reply.status_code == 200 and "s3cret" not in reply.get_data(as_text=True)


def test_the_readme_fixtures_file_loads(tmp_path: Path):
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", README.read_text(), re.S) if "keys:" in b)
    (tmp_path / "fixtures.yaml").write_text(example)
    client = create_app(config(initial_state=read_document(str(tmp_path / "fixtures.yaml")))).test_client()
    reply = client.post("/v2/memories/", json={"filters": {"user_id": "alex"}},
                        headers={"Authorization": "Token m0-abc"})
    vegetarian, lisbon = reply.get_json()
    assert (vegetarian["memory"], vegetarian["categories"], vegetarian["expiration_date"]) == (
        "Is a vegetarian", ["food"], "2030-12-31")
    assert (lisbon["id"], lisbon["updated_at"]) == ("3b0f3a3e-0d1c-4a5e-9e1e-6f1c2b7a0001", "2025-01-05T00:00:00Z")
