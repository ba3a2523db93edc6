"""The memory operations of the v1/v2 API (September 2025): add, search, list, get,
update, delete, history, batch and delete-all, in their v1/v2 wire shapes."""

from __future__ import annotations

from typing import Any

from ..engine import UNSET, SearchOptions
from ..engine.errors import EntityRequired
from ..engine.models import ENTITY_FIELDS
from .common import (
    Call,
    Result,
    Surface,
    add_options,
    combined_filter,
    entity_conditions,
    full_memory_json,
    history_json,
    memory_json,
    page_if_asked,
    parse_date,
    project,
)
from .errors import AddError, field_error

surface = Surface("memories v1/v2")

QUEUED_MESSAGE = "Memory processing has been queued for background execution"
DELETE_QUEUED_MESSAGE = "Delete in progress. This may take some time."
DEFAULT_THRESHOLD = 0.3


def _output(items: list[Any], output_format: str | None) -> Any:
    return {"results": items} if output_format == "v1.1" else items


def _metadata_arg(call: Call) -> dict[str, Any] | None:
    metadata = call.arg("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise field_error("metadata", "Must be a JSON object.")
    return metadata


def _v1_selection(call: Call, filters: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """v1's flat filters: entity ids select, every other key is metadata equality (as is
    the `metadata` field); null values are not filters."""
    entity: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if value is not None:
            (entity if key in ENTITY_FIELDS else metadata)[key] = value
    extra = call.arg("metadata")
    if isinstance(extra, dict):
        metadata.update(extra)
    return combined_filter(call, entity), metadata


def _listing(call: Call, tree: dict[str, Any], metadata: dict[str, Any] | None = None) -> Result:
    found = call.service.get_all(call.scope, tree, metadata)
    fields = call.arg("fields")
    identity = call.identity
    return 200, page_if_asked(call, [project(memory_json(memory, identity), fields) for memory in found])


def _search(call: Call, tree: dict[str, Any], metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    body = call.body
    threshold = body.get("threshold")
    options = SearchOptions(
        top_k=int(body.get("top_k") or 10),  # JSON Schema counts 5.0 as an integer
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        rerank=bool(body.get("rerank")),
        keyword_search=bool(body.get("keyword_search")),
        filter_memories=bool(body.get("filter_memories")),
    )
    hits = call.service.search(call.scope, body["query"], tree, options, metadata)
    fields = body.get("fields")
    identity = call.identity
    return [project({**memory_json(hit.memory, identity), "score": hit.score}, fields) for hit in hits]


# --- add --------------------------------------------------------------------------------


@surface.operation("addMemories")
def add_memories(call: Call) -> Result:
    body = call.body
    entity = {name: body.get(name) for name in ENTITY_FIELDS}
    options = add_options(body)
    try:
        if body.get("async_mode"):
            event = call.service.add_queued(call.scope, body["messages"], entity, options, body)
            items: list[Any] = [{"message": QUEUED_MESSAGE, "status": "PENDING", "event_id": event.id}]
        else:
            results = call.service.add(call.scope, body["messages"], entity, options)
            items = [{"id": r.id, "data": {"memory": r.memory}, "event": r.event} for r in results]
    except EntityRequired as refusal:
        raise AddError(refusal.message) from None
    return 200, _output(items, body.get("output_format"))


# --- search and list --------------------------------------------------------------------


@surface.operation("searchMemoriesV2")
def search_v2(call: Call) -> Result:
    return 200, _search(call, combined_filter(call, call.body.get("filters")))


@surface.operation("searchMemoriesV1")
def search_v1(call: Call) -> Result:
    tree, metadata = _v1_selection(call, call.body.get("filters"))
    return 200, _output(_search(call, tree, metadata), call.body.get("output_format"))


@surface.operation("getMemoriesV2")
def get_memories_v2(call: Call) -> Result:
    return _listing(call, combined_filter(call, call.arg("filters")))


@surface.operation("getMemoriesV1")
def get_memories_v1(call: Call) -> Result:
    _metadata_arg(call)
    return _listing(call, *_v1_selection(call, None))


# --- one memory -------------------------------------------------------------------------


@surface.operation("getMemory")
def get_memory(call: Call) -> Result:
    return 200, full_memory_json(call.service.get(call.scope, call.params["memory_id"]), call.identity)


@surface.operation("updateMemory")
def update_memory(call: Call) -> Result:
    """Answers the memory object (today's API) with `text` too (what the seed's SDK read)."""
    body = call.body
    expiration: Any = UNSET
    if "expiration_date" in body:
        expiration = parse_date("expiration_date", body["expiration_date"]) if body["expiration_date"] else None
    memory = call.service.update(
        call.scope, call.params["memory_id"], body.get("text"), body.get("metadata"), expiration
    )
    return 200, {**full_memory_json(memory, call.identity), "text": memory.memory}


@surface.operation("deleteMemory")
def delete_memory(call: Call) -> Result:
    linked = bool(call.params.get("delete_linked"))
    cascade = call.service.delete(call.scope, call.params["memory_id"], linked)
    answer: dict[str, Any] = {"message": "Memory deleted successfully!"}
    return 200, {**answer, "cascade_count": cascade} if linked else answer


@surface.operation("getMemoryHistory")
def memory_history(call: Call) -> Result:
    return 200, [history_json(entry) for entry in call.service.history(call.scope, call.params["memory_id"])]


# --- many memories ----------------------------------------------------------------------


@surface.operation("batchUpdateMemories")
def batch_update(call: Call) -> Result:
    count = call.service.batch_update(call.scope, call.body["memories"])
    return 200, {"message": f"Successfully updated {count} memories"}


@surface.operation("batchDeleteMemories")
def batch_delete(call: Call) -> Result:
    body = call.body
    ids = body["memory_ids"] if "memory_ids" in body else [item["memory_id"] for item in body["memories"]]
    count = call.service.batch_delete(call.scope, ids)
    return 200, {"message": f"Successfully deleted {count} memories"}


@surface.operation("deleteMemories")
def delete_memories(call: Call) -> Result:
    """Today's answer: the deletion's event (it is done by the time the answer leaves)."""
    event = call.service.delete_where(call.scope, entity_conditions(call), _metadata_arg(call))
    return 200, {"message": DELETE_QUEUED_MESSAGE, "event_id": event.id}
