"""Serving a mock with waitress: in the foreground (the CLI) or on a background thread.

The background form binds port 0 and reports the port the OS chose, so tests and the
contract suite can run many mocks side by side without guessing free ports. Everything
that leans on waitress' behaviour lives here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from flask import Flask
from waitress.channel import ClientDisconnected
from waitress.server import create_server

DROPPED = ClientDisconnected  # what reading an answer made of `dropped_body()` raises
DEFAULT_THREADS = 8
LOOP_TIMEOUT = 0.05  # seconds; bounds how long stop() waits for the loop to notice


def bind(app: Flask, host: str, port: int, threads: int = DEFAULT_THREADS) -> Any:
    """A waitress server with its socket bound and listening (OSError if the port is taken)."""
    return create_server(app, host=host, port=port, threads=threads, ident="mem0-mock")


def dropped_body() -> Iterator[bytes]:
    """A response body that makes the server close the connection before sending a byte.

    waitress sends the status line and headers with the first chunk of the body. When
    producing that chunk raises `ClientDisconnected`, it treats the connection as gone and
    closes it, so the client reads end-of-stream without any answer. Flask's error handling
    has finished by then: the exception reaches waitress alone.
    """
    raise ClientDisconnected("mem0-mock fault: connection dropped")
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
