"""Shape of every operation: schemathesis generates requests from the spec and judges the answers.

Each operation gets one test item (`test_shape[<operationId>: <METHOD> <path>]`) that runs the
spec's examples, the coverage phase and a bounded, seeded fuzzing phase, with the checks below.
Before a request leaves, `before_call` moves every generated entity id into the run's
namespace (see `contracts.plugin.RunNamespace`) and swaps generated memory / export ids for
real ones made for the run, so that destructive calls cannot touch data outside the run and
valid requests really reach the success paths. Today's account-level objects get the same
treatment (`contracts.objects.RunObjects`): organization and project ids become the key's
organization and projects the run created, webhook, event and job ids become the run's,
webhook URLs the suite's own receiver, member e-mails addresses at example.com; profile
settings are written back after every change.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import checks as st_checks
from schemathesis.core.failures import FailureGroup

from contracts.client import http_session
from contracts.plugin import (
    ENTITY_ALIASES,
    ENTITY_FIELDS,
    ENTITY_MAX_LENGTH,
    ENTITY_TYPES,
    RunNamespace,
    Target,
    is_uuid,
    record_check,
)
from spec import load_spec

SUITE = "shape"
MAX_EXAMPLES = 10
SEED = 20250901
# The coverage phase enumerates thousands of variants of the recursive filter schema; the
# first few of each (operation, mode, scenario, location, parameter) keep its breadth.
COVERAGE_PER_SCENARIO = 6

# Statuses a valid request may get. Domain 400s (no entity id, unknown batch id) are made
# impossible by the rewriting below, so 400 is not among them; a wrong key (401) fails the run.
POSITIVE_STATUSES = ["2xx", "404"]

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.negative_data_rejection,
    st_checks.positive_data_acceptance,
    st_checks.missing_required_header,
    st_checks.ignored_auth,
]


def _raw_spec() -> dict[str, Any]:
    raw = copy.deepcopy(load_spec())
    raw["x-mem0-contracts-suite"] = SUITE  # lets the process-wide hook recognise our cases
    return raw


# Bodies built around the recursive filter language: their coverage phase enumerates tens of
# thousands of variants (most of the suite's time) of a language the filter suites check
# operator by operator against the oracle, so they get the examples and fuzzing phases only.
FILTER_BODIES = (
    "searchMemoriesV1", "searchMemoriesV2", "searchMemoriesV3", "getMemoriesV2", "getMemoriesV3",
    "getSummary", "createMemoryExport", "getMemoryExport",
)
# An explicit config: a schemathesis.toml wherever the suite runs from must not change it.
CONFIG = schemathesis.Config.from_dict(
    {"operations": [{"include-operation-id": list(FILTER_BODIES), "phases": {"coverage": {"enabled": False}}}]}
)
SCHEMA = schemathesis.openapi.from_dict(_raw_spec(), config=CONFIG)
# Requests go where `target` says (per call); an unreachable default catches any that would not.
SCHEMA.config.update(base_url="http://127.0.0.1:9")
SCHEMA.config.seed = SEED
SCHEMA.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, no_shrink=True)
SCHEMA.config.checks.positive_data_acceptance.expected_statuses = POSITIVE_STATUSES

OPERATIONS: dict[str, tuple[str, str]] = {
    op["operationId"]: (method.upper(), path)
    for path, methods in load_spec()["paths"].items()
    for method, op in methods.items()
    if isinstance(op, dict) and "operationId" in op
}

_NAMESPACE: list[RunNamespace] = []
_SESSION: list[requests.Session] = []  # one keep-alive session for every generated request
_LAST_FAILURES: list[tuple[str, Any]] = []
_COVERAGE_SEEN: Counter[tuple[Any, ...]] = Counter()


@SCHEMA.hook("filter_case")
def within_budget(context: Any, case: schemathesis.Case) -> bool:
    """Keep a coverage-phase case only while its scenario is within budget (deterministic: by order).

    Applied as cases are generated at collection, so the skipped ones cost no request.
    """
    meta = case.meta
    if meta is None or meta.phase.name.value != "coverage":
        return True
    data = meta.phase.data
    key = (
        case.operation.label,
        meta.generation.mode.value,
        str(getattr(data, "scenario", "")),
        str(getattr(data, "parameter_location", "")),
        getattr(data, "parameter", None),
    )
    _COVERAGE_SEEN[key] += 1
    return _COVERAGE_SEEN[key] <= COVERAGE_PER_SCENARIO


@pytest.fixture(scope="module", autouse=True)
def _active_namespace(mem0_namespace: RunNamespace) -> Iterator[RunNamespace]:
    """Make the run's namespace (and target) visible to the schemathesis hooks, which get no fixtures."""
    _NAMESPACE.append(mem0_namespace)
    _SESSION.append(http_session(mem0_namespace.target.base_url))  # no auth: each case sets its own
    yield mem0_namespace
    _SESSION.pop().close()
    _NAMESPACE.remove(mem0_namespace)


