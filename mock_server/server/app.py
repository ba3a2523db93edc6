"""The Flask app factory: a thin adapter around a spec-driven request pipeline.

Pipeline (Prism's, in Flask): route by the spec's paths, check the API key, parse and
validate the request against the spec, dispatch by operationId to the surface that serves
it, and in strict mode validate the response against the spec before it leaves. Every
request is journaled (`intercept.py`, around the pipeline, also applies fault rules). The
server builds the engine and hands it down; nothing below imports the server back.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Request

from ..api.common import Call, Handler
from ..api.errors import Detail, HttpError
from ..api.harness import ROUTES as HARNESS_ROUTES
from ..api.harness import HarnessCall, HarnessHandler
from ..api.inspection import ROUTES as INSPECTION_ROUTES
from ..api.playground import ROUTES as PLAYGROUND_ROUTES
from ..api.playground import ApiAnswer
from ..api.registry import handlers
from ..engine import Clock, Ids, MemoryService, Runtime
from ..engine.changes import Prefix
from ..engine.errors import EngineError, InvalidInput
from ..engine.jobs import Jobs
from ..engine.models import isoformat
from ..engine.seeding import demo_loader
from ..engine.snapshot import Loaded, dump_runtime, settle_interrupted
from ..engine.state import Tenant, key_hash
from ..engine.storage import SaveFailed, Storage, StorageError
from ..engine.webhooks import WebhookDispatcher
from .config import MockConfig
from .dashboard import register_site
from .errors import http_error
from .faults import FaultTable
from .intercept import ORIGIN_KEY, Interceptor, record_violations
from .journal import Journal, Origin, no_origin
from .lane import ApiLane
from .openapi import CompiledSpec, Operation, flask_rule, load_json_text
from .paths import EncodedSlashes, path_arguments
from .serving import DROPPED
from .webhook_transport import http_post
from .wire import Answer, json_response

log = logging.getLogger("mem0_mock")

ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"]
MAX_JSON_DEPTH = 64
JSON_TYPES = ("application/json",)
NOT_FOUND = {"detail": "Not found."}


def internal_error() -> Answer:
    log.exception("unhandled error")
    return json_response(500, {"detail": "Internal server error."})


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


def _brackets(raw: bytes | str) -> int:
    return raw.count("[") + raw.count("{") if isinstance(raw, str) else raw.count(b"[") + raw.count(b"{")


def parse_json_body(raw: bytes, content_type: str | None, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The request body as JSON (a JSON `null` stays None: callers check `raw`), or a 4xx."""
    if not raw:
        return None
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in JSON_TYPES and not media.endswith("+json"):
        raise Detail(f'Unsupported media type "{content_type or ""}" in request.', 415)
    try:
        body = load_json_text(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise Detail(f"JSON parse error - {str(exc)[:200]}") from None
    if _brackets(raw) >= max_depth and _depth_exceeds(body, max_depth):  # fewer cannot nest that deep
        raise Detail(f"JSON parse error - nesting deeper than {max_depth} levels.")
    if isinstance(body, float) and not math.isfinite(body):
        raise Detail("JSON parse error - numbers must be finite.")
    return body


class MockServer:
    """The pipeline of one mock instance, over one engine (the Flask app holds one)."""

    def __init__(self, config: MockConfig, spec: CompiledSpec | None = None) -> None:
        self.config = config
        self.spec = spec or CompiledSpec()
        self.journal = Journal(config.journal_size, self.spec)
        runtime = Runtime(
            clock=Clock(config.clock),
            ids=Ids(config.seed),
            jobs=Jobs(inline=config.inline_jobs),
            webhooks=WebhookDispatcher(transport=http_post, policy=config.webhook_delivery),
            embedder=config.embedder,
            on_history=lambda entry: self.journal.link(entry.id),
        )
        self.service = MemoryService(runtime)
        self.faults = FaultTable(self.spec, config.demo_seed)
        self.faults.restore(config.faults)
        self.handlers: dict[str, Handler] = handlers()
        missing = set(self.spec.operations) - set(self.handlers)
        if missing:
            raise RuntimeError(f"No handler for operations: {sorted(missing)}")
        self._demo = demo_loader(seed=config.demo_seed) if config.demo else None
        self.service.on_new_tenant(self._new_tenant_hook(config.demo))
        self.service.store.known_keys = config.api_keys or frozenset()
        # Raises StorageError (an unusable data file) or InvalidInput (a bad --load document).
        self.storage = Storage(config.data_path) if config.data_path else None
        self._start, loaded = self._start_document()
        self.resumed = self._begin(loaded)

    def _start_document(self) -> tuple[dict[str, Any] | None, Loaded | None]:
        """The --load state as a complete snapshot (fixtures get their ids once, so every
        reset brings back the same ones), with the runtime it starts with: its own, but
        --clock and --seed win when given (the same --seed continues its sequence)."""
        document = self.config.initial_state
        if document is None:
            return None, None
        runtime = self.service.runtime
        document = dict(self.service.as_snapshot(document))
        start = document.get("runtime") or dump_runtime(runtime)
        if self.config.clock is not None:
            start = {**start, "clock": isoformat(self.config.clock)}
        if self.config.seed is not None and (start.get("ids") or {}).get("seed") != self.config.seed:
            start = {**start, "ids": {"seed": self.config.seed, "drawn": 0}}
        document["runtime"] = start
        return document, self.service.read_state(document)  # checked now: a bad file stops the start

    def _begin(self, loaded: Loaded | None) -> bool:
        """Start from the data file's state if it has one (then --clock and --seed, when
        given, still win), else from the --load state; from then on, save every change.
        Answers whether the data file's state was resumed."""
        runtime = self.service.runtime
        saved = self.storage.read() if self.storage is not None else None
        if saved is not None:
            try:
                self.service.restore(self.service.read_state(saved))
            except InvalidInput as exc:
                problems = "; ".join(f"{name}: {' '.join(m)}" for name, m in list(exc.errors.items())[:5])
                raise StorageError(f"{self.storage.path} holds a state this mock cannot read ({problems})") from None
            if self.config.clock is not None:
                runtime.clock.freeze(self.config.clock)
            if self.config.seed is not None and runtime.ids.seed != self.config.seed:
                runtime.ids.reseed(self.config.seed)
        elif loaded is not None:
            self.service.restore(loaded)
        if self.storage is not None:
            changes = runtime.changes
            changes.enabled = True
            changes.sink = self.save
            if saved is None:
                changes.rewrite(Prefix())
            else:
                settle_interrupted(self.service.store.tenants(), runtime.clock.now())
            self.save()
        return saved is not None

    @property
    def start_seed(self) -> int | None:
        if self._start is not None:
            return (self._start["runtime"].get("ids") or {}).get("seed")
        return self.config.seed

    def save(self) -> None:
        """Commit every pending change to the data file (`SaveFailed` if it cannot)."""
        if self.storage is not None:
            self.storage.save(self.service.runtime.changes, self.service.store, self.service.runtime)

    def reset(self, demo: bool, seed: int | None) -> None:
        """Back to how the mock started (its --load state or no data, clock, fault rules,
        journal), ids seeded `seed`: new keys get the demo data again only if `demo` says so."""
        runtime = self.service.runtime
        self.service.reset()
        if self._start is not None:
            self.service.restore(self.service.read_state(self._start))
            if seed != runtime.ids.seed:
                runtime.ids.reseed(seed)
        else:
            runtime.ids.reseed(seed)
            if self.config.clock is not None:
                runtime.clock.freeze(self.config.clock)
            else:
                runtime.clock.unfreeze()
        self.faults.restore(self.config.faults, self.config.demo_seed if seed is None else seed)
        self.journal.clear()
        if demo and self._demo is None:
            self._demo = demo_loader(seed=self.config.demo_seed)
        self.service.on_new_tenant(self._new_tenant_hook(demo))

    def _new_tenant_hook(self, demo: bool) -> Callable[[Tenant], None] | None:
        """What a new key gets: the demo data, made by no request (its history links to none)."""
        loader = self._demo
        if not demo or loader is None:
            return None

        def load(tenant: Tenant) -> None:
            with no_origin():
                loader(tenant)

        return load

    def reset_key(self, api_key: str) -> None:
        """Forget one key's data; a key of the --load state gets its loaded data back."""
        self.service.reset(api_key)
        if self._start is not None:
            self.service.restore(self.service.read_state(self._start), only=key_hash(api_key))

    def authenticate(self, req: Request) -> str:
        header = req.headers.get("Authorization", "")
        if not header:
            raise Detail("Authentication credentials were not provided.", 401)
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "token" or not token or " " in token:
            raise Detail("Invalid token header. Use 'Authorization: Token <api_key>'.", 401)
        if self.config.api_keys is not None and token not in self.config.api_keys:
            raise Detail("Invalid API key.", 401)
        return token

    def dispatch(self, req: Request, path: str, path_args: dict[str, str]) -> Answer:
        """Answer one request for a spec path (`req` is Flask's or the API lane's)."""
        methods = self.spec.by_path[path]
        operation = methods.get(req.method)
        if operation is None:
            allowed = ", ".join(sorted(methods))
            return json_response(405, {"detail": f'Method "{req.method}" not allowed.'}, {"Allow": allowed})
        violations: list[str] = []
        try:
            status, body = self._run(req, operation, path_args)
        except (HttpError, EngineError) as error:
            failure = http_error(error) if isinstance(error, EngineError) else error
            status, body = failure.status, failure.body
            if status == 400:
                violations.append(f"request: {json.dumps(body)[:500]}")
        if self.storage is not None:
            status, body = self._saved(status, body)
        response_problems = operation.response_violations(status, body) if self.config.strict else []
        if violations or response_problems:
            record_violations(req.environ, violations + response_problems)
        if response_problems:
            log.error("strict mode: %s", "; ".join(response_problems))
            return json_response(
                500,
                {"detail": "Strict mode: the mock's response violates the spec.", "violations": response_problems},
            )
        headers = {"WWW-Authenticate": 'Token realm="api"'} if status == 401 else None
        return json_response(status, body, headers)

    def _run(self, req: Request, operation: Operation, path_args: dict[str, str]) -> tuple[int, Any]:
        api_key = self.authenticate(req)
        body = None
        if operation.body_validator is not None:
            raw = req.get_data(cache=True)
            body = parse_json_body(raw, req.content_type)
            operation.check_body(body, present=bool(raw.strip()))
        params = operation.parse_parameters(path_args, req.args, req.headers)
        call = Call(
            self.service, api_key, params, body, url_of=lambda: req.base_url, query=req.args, headers=req.headers
        )
        return self.handlers[operation.operation_id](call)

    def _saved(self, status: int, body: Any) -> tuple[int, Any]:
        """The answer once its changes are on disk; a 503 if they cannot be written."""
        try:
            self.save()
        except SaveFailed as error:
            log.error("%s", error.message)
            return 503, {"detail": error.message}
        return status, body

    def call_api(
        self, api_key: str | None, method: str, path: str, query: dict[str, str], body: Any, has_body: bool
    ) -> ApiAnswer:
        """Serve one API request from inside a harness request (the playground), through the
        whole pipeline: faults, validation, the journal, as if the key's owner had sent it."""
        path, _, inline_query = path.partition("?")
        headers = {"Authorization": f"Token {api_key}"} if api_key else {}
        origin = Origin()  # the request's journal number comes back in it
        started = time.perf_counter()
        try:
            response = current_app.test_client().open(
                path,
                method=method,
                query_string="&".join(part for part in (inline_query, urlencode(query)) if part),
                data=json.dumps(body) if has_body else None,
                content_type="application/json" if has_body else None,
                headers=headers,
                environ_overrides={ORIGIN_KEY: origin},
            )
            raw = response.get_data()
        except DROPPED:  # a fault dropped the connection: no status, no body
            return ApiAnswer(None, {}, None, _elapsed_ms(started), origin.seq)
        answer_headers = {name: value for name, value in response.headers.items() if name != "Content-Length"}
        payload: Any = raw.decode("utf-8", errors="replace")
        if response.is_json and raw:
            payload = json.loads(raw)
        return ApiAnswer(response.status_code, answer_headers, payload, _elapsed_ms(started), origin.seq)

    def harness(self, handler: HarnessHandler, path_args: dict[str, str]) -> Answer:
        try:
            depth = MAX_JSON_DEPTH
            if getattr(handler, "large_body", False):  # a whole state: bigger, and deeper
                request.max_content_length = self.config.max_snapshot_bytes
                depth = 2 * MAX_JSON_DEPTH
            # The harness speaks JSON only: `curl -d '{...}'` (a form content type) still works.
            body = parse_json_body(request.get_data(cache=True), "application/json", depth)
            status, payload = handler(HarnessCall(self, body, request.args, path_args, request.headers))
        except HttpError as error:
            status, payload = error.status, error.body
        if self.storage is not None:
            status, payload = self._saved(status, payload)
        return json_response(status, payload)


def create_app(config: MockConfig | None = None, spec: CompiledSpec | None = None) -> Flask:
    """Build a mock: routes from the spec's paths, each bound to its operation's handler."""
    config = config or MockConfig()
    server = MockServer(config, spec)
    app = Flask("mem0_mock")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["mem0_mock"] = server
    interceptor = Interceptor(server.spec, server.faults, server.journal, config.admin_token)
    app.before_request(lambda: interceptor.before(request._get_current_object()))  # type: ignore[attr-defined]
    app.after_request(lambda response: interceptor.after(request._get_current_object(), response))  # type: ignore[attr-defined]

    for path in server.spec.by_path:
        app.add_url_rule(
            flask_rule(path),
            endpoint=path,
            view_func=_view_for(server, path),
            methods=ALL_METHODS,
            provide_automatic_options=False,
        )
    for (method, path), handler in (HARNESS_ROUTES | INSPECTION_ROUTES | PLAYGROUND_ROUTES).items():
        app.add_url_rule(
            flask_rule(path),
            endpoint=f"harness {method} {path}",
            view_func=_harness_view(server, handler),
            methods=[method],
        )

    register_site(app, server.spec)

    def error_page(error: HTTPException, limit: int | None = None) -> Answer:
        if isinstance(error, RequestEntityTooLarge):
            return json_response(413, {"detail": f"Request body exceeds {limit or config.max_body_bytes} bytes."})
        if error.code == 404:
            return json_response(404, NOT_FOUND)
        return json_response(error.code or 400, {"detail": error.description or error.name})

    @app.errorhandler(HTTPException)
    def http_error_page(error: HTTPException) -> Answer:
        return error_page(error, request.max_content_length)

    app.wsgi_app = EncodedSlashes(  # type: ignore[method-assign]
        ApiLane(app, server.spec.by_path, server, interceptor, path_arguments, error_page, internal_error,
                config.max_body_bytes)
    )

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Answer:
        return internal_error()

    return app


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _view_for(server: MockServer, path: str):
    def view(**path_args: str) -> Answer:
        req = request._get_current_object()  # type: ignore[attr-defined]
        return server.dispatch(req, path, path_arguments(req.environ, path_args))

    view.__name__ = f"dispatch_{path}"
    return view


def _harness_view(server: MockServer, handler: HarnessHandler):
    def view(**path_args: str) -> Answer:
        return server.harness(handler, path_args)

    view.__name__ = f"harness_{handler.__name__}"
    return view


def server_of(app: Flask) -> MockServer:
    return app.extensions["mem0_mock"]
