"""The seed-era npm SDK (`mem0ai@2.1.12`), unchanged, under node, against a live strict mock.

It calls only the v1/v2 API: no ping (org and project ids come from its constructor and are
then sent with adds, lists, searches, deletes and the entity listing), `deleteUsers` through
`DELETE /v1/entities/{type}/{id}/` with the listing's ids, webhook bodies in camelCase, and
answers come back unconverted. Every method it has is called here; the last test checks that
one store serves it and today's npm SDK alike.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import KEY_A, auth

from .helpers import NO_SUCH_MEMORY, QUICK_START, Receiver, poll, texts
from .rpc import Driver, RemoteClient, RemoteError


@pytest.fixture(scope="module")
def identity(live_server) -> dict[str, Any]:
    return requests.get(f"{live_server.url}/v1/ping/", headers=auth(), timeout=10).json()


@pytest.fixture(scope="module")
def clients(npm_legacy_driver: Driver, live_server, identity) -> None:
    """`js2` names its org and project as a project user must; `js2-bare` names none."""
    ids = {"organizationId": identity["org_id"], "projectId": identity["project_id"]}
    npm_legacy_driver.request(op="new", name="js2", options={"apiKey": KEY_A, "host": live_server.url, **ids})
    npm_legacy_driver.request(op="new", name="js2-bare", options={"apiKey": KEY_A, "host": live_server.url})


@pytest.fixture
def js(npm_legacy_driver: Driver, clients, live) -> RemoteClient:
    return RemoteClient(npm_legacy_driver, "js2")


@pytest.fixture
def bare(npm_legacy_driver: Driver, clients, live) -> RemoteClient:
    return RemoteClient(npm_legacy_driver, "js2-bare")


def add_plain(js: RemoteClient, text: str, **options: Any) -> str:
    return js.add([{"role": "user", "content": text}], {"infer": False, **options})[0]["id"]


def raises(call, *args: Any) -> RemoteError:
    """2.1.12 raises one class for every HTTP error, with the raw body in its message."""
    with pytest.raises(RemoteError) as caught:
        call(*args)
    assert caught.value.type == "APIError" and caught.value.message.startswith("API request failed: ")
    return caught.value


def raises_plain(call, *args: Any) -> RemoteError:
    """A refusal of the SDK itself (a plain Error, no request sent)."""
    with pytest.raises(RemoteError) as caught:
        call(*args)
    assert caught.value.type == "Error"
    return caught.value


def test_add_infers_and_reconciles_through_v1(js):
    added = js.add(QUICK_START, {"user_id": "alex"})
    assert {item["event"] for item in added} == {"ADD"}
    facts = {item["data"]["memory"] for item in added}
    assert {"Is a vegetarian", "Is allergic to nuts"} <= facts
    first = js.add("I live in Paris.", {"user_id": "sam"})  # a string is one user turn
    moved = js.add("I moved to Berlin.", {"user_id": "sam"})
    assert [(i["event"], i["id"]) for i in moved] == [("UPDATE", first[0]["id"])]  # v1 still reconciles
    assert js.get(first[0]["id"])["memory"] == "Lives in Berlin"
    wrapped = js.add("Likes tea", {"user_id": "v11", "infer": False, "output_format": "v1.1"})
    assert [(i["event"], i["data"]["memory"]) for i in wrapped["results"]] == [("ADD", "Likes tea")]


def test_get_all_and_search_v1_v2(js):
    for i in range(3):
        add_plain(js, f"Fact number {i}", user_id="pager", timestamp=1719792000 + i * 86400)
    add_plain(js, "Someone else", user_id="other")
    newest_first = ["Fact number 2", "Fact number 1", "Fact number 0"]
    assert texts(js.getAll({"user_id": "pager"})) == newest_first
    assert texts(js.getAll({"api_version": "v2", "filters": {"OR": [{"user_id": "pager"}]}})) == newest_first
    page = js.getAll({"api_version": "v2", "filters": {"user_id": "pager"}, "page": 2, "page_size": 2})
    assert page["count"] == 3 and texts(page["results"]) == ["Fact number 0"] and page["next"] is None
    v1_page = js.getAll({"user_id": "pager", "page": 1, "page_size": 2})
    assert v1_page["count"] == 3 and texts(v1_page["results"]) == newest_first[:2]
    hits = js.search("fact number", {"user_id": "pager"})
    assert set(texts(hits)) == set(newest_first) and all(0 <= h["score"] <= 1 for h in hits)
    v2 = js.search("fact number", {"api_version": "v2", "filters": {"user_id": "pager"}, "top_k": 1})
    assert texts(v2) == ["Fact number 2"]
    raises(js.getAll, {"api_version": "v2", "filters": {"created_at": {"gte": "2024-07-01"}}})


def test_update_history_delete(js):
    memory_id = add_plain(js, "Likes coffee", user_id="h")
    updated = js.update(memory_id, "Likes green tea")
    assert updated["text"] == updated["memory"] == "Likes green tea"
    history = js.history(memory_id)
    assert [(e["event"], e["old_memory"], e["new_memory"]) for e in history] == [
        ("ADD", None, "Likes coffee"),
        ("UPDATE", "Likes coffee", "Likes green tea"),
    ]
    assert js.delete(memory_id) == {"message": "Memory deleted successfully!"}
    assert "Memory not found" in raises(js.get, memory_id).message


def test_batch_and_feedback(js):
    ids = [add_plain(js, f"Item {i}", user_id="batch") for i in range(3)]
    assert js.batchUpdate([{"memoryId": ids[0], "text": "Item zero"}]) == {"message": "Successfully updated 1 memories"}
    assert js.batchDelete([ids[1], ids[2]]) == {"message": "Successfully deleted 2 memories"}
    assert texts(js.getAll({"user_id": "batch"})) == ["Item zero"]
    given = js.feedback({"memory_id": ids[0], "feedback": "POSITIVE", "feedback_reason": "right"})
    assert (given["memory_id"], given["feedback"], given["feedback_reason"]) == (ids[0], "POSITIVE", "right")
    raises(js.feedback, {"memory_id": NO_SUCH_MEMORY, "feedback": "POSITIVE"})


def test_delete_all_users_delete_user_and_delete_users(js, bare):
    add_plain(js, "One", user_id="gone")
    add_plain(js, "Two", user_id="stays", agent_id="helper")
    answer = js.deleteAll({"user_id": "gone"})
    assert answer["message"] == "Delete in progress. This may take some time." and answer["event_id"]
    assert js.getAll({"user_id": "gone"}) == [] and texts(js.getAll({"user_id": "stays"})) == ["Two"]

    listing = js.users()
    ids = {row["name"]: row["id"] for row in listing["results"]}
    assert set(ids) == {"gone", "stays", "helper"} and all(i.isdigit() for i in ids.values())
    assert bare.users()["count"] == 3  # the same project when no ids are named
    deleted = js.deleteUser(ids["helper"], {"type": "agent"})
    assert deleted["message"] == "Delete in progress. This may take some time."
    assert js.getAll({"user_id": "stays"}) == []  # the agent's memories went with it
    raises(js.deleteUser, "helper", {"type": "agent"})  # a name is not the listing's id

    add_plain(js, "Three", app_id="shop")
    assert js.deleteUsers() == {"message": "All users, agents, and sessions deleted."}
    assert js.users()["results"] == []


def test_project_get_and_update(js, bare, identity):
    project = js.getProject({})
    assert (project["project_id"], project["name"]) == (identity["project_id"], "default-project")
    reply = js.updateProject({"custom_instructions": "Food only", "custom_categories": [{"cuisine": "Food"}]})
    assert reply == {"message": "Project updated successfully"}
    assert js.getProject({"fields": ["custom_instructions", "custom_categories"]}) == {
        "custom_instructions": "Food only",
        "custom_categories": [{"cuisine": "Food"}],
    }
    assert js.get(add_plain(js, "I love sushi", user_id="p"))["categories"] == ["cuisine"]
    error = raises_plain(bare.getProject, {})  # without ids it refuses before any request
    assert "organizationId and projectId must be set" in error.message


def test_webhooks_in_camel_case_and_delivery(js, bare, identity):
    assert js.getWebhooks() == [] and bare.getWebhooks() == []  # the bare client asks for project `null`
    with Receiver().running() as receiver:
        hook = js.createWebhook({"name": "logger", "url": receiver.url, "eventTypes": ["memory_add"]})
        assert (hook["name"], hook["url"], hook["event_types"], hook["is_active"]) == (
            "logger", receiver.url, ["memory_add"], True
        )
        memory_id = add_plain(js, "Loves sailing", user_id="w")
        added = {"event_details": {"id": memory_id, "data": {"memory": "Loves sailing"}, "event": "ADD"}}
        assert poll(lambda: added in receiver.bodies), receiver.bodies

    update = {"webhookId": hook["webhook_id"], "name": "logger-2", "eventTypes": ["memory_delete"]}
    assert js.updateWebhook(update) == {"message": "Webhook updated successfully"}
    assert [(w["name"], w["event_types"]) for w in js.getWebhooks({"projectId": identity["project_id"]})] == [
        ("logger-2", ["memory_delete"])
    ]
    assert js.deleteWebhook({"webhookId": hook["webhook_id"]}) == {"message": "Webhook deleted successfully"}
    assert bare.getWebhooks() == []


def test_one_store_serves_both_npm_sdks(js, npm_v3_driver: Driver, live):
    """A memory the seed-era client adds through v1 is read, searched and changed by today's
    client through v3, and what today's client adds is listed by the seed-era one."""
    npm_v3_driver.request(op="new", name="js3-cross", options={"apiKey": KEY_A, "host": live.url})
    today = RemoteClient(npm_v3_driver, "js3-cross")
    old_id = add_plain(js, "Added through v1", user_id="cross", agent_id="bot")
    listed = today.getAll({"filters": {"userId": "cross"}})["results"]
    assert [(m["id"], m["memory"], m["agentId"]) for m in listed] == [(old_id, "Added through v1", "bot")]
    assert today.search("added through", {"filters": {"user_id": "cross"}})["results"][0]["id"] == old_id

    new = today.add([{"role": "user", "content": "Added through v3"}], {"userId": "cross", "infer": False})
    new_id = new["results"][0]["id"]
    assert texts(js.getAll({"user_id": "cross"})) == ["Added through v3", "Added through v1"]
    assert js.search("added through v3", {"api_version": "v2", "filters": {"user_id": "cross"}})[0]["id"] == new_id
    js.update(new_id, "Changed through v1")
    assert today.get(new_id)["memory"] == "Changed through v1"
