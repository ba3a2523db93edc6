"""`POST /_mock/playground`: send one API request as a key the mock has seen, named by fingerprint.

The dashboard's Playground (and its delete button) run through here, so the page never holds
a key: the mock looks the key up itself and sends the request through its own pipeline,
faults, validation and journal included, as if the key's owner had sent it. A key typed by
the user may come instead (`api_key`); it is sent, never answered back.

Body: `{"tenant": "<fingerprint>" | "api_key": "...", "method": "POST", "path": "/v1/memories/",
"query": {"name": "value"}, "body": <JSON>}`. Answer: the API's `status` (null when a fault
dropped the connection), `headers`, `body` (JSON, else text), `duration_ms`, and `request`,
its number in the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from .common import Result
from .errors import FieldErrors, field_error
from .harness import PREFIX, Harness, HarnessCall, HarnessHandler

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FIELDS = ("tenant", "api_key", "method", "path", "query", "body")


@dataclass
class ApiAnswer:
    """What the API answered one request."""

    status: int | None  # None: the connection was dropped (a fault)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    duration_ms: float = 0.0
    request: int | None = None  # the request's number in the journal


class ApiCaller(Harness, Protocol):
    """The mock, able to serve one API request made inside the harness."""

    def call_api(
        self, api_key: str | None, method: str, path: str, query: dict[str, str], body: Any, has_body: bool
    ) -> ApiAnswer: ...


def _key(call: HarnessCall, body: dict[str, Any]) -> str | None:
    if "tenant" in body and "api_key" in body:
        raise FieldErrors({"tenant": ["Give tenant or api_key, not both."]})
    if "api_key" in body:
        if not isinstance(body["api_key"], str) or not body["api_key"].strip():
            raise field_error("api_key", "Must be a non-empty string.")
        return body["api_key"].strip()
    if "tenant" not in body:
        return None  # no Authorization header: the API's 401, on purpose
    wanted = body["tenant"]
    for tenant in call.mock.service.store.tenants():
        if tenant.fingerprint == wanted:
            if tenant.api_key is None:
                raise field_error("tenant", "This key's data was restored, but no request has brought the key "
                                  "since: send one with it (or start the mock with --api-key) first.")
            return tenant.api_key
    raise field_error("tenant", "The mock has not seen a key with this fingerprint.")


def _query(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float, bool)) for v in value.values()):
        raise field_error("query", "Must be an object of parameter names to values.")
    return {name: str(v).lower() if isinstance(v, bool) else str(v) for name, v in value.items()}


def send(call: HarnessCall) -> Result:
    body = call.object_body(FIELDS)
    method = body.get("method")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise field_error("method", f"Must be one of {', '.join(METHODS)}.")
    path = body.get("path")
    if not isinstance(path, str) or not path.startswith("/") or path.startswith(PREFIX):
        raise field_error("path", "Must be a path of the API, such as /v1/memories/ (not the harness).")
    api_key = _key(call, body)
    answer = cast(ApiCaller, call.mock).call_api(
        api_key, method.upper(), path, _query(body.get("query")), body.get("body"), "body" in body
    )
    return 200, {
        "status": answer.status,
        "headers": answer.headers,
        "body": answer.body,
        "duration_ms": answer.duration_ms,
        "request": answer.request,
    }


ROUTES: dict[tuple[str, str], HarnessHandler] = {("POST", PREFIX + "/playground"): send}
