"""The memory operations of today's API (v3): add, list and search under `/v3/memories/`,
and the summary. Same memories as the v1/v2 surface, other wire shapes and rules:

- add queues inference (`infer: true` answers an event id, still PENDING) and only ever
  adds (a fact about a known subject is stored beside the old one, which it supersedes);
  `infer: false` stores user and assistant turns verbatim at once; an exact repeat of a
  text in the same scope is not stored twice;
- list and search take every entity id inside `filters` (at the top level it is a 400),
  hide expired memories unless `show_expired`, and name a run id `session_id` in listings;
- search defaults to `threshold` 0.1 and no rerank, and explains each score;
- a key of today's API is scoped to its project: `org_id` / `project_id` in a body are
  ignored like any unknown key (the v1/v2 API reaches a key's other projects with them).
"""

from __future__ import annotations

from typing import Any

from ..engine import Identity, Scope, SearchOptions
from ..engine.errors import EntityRequired
from ..engine.models import ENTITY_FIELDS, Memory, isoformat
from .common import Call, Result, Surface, add_options, memory_json, paginate, project, v3_fields
from .errors import AddError, FieldErrors

surface = Surface("memories v3")

DEFAULT_THRESHOLD = 0.1
DEFAULT_TOP_K = 10
STORED_MESSAGE = "Memories stored successfully"
ADD_INVALID = (
    "Invalid input data. Please refer to the memory creation documentation at "
    "https://docs.mem0.ai/platform/quickstart#4-1-create-memories for correct formatting and required fields."
)
# The npm SDK sends `filters` verbatim, so its documented camelCase keys arrive as they are.
CAMEL_FIELDS = {
    "userId": "user_id",
    "agentId": "agent_id",
    "appId": "app_id",
    "runId": "run_id",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
}


def _home(call: Call) -> Scope:
    """The key's own project: today's API has no `org_id` / `project_id` on memory calls."""
    return Scope(call.api_key)


def normalise_filters(tree: Any) -> Any:
    """A filter tree with camelCase field names turned into the API's snake_case ones."""
    if isinstance(tree, list):
        return [normalise_filters(child) for child in tree]
    if not isinstance(tree, dict):
        return tree
    return {
        CAMEL_FIELDS.get(key, key): normalise_filters(value) if key in ("AND", "OR", "NOT") else value
        for key, value in tree.items()
    }


def _refuse_top_level_entities(body: dict[str, Any]) -> None:
    named = [name for name in ENTITY_FIELDS if body.get(name) is not None]
    if named:
        message = "Entity ids go inside `filters` in the v3 API, e.g. {\"filters\": {\"user_id\": \"alex\"}}."
        raise FieldErrors({name: [message] for name in named})


