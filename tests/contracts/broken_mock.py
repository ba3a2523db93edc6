"""Deliberately broken variants of the mock, one per kind of defect the contract suite must catch,
and partial ones that serve only one of the two APIs (for `--surface`).

Run as `python -m tests.contracts.broken_mock VARIANT`: applies the defect, serves the mock on a free
port, prints its URL on stdout and serves until stdin closes. Each variant runs in a
process of its own, so its monkeypatching never leaks into other tests.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any

from mock_server.api import common, memories_v1v2, memories_v3
from mock_server.api.common import Call
from mock_server.api.errors import HttpError
from mock_server.api.registry import SURFACES
from mock_server.engine import filters, namespace, service, state
from mock_server.engine.models import isoformat
from mock_server.server import MockConfig, create_app
from mock_server.server.openapi import Operation
from mock_server.server.serving import BackgroundServer


def _wrap_handler(operation_id: str, change: Callable[[int, Any], tuple[int, Any]]) -> None:
    surface = next(s for s in SURFACES if operation_id in s.handlers)
    original = surface.handlers[operation_id]

    def broken(call: Call) -> tuple[int, Any]:
        return change(*original(call))

    surface.handlers[operation_id] = broken


def missing_required_field() -> None:
    """getMemory leaves out `memory`."""
    _wrap_handler("getMemory", lambda status, body: (status, {k: v for k, v in body.items() if k != "memory"}))


def wrong_type() -> None:
    """getMemory answers `created_at` as a unix number instead of a date-time string."""
    _wrap_handler("getMemory", lambda status, body: (status, {**body, "created_at": 1720000000}))


def wrong_status_code() -> None:
    """deleteMemory answers 202, which the spec does not list."""
    _wrap_handler("deleteMemory", lambda status, body: (202, body))


def server_error_on_bad_input() -> None:
    """A body that fails validation crashes instead of answering 400."""
    original = Operation.check_body

    def crashing(self: Operation, body: Any, present: bool) -> None:
        try:
            original(self, body, present)
        except HttpError as error:
            raise RuntimeError("validation blew up") from error

    Operation.check_body = crashing  # type: ignore[method-assign]


def _rename_or(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {("AND" if key == "OR" else key): _rename_or(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_rename_or(item) for item in tree]
    return tree


def or_as_and() -> None:
    original = service.compile_filter
    service.compile_filter = lambda tree: original(_rename_or(tree))


def ne_ignored() -> None:
    """`ne` holds for everything."""
    for name in ("_scalar_test", "_date_test"):
        original = getattr(filters, name)
        setattr(filters, name, lambda op, expected, _original=original: (
            (lambda actual: True) if op == "ne" else _original(op, expected)
        ))


def icontains_case_sensitive() -> None:
    original = filters._op_function
    filters._op_function = lambda op, expected: original("contains" if op == "icontains" else op, expected)


def dates_compared_as_strings() -> None:
    filters._as_comparable = lambda field_value, bound: (isoformat(field_value), bound.isoformat())


def _search_options(**overrides: Any) -> None:
    original = memories_v1v2.SearchOptions
    memories_v1v2.SearchOptions = lambda **kwargs: original(**{**kwargs, **overrides})


def top_k_ignored() -> None:
    _search_options(top_k=1000)


def threshold_ignored() -> None:
    _search_options(threshold=0.0)


def page_repeats_an_item() -> None:
    original = common.paginate

    def overlapping(call: Call, items: list[Any], page: int | None, page_size: int | None) -> Any:
        answer = original(call, items, page, page_size)
        number = page or 1
        if number > 1 and answer["results"]:
            size = page_size or common.DEFAULT_PAGE_SIZE
            answer["results"] = [items[(number - 1) * size - 1], *answer["results"][:-1]]
        return answer

    common.paginate = overlapping


def history_not_recorded() -> None:
    original = namespace.Namespace._record

    def only_adds(self: namespace.Namespace, memory: Any, event: str, *args: Any) -> None:
        if event == "ADD":
            original(self, memory, event, *args)

    namespace.Namespace._record = only_adds  # type: ignore[method-assign]


def keys_share_data() -> None:
    original = state.Store.tenant
    state.Store.tenant = lambda self, api_key: original(self, "one-shared-tenant")  # type: ignore[method-assign]


# --- today's API (v3)


def v3_default_threshold_03() -> None:
    """v3 search keeps v2's default threshold (0.3) instead of 0.1."""
    memories_v3.DEFAULT_THRESHOLD = 0.3


