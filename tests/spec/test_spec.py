"""Static checks of the hand-written OpenAPI document (spec/openapi.yaml).

- it is a valid OpenAPI 3.1 document;
- it declares exactly the operations of docs/semantics.md, each once, on the right route;
- every example in it is valid against the schema it illustrates;
- the recursive v2 filter schema accepts the documented filters and rejects bad ones.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
SEMANTICS = ROOT / "docs" / "semantics.md"
SPEC_URI = "https://mem0-contract.invalid/spec/openapi.json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# operationId -> (method, path), as in the operations table of docs/semantics.md.
OPERATIONS: dict[str, tuple[str, str]] = {
    "addMemories": ("post", "/v1/memories/"),
    "searchMemoriesV2": ("post", "/v2/memories/search/"),
    "searchMemoriesV1": ("post", "/v1/memories/search/"),
    "getMemoriesV2": ("post", "/v2/memories/"),
    "getMemoriesV1": ("get", "/v1/memories/"),
    "getMemoryHistory": ("get", "/v1/memories/{memory_id}/history/"),
    "getMemory": ("get", "/v1/memories/{memory_id}/"),
    "updateMemory": ("put", "/v1/memories/{memory_id}/"),
    "batchUpdateMemories": ("put", "/v1/batch/"),
    "deleteMemory": ("delete", "/v1/memories/{memory_id}/"),
    "batchDeleteMemories": ("delete", "/v1/batch/"),
    "deleteMemories": ("delete", "/v1/memories/"),
    "createMemoryExport": ("post", "/v1/exports/"),
    "getMemoryExport": ("post", "/v1/exports/get/"),
    "createFeedback": ("post", "/v1/feedback/"),
    "ping": ("get", "/v1/ping/"),
    "listEntities": ("get", "/v1/entities/"),
    "deleteEntity": ("delete", "/v2/entities/{entity_type}/{entity_id}/"),
    # today's API (v3 memories, events, entities, projects, webhooks, profiles)
    "addMemoriesV3": ("post", "/v3/memories/add/"),
    "getMemoriesV3": ("post", "/v3/memories/"),
    "searchMemoriesV3": ("post", "/v3/memories/search/"),
    "getSummary": ("post", "/v1/summary/"),
    "getEvent": ("get", "/v1/event/{event_id}/"),
    "listEvents": ("get", "/v1/events/"),
    "getEntity": ("get", "/v2/entities/{entity_type}/{entity_id}/"),
    "deleteEntityById": ("delete", "/v1/entities/{entity_type}/{entity_id}/"),
    "getProfile": ("get", "/v2/entities/{entity_type}/{entity_id}/profile/"),
    "getProfileSettings": ("get", "/v2/profiles/settings/"),
    "updateProfileSettings": ("post", "/v2/profiles/settings/"),
    "startProfileJob": ("post", "/v2/profiles/jobs/"),
    "getProfileJob": ("get", "/v2/profiles/jobs/{job_id}/"),
    "listProjects": ("get", "/api/v1/orgs/organizations/{org_id}/projects/"),
    "createProject": ("post", "/api/v1/orgs/organizations/{org_id}/projects/"),
    "getProject": ("get", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/"),
    "updateProject": ("patch", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/"),
    "deleteProject": ("delete", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/"),
    "listProjectMembers": ("get", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/members/"),
    "addProjectMember": ("post", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/members/"),
    "updateProjectMember": ("put", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/members/"),
    "removeProjectMember": ("delete", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/members/"),
    "listWebhooks": ("get", "/api/v1/webhooks/projects/{project_id}/"),
    "createWebhook": ("post", "/api/v1/webhooks/projects/{project_id}/"),
    "updateWebhook": ("put", "/api/v1/webhooks/{webhook_id}/"),
    "deleteWebhook": ("delete", "/api/v1/webhooks/{webhook_id}/"),
}
BODY_OPERATIONS = {
    "addMemories",
    "searchMemoriesV2",
    "searchMemoriesV1",
    "getMemoriesV2",
    "updateMemory",
    "batchUpdateMemories",
    "batchDeleteMemories",
    "createMemoryExport",
    "getMemoryExport",
    "createFeedback",
    "addMemoriesV3",
    "getMemoriesV3",
    "searchMemoriesV3",
    "getSummary",
    "updateProfileSettings",
    "startProfileJob",
    "createProject",
    "updateProject",
    "addProjectMember",
    "updateProjectMember",
    "createWebhook",
    "updateWebhook",
}


# --------------------------------------------------------------------------- helpers


def pointer(*segments: str | int) -> str:
    """A JSON pointer (RFC 6901) to the given segments."""
    return "".join("/" + str(s).replace("~", "~0").replace("/", "~1") for s in segments)


def registry_for(spec: dict[str, Any]) -> Registry:
    return Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec))


def validator_at(registry: Registry, schema_pointer: str) -> Draft202012Validator:
    """A validator for the schema at `schema_pointer`, with `$ref`s resolved in the whole spec."""
    ref = {"$ref": f"{SPEC_URI}#{quote(schema_pointer, safe='/~')}"}
    return Draft202012Validator(ref, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def resolve_local(spec: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (`#/...`) of a non-schema object (Example, Parameter, ...)."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are used: {ref}"
        node = spec
        for segment in ref[2:].split("/"):
            node = node[segment.replace("~1", "/").replace("~0", "~")]
        seen += 1
        assert seen < 10, "reference loop"
    return node


def walk(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every node of the document with its path; example values are not entered."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            is_example = key in ("example", "examples") and path != ("components",)
            if is_example and not (path and path[-1] == "properties"):
                yield (*path, key), value
            else:
                yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def is_schema_path(path: tuple[str | int, ...]) -> bool:
    """Whether the node at `path` lies inside a Schema Object."""
    if path[:2] == ("components", "schemas") and len(path) >= 3:
        return True
    return "schema" in path


def collect_examples(spec: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Every example of the spec as (where, schema pointer, value).

    Covers `example` / `examples[*].value` of parameters, headers and media types
    (against their `schema`), and `example` / `examples[*]` of schema objects
    (against the schema itself). Fails on an example anywhere else, so none escapes.
    """
    found: list[tuple[str, str, Any]] = []
    handled: set[tuple[str | int, ...]] = set()
    for path, node in walk(spec):
        if not isinstance(node, dict) or path[:2] == ("components", "examples"):
            continue
        if is_schema_path(path):
            # A Schema Object: `examples` is a JSON Schema array of values.
            target = pointer(*path)
            if "example" in node:
                found.append((pointer(*path, "example"), target, node["example"]))
                handled.add((*path, "example"))
            if "examples" in node and isinstance(node["examples"], list):
                for index, value in enumerate(node["examples"]):
                    found.append((pointer(*path, "examples", index), target, value))
                handled.add((*path, "examples"))
            continue
        if "schema" not in node:
            continue
        # A Parameter, Header or Media Type Object next to its schema.
        target = pointer(*path, "schema")
        if "example" in node:
            found.append((pointer(*path, "example"), target, node["example"]))
            handled.add((*path, "example"))
        for name, example in (node.get("examples") or {}).items():
            example = resolve_local(spec, example)
            assert "value" in example, f"{pointer(*path, 'examples', name)} has no value"
            found.append((pointer(*path, "examples", name), target, example["value"]))
        if "examples" in node:
            handled.add((*path, "examples"))

    stray = [
        pointer(*path)
        for path, node in walk(spec)
        if path
        and path[-1] in ("example", "examples")
        and path[:2] != ("components", "examples")
        and path[-2:] != ("properties", path[-1])
        and path not in handled
        and path != ("components", "examples")
    ]
    assert not stray, f"examples in places this test does not check: {stray}"
    return found


