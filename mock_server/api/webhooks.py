"""Webhooks of a project: list, create, update, delete. Delivery happens in the engine."""

from __future__ import annotations

from typing import Any

from ..engine import Scope
from ..engine.models import isoformat
from ..engine.webhooks import Webhook
from .common import Call, Result, Surface

surface = Surface("webhooks")


def webhook_json(webhook: Webhook) -> dict[str, Any]:
    return {
        "webhook_id": webhook.webhook_id,
        "name": webhook.name,
        "url": webhook.url,
        "event_types": list(webhook.event_types),
        "is_active": webhook.is_active,
        "project": webhook.project,
        "owner": webhook.owner,
        "created_at": isoformat(webhook.created_at),
        "updated_at": isoformat(webhook.updated_at),
    }


def _project_scope(call: Call) -> Scope:
    """The project the path names; `null` (what an SDK without a project id sends) means
    the key's default project."""
    project_id = call.params["project_id"]
    if project_id == "null":
        return Scope(call.api_key)
    namespace = call.service.project_by_id(call.api_key, project_id)
    return Scope(call.api_key, namespace.org_id, namespace.project_id)


def _event_types(body: dict[str, Any]) -> list[str] | None:
    """`event_types`, or `eventTypes` as the seed-era npm SDK sends it."""
    value = body.get("event_types", body.get("eventTypes"))
    return list(value) if value is not None else None


@surface.operation("listWebhooks")
def list_webhooks(call: Call) -> Result:
    return 200, [webhook_json(w) for w in call.service.webhooks(_project_scope(call))]


@surface.operation("createWebhook")
def create_webhook(call: Call) -> Result:
    body = call.body
    webhook = call.service.create_webhook(
        _project_scope(call), body["name"], body["url"], _event_types(body) or [], body.get("is_active", True)
    )
    return 201, webhook_json(webhook)


@surface.operation("updateWebhook")
def update_webhook(call: Call) -> Result:
    changes = {key: call.body[key] for key in ("name", "url", "is_active") if key in call.body}
    event_types = _event_types(call.body)
    if event_types is not None:
        changes["event_types"] = event_types
    call.service.update_webhook(call.api_key, call.params["webhook_id"], changes)
    return 200, {"message": "Webhook updated successfully"}


@surface.operation("deleteWebhook")
def delete_webhook(call: Call) -> Result:
    call.service.delete_webhook(call.api_key, call.params["webhook_id"])
    return 200, {"message": "Webhook deleted successfully"}
