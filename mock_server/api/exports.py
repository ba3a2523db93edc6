"""Memory exports and feedback."""

from __future__ import annotations

import json

from ..engine.models import isoformat
from .common import Call, Result, Surface, combined_filter
from .errors import field_error

surface = Surface("exports and feedback")

EXPORT_MESSAGE = "Memory export request received. The export will be ready in a few seconds."


@surface.operation("createMemoryExport")
def create_export(call: Call) -> Result:
    schema = call.body["schema"]
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except (ValueError, RecursionError):
            raise field_error("schema", "Must be a JSON schema (an object or its JSON text).") from None
    if not isinstance(schema, dict):
        raise field_error("schema", "Must be a JSON schema object.")
    export = call.service.export(call.scope, schema, combined_filter(call, call.arg("filters")))
    return 201, {"message": EXPORT_MESSAGE, "id": export.id}


@surface.operation("getMemoryExport")
def get_export(call: Call) -> Result:
    selector = combined_filter(call, call.arg("filters"))
    return 200, call.service.get_export(call.scope, call.arg("memory_export_id"), selector).data


@surface.operation("createFeedback")
def create_feedback(call: Call) -> Result:
    body = call.body
    record = call.service.feedback(call.scope, body["memory_id"], body.get("feedback"), body.get("feedback_reason"))
    return 200, {
        "id": record.id,
        "memory_id": record.memory_id,
        "feedback": record.feedback,
        "feedback_reason": record.feedback_reason,
        "created_at": isoformat(record.created_at),
    }
