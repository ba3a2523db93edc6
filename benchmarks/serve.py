"""Server process for the served-throughput benchmark: the mock or the bare-Flask floor, under
waitress, gunicorn (gthread) or granian.

It runs apart from the load generator (and from the harness) so that neither steals the
other's GIL. It prints one JSON line (port, ids to request), serves until its stdin
closes, then prints a second JSON line and, when asked (waitress only), writes a cProfile
of the request handling of all worker threads.

- waitress: the app on a `BackgroundServer` in this process, `threads` worker threads.
- gunicorn: this process is the arbiter of ONE gthread worker (`gunicorn -w 1 --threads N
  -k gthread`), which builds the app itself (the state lives in it).
- granian: `mock_server.server.serving.serve_granian`, as `mem0-mock` runs it: one worker
  process with N blocking threads, building the app from a picklable loader, the threads
  serving requests on one core (`serving.on_one_core`; the floor's as the mock's).

Under gunicorn and granian the worker writes the ids to request into a file this process
reads, then this process says it is ready once the port answers.

    python -m benchmarks.serve --kind mock --server granian --memories 1000 --users 10 --shape 1000
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib.util
import json
import os
import pstats
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from mock_server.api.common import memory_json
from mock_server.engine import Identity
from mock_server.engine.demo import generate_bulk
from mock_server.engine.namespace import Namespace
from mock_server.engine.seeding import load_memories
from mock_server.server import MockConfig, create_app, server_of
from mock_server.server.serving import DEFAULT_THREADS, BackgroundServer, granian_available, serve_granian, settle_heap

from .common import API_KEY, HOST, SEED
from .shape import SHAPE_KEY, shape_memories

SERVERS = ("waitress", "gunicorn", "granian")
READY_TIMEOUT_S = 120

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def missing(server: str) -> str | None:
    """Why `server` cannot run here, or None."""
    if server == "granian" and not granian_available():
        return "not installed (pip install granian)"
    if server == "gunicorn" and importlib.util.find_spec("gunicorn") is None:
        return "not installed (pip install gunicorn; not a dependency of the project)"
    if server not in SERVERS:
        return f"unknown server {server!r}"
    return None




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
    """The stack's floor: bare Flask answering a fixed JSON body on any path.

    It reads the request's body first, as any app does: left unread, granian now and then
    drops the keep-alive connection of the next request (errors the Python generator counts).
    """
    app = Flask("bench_floor")
    body = floor_body()

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
    def fixed(path: str) -> Response:
        request.get_data()
        return Response(body, status=200, content_type="application/json")

    return app


def build_mock(memories: int, users: int, shape: int = 0, data: str | None = None) -> tuple[Flask, dict[str, Any]]:
    """The mock as `mem0-mock --quiet` serves it: `memories` over `users` in the bench key's default
    project, and the shape's `shape` memories of one user under their own key."""
    app = create_app(MockConfig(data_path=data))
    store = server_of(app).service.store
    namespace = store.tenant(API_KEY).namespace(None, None)
    load_memories(namespace, generate_bulk(memories, users, seed=SEED))
    info: dict[str, Any] = {
        "memory_ids": list(namespace.memories)[:200],
        "user_ids": sorted(namespace.by_entity.get("user_id", {})),
        "shape_memory_ids": [],
    }
    if shape:
        shaped = store.tenant(SHAPE_KEY).namespace(None, None)
        load_memories(shaped, shape_memories(shape))
        info["shape_memory_ids"] = list(shaped.memories)[:200]
    return app, info


def build(kind: str, memories: int, users: int, shape: int, data: str | None) -> tuple[Flask, dict[str, Any]]:
    """The app, its data loaded and its process's collector tuned as mem0-mock tunes it (floor too)."""
    app, info = build_mock(memories, users, shape, data) if kind == "mock" else (build_floor(), {})
    settle_heap()
    return app, info


def load_app(kind: str, memories: int, users: int, shape: int, data: str | None, info_path: str) -> Flask:
    """The loader a gunicorn or granian worker calls (module level: picklable as a partial)."""
    app, info = build(kind, memories, users, shape, data)
    partial = info_path + ".part"
    Path(partial).write_text(json.dumps(info))
    os.replace(partial, info_path)  # whole, or not there yet
    return app


