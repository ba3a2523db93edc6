"""Projects of an organization and their members, under `/api/v1/orgs/organizations/`.

A project's settings (`custom_instructions`, `custom_categories`, ...) take effect on the
adds that follow. The SDKs add `org_id` / `project_id` to some of these bodies and queries;
the path decides.
"""

from __future__ import annotations

from typing import Any

from ..engine.models import isoformat
from ..engine.namespace import Namespace
from .common import Call, Result, Surface

surface = Surface("projects")


def _org_project(call: Call) -> tuple[str, str]:
    return call.params["org_id"], call.params["project_id"]


def project_json(namespace: Namespace) -> dict[str, Any]:
    project = namespace.project
    return {
        "project_id": namespace.project_id,
        "name": project.name,
        "description": project.description,
        "created_at": isoformat(project.created_at),
        "updated_at": isoformat(project.updated_at),
        "members": [{"username": m.username, "email": m.email, "role": m.role} for m in project.members],
        "usecase": project.usecase_setting,
        "memory_depth": project.memory_depth,
        "inclusion_prompt": None,
        "exclusion_prompt": None,
        "custom_categories": project.custom_categories,
        "custom_instructions": project.custom_instructions,
        "agent_custom_instructions": project.agent_custom_instructions,
        "update_custom_instructions": None,
        "summary_custom_instructions": None,
        "summary_batch_size": 10,
        "summary_max_tokens": None,
        "expiration_date": None,
        "enable_graph": project.enable_graph,
        "multilingual": project.multilingual,
        "version": project.version,
        "is_default": project.is_default,
        "active_prompt_profile": None,
        "decay": project.decay,
        "user_role": next((m.role for m in project.members if m.email == namespace.owner), "OWNER"),
    }


@surface.operation("listProjects")
def list_projects(call: Call) -> Result:
    return 200, [project_json(ns) for ns in call.service.projects(call.api_key, call.params["org_id"])]


@surface.operation("createProject")
def create_project(call: Call) -> Result:
    body = call.body
    namespace = call.service.create_project(call.api_key, call.params["org_id"], body["name"], body.get("description"))
    return 200, {"message": "Project created successfully.", "project_id": namespace.project_id}


@surface.operation("getProject")
def get_project(call: Call) -> Result:
    namespace = call.service.project(call.api_key, *_org_project(call))
    item = project_json(namespace)
    fields = call.params.get("fields")
    return 200, {key: item[key] for key in fields if key in item} if fields else item


@surface.operation("updateProject")
def update_project(call: Call) -> Result:
    changes = {key: value for key, value in call.body.items() if key not in ("org_id", "project_id")}
    if isinstance(changes.get("custom_instructions"), list):  # documented as a list, sent as a string
        changes["custom_instructions"] = "\n".join(str(line) for line in changes["custom_instructions"])
    if changes.get("agent_custom_instructions") == "":
        changes["agent_custom_instructions"] = None
    call.service.update_project(call.api_key, *_org_project(call), changes)
    return 200, {"message": "Project updated successfully"}


@surface.operation("deleteProject")
def delete_project(call: Call) -> Result:
    call.service.delete_project(call.api_key, *_org_project(call))
    return 200, {"message": "Project and related data deleted successfully."}


# --- members ----------------------------------------------------------------------------


@surface.operation("listProjectMembers")
def list_members(call: Call) -> Result:
    project = call.service.project(call.api_key, *_org_project(call)).project
    return 200, {"members": [{"username": m.username, "email": m.email, "role": m.role} for m in project.members]}


@surface.operation("addProjectMember")
def add_member(call: Call) -> Result:
    call.service.add_member(call.api_key, *_org_project(call), call.body["email"], call.body["role"])
    return 200, {"message": "User added to the project successfully."}


@surface.operation("updateProjectMember")
def update_member(call: Call) -> Result:
    call.service.update_member(call.api_key, *_org_project(call), call.body["email"], call.body["role"])
    return 200, {"message": "User role updated successfully."}


@surface.operation("removeProjectMember")
def remove_member(call: Call) -> Result:
    call.service.remove_member(call.api_key, *_org_project(call), call.params["email"])
    return 200, {"message": "Member removed from the project"}

