"""A webhook receiver the suite starts itself, so it can see what a target delivers.

A tiny threaded HTTP server that records every POST (path, headers, JSON body) and answers
200. By default it listens on 127.0.0.1 on a free port, which only a target on this machine
can reach; `--webhook-receiver URL` advertises another address (a LAN address or a tunnel)
and listens on all interfaces on that URL's port (or `--webhook-receiver-port`).
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from contracts.client import poll

__all__ = ["Delivery", "WebhookReceiver", "is_loopback"]

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(url: str) -> bool:
    """Whether a URL's host is this machine (so a receiver on 127.0.0.1 is reachable from it)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Delivery:
    """One POST the receiver got."""

    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw text when it was not JSON
    at: float = field(default_factory=time.monotonic)


STOP_POLL_S = 0.02


class WebhookReceiver:
    """Records POSTs; `wait_for` polls what arrived with backoff, bounded by a timeout."""

    def __init__(self, public_url: str | None = None, port: int | None = None) -> None:
        self._public = public_url.rstrip("/") if public_url else None
        if self._public and port is None:
            port = urlsplit(self._public).port
            if port is None:
                raise ValueError(f"--webhook-receiver {public_url}: name the port to listen on (in the URL or"
                                 " with --webhook-receiver-port)")
        self._bind = ("0.0.0.0" if self._public else "127.0.0.1", port or 0)
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def advertised(self) -> bool:
        """Whether an address reachable from elsewhere was given (else only loopback reaches it)."""
        return self._public is not None

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw
                receiver._record(Delivery(self.path, dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # keep the test output clean

        self._server = ThreadingHTTPServer(self._bind, Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": STOP_POLL_S},  # `stop` waits for the loop's next look (0.5 s by default)
            name="mem0-webhook-receiver",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        """The base URL a target posts to."""
        if self._public:
            return self._public
        if self._server is None:
            raise RuntimeError("the receiver is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _record(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries.append(delivery)

    def deliveries(self, path: str | None = None) -> list[Delivery]:
        """What arrived so far (at `path` only, when given), oldest first."""
        with self._lock:
            return [d for d in self._deliveries if path is None or d.path == path]

    def wait_for(
        self, done: Callable[[list[Delivery]], bool], *, path: str | None = None, timeout: float
    ) -> tuple[list[Delivery], bool]:
        """Poll the deliveries at `path` until `done(deliveries)` or `timeout` seconds (backoff 20 ms to 0.5 s)."""
        return poll(lambda: self.deliveries(path), done, timeout=timeout, first_delay=0.02, max_delay=0.5)