def _with_body_filters(filters: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """`filters` narrowed by the body's shortcuts: dates, categories and a keyword."""
    parts: list[dict[str, Any]] = [filters]
    dates = {op: body[key] for op, key in (("gte", "start_date"), ("lte", "end_date")) if body.get(key)}
    if dates:
        parts.append({"created_at": dates})
    if body.get("categories"):
        parts.append({"categories": {"in": list(body["categories"])}})
    if body.get("keywords"):
        parts.append({"keywords": {"icontains": str(body["keywords"])}})
    return {"AND": parts} if len(parts) > 1 else filters


def memory_v3_json(memory: Memory) -> dict[str, Any]:
    """A memory as v3 listings show it (the run id as `session_id`)."""
    return {
        "id": memory.id,
        "memory": memory.memory,
        "user_id": memory.user_id,
        "agent_id": memory.agent_id,
        "app_id": memory.app_id,
        **v3_fields(memory),
        "metadata": memory.metadata,
        "categories": list(memory.categories),
        "immutable": memory.immutable,
        "expiration_date": memory.expiration_date.isoformat() if memory.expiration_date else None,
        "created_at": isoformat(memory.created_at),
        "updated_at": isoformat(memory.updated_at),
    }


def score_breakdown(score: float, evidence: dict[str, float] | None, keyword_search: bool) -> dict[str, float]:
    """`score_breakdown` summing to the `score` answered. The engine explains the similarity
    before `rerank` lifts it or `keyword_search` keeps only words; both are lexical, so what
    they change is `bm25`'s share."""
    parts = {"semantic": 0.0, "bm25": 0.0, "entity": 0.0}
    if not keyword_search:
        parts.update(evidence or {})
    parts["bm25"] = max(0.0, parts["bm25"] + score - sum(parts.values()))
    return {key: round(value, 6) for key, value in parts.items()}


def search_v3_json(memory: Memory, score: float, breakdown: dict[str, float], identity: Identity) -> dict[str, Any]:
    """A search result of the v3 API (here the run id is `run_id`), from the memory's cached
    wire form: the dates are formatted once per memory, not once per answer."""
    base = memory_json(memory, identity)
    return {
        "id": base["id"],
        "memory": base["memory"],
        "user_id": base["user_id"],
        "agent_id": base["agent_id"],
        "app_id": base["app_id"],
        "run_id": base["run_id"],
        "metadata": base["metadata"],
        "categories": base["categories"],
        "score": score,
        "score_breakdown": breakdown,
        "expiration_date": base["expiration_date"],
        "created_at": base["created_at"],
        "updated_at": base["updated_at"],
    }


# --- add --------------------------------------------------------------------------------


def _add_entity(body: dict[str, Any]) -> dict[str, Any]:
    """Entity ids at the top level (the docs), else flat inside `filters` (the Python SDK's
    `AddMemoryOptions` puts them there)."""
    entity = {name: body.get(name) for name in ENTITY_FIELDS}
    if not any(entity.values()) and isinstance(body.get("filters"), dict):
        filters = normalise_filters(body["filters"])
        entity = {name: value if isinstance(value := filters.get(name), str) else None for name in ENTITY_FIELDS}
    return entity


@surface.operation("addMemoriesV3")
def add_memories(call: Call) -> Result:
    body = call.body
    messages = body["messages"]
    if isinstance(messages, str):  # the npm SDK sends a plain string as it is
        messages = [{"role": "user", "content": messages}]
    entity = _add_entity(body)
    options = add_options(body, reconcile=False, dedupe=True, extract_assistant=True)
    try:
        if options.infer:
            event = call.service.add_queued(_home(call), messages, entity, options, body)
            return 200, {"event_id": event.id, "status": "PENDING"}  # as queued, whenever it gets done
        event = call.service.add_recorded(_home(call), messages, entity, options, body)
    except EntityRequired:
        raise AddError(ADD_INVALID) from None
    results = [{"id": r.id, "data": {"memory": r.memory}, "event": r.event} for r in event.results]
    return 200, {"message": STORED_MESSAGE, "status": event.status, "event_id": event.id, "results": results}


# --- list and search --------------------------------------------------------------------


@surface.operation("getMemoriesV3")
def list_memories(call: Call) -> Result:
    body = call.body
    _refuse_top_level_entities(body)
    tree = _with_body_filters(normalise_filters(body["filters"]), body)
    found = call.service.get_all(
        _home(call),
        tree,
        include_expired=bool(body.get("show_expired")),
        latest_only=bool(body.get("latest_only")),
    )
    items = [project(memory_v3_json(memory), body.get("fields")) for memory in found]
    page = call.params.get("page") or body.get("page")  # the query wins over the body
    page_size = call.params.get("page_size") or body.get("page_size")
    return 200, paginate(call, items, page, page_size)


@surface.operation("searchMemoriesV3")
def search_memories(call: Call) -> Result:
    body = call.body
    _refuse_top_level_entities(body)
    threshold = body.get("threshold")
    options = SearchOptions(
        top_k=int(body.get("top_k") or DEFAULT_TOP_K),
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        rerank=bool(body.get("rerank")),
        keyword_search=bool(body.get("keyword_search")),
        include_expired=bool(body.get("show_expired")),
        latest_only=bool(body.get("latest_only")),
        explain=True,
    )
    tree = _with_body_filters(normalise_filters(body["filters"]), body)
    home = _home(call)
    hits = call.service.search(home, body["query"].strip(), tree, options, body.get("metadata"))
    fields = body.get("fields")
    identity = call.service.identity(home)
    # Hits of one match pattern share one evidence dict (held by `hits`), so one breakdown.
    breakdowns: dict[tuple[float, int], dict[str, float]] = {}
    results = []
    for memory, score, evidence in hits:
        key = (score, id(evidence))
        breakdown = breakdowns.get(key)
        if breakdown is None:
            breakdown = breakdowns[key] = score_breakdown(score, evidence, options.keyword_search)
        results.append(search_v3_json(memory, score, breakdown, identity))
    return 200, {"results": [project(item, fields) for item in results] if fields else results}


@surface.operation("getSummary")
def summary(call: Call) -> Result:
    result = call.service.summary(_home(call), normalise_filters(call.body["filters"]))
    return 200, [{"summary": result.text, "memory_count": result.memory_count, "categories": result.categories}]
