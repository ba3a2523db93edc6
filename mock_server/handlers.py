"""One handler per operationId: read the validated request, call the store, shape the answer.

Handlers never format errors (they raise `errors.ApiError`s) and never touch Flask's
routing: the spec binds them by operationId.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import request

from .errors import Detail, EntityRequired, NotFound, field_error
from .filters import Predicate, compile_filter, names_entity
from .models import ENTITY_FIELDS, Memory, isoformat
from .store import AddOptions, Namespace, SearchOptions, Tenant, catalogue_from, today_utc

if TYPE_CHECKING:
    from .app import MockServer
    from .openapi import Operation

Result = tuple[int, Any]
HANDLERS: dict[str, Callable[[Call], Result]] = {}

DEFAULT_PAGE_SIZE = 100
QUEUED_MESSAGE = "Memory processing has been queued for background execution"
EXPORT_MESSAGE = "Memory export request received. The export will be ready in a few seconds."
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z


@dataclass
class Call:
    """A validated request, as handlers see it."""

    server: MockServer
    operation: Operation
    tenant: Tenant
    params: dict[str, Any]
    body: Any

    def arg(self, name: str, default: Any = None) -> Any:
        """A value from the JSON body, else the query (the SDK uses both)."""
        if isinstance(self.body, dict) and self.body.get(name) is not None:
            return self.body[name]
        value = self.params.get(name)
        return default if value is None else value

    @property
    def namespace(self) -> Namespace:
        return self.tenant.namespace(self.arg("org_id"), self.arg("project_id"))


def operation(operation_id: str) -> Callable[[Callable[[Call], Result]], Callable[[Call], Result]]:
    def register(handler: Callable[[Call], Result]) -> Callable[[Call], Result]:
        HANDLERS[operation_id] = handler
        return handler

    return register


# --- shared shaping --------------------------------------------------------------------


def _entity_conditions(call: Call) -> dict[str, str]:
    return {name: value for name in ENTITY_FIELDS if (value := call.arg(name)) is not None}


def _combined_filter(call: Call, filters: Any) -> dict[str, Any]:
    """Entity ids given beside the filters narrow them (an AND), as the SDK expects."""
    parts: list[Any] = [{name: value} for name, value in _entity_conditions(call).items()]
    if filters:
        parts.append(filters)
    return {"AND": parts} if len(parts) > 1 else (parts[0] if parts else {})


def _compiled(tree: dict[str, Any], metadata: dict[str, Any] | None = None) -> Predicate:
    """The filter's predicate, after the entity-id rule; `metadata` adds v1 equality."""
    predicate = compile_filter(tree)
    if not names_entity(tree):
        raise EntityRequired()
    if not metadata:
        return predicate
    wanted = list(metadata.items())

    def with_metadata(memory: Memory) -> bool:
        stored = memory.metadata or {}
        return predicate(memory) and all(key in stored and stored[key] == value for key, value in wanted)

    return with_metadata


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
    return _combined_filter(call, entity), metadata


