"""Bad input of every shape gets a clear 4xx JSON error, never a 500, and changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import auth

MEMORY = "/v1/memories/"
OPERATIONS = [
    ("post", "/v1/memories/"),
    ("post", "/v2/memories/search/"),
    ("post", "/v1/memories/search/"),
    ("post", "/v2/memories/"),
    ("put", "/v1/batch/"),
    ("delete", "/v1/batch/"),
    ("post", "/v1/exports/"),
    ("post", "/v1/exports/get/"),
    ("post", "/v1/feedback/"),
    ("post", "/v3/memories/add/"),
    ("post", "/v3/memories/"),
    ("post", "/v3/memories/search/"),
    ("post", "/v1/summary/"),
    ("post", "/v2/profiles/settings/"),
    ("post", "/v2/profiles/jobs/"),
    ("put", "/v1/memories/00000000-0000-4000-8000-000000000000/"),
    ("put", "/api/v1/webhooks/wh_0000/"),
    ("post", "/api/v1/webhooks/projects/null/"),
]


def seed_one(client) -> str:
    body = {"messages": [{"role": "user", "content": "Likes tea"}], "user_id": "u", "infer": False,
            "output_format": "v1.1"}
    response = client.post(MEMORY, json=body, headers=auth())
    assert response.status_code == 200, response.json
    return response.json["results"][0]["id"]


def snapshot(client) -> list[dict]:
    response = client.post("/v2/memories/", json={"filters": {"user_id": "*"}}, headers=auth())
    assert response.status_code == 200
    return response.json


def test_missing_and_malformed_auth_are_401_with_detail(client):
    for headers in ({}, {"Authorization": "Bearer x"}, {"Authorization": "Token"}, {"Authorization": "Token a b"}):
        response = client.get("/v1/ping/", headers=headers)
        assert response.status_code == 401
        assert set(response.json) == {"detail"}


def test_malformed_json_is_400(client):
    response = client.post(MEMORY, data=b'{"messages": [', headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["detail"].startswith("JSON parse error")


@pytest.mark.parametrize("path, body", [
    (MEMORY, '{"messages": [{"role": "user", "content": "hi \\ud800"}], "user_id": "u", "infer": false}'),
    (MEMORY, '{"messages": [{"role": "user", "content": "hi"}], "user_id": "\\udfff", "infer": false}'),
    (MEMORY, '{"messages": [{"role": "user", "content": "hi"}], "user_id": "u", "metadata": {"\\udc00": 1}}'),
    ("/v3/memories/search/", '{"query": "\\ud800", "filters": {"user_id": "u"}}'),
])
def test_lone_surrogates_are_400_and_store_nothing(client, path, body):
    """Half a surrogate pair is valid JSON syntax but not Unicode: it can be neither hashed nor saved."""
    response = client.post(path, data=body, content_type="application/json", headers=auth())
    assert response.status_code == 400
    assert "surrogate" in response.json["detail"]
    assert client.get(MEMORY, query_string={"user_id": "u"}, headers=auth()).json == []
    paired = '{"messages": [{"role": "user", "content": "ok \\ud83d\\ude00"}], "user_id": "u", "infer": false}'
    added = client.post(MEMORY, data=paired, content_type="application/json", headers=auth())
    assert added.status_code == 200 and added.json[0]["data"]["memory"] == "ok \N{GRINNING FACE}"


def test_non_finite_numbers_are_400(client):
    body = b'{"query": "x", "filters": {"user_id": "u"}, "threshold": NaN}'
    response = client.post("/v2/memories/search/", data=body, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400


def test_wrong_content_type_is_415(client):
    response = client.post(MEMORY, data="messages=hi", headers={**auth(), "Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "detail" in response.json


def test_oversized_body_is_413_and_stores_nothing(client):
    before = snapshot(client)
    huge = json.dumps({"messages": [{"role": "user", "content": "x" * (3 * 1024 * 1024)}], "user_id": "u"})
    response = client.post(MEMORY, data=huge, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert snapshot(client) == before


def test_deeply_nested_body_is_400(client):
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(MEMORY, data=deep, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400
    nested: dict = {}
    for _ in range(200):
        nested = {"x": nested}
    body = {"messages": [{"role": "user", "content": "hi"}], "user_id": "u", "metadata": nested}
    response = client.post(MEMORY, json=body, headers=auth())
    assert response.status_code == 400


def test_deep_filter_tree_is_400_not_500(client):
    tree: dict = {"user_id": "u"}
    for _ in range(60):
        tree = {"AND": [tree]}
    response = client.post("/v2/memories/", json={"filters": tree}, headers=auth())
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": "u"}, "messages"),
        ({"messages": "hello", "user_id": "u"}, "messages"),
        ({"messages": [{"role": "robot", "content": "x"}], "user_id": "u"}, "messages"),
        ({"messages": [{"role": "user", "content": "x"}], "user_id": 7}, "user_id"),
        ({"messages": [{"role": "user", "content": "x"}], "user_id": "u", "infer": "yes"}, "infer"),
        ({"messages": [{"role": "user", "content": "x"}], "user_id": "u", "timestamp": "today"}, "timestamp"),
        ({"messages": [{"role": "user", "content": "x"}], "user_id": "u", "timestamp": 10**15}, "timestamp"),
        (
            {"messages": [{"role": "user", "content": "x"}], "user_id": "u", "expiration_date": "soon"},
            "expiration_date",
        ),
    ],
)
def test_add_field_errors_name_the_field(client, body, field):
    response = client.post(MEMORY, json=body, headers=auth())
    assert response.status_code == 400
    assert field in response.json and isinstance(response.json[field], list)


def test_add_without_entity_uses_the_add_error_shape(client):
    response = client.post(MEMORY, json={"messages": [{"role": "user", "content": "x"}]}, headers=auth())
    assert response.status_code == 400
    assert response.json["error"] == "400 Bad Request" and response.json["details"]["message"]


@pytest.mark.parametrize(
    "filters",
    [
        {"created_at": {"gte": "2024-01-01"}},
        {"OR": [{"categories": {"in": ["food"]}}]},
    ],
)
def test_filters_without_entity_follow_the_entity_rule(client, filters):
    for path, extra in (("/v2/memories/", {}), ("/v2/memories/search/", {"query": "x"})):
        response = client.post(path, json={"filters": filters, **extra}, headers=auth())
        assert response.status_code == 400
        assert response.json == {"message": "One of the filters: app_id, user_id, agent_id, run_id is required!"}


@pytest.mark.parametrize(
    "filters",
    [
        {"user_id": "u", "color": "red"},
        {"user_id": {"like": "u"}},
        {"AND": {"user_id": "u"}},
        {"user_id": {"in": "u"}},
        {"AND": [{"user_id": "u"}, {"created_at": {"gte": "2024-13-45"}}]},
    ],
)
def test_invalid_filters_are_400_naming_filters(client, filters):
    response = client.post("/v2/memories/", json={"filters": filters}, headers=auth())
    assert response.status_code == 400
    assert "filters" in response.json


def test_bad_path_ids_and_methods(client):
    response = client.get("/v1/memories/not-a-uuid/", headers=auth())
    assert response.status_code == 400 and "memory_id" in response.json
    response = client.get("/v1/memories/00000000-0000-4000-8000-000000000000/", headers=auth())
    assert response.status_code == 404 and "detail" in response.json
    response = client.patch("/v1/memories/", headers=auth())
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST", "DELETE"}
    response = client.get("/v1/memories/search/", headers=auth())
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    response = client.get("/v9/nothing/", headers=auth())
    assert response.status_code == 404 and response.json == {"detail": "Not found."}


def test_bad_query_parameters_are_400(client):
    response = client.post("/v2/memories/?page=zero", json={"filters": {"user_id": "u"}}, headers=auth())
    assert response.status_code == 400 and "page" in response.json
    response = client.post("/v2/memories/?page=0", json={"filters": {"user_id": "u"}}, headers=auth())
    assert response.status_code == 400 and "page" in response.json
    response = client.delete("/v1/memories/?user_id=u&metadata={not json", headers=auth())
    assert response.status_code == 400 and "metadata" in response.json


def test_failed_batch_changes_nothing(client):
    kept = seed_one(client)
    before = snapshot(client)
    body = {"memories": [{"memory_id": kept, "text": "changed"},
                         {"memory_id": "00000000-0000-4000-8000-000000000000", "text": "x"}]}
    response = client.put("/v1/batch/", json=body, headers=auth())
    assert response.status_code == 400 and "memories" in response.json
    assert snapshot(client) == before
    response = client.delete("/v1/batch/", json={"memory_ids": [kept, "00000000-0000-4000-8000-000000000000"]},
                             headers=auth())
    assert response.status_code == 400
    assert snapshot(client) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
field_names = st.sampled_from(
    ["messages", "user_id", "agent_id", "filters", "query", "top_k", "threshold", "memories", "memory_ids",
     "schema", "memory_id", "feedback", "fields", "page", "infer", "metadata", "timestamp", "expiration_date",
     "custom_categories", "output_format", "async_mode", "rerank"]
)
bodies = st.dictionaries(field_names, json_values, max_size=6) | json_values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(OPERATIONS) - 1), body=bodies)
def test_random_bodies_never_cause_a_server_error(client, index, body):
    method, path = OPERATIONS[index]
    response = getattr(client, method)(path, json=body, headers=auth())
    assert response.status_code < 500, (method, path, body, response.json)
    assert response.is_json


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_rejected_writes_leave_state_unchanged(client, body):
    seed_one(client)
    before = snapshot(client)
    for method, path in (("put", "/v1/batch/"), ("delete", "/v1/batch/"), ("post", "/v3/memories/add/")):
        response = getattr(client, method)(path, json=body, headers=auth())
        if response.status_code >= 400:
            assert snapshot(client) == before
    client.application.extensions["mem0_mock"].service.reset()


def test_integers_past_64_bits_in_metadata_come_back_exact(client):
    body = {"messages": [{"role": "user", "content": "Likes tea"}], "user_id": "big", "infer": False,
            "metadata": {"big": 2**70 + 1, "negative": -(2**65) - 3}, "output_format": "v1.1"}
    added = client.post(MEMORY, data=json.dumps(body), headers={**auth(), "Content-Type": "application/json"})
    assert added.status_code == 200, added.json
    memory_id = added.json["results"][0]["id"]
    got = client.get(f"/v1/memories/{memory_id}/", headers=auth())
    assert json.loads(got.data)["metadata"] == {"big": 2**70 + 1, "negative": -(2**65) - 3}
