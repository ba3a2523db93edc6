"""The Flask app factory: a thin adapter around a spec-driven request pipeline.

Pipeline (Prism's, in Flask): route by the spec's paths, check the API key, parse and
validate the request against the spec, run the operation's handler, and in strict mode
validate the response against the spec before it leaves.
"""

from __future__ import annotations

import json
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .errors import ApiError, Detail, NotFound, Unauthorized
from .handlers import HANDLERS, Call
from .harness import Journal, harness_blueprint
from .openapi import CompiledSpec, Operation, flask_rule
from .store import Store

log = logging.getLogger("mem0_mock")

ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"]
MAX_JSON_DEPTH = 64
JSON_TYPES = ("application/json",)


@dataclass
class MockConfig:
    """How one mock instance behaves; every field has the default a newcomer wants."""

    api_keys: frozenset[str] | None = None  # None: any non-empty token is its own tenant
    strict: bool = False  # validate every response against the spec
    max_body_bytes: int = 2 * 1024 * 1024
    journal_size: int = 1000
    demo: bool = False
    demo_seed: int = 42


def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    payload = "" if body is None else json.dumps(body, separators=(",", ":"))
    return Response(payload, status=status, headers=headers, content_type="application/json")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Iterative depth check, so a hostile body cannot exhaust the stack."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False


def parse_json_body(raw: bytes, content_type: str | None) -> Any:
    """The request body as JSON (a JSON `null` stays None: callers check `raw`), or a 4xx."""
    if not raw:
        return None
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in JSON_TYPES and not media.endswith("+json"):
        raise Detail(f'Unsupported media type "{content_type or ""}" in request.', 415)
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise Detail(f"JSON parse error - {str(exc)[:200]}") from None
    if _depth_exceeds(body, MAX_JSON_DEPTH):
        raise Detail(f"JSON parse error - nesting deeper than {MAX_JSON_DEPTH} levels.")
    if isinstance(body, float) and not math.isfinite(body):
        raise Detail("JSON parse error - numbers must be finite.")
    return body


class MockServer:
    """State and pipeline of one mock instance (the Flask app holds one)."""

    def __init__(self, config: MockConfig, spec: CompiledSpec | None = None) -> None:
        self.config = config
        self.spec = spec or CompiledSpec()
        self.store = Store()
        self.journal = Journal(config.journal_size)
        self.background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mem0-mock-async")
        missing = set(self.spec.operations) - set(HANDLERS)
        if missing:
            raise RuntimeError(f"No handler for operations: {sorted(missing)}")

    def authenticate(self) -> str:
        header = request.headers.get("Authorization", "")
        if not header:
            raise Unauthorized("Authentication credentials were not provided.")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "token" or not token or " " in token:
            raise Unauthorized("Invalid token header. Use 'Authorization: Token <api_key>'.")
        if self.config.api_keys is not None and token not in self.config.api_keys:
            raise Unauthorized("Invalid API key.")
        return token

    def dispatch(self, path: str, path_args: dict[str, str]) -> Response:
        methods = self.spec.by_path[path]
        operation = methods.get(request.method)
        if operation is None:
            allowed = ", ".join(sorted(methods))
            return _json_response(
                405, {"detail": f'Method "{request.method}" not allowed.'}, {"Allow": allowed}
            )
        violations: list[str] = []
        try:
            status, body = self._run(operation, path_args)
        except ApiError as error:
            status, body = error.status, error.body
            if status == 400:
                violations.append(f"request: {json.dumps(body)[:500]}")
        response_problems = self._check_response(operation, status, body)
        self.journal.record(request, operation.operation_id, status, violations + response_problems)
        if response_problems and self.config.strict:
            log.error("strict mode: %s", "; ".join(response_problems))
            return _json_response(
                500,
                {"detail": "Strict mode: the mock's response violates the spec.", "violations": response_problems},
            )
        headers = {"WWW-Authenticate": 'Token realm="api"'} if status == 401 else None
        return _json_response(status, body, headers)

    def _run(self, operation: Operation, path_args: dict[str, str]) -> tuple[int, Any]:
        api_key = self.authenticate()
        body = None
        if operation.body_validator is not None:
            raw = request.get_data(cache=True)
            body = parse_json_body(raw, request.content_type)
            operation.check_body(body, present=bool(raw.strip()))
        params = operation.parse_parameters(path_args, request.args)
        call = Call(self, operation, self.store.tenant(api_key), params, body)
        return HANDLERS[operation.operation_id](call)

    def _check_response(self, operation: Operation, status: int, body: Any) -> list[str]:
        if not self.config.strict:
            return []
        return operation.response_violations(status, body)


def create_app(config: MockConfig | None = None) -> Flask:
    """Build a mock: routes from the spec's paths, each bound to its operation's handler."""
    config = config or MockConfig()
    server = MockServer(config)
    app = Flask("mem0_mock")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["mem0_mock"] = server

    for path in server.spec.by_path:
        app.add_url_rule(
            flask_rule(path),
            endpoint=path,
            view_func=_view_for(server, path),
            methods=ALL_METHODS,
            provide_automatic_options=False,
        )
    app.register_blueprint(harness_blueprint(server))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_: HTTPException) -> Response:
        return _json_response(413, {"detail": f"Request body exceeds {config.max_body_bytes} bytes."})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if error.code == 404:
            return _json_response(404, NotFound().body)
        return _json_response(error.code or 400, {"detail": error.description or error.name})

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        return _json_response(500, {"detail": "Internal server error."})

    if config.demo:
        from .seeding import load_demo

        load_demo(server, seed=config.demo_seed)
    return app


def _view_for(server: MockServer, path: str):
    def view(**path_args: str) -> Response:
        return server.dispatch(path, path_args)

    view.__name__ = f"dispatch_{path}"
    return view


def server_of(app: Flask) -> MockServer:
    return app.extensions["mem0_mock"]
