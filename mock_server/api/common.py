"""What every API surface shares: the request as handlers see it, operation tables, and
the wire shapes common to several operations (memories, pages, projections).

Surfaces receive a `Call` (the validated request plus the engine) and answer a status and
a JSON-ready body. They never touch Flask or the spec: the server binds each handler to
its operation by operationId.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from ..engine import AddOptions, Identity, MemoryService, Scope
from ..engine.categories import catalogue_from
from ..engine.models import ENTITY_FIELDS, Event, HistoryEntry, Memory, isoformat
from .errors import Detail, field_error

Result = tuple[int, Any]
DEFAULT_PAGE_SIZE = 100


@dataclass
class Call:
    """A validated request, as handlers see it."""

    service: MemoryService
    api_key: str
    params: dict[str, Any]  # path and query parameters, coerced and validated
    body: Any  # the JSON body (None when absent)
    # Scheme, host and path of the request, for page links: asked for only by pages, since
    # working it out costs more than many a whole request.
    url_of: Callable[[], str] = str
    query: Mapping[str, str] = field(default_factory=dict)  # the query string (first value per name)
    headers: Mapping[str, str] = field(default_factory=dict)  # the request's headers

    def arg(self, name: str, default: Any = None) -> Any:
        """A value from the JSON body, else the query (the SDK uses both)."""
        if isinstance(self.body, dict) and self.body.get(name) is not None:
            return self.body[name]
        value = self.params.get(name)
        return default if value is None else value

    @cached_property
    def scope(self) -> Scope:
        return Scope(self.api_key, self.arg("org_id"), self.arg("project_id"))

    @cached_property
    def identity(self) -> Identity:
        return self.service.identity(self.scope)


Handler = Callable[[Call], Result]


class Surface:
    """One API surface's operations, by operationId."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: dict[str, Handler] = {}

    def operation(self, operation_id: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if operation_id in self.handlers:
                raise ValueError(f"{operation_id} is registered twice in {self.name}")
            self.handlers[operation_id] = handler
            return handler

        return register


# --- memories on the wire ---------------------------------------------------------------


def memory_json(memory: Memory, identity: Identity) -> dict[str, Any]:
    """The memory object of the v1/v2 API; cached on the memory (callers copy to change it)."""
    rendered = memory.rendered
    if rendered is None:
        rendered = memory.rendered = {
            **memory.as_record(),
            "owner": identity.user_email,
            "organization": identity.org_id,
        }
    return rendered


def structured_attributes(memory: Memory) -> dict[str, Any]:
    """The v3 API's calendar facts about when a memory was created (UTC)."""
    moment = memory.created_at
    return {
        "year": moment.year,
        "month": moment.month,
        "day": moment.day,
        "hour": moment.hour,
        "minute": moment.minute,
        "day_of_week": moment.strftime("%A").lower(),
        "week_of_year": moment.isocalendar()[1],
        "day_of_year": moment.timetuple().tm_yday,
        "quarter": (moment.month - 1) // 3 + 1,
        "is_weekend": moment.weekday() >= 5,
    }


def v3_fields(memory: Memory) -> dict[str, Any]:
    """What the v3 API adds to a memory: the run id as `session_id`, and lifecycle facts."""
    return {
        "session_id": memory.run_id,
        "structured_attributes": structured_attributes(memory),
        "replaced_by": memory.replaced_by,
        "synthesized": False,
    }


def full_memory_json(memory: Memory, identity: Identity) -> dict[str, Any]:
    """One memory read by id: the v1 object (which older clients read) plus the v3 fields."""
    return {**memory_json(memory, identity), **v3_fields(memory)}


def event_json(event: Event) -> dict[str, Any]:
    """An event as `GET /v1/event/{id}/` shows it (latency in milliseconds)."""
    return {
        "id": event.id,
        "event_type": event.event_type,
        "status": event.status,
        "payload": event.payload,
        "metadata": event.metadata,
        "results": [
            {"id": r.id, "event": r.event, "user_id": r.user_id, "data": {"memory": r.memory}} for r in event.results
        ],
        "created_at": isoformat(event.created_at),
        "updated_at": isoformat(event.updated_at),
        "started_at": isoformat(event.started_at) if event.started_at else None,
        "completed_at": isoformat(event.completed_at) if event.completed_at else None,
        "latency": event.latency_ms,
        "graph_status": None,
        "error": event.error,
    }


def history_json(entry: HistoryEntry) -> dict[str, Any]:
    stamp = isoformat(entry.created_at)
    return {
        "id": entry.id,
        "memory_id": entry.memory_id,
        "input": entry.messages(),
        "old_memory": entry.old_memory,
        "new_memory": entry.new_memory,
        "user_id": entry.user_id,
        "event": entry.event,
        "metadata": entry.metadata,
        "created_at": stamp,
        "updated_at": stamp,
    }


# --- reading requests -------------------------------------------------------------------

MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z


def parse_date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise field_error(name, "Date has wrong format. Use YYYY-MM-DD.") from None


def add_options(body: dict[str, Any], **behaviour: Any) -> AddOptions:
    """The add request's options, with its dates checked; `behaviour` sets the engine
    options a surface decides rather than the caller (`reconcile`, `dedupe`)."""
    created_at = None
    if body.get("timestamp") is not None:
        stamp = body["timestamp"]
        if not 0 <= stamp <= MAX_TIMESTAMP:
            raise field_error("timestamp", f"Ensure this value is between 0 and {MAX_TIMESTAMP}.")
        created_at = datetime.fromtimestamp(int(stamp), tz=timezone.utc)
    expiration = parse_date("expiration_date", body["expiration_date"]) if body.get("expiration_date") else None
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
        **behaviour,
    )


# --- shaping ----------------------------------------------------------------------------


def entity_conditions(call: Call) -> dict[str, str]:
    """The entity ids a request names beside its filters (body or query)."""
    return {name: value for name in ENTITY_FIELDS if (value := call.arg(name)) is not None}


def combined_filter(call: Call, filters: Any) -> dict[str, Any]:
    """Entity ids given beside the filters narrow them (an AND), as the SDK expects."""
    parts: list[Any] = [{name: value} for name, value in entity_conditions(call).items()]
    if filters:
        parts.append(filters)
    return {"AND": parts} if len(parts) > 1 else (parts[0] if parts else {})


def project(item: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """`fields`: keep only `id`, `score` and the named fields."""
    if not fields:
        return item
    keep = {"id", "score", *fields}
    return {key: value for key, value in item.items() if key in keep}


def paginate(call: Call, items: list[Any], page: int | None, page_size: int | None) -> dict[str, Any]:
    """A DRF page of `items`; a page past the end is DRF's 404 "Invalid page."."""
    page, page_size = int(page or 1), int(page_size or DEFAULT_PAGE_SIZE)  # JSON allows 2.0
    last = max(1, math.ceil(len(items) / page_size))
    if page > last:
        raise Detail("Invalid page.", 404)
    start = (page - 1) * page_size

    base_url = call.url_of()

    def link(number: int) -> str:
        query = {**call.query, "page": number, "page_size": page_size}
        return f"{base_url}?{urlencode(query)}"

    return {
        "count": len(items),
        "next": link(page + 1) if page < last else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": items[start : start + page_size],
    }


def page_if_asked(call: Call, items: list[Any]) -> Any:
    """DRF pagination when asked for with `page` / `page_size`, else the whole list."""
    page, page_size = call.arg("page"), call.arg("page_size")
    if page is None and page_size is None:
        return items
    return paginate(call, items, page, page_size)
