"""The test harness under /_mock/ over real HTTP: faults, the clock, the journal, reset, access.

One live strict mock (ids seeded, clock frozen) serves the module; each test starts from a
reset. Configurations a test needs on its own (a tiny journal, demo data, an admin token)
are served by the Flask test client, which runs the same hooks.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.server import MockConfig, create_app
from mock_server.server.openapi import CompiledSpec
from mock_server.server.serving import BackgroundServer
from tests.conftest import auth

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
KEY = "m0-harness-key"
OTHER = "m0-harness-other"
HEADERS = {"Authorization": f"Token {KEY}"}


@pytest.fixture(scope="module")
def spec() -> CompiledSpec:
    return CompiledSpec()  # compiled once for the module's mocks


@pytest.fixture(scope="module")
def server(spec: CompiledSpec) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(MockConfig(strict=True, seed=7, clock=START), spec)) as live:
        yield live


@pytest.fixture
def url(server: BackgroundServer) -> str:
    requests.post(f"{server.url}/_mock/reset", timeout=10).raise_for_status()
    return server.url


def add(url: str, text: str, key: str = KEY, **extra) -> requests.Response:
    body = {"messages": [{"role": "user", "content": text}], "user_id": "u", "infer": False,
            "output_format": "v1.1", **extra}
    return requests.post(f"{url}/v1/memories/", json=body, headers={"Authorization": f"Token {key}"}, timeout=10)


def listed(url: str, key: str = KEY, filters: dict | None = None) -> list[str]:
    body = {"filters": filters or {"user_id": "u"}}
    reply = requests.post(f"{url}/v2/memories/", json=body, headers={"Authorization": f"Token {key}"}, timeout=10)
    assert reply.status_code == 200, reply.text
    return [memory["memory"] for memory in reply.json()]


def add_fault(url: str, **rule) -> dict:
    reply = requests.post(f"{url}/_mock/faults", json=rule, timeout=10)
    assert reply.status_code == 201, reply.text
    return reply.json()


def journal(url: str, **filters) -> dict:
    reply = requests.get(f"{url}/_mock/requests", params=filters, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


# --- faults ----------------------------------------------------------------------------


def test_a_fault_hits_twice_then_stops_and_changes_nothing(url: str):
    rule = add_fault(url, method="POST", path="/v1/memories/", status=429, headers={"Retry-After": "1"}, times=2)
    assert rule["id"] == "f1" and rule["remaining"] == 2
    first, second, third = (add(url, f"fact {i}") for i in range(3))
    for reply in (first, second):
        assert reply.status_code == 429
        assert reply.headers["Retry-After"] == "1"
        assert reply.json() == {"detail": "Request was throttled."}
    assert third.status_code == 200
    assert listed(url) == ["fact 2"]  # the faulted adds stored nothing
    entries = journal(url, path="/v1/memories/")["requests"]
    assert [(e["status"], e["fault"]) for e in entries] == [(429, "f1"), (429, "f1"), (200, None)]
    (listed_rule,) = requests.get(f"{url}/_mock/faults", timeout=10).json()["faults"]
    assert listed_rule["hits"] == 2 and listed_rule["remaining"] == 0


def test_rules_match_by_template_operation_method_and_key(url: str):
    memory_id = add(url, "Likes tea").json()["results"][0]["id"]
    add_fault(url, path="/v1/memories/{memory_id}/", method="DELETE", status=503)
    add_fault(url, path="getMemoryHistory", api_key=OTHER, status=500, body={"error": "boom"})
    memory_url = f"{url}/v1/memories/{memory_id}/"
    assert requests.delete(memory_url, headers=HEADERS, timeout=10).status_code == 503
    assert requests.get(memory_url, headers=HEADERS, timeout=10).status_code == 200  # GET is not faulted
    assert requests.get(f"{memory_url}history/", headers=HEADERS, timeout=10).status_code == 200  # not OTHER
    other = requests.get(f"{memory_url}history/", headers={"Authorization": f"Token {OTHER}"}, timeout=10)
    assert other.status_code == 500 and other.json() == {"error": "boom"}
    assert listed(url) == ["Likes tea"]  # the faulted delete deleted nothing
    listing = requests.get(f"{url}/_mock/faults", timeout=10).text
    assert OTHER not in listing  # a rule's key is listed as a fingerprint only
    assert json.loads(listing)["faults"][1]["key"] == journal(url, fault="f2")["requests"][0]["key"]


def test_a_text_body_and_its_content_type_are_sent_as_given(url: str):
    add_fault(url, path="ping", status=502, headers={"Content-Type": "text/html"}, body="<h1>Bad gateway</h1>")
    reply = requests.get(f"{url}/v1/ping/", headers=HEADERS, timeout=10)
    assert reply.status_code == 502 and reply.text == "<h1>Bad gateway</h1>"
    assert reply.headers["Content-Type"].startswith("text/html")


def test_a_dropped_connection_gets_no_answer_and_changes_nothing(url: str):
    add_fault(url, path="addMemories", drop=True, times=1)
    body = json.dumps({"messages": [{"role": "user", "content": "lost"}], "user_id": "u", "infer": False})
    request = (
        f"POST /v1/memories/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    )
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        received = b""
        while chunk := sock.recv(4096):  # returns b"" once the server has closed
            received += chunk
    assert received == b""  # not even a status line
    assert listed(url) == []
    (entry,) = journal(url, fault="f1")["requests"]
    assert entry["status"] is None and entry["operation_id"] == "addMemories"
    assert json.loads(entry["body"])["messages"][0]["content"] == "lost"
    add_fault(url, path="addMemories", drop=True, times=1)
    with pytest.raises(requests.ConnectionError):
        add(url, "lost again")
    assert add(url, "kept").status_code == 200  # the rule is spent


def test_delay_alone_delays_the_real_answer_within_a_tolerance(url: str):
    started = time.perf_counter()
    assert add(url, "warm up").status_code == 200
    baseline = time.perf_counter() - started
    add_fault(url, path="addMemories", delay_ms=300, times=1)
    started = time.perf_counter()
    reply = add(url, "slow")
    elapsed = time.perf_counter() - started
    assert reply.status_code == 200  # the real answer, late
    assert 0.3 <= elapsed <= 0.3 + baseline + 0.25, f"{elapsed:.3f}s for a 300 ms delay (baseline {baseline:.3f}s)"
    assert sorted(listed(url)) == ["slow", "warm up"]  # the delayed add was stored
    (entry,) = journal(url, fault="f1")["requests"]
    assert entry["status"] == 200 and 300 <= entry["duration_ms"] <= 300 + 1000 * (baseline + 0.25)


def test_probability_draws_repeat_after_a_reset(url: str):
    def pattern() -> list[int]:
        add_fault(url, path="ping", status=500, probability=0.5)
        return [requests.get(f"{url}/v1/ping/", headers=HEADERS, timeout=10).status_code for _ in range(24)]

    first = pattern()
    requests.post(f"{url}/_mock/reset", timeout=10).raise_for_status()
    assert pattern() == first
    assert 4 <= first.count(500) <= 20 and set(first) == {200, 500}


def test_removing_and_clearing_rules(url: str):
    add_fault(url, path="ping", status=500)
    add_fault(url, path="ping", status=503)
    assert requests.delete(f"{url}/_mock/faults/f1", timeout=10).status_code == 200
    assert requests.get(f"{url}/v1/ping/", headers=HEADERS, timeout=10).status_code == 503
    missing = requests.delete(f"{url}/_mock/faults/f1", timeout=10)
    assert missing.status_code == 404 and "f1" in missing.json()["detail"]
    cleared = requests.delete(f"{url}/_mock/faults", timeout=10)
    assert cleared.json()["removed"] == 1
    assert requests.get(f"{url}/v1/ping/", headers=HEADERS, timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"status": 500}, "path"),
        ({"path": "noSuchOperation", "status": 500}, "path"),
        ({"path": "/_mock/reset", "status": 500}, "path"),
        ({"path": "ping", "method": "POST", "status": 500}, "method"),
        ({"path": "ping", "method": "FETCH", "status": 500}, "method"),
        ({"path": "ping", "status": 99}, "status"),
        ({"path": "ping", "status": "500"}, "status"),
        ({"path": "ping", "status": 500, "times": 0}, "times"),
        ({"path": "ping", "status": 500, "probability": 1.5}, "probability"),
        ({"path": "ping", "delay_ms": -1}, "delay_ms"),
        ({"path": "ping", "drop": "yes"}, "drop"),
        ({"path": "ping", "drop": True, "status": 500}, "status"),
        ({"path": "ping", "body": {}}, "body"),
        ({"path": "ping", "status": 204, "body": {"a": 1}}, "body"),
        ({"path": "ping", "status": 500, "headers": {"Connection": "close"}}, "headers"),
        ({"path": "ping", "status": 500, "headers": {"X-A": "a\r\nb"}}, "headers"),
        ({"path": "ping", "status": 500, "delay": 5}, "delay"),
        ({"path": "ping"}, "non_field_errors"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_bad_rules_are_400_naming_the_field(url: str, rule, field: str):
    reply = requests.post(f"{url}/_mock/faults", json=rule, timeout=10)
    assert reply.status_code == 400, reply.text
    assert isinstance(reply.json().get(field), list), reply.json()
    assert requests.get(f"{url}/_mock/faults", timeout=10).json()["count"] == 0


def test_harness_bodies_that_are_not_json_are_400(url: str):
    reply = requests.post(f"{url}/_mock/faults", data=b"{not json", timeout=10)
    assert reply.status_code == 400 and reply.json()["detail"].startswith("JSON parse error")


# --- clock and ids ---------------------------------------------------------------------


def test_the_frozen_clock_dates_writes_and_moves_expiry_and_date_filters(url: str):
    assert requests.get(f"{url}/_mock/clock", timeout=10).json() == {"now": "2025-01-01T00:00:00Z", "frozen": True}
    memory = add(url, "Is in Lisbon", expiration_date="2025-01-02").json()["results"][0]
    stored = requests.get(f"{url}/v1/memories/{memory['id']}/", headers=HEADERS, timeout=10).json()
    assert stored["created_at"] == "2025-01-01T00:00:00Z"
    moved = requests.post(f"{url}/_mock/clock", json={"advance_seconds": 2 * 86400}, timeout=10)
    assert moved.json() == {"now": "2025-01-03T00:00:00Z", "frozen": True}
    add(url, "Is in Porto")
    assert listed(url) == ["Is in Porto"]  # the first expired on the 2nd
    later = {"AND": [{"user_id": "u"}, {"created_at": {"gte": "2025-01-02"}}]}
    assert listed(url, filters=later) == ["Is in Porto"]
    requests.post(f"{url}/_mock/clock", json={"now": "2030-06-01T12:00:00Z"}, timeout=10).raise_for_status()
    assert requests.get(f"{url}/_mock/clock", timeout=10).json()["now"] == "2030-06-01T12:00:00Z"


def test_clock_bad_input_and_wall_time(url: str):
    for body, field in (
        ({}, "non_field_errors"),
        ({"now": "2025-01-01T00:00:00Z", "advance_seconds": 1}, "non_field_errors"),
        ({"now": "tomorrow"}, "now"),
        ({"advance_seconds": "1"}, "advance_seconds"),
        ({"advance_seconds": 1e300}, "advance_seconds"),
        ({"later": 1}, "later"),
    ):
        reply = requests.post(f"{url}/_mock/clock", json=body, timeout=10)
        assert reply.status_code == 400 and field in reply.json(), (body, reply.text)
    wall = requests.delete(f"{url}/_mock/clock", timeout=10).json()
    assert wall["frozen"] is False and wall["now"] > "2025-01-02"
    refused = requests.post(f"{url}/_mock/clock", json={"advance_seconds": 60}, timeout=10)
    assert refused.status_code == 400 and "freeze it first" in refused.json()["advance_seconds"][0]
    requests.post(f"{url}/_mock/reset", timeout=10).raise_for_status()
    assert requests.get(f"{url}/_mock/clock", timeout=10).json()["now"] == "2025-01-01T00:00:00Z"  # as started


def test_reset_restarts_the_id_sequence_and_a_seed_can_be_chosen(url: str):
    first = [add(url, f"fact {i}").json()["results"][0]["id"] for i in range(3)]
    requests.post(f"{url}/_mock/reset", timeout=10).raise_for_status()
    assert [add(url, f"fact {i}").json()["results"][0]["id"] for i in range(3)] == first
    requests.post(f"{url}/_mock/reset", json={"seed": 8}, timeout=10).raise_for_status()
    other = [add(url, f"fact {i}").json()["results"][0]["id"] for i in range(3)]
    assert not set(other) & set(first)
    bad = requests.post(f"{url}/_mock/reset", json={"seed": "8"}, timeout=10)
    assert bad.status_code == 400 and "seed" in bad.json()


# --- journal ---------------------------------------------------------------------------


def test_the_journal_records_404s_405s_and_bodies_but_never_keys(url: str):
    requests.get(f"{url}/v1/no-such-thing/?q=1", headers=HEADERS, timeout=10)
    requests.patch(f"{url}/v1/ping/", headers=HEADERS, timeout=10)
    add(url, "x" * 5000)
    entries = journal(url)["requests"]
    missing, refused, long_add = entries
    assert (missing["path"], missing["query"], missing["status"], missing["operation_id"]) == (
        "/v1/no-such-thing/", "q=1", 404, None
    )
    assert (refused["method"], refused["status"]) == ("PATCH", 405)
    assert long_add["body_truncated"] is True and len(long_add["body"].encode()) == 4096
    assert missing["key"] == long_add["key"] and len(missing["key"]) == 8
    assert all(isinstance(e["duration_ms"], float) and e["time"].endswith("Z") for e in entries)
    assert KEY not in json.dumps(journal(url))


def test_journal_filters(url: str):
    add(url, "mine")
    add(url, "theirs", key=OTHER)
    requests.get(f"{url}/v1/nothing/", headers=HEADERS, timeout=10)
    mine = journal(url, path="/v1/memories/")["requests"][0]["key"]
    assert [e["key"] for e in journal(url, key=mine)["requests"]] == [mine, mine]
    assert [e["path"] for e in journal(url, status="4xx")["requests"]] == ["/v1/nothing/"]
    assert journal(url, status="404")["count"] == 1 and journal(url, status="2xx")["count"] == 2
    assert journal(url, operation="addMemories")["count"] == 2
    assert journal(url, path="addMemories", method="post")["count"] == 2
    stamps = [e["time"] for e in journal(url)["requests"]]
    assert journal(url, since=stamps[1])["count"] >= 2
    assert journal(url, until="2000-01-01T00:00:00Z")["count"] == 0
    reply = requests.get(f"{url}/_mock/requests", params={"status": "4x", "since": "soon", "who": "me"}, timeout=10)
    assert reply.status_code == 400 and set(reply.json()) == {"status", "since", "who"}
    assert requests.get(f"{url}/_mock/requests", params={"operation": "nope"}, timeout=10).status_code == 400


def test_a_full_journal_counts_what_it_dropped(spec: CompiledSpec):
    client = create_app(MockConfig(journal_size=2), spec).test_client()
    for _ in range(5):
        client.get("/v1/ping/", headers=auth())
    answer = client.get("/_mock/requests").json
    assert answer["count"] == 2 and answer["dropped"] == 3
    assert [e["seq"] for e in answer["requests"]] == [4, 5]
    client.delete("/_mock/requests")
    assert client.get("/_mock/requests").json["dropped"] == 0


# --- reset and access ------------------------------------------------------------------


def test_reset_empties_a_demo_mock_until_asked_for_the_demo_back(spec: CompiledSpec):
    client = create_app(MockConfig(demo=True), spec).test_client()

    def alex() -> int:
        reply = client.post("/v2/memories/", json={"filters": {"user_id": "alex"}}, headers=auth())
        return len(reply.json)

    assert alex() > 0
    assert client.post("/_mock/reset").status_code == 200
    assert alex() == 0 and alex() == 0  # the key is not refilled
    assert client.post("/_mock/reset", json={"demo": True}).status_code == 200
    assert alex() > 0
    assert client.post("/_mock/reset", json={"api_key": "k", "demo": True}).status_code == 400
    assert client.post("/_mock/reset", json={"everything": True}).status_code == 400


def test_an_admin_token_guards_the_harness_only(spec: CompiledSpec):
    client = create_app(MockConfig(admin_token="s3cret"), spec).test_client()
    missing = client.get("/_mock/state")
    assert missing.status_code == 401 and "X-Mem0-Mock-Admin" in missing.json["detail"]
    wrong = client.get("/_mock/state", headers={"X-Mem0-Mock-Admin": "guess"})
    assert wrong.status_code == 403 and wrong.json == {"detail": "Invalid admin token."}
    assert client.post("/_mock/faults", json={"path": "ping", "status": 500}).status_code == 401
    assert client.get("/v1/ping/", headers=auth()).status_code == 200  # the API is not guarded
    good = client.get("/_mock/requests", headers={"X-Mem0-Mock-Admin": "s3cret"})
    assert good.status_code == 200 and good.json["count"] == 1
    assert "s3cret" not in good.text and "s3cret" not in repr(MockConfig(admin_token="s3cret"))


# --- hostile input ---------------------------------------------------------------------

values = st.none() | st.booleans() | st.integers(-10, 700) | st.floats(allow_nan=False) | st.text(max_size=12) | (
    st.dictionaries(st.text(max_size=8), st.text(max_size=8) | st.integers(), max_size=3)
)
# delay_ms stays out: a valid one only makes the run slower (bad ones are in the table above)
rules = st.dictionaries(
    st.sampled_from(["method", "path", "api_key", "status", "headers", "body", "times", "probability",
                     "extra"]),
    values
    | st.sampled_from(["ping", "/v1/ping/", "GET", "/v1/memories/{memory_id}/", "addMemories"])
    | st.integers(200, 599),
    max_size=6,
)


queries = st.dictionaries(st.sampled_from(["path", "status", "since", "key", "operation", "x"]), st.text(max_size=12))


@pytest.fixture(scope="module")
def plain_client(spec: CompiledSpec):
    return create_app(MockConfig(), spec).test_client()


@settings(max_examples=120, deadline=None)
@given(rule=rules | values, clock=values | st.dictionaries(st.sampled_from(["now", "advance_seconds"]), values),
       query=queries)
def test_hostile_harness_input_is_never_a_server_error(plain_client, rule, clock, query):
    client = plain_client
    client.post("/_mock/reset")
    added = client.post("/_mock/faults", json=rule)
    assert added.status_code in (201, 400), (rule, added.text)
    answer = client.get("/v1/ping/", headers=auth())  # whatever the rule says, it is said without a crash
    expected = {200, added.json["status"]} if added.status_code == 201 else {200}
    assert answer.status_code in expected, (rule, answer.status_code, answer.text)
    assert client.post("/_mock/clock", json=clock).status_code in (200, 400)
    assert client.post("/_mock/reset", json=clock).status_code in (200, 400)
    assert client.get("/_mock/requests", query_string=query).status_code in (200, 400)
