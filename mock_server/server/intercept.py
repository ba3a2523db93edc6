"""What happens around every request, whatever answers it: access to the harness, faults,
timing, the journal and the console line.

Registered as Flask's before/after-request hooks, so it sees the requests the spec-driven
pipeline answers, the ones Flask refuses itself (404, 405, 413) and the harness's. The
mock's own pages (the dashboard, the spec) are neither faulted, journaled nor printed, and
neither are the harness calls the dashboard marks as its own (it polls the journal).
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Response
from werkzeug.wrappers import Request

from .faults import FaultRule, FaultTable
from .journal import ORIGIN, Journal, Origin, body_excerpt, key_fingerprint
from .openapi import CompiledSpec
from .routes import HARNESS_PREFIX, is_site
from .serving import dropped_body
from .wire import Answer, json_response

REQUEST_LOG = logging.getLogger("mem0_mock.requests")
ADMIN_HEADER = "X-Mem0-Mock-Admin"
CLIENT_HEADER = "X-Mem0-Mock-Client"  # "dashboard" on the dashboard's own harness calls: not printed
TRACE = "mem0_mock.trace"
ORIGIN_KEY = "mem0_mock.origin"  # an Origin a request made inside the mock brings, to learn its journal number


@dataclass(slots=True)
class Trace:
    """What the hooks learn about one request, kept in its WSGI environ."""

    started: float
    template: str | None = None
    operation_id: str | None = None
    fault: str | None = None
    dropped: bool = False
    violations: list[str] = field(default_factory=list)
    origin: Origin | None = None  # an API request's, for the history links
    origin_token: Any = None  # restores the context variable when the request is done


def record_violations(environ: dict[str, Any], problems: list[str]) -> None:
    """Note spec violations found in a request or its answer, for the journal."""
    trace = environ.get(TRACE)
    if trace is not None:
        trace.violations = problems


class Interceptor:
    """The hooks of one mock: `before` may answer in place of the app, `after` records."""

    def __init__(self, spec: CompiledSpec, faults: FaultTable, journal: Journal, admin_token: str | None) -> None:
        self.spec = spec
        self.faults = faults
        self.journal = journal
        self.admin_token = admin_token

    def before(self, req: Request) -> Answer | None:
        trace = req.environ[TRACE] = Trace(time.perf_counter())
        if is_site(req.path):
            return None
        if req.path.startswith(HARNESS_PREFIX):
            trace.origin_token = ORIGIN.set(None)
            return self._admit(req)
        trace.origin = req.environ.get(ORIGIN_KEY) or Origin()
        trace.origin_token = ORIGIN.set(trace.origin)
        rule = getattr(req, "url_rule", None)
        template = rule.endpoint if rule is not None and rule.endpoint in self.spec.by_path else None
        operation = self.spec.by_path[template].get(req.method) if template else None
        trace.template = template
        trace.operation_id = operation.operation_id if operation else None
        fault = self.faults.pick(req.method, req.path, template, trace.operation_id, req.headers.get("Authorization"))
        if fault is None:
            return None
        trace.fault = fault.id
        if fault.delay_ms:
            time.sleep(fault.delay_ms / 1000)  # the latency under test, not a wait for something
        if not fault.answers:
            return None
        trace.dropped = fault.drop
        return _answer(fault)

    def after(self, req: Request, response: Answer) -> Answer:
        trace = req.environ.get(TRACE)
        if trace is None:  # a before-request hook failed before ours ran
            return response
        if trace.origin_token is not None:
            ORIGIN.reset(trace.origin_token)
        if is_site(req.path):
            return response
        duration_ms = round((time.perf_counter() - trace.started) * 1000, 3)
        status = None if trace.dropped else response.status_code
        harness = req.path.startswith(HARNESS_PREFIX)
        quiet = harness and req.headers.get(CLIENT_HEADER) == "dashboard"
        if not quiet and REQUEST_LOG.isEnabledFor(logging.INFO):
            fault = f" fault={trace.fault}" if trace.fault else ""
            REQUEST_LOG.info("%s %s %s %.1fms%s", req.method, req.path, status or "dropped", duration_ms, fault)
        if harness:
            return response
        body, cut = body_excerpt(_body(req))
        seq = self.journal.record(
            {
                "stamp": time.time(),
                "method": req.method,
                "path": req.path,
                "query": req.query_string.decode("latin-1"),
                "status": status,
                "duration_ms": duration_ms,
                "operation_id": trace.operation_id,
                "template": trace.template,
                "violations": trace.violations,
                "fault": trace.fault,
                "key": key_fingerprint(req.headers.get("Authorization")),
                "body": body,
                "body_truncated": cut,
            }
        )
        if trace.origin is not None:
            trace.origin.seq = seq
        return response

    def _admit(self, req: Request) -> Answer | None:
        """With an admin token, the harness answers only requests that carry it."""
        if self.admin_token is None:
            return None
        given = req.headers.get(ADMIN_HEADER)
        if not given:
            detail = f"The mock's harness needs its admin token in the {ADMIN_HEADER} header."
            return json_response(401, {"detail": detail})
        if not hmac.compare_digest(given.encode(), self.admin_token.encode()):
            return json_response(403, {"detail": "Invalid admin token."})
        return None


def _body(req: Request) -> bytes | None:
    """The request body if there is one it can read (one over the size limit is not)."""
    length = req.content_length if req.environ.get("CONTENT_LENGTH") else None  # a GET's: none to parse
    if not length or (req.max_content_length is not None and length > req.max_content_length):
        return None
    try:
        return req.get_data(cache=True)
    except Exception:  # a body the server could not read is no reason to lose the entry
        return None


def _answer(rule: FaultRule) -> Answer:
    """The answer a rule gives in place of the service."""
    if rule.drop:
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
