"""Today's API (v3) over HTTP, on a strict mock: queued adds and their events, dedupe,
additive inference, expiry, cascades, projects, profiles, and webhook deliveries to a
receiver of our own."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from mock_server.engine.webhooks import DeliveryPolicy
from mock_server.server import BackgroundServer, MockConfig, create_app

KEY = "m0-v3-tests"
OTHER_KEY = "m0-v3-other"
FAST_RETRIES = DeliveryPolicy(attempts=3, backoff_seconds=0.01, timeout_seconds=2.0)
DEADLINE_S = 20.0


def wait_for(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it answers something truthy (bounded), and answer that."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


class Api:
    """A thin client of the live mock for one key."""

    def __init__(self, url: str, key: str = KEY) -> None:
        self.url = url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {key}"

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.http.request(method, self.url + path, timeout=30, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.text[:500])
        return response.json()

    def add(self, text: str | list[dict[str, str]], expect: int = 200, **body: Any) -> Any:
        messages = [{"role": "user", "content": text}] if isinstance(text, str) else text
        return self.call("POST", "/v3/memories/add/", expect, json={"messages": messages, **body})

    def memories(self, expect: int = 200, **body: Any) -> Any:
        return self.call("POST", "/v3/memories/", expect, json=body)

    def event(self, event_id: str) -> dict[str, Any]:
        return self.call("GET", f"/v1/event/{event_id}/")

    def settled(self, event_id: str) -> dict[str, Any]:
        return wait_for(lambda: (e := self.event(event_id))["status"] in ("SUCCEEDED", "FAILED") and e, "the event")


@pytest.fixture(scope="module")
def mock() -> Iterator[BackgroundServer]:
    """Queued work runs in the background here, as in a default `mem0-mock`."""
    app = create_app(MockConfig(strict=True, webhook_delivery=FAST_RETRIES))
    with BackgroundServer(app) as server:
        yield server


@pytest.fixture
def api(mock: BackgroundServer) -> Iterator[Api]:
    requests.post(f"{mock.url}/_mock/reset", json={}, timeout=10).raise_for_status()
    client = Api(mock.url)
    yield client
    violations = requests.get(f"{mock.url}/_mock/requests?violations=1", timeout=10).json()["requests"]
    broken = [v for entry in violations for v in entry["violations"] if not v.startswith("request:")]
    assert not broken, f"the mock broke its spec: {broken}"


# --------------------------------------------------------------------------- adds and events


def test_a_queued_add_is_followed_through_its_event(api: Api):
    answer = api.add("I live in Paris and I love sushi.", user_id="alex")
    assert set(answer) == {"event_id", "status"} and answer["status"] == "PENDING"
    event = api.settled(answer["event_id"])
    assert event["status"] == "SUCCEEDED" and event["event_type"] == "ADD"
    assert event["payload"]["user_id"] == "alex" and event["completed_at"] and event["latency"] >= 0
    stored = {r["data"]["memory"] for r in event["results"]}
    assert {r["event"] for r in event["results"]} == {"ADD"} and len(stored) >= 2
    listed = api.memories(filters={"user_id": "alex"})
    assert {m["memory"] for m in listed["results"]} == stored
    assert api.call("GET", "/v1/events/")["results"][0]["id"] == answer["event_id"]


def test_infer_false_stores_user_and_assistant_turns_once(api: Api):
    turns = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "I enjoy sailing on the lake"},
        {"role": "assistant", "content": "Sailing sounds lovely!"},
        {"role": "user", "content": "I enjoy sailing on the lake"},
    ]
    first = api.add(turns, user_id="alex", infer=False)
    assert first["status"] == "SUCCEEDED" and first["message"] == "Memories stored successfully"
    assert [r["data"]["memory"] for r in first["results"]] == ["I enjoy sailing on the lake", "Sailing sounds lovely!"]
    again = api.add("I enjoy sailing on the lake", user_id="alex", infer=False)
    assert again["results"] == []  # an exact repeat in the same scope is not stored twice
    elsewhere = api.add("I enjoy sailing on the lake", user_id="alex", agent_id="coach", infer=False)
    assert len(elsewhere["results"]) == 1  # another scope stores it
    assert api.memories(filters={"user_id": "alex"})["count"] == 3


def test_the_same_memories_through_both_apis(api: Api):
    v3 = api.add("Is a vegetarian", user_id="alex", infer=False)["results"][0]["id"]
    v1 = api.call("POST", "/v1/memories/", json={
        "messages": [{"role": "user", "content": "Is allergic to nuts"}], "user_id": "alex", "infer": False,
        "output_format": "v1.1",
    })["results"][0]["id"]
    assert {m["id"] for m in api.call("POST", "/v2/memories/", json={"filters": {"user_id": "alex"}})} == {v1, v3}
    assert {m["id"] for m in api.memories(filters={"userId": "alex"})["results"]} == {v1, v3}


def test_inference_only_adds_and_marks_what_it_supersedes(api: Api):
    paris = api.settled(api.add("I live in Paris.", user_id="alex")["event_id"])["results"][0]
    berlin = api.settled(api.add("I moved to Berlin last year.", user_id="alex")["event_id"])["results"]
    assert [r["event"] for r in berlin] == ["ADD"]
    listed = {m["id"]: m for m in api.memories(filters={"user_id": "alex"})["results"]}
    assert set(listed) == {paris["id"], berlin[0]["id"]}  # the old fact stays beside the new one
    assert listed[paris["id"]]["replaced_by"] == berlin[0]["id"]
    latest = api.memories(filters={"user_id": "alex"}, latest_only=True)["results"]
    assert [m["id"] for m in latest] == [berlin[0]["id"]]
    deleted = api.call("DELETE", f"/v1/memories/{berlin[0]['id']}/", params={"delete_linked": "true"})
    assert deleted == {"message": "Memory deleted successfully!", "cascade_count": 1}
    assert api.memories(filters={"user_id": "alex"})["count"] == 0


def test_deleting_the_newer_memory_makes_the_older_current_again(api: Api):
    api.settled(api.add("I live in Paris.", user_id="alex")["event_id"])
    berlin = api.settled(api.add("I moved to Berlin.", user_id="alex")["event_id"])["results"][0]["id"]
    assert api.call("DELETE", f"/v1/memories/{berlin}/") == {"message": "Memory deleted successfully!"}
    left = api.memories(filters={"user_id": "alex"}, latest_only=True)["results"]
    assert [m["memory"] for m in left] == ["Lives in Paris"] and left[0]["replaced_by"] is None


def test_an_add_without_an_entity_is_refused_in_the_add_shape(api: Api):
    answer = api.add("I like tea", expect=400)
    assert answer["error"] == "400 Bad Request" and answer["details"]["message"]
    via_filters = api.add("I like tea", infer=False, filters={"user_id": "alex"})  # the Python SDK's form
    assert len(via_filters["results"]) == 1
    assert api.memories(filters={"user_id": "alex"})["count"] == 1


# --------------------------------------------------------------------------- list and search


def test_expired_memories_are_hidden_unless_asked(api: Api):
    api.add("Has a gym membership", user_id="alex", infer=False, expiration_date="2020-01-01")
    api.add("Has a library card", user_id="alex", infer=False)
    visible = api.memories(filters={"user_id": "alex"})["results"]
    everything = api.memories(filters={"user_id": "alex"}, show_expired=True)["results"]
    assert [m["memory"] for m in visible] == ["Has a library card"] and len(everything) == 2
    search = {"query": "gym membership", "filters": {"user_id": "alex"}, "threshold": 0}
    hidden = api.call("POST", "/v3/memories/search/", json=search)["results"]
    assert "Has a gym membership" not in [r["memory"] for r in hidden]
    shown = api.call("POST", "/v3/memories/search/", json={**search, "show_expired": True})["results"]
    assert shown[0]["memory"] == "Has a gym membership"


def test_listing_pages_come_from_the_query_and_runs_are_sessions(api: Api):
    api.add([{"role": "user", "content": f"fact {i}"} for i in range(5)], user_id="alex", run_id="r1", infer=False)
    page = api.call("POST", "/v3/memories/", params={"page": 2, "page_size": 2},
                    json={"filters": {"user_id": "alex"}, "page_size": 4})
    assert page["count"] == 5 and len(page["results"]) == 2 and "page=3" in page["next"]
    assert {m["session_id"] for m in page["results"]} == {"r1"} and "run_id" not in page["results"][0]
    assert api.call("POST", "/v3/memories/", params={"page_size": 201}, json={"filters": {"user_id": "alex"}},
                    expect=400) == {"page_size": ["201 is greater than the maximum of 200"]}
    projected = api.memories(filters={"user_id": "alex"}, fields=["session_id"])["results"][0]
    assert set(projected) == {"id", "session_id"}


def test_entity_ids_belong_inside_filters(api: Api):
    refused = api.memories(expect=400, filters={"user_id": "alex"}, user_id="alex")
    assert set(refused) == {"user_id"}
    refused = api.call("POST", "/v3/memories/search/", expect=400, json={"query": "q", "filters": {"user_id": "a"},
                                                                          "agent_id": "x"})
    assert set(refused) == {"agent_id"}
    assert api.memories(expect=400, filters={"categories": {"in": ["food"]}}) == {
        "message": "One of the filters: app_id, user_id, agent_id, run_id is required!"
    }


def test_search_defaults_to_threshold_point_one_and_explains_scores(api: Api):
    api.add([{"role": "user", "content": t} for t in ("Loves Italian food", "Plays tennis on Sundays")],
            user_id="alex", infer=False)
    body = {"query": "What food do I like?", "filters": {"user_id": "alex"}, "output_format": "v1.1"}
    results = api.call("POST", "/v3/memories/search/", json=body)["results"]
    assert results and all(r["score"] >= 0.1 for r in results)
    best = results[0]
    assert best["memory"] == "Loves Italian food" and best["run_id"] is None
    assert set(best["score_breakdown"]) == {"semantic", "bm25", "entity"}
    assert abs(sum(best["score_breakdown"].values()) - best["score"]) < 1e-5
    strict = api.call("POST", "/v3/memories/search/", json={**body, "threshold": 0.99})["results"]
    assert strict == []


def test_summary_groups_the_selected_memories(api: Api):
    api.add([{"role": "user", "content": t} for t in ("Is a vegetarian", "Is allergic to nuts")],
            user_id="alex", infer=False)
    summary = api.call("POST", "/v1/summary/", json={"filters": {"user_id": "alex"}})
    assert len(summary) == 1 and summary[0]["memory_count"] == 2
    assert "Is a vegetarian" in summary[0]["summary"] and "Is allergic to nuts" in summary[0]["summary"]


# --------------------------------------------------------------------------- shared endpoints


def test_update_answers_the_memory_and_clears_the_expiry(api: Api):
    memory_id = api.add("Trip to Rome", user_id="alex", infer=False, expiration_date="2099-01-01")["results"][0]["id"]
    updated = api.call("PUT", f"/v1/memories/{memory_id}/", json={"text": "Trip to Milan", "expiration_date": None})
    assert updated["memory"] == updated["text"] == "Trip to Milan" and updated["expiration_date"] is None
    assert updated["session_id"] is None and updated["structured_attributes"]["year"] >= 2025


def test_delete_all_needs_a_filter_and_star_means_any(api: Api):
    api.add("a", user_id="u1", infer=False)
    api.add("b", user_id="u2", infer=False)
    api.add("c", agent_id="helper", infer=False)
    assert "detail" in api.call("DELETE", "/v1/memories/", expect=400)
    answer = api.call("DELETE", "/v1/memories/", params={"user_id": "*"})
    assert answer["message"] == "Delete in progress. This may take some time."
    event = api.event(answer["event_id"])
    assert event["event_type"] == "DELETE" and sorted(r["data"]["memory"] for r in event["results"]) == ["a", "b"]
    assert [m["memory"] for m in api.memories(filters={"agent_id": "helper"})["results"]] == ["c"]


def test_entities_by_numeric_id(api: Api):
    api.add("a", user_id="alice", infer=False)
    api.add("b", agent_id="bot", infer=False)
    listed = {e["name"]: e for e in api.call("GET", "/v1/entities/")["results"]}
    assert all(e["id"].isdigit() for e in listed.values())
    assert api.call("GET", "/v2/entities/user/alice/")[0]["id"] == listed["alice"]["id"]
    api.call("DELETE", "/v1/entities/agent/alice/", expect=400)
    api.call("DELETE", f"/v1/entities/user/{listed['alice']['id']}/")
    assert [e["name"] for e in api.call("GET", "/v1/entities/")["results"]] == ["bot"]
    api.call("GET", "/v2/entities/user/alice/", expect=404)


# --------------------------------------------------------------------------- projects


def test_project_settings_take_effect_on_later_adds(api: Api):
    ping = api.call("GET", "/v1/ping/")
    project = f"/api/v1/orgs/organizations/{ping['org_id']}/projects/{ping['project_id']}/"
    categories = [{"pets": "Animals the user lives with"}]
    api.call("PATCH", project, json={"custom_categories": categories, "org_id": "ignored"})
    assert api.call("GET", project, params={"fields": ["custom_categories"]}) == {"custom_categories": categories}
    stored = api.add("I adopted a puppy named Max", user_id="alex", infer=False)["results"][0]["id"]
    assert api.call("GET", f"/v1/memories/{stored}/")["categories"] == ["pets"]


def test_projects_are_separate_namespaces_with_members(api: Api):
    ping = api.call("GET", "/v1/ping/")
    projects = f"/api/v1/orgs/organizations/{ping['org_id']}/projects/"
    created = api.call("POST", projects, json={"name": "staging", "description": "tests"})
    staging = projects + created["project_id"] + "/"
    assert [p["name"] for p in api.call("GET", projects)] == ["default-project", "staging"]
    api.call("POST", "/v1/memories/", json={  # the v1 API reaches a key's other projects
        "messages": [{"role": "user", "content": "only in staging"}], "user_id": "alex", "infer": False,
        "org_id": ping["org_id"], "project_id": created["project_id"],
    })
    assert api.memories(filters={"user_id": "alex"})["count"] == 0  # not in the default project
    in_staging = api.call("POST", "/v2/memories/", json={
        "filters": {"user_id": "alex"}, "org_id": ping["org_id"], "project_id": created["project_id"],
    })
    assert [m["memory"] for m in in_staging] == ["only in staging"]
    members = staging + "members/"
    api.call("POST", members, json={"email": "sam@example.com", "role": "READER"})
    api.call("POST", members, json={"email": "sam@example.com", "role": "READER"}, expect=400)
    api.call("PUT", members, json={"email": "sam@example.com", "role": "OWNER"})
    roles = {m["email"]: m["role"] for m in api.call("GET", members)["members"]}
    assert roles["sam@example.com"] == "OWNER" and len(roles) == 2
    api.call("DELETE", members, params={"email": "sam@example.com"})
    api.call("DELETE", members, params={"email": "sam@example.com"}, expect=404)
    api.call("DELETE", staging)
    api.call("GET", staging, expect=404)
    other = Api(api.url, OTHER_KEY)
    other.call("GET", f"/api/v1/orgs/organizations/{ping['org_id']}/projects/{ping['project_id']}/", expect=404)


# --------------------------------------------------------------------------- profiles


def test_profile_jobs_build_profiles_once_per_idempotency_key(api: Api):
    api.add([{"role": "user", "content": t} for t in ("Lives in Berlin", "Loves sushi and hiking")],
            user_id="alex", infer=False)
    assert api.call("GET", "/v2/entities/user/alex/profile/")["status"] == "pending"
    job = {"operation": "trigger", "entity_type": "user", "entity_id": "alex"}
    started = api.call("POST", "/v2/profiles/jobs/", expect=202, json=job, headers={"Idempotency-Key": "k-1"})
    again = api.call("POST", "/v2/profiles/jobs/", expect=202, json=job, headers={"Idempotency-Key": "k-1"})
    assert again["job_id"] == started["job_id"] and again["replayed"] is True and started["replayed"] is False
    done = wait_for(lambda: (j := api.call("GET", started["status_url"])["job"])["status"] == "SUCCEEDED" and j, "job")
    assert done["succeeded"] == 1 and done["results"][0]["entity_id"] == "alex"
    profile = api.call("GET", "/v2/entities/user/alex/profile/")
    assert profile["status"] == "succeeded" and profile["generation_count"] == 1
    assert profile["profile"]["location"] == "Berlin"
    api.call("GET", "/v2/entities/user/nobody/profile/", expect=404)
    api.call("POST", "/v2/profiles/jobs/", expect=404, json={**job, "entity_id": "nobody"})


def test_profile_settings_need_described_properties(api: Api):
    settings = api.call("GET", "/v2/profiles/settings/")
    assert settings["enabled"] is True and "location" in settings["entities"]["user"]["schema"]["properties"]
    bad = {"entities": {"user": {"schema": {"type": "object", "properties": {"x": {"type": "string"}}}}}}
    assert api.call("POST", "/v2/profiles/settings/", json=bad, expect=400) == {
        "entities": ["'description' is a required property"]}
    flat = api.call("POST", "/v2/profiles/settings/", json={"schema": {"type": "object"}}, expect=400)
    assert flat == {"non_field_errors": [
        "Settings nest under `entities.user`; a flat `schema` or `custom_instructions` is refused."]}
    assert api.call("POST", "/v2/profiles/settings/", expect=400,
                    json={"entities": {"user": {"schema": {"type": "object"}}}}) == {
        "entities": ["'properties' is a required property"]}
    assert api.call("GET", "/v2/profiles/settings/") == settings  # refused changes changed nothing
    changed = api.call("POST", "/v2/profiles/settings/", json={"enabled": False})
    assert changed["enabled"] is False
    api.add("Lives in Rome", user_id="alex", infer=False)
    assert api.call("GET", "/v2/entities/user/alex/profile/")["status"] == "not_enabled"


# --------------------------------------------------------------------------- webhooks


class Receiver:
    """A local webhook receiver: records each POST; answers the statuses it is given, in order."""

    def __init__(self, statuses: list[int] | None = None, hold: threading.Event | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        self.hold = hold
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if receiver.hold is not None:
                    receiver.hold.wait(DEADLINE_S)
                receiver.received.append({"body": body, "event": self.headers.get("X-Mem0-Event")})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def webhook(api: Api, url: str, event_types: list[str]) -> dict[str, Any]:
    project = api.call("GET", "/v1/ping/")["project_id"]
    return api.call("POST", f"/api/v1/webhooks/projects/{project}/", expect=201,
                    json={"name": "test hook", "url": url, "event_types": event_types})


def test_webhooks_get_the_documented_payloads(api: Api, receiver: Receiver):
    hook = webhook(api, receiver.url, ["memory_add", "memory_update", "memory_delete", "memory_categorize"])
    assert [w["webhook_id"] for w in api.call("GET", "/api/v1/webhooks/projects/null/")] == [hook["webhook_id"]]
    memory_id = api.add("I love hiking in the Alps", user_id="alex", infer=False)["results"][0]["id"]
    api.call("PUT", f"/v1/memories/{memory_id}/", json={"text": "I love hiking in the Dolomites"})
    api.call("DELETE", f"/v1/memories/{memory_id}/")
    wait_for(lambda: len(receiver.received) == 4, "four deliveries")
    by_event = {r["event"]: r["body"]["event_details"] for r in receiver.received}
    assert by_event["memory_add"] == {"id": memory_id, "data": {"memory": "I love hiking in the Alps"}, "event": "ADD"}
    assert by_event["memory_update"]["event"] == "UPDATE"
    assert by_event["memory_update"]["data"]["memory"] == "I love hiking in the Dolomites"
    assert by_event["memory_delete"] == {"id": memory_id, "data": {"memory": "I love hiking in the Dolomites"},
                                         "event": "DELETE"}
    categorize = by_event["memory_categorize"]
    assert categorize["event"] == "CATEGORIZE" and categorize["memory_id"] == memory_id and categorize["categories"]


def test_only_active_subscribed_webhooks_of_the_project_are_called(api: Api, receiver: Receiver):
    hook = webhook(api, receiver.url, ["memory_delete"])
    api.add("not delivered: an add", user_id="alex", infer=False)
    api.call("PUT", f"/api/v1/webhooks/{hook['webhook_id']}/", json={"eventTypes": ["memory_add"]})
    api.add("delivered", user_id="alex", infer=False)
    wait_for(lambda: receiver.received, "a delivery")
    api.call("PUT", f"/api/v1/webhooks/{hook['webhook_id']}/", json={"is_active": False})
    api.add("not delivered: inactive", user_id="alex", infer=False)
    Api(api.url, OTHER_KEY).add("not delivered: another key", user_id="alex", infer=False)
    api.call("DELETE", f"/api/v1/webhooks/{hook['webhook_id']}/")
    api.call("DELETE", f"/api/v1/webhooks/{hook['webhook_id']}/", expect=404)
    deliveries = requests.get(f"{api.url}/_mock/webhooks/deliveries", timeout=10).json()["deliveries"]
    assert [d["payload"]["event_details"]["data"]["memory"] for d in deliveries] == ["delivered"]
    assert [r["body"]["event_details"]["data"]["memory"] for r in receiver.received] == ["delivered"]


def test_failed_deliveries_are_retried_and_every_attempt_is_kept(api: Api):
    flaky = Receiver(statuses=[500, 503])
    try:
        webhook(api, flaky.url, ["memory_add"])
        api.add("worth retrying", user_id="alex", infer=False)
        wait_for(lambda: len(flaky.received) == 3, "three attempts")

        def delivered() -> Any:
            rows = requests.get(f"{api.url}/_mock/webhooks/deliveries", headers={"Authorization": f"Token {KEY}"},
                                timeout=10).json()["deliveries"]
            return rows and rows[0]["status"] == "delivered" and rows[0]

        record = wait_for(delivered, "the delivery's record")
        assert [a["status_code"] for a in record["attempts"]] == [500, 503, 200]
        assert [a["error"] for a in record["attempts"]] == ["HTTP 500", "HTTP 503", None]
    finally:
        flaky.close()


def test_a_dead_receiver_fails_after_every_attempt(api: Api):
    dead = Receiver()
    dead_url = dead.url
    dead.close()  # nothing listens there any more
    hook = webhook(api, dead_url, ["memory_add"])
    api.add("nobody hears this", user_id="alex", infer=False)
    url = f"{api.url}/_mock/webhooks/deliveries?webhook_id={hook['webhook_id']}"
    record = wait_for(lambda: (rows := requests.get(url, timeout=10).json()["deliveries"]) and
                      rows[0]["status"] == "failed" and rows[0], "a failed delivery")
    assert len(record["attempts"]) == FAST_RETRIES.attempts
    assert all(a["status_code"] is None and "Connection" in a["error"] for a in record["attempts"])


def test_a_slow_receiver_never_holds_up_the_api(api: Api):
    release = threading.Event()
    slow = Receiver(hold=release)
    try:
        webhook(api, slow.url, ["memory_add"])
        added = api.add("delivered later", user_id="alex", infer=False)  # the receiver is still holding
        assert len(added["results"]) == 1 and slow.received == []
        assert api.memories(filters={"user_id": "alex"})["count"] == 1
        release.set()
        wait_for(lambda: slow.received, "the held delivery")
    finally:
        release.set()
        slow.close()


def test_webhook_requests_are_validated(api: Api, receiver: Receiver):
    project = api.call("GET", "/v1/ping/")["project_id"]
    path = f"/api/v1/webhooks/projects/{project}/"
    bad_url = {"name": "x", "url": "ftp://x", "event_types": ["memory_add"]}
    assert "url" in api.call("POST", path, expect=400, json=bad_url)
    api.call("POST", path, expect=400, json={"name": "x", "url": receiver.url})
    api.call("POST", path, expect=400, json={"name": "x", "url": receiver.url, "event_types": ["memory_bogus"]})
    api.call("GET", f"/api/v1/webhooks/projects/proj_{uuid.uuid4().hex[:20]}/", expect=404)