def _project(item: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    if not fields:
        return item
    keep = {"id", "score", *fields}
    return {key: value for key, value in item.items() if key in keep}


def _output(items: list[Any], output_format: str | None) -> Any:
    return {"results": items} if output_format == "v1.1" else items


def _page(call: Call, items: list[Any]) -> Any:
    """DRF pagination when asked for with `page` / `page_size`, else the whole list."""
    page, page_size = call.arg("page"), call.arg("page_size")
    if page is None and page_size is None:
        return items
    page, page_size = int(page or 1), int(page_size or DEFAULT_PAGE_SIZE)  # JSON allows 2.0
    last = max(1, math.ceil(len(items) / page_size))
    if page > last:
        raise NotFound("Invalid page.")
    start = (page - 1) * page_size

    def link(number: int) -> str:
        query = {**request.args.to_dict(), "page": number, "page_size": page_size}
        return f"{request.base_url}?{urlencode(query)}"

    return {
        "count": len(items),
        "next": link(page + 1) if page < last else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": items[start : start + page_size],
    }


def _listing(call: Call, tree: dict[str, Any], metadata: dict[str, Any] | None = None) -> Result:
    predicate = _compiled(tree, metadata)
    namespace = call.namespace
    found = namespace.select(tree, predicate, today_utc())
    fields = call.arg("fields")
    items = [_project(namespace.render(memory), fields) for memory in found]
    return 200, _page(call, items)


def _search(call: Call, tree: dict[str, Any], metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    predicate = _compiled(tree, metadata)
    body = call.body
    threshold = body.get("threshold")
    options = SearchOptions(
        top_k=int(body.get("top_k") or 10),  # JSON Schema counts 5.0 as an integer
        threshold=0.3 if threshold is None else threshold,
        rerank=bool(body.get("rerank")),
        keyword_search=bool(body.get("keyword_search")),
        filter_memories=bool(body.get("filter_memories")),
    )
    namespace = call.namespace
    hits = namespace.search(body["query"], tree, predicate, options, today_utc())
    fields = body.get("fields")
    return [_project({**namespace.render(memory), "score": score}, fields) for memory, score in hits]


# --- memories --------------------------------------------------------------------------


def _add_options(body: dict[str, Any]) -> AddOptions:
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
        includes=body.get("includes"),
        excludes=body.get("excludes"),
        custom_categories=catalogue_from(body.get("custom_categories")),
        custom_instructions=body.get("custom_instructions"),
        immutable=bool(body.get("immutable")),
        created_at=created_at,
        expiration_date=expiration,
    )


@operation("addMemories")
def add_memories(call: Call) -> Result:
    body = call.body
    entity = {name: body.get(name) for name in ENTITY_FIELDS}
    options = _add_options(body)
    namespace = call.namespace
    messages = body["messages"]
    if body.get("async_mode"):
        if not any(entity.values()):
            namespace.add(messages, entity, options)  # raises the add error synchronously
        call.server.background.submit(namespace.add, messages, entity, options)
        items: list[Any] = [{"message": QUEUED_MESSAGE, "status": "PENDING", "event_id": str(uuid.uuid4())}]
    else:
        results = namespace.add(messages, entity, options)
        items = [{"id": r["id"], "data": {"memory": r["memory"]}, "event": r["event"]} for r in results]
    return 200, _output(items, body.get("output_format"))


@operation("searchMemoriesV2")
def search_v2(call: Call) -> Result:
    return 200, _search(call, _combined_filter(call, call.body.get("filters")))


@operation("searchMemoriesV1")
def search_v1(call: Call) -> Result:
    tree, metadata = _v1_selection(call, call.body.get("filters"))
    return 200, _output(_search(call, tree, metadata), call.body.get("output_format"))


@operation("getMemoriesV2")
def get_memories_v2(call: Call) -> Result:
    return _listing(call, _combined_filter(call, call.arg("filters")))


@operation("getMemoriesV1")
def get_memories_v1(call: Call) -> Result:
    metadata = call.arg("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise field_error("metadata", "Must be a JSON object.")
    return _listing(call, *_v1_selection(call, None))


@operation("getMemory")
def get_memory(call: Call) -> Result:
    namespace = call.namespace
    return 200, namespace.render(namespace.get(call.params["memory_id"]))


@operation("updateMemory")
def update_memory(call: Call) -> Result:
    namespace = call.namespace
    memory = namespace.update(call.params["memory_id"], call.body.get("text"), call.body.get("metadata"))
    return 200, {**namespace.render(memory), "text": memory.memory}


@operation("deleteMemory")
def delete_memory(call: Call) -> Result:
    call.namespace.delete(call.params["memory_id"])
    return 200, {"message": "Memory deleted successfully!"}


@operation("getMemoryHistory")
def memory_history(call: Call) -> Result:
    return 200, call.namespace.history_of(call.params["memory_id"])


@operation("batchUpdateMemories")
def batch_update(call: Call) -> Result:
    count = call.namespace.batch_update(call.body["memories"])
    return 200, {"message": f"Successfully updated {count} memories"}


@operation("batchDeleteMemories")
def batch_delete(call: Call) -> Result:
    body = call.body
    ids = body["memory_ids"] if "memory_ids" in body else [item["memory_id"] for item in body["memories"]]
    count = call.namespace.batch_delete(list(dict.fromkeys(ids)))
    return 200, {"message": f"Successfully deleted {count} memories"}


@operation("deleteMemories")
def delete_memories(call: Call) -> Result:
    entity = _entity_conditions(call)
    if not entity:
        raise Detail("At least one of user_id, agent_id, app_id or run_id is required to delete memories.")
    metadata = call.arg("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise field_error("metadata", "Must be a JSON object.")
    call.namespace.delete_where(entity, metadata)
    return 200, {"message": "Memories deleted successfully!"}


# --- exports, feedback ----------------------------------------------------------------------


def _export_selector(call: Call) -> dict[str, Any]:
    return _combined_filter(call, call.arg("filters"))


@operation("createMemoryExport")
def create_export(call: Call) -> Result:
    schema = call.body["schema"]
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except (ValueError, RecursionError):
            raise field_error("schema", "Must be a JSON schema (an object or its JSON text).") from None
    if not isinstance(schema, dict):
        raise field_error("schema", "Must be a JSON schema object.")
    selector = _export_selector(call)
    namespace = call.namespace
    memories = namespace.select(selector, compile_filter(selector), today_utc())
    export = namespace.create_export(schema, selector, memories)
    return 201, {"message": EXPORT_MESSAGE, "id": export.id}


@operation("getMemoryExport")
def get_export(call: Call) -> Result:
    export = call.namespace.find_export(call.arg("memory_export_id"), _export_selector(call))
    return 200, export.data


@operation("createFeedback")
def create_feedback(call: Call) -> Result:
    body = call.body
    record = call.namespace.add_feedback(body["memory_id"], body.get("feedback"), body.get("feedback_reason"))
    return 200, {**record, "created_at": isoformat(record["created_at"])}


# --- service ----------------------------------------------------------------------------------


@operation("ping")
def ping(call: Call) -> Result:
    namespace = call.namespace
    return 200, {
        "status": "ok",
        "org_id": namespace.org_id,
        "project_id": namespace.project_id,
        "user_email": call.tenant.email,
    }


@operation("listEntities")
def list_entities(call: Call) -> Result:
    rows = call.namespace.entities()
    results = [
        {**row, "created_at": isoformat(row["created_at"]), "updated_at": isoformat(row["updated_at"])} for row in rows
    ]
    kinds = ("user", "agent", "app", "run")
    totals = {f"total_{kind}s": sum(1 for row in rows if row["type"] == kind) for kind in kinds}
    page = _page(call, results)
    if isinstance(page, list):
        page = {"count": len(results), "next": None, "previous": None, "results": results}
    return 200, {**page, **totals}


@operation("deleteEntity")
def delete_entity(call: Call) -> Result:
    call.namespace.delete_entity(call.params["entity_type"], call.params["entity_id"])
    return 200, {"message": "Entity deleted successfully!"}
