"""Harness views of what the mock stores, per key: what the dashboard shows, and what a test can ask.

- `GET /_mock/tenants`: every key the mock has seen, masked (`m0-*******Z34l`) and by
  fingerprint, with its projects and how much each holds
- `GET /_mock/memories`: one project's memories, filtered (entity ids, category, dates,
  metadata) or searched (`query`, with scores)
- `GET /_mock/memories/{memory_id}`: a memory with its history, each change tied to the
  journaled request that made it
- `GET /_mock/entities`, `GET /_mock/exports`, `GET /_mock/exports/{export_id}`,
  `GET /_mock/webhooks`: a project's entities, exports and webhooks
- `GET /_mock/requests/{seq}`: one journal entry

A key is named as the rest of the harness names it (`?tenant=<fingerprint>` or
`Authorization: Token <key>`), a project by `?project_id=` (default: the key's default
project). Nothing here creates a key or changes data, and no answer holds a key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, cast

from ..engine.errors import InvalidInput, NotFound
from ..engine.models import ENTITY_FIELDS, Export, HistoryEntry, Memory, isoformat
from ..engine.namespace import Namespace, SearchOptions
from ..engine.service import Scope
from ..engine.state import Tenant
from .common import Result
from .errors import Detail, FieldErrors, field_error
from .harness import PREFIX, Harness, HarnessCall, HarnessHandler, JournalView

LIST_LIMIT = 200  # memories in one answer unless `limit` says otherwise
MAX_LIMIT = 1000
SEARCH_THRESHOLD = 0.1  # today's API's default, so the page finds what a v3 search finds
MASK = "*******"


class LinkedJournal(JournalView, Protocol):
    """The journal, with the entries by number and the requests behind history entries."""

    def entry(self, seq: int) -> dict[str, Any] | None: ...

    def request_of(self, history_id: str) -> int | None: ...


class Inspected(Harness, Protocol):
    journal: LinkedJournal


ROUTES: dict[tuple[str, str], HarnessHandler] = {}  # (method, path template) -> handler


def route(method: str, path: str) -> Callable[[HarnessHandler], HarnessHandler]:
    def register(handler: HarnessHandler) -> HarnessHandler:
        ROUTES[(method, PREFIX + path)] = handler
        return handler

    return register


def masked(api_key: str) -> str:
    """A key as Mem0's dashboard shows it (`m0-*******Z34l`): the `m0-` prefix and at most the
    last four characters, fewer for a short key, so a short test key is never given away."""
    prefix = "m0-" if api_key.startswith("m0-") else ""
    rest = api_key[len(prefix):]
    shown = min(4, len(rest) // 4)
    return prefix + MASK + (rest[-shown:] if shown else "")


def _mock(call: HarnessCall) -> Inspected:
    return cast(Inspected, call.mock)


def _tenant(call: HarnessCall) -> Tenant:
    """The one key a request names; 400 when it names none, 404 for a key never seen."""
    scheme, _, key = (call.headers.get("Authorization") or "").partition(" ")
    if not (scheme.lower() == "token" and key.strip()) and not call.query.get("tenant"):
        raise field_error("tenant", "Name a key: ?tenant=<fingerprint> or Authorization: Token <key>.")
    found = call.tenants()
    if not found:
        raise Detail("The mock has not seen this key.", 404)
    return found[0]


def _project(call: HarnessCall, tenant: Tenant) -> tuple[Namespace, Scope]:
    """The project `?project_id=` names (default: the key's default project) and its scope."""
    project_id = call.query.get("project_id")
    try:
        namespace = tenant.by_project_id(project_id) if project_id else tenant.namespace(None, None)
    except NotFound:
        raise Detail("The key has no project with this id.", 404) from None
    return namespace, Scope.of(tenant, namespace.org_id, namespace.project_id)


def _flag(call: HarnessCall, name: str) -> bool:
    value = call.query.get(name, "0")
    if value not in ("0", "1", "true", "false"):
        raise field_error(name, "Must be 1 or 0.")
    return value in ("1", "true")


def _limit(call: HarnessCall) -> int:
    value = call.query.get("limit", str(LIST_LIMIT))
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise field_error("limit", f"Must be a whole number from 1 to {MAX_LIMIT}.")
    return int(value)


def _filters(call: HarnessCall) -> dict[str, Any]:
    """The v2 filter tree the query's simple fields describe (all of them must hold)."""
    parts: list[dict[str, Any]] = [{name: call.query[name]} for name in ENTITY_FIELDS if call.query.get(name)]
    if call.query.get("category"):
        parts.append({"categories": call.query["category"]})
    if call.query.get("since"):
        parts.append({"created_at": {"gte": call.query["since"]}})
    if call.query.get("until"):
        parts.append({"created_at": {"lte": call.query["until"]}})
    if call.query.get("metadata"):
        try:
            metadata = json.loads(call.query["metadata"])
        except ValueError:
            metadata = None
        if not isinstance(metadata, dict) or not metadata:
            raise field_error("metadata", 'Must be a JSON object of metadata keys to values, e.g. {"food": "pizza"}.')
        parts.append({"metadata": metadata})
    return {"AND": parts} if parts else {}


def _memory_json(memory: Memory, namespace: Namespace) -> dict[str, Any]:
    return {
        **memory.as_record(),
        "project_id": namespace.project_id,
        "replaced_by": memory.replaced_by,
        "expired": memory.is_expired(namespace.today()),
    }


def _request_json(mock: Inspected, seq: int | None) -> dict[str, Any] | None:
    """The request behind a change, as far as the journal still holds it."""
    if seq is None:
        return None
    entry = mock.journal.entry(seq)
    if entry is None:
        return {"seq": seq}
    return {name: entry[name] for name in ("seq", "time", "method", "path", "status", "operation_id")}


def _history_json(mock: Inspected, entry: HistoryEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "event": entry.event,
        "old_memory": entry.old_memory,
        "new_memory": entry.new_memory,
        "input": entry.messages(),
        "metadata": entry.metadata,
        "created_at": isoformat(entry.created_at),
        "request": _request_json(mock, mock.journal.request_of(entry.id)),
    }


def _export_json(export: Export, with_data: bool) -> dict[str, Any]:
    data = export.data
    found: dict[str, Any] = {"id": export.id, "created_at": isoformat(export.created_at), "filters": export.selector}
    if isinstance(data, dict) and isinstance(data.get("memories"), list):
        found["items"] = len(data["memories"])
    if with_data:
        found["data"] = data
    return found


# --- keys -------------------------------------------------------------------------------


@route("GET", "/tenants")
def list_tenants(call: HarnessCall) -> Result:
    """Every key seen, in the order the mock first saw them, with its projects."""
    rows = []
    for tenant in call.mock.service.store.tenants():
        projects = []
        for namespace in list(tenant.namespaces.values()):
            with namespace.lock:
                project = namespace.project
                projects.append({
                    "org_id": namespace.org_id,
                    "project_id": namespace.project_id,
                    "name": project.name if project else namespace.project_id,
                    "is_default": bool(project and project.is_default),
                    "memories": len(namespace.memories),
                    "entities": len(namespace.entity_seen),
                    "exports": len(namespace.exports),
                    "webhooks": len(namespace.webhooks),
                })
        projects.sort(key=lambda p: not p["is_default"])
        rows.append({
            "tenant": tenant.fingerprint,
            "key": masked(tenant.api_key) if tenant.api_key is not None else None,
            "org_id": tenant.default_org,
            "default_project_id": tenant.default_project,
            "memories": sum(p["memories"] for p in projects),
            "projects": projects,
        })
    return 200, {"count": len(rows), "tenants": rows}


# --- memories ---------------------------------------------------------------------------


@route("GET", "/memories")
def list_memories(call: HarnessCall) -> Result:
    """A project's memories, newest first; with `query`, the search's hits, best first, with scores."""
    tenant = _tenant(call)
    namespace, scope = _project(call, tenant)
    filters, limit = _filters(call), _limit(call)
    include_expired = _flag(call, "include_expired")
    service = call.mock.service
    query = (call.query.get("query") or "").strip()
    try:
        if query:
            options = SearchOptions(top_k=limit, threshold=SEARCH_THRESHOLD, include_expired=include_expired,
                                    explain=True)
            hits = service.search(scope, query, filters, options, require_entity=False)
            rows = [{**_memory_json(h.memory, namespace), "score": h.score, "score_breakdown": h.breakdown}
                    for h in hits]
            return 200, {"count": len(rows), "memories": rows}
        found = service.get_all(scope, filters, include_expired=include_expired, require_entity=False)
    except InvalidInput as error:  # a filter value the engine cannot read (a bad date)
        raise FieldErrors(error.errors) from None
    return 200, {"count": len(found), "memories": [_memory_json(m, namespace) for m in found[:limit]]}


@route("GET", "/memories/{memory_id}")
def memory_detail(call: HarnessCall) -> Result:
    """A memory (also a deleted one, by its history) and every change to it, each with its request."""
    tenant = _tenant(call)
    memory_id = call.path_args["memory_id"]
    mock = _mock(call)
    for namespace in list(tenant.namespaces.values()):
        scope = Scope.of(tenant, namespace.org_id, namespace.project_id)
        try:
            history = mock.service.history(scope, memory_id)
        except NotFound:
            continue
        try:
            memory: Memory | None = mock.service.get(scope, memory_id)
        except NotFound:
            memory = None
        changes = [_history_json(mock, entry) for entry in history]
        created = next((change["request"] for change in changes if change["event"] == "ADD"), None)
        return 200, {
            "id": memory_id,
            "org_id": namespace.org_id,
            "project_id": namespace.project_id,
            "deleted": memory is None,
            "memory": _memory_json(memory, namespace) if memory is not None else None,
            "created_by": created,
            "history": changes,
        }
    raise Detail("The key has no memory with this id.", 404)


# --- entities, exports, webhooks ----------------------------------------------------------


@route("GET", "/entities")
def list_entities(call: HarnessCall) -> Result:
    """A project's users, agents, apps and runs with their memory counts."""
    _, scope = _project(call, _tenant(call))
    rows = [
        {"id": e.id, "type": e.type, "name": e.name, "total_memories": e.total_memories,
         "created_at": isoformat(e.created_at)}
        for e in call.mock.service.entities(scope)
    ]
    return 200, {"count": len(rows), "entities": rows}


@route("GET", "/exports")
def list_exports(call: HarnessCall) -> Result:
    """A project's exports, newest first, without their data."""
    _, scope = _project(call, _tenant(call))
    rows = [_export_json(export, with_data=False) for export in call.mock.service.exports(scope)]
    return 200, {"count": len(rows), "exports": rows}


@route("GET", "/exports/{export_id}")
def export_detail(call: HarnessCall) -> Result:
    _, scope = _project(call, _tenant(call))
    try:
        export = call.mock.service.get_export(scope, call.path_args["export_id"], {})
    except NotFound:
        raise Detail("The project has no export with this id.", 404) from None
    return 200, _export_json(export, with_data=True)


@route("GET", "/webhooks")
def list_webhooks(call: HarnessCall) -> Result:
    """A project's webhooks (their deliveries: `GET /_mock/webhooks/deliveries`)."""
    _, scope = _project(call, _tenant(call))
    rows = [
        {"webhook_id": w.webhook_id, "name": w.name, "url": w.url, "event_types": list(w.event_types),
         "is_active": w.is_active, "created_at": isoformat(w.created_at), "updated_at": isoformat(w.updated_at)}
        for w in call.mock.service.webhooks(scope)
    ]
    return 200, {"count": len(rows), "webhooks": rows}


# --- journal ------------------------------------------------------------------------------


@route("GET", "/requests/{seq}")
def request_detail(call: HarnessCall) -> Result:
    seq = call.path_args["seq"]
    entry = _mock(call).journal.entry(int(seq)) if seq.isdigit() else None
    if entry is None:
        raise Detail(f"The journal holds no request {seq}.", 404)
    return 200, entry
