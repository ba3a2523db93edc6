"""Delete-by-filter with `*`: exact ids are ANDed, `*` kinds are alternatives.

The documented full wipe is `user_id=*&agent_id=*&app_id=*&run_id=*` (what
`MemoryClient.delete_all(user_id="*", ...)` sends); with the `*` kinds ANDed it would
delete only memories naming all four kinds, i.e. almost nothing.
"""

from __future__ import annotations

from tests.conftest import auth


def add(client, text: str, **entity: str) -> str:
    body = {"messages": [{"role": "user", "content": text}], "infer": False, **entity}
    response = client.post("/v3/memories/add/", json=body, headers=auth())
    assert response.status_code == 200, response.json
    return response.json["results"][0]["id"]


def deleted(client, **query: str) -> set[str]:
    response = client.delete("/v1/memories/", query_string=query, headers=auth())
    assert response.status_code == 200, response.json
    event = client.get(f"/v1/event/{response.json['event_id']}/", headers=auth()).json
    return {item["id"] for item in event["results"]}


def test_all_four_wildcards_empty_the_project(client):
    ids = {add(client, "a", user_id="u"), add(client, "b", agent_id="g"), add(client, "c", app_id="p", run_id="r")}
    assert deleted(client, user_id="*", agent_id="*", app_id="*", run_id="*") == ids
    assert client.get("/_mock/state").json["memories"] == 0


def test_wildcard_kinds_are_alternatives_and_exact_ids_must_all_hold(client):
    user_only = add(client, "a", user_id="alex")
    with_agent = add(client, "b", user_id="alex", agent_id="helper")
    other_user = add(client, "c", user_id="sam", agent_id="helper")
    app_only = add(client, "d", app_id="shop")
    add(client, "e", run_id="r-1")
    assert deleted(client, user_id="alex", agent_id="*") == {with_agent}
    assert deleted(client, user_id="*", app_id="*") == {user_only, other_user, app_only}
    assert client.get("/_mock/state").json["memories"] == 1