def semantics_operations() -> dict[str, tuple[str, str]]:
    text = SEMANTICS.read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*(\w+)\s*\|\s*(GET|POST|PUT|PATCH|DELETE)\s+(/\S*)\s*\|", text, re.MULTILINE)
    return {op: (method.lower(), path) for op, method, path in rows}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec()


@pytest.fixture(scope="module")
def registry(spec: dict[str, Any]) -> Registry:
    return registry_for(spec)


@pytest.fixture(scope="module")
def filter_validator(registry: Registry) -> Draft202012Validator:
    return validator_at(registry, "/components/schemas/Filter")


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield method, path, item[method]


# --------------------------------------------------------------------------- (a) validity


def test_load_spec_returns_the_document(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    assert load_spec() is spec  # cached


def test_spec_is_valid_openapi_31(spec: dict[str, Any]) -> None:
    validate_openapi(copy.deepcopy(spec))


def test_servers_and_security(spec: dict[str, Any]) -> None:
    assert [s["url"] for s in spec["servers"]] == ["https://api.mem0.ai", "http://127.0.0.1:8000"]
    scheme = spec["components"]["securitySchemes"]["Token"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Prefix your key with 'Token '",
    }
    assert spec["security"] == [{"Token": []}]
    for _, _, op in operations(spec):
        assert op.get("security", spec["security"]) == [{"Token": []}], op["operationId"]


# --------------------------------------------------------------------------- (b) operations


def test_operation_table_matches_semantics() -> None:
    if not SEMANTICS.exists():
        pytest.skip("docs/semantics.md not present")
    assert semantics_operations() == OPERATIONS


def test_every_operation_once_on_its_route(spec: dict[str, Any]) -> None:
    seen: dict[str, list[tuple[str, str]]] = {}
    for method, path, op in operations(spec):
        seen.setdefault(op.get("operationId", "<missing>"), []).append((method, path))
    assert seen == {op_id: [route] for op_id, route in OPERATIONS.items()}


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_operation_documents_itself(spec: dict[str, Any], operation_id: str) -> None:
    method, path = OPERATIONS[operation_id]
    op = spec["paths"][path][method]
    assert op.get("summary"), "summary"
    assert op.get("description"), "description"
    assert op.get("tags"), "tags"
    responses = op["responses"]
    assert "401" in responses
    assert "405" not in responses
    assert any(code.startswith("2") for code in responses)
    if operation_id in BODY_OPERATIONS:
        assert "requestBody" in op
        assert {"400", "413", "415"} <= set(responses)
    else:
        assert "requestBody" not in op
        assert not {"413", "415"} & set(responses)
    for code, response in responses.items():
        response = resolve_local(spec, response)
        assert "application/json" in response.get("content", {}), f"{code} has a JSON body"
    for name in re.findall(r"{(\w+)}", path):
        params = [resolve_local(spec, p) for p in op.get("parameters", [])]
        assert any(p["name"] == name and p["in"] == "path" and p["required"] for p in params), name


def test_deletes_document_200_and_204(spec: dict[str, Any]) -> None:
    for operation_id in ("deleteMemory", "deleteMemories"):
        method, path = OPERATIONS[operation_id]
        responses = spec["paths"][path][method]["responses"]
        assert {"200", "204"} <= set(responses), operation_id


def test_links_for_stateful_testing(spec: dict[str, Any]) -> None:
    ids = set(OPERATIONS)
    add_links = spec["paths"]["/v1/memories/"]["post"]["responses"]["200"]["links"]
    targets = {link["operationId"] for link in add_links.values()}
    assert targets == {"getMemory", "updateMemory", "getMemoryHistory", "deleteMemory"}
    for link in add_links.values():
        assert link["parameters"] == {"memory_id": "$response.body#/results/0/id"}
    delete_links = spec["paths"]["/v1/memories/{memory_id}/"]["delete"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in delete_links.values()} == {"getMemory"}
    for _, node in walk(spec["paths"]):
        if isinstance(node, dict) and "links" in node:
            for link in node["links"].values():
                assert link["operationId"] in ids


# --------------------------------------------------------------------------- (c) examples


def test_spec_has_examples(spec: dict[str, Any]) -> None:
    examples = collect_examples(spec)
    assert len(examples) >= 40
    referenced = set(re.findall(r"#/components/examples/(\w+)", json.dumps(spec["paths"])))
    referenced |= set(re.findall(r"#/components/examples/(\w+)", json.dumps(spec["components"])))
    unused = set(spec["components"].get("examples", {})) - referenced
    assert not unused, f"component examples never used (so never checked): {unused}"


def test_every_example_is_valid(spec: dict[str, Any], registry: Registry) -> None:
    errors = []
    for where, schema_pointer, value in collect_examples(spec):
        validator = validator_at(registry, schema_pointer)
        for error in validator.iter_errors(value):
            errors.append(f"{where}: {error.message} at {list(error.absolute_path)}")
    assert not errors, "\n".join(errors)


def test_example_check_catches_an_invalid_example(spec: dict[str, Any]) -> None:
    broken = copy.deepcopy(spec)
    media = broken["components"]["examples"]["FullMemory"]["value"]
    media["id"] = "<string>"
    media["created_at"] = "yesterday"
    registry = registry_for(broken)
    bad = [
        where
        for where, schema_pointer, value in collect_examples(broken)
        if not validator_at(registry, schema_pointer).is_valid(value)
    ]
    assert bad and all("/examples/memory" in where or "/examples/FullMemory" in where for where in bad), bad


# --------------------------------------------------------------------------- (d) filters

SEED_FILTERS = [
    {"OR": [{"user_id": "alex"}]},
    {"OR": [{"user_id": "alice"}, {"agent_id": {"in": ["travel-agent", "sports-agent"]}}]},
    {"OR": [{"user_id": "alex"}, {"agent_id": {"in": ["travel-assistant", "customer-support"]}}]},
    {"AND": [{"user_id": "alex"}, {"created_at": {"gte": "2024-07-01", "lte": "2024-07-31"}}]},
    {"AND": [{"user_id": "alice"}, {"run_id": "*"}]},
    {"AND": [{"user_id": "alice"}, {"categories": {"contains": "finance"}}]},
    {"AND": [{"user_id": "alice"}, {"categories": {"in": ["personal_information"]}}]},
]

MORE_VALID_FILTERS = [
    {"user_id": "alex", "agent_id": "travel-assistant"},
    {"NOT": {"user_id": "bob"}},
    {"AND": [{"app_id": "cooking"}, {"NOT": [{"keywords": {"icontains": "NUT"}}, {"run_id": "r1"}]}]},
    {"user_id": "alex", "updated_at": {"lt": "2024-07-31T12:00:00Z", "ne": "2024-07-04"}},
    {"user_id": "alex", "created_at": "2024-07-01"},
    {"user_id": {"ne": "x", "gt": "a"}, "metadata": {"source": "chat", "priority": {"gte": 2}, "vip": True}},
    {"OR": [{"AND": [{"OR": [{"user_id": "deep"}]}]}]},
]

INVALID_FILTERS = [
    {"user_id": {"bogus": 1}},
    {"AND": {}},
    {"AND": []},
    {"OR": {"user_id": "alex"}},
    {"NOT": []},
    {"user_id": {}},
    {"user_id": {"in": "alex"}},
    {"user_id": 5},
    {"unknown_field": "x"},
    {"user_id": {"eq": "alex"}},
    {"created_at": {"gte": "yesterday"}},
    {"created_at": "2024-13-01"},
    {"metadata": {"k": {"bogus": 1}}},
    {"metadata": "x"},
    {"AND": [{"user_id": "alex"}, {"categories": {"contains": ["finance"]}}]},
    [],
]


@pytest.mark.parametrize("value", SEED_FILTERS + MORE_VALID_FILTERS)
def test_filter_accepts(filter_validator: Draft202012Validator, value: Any) -> None:
    filter_validator.validate(value)


@pytest.mark.parametrize("value", INVALID_FILTERS)
def test_filter_rejects(filter_validator: Draft202012Validator, value: Any) -> None:
    with pytest.raises(ValidationError):
        filter_validator.validate(value)


def test_seed_filters_appear_as_examples(spec: dict[str, Any]) -> None:
    bodies = [
        value
        for where, _, value in collect_examples(spec)
        if where.startswith(pointer("paths", "/v2/memories/search/"))
        or where.startswith(pointer("paths", "/v2/memories/"))
    ]
    filters = [body["filters"] for body in bodies if isinstance(body, dict) and "filters" in body]
    for seed_filter in SEED_FILTERS:
        assert seed_filter in filters, seed_filter


# --------------------------------------------------------------------------- request schemas

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ("BatchDeleteRequest", {"memory_ids": ["285ed74b-6e05-4043-b16b-3abd5b533496"]}, True),
        ("BatchDeleteRequest", {"memories": [{"memory_id": "285ed74b-6e05-4043-b16b-3abd5b533496"}]}, True),
        ("BatchDeleteRequest", {"memory_ids": []}, False),
        ("BatchDeleteRequest", {"memory_ids": ["not-a-uuid"]}, False),
        ("BatchDeleteRequest", {"memories": [{"id": "285ed74b-6e05-4043-b16b-3abd5b533496"}]}, False),
        ("BatchDeleteRequest", {}, False),
        ("BatchUpdateRequest", {"memories": [{"text": "x"}]}, False),
        ("UpdateMemoryRequest", {}, False),
        ("UpdateMemoryRequest", {"other": 1}, False),
        ("UpdateMemoryRequest", {"metadata": {"a": 1}}, True),
        ("UpdateMemoryRequest", {"expiration_date": None}, True),
        ("AddMemoriesV3Request", {"messages": "I live in SF", "user_id": "alex"}, True),
        ("AddMemoriesV3Request", {"messages": MESSAGES, "user_id": "alex", "output_format": "v1.1", "x": 1}, True),
        ("AddMemoriesV3Request", {"messages": [], "user_id": "alex"}, False),
        ("GetMemoriesV3Request", {}, False),
        ("GetMemoriesV3Request", {"filters": {"userId": "alex"}}, True),
        ("GetMemoriesV3Request", {"filters": {"user_id": "alex"}, "page_size": 201}, False),
        ("SearchMemoriesV3Request", {"query": "", "filters": {"user_id": "a"}}, False),
        ("SearchMemoriesV3Request", {"query": "q", "filters": {"user_id": "a"}, "output_format": "v1.1"}, True),
        ("CreateWebhookRequest", {"name": "n", "url": "https://x.test/h", "eventTypes": ["memory_add"]}, True),
        ("CreateWebhookRequest", {"name": "n", "url": "https://x.test/h"}, False),
        ("CreateWebhookRequest", {"name": "n", "url": "ftp://x", "event_types": ["memory_add"]}, False),
        ("ProfileJobRequest", {"operation": "sample", "entity_type": "user", "limit": 11}, False),
        ("AddMemoriesRequest", {"messages": [], "user_id": "alex"}, False),
        ("AddMemoriesRequest", {"messages": [{"role": "bot", "content": "hi"}]}, False),
        ("AddMemoriesRequest", {"messages": MESSAGES, "user_id": ""}, False),
        ("AddMemoriesRequest", {"messages": MESSAGES, "unknown": 1}, True),
        ("AddMemoriesRequest", {"messages": MESSAGES, "output_format": "v2"}, False),
        ("AddMemoriesRequest", {"messages": MESSAGES, "expiration_date": None}, True),
        ("SearchMemoriesV2Request", {"query": "q"}, False),
        ("SearchMemoriesV2Request", {"query": "q", "filters": {"user_id": "a"}, "top_k": 0}, False),
        ("SearchMemoriesV2Request", {"query": "q", "filters": {"user_id": "a"}, "threshold": 1.5}, False),
        ("FeedbackRequest", {"memory_id": "285ed74b-6e05-4043-b16b-3abd5b533496", "feedback": "MEH"}, False),
        ("FeedbackRequest", {"memory_id": "285ed74b-6e05-4043-b16b-3abd5b533496", "feedback": None}, True),
    ],
)
def test_request_schemas(registry: Registry, schema: str, value: Any, valid: bool) -> None:
    assert validator_at(registry, f"/components/schemas/{schema}").is_valid(value) is valid


def test_error_shapes_are_distinguishable(registry: Registry) -> None:
    bodies = {
        "ErrorDetail": {"detail": "Invalid token."},
        "FieldErrors": {"messages": ["This field is required."]},
        "AddError": {"error": "400 Bad Request", "details": {"message": "no entity"}},
        "EntityRuleError": {"message": "One of the filters: app_id, user_id, agent_id, run_id is required!"},
    }
    for name, body in bodies.items():
        matches = [
            other for other in bodies if validator_at(registry, f"/components/schemas/{other}").is_valid(body)
        ]
        assert matches == [name], (name, matches)