def v3_default_threshold_0() -> None:
    """v3 search applies no default threshold at all."""
    memories_v3.DEFAULT_THRESHOLD = 0.0


def v3_show_expired_ignored() -> None:
    """v3 list and search drop `show_expired`: expired memories stay hidden."""
    for operation_id in ("getMemoriesV3", "searchMemoriesV3"):
        surface = next(s for s in SURFACES if operation_id in s.handlers)
        original = surface.handlers[operation_id]

        def without(call: Call, _original: Callable[[Call], Any] = original) -> tuple[int, Any]:
            body = {k: v for k, v in call.body.items() if k != "show_expired"} if isinstance(call.body, dict) else None
            return _original(dataclasses.replace(call, body=body))

        surface.handlers[operation_id] = without


def _v3_add_behaviour(**behaviour: Any) -> None:
    original = memories_v3.add_options
    memories_v3.add_options = lambda body, **given: original(body, **{**given, **behaviour})


def v3_dedupe_missing() -> None:
    """v3 add stores an exact repeat again."""
    _v3_add_behaviour(dedupe=False)


def v3_inference_overwrites() -> None:
    """v3 inference reconciles like v1: a changed fact UPDATEs the old memory instead of superseding it."""
    _v3_add_behaviour(reconcile=True)


def v3_events_stuck_pending() -> None:
    """GET /v1/event/{id}/ says PENDING forever, whatever the work did."""
    _wrap_handler("getEvent", lambda status, body: (status, {
        **body, "status": "PENDING", "results": [], "started_at": None, "completed_at": None, "latency": None,
    }) if status == 200 else (status, body))


# --- partial servers: one API only


def _not_served(operation_ids: frozenset[str]) -> None:
    for operation_id in operation_ids:
        surface = next(s for s in SURFACES if operation_id in s.handlers)
        surface.handlers[operation_id] = lambda call: (404, {"detail": "Not found."})


def only_v3() -> None:
    """A server of today's API: the operations only the September 2025 API had answer 404."""
    from contracts.plugin import V1V2_OPERATIONS

    _not_served(V1V2_OPERATIONS)


def only_v1v2() -> None:
    """A server of the September 2025 API: today's operations answer 404."""
    from contracts.plugin import operation_surface
    from spec import load_spec

    ops = {op["operationId"] for methods in load_spec()["paths"].values() for op in methods.values()
           if isinstance(op, dict) and "operationId" in op}
    _not_served(frozenset(op for op in ops if operation_surface(op) == "v3"))


VARIANTS: dict[str, Callable[[], None]] = {
    fn.__name__: fn
    for fn in (
        missing_required_field,
        wrong_type,
        wrong_status_code,
        server_error_on_bad_input,
        or_as_and,
        ne_ignored,
        icontains_case_sensitive,
        dates_compared_as_strings,
        top_k_ignored,
        threshold_ignored,
        page_repeats_an_item,
        history_not_recorded,
        keys_share_data,
        v3_default_threshold_03,
        v3_default_threshold_0,
        v3_show_expired_ignored,
        v3_dedupe_missing,
        v3_inference_overwrites,
        v3_events_stuck_pending,
        only_v3,
        only_v1v2,
    )
}


def main(argv: list[str]) -> int:
    VARIANTS[argv[0]]()
    with BackgroundServer(create_app(MockConfig())) as server:
        print(server.url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
