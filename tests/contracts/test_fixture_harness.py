"""The harness through the `mem0_mock` fixture's methods, as a user's tests drive it."""

from __future__ import annotations

import os
import textwrap
import time
from datetime import datetime, timezone

import pytest
import requests

from contracts.plugin import HarnessError, LiveMock

os.environ.setdefault("MEM0_TELEMETRY", "False")
from mem0 import MemoryClient  # noqa: E402  (after telemetry is off)
from mem0.exceptions import RateLimitError  # noqa: E402


def add(mock: LiveMock, text: str, **extra) -> requests.Response:
    body = {"messages": [{"role": "user", "content": text}], "user_id": "u", "infer": False, **extra}
    return requests.post(f"{mock.url}/v1/memories/", json=body, headers=mock.headers, timeout=10)


def test_a_fault_hits_twice_then_stops(mem0_mock: LiveMock):
    fault_id = mem0_mock.add_fault("/v2/memories/search/", method="POST", status=429, times=2,
                                   api_key=mem0_mock.api_key, headers={"Retry-After": "1"})
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    client.add([{"role": "user", "content": "I'm a vegetarian."}], user_id="u1")
    for _ in range(2):
        with pytest.raises(RateLimitError):  # what the SDK makes of a 429
            client.search("dinner ideas", version="v2", filters={"user_id": "u1"})
    assert client.search("dinner ideas", version="v2", filters={"user_id": "u1"})
    (rule,) = mem0_mock.faults()
    assert rule["id"] == fault_id and rule["hits"] == 2 and rule["remaining"] == 0
    faulted = mem0_mock.requests(fault=fault_id)
    assert [entry["status"] for entry in faulted] == [429, 429]
    assert {entry["key"] for entry in faulted} == {mem0_mock.key_fingerprint}


def test_a_dropped_connection_and_removing_rules(mem0_mock: LiveMock):
    fault_id = mem0_mock.add_fault("addMemories", drop=True)
    with pytest.raises(requests.ConnectionError):
        add(mem0_mock, "never stored")
    mem0_mock.remove_fault(fault_id)
    assert add(mem0_mock, "stored").status_code == 200
    mem0_mock.add_fault("ping", status=500)
    mem0_mock.clear_faults()
    assert mem0_mock.faults() == []
    with pytest.raises(HarnessError, match="400"):
        mem0_mock.add_fault("ping", status=42)


def test_latency_within_a_tolerance(mem0_mock: LiveMock):
    mem0_mock.add_fault("ping", delay_ms=250, times=1)
    started = time.perf_counter()
    reply = requests.get(f"{mem0_mock.url}/v1/ping/", headers=mem0_mock.headers, timeout=10)
    elapsed = time.perf_counter() - started
    assert reply.status_code == 200 and 0.25 <= elapsed <= 0.6, elapsed


def test_the_clock_makes_expiry_testable(mem0_mock: LiveMock):
    assert mem0_mock.set_clock("2025-03-01T09:00:00Z") == "2025-03-01T09:00:00Z"
    add(mem0_mock, "Is on holiday", expiration_date="2025-03-05")
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    assert [m["memory"] for m in client.get_all(user_id="u")] == ["Is on holiday"]
    assert mem0_mock.advance_clock(7 * 86400) == "2025-03-08T09:00:00Z"
    assert client.get_all(user_id="u") == []
    assert mem0_mock.clock() == "2025-03-08T09:00:00Z"
    assert mem0_mock.unfreeze_clock() > "2025-03-08"


def test_seeded_reset_repeats_ids_and_the_journal_keeps_404s(mem0_mock: LiveMock):
    mem0_mock.reset(seed=5)
    first = add(mem0_mock, "one").json()
    mem0_mock.reset(seed=5)
    assert add(mem0_mock, "one").json() == first
    requests.get(f"{mem0_mock.url}/v1/nowhere/", headers=mem0_mock.headers, timeout=10)
    (entry,) = mem0_mock.requests(status=404)
    assert entry["path"] == "/v1/nowhere/" and entry["key"] == mem0_mock.key_fingerprint
    assert mem0_mock.journal(path="addMemories")["dropped"] == 0


def test_reset_with_the_demo_data(mem0_mock: LiveMock):
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    assert client.get_all(user_id="alex") == []
    mem0_mock.reset(demo=True)
    assert "Is a vegetarian" in {m["memory"] for m in client.get_all(user_id="alex")}
    mem0_mock.reset()
    assert client.get_all(user_id="alex") == []


def test_fixtures_snapshots_and_restores(mem0_mock: LiveMock):
    loaded = mem0_mock.load_memories([
        {"text": "Is a vegetarian", "user_id": "alex", "categories": ["food"],
         "created_at": datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)},
        {"text": "Lives in Lisbon", "user_id": "alex", "created_at": "2025-01-03T00:00:00Z"},
    ])
    assert loaded["memories"] == 2
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    assert [m["memory"] for m in client.get_all(user_id="alex")] == ["Lives in Lisbon", "Is a vegetarian"]
    saved = mem0_mock.snapshot(mine=True)
    client.add([{"role": "user", "content": "Likes tea"}], user_id="alex", infer=False)
    client.delete_all(user_id="alex")
    assert client.get_all(user_id="alex") == []
    mem0_mock.restore(saved)
    assert [m["memory"] for m in client.get_all(user_id="alex")] == ["Lives in Lisbon", "Is a vegetarian"]
    assert mem0_mock.snapshot() == saved
    with pytest.raises(HarnessError, match="400"):
        mem0_mock.load_memories([{"text": "no entity id"}])


def test_the_fixture_sends_a_configured_admin_token(pytester: pytest.Pytester):
    pytester.makepyfile(
        textwrap.dedent(
            """
            import requests

            def test_harness(mem0_mock):
                assert mem0_mock.admin_token == "t0ken"
                assert requests.get(f"{mem0_mock.url}/_mock/state", timeout=10).status_code == 401
                mem0_mock.add_fault("ping", status=503)
                reply = requests.get(f"{mem0_mock.url}/v1/ping/", headers=mem0_mock.headers, timeout=10)
                assert reply.status_code == 503
            """
        )
    )
    result = pytester.runpytest("--mem0-admin-token", "t0ken", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
