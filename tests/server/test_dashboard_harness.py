"""The harness endpoints the dashboard reads (and a test may call), over real HTTP, and the
mock's own pages: served on the API's port, never journaled, faulted or printed.

One live strict mock (ids seeded, clock frozen) serves the module and is reset before each
test; configurations of their own (background jobs, demo data, an admin token) get theirs.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import requests

from mock_server.api.inspection import masked
from mock_server.server import MockConfig, create_app
from mock_server.server.intercept import REQUEST_LOG
from mock_server.server.openapi import CompiledSpec
from mock_server.server.serving import BackgroundServer
from spec import SPEC_FILE, load_spec

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
KEY = "m0-dashboard-test-key-0001Z34l"
OTHER = "k2"


@pytest.fixture(scope="module")
def spec() -> CompiledSpec:
    return CompiledSpec()


@pytest.fixture(scope="module")
def server(spec: CompiledSpec) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(MockConfig(strict=True, seed=11, clock=START), spec)) as live:
        yield live


@pytest.fixture
def url(server: BackgroundServer) -> str:
    requests.post(f"{server.url}/_mock/reset", timeout=10).raise_for_status()
    return server.url


def api(url: str, method: str, path: str, key: str = KEY, **kwargs) -> requests.Response:
    return requests.request(method, url + path, headers={"Authorization": f"Token {key}"}, timeout=10, **kwargs)


def add(url: str, text: str, key: str = KEY, user: str = "alex", **extra) -> str:
    body = {"messages": [{"role": "user", "content": text}], "user_id": user, "infer": False, **extra}
    reply = api(url, "POST", "/v1/memories/", key, json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()[0]["id"]


def harness(url: str, path: str, method: str = "GET", expect: int = 200, **kwargs) -> dict:
    reply = requests.request(method, f"{url}/_mock{path}", timeout=10, **kwargs)
    assert reply.status_code == expect, reply.text
    return reply.json()


def tenant_of(url: str, key: str = KEY) -> str:
    return harness(url, "/tenants", headers={"Authorization": f"Token {key}"})["tenants"][0]["tenant"]


# --- keys ---------------------------------------------------------------------------------


def test_masked_keys_show_the_m0_prefix_and_at_most_a_quarter_of_the_rest():
    assert masked("m0-2f8Qh1vXbN4cT7pLz9eRw3yUa6sDk0Z34l") == "m0-*******Z34l"
    assert masked("m0-local") == "m0-*******l"
    assert masked("k1") == "*******"
    assert masked("abcdefgh") == "*******gh"


def test_tenants_are_named_by_masked_key_and_fingerprint_with_their_projects(url: str):
    add(url, "I love sailing")
    api(url, "GET", "/v1/ping/", OTHER)
    created = api(url, "POST", "/api/v1/orgs/organizations/{org}/projects/".format(
        org=api(url, "GET", "/v1/ping/").json()["org_id"]), json={"name": "staging"})
    assert created.status_code in (200, 201), created.text
    reply = requests.get(f"{url}/_mock/tenants", timeout=10)
    assert KEY not in reply.text and f'"{OTHER}"' not in reply.text
    tenants = reply.json()["tenants"]
    assert [t["key"] for t in tenants] == ["m0-*******Z34l", "*******"]
    mine = tenants[0]
    assert mine["memories"] == 1 and len(mine["tenant"]) == 8
    names = [(p["name"], p["is_default"], p["memories"]) for p in mine["projects"]]
    assert names == [("default-project", True, 1), ("staging", False, 0)]
    journal = harness(url, "/requests")
    assert {e["key"] for e in journal["requests"]} == {t["tenant"] for t in tenants}


# --- memories -------------------------------------------------------------------------------


def test_memories_are_filtered_by_entity_category_date_and_metadata(url: str):
    add(url, "I love pizza", metadata={"food": "pizza"})
    requests.post(f"{url}/_mock/clock", json={"advance_seconds": 3 * 86400}, timeout=10).raise_for_status()
    add(url, "I play the cello", user="sam")
    add(url, "Expired fact", user="sam", expiration_date="2025-01-02")
    fp = tenant_of(url)

    def texts(**params) -> list[str]:
        answer = harness(url, "/memories", params={"tenant": fp, **params})
        return [m["memory"] for m in answer["memories"]]

    assert texts() == ["I play the cello", "I love pizza"]
    assert sorted(texts(include_expired=1)) == ["Expired fact", "I love pizza", "I play the cello"]
    assert texts(user_id="alex") == ["I love pizza"]
    assert texts(category="food") == ["I love pizza"]
    assert texts(since="2025-01-03") == ["I play the cello"]
    assert texts(until="2025-01-02") == ["I love pizza"]
    assert texts(metadata=json.dumps({"food": "pizza"})) == ["I love pizza"]
    assert texts(limit=1) == ["I play the cello"]
    assert harness(url, "/memories", params={"tenant": fp, "limit": 1})["count"] == 2


def test_memory_search_is_the_engine_search_with_scores(url: str):
    add(url, "I enjoy sailing on the lake")
    add(url, "Allergic to nuts")
    answer = harness(url, "/memories", params={"tenant": tenant_of(url), "query": "boat trip"})
    (hit,) = answer["memories"]
    assert hit["memory"] == "I enjoy sailing on the lake"
    assert 0.1 <= hit["score"] <= 1 and set(hit["score_breakdown"]) == {"semantic", "bm25", "entity"}


def test_each_change_of_a_memory_links_to_the_request_that_made_it(url: str):
    memory_id = add(url, "Lives in Berlin")
    assert api(url, "PUT", f"/v1/memories/{memory_id}/", json={"text": "Lives in Lisbon"}).status_code == 200
    assert api(url, "DELETE", f"/v1/memories/{memory_id}/").status_code == 200
    found = harness(url, f"/memories/{memory_id}", params={"tenant": tenant_of(url)})
    assert found["deleted"] and found["memory"] is None
    changes = [(c["event"], c["old_memory"], c["new_memory"], c["request"]["method"], c["request"]["path"])
               for c in found["history"]]
    assert changes == [
        ("ADD", None, "Lives in Berlin", "POST", "/v1/memories/"),
        ("UPDATE", "Lives in Berlin", "Lives in Lisbon", "PUT", f"/v1/memories/{memory_id}/"),
        ("DELETE", "Lives in Lisbon", None, "DELETE", f"/v1/memories/{memory_id}/"),
    ]
    assert found["created_by"] == found["history"][0]["request"]
    entry = harness(url, f"/requests/{found['created_by']['seq']}")
    assert "Lives in Berlin" in entry["body"]


def test_a_queued_add_links_to_its_request_though_a_background_job_made_it(spec: CompiledSpec):
    with BackgroundServer(create_app(MockConfig(strict=True), spec)) as live:  # no seed, no clock: a real queue
        reply = api(live.url, "POST", "/v3/memories/add/",
                    json={"messages": [{"role": "user", "content": "I'm a vegetarian."}], "user_id": "ava"})
        assert reply.status_code == 200 and reply.json()["status"] == "PENDING", reply.text
        event_id = reply.json()["event_id"]
        deadline = time.monotonic() + 10
        while (event := api(live.url, "GET", f"/v1/event/{event_id}/").json())["status"] != "SUCCEEDED":
            assert time.monotonic() < deadline, event
            time.sleep(0.02)
        memory_id = event["results"][0]["id"]
        found = harness(live.url, f"/memories/{memory_id}", params={"tenant": tenant_of(live.url)})
    assert found["created_by"]["path"] == "/v3/memories/add/"
    assert found["created_by"]["seq"] == 1  # the mock's first request


def test_demo_data_was_made_by_no_request(spec: CompiledSpec):
    with BackgroundServer(create_app(MockConfig(demo=True, seed=3), spec)) as live:
        assert api(live.url, "GET", "/v1/ping/").status_code == 200
        fp = tenant_of(live.url)
        memory = harness(live.url, "/memories", params={"tenant": fp, "limit": 1})["memories"][0]
        found = harness(live.url, f"/memories/{memory['id']}", params={"tenant": fp})
    assert found["created_by"] is None and found["history"][0]["request"] is None


# --- entities, exports, webhooks, journal ----------------------------------------------------


def test_entities_exports_and_webhooks_of_a_project(url: str):
    add(url, "Fact one")
    add(url, "Fact two", user="sam")
    export = api(url, "POST", "/v1/exports/", json={"schema": {"type": "object"}, "filters": {"user_id": "sam"}})
    assert export.status_code in (200, 201), export.text
    project_id = api(url, "GET", "/v1/ping/").json()["project_id"]
    hook = api(url, "POST", f"/api/v1/webhooks/projects/{project_id}/",
               json={"name": "hook", "url": "http://127.0.0.1:9/", "event_types": ["memory_add"]})
    assert hook.status_code in (200, 201), hook.text
    fp = tenant_of(url)
    entities = harness(url, "/entities", params={"tenant": fp})["entities"]
    counts = sorted((e["type"], e["name"], e["total_memories"]) for e in entities)
    assert counts == [("user", "alex", 1), ("user", "sam", 1)]
    (listed,) = harness(url, "/exports", params={"tenant": fp})["exports"]
    assert listed["filters"] == {"user_id": "sam"} and "data" not in listed
    shown = harness(url, f"/exports/{listed['id']}", params={"tenant": fp})
    assert isinstance(shown["data"], dict)
    (webhook,) = harness(url, "/webhooks", params={"tenant": fp, "project_id": project_id})["webhooks"]
    assert webhook["name"] == "hook" and webhook["event_types"] == ["memory_add"]


def test_one_journal_entry_by_number_and_the_newest_after_a_number(url: str):
    for _ in range(3):
        api(url, "GET", "/v1/ping/")
    first, second, third = (e["seq"] for e in harness(url, "/requests")["requests"])  # numbers go on after a reset
    assert harness(url, f"/requests/{second}")["seq"] == second
    assert [e["seq"] for e in harness(url, "/requests", params={"after": first})["requests"]] == [second, third]
    assert [e["seq"] for e in harness(url, "/requests", params={"last": 1})["requests"]] == [third]
    assert [e["seq"] for e in harness(url, "/requests", params={"last": 2, "after": second})["requests"]] == [third]
    harness(url, f"/requests/{third + 1}", expect=404)
    harness(url, "/requests", params={"after": "x"}, expect=400)
    harness(url, "/requests", params={"last": "0"}, expect=400)


@pytest.mark.parametrize(
    ("path", "params", "named", "status"),
    [
        ("/memories", {}, False, 400),  # no key named
        ("/memories", {"tenant": "00000000"}, False, 404),
        ("/entities", {"tenant": "00000000"}, False, 404),
        ("/memories", {"project_id": "proj_nope"}, True, 404),
        ("/memories", {"limit": "0"}, True, 400),
        ("/memories", {"metadata": "[1]"}, True, 400),
        ("/memories", {"since": "yesterday"}, True, 400),
        ("/memories/nope", {}, True, 404),
        ("/exports/nope", {}, True, 404),
    ],
)
def test_bad_questions_are_4xx_never_500(url: str, path: str, params: dict, named: bool, status: int):
    add(url, "Fact")
    harness(url, path, params={"tenant": tenant_of(url), **params} if named else params, expect=status)


# --- the playground -------------------------------------------------------------------------


def test_the_playground_sends_as_a_key_named_by_fingerprint_and_is_journaled(url: str):
    add(url, "I love sailing")
    fp = tenant_of(url)
    body = {"query": "sailing", "filters": {"user_id": "alex"}}
    reply = requests.post(f"{url}/_mock/playground", timeout=10,
                          json={"tenant": fp, "method": "POST", "path": "/v2/memories/search/", "body": body})
    assert reply.status_code == 200 and KEY not in reply.text
    answer = reply.json()
    assert answer["status"] == 200 and answer["body"][0]["memory"] == "I love sailing"
    entry = harness(url, f"/requests/{answer['request']}")
    assert (entry["key"], entry["operation_id"], json.loads(entry["body"])) == (fp, "searchMemoriesV2", body)


def test_the_playground_with_a_typed_key_without_one_and_through_a_fault(url: str):
    typed = harness(url, "/playground", "POST", json={"api_key": OTHER, "method": "GET", "path": "/v1/ping/?org_id=o"})
    assert typed["status"] == 200 and typed["body"]["org_id"] == "o" and OTHER not in json.dumps(typed)
    anonymous = harness(url, "/playground", "POST", json={"method": "GET", "path": "/v1/ping/"})
    assert anonymous["status"] == 401 and anonymous["headers"]["WWW-Authenticate"]
    harness(url, "/faults", "POST", expect=201, json={"path": "ping", "drop": True, "times": 1})
    dropped = harness(url, "/playground", "POST", json={"api_key": OTHER, "method": "GET", "path": "/v1/ping/"})
    assert dropped["status"] is None and harness(url, f"/requests/{dropped['request']}")["fault"] == "f1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "TRACE", "path": "/v1/ping/"}, "method"),
        ({"method": "GET", "path": "/_mock/state"}, "path"),
        ({"method": "GET", "path": "v1/ping/"}, "path"),
        ({"method": "GET", "path": "/v1/ping/", "tenant": "00000000"}, "tenant"),
        ({"method": "GET", "path": "/v1/ping/", "tenant": "x", "api_key": "y"}, "tenant"),
        ({"method": "GET", "path": "/v1/ping/", "query": [1]}, "query"),
        ({"method": "GET", "path": "/v1/ping/", "headers": {}}, "headers"),
    ],
)
def test_bad_playground_requests_are_400_naming_the_field(url: str, body: dict, field: str):
    assert field in harness(url, "/playground", "POST", expect=400, json=body)


def test_a_fault_rule_names_its_key_by_fingerprint(url: str):
    add(url, "Fact")
    rule = harness(url, "/faults", "POST", expect=201, json={"path": "ping", "status": 503, "tenant": tenant_of(url)})
    assert rule["key"] == tenant_of(url)
    assert api(url, "GET", "/v1/ping/").status_code == 503
    assert api(url, "GET", "/v1/ping/", OTHER).status_code == 200
    harness(url, "/faults", "POST", expect=400, json={"path": "ping", "status": 503, "tenant": "00000000"})


# --- the mock's own pages -------------------------------------------------------------------


def test_the_root_leads_to_the_dashboard_and_the_spec_is_served_raw(url: str):
    root = requests.get(f"{url}/", timeout=10, allow_redirects=False)
    assert root.status_code == 302 and root.headers["Location"].endswith("/dashboard/")
    docs = requests.get(f"{url}/docs", timeout=10)
    assert docs.url.endswith("/dashboard/reference") and "<title>" in docs.text
    page = requests.get(f"{url}/dashboard/memories/anything", timeout=10)
    assert page.status_code == 200 and "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert requests.get(f"{url}/dashboard/static/js/app.js", timeout=10).headers["Content-Type"].startswith(
        "text/javascript")
    assert requests.get(f"{url}/openapi.yaml", timeout=10).text == SPEC_FILE.read_text(encoding="utf-8")
    assert requests.get(f"{url}/openapi.json", timeout=10).json() == load_spec()
    assert requests.get(f"{url}/dashboard/static/nope.js", timeout=10).status_code == 404
    assert harness(url, "/requests")["count"] == 0  # none of it is journaled


def test_the_dashboard_cannot_be_faulted(url: str):
    for path in ("/dashboard/", "/openapi.json", "/"):
        reply = harness(url, "/faults", "POST", expect=400, json={"path": path, "status": 500})
        assert "cannot be faulted" in reply["path"][0]


def test_the_dashboards_own_harness_calls_and_pages_are_not_printed(spec: CompiledSpec, caplog):
    client = create_app(MockConfig(), spec).test_client()
    caplog.set_level(logging.INFO, logger=REQUEST_LOG.name)
    client.get("/_mock/requests", headers={"X-Mem0-Mock-Client": "dashboard"})
    client.get("/dashboard/requests")
    client.get("/openapi.json")
    assert not [r for r in caplog.records if r.name == REQUEST_LOG.name]
    client.get("/_mock/requests")
    (printed,) = [r.getMessage() for r in caplog.records if r.name == REQUEST_LOG.name]
    assert printed.startswith("GET /_mock/requests 200")


def test_an_admin_token_guards_the_new_endpoints_but_not_the_pages(spec: CompiledSpec):
    client = create_app(MockConfig(admin_token="s3cret"), spec).test_client()
    for path in ("/_mock/tenants", "/_mock/memories?tenant=x", "/_mock/requests/1"):
        assert client.get(path).status_code == 401
    assert client.post("/_mock/playground", json={"method": "GET", "path": "/v1/ping/"}).status_code == 401
    assert client.get("/_mock/tenants", headers={"X-Mem0-Mock-Admin": "s3cret"}).status_code == 200
    page = client.get("/dashboard/")
    assert page.status_code == 200 and "s3cret" not in page.text


def test_a_key_restored_from_a_snapshot_is_inspectable_before_its_key_is_seen(url: str, spec: CompiledSpec):
    """A snapshot holds key hashes only: a restored tenant is named by fingerprint until a
    request brings its key, and the views, faults and playground work (or say why not)."""
    memory_id = add(url, "I love sailing")
    document = harness(url, "/snapshot")
    with BackgroundServer(create_app(MockConfig(strict=True, seed=11, clock=START), spec)) as fresh:
        harness(fresh.url, "/snapshot", "POST", json=document)
        [tenant] = harness(fresh.url, "/tenants")["tenants"]
        assert tenant["key"] is None and tenant["memories"] == 1
        fp = tenant["tenant"]
        listed = harness(fresh.url, "/memories", params={"tenant": fp})
        assert [m["memory"] for m in listed["memories"]] == ["I love sailing"]
        searched = harness(fresh.url, "/memories", params={"tenant": fp, "query": "sailing"})
        assert [m["id"] for m in searched["memories"]] == [memory_id]
        detail = harness(fresh.url, f"/memories/{memory_id}", params={"tenant": fp})
        assert [change["event"] for change in detail["history"]] == ["ADD"]
        refused = harness(fresh.url, "/playground", "POST", expect=400,
                          json={"tenant": fp, "method": "GET", "path": "/v1/ping/"})
        assert "restored" in refused["tenant"][0]
        rule = harness(fresh.url, "/faults", "POST", expect=201,
                       json={"tenant": fp, "path": "/v1/memories/", "method": "GET", "status": 503})
        assert rule["key"] == fp
        assert api(fresh.url, "GET", "/v1/memories/", params={"user_id": "alex"}).status_code == 503
        assert api(fresh.url, "GET", "/v1/memories/", OTHER, params={"user_id": "alex"}).status_code == 200
        harness(fresh.url, "/faults", "DELETE")
        assert api(fresh.url, "GET", "/v1/ping/").status_code == 200
        assert harness(fresh.url, "/tenants")["tenants"][0]["key"] == "m0-*******Z34l"  # seen now
