"""Ping and the entities (users, agents, apps, runs) of a project."""

from __future__ import annotations

from typing import Any

from ..engine.models import Entity, isoformat
from .common import Call, Result, Surface, paginate

surface = Surface("ping and entities")

ENTITY_KINDS = ("user", "agent", "app", "run")
DELETE_QUEUED_MESSAGE = "Delete in progress. This may take some time."


@surface.operation("ping")
def ping(call: Call) -> Result:
    identity = call.identity
    return 200, {
        "status": "ok",
        "org_id": identity.org_id,
        "project_id": identity.project_id,
        "user_email": identity.user_email,
    }


def entity_json(entity: Entity, call: Call) -> dict[str, Any]:
    stamp = isoformat(entity.created_at)
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "owner": call.identity.user_email,
        "organization": call.identity.org_id,
        "metadata": {},
        "total_memories": entity.total_memories,
        "created_at": stamp,
        "updated_at": stamp,
    }


@surface.operation("listEntities")
def list_entities(call: Call) -> Result:
    entities = call.service.entities(call.scope)
    results = [entity_json(entity, call) for entity in entities]
    totals = {f"total_{kind}s": sum(1 for e in entities if e.type == kind) for kind in ENTITY_KINDS}
    if call.arg("page") is None and call.arg("page_size") is None:
        page: dict[str, Any] = {"count": len(results), "next": None, "previous": None, "results": results}
    else:
        page = paginate(call, results, call.arg("page"), call.arg("page_size"))
    return 200, {**page, **totals}


@surface.operation("getEntity")
def get_entity(call: Call) -> Result:
    """One entity by type and name, answered as a one-item list (as documented)."""
    entity = call.service.entity(call.scope, call.params["entity_type"], call.params["entity_id"])
    return 200, [entity_json(entity, call)]


@surface.operation("deleteEntity")
def delete_entity(call: Call) -> Result:
    """Deletes the entity and its memories; answers the deletion's (finished) event."""
    event = call.service.delete_entity(call.scope, call.params["entity_type"], call.params["entity_id"])
    return 200, {"message": DELETE_QUEUED_MESSAGE, "event_id": event.id}


@surface.operation("deleteEntityById")
def delete_entity_by_id(call: Call) -> Result:
    """The deprecated form, by the numeric id the listing shows (the spec checks it is one)."""
    event = call.service.delete_entity_by_id(call.scope, call.params["entity_type"], call.params["entity_id"])
    return 200, {"message": DELETE_QUEUED_MESSAGE, "event_id": event.id}
