"""`mem0-mock --clock ... --seed N`: two fresh mocks answer the same requests byte for byte.

The two run in processes of their own with different PYTHONHASHSEEDs, so an answer that
depended on set or dict order of strings, on the wall clock or on a random id would differ.
"""

from __future__ import annotations

from typing import Any

import requests

from tests.processes import running_mocks

FLAGS = ("--clock", "2025-01-01T00:00:00Z", "--seed", "11", "--quiet")
# The same Host header too: page links name the host the request was sent to.
HEADERS = {"Authorization": "Token m0-same", "Host": "mem0.test"}


def conversation(url: str) -> list[tuple[int, bytes]]:
    """A session touching every id and timestamp source: adds (verbatim, inferred, queued),
    search, lists, updates, history, exports, entities, and a clock move in between."""
    http = requests.Session()
    http.headers.update(HEADERS)
    answers: list[tuple[int, bytes]] = []

    def call(method: str, path: str, body: Any = None, **params: Any) -> Any:
        reply = http.request(method, f"{url}{path}", json=body, params=params or None, timeout=30)
        answers.append((reply.status_code, reply.content))
        return reply.json() if reply.content else None

    call("GET", "/v1/ping/")
    plain = call("POST", "/v1/memories/", {
        "messages": [{"role": "user", "content": "Prefers window seats"}], "user_id": "ana", "infer": False,
        "metadata": {"topic": "travel"}, "output_format": "v1.1",
    })
    call("POST", "/v1/memories/", {
        "messages": [{"role": "user", "content": "Hi, I'm Ana. I'm a vegetarian, I love hiking and I live in Porto."}],
        "user_id": "ana", "infer": True, "output_format": "v1.1",
    })
    call("POST", "/v1/memories/", {
        "messages": [{"role": "user", "content": "I moved to Berlin and I no longer like hiking."}],
        "user_id": "ana", "async_mode": True, "output_format": "v1.1",
    })
    call("POST", "/_mock/clock", {"advance_seconds": 3600})
    call("POST", "/v1/memories/", {
        "messages": [{"role": "user", "content": "My sister is called Eva and she likes jazz."}],
        "user_id": "ana", "agent_id": "planner", "infer": True, "output_format": "v1.1",
    })
    call("POST", "/v2/memories/search/", {"query": "What should I cook for dinner?", "filters": {"user_id": "ana"}})
    call("POST", "/v1/memories/search/", {"query": "where does she live", "user_id": "ana", "output_format": "v1.1"})
    call("POST", "/v2/memories/", {"filters": {"OR": [{"user_id": "ana"}, {"agent_id": "planner"}]}},
         page=1, page_size=3)
    memory_id = plain["results"][0]["id"]
    call("PUT", f"/v1/memories/{memory_id}/", {"text": "Prefers aisle seats"})
    call("GET", f"/v1/memories/{memory_id}/history/")
    export = call("POST", "/v1/exports/", {"schema": {"type": "object", "properties": {
        "name": {"type": "string"}, "city": {"type": "string"}}}, "user_id": "ana"})
    call("POST", "/v1/exports/get/", {"memory_export_id": export["id"]})
    call("GET", "/v1/entities/")
    call("GET", "/v1/memories/", user_id="ana")
    return answers


def test_two_fresh_mocks_answer_byte_for_byte_alike():
    with running_mocks((list(FLAGS), {"PYTHONHASHSEED": "1"}), (list(FLAGS), {"PYTHONHASHSEED": "2"})) as mocks:
        (first, process), (second, _) = mocks
        one, two = conversation(first), conversation(second)
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "/v1/ping/" not in output  # --quiet: no line per request
    assert f"harness {first}/_mock/ is open (no admin token)" in output
    assert all(status < 300 for status, _ in one), [(s, b[:200]) for s, b in one if s >= 300]
    assert len(one) == len(two)
    for index, (a, b) in enumerate(zip(one, two, strict=True)):
        assert a == b, f"answer {index} differs:\n{a[1][:600]!r}\n{b[1][:600]!r}"
    assert b"2025-01-01T01:00:00Z" in b"".join(body for _, body in one)  # the moved clock dated a write
