"""The API lane: the spec's operations served without Flask's per-request machinery.

A request for one of the spec's paths needs the pipeline (`MockServer.dispatch`) and the
hooks around it (`Interceptor`), nothing of Flask's: no app or request context, session,
signals or error-handler lookup. Those cost about as much as a whole `get memory`, so
this WSGI middleware routes with the app's own URL map (the same rules, so the same
match) and, when the rule is a spec path, runs hooks and pipeline itself on a plain
werkzeug request. Everything else, and anything the map would redirect or refuse, goes
to Flask unchanged: the harness, the dashboard, 404, 405, a missing trailing slash.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, Protocol

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from .wire import Answer

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Pipeline(Protocol):
    def dispatch(self, req: Request, path: str, path_args: dict[str, str]) -> Answer: ...


class Hooks(Protocol):
    def before(self, req: Request) -> Answer | None: ...

    def after(self, req: Request, response: Answer) -> Answer: ...


ROUTE_CACHE = 4096  # routed paths remembered
_UNKNOWN = object()


class LaneRequest(Request):
    """A werkzeug request with what the hooks read from Flask's: the matched rule."""

    url_rule: Any = None


class ApiLane:
    """WSGI middleware in front of Flask's `wsgi_app` (see the module's docstring)."""

    def __init__(
        self,
        app: Flask,
        endpoints: Collection[str],
        pipeline: Pipeline,
        hooks: Hooks,
        path_arguments: Callable[[dict[str, Any], dict[str, str]], dict[str, str]],
        error_page: Callable[[HTTPException], Answer],
        internal_error: Callable[[], Answer],
        max_body_bytes: int,
    ) -> None:
        self.flask: WsgiApp = app.wsgi_app
        self.adapter = app.url_map.bind("localhost")
        self.endpoints = frozenset(endpoints)
        self._routes: dict[tuple[str, str], tuple[Any, dict[str, str]] | None] = {}
        self.pipeline = pipeline
        self.hooks = hooks
        self.path_arguments = path_arguments
        self.error_page = error_page
        self.internal_error = internal_error
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if not path.isascii():  # Flask decodes WSGI's latin-1 path; leave that to it
            return self.flask(environ, start_response)
        matched = self._route(path, environ.get("REQUEST_METHOD", "GET"))
        if matched is None:
            return self.flask(environ, start_response)
        rule, args = matched
        return self._serve(environ, rule, dict(args))(environ, start_response)

    def _route(self, path: str, method: str) -> tuple[Any, dict[str, str]] | None:
        """The spec rule and path arguments of a request, or None when Flask should answer it
        (not found, a redirect to the slashed path, a harness or dashboard route). Clients
        ask for the same paths again and again, so answers are remembered (`ROUTE_CACHE`)."""
        key = (path, method)
        found = self._routes.get(key, _UNKNOWN)
        if found is not _UNKNOWN:
            return found
        try:
            rule, args = self.adapter.match(path, method, return_rule=True)
            found = (rule, args) if rule.endpoint in self.endpoints else None
        except HTTPException:
            found = None
        if len(self._routes) >= ROUTE_CACHE:
            self._routes.clear()  # bounded: a client walking many ids starts it over
        self._routes[key] = found
        return found

    def _serve(self, environ: dict[str, Any], rule: Any, args: dict[str, str]) -> Answer:
        req = LaneRequest(environ)
        req.max_content_length = self.max_body_bytes
        req.url_rule = rule
        try:
            response = self.hooks.before(req)
            if response is None:
                response = self.pipeline.dispatch(req, rule.endpoint, self.path_arguments(environ, args))
        except HTTPException as error:  # a body over the size limit, ...
            response = self.error_page(error)
        except Exception:  # noqa: BLE001 - as Flask's handler: a 500 in JSON, logged, never a traceback
            response = self.internal_error()
        return self.hooks.after(req, response)
