"""The official SDK (mem0ai==0.1.118), unchanged, against a live strict mock.

Every SDK method that maps to a documented endpoint is called, and what comes back is
checked against what the mock must have done, not merely that nothing raised.
"""

from __future__ import annotations

import time
import uuid
import warnings
from datetime import datetime, timedelta, timezone

import pytest
import requests
from mem0 import MemoryClient
from mem0.exceptions import MemoryNotFoundError, ValidationError

from tests.conftest import KEY_A, KEY_B, auth

warnings.filterwarnings("ignore", category=DeprecationWarning)

QUICK_START = [
    {"role": "user", "content": "Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts."},
    {"role": "assistant", "content": "Hello Alex! I see that you're a vegetarian with a nut allergy."},
]


@pytest.fixture
def sdk(live) -> MemoryClient:
    return MemoryClient(api_key=KEY_A, host=live.url)


def texts(memories) -> list[str]:
    return [m["memory"] for m in memories]


def add_plain(sdk: MemoryClient, text: str, **kwargs) -> str:
    result = sdk.add([{"role": "user", "content": text}], infer=False, **kwargs)
    return result["results"][0]["id"]


def poll(check, timeout: float = 10.0, interval: float = 0.05):
    """Poll until check() is truthy (bounded), for the async add."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def test_client_construction_pings_and_learns_project(sdk: MemoryClient):
    assert sdk.org_id and sdk.project_id
    assert sdk.user_email.endswith("@mock.mem0.local")


def test_unknown_key_is_refused_at_construction(live):
    with pytest.raises(ValueError, match="Invalid API key"):
        MemoryClient(api_key="not-a-configured-key", host=live.url)


def test_quick_start_add_infers_facts_and_search_finds_them(sdk: MemoryClient):
    result = sdk.add(QUICK_START, user_id="alex", version="v2")
    events = {item["event"] for item in result["results"]}
    assert events == {"ADD"}
    stored = " | ".join(item["data"]["memory"] for item in result["results"]).lower()
    assert "vegetarian" in stored and "nut" in stored and "alex" in stored

    found = sdk.search("What can I cook for dinner tonight?", version="v2", filters={"OR": [{"user_id": "alex"}]})
    assert len(found) >= 2
    top_two = " ".join(texts(found[:2])).lower()
    assert "vegetarian" in top_two and "nut" in top_two
    assert all(0.3 <= item["score"] <= 1 for item in found)
    assert [item["score"] for item in found] == sorted((item["score"] for item in found), reverse=True)


def test_inference_reconciles_noop_update_delete_with_history(sdk: MemoryClient):
    first = sdk.add([{"role": "user", "content": "I live in Paris."}], user_id="sam")["results"]
    assert [item["event"] for item in first] == ["ADD"]
    memory_id = first[0]["id"]

    again = sdk.add([{"role": "user", "content": "I live in Paris."}], user_id="sam")["results"]
    assert [(item["event"], item["id"]) for item in again] == [("NOOP", memory_id)]

    moved = sdk.add([{"role": "user", "content": "I moved to Berlin."}], user_id="sam")["results"]
    assert [(item["event"], item["id"]) for item in moved] == [("UPDATE", memory_id)]
    assert "Berlin" in sdk.get(memory_id)["memory"]

    history = sdk.history(memory_id)
    assert [entry["event"] for entry in history] == ["ADD", "UPDATE"]
    assert "Paris" in history[1]["old_memory"] and "Berlin" in history[1]["new_memory"]

    sdk.add([{"role": "user", "content": "I'm a vegetarian."}], user_id="sam")
    veg = [m for m in sdk.get_all(user_id="sam") if "vegetarian" in m["memory"].lower()]
    retract = sdk.add([{"role": "user", "content": "I'm no longer a vegetarian."}], user_id="sam")["results"]
    assert [(item["event"], item["id"]) for item in retract] == [("DELETE", veg[0]["id"])]
    with pytest.raises(MemoryNotFoundError):
        sdk.get(veg[0]["id"])
    assert [entry["event"] for entry in sdk.history(veg[0]["id"])] == ["ADD", "DELETE"]


def test_infer_false_stores_messages_verbatim_with_options(sdk: MemoryClient):
    stamp = int(datetime(2024, 7, 9, 12, 0, tzinfo=timezone.utc).timestamp())
    result = sdk.add(
        [{"role": "user", "content": "Prefers window seats"}, {"role": "assistant", "content": "Noted!"}],
        user_id="u1",
        agent_id="travel-agent",
        infer=False,
        metadata={"source": "chat"},
        immutable=True,
        timestamp=stamp,
        expiration_date="2999-01-01",
    )
    ids = [item["id"] for item in result["results"]]
    assert [item["data"]["memory"] for item in result["results"]] == ["Prefers window seats", "Noted!"]
    memory = sdk.get(ids[0])
    assert memory["user_id"] == "u1" and memory["agent_id"] == "travel-agent"
    assert memory["metadata"] == {"source": "chat"}
    assert memory["immutable"] is True and memory["expiration_date"] == "2999-01-01"
    assert memory["created_at"] == "2024-07-09T12:00:00Z"
    with pytest.raises(ValidationError):
        sdk.update(ids[0], text="Prefers aisle seats")
    assert sdk.get(ids[0])["memory"] == "Prefers window seats"


def test_output_format_v1_0_is_a_bare_list(live):
    body = {"messages": [{"role": "user", "content": "Likes tea"}], "user_id": "u", "infer": False}
    response = requests.post(f"{live.url}/v1/memories/", json=body, headers=auth(), timeout=10)
    assert response.status_code == 200
    assert isinstance(response.json(), list) and response.json()[0]["event"] == "ADD"


def test_includes_excludes_and_custom_categories(sdk: MemoryClient):
    message = [{"role": "user", "content": "I love sushi. I play tennis every Sunday."}]
    only_food = sdk.add(message, user_id="inc", includes="food preferences")["results"]
    assert [item["data"]["memory"] for item in only_food] and all(
        "tennis" not in item["data"]["memory"].lower() for item in only_food
    )
    no_food = sdk.add(message, user_id="exc", excludes="food")["results"]
    assert all("sushi" not in item["data"]["memory"].lower() for item in no_food)
    assert any("tennis" in item["data"]["memory"].lower() for item in no_food)

    custom = [{"cuisine": "Food, dishes, restaurants and cooking"}, {"athletics": "Sports and exercise"}]
    stored = sdk.add([{"role": "user", "content": "I love sushi."}], user_id="cat", custom_categories=custom)
    memory = sdk.get(stored["results"][0]["id"])
    assert memory["categories"] == ["cuisine"]
    default = sdk.get(add_plain(sdk, "Is allergic to peanuts", user_id="cat"))
    assert "health" in default["categories"]


def test_async_mode_queues_then_memories_appear(sdk: MemoryClient):
    queued = sdk.add([{"role": "user", "content": "Enjoys jazz"}], user_id="async-user", infer=False, async_mode=True)
    assert queued["results"][0]["status"] == "PENDING"
    found = poll(lambda: sdk.get_all(user_id="async-user"))
    assert texts(found) == ["Enjoys jazz"]


def test_get_all_v1_and_v2_filters_and_pagination(sdk: MemoryClient):
    day = datetime(2024, 7, 1, tzinfo=timezone.utc)
    for i in range(5):
        stamp = int((day + timedelta(days=i * 10)).timestamp())
        add_plain(sdk, f"Fact number {i}", user_id="pager", timestamp=stamp, metadata={"n": i})
    add_plain(sdk, "Belongs to someone else", user_id="other")

    v1 = sdk.get_all(user_id="pager")
    assert texts(v1) == [f"Fact number {i}" for i in (4, 3, 2, 1, 0)]

    in_july = {"created_at": {"gte": "2024-07-01", "lte": "2024-07-31"}}
    july = sdk.get_all(version="v2", filters={"AND": [{"user_id": "pager"}, in_july]})
    assert texts(july) == ["Fact number 3", "Fact number 2", "Fact number 1", "Fact number 0"]  # the 31st counts

    either = sdk.get_all(version="v2", filters={"OR": [{"user_id": "pager"}, {"user_id": "other"}]})
    assert len(either) == 6

    meta = sdk.get_all(version="v2", filters={"AND": [{"user_id": "pager"}, {"metadata": {"n": {"gte": 3}}}]})
    assert texts(meta) == ["Fact number 4", "Fact number 3"]

    pages = [sdk.get_all(version="v2", filters={"user_id": "pager"}, page=p, page_size=2) for p in (1, 2, 3)]
    assert [page["count"] for page in pages] == [5, 5, 5]
    assert [m["memory"] for page in pages for m in page["results"]] == texts(v1)
    assert pages[0]["previous"] is None and pages[0]["next"] and pages[2]["next"] is None

    with pytest.raises(ValidationError):
        sdk.get_all(version="v2", filters={"created_at": {"gte": "2024-07-01"}})


def test_search_v1_v2_options(sdk: MemoryClient):
    add_plain(sdk, "Loves hiking in the Alps", user_id="sr")
    add_plain(sdk, "Works as a nurse", user_id="sr")
    add_plain(sdk, "Plays chess online", user_id="sr")

    v1 = sdk.search("hiking trips", user_id="sr")
    assert texts(v1)[0] == "Loves hiking in the Alps"

    one = sdk.search("hobbies", version="v2", filters={"user_id": "sr"}, top_k=1, threshold=0.0)
    assert len(one) == 1

    everything = sdk.search("hobbies", version="v2", filters={"user_id": "sr"}, threshold=0.0, top_k=10)
    assert len(everything) == 3

    strict = sdk.search("hiking", version="v2", filters={"user_id": "sr"}, threshold=0.99)
    assert all(item["score"] >= 0.99 for item in strict)

    projected = sdk.search("hiking", version="v2", filters={"user_id": "sr"}, fields=["memory"])
    assert projected and set(projected[0]) == {"id", "score", "memory"}

    keyword = sdk.search("nurse", version="v2", filters={"user_id": "sr"}, keyword_search=True)
    assert texts(keyword) == ["Works as a nurse"]

    reranked = sdk.search("hiking in the Alps", version="v2", filters={"user_id": "sr"}, rerank=True)
    assert texts(reranked)[0] == "Loves hiking in the Alps"


def test_expired_memories_are_hidden_from_search_and_lists(sdk: MemoryClient):
    old = add_plain(sdk, "Is training for a marathon", user_id="exp", expiration_date="2020-01-01")
    add_plain(sdk, "Is training for a triathlon", user_id="exp")
    assert texts(sdk.get_all(user_id="exp")) == ["Is training for a triathlon"]
    found = sdk.search("training", version="v2", filters={"user_id": "exp"}, threshold=0.0)
    assert old not in [item["id"] for item in found]
    assert sdk.get(old)["expiration_date"] == "2020-01-01"


def test_update_delete_and_history(sdk: MemoryClient):
    memory_id = add_plain(sdk, "Likes coffee", user_id="h")
    updated = sdk.update(memory_id, text="Likes green tea", metadata={"changed": True})
    assert updated["text"] == "Likes green tea" and updated["metadata"] == {"changed": True}
    assert sdk.get(memory_id)["memory"] == "Likes green tea"
    assert sdk.delete(memory_id) == {"message": "Memory deleted successfully!"}
    with pytest.raises(MemoryNotFoundError):
        sdk.get(memory_id)
    history = sdk.history(memory_id)
    assert [(e["event"], e["old_memory"], e["new_memory"]) for e in history] == [
        ("ADD", None, "Likes coffee"),
        ("UPDATE", "Likes coffee", "Likes green tea"),
        ("DELETE", "Likes green tea", None),
    ]


def test_batch_update_and_delete_apply_to_exactly_the_ids(sdk: MemoryClient):
    ids = [add_plain(sdk, f"Item {i}", user_id="batch") for i in range(4)]
    reply = sdk.batch_update([{"memory_id": ids[0], "text": "Item zero"}, {"memory_id": ids[1], "text": "Item one"}])
    assert reply == {"message": "Successfully updated 2 memories"}
    assert sorted(texts(sdk.get_all(user_id="batch"))) == ["Item 2", "Item 3", "Item one", "Item zero"]

    assert sdk.batch_delete([{"memory_id": ids[0]}, {"memory_id": ids[2]}]) == {
        "message": "Successfully deleted 2 memories"
    }
    assert sorted(texts(sdk.get_all(user_id="batch"))) == ["Item 3", "Item one"]

    with pytest.raises(ValidationError):
        sdk.batch_delete([{"memory_id": ids[1]}, {"memory_id": ids[0]}])
    assert sorted(texts(sdk.get_all(user_id="batch"))) == ["Item 3", "Item one"]


def test_delete_all_removes_exactly_one_entity(sdk: MemoryClient):
    add_plain(sdk, "One", user_id="gone")
    add_plain(sdk, "Two", user_id="gone", agent_id="helper")
    add_plain(sdk, "Three", user_id="stays")
    # Today's answer names the deletion's event; the seed's SDK hands the body over as it is.
    answer = sdk.delete_all(user_id="gone")
    assert answer["message"] == "Delete in progress. This may take some time."
    assert uuid.UUID(answer["event_id"])
    assert sdk.get_all(user_id="gone") == []
    assert texts(sdk.get_all(user_id="stays")) == ["Three"]


def test_exports_fill_the_schema_from_the_selected_memories(sdk: MemoryClient):
    sdk.add(QUICK_START, user_id="alex")
    add_plain(sdk, "Lives in Lisbon", user_id="someone-else")
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "The user's name"},
            "dietary_restrictions": {"type": "array", "items": {"type": "string"}},
        },
    }
    created = sdk.create_memory_export(schema=schema, user_id="alex")
    assert created["id"]
    exported = sdk.get_memory_export(memory_export_id=created["id"])
    assert "Alex" in exported["name"]
    restrictions = " ".join(exported["dietary_restrictions"]).lower()
    assert "vegetarian" in restrictions and "lisbon" not in restrictions
    assert sdk.get_memory_export(user_id="alex") == exported


def test_feedback(sdk: MemoryClient, live):
    """SDK 0.1.118's feedback() sends the request, then raises TypeError in its own telemetry
    call (`capture_client_event` gets four arguments). The request itself must succeed."""
    memory_id = add_plain(sdk, "Reads sci-fi", user_id="fb")
    with pytest.raises(TypeError, match="capture_client_event"):
        sdk.feedback(memory_id, feedback="positive", feedback_reason="accurate")
    journal = requests.get(f"{live.url}/_mock/requests", timeout=10).json()["requests"]
    assert [(e["operation_id"], e["status"]) for e in journal if e["path"] == "/v1/feedback/"] == [
        ("createFeedback", 200)
    ]
    body = {"memory_id": memory_id, "feedback": "POSITIVE", "feedback_reason": "accurate"}
    reply = requests.post(f"{live.url}/v1/feedback/", json=body, headers=auth(), timeout=10).json()
    assert reply["memory_id"] == memory_id and reply["feedback"] == "POSITIVE"
    with pytest.raises(MemoryNotFoundError):
        sdk.feedback("00000000-0000-4000-8000-000000000000", feedback="NEGATIVE")


def test_users_delete_users_and_reset(sdk: MemoryClient):
    add_plain(sdk, "A", user_id="ent-1")
    add_plain(sdk, "B", user_id="ent-2", agent_id="ent-agent")
    listing = sdk.users()
    names = {(row["type"], row["name"]) for row in listing["results"]}
    assert names == {("user", "ent-1"), ("user", "ent-2"), ("agent", "ent-agent")}
    assert listing["total_users"] == 2 and listing["total_agents"] == 1

    sdk.delete_users(user_id="ent-1")
    assert sdk.get_all(user_id="ent-1") == []
    assert {(row["type"], row["name"]) for row in sdk.users()["results"]} == {("user", "ent-2"), ("agent", "ent-agent")}

    sdk.reset()
    assert sdk.users()["results"] == []


def test_keys_are_isolated(live):
    alpha = MemoryClient(api_key=KEY_A, host=live.url)
    bravo = MemoryClient(api_key=KEY_B, host=live.url)
    memory_id = add_plain(alpha, "Alpha's secret", user_id="shared-name")
    add_plain(bravo, "Bravo's note", user_id="shared-name")
    assert texts(bravo.get_all(user_id="shared-name")) == ["Bravo's note"]
    with pytest.raises(MemoryNotFoundError):
        bravo.get(memory_id)
    with pytest.raises(MemoryNotFoundError):
        bravo.update(memory_id, text="stolen")
    with pytest.raises(MemoryNotFoundError):
        bravo.delete(memory_id)
    with pytest.raises(ValidationError):
        bravo.batch_delete([{"memory_id": memory_id}])
    bravo.delete_all(user_id="shared-name")
    assert alpha.get(memory_id)["memory"] == "Alpha's secret"
