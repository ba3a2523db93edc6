"""The current npm SDK (`mem0ai@3.3.1`), unchanged, under node, against a live strict mock.

One node process (`drivers/node_rpc.js`) runs every call. The SDK converts every answer to
camelCase (`eventId`, `scoreBreakdown`, export keys too, but not `metadata` or `profile`),
sends `filters` verbatim (camelCase keys included) and always sends `output_format` to
search; each test checks the values that come back.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
import requests

from tests.conftest import KEY_A, auth

from .helpers import (
    NO_SUCH_MEMORY,
    PROFILE_SCHEMA,
    QUICK_START,
    Receiver,
    finished_event,
    journal,
    poll,
    texts,
)
from .rpc import Driver, RemoteClient, RemoteError

DELETE_QUEUED = "Delete in progress. This may take some time."


@pytest.fixture(scope="module")
def client_name(npm_v3_driver: Driver, live_server) -> str:
    npm_v3_driver.request(op="new", name="js3", options={"apiKey": KEY_A, "host": live_server.url})
    return "js3"


@pytest.fixture
def js(npm_v3_driver: Driver, client_name: str, live) -> RemoteClient:
    return RemoteClient(npm_v3_driver, client_name)


@pytest.fixture
def ping(live) -> dict[str, Any]:
    return requests.get(f"{live.url}/v1/ping/", headers=auth(), timeout=10).json()


def add_plain(js: RemoteClient, text: str, **options: Any) -> str:
    return js.add([{"role": "user", "content": text}], {"infer": False, **options})["results"][0]["id"]


def raises(kind: str, call, *args: Any) -> RemoteError:
    with pytest.raises(RemoteError) as caught:
        call(*args)
    assert caught.value.type == kind, caught.value
    return caught.value


def test_ping_learns_org_and_project(npm_v3_driver: Driver, js, ping):
    assert js.ping() is None
    learned = [npm_v3_driver.request(op="attr", name="js3", attr=name) for name in ("organizationId", "projectId")]
    assert learned == [ping["org_id"], ping["project_id"]]


def test_unknown_key_fails_ping(npm_v3_driver: Driver, live):
    npm_v3_driver.request(op="new", name="js3-refused", options={"apiKey": "m0-unknown", "host": live.url})
    error = raises("AuthenticationError", RemoteClient(npm_v3_driver, "js3-refused").ping)
    assert error.error_code == "HTTP_401"


def test_add_queued_then_infer_false_then_string_and_dedupe(js, live):
    queued = js.add(QUICK_START, {"userId": "alex"})
    assert set(queued) == {"eventId", "status"} and queued["status"] == "PENDING"
    event = finished_event(live.url, queued["eventId"], KEY_A)
    assert event["status"] == "SUCCEEDED"
    assert {"Is a vegetarian", "Is allergic to nuts"} <= {r["data"]["memory"] for r in event["results"]}

    options = {"userId": "u1", "agentId": "helper", "runId": "r-1", "metadata": {"source_app": "chat"},
               "expirationDate": "2999-01-01", "timestamp": 1720526400, "customCategories": [{"seating": "Seats"}]}
    stored = js.add([{"role": "user", "content": "Prefers window seats"}], {"infer": False, **options})
    assert (stored["message"], stored["status"]) == ("Memories stored successfully", "SUCCEEDED")
    assert uuid.UUID(stored["eventId"]) and [r["event"] for r in stored["results"]] == ["ADD"]
    memory = js.get(stored["results"][0]["id"])
    assert (memory["userId"], memory["agentId"], memory["sessionId"]) == ("u1", "helper", "r-1")
    assert memory["metadata"] == {"source_app": "chat"}  # metadata keys are left as they are
    assert (memory["expirationDate"], memory["createdAt"]) == ("2999-01-01", "2024-07-09T12:00:00Z")
    assert memory["categories"] == ["seating"] and memory["structuredAttributes"]["dayOfWeek"] == "tuesday"

    as_string = js.add("Likes jazz", {"userId": "u1", "infer": False})  # sent as a bare string
    assert [r["data"]["memory"] for r in as_string["results"]] == ["Likes jazz"]
    assert js.add("Likes jazz", {"userId": "u1", "infer": False})["results"] == []  # not stored twice
    raises("ValidationError", js.add, "Nobody's", {"infer": False})  # no entity id


def test_get_all_sends_filters_verbatim_and_pages(js):
    for i in range(5):
        add_plain(js, f"Fact number {i}", userId="pager", runId="r-1", timestamp=1719792000 + i * 864000)
    add_plain(js, "Someone else", userId="other")
    add_plain(js, "Long expired", userId="pager", expirationDate="2020-01-01")
    newest_first = [f"Fact number {i}" for i in (4, 3, 2, 1, 0)]

    everything = js.getAll({"filters": {"user_id": "pager"}})
    assert everything["count"] == 5 and texts(everything["results"]) == newest_first
    camel = js.getAll({"filters": {"userId": "pager", "AND": [{"runId": "*"}]}})  # the documented JS spelling
    assert texts(camel["results"]) == newest_first
    pages = [js.getAll({"filters": {"user_id": "pager"}, "page": p, "pageSize": 2}) for p in (1, 2, 3)]
    assert [m["memory"] for page in pages for m in page["results"]] == newest_first
    assert pages[0]["previous"] is None and "page=2" in pages[0]["next"] and pages[2]["next"] is None
    dated = js.getAll({"filters": {"user_id": "pager"}, "startDate": "2024-07-05", "endDate": "2024-07-31"})
    assert texts(dated["results"]) == ["Fact number 3", "Fact number 2", "Fact number 1"]
    assert js.getAll({"filters": {"user_id": "pager"}, "showExpired": True})["count"] == 6
    raises("Error", js.getAll, {"userId": "pager"})  # refused by the SDK itself
    raises("ValidationError", js.getAll, {"filters": {"createdAt": {"gte": "2024-07-01"}}})


def test_search_scores_with_breakdown_and_honours_its_options(js, live):
    sailing = add_plain(js, "Loves sailing", userId="sr", metadata={"kind": "hobby"})
    add_plain(js, "Works as a nurse", userId="sr", metadata={"kind": "job"})
    add_plain(js, "Plays chess online", userId="sr", metadata={"kind": "hobby"})

    # A long question the memory answers one word of: v3's default threshold (0.1) keeps it.
    long_question = "any stories about sailing regattas, harbour fees, mooring ropes or tide tables?"
    found = js.search(long_question, {"filters": {"user_id": "sr"}})["results"]
    assert [hit["id"] for hit in found] == [sailing]
    hit = found[0]
    assert 0.1 <= hit["score"] < 0.3  # v3's default threshold is 0.1
    assert set(hit["scoreBreakdown"]) == {"semantic", "bm25", "entity"}
    assert math.isclose(sum(hit["scoreBreakdown"].values()), hit["score"], abs_tol=1e-3)
    sent = [e for e in journal(live.url) if e["path"] == "/v3/memories/search/"]
    assert sent and sent[0]["status"] == 200  # the SDK's extra `output_format` is ignored

    assert len(js.search("hobbies", {"filters": {"userId": "sr"}, "threshold": 0, "topK": 2})["results"]) == 2
    assert texts(js.search("nurse", {"filters": {"user_id": "sr"}, "keywordSearch": True})["results"]) == [
        "Works as a nurse"
    ]
    hobbies = js.search("online", {"filters": {"user_id": "sr"}, "threshold": 0, "metadata": {"kind": "hobby"},
                                   "rerank": True, "fields": ["memory"]})["results"]
    assert {h["memory"] for h in hobbies} == {"Loves sailing", "Plays chess online"}
    assert all(set(h) == {"id", "score", "memory"} for h in hobbies)
    reranked = js.search("sailing", {"filters": {"user_id": "sr"}, "rerank": True})["results"]
    assert texts(reranked) == ["Loves sailing"] and reranked[0]["score"] > hit["score"]
    assert math.isclose(sum(reranked[0]["scoreBreakdown"].values()), reranked[0]["score"], abs_tol=1e-3)
    raises("Error", js.search, "sailing", {"user_id": "sr"})  # refused by the SDK itself
    raises("ValidationError", js.search, "", {"filters": {"user_id": "sr"}})  # sent as it is: a 400


def test_update_delete_and_history(js):
    memory_id = add_plain(js, "Likes coffee", userId="h", expirationDate="2999-01-01")
    updated = js.update(memory_id, {"text": "Likes green tea", "metadata": {"changed": True}})
    assert (updated["memory"], updated["metadata"], updated["expirationDate"]) == (
        "Likes green tea", {"changed": True}, "2999-01-01"
    )
    assert js.update(memory_id, {"expirationDate": None})["expirationDate"] is None  # null clears it
    assert js.get(memory_id)["expirationDate"] is None
    history = js.history(memory_id)
    assert [(e["event"], e["oldMemory"], e["newMemory"]) for e in history[:2]] == [
        ("ADD", None, "Likes coffee"),
        ("UPDATE", "Likes coffee", "Likes green tea"),
    ]
    assert js.delete(memory_id) == {"message": "Memory deleted successfully!"}
    raises("MemoryNotFoundError", js.get, memory_id)
    lonely = add_plain(js, "Likes tea", userId="h")
    assert js.delete(lonely, {"deleteLinked": True}) == {"message": "Memory deleted successfully!", "cascadeCount": 0}
    other = add_plain(js, "Likes mate", userId="h")
    assert js.delete(other, {"deleteLinked": False}) == {"message": "Memory deleted successfully!"}
    raises("MemoryNotFoundError", js.delete, other)


def test_delete_linked_removes_what_a_newer_fact_superseded(js, live):
    paris = finished_event(live.url, js.add("I live in Paris.", {"userId": "sam"})["eventId"], KEY_A)
    berlin = finished_event(live.url, js.add("I moved to Berlin.", {"userId": "sam"})["eventId"], KEY_A)
    old, new = paris["results"][0]["id"], berlin["results"][0]["id"]
    assert js.get(old)["replacedBy"] == new
    assert texts(js.getAll({"filters": {"user_id": "sam"}, "latestOnly": True})["results"]) == ["Lives in Berlin"]
    assert js.delete(new, {"deleteLinked": True})["cascadeCount"] == 1
    assert js.getAll({"filters": {"user_id": "sam"}})["count"] == 0


def test_delete_all_users_and_entity_deletes(js, live):
    add_plain(js, "One", userId="gone")
    add_plain(js, "Two", userId="stays", agentId="helper")
    answer = js.deleteAll({"userId": "gone"})
    assert answer["message"] == DELETE_QUEUED
    assert [r["data"]["memory"] for r in finished_event(live.url, answer["eventId"], KEY_A)["results"]] == ["One"]
    raises("ValidationError", js.deleteAll)  # no filter: a 400, nothing deleted
    assert js.getAll({"filters": {"user_id": "stays"}})["count"] == 1

    listing = js.users()  # an entity outlives its memories until it is deleted itself
    named = {("user", "gone"), ("user", "stays"), ("agent", "helper")}
    assert {(row["type"], row["name"]) for row in listing["results"]} == named
    assert (listing["totalUsers"], listing["totalAgents"]) == (2, 1)
    paged = [js.users({"page": p, "pageSize": 2}) for p in (1, 2)]
    assert [page["count"] for page in paged] == [3, 3] and [len(page["results"]) for page in paged] == [2, 1]
    helper = next(row for row in listing["results"] if row["name"] == "helper")
    deleted = js.deleteUser({"entity_id": int(helper["id"]), "entity_type": "agent"})  # by the listing's numeric id
    assert deleted["message"] == DELETE_QUEUED and uuid.UUID(deleted["eventId"])
    assert js.getAll({"filters": {"user_id": "stays"}})["count"] == 0  # the agent's memories went with it

    add_plain(js, "Three", userId="u-3")
    add_plain(js, "Four", appId="shop/eu")  # the SDK sends the name as shop%2Feu
    assert js.deleteUsers({"userId": "u-3"}) == {"message": "Entity deleted successfully."}
    assert js.deleteUsers() == {"message": "All users, agents, apps and runs deleted."}
    assert js.users()["results"] == []
    raises("Error", js.deleteUsers)  # the SDK's own refusal: nothing is listed


def test_batch_update_and_delete(js):
    ids = [add_plain(js, f"Item {i}", userId="batch") for i in range(3)]
    reply = js.batchUpdate([{"memoryId": ids[0], "text": "Item zero"}, {"memoryId": ids[1], "text": "Item one"}])
    assert reply == {"message": "Successfully updated 2 memories"}
    assert js.get(ids[0])["memory"] == "Item zero"
    assert js.batchDelete([ids[0], ids[2]]) == {"message": "Successfully deleted 2 memories"}
    assert texts(js.getAll({"filters": {"user_id": "batch"}})["results"]) == ["Item one"]
    raises("ValidationError", js.batchDelete, [ids[0], ids[1]])  # all or nothing
    assert js.getAll({"filters": {"user_id": "batch"}})["count"] == 1


def test_feedback_and_exports(js):
    memory_id = add_plain(js, "Is a vegetarian", userId="alex")
    add_plain(js, "Lives in Lisbon", userId="alex")
    add_plain(js, "Lives in Paris", userId="someone-else")
    given = js.feedback({"memoryId": memory_id, "feedback": "NEGATIVE", "feedbackReason": "outdated"})
    assert (given["memoryId"], given["feedback"], given["feedbackReason"]) == (memory_id, "NEGATIVE", "outdated")
    raises("MemoryNotFoundError", js.feedback, {"memoryId": NO_SUCH_MEMORY, "feedback": "POSITIVE"})

    schema = {"type": "object", "properties": {
        "diet": {"type": "string", "description": "What the user eats"},
        "home_city": {"type": "string", "description": "Where the user lives"},
    }}
    selection = {"AND": [{"user_id": "alex"}]}
    created = js.createMemoryExport({"schema": schema, "filters": selection, "exportInstructions": "Be brief"})
    assert uuid.UUID(created["id"])
    exported = js.getMemoryExport({"memoryExportId": created["id"]})
    assert exported == {"diet": "vegetarian", "homeCity": "Lisbon"}  # the SDK camel-cases the schema's keys
    assert js.getMemoryExport({"filters": selection}) == exported


def test_profiles(js):
    defaults = js.getProfileSettings()
    assert defaults["enabled"] is True and "location" in defaults["entities"]["user"]["schema"]["properties"]
    changed = js.updateProfileSettings({"schema": PROFILE_SCHEMA, "customInstructions": "Keep it short"})
    assert changed["entities"]["user"] == {"schema": PROFILE_SCHEMA, "customInstructions": "Keep it short"}
    raises("ValidationError", js.updateProfileSettings, {"schema": {"type": "object", "properties": {"x": {}}}})

    add_plain(js, "Is a vegetarian", userId="alex")
    add_plain(js, "Lives in Lisbon", userId="alex")
    assert js.getProfile({"entityId": "alex"})["status"] == "pending"
    job = js.generateProfile({"entityId": "alex"})
    assert job["operation"] == "trigger" and job["statusUrl"] == f"/v2/profiles/jobs/{job['jobId']}/"
    done = poll(lambda: (j := js.getProfileJob(job["statusUrl"])["job"])["status"] == "SUCCEEDED" and j)
    assert done and done["id"] == job["jobId"] and done["results"][0]["entityId"] == "alex"
    assert js.getProfileJob(job["jobId"])["job"]["succeeded"] == 1
    profile = js.getProfile({"entityId": "alex"})
    assert profile["status"] == "succeeded" and profile["profile"] == {"diet": "vegetarian", "city": "Lisbon"}

    first = js.generateProfile({"entityId": "alex", "idempotencyKey": "replay-js"})
    assert js.generateProfile({"entityId": "alex", "idempotencyKey": "replay-js"})["jobId"] == first["jobId"]
    sampled = js.sampleProfiles({"limit": 1})
    assert (sampled["sampled"], sampled["entityIds"]) == (1, ["alex"])
    raises("MemoryNotFoundError", js.getProfile, {"entityId": "nobody"})
    assert js.updateProfileSettings({"enabled": False})["enabled"] is False
    assert js.getProfile({"entityId": "alex"})["status"] == "not_enabled"
    cleared = js.updateProfileSettings({"schema": None, "customInstructions": None})  # null clears
    assert cleared["entities"] == defaults["entities"] and cleared["enabled"] is False


def test_project_settings_apply_to_later_adds(js, ping):
    project = js.getProject({})
    assert (project["projectId"], project["name"]) == (ping["project_id"], "default-project") and project["isDefault"]
    changes = {"customInstructions": "Food only", "customCategories": [{"cuisine": "Food and restaurants"}],
               "memoryDepth": "deep", "usecaseSetting": "coaching", "multilingual": True, "decay": True}
    assert js.updateProject(changes) == {"message": "Project updated successfully"}
    fields = ["customInstructions", "custom_categories", "memory_depth", "usecase", "multilingual", "decay"]
    assert js.getProject({"fields": fields}) == {
        "customInstructions": "Food only",
        "customCategories": [{"cuisine": "Food and restaurants"}],
        "memoryDepth": "deep",
        "usecase": "coaching",
        "multilingual": True,
        "decay": True,
    }
    assert js.get(add_plain(js, "I love sushi", userId="p"))["categories"] == ["cuisine"]


def test_webhooks_crud_and_delivery(js, ping):
    assert js.getWebhooks() == [] and js.getWebhooks({"projectId": ping["project_id"]}) == []
    with Receiver().running() as receiver:
        hook = js.createWebhook({"name": "logger", "url": receiver.url, "eventTypes": ["memory_add"]})
        assert (hook["name"], hook["eventTypes"], hook["isActive"], hook["project"]) == (
            "logger", ["memory_add"], True, "default-project"
        )
        memory_id = add_plain(js, "Loves sailing", userId="w")
        added = {"event_details": {"id": memory_id, "data": {"memory": "Loves sailing"}, "event": "ADD"}}
        assert poll(lambda: added in receiver.bodies), receiver.bodies

    reply = js.updateWebhook({"webhookId": hook["webhookId"], "name": "logger-2", "eventTypes": ["memory_update"]})
    assert reply == {"message": "Webhook updated successfully"}
    [changed] = js.getWebhooks()
    assert (changed["name"], changed["eventTypes"]) == ("logger-2", ["memory_update"])
    assert js.deleteWebhook({"webhookId": hook["webhookId"]}) == {"message": "Webhook deleted successfully"}
    assert js.getWebhooks() == []
    raises("MemoryNotFoundError", js.deleteWebhook, {"webhookId": hook["webhookId"]})
