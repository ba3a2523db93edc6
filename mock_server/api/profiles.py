"""User profiles (beta in both SDKs): settings, jobs that build profiles, and a profile."""

from __future__ import annotations

from typing import Any

from ..engine import UNSET
from ..engine.models import isoformat
from ..engine.namespace import Namespace
from ..engine.profiles import ProfileJob
from .common import Call, Result, Surface

surface = Surface("profiles")


def settings_json(namespace: Namespace) -> dict[str, Any]:
    settings = namespace.profile_settings
    return {
        "enabled": settings.enabled,
        "entities": {
            "user": {"schema": settings.effective_schema(), "custom_instructions": settings.custom_instructions}
        },
        "capabilities": {"full_rebuild": True},
    }


@surface.operation("getProfileSettings")
def get_settings(call: Call) -> Result:
    return 200, settings_json(call.service.profile_settings(call.scope))


@surface.operation("updateProfileSettings")
def update_settings(call: Call) -> Result:
    body = call.body  # the spec refuses a flat body and a schema property without a description
    user = (body.get("entities") or {}).get("user") or {}
    namespace = call.service.update_profile_settings(
        call.scope,
        enabled=UNSET if body.get("enabled") is None else body["enabled"],
        schema=user.get("schema", UNSET),
        custom_instructions=user.get("custom_instructions", UNSET),
    )
    return 200, settings_json(namespace)


def job_started_json(job: ProfileJob) -> dict[str, Any]:
    """The answer to a start: a new job is QUEUED (its worker may already be done), a replay is as it is now."""
    answer: dict[str, Any] = {
        "job_id": job.id,
        "status": job.status if job.replayed else "QUEUED",
        "status_url": f"/v2/profiles/jobs/{job.id}/",
        "operation": job.operation,
        "entity_type": job.entity_type,
        "entity_count_reserved": len(job.entity_ids),
        "event_id": None,
        "replayed": job.replayed,
    }
    if job.operation == "sample":
        answer.update(sampled=len(job.entity_ids), entity_ids=list(job.entity_ids))
    return answer


@surface.operation("startProfileJob")
def start_job(call: Call) -> Result:
    body = call.body
    operation = "regenerate" if body["operation"] == "rebuild" else body["operation"]
    job = call.service.start_profile_job(
        call.scope,
        operation,
        body["entity_type"],
        body.get("entity_id"),
        body.get("limit"),
        call.headers.get("Idempotency-Key"),
    )
    return 202, job_started_json(job)


@surface.operation("getProfileJob")
def get_job(call: Call) -> Result:
    job = call.service.profile_job(call.scope, call.params["job_id"])
    return 200, {
        "job": {
            "id": job.id,
            "operation": job.operation,
            "entity_type": job.entity_type,
            "status": job.status,
            "total": len(job.entity_ids),
            "enumeration_complete": True,
            "completed": job.completed,
            "succeeded": job.succeeded,
            "failed": job.failed,
            "skipped": job.skipped,
            "results": list(job.results),
        }
    }


@surface.operation("getProfile")
def get_profile(call: Call) -> Result:
    profile = call.service.profile(call.scope, call.params["entity_type"], call.params["entity_id"])
    return 200, {
        "profile": profile.data,
        "status": profile.status,
        "entity_type": profile.entity_type,
        "entity_id": profile.entity_id,
        "updated_at": isoformat(profile.updated_at) if profile.updated_at else None,
        "generation_count": profile.generation_count,
        "error": profile.error,
    }
