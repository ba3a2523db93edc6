"""Serving a mock: with granian (Rust, the fastest) or waitress (pure Python, everywhere),
in the foreground (the CLI), or with waitress on a background thread.

The background form binds port 0 and reports the port the OS chose, so tests and the
contract suite can run many mocks side by side without guessing free ports. Everything
that leans on a server's behaviour lives here.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib.util
import logging
import multiprocessing
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from flask import Flask
from waitress.channel import ClientDisconnected
from waitress.server import create_server

DROPPED = ClientDisconnected  # what reading an answer made of `dropped_body()` raises
DEFAULT_THREADS = 8  # waitress's, and the in-process BackgroundServer's
# granian's: Python runs one request at a time whatever the count, and each thread more that
# contends for the interpreter's lock costs throughput (8 answer a third fewer searches
# than 1; on one core, `on_one_core`, two cost next to nothing); two keep the mock answering
# while one request is held by a `delay_ms` fault.
GRANIAN_THREADS = 2
DROP_MESSAGE = "mem0-mock fault: connection dropped"
LOOP_TIMEOUT = 0.05  # seconds; bounds how long stop() waits for the loop to notice
SERVERS = ("granian", "waitress")
GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (Python's default: 700)
PARENT_CHECK_S = 0.2  # how often a granian worker checks that mem0-mock still runs

WSGIApp = Callable[..., Any]


def granian_available() -> bool:
    """Whether granian is installed (its wheels cover the usual platforms; else waitress)."""
    return importlib.util.find_spec("granian") is not None


def default_server() -> str:
    return "granian" if granian_available() else "waitress"


def check_port(host: str, port: int) -> None:
    """Bind the address once and let it go: OSError now if it is taken, before anything says
    it is serving (granian binds it again itself a moment later)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


class StartFailed(Exception):
    """The app could not be built (the reason is already printed): exit with `status`."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def settle_heap() -> None:
    """Tune the collector of a process that serves the mock, once its start state is loaded.

    The store is made of long-lived objects that the cyclic collector would walk again and
    again; a request makes short-lived ones that reference counting frees. So the start
    state is collected once and frozen out of later collections, and young collections run
    every 20,000 allocations rather than every 700 (search on 1,000 memories ~5% faster).
    Only for the process mem0-mock owns: an app built inside someone's tests leaves their
    collector alone.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def serve_granian(
    load_app: Callable[[], WSGIApp], host: str, port: int, threads: int = DEFAULT_THREADS, one_core: bool = True
) -> int:
    """Serve with granian until interrupted, and answer the exit status.

    One worker process holds the state: `load_app` builds the app inside it (so it must be
    picklable where processes are spawned rather than forked: a partial of a module-level
    function is) and raises `StartFailed` when it cannot, which ends the run with that
    status. The worker ends when mem0-mock itself does, even by `kill -9`, which granian
    alone would not notice. With `one_core`, the threads that serve requests share one core
    (`on_one_core`).
    """
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    started_out, started_in = multiprocessing.Pipe(duplex=False)
    report = _StartReport(started_out)
    granian_log = logging.getLogger("_granian")
    granian_log.addFilter(report.quiet_after_failure)
    server = Server(
        "mem0-mock",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=threads,
        websockets=False,
        log_level=LogLevels.error,  # not its warning that 8 threads exceed 2 cores: they mostly wait
    )
    try:
        server.serve(target_loader=functools.partial(_worker_app, load_app, os.getpid(), started_in, one_core))
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    finally:
        granian_log.removeFilter(report.quiet_after_failure)
    return report.failure() or status


class _StartReport:
    """What the worker said of its start: 0 (serving) or the exit status of a failure.

    The worker writes it before it exits, so whoever asks after granian noticed the exit
    (its log line, or `serve` returning) finds it in the pipe: no thread, no race.
    """

    def __init__(self, pipe: Connection) -> None:
        self._pipe = pipe
        self._lock = threading.Lock()
        self._failure: int | None = None

    def failure(self) -> int | None:
        with self._lock:
            while self._failure is None and self._pipe.poll():
                self._failure = self._pipe.recv() or None
            return self._failure

    def quiet_after_failure(self, record: logging.LogRecord) -> bool:
        """The worker said why it failed; granian's "unexpected exit" line would add nothing."""
        return self.failure() is None


