"""The issue's examples, as a new user would try them: memories added with `infer: false`,
v2 search at its default threshold (0.3), through the HTTP API."""

from __future__ import annotations

import pytest

from tests.conftest import auth

MEMORIES = [
    "I enjoy sailing on the lake",
    "My dog Rex sleeps at the foot of my bed",
    "I'm planning a trip to Japan in April",
    "Works as a nurse at the city hospital",
    "Plays chess on Sundays",
    "Is allergic to penicillin",
]


@pytest.fixture
def seeded(client):
    body = {"messages": [{"role": "user", "content": m} for m in MEMORIES], "user_id": "newcomer", "infer": False}
    assert client.post("/v1/memories/", json=body, headers=auth()).status_code == 200
    return client


def search(client, query: str) -> list[dict]:
    response = client.post("/v2/memories/search/", json={"query": query, "filters": {"user_id": "newcomer"}},
                           headers=auth())
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sailing boat", "I enjoy sailing on the lake"),
        ("boat", "I enjoy sailing on the lake"),
        ("animals", "My dog Rex sleeps at the foot of my bed"),
        ("Tokyo", "I'm planning a trip to Japan in April"),
        ("where am I going this spring", "I'm planning a trip to Japan in April"),
    ],
)
def test_a_query_finds_the_memory_a_person_expects(seeded, query, expected):
    found = search(seeded, query)
    assert found and found[0]["memory"] == expected
    assert all(0.3 <= m["score"] <= 1.0 for m in found)
    assert [m["score"] for m in found] == sorted((m["score"] for m in found), reverse=True)


def test_memories_that_share_nothing_with_the_query_are_not_answered(seeded):
    assert [m["memory"] for m in search(seeded, "Tokyo")] == ["I'm planning a trip to Japan in April"]
    assert "Plays chess on Sundays" not in {m["memory"] for m in search(seeded, "boat")}
    assert search(seeded, "golf handicap") == []