KEY_PLACEHOLDER = "mem0-contracts-target-key"


@SCHEMA.auth()
class TargetKey:
    """Authorization set by schemathesis itself, so that cases probing a missing or bad header keep
    it missing or bad (a per-call header would put it back). Examples are built at collection,
    before the target is known, so the key is a placeholder that `before_call` swaps."""

    def get(self, case: schemathesis.Case, context: Any) -> str:
        return KEY_PLACEHOLDER

    def set(self, case: schemathesis.Case, data: str, context: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Token {data}"


# --------------------------------------------------------------------------- rewriting


def _entity_names(ns: RunNamespace, body: dict[str, Any]) -> None:
    for name in ENTITY_FIELDS:
        if isinstance(body.get(name), str):
            body[name] = ns.name(body[name])


def _names_some_entity(mapping: Any) -> bool:
    return isinstance(mapping, dict) and any(isinstance(mapping.get(n), str) and mapping[n] for n in ENTITY_FIELDS)


def _map_ids(ns: RunNamespace, ids: list[Any], mapping: dict[str, str]) -> None:
    """Replace well-formed memory ids by fresh real ones of the run (the same id, the same memory).

    Always fresh, even for an id that is already real: schemathesis reuses the case objects of
    explicit examples, whose ids a previous call may have deleted.
    """
    wanted = [x for x in dict.fromkeys(i for i in ids if is_uuid(i)) if x not in mapping]
    if not wanted or len(ids) > 1000:
        return
    for generated in wanted:
        mapping[generated] = ns.fresh_memory_id() or generated


PROJECT_OPERATIONS = frozenset({
    "getProject", "updateProject", "deleteProject", "listProjectMembers", "addProjectMember", "updateProjectMember",
    "removeProjectMember",
})
ORG_OPERATIONS = PROJECT_OPERATIONS | {"listProjects", "createProject"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _valid_path_id(value: Any) -> bool:
    """An org / project / webhook id the spec accepts (the rest stay as generated: they test 4xx)."""
    return isinstance(value, str) and 0 < len(value) <= 255 and "/" not in value


def _rewrite_account_objects(
    ns: RunNamespace, operation_id: str, path: dict[str, Any], query: dict[str, Any], body: Any, real_objects: bool
) -> None:
    """Point project, webhook, event and profile-job requests at objects the run made.

    Without `real_objects` (requests sent with a wrong key) the ids are namespaced names
    nothing has, so even a target that ignored the key could not touch a real object.
    """
    objects = ns.objects

    def fake(kind: str) -> str:
        return ns.name(f"no-such-{kind}")

    if operation_id in ORG_OPERATIONS and _valid_path_id(path.get("org_id")):
        path["org_id"] = (ns.home()[0] if real_objects else None) or fake("org")
    if operation_id in PROJECT_OPERATIONS and _valid_path_id(path.get("project_id")):
        if not real_objects:
            path["project_id"] = fake("project")
        elif operation_id == "deleteProject":
            path["project_id"] = objects.create_project() or fake("project")
        else:
            path["project_id"] = objects.project() or fake("project")
    if operation_id in ("listWebhooks", "createWebhook") and _valid_path_id(path.get("project_id")):
        path["project_id"] = (objects.project() if real_objects else None) or fake("project")
    if operation_id in ("updateWebhook", "deleteWebhook") and _valid_path_id(path.get("webhook_id")):
        hook = None
        if real_objects:
            hook = objects.fresh_webhook() if operation_id == "deleteWebhook" else objects.webhook()
        path["webhook_id"] = hook or fake("webhook")
    if operation_id == "getEvent" and is_uuid(path.get("event_id")) and real_objects:
        path["event_id"] = objects.event_id() or path["event_id"]
    if operation_id == "getProfileJob" and is_uuid(path.get("job_id")) and real_objects:
        path["job_id"] = objects.job_id() or path["job_id"]
    if operation_id == "createProject":
        objects.touch_projects()
    if operation_id == "updateProfileSettings":
        objects.snapshot_profile_settings()  # written back after the call (`after_call`)
    if operation_id == "removeProjectMember":
        email = query.get("email")
        if isinstance(email, str) and 3 <= len(email) <= 254:
            project = path.get("project_id")
            query["email"] = objects.fresh_member(project) if real_objects and project else objects.member_email()
    if not isinstance(body, dict):
        return
    if operation_id in ("createProject", "updateProject") and isinstance(body.get("name"), str) and body["name"]:
        body["name"] = ns.name(body["name"])
    if operation_id in ("addProjectMember", "updateProjectMember") and isinstance(body.get("email"), str) \
            and _EMAIL.match(body["email"]) and len(body["email"]) <= 254:
        project = path.get("project_id")
        fresh = real_objects and operation_id == "updateProjectMember" and project
        body["email"] = objects.fresh_member(project) if fresh else objects.member_email()
    if operation_id in ("createWebhook", "updateWebhook") and isinstance(body.get("url"), str) \
            and re.match(r"^https?://", body["url"]):
        body["url"] = objects.hook_url()  # only ever the suite's own receiver


def _json_object(value: Any) -> dict[str, Any] | None:
    """`value` as a JSON object: itself if a dict, parsed if JSON text of an object, else None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def rewrite_request(
    ns: RunNamespace,
    operation_id: str,
    path: dict[str, Any],
    query: dict[str, Any],
    body: Any,
    real_objects: bool = True,
) -> Any:
    """Namespace a request's entity ids in place; answers the (possibly new) body.

    With `real_objects`, well-formed memory / export ids become ids of objects made for the
    run, and a deleted entity gets a memory first, so valid requests reach their 200s.
    """
    ns.scope(query)
    if isinstance(body, dict):
        ns.scope(body)
    _rewrite_account_objects(ns, operation_id, path, query, body, real_objects)
    if operation_id in ("getMemoriesV1", "deleteMemories"):
        for name in ENTITY_FIELDS:
            if name in query:
                query[name] = ns.wire_name(query[name])
        if not any(isinstance(query.get(n), str) and query[n] for n in ENTITY_FIELDS):
            free = next((n for n in ENTITY_FIELDS if n not in query), "user_id")
            query[free] = ns.default_user
    elif operation_id in ("deleteEntity", "getEntity", "getProfile"):
        if "entity_id" in path:
            path["entity_id"] = ns.wire_name(path["entity_id"])
            name, kind = path["entity_id"], path.get("entity_type")
            if real_objects and kind in ENTITY_TYPES and 0 < len(name) <= ENTITY_MAX_LENGTH and "/" not in name:
                ns.ensure_entity(kind, name)
    elif operation_id == "deleteEntityById":
        # The id is the listing's number: delete an entity made for the run, never another one.
        kind = path.get("entity_type")
        serial = None
        if real_objects and kind in ENTITY_TYPES:
            name = ns.name(f"serial-{secrets.token_hex(3)}")
            ns.ensure_entity(kind, name)
            serial = ns.entity_serial(kind, name)
        if "entity_id" in path and isinstance(path["entity_id"], str) and path["entity_id"].isdigit():
            path["entity_id"] = serial or "999999999999"
    elif operation_id in ("getMemory", "updateMemory", "deleteMemory", "getMemoryHistory"):
        memory_id = path.get("memory_id")
        if real_objects and is_uuid(memory_id):
            path["memory_id"] = ns.fresh_memory_id() or memory_id
    if operation_id == "getMemoriesV2":
        # The query form is JSON text (`content: application/json`); the body form an object.
        in_query = _json_object(query.get("filters"))
        if in_query is not None:
            query["filters"] = json.dumps(ns.filter_tree(in_query))
        if isinstance(body, dict) and isinstance(body.get("filters"), dict):
            body["filters"] = ns.filter_tree(body["filters"])
        elif "filters" not in query and (body is None or isinstance(body, dict)):
            query["filters"] = json.dumps(ns.filter_tree({}))
    if not isinstance(body, dict):
        return body
    if operation_id in ("addMemories", "addMemoriesV3"):
        _entity_names(ns, body)
        if isinstance(body.get("filters"), dict):
            body["filters"] = {ENTITY_ALIASES.get(k, k): v for k, v in body["filters"].items()}
            _entity_names(ns, body["filters"])
        if not _names_some_entity(body):
            body["user_id"] = ns.default_user
        ns.track(body, body.get("org_id"), body.get("project_id"))
    elif operation_id in ("getMemoriesV3", "searchMemoriesV3", "getSummary"):
        for name in ENTITY_FIELDS:  # at the top level they are a 400 by rule, not by schema
            body.pop(name, None)
        if isinstance(body.get("filters"), dict):
            body["filters"] = ns.filter_tree(body["filters"])
    elif operation_id == "startProfileJob":
        # Only profiles of the run's own entities: sampling would read other users' memories.
        if body.get("operation") in ("sample", "regenerate", "rebuild"):
            body["operation"] = "trigger"
            body.setdefault("entity_id", ns.default_user)
        if isinstance(body.get("entity_id"), str):
            body["entity_id"] = ns.name(body["entity_id"])
            if real_objects and body.get("entity_type") in ENTITY_TYPES:
                ns.ensure_entity(body["entity_type"], body["entity_id"])
    elif operation_id == "searchMemoriesV1":
        _entity_names(ns, body)
        if isinstance(body.get("filters"), dict):
            _entity_names(ns, body["filters"])
        if not _names_some_entity(body) and not _names_some_entity(body.get("filters")):
            body["user_id"] = ns.default_user
    elif operation_id == "searchMemoriesV2":
        if isinstance(body.get("filters"), dict):
            body["filters"] = ns.filter_tree(body["filters"])
    elif operation_id in ("createMemoryExport", "getMemoryExport"):
        _entity_names(ns, body)
        if isinstance(body.get("schema"), str) and _json_object(body["schema"]) is None:
            # The spec says "a JSON string" (contentMediaType), which JSON Schema cannot enforce.
            body["schema"] = json.dumps({"type": "object", "description": body["schema"]})
        if isinstance(body.get("filters"), dict):
            body["filters"] = ns.filter_tree(body["filters"], ensure_entity=False)
        elif not _names_some_entity(body):
            body["user_id"] = ns.default_user
        export_id = body.get("memory_export_id")
        if real_objects and is_uuid(export_id) and export_id != ns.export_id():
            body["memory_export_id"] = ns.export_id() or export_id
    elif real_objects and operation_id == "createFeedback":
        if is_uuid(body.get("memory_id")):
            body["memory_id"] = ns.fresh_memory_id() or body["memory_id"]
    elif real_objects and operation_id in ("batchUpdateMemories", "batchDeleteMemories"):
        mapping: dict[str, str] = {}
        items = body.get("memories")
        if isinstance(items, list):
            objects = [item for item in items if isinstance(item, dict)]
            _map_ids(ns, [item.get("memory_id") for item in objects], mapping)
            for item in objects:
                if isinstance(item.get("memory_id"), str) and item["memory_id"] in mapping:
                    item["memory_id"] = mapping[item["memory_id"]]
        ids = body.get("memory_ids")
        if isinstance(ids, list):
            _map_ids(ns, ids, mapping)
            body["memory_ids"] = [mapping.get(x, x) if isinstance(x, str) else x for x in ids]
    return body


@schemathesis.hook
def before_call(context: Any, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """Keep generated requests inside the run's namespace (process-wide hook; ours only)."""
    if case.operation.schema.raw_schema.get("x-mem0-contracts-suite") != SUITE or not _NAMESPACE:
        return
    operation_id = case.operation.definition.raw["operationId"]
    if case.headers and case.headers.get("Authorization") == f"Token {KEY_PLACEHOLDER}":
        case.headers["Authorization"] = f"Token {_NAMESPACE[-1].target.api_key}"
    if case.path_parameters is None:
        case.path_parameters = {}
    if case.query is None:
        case.query = {}
    body = case.body if isinstance(case.body, dict) else None
    rewritten = rewrite_request(_NAMESPACE[-1], operation_id, case.path_parameters, case.query, body)
    if body is not None:
        case.body = rewritten


@SCHEMA.hook
def after_call(context: Any, case: schemathesis.Case, response: Any) -> None:
    """Remember what a generated create made (for cleanup) and put profile settings back."""
    if not _NAMESPACE:
        return
    objects = _NAMESPACE[-1].objects
    operation_id = case.operation.definition.raw["operationId"]
    if operation_id == "updateProfileSettings":
        objects.restore_profile_settings()
    if not 200 <= response.status_code < 300 or operation_id not in ("createProject", "createWebhook"):
        return
    try:
        payload = response.json()
    except ValueError:
        return
    if not isinstance(payload, dict):
        return
    if operation_id == "createProject" and isinstance(payload.get("project_id"), str):
        objects.projects.append(payload["project_id"])
    if operation_id == "createWebhook" and payload.get("webhook_id") is not None:
        objects.webhooks.append(str(payload["webhook_id"]))


@SCHEMA.hook
def after_validate(context: Any, case: schemathesis.Case, response: Any, results: list[Any]) -> None:
    """Count every schemathesis check per operation, and keep the failed ones' names for the message."""
    _LAST_FAILURES.clear()
    for result in results:
        record_check(result.name, result.failure is None)
        if result.failure is not None:
            _LAST_FAILURES.append((result.name, result.failure))


def _named(exc: FailureGroup, operation_id: str) -> AssertionError:
    """The failures as one assertion whose first lines say "[operationId] check: title".

    A plain AssertionError, so that JUnit's failure message and pytest's summary line carry
    those names (for an exception group they would show a nested failure's repr).
    """
    lines = [f"[{operation_id}] {name}: {failure.title}" for name, failure in _LAST_FAILURES]
    if not lines:
        lines = [f"[{operation_id}] {'/'.join(f.checks) or 'check'}: {f.title}" for f in exc.exceptions]
    return AssertionError("; ".join(dict.fromkeys(lines)) + "\n" + exc.message)


# --------------------------------------------------------------------------- tests


@SCHEMA.parametrize()
def test_shape(case: schemathesis.Case, target: Target) -> None:
    """Every generated request gets an answer the spec allows, and valid ones succeed."""
    operation_id = case.operation.definition.raw["operationId"]
    try:
        case.call_and_validate(base_url=target.base_url, session=_SESSION[-1], checks=CHECKS, timeout=60)
    except FailureGroup as exc:
        raise _named(exc, operation_id) from None


def _resolve(node: Any, spec: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        found: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def example_request(operation_id: str) -> tuple[str, str, dict[str, Any], Any]:
    """A valid request for an operation from the spec's own examples: method, path, query, body."""
    spec = load_spec()
    method, template = OPERATIONS[operation_id]
    definition = spec["paths"][template][method.lower()]
    path_args: dict[str, Any] = {}
    for parameter in (_resolve(p, spec) for p in definition.get("parameters", [])):
        if parameter["in"] == "path":
            path_args[parameter["name"]] = parameter.get("example", "x")
    body = None
    content = definition.get("requestBody", {}).get("content", {}).get("application/json")
    if content and content.get("examples"):
        body = copy.deepcopy(_resolve(next(iter(content["examples"].values())), spec)["value"])
    return method, template, path_args, body


@pytest.mark.parametrize(
    "operation_id", [pytest.param(op, marks=pytest.mark.mem0_operation(op), id=op) for op in OPERATIONS]
)
@pytest.mark.parametrize("credentials", ["wrong-key", "no-header", "bad-scheme"])
def test_rejects_bad_credentials(
    operation_id: str, credentials: str, target: Target, mem0_namespace: RunNamespace
) -> None:
    """Every operation answers 401 with `{"detail": ...}` to a wrong key, no header, or another scheme.

    A target that takes any key (a mock started without keys) has no wrong key: those checks
    are skipped, and said so once at the end of the run.
    """
    if credentials == "wrong-key" and target.accepts_any_key:
        pytest.skip("the target accepts any API key (each key its own tenant)")
    method, template, path_args, body = example_request(operation_id)
    query: dict[str, Any] = {}
    body = rewrite_request(mem0_namespace, operation_id, path_args, query, body, real_objects=False)
    url = target.base_url + template.format(**path_args)
    headers = {
        "wrong-key": {"Authorization": f"Token m0-wrong-{secrets.token_hex(8)}"},
        "no-header": {},
        "bad-scheme": {"Authorization": f"Bearer {target.api_key}"},
    }[credentials]
    # the module's keep-alive session (it carries no key): each call sets its own headers
    response = _SESSION[-1].request(method, url, params=query, json=body, headers=headers, timeout=60)
    if operation_id == "updateProfileSettings":
        mem0_namespace.objects.restore_profile_settings()  # in case the target ignored the key
    detail = f"[{operation_id}] auth_enforced ({credentials}): {method} {url} answered {response.status_code}"
    assert response.status_code == 401, f"{detail}, expected 401: {response.text[:300]}"
    try:
        payload = response.json()
    except ValueError:
        payload = None
    assert isinstance(payload, dict) and isinstance(payload.get("detail"), str), (
        f'{detail} with a body that is not {{"detail": "..."}}: {response.text[:300]}'
    )
