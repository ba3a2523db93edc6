"""Stateful sequences through the spec's OpenAPI links: add -> get / update / history / delete -> get.

Two complementary tests. `test_links_state_machine` lets schemathesis' state machine explore
sequences along the spec's own links (inference off) with the stateful checks
`use_after_free` and `ensure_resource_availability`. `test_links_walk` follows every link of
the spec deterministically for a few generated add bodies and asserts what each link means
(the memory read back is the one added, the history grows, a deleted memory is 404), so a
target that still answers 200 after a delete fails whatever the exploration happened to draw.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import checks as st_checks
from schemathesis.core.failures import FailureGroup

from contracts.plugin import ENTITY_FIELDS, RunNamespace, Target, is_uuid, record_check
from spec import load_spec

pytestmark = pytest.mark.v1v2  # the spec's links start at v1 add (the September 2025 API)

SUITE = "stateful"
SEED = 20250902
LINKED = ["addMemories", "getMemory", "updateMemory", "getMemoryHistory", "deleteMemory"]

RESPONSE_CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]
STATEFUL_CHECKS = [*RESPONSE_CHECKS, st_checks.use_after_free, st_checks.ensure_resource_availability]
HISTORY_CHECKS = [check for check in STATEFUL_CHECKS if check is not st_checks.use_after_free]


def _schema(target: Target, include: list[str] | None = None) -> Any:
    raw = copy.deepcopy(load_spec())
    raw["x-mem0-contracts-suite"] = SUITE
    schema = schemathesis.openapi.from_dict(raw, config=schemathesis.Config())  # no schemathesis.toml
    # Built inside the test, after `target` is known, so the operations pick these up.
    schema.config.update(base_url=target.base_url, headers=target.headers)
    schema.config.seed = SEED
    schema.config.generation.update(deterministic=True)
    schema.config.phases.stateful.inference.algorithms = []  # the spec's own links only
    schema.config.checks.positive_data_acceptance.expected_statuses = ["2xx", "404"]
    if include:
        schema = schema.include(operation_id=include)
    return schema


def _operation_id(case: schemathesis.Case) -> str:
    return case.operation.definition.raw["operationId"]


def shape_add_body(ns: RunNamespace, body: Any, tag: str) -> Any:
    """An add body the links can follow: sync, `v1.1` output, stored verbatim, in the namespace.

    The links read `$response.body#/results/0/id`, i.e. the SDK-style answer of a synchronous
    add that stored something, and pass only `memory_id`; everything else generated is kept.
    """
    if not isinstance(body, dict):
        return body
    body.update(output_format="v1.1", async_mode=False, infer=False, immutable=False)
    ns.scope(body)  # links carry no org/project: the memory must live in the key's default project
    body.pop("expiration_date", None)
    for name in ENTITY_FIELDS:
        if isinstance(body.get(name), str) and body[name]:
            body[name] = ns.name(body[name])
        elif name in body and not isinstance(body[name], str):
            body[name] = None
    if not any(isinstance(body.get(n), str) and body[n] for n in ENTITY_FIELDS):
        body["user_id"] = f"{ns.prefix}sm-{tag}"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        body["messages"] = messages = [{"role": "user", "content": ""}]
    first = messages[0] if isinstance(messages[0], dict) else {}
    messages[0] = {**first, "role": "user", "content": f"stateful probe {tag} {first.get('content') or ''}".strip()}
    ns.track(body, body.get("org_id"), body.get("project_id"))
    return body


# --------------------------------------------------------------------------- state machine

_MACHINE_CONTEXT: list[tuple[RunNamespace, Target]] = []


@schemathesis.hook
def before_call(context: Any, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """Keep the machine's adds followable and inside the run's namespace (ours only)."""
    if case.operation.schema.raw_schema.get("x-mem0-contracts-suite") != SUITE or not _MACHINE_CONTEXT:
        return
    ns, _ = _MACHINE_CONTEXT[-1]
    if isinstance(case.query, dict):
        ns.scope(case.query)  # the links pass no org/project: every step works in the default project
    if _operation_id(case) == "addMemories" and isinstance(case.body, dict):
        case.body = shape_add_body(ns, case.body, secrets.token_hex(3))


@pytest.mark.mem0_operation("addMemories")
def test_links_state_machine(target: Target, mem0_namespace: RunNamespace) -> None:
    """Sequences along the spec's links, judged by the response and the stateful checks."""
    schema = _schema(target, include=LINKED)

    @schema.hook
    def after_validate(context: Any, case: schemathesis.Case, response: Any, results: list[Any]) -> None:
        for result in results:
            record_check(f"{result.name} (stateful)", result.failure is None, operation=_operation_id(case))

    base = schema.as_state_machine()

    class Links(base):  # type: ignore[misc, valid-type]
        def validate_response(self, response: Any, case: schemathesis.Case, additional_checks: Any = None,
                              **kwargs: Any) -> None:
            __tracebackhide__ = True
            # The history of a deleted memory stays readable (spec), so no use-after-free there.
            checks = HISTORY_CHECKS if _operation_id(case) == "getMemoryHistory" else STATEFUL_CHECKS
            try:
                case.validate_response(
                    response, checks=checks, transport_kwargs=kwargs or None, recorder=self.recorder
                )
            except FailureGroup as exc:
                names = ", ".join(sorted({c for f in exc.exceptions for c in f.checks} or {"check"}))
                raise AssertionError(f"[{_operation_id(case)}] {names}: {exc.message}") from None

    settings = hypothesis.settings(
        max_examples=15,
        stateful_step_count=6,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    _MACHINE_CONTEXT.append((mem0_namespace, target))
    try:
        Links.run(settings=settings)
    finally:
        _MACHINE_CONTEXT.remove((mem0_namespace, target))


# --------------------------------------------------------------------------- explicit walk


def _pointer(document: Any, pointer: str) -> Any:
    for part in pointer.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def evaluate(expression: str, response_body: Any, path_args: dict[str, Any]) -> Any:
    """The two runtime expressions the spec's links use."""
    if expression.startswith("$response.body#"):
        return _pointer(response_body, expression.removeprefix("$response.body#"))
    if expression.startswith("$request.path."):
        return path_args[expression.removeprefix("$request.path.")]
    raise AssertionError(f"unsupported link expression {expression!r}")


def links_of(operation_id: str, status: str = "200") -> dict[str, dict[str, Any]]:
    for methods in load_spec()["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation["responses"][status].get("links", {})
    raise KeyError(operation_id)


class Walker:
    """Calls operations by operationId through schemathesis, so each answer is also shape-checked."""

    def __init__(self, schema: Any, target: Target) -> None:
        self.target = target
        self.operations = {
            op.definition.raw["operationId"]: op
            for op in (result.ok() for result in schema.get_all_operations())
        }

    def call(self, operation_id: str, path: dict[str, Any] | None = None, body: Any = None,
             expect: int | None = None) -> Any:
        operation = self.operations[operation_id]
        kwargs: dict[str, Any] = {"path_parameters": path or {}}
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        case = operation.Case(**kwargs)
        response = case.call(base_url=self.target.base_url, headers=self.target.headers, timeout=60)
        try:
            case.validate_response(response, checks=RESPONSE_CHECKS, headers=self.target.headers)
        except FailureGroup as exc:
            names = ", ".join(sorted({c for f in exc.exceptions for c in f.checks} or {"check"}))
            record_check(f"{operation_id} shape", False, operation=operation_id)
            raise AssertionError(f"[{operation_id}] {names}: {exc.message}") from None
        record_check(f"{operation_id} shape", True, operation=operation_id)
        if expect is not None:
            ok = response.status_code == expect
            record_check(f"{operation_id} link semantics", ok, operation=operation_id)
            assert ok, (
                f"[{operation_id}] link_semantics: {case.method} {case.formatted_path} answered "
                f"{response.status_code}, expected {expect}: {response.text[:300]}"
            )
        return response.json() if response.content else None


ADD_BODIES = schemathesis.openapi.from_dict(copy.deepcopy(load_spec()), config=schemathesis.Config())[
    "/v1/memories/"
]["POST"]


@pytest.mark.mem0_operation("addMemories")
def test_links_walk(target: Target, mem0_namespace: RunNamespace) -> None:
    """Every link of the spec, followed for a few generated add bodies, means what it says."""
    walker = Walker(_schema(target), target)
    add_links = links_of("addMemories")
    delete_links = links_of("deleteMemory")
    assert {link["operationId"] for link in add_links.values()} >= {
        "getMemory", "updateMemory", "getMemoryHistory", "deleteMemory"
    }, "the spec's add response lost its links"
    assert any(link["operationId"] == "getMemory" for link in delete_links.values())
    walked: list[str] = []

    @hypothesis.settings(
        max_examples=4, derandomize=True, database=None, deadline=None,
        phases=[hypothesis.Phase.generate], suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=ADD_BODIES.as_strategy())
    def walk(case: schemathesis.Case) -> None:
        tag = secrets.token_hex(3)
        body = shape_add_body(mem0_namespace, copy.deepcopy(case.body), tag)
        added = walker.call("addMemories", body=body, expect=200)
        link_args = {}
        for name, link in add_links.items():
            link_args[name] = {p: evaluate(e, added, {}) for p, e in link["parameters"].items()}
        memory_id = link_args["GetAddedMemory"]["memory_id"]
        assert is_uuid(memory_id), f"[addMemories] link GetAddedMemory: {memory_id!r} is not a memory id"
        stored = body["messages"][0]["content"]
        by_op = {link["operationId"]: link_args[name] for name, link in add_links.items()}

        memory = walker.call("getMemory", by_op["getMemory"], expect=200)
        assert memory["id"] == memory_id and memory["memory"] == stored, (
            f"[getMemory] link GetAddedMemory: read {memory.get('id')}/{memory.get('memory')!r}, "
            f"added {memory_id}/{stored!r}"
        )
        history = walker.call("getMemoryHistory", by_op["getMemoryHistory"], expect=200)
        assert [e["event"] for e in history][:1] == ["ADD"], f"[getMemoryHistory] after add: {history}"

        new_text = f"updated probe {tag}"
        updated = walker.call("updateMemory", by_op["updateMemory"], {"text": new_text}, expect=200)
        assert updated["memory"] == new_text, f"[updateMemory] answered {updated.get('memory')!r}"
        again = walker.call("getMemory", by_op["getMemory"], expect=200)
        assert again["memory"] == new_text, f"[getMemory] after update: {again.get('memory')!r}"
        history = walker.call("getMemoryHistory", by_op["getMemoryHistory"], expect=200)
        events = [e["event"] for e in history]
        assert events[:2] == ["ADD", "UPDATE"], f"[getMemoryHistory] after update: {events}"
        assert history[1]["old_memory"] == stored and history[1]["new_memory"] == new_text

        delete_args = by_op["deleteMemory"]
        walker.call("deleteMemory", delete_args, expect=200)
        for link in delete_links.values():
            args = {p: evaluate(e, None, delete_args) for p, e in link["parameters"].items()}
            walker.call(link["operationId"], args, expect=404)  # use after free
        walker.call("deleteMemory", delete_args, expect=404)
        walker.call("updateMemory", delete_args, {"text": "after delete"}, expect=404)
        history = walker.call("getMemoryHistory", by_op["getMemoryHistory"], expect=200)
        assert [e["event"] for e in history][-1:] == ["DELETE"], f"[getMemoryHistory] after delete: {history}"
        walked.append(memory_id)

    walk()
    assert walked, "no add body could be followed through the links"


@pytest.mark.mem0_operation("getMemory")
def test_unknown_memory_is_404(target: Target) -> None:
    """A memory id never seen is 404 everywhere the links lead (the links' 404s are documented)."""
    walker = Walker(_schema(target), target)
    unknown = {"memory_id": "00000000-0000-4000-8000-" + secrets.token_hex(6)}
    for operation_id in ("getMemory", "getMemoryHistory", "deleteMemory"):
        walker.call(operation_id, unknown, expect=404)
    walker.call("updateMemory", unknown, {"text": "x"}, expect=404)

