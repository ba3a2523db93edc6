"""Naming requests the way a tester thinks of them: a path, a path template, an operationId.

Fault rules and journal filters both take such a name; `RouteSelector` decides once, when
the rule or filter is read, which of the three it is, so matching a request is a string
comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from .openapi import CompiledSpec

HARNESS_PREFIX = "/_mock/"
# The mock's own pages (the dashboard, the spec, the way in): not the API, so never faulted or journaled.
SITE_PREFIX = "/dashboard/"
SITE_PATHS = frozenset({"/", "/dashboard", "/docs", "/openapi.yaml", "/openapi.json", "/favicon.ico"})


def is_site(path: str) -> bool:
    """Whether a path is one of the mock's own pages rather than the API."""
    return path in SITE_PATHS or path.startswith(SITE_PREFIX)


@dataclass(frozen=True)
class RouteSelector:
    """Which requests a name selects.

    `kind` is "operation" (an operationId of the spec), "template" (a path of the spec,
    `/v1/memories/{memory_id}/`, which also covers every concrete path it routes) or "path"
    (any other path, compared exactly).
    """

    kind: str
    value: str
    method: str | None = None  # an operation's own method

    def matches(self, path: str, template: str | None, operation_id: str | None) -> bool:
        if self.kind == "operation":
            return operation_id == self.value
        if self.kind == "template":
            return template == self.value
        return path == self.value


def route_selector(name: str, spec: CompiledSpec) -> RouteSelector:
    """Read a name; a ValueError says why it names nothing the mock serves."""
    if not name:
        raise ValueError("This field may not be blank.")
    if name.startswith("/"):
        if name in spec.by_path:
            return RouteSelector("template", name)
        return RouteSelector("path", name)
    operation = spec.operations.get(name)
    if operation is None:
        raise ValueError(f'"{name}" is neither a path (starting with "/") nor an operationId of the spec.')
    return RouteSelector("operation", name, operation.method)
