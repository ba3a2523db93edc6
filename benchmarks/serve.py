"""Server process for the served-throughput benchmark: the mock or the bare-Flask floor.

It runs apart from the load generator (and from the harness) so that neither steals the
other's GIL. It prints one JSON line (port, ids to request), serves until its stdin
closes, then prints a second JSON line (store size afterwards) and, when asked, writes a
cProfile of the request handling of all worker threads.

    python -m benchmarks.serve --kind mock --memories 1000 --users 10 [--profile out.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response

from mock_server.api.common import memory_json
from mock_server.engine import Identity
from mock_server.engine.demo import generate_bulk
from mock_server.engine.namespace import Namespace
from mock_server.engine.seeding import load_memories
from mock_server.server import MockConfig, create_app, server_of
from mock_server.server.serving import DEFAULT_THREADS, BackgroundServer

from .common import API_KEY, HOST, SEED

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ProfilingMiddleware:
    """One cProfile per worker thread around the WSGI call (cProfile is per thread).

    Profiled runs use one worker thread: with several, wall-clock profiles charge GIL waits
    to whatever each thread was running (and the thread CPU clock is a syscall here, ~0.6 us
    per call, which skews the profile far more).
    """

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.local = threading.local()
        self.profiles: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        profiler = getattr(self.local, "profiler", None)
        if profiler is None:
            profiler = self.local.profiler = cProfile.Profile()
            with self.lock:
                self.profiles.append(profiler)
        profiler.enable()
        try:
            return self.app(environ, start_response)
        finally:
            profiler.disable()

    def dump(self, path: str) -> None:
        with self.lock:
            profiles = list(self.profiles)
        if profiles:
            pstats.Stats(*profiles).dump_stats(path)


def floor_body() -> bytes:
    """One rendered memory, so the floor answers a body of get-memory's size."""
    scratch = Namespace("org-floor", "project-floor", "floor@bench.local")
    load_memories(scratch, generate_bulk(1, 1, seed=SEED))
    memory = next(iter(scratch.memories.values()))
    identity = Identity(scratch.org_id, scratch.project_id, scratch.owner)
    return json.dumps(memory_json(memory, identity), separators=(",", ":")).encode()


def build_floor() -> Flask:
    """The stack's floor: Flask under waitress answering a fixed JSON body on any path."""
    app = Flask("bench_floor")
    body = floor_body()

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
    def fixed(path: str) -> Response:
        return Response(body, status=200, content_type="application/json")

    return app


def build_mock(memories: int, users: int) -> tuple[Flask, dict[str, Any]]:
    """The mock as `mem0-mock` serves it, with `memories` stored in the bench key's default project."""
    app = create_app(MockConfig())
    namespace = server_of(app).service.store.tenant(API_KEY).namespace(None, None)
    load_memories(namespace, generate_bulk(memories, users, seed=SEED))
    ids = list(namespace.memories)
    user_ids = sorted(namespace.by_entity["user_id"])
    return app, {"memory_ids": ids[:200], "user_ids": user_ids}


def stored(app: Flask) -> int:
    counts = server_of(app).service.counts()
    return int(counts["memories"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.serve")
    parser.add_argument("--kind", choices=("mock", "floor"), required=True)
    parser.add_argument("--memories", type=int, default=1000)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--profile", help="write a cProfile of request handling here on exit")
    args = parser.parse_args(argv)

    if args.kind == "mock":
        app, info = build_mock(args.memories, args.users)
    else:
        app, info = build_floor(), {}
    middleware = None
    if args.profile:
        middleware = ProfilingMiddleware(app.wsgi_app)
        app.wsgi_app = middleware  # type: ignore[method-assign]
    with BackgroundServer(app, host=HOST, threads=args.threads) as server:
        print(json.dumps({"port": server.port, "threads": args.threads, **info}), flush=True)
        sys.stdin.read()  # serve until the harness closes our stdin
    if middleware is not None:
        middleware.dump(args.profile)
    print(json.dumps({"stored_after": stored(app) if args.kind == "mock" else 0}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
