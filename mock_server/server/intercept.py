"""What happens around every request, whatever answers it: access to the harness, faults,
timing, the journal and the console line.

Registered as Flask's before/after-request hooks, so it sees the requests the spec-driven
pipeline answers, the ones Flask refuses itself (404, 405, 413) and the harness's.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any

from flask import Response, g, request

from .faults import FaultRule, FaultTable
from .journal import Journal, body_excerpt, key_fingerprint
from .openapi import CompiledSpec
from .routes import HARNESS_PREFIX
from .serving import dropped_body

REQUEST_LOG = logging.getLogger("mem0_mock.requests")
ADMIN_HEADER = "X-Mem0-Mock-Admin"


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    payload = "" if body is None else json.dumps(body, separators=(",", ":"))
    return Response(payload, status=status, headers=headers, content_type="application/json")


class Interceptor:
    """The hooks of one mock: `before` may answer in place of the app, `after` records."""

    def __init__(self, spec: CompiledSpec, faults: FaultTable, journal: Journal, admin_token: str | None) -> None:
        self.spec = spec
        self.faults = faults
        self.journal = journal
        self.admin_token = admin_token

    def before(self) -> Response | None:
        g.mem0_started = time.perf_counter()
        if request.path.startswith(HARNESS_PREFIX):
            return self._admit()
        template = self._template()
        g.mem0_template = template
        operation = self.spec.by_path[template].get(request.method) if template else None
        g.mem0_operation = operation.operation_id if operation else None
        rule = self.faults.pick(
            request.method, request.path, template, g.mem0_operation, request.headers.get("Authorization")
        )
        if rule is None:
            return None
        g.mem0_fault = rule.id
        if rule.delay_ms:
            time.sleep(rule.delay_ms / 1000)  # the latency under test, not a wait for something
        return _answer(rule) if rule.answers else None

    def after(self, response: Response) -> Response:
        started = g.get("mem0_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 3) if started is not None else None
        fault = g.get("mem0_fault")
        dropped = g.get("mem0_dropped", False)
        status = None if dropped else response.status_code
        REQUEST_LOG.info(
            "%s %s %s %sms%s",
            request.method,
            request.path,
            "dropped" if dropped else status,
            duration_ms,
            f" fault={fault}" if fault else "",
        )
        if request.path.startswith(HARNESS_PREFIX):
            return response
        body, cut = body_excerpt(self._body())
        self.journal.record(
            {
                "stamp": time.time(),
                "method": request.method,
                "path": request.path,
                "query": request.query_string.decode("latin-1"),
                "status": status,
                "duration_ms": duration_ms,
                "operation_id": g.get("mem0_operation"),
                "template": g.get("mem0_template"),
                "violations": g.get("mem0_violations", []),
                "fault": fault,
                "key": key_fingerprint(request.headers.get("Authorization")),
                "body": body,
                "body_truncated": cut,
            }
        )
        return response

    def _template(self) -> str | None:
        """The spec path the request was routed to (None for a path the spec does not have)."""
        rule = request.url_rule
        endpoint = rule.endpoint if rule is not None else None
        return endpoint if endpoint in self.spec.by_path else None

    def _admit(self) -> Response | None:
        """With an admin token, the harness answers only requests that carry it."""
        if self.admin_token is None:
            return None
        given = request.headers.get(ADMIN_HEADER)
        if not given:
            detail = f"The mock's harness needs its admin token in the {ADMIN_HEADER} header."
            return _json(401, {"detail": detail})
        if not hmac.compare_digest(given.encode(), self.admin_token.encode()):
            return _json(403, {"detail": "Invalid admin token."})
        return None

    def _body(self) -> bytes | None:
        """The request body if it can be read (one over the size limit is not)."""
        limit = request.max_content_length
        if request.content_length is not None and limit is not None and request.content_length > limit:
            return None
        try:
            return request.get_data(cache=True)
        except Exception:  # a body the server could not read is no reason to lose the entry
            return None


def _answer(rule: FaultRule) -> Response:
    """The answer a rule gives in place of the service."""
    if rule.drop:
        g.mem0_dropped = True
        return Response(dropped_body(), status=503)  # the status is never sent
    status = rule.status or 500
    if status in (204, 304):
        return Response(status=status, headers=rule.headers)
    headers = {name: value for name, value in rule.headers.items() if name.lower() != "content-type"}
    content_type = next((v for k, v in rule.headers.items() if k.lower() == "content-type"), "application/json")
    if isinstance(rule.body, str) and "json" not in content_type.lower():
        payload = rule.body  # a text body as given, e.g. a proxy's HTML error page
    else:
        payload = "" if rule.body is None else json.dumps(rule.body, separators=(",", ":"))
    return Response(payload, status=status, headers=headers, content_type=content_type)