def _worker_app(
    load_app: Callable[[], WSGIApp], parent: int, started: Connection, one_core: bool, *target: Any
) -> WSGIApp:
    for handler in logging.getLogger("_granian").handlers:  # its records come from child loggers
        handler.addFilter(_not_a_drop)
    threading.Thread(target=_exit_with, args=(parent,), name="mem0-mock-parent-watch", daemon=True).start()
    try:
        app = load_app()
    except StartFailed as failure:
        started.send(failure.status)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(failure.status)
    started.send(0)
    return on_one_core(app) if one_core else app


def on_one_core(app: WSGIApp) -> WSGIApp:
    """The app, each thread that serves it kept on one core, the same for all (Linux).

    Python runs one request at a time however many threads serve; what a second thread
    costs is the interpreter's lock passing between threads on different cores, each
    pass moving the interpreter's working state between the cores' caches. On one core the
    mock answers about a third more searches and half again as many adds (`benchmarks.run`),
    and a thread held by a `delay_ms` fault still leaves the other answering. The first
    thread to serve stays on the core it runs on; the others join it. Threads of background
    work (webhook delivery, queued adds) stay where the system puts them; where affinity
    cannot be set, nothing changes.
    """
    if not hasattr(os, "sched_setaffinity"):
        return app
    placed = threading.local()
    chosen: list[set[int]] = []
    choosing = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not getattr(placed, "done", False):
            placed.done = True
            with choosing:
                if not chosen:
                    chosen.append({_current_core()})
            with contextlib.suppress(OSError):  # not allowed here: served as the system places it
                os.sched_setaffinity(0, chosen[0])  # 0: this thread
        return app(environ, start_response)

    return serve


def _current_core() -> int:
    """The core this thread last ran on (Linux's /proc), else the first it may run on."""
    allowed = os.sched_getaffinity(0)
    try:
        with open("/proc/thread-self/stat", encoding="ascii") as stat:
            core = int(stat.read().rsplit(")", 1)[1].split()[36])  # field 39, "processor"
    except (OSError, ValueError, IndexError):
        return min(allowed)
    return core if core in allowed else min(allowed)


def _not_a_drop(record: logging.LogRecord) -> bool:
    """granian logs every body that fails, with its traceback; a dropped connection is on purpose."""
    return DROP_MESSAGE not in str(record.msg)  # the traceback is in the message's text


def _exit_with(parent: int) -> None:
    """End this worker once its parent is gone (a child of a dead parent gets a new one)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    sys.stdout.flush()
    os._exit(0)


def bind(app: Flask, host: str, port: int, threads: int = DEFAULT_THREADS) -> Any:
    """A waitress server with its socket bound and listening (OSError if the port is taken)."""
    return create_server(app, host=host, port=port, threads=threads, ident="mem0-mock")


def dropped_body() -> Iterator[bytes]:
    """A response body that makes the server close the connection before sending a byte of it.

    waitress sends the status line and headers with the first chunk of the body. When
    producing that chunk raises `ClientDisconnected`, it treats the connection as gone and
    closes it, so the client reads end-of-stream without any answer. granian sends the
    status line and headers first (chunked), then closes the connection when the body
    fails, so the client sees a status and an answer that never completes. Flask's error
    handling has finished by then: the exception reaches the server alone.
    """
    raise ClientDisconnected(DROP_MESSAGE)
    yield b""  # pragma: no cover - makes this a generator, evaluated lazily by the server


class BackgroundServer:
    """A live mock on a free port; use as a context manager."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = DEFAULT_THREADS):
        self.app = app
        self._server = bind(app, host, port, threads)
        self.host = host
        self.port: int = self._server.effective_port  # type: ignore[union-attr]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"mem0-mock:{self.port}", daemon=True)

    def _serve(self) -> None:
        """waitress's loop, one pass at a time, so stop() can end it on this thread; closing
        the socket from another thread would leave the loop polling a dead descriptor."""
        server = self._server
        while not self._stopping.is_set():
            server.asyncore.loop(timeout=LOOP_TIMEOUT, map=server._map, count=1)  # type: ignore[union-attr]
        server.close()
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