def serve_gunicorn(loader: Callable[[], Flask], host: str, port: int, threads: int) -> int:
    """`gunicorn -w 1 --threads N -k gthread`, this process its arbiter; returns at SIGTERM."""
    from gunicorn.app.base import BaseApplication

    class OneWorker(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": f"{host}:{port}", "workers": 1, "threads": threads, "worker_class": "gthread",
                "loglevel": "warning", "accesslog": None, "errorlog": "-", "proc_name": "mem0-bench-gunicorn",
            }
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            return loader()

    arbiter = os.getpid()
    try:
        OneWorker().run()
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    else:
        status = 0
    if os.getpid() != arbiter:  # the forked worker leaving: not this process's story to tell
        os._exit(status)
    return status


def free_port(host: str = HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _announce_when_ready(info_path: Path, port: int, extra: dict[str, Any]) -> None:
    """Print the ready line once the worker wrote its ids and the port accepts connections."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if info_path.exists() and _answers(HOST, port):
            info = json.loads(info_path.read_text())
            print(json.dumps({"port": port, **extra, **info}), flush=True)
            return
        time.sleep(0.05)
    print(json.dumps({"error": f"not ready after {READY_TIMEOUT_S} s"}), flush=True)
    os.kill(os.getpid(), signal.SIGINT)


def _stop_at_eof() -> None:
    """Serve until the harness closes our stdin, then stop the server (SIGINT to ourselves: a
    quick stop for gunicorn, Ctrl-C for granian).

    Reads the raw descriptor: `sys.stdin.read()` would hold the stream's lock while the
    server forks its worker, and the worker, closing its stdin first thing, would wait for
    that lock forever.
    """
    while os.read(0, 65536):
        pass
    os.kill(os.getpid(), signal.SIGINT)


def serve_in_worker(args: argparse.Namespace) -> int:
    """gunicorn or granian: the worker builds the app; this process waits, reports and stops."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="mem0-bench-serve-") as tmp:
        info_path = Path(tmp) / "info.json"
        loader = functools.partial(load_app, args.kind, args.memories, args.users, args.shape, args.data,
                                   str(info_path))
        extra = {"threads": args.threads, "server": args.server, "pid": os.getpid()}
        threading.Thread(target=_announce_when_ready, args=(info_path, port, extra), daemon=True).start()
        threading.Thread(target=_stop_at_eof, daemon=True).start()
        if args.server == "granian":
            status = serve_granian(loader, HOST, port, args.threads)
        else:
            status = serve_gunicorn(loader, HOST, port, args.threads)
    print(json.dumps({"exit": status}), flush=True)
    return 0


def serve_here(args: argparse.Namespace) -> int:
    """waitress: the app in this process (optionally profiled)."""
    app, info = build(args.kind, args.memories, args.users, args.shape, args.data)
    middleware = None
    if args.profile:
        middleware = ProfilingMiddleware(app.wsgi_app)
        app.wsgi_app = middleware  # type: ignore[method-assign]
    with BackgroundServer(app, host=HOST, threads=args.threads) as server:
        extra = {"threads": args.threads, "server": "waitress", "pid": os.getpid()}
        print(json.dumps({"port": server.port, **extra, **info}), flush=True)
        sys.stdin.read()  # serve until the harness closes our stdin
    if middleware is not None:
        middleware.dump(args.profile)
    print(json.dumps({"exit": 0}), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.serve")
    parser.add_argument("--kind", choices=("mock", "floor"), required=True)
    parser.add_argument("--server", choices=SERVERS, default="waitress")
    parser.add_argument("--memories", type=int, default=1000)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--shape", type=int, default=0, help="memories of the shape's one user (own key)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--data", help="the mock keeps its state in this SQLite file (as mem0-mock --data)")
    parser.add_argument("--profile", help="write a cProfile of request handling here on exit (waitress only)")
    args = parser.parse_args(argv)
    reason = missing(args.server)
    if reason:
        parser.error(f"--server {args.server}: {reason}")
    if args.profile and args.server != "waitress":
        parser.error("--profile needs --server waitress (the app runs in this process)")
    if args.server == "waitress":
        return serve_here(args)
    return serve_in_worker(args)


if __name__ == "__main__":
    sys.exit(main())
