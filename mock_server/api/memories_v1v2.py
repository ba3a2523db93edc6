"""The memory operations of the v1/v2 API (September 2025): add, search, list, get,
update, delete, history, batch and delete-all, in their v1/v2 wire shapes."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from ..engine import AddOptions, SearchOptions
from ..engine.categories import catalogue_from
from ..engine.errors import EntityRequired
from ..engine.models import ENTITY_FIELDS
from .common import (
    Call,
    Result,
    Surface,
    combined_filter,
    entity_conditions,
    history_json,
    memory_json,
    page_if_asked,
    project,
)
from .errors import AddError, Detail, field_error

surface = Surface("memories v1/v2")

QUEUED_MESSAGE = "Memory processing has been queued for background execution"
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z
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


def add_options(body: dict[str, Any], *, reconcile: bool = True) -> AddOptions:
    """The add request's options, with its dates checked."""
    created_at = None
    if body.get("timestamp") is not None:
        stamp = body["timestamp"]
        if not 0 <= stamp <= MAX_TIMESTAMP:
            raise field_error("timestamp", f"Ensure this value is between 0 and {MAX_TIMESTAMP}.")
        created_at = datetime.fromtimestamp(int(stamp), tz=timezone.utc)
    expiration = None
    if body.get("expiration_date"):
        try:
            expiration = date.fromisoformat(body["expiration_date"])
        except ValueError:
            raise field_error("expiration_date", "Date has wrong format. Use YYYY-MM-DD.") from None
    infer = body.get("infer")
    return AddOptions(
        metadata=body.get("metadata"),
        infer=True if infer is None else bool(infer),
        reconcile=reconcile,
        includes=body.get("includes"),
        excludes=body.get("excludes"),
        custom_categories=catalogue_from(body.get("custom_categories")),
        custom_instructions=body.get("custom_instructions"),
        immutable=bool(body.get("immutable")),
        created_at=created_at,
        expiration_date=expiration,
    )


@surface.operation("addMemories")
def add_memories(call: Call) -> Result:
    body = call.body
    entity = {name: body.get(name) for name in ENTITY_FIELDS}
    options = add_options(body)
    try:
        if body.get("async_mode"):
            event_id = call.service.add_queued(call.scope, body["messages"], entity, options)
            items: list[Any] = [{"message": QUEUED_MESSAGE, "status": "PENDING", "event_id": event_id}]
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
    return 200, memory_json(call.service.get(call.scope, call.params["memory_id"]), call.identity)


@surface.operation("updateMemory")
def update_memory(call: Call) -> Result:
    memory = call.service.update(call.scope, call.params["memory_id"], call.body.get("text"), call.body.get("metadata"))
    return 200, {**memory_json(memory, call.identity), "text": memory.memory}


@surface.operation("deleteMemory")
def delete_memory(call: Call) -> Result:
    call.service.delete(call.scope, call.params["memory_id"])
    return 200, {"message": "Memory deleted successfully!"}


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
    entity = entity_conditions(call)
    if not entity:
        raise Detail("At least one of user_id, agent_id, app_id or run_id is required to delete memories.")
    call.service.delete_where(call.scope, entity, _metadata_arg(call))
    return 200, {"message": "Memories deleted successfully!"}
