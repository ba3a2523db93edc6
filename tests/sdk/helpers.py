"""What the SDK test modules share: bounded polling, events over plain HTTP, a webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import requests

from tests.conftest import auth

T = TypeVar("T")

QUICK_START = [
    {"role": "user", "content": "Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts."},
    {"role": "assistant", "content": "Hello Alex! I see that you're a vegetarian with a nut allergy."},
]
NO_SUCH_MEMORY = "00000000-0000-4000-8000-000000000000"
PROFILE_SCHEMA = {
    "type": "object",
    "properties": {
        "diet": {"type": "string", "description": "What the user eats or avoids"},
        "city": {"type": "string", "description": "Where the user lives"},
    },
}


def poll(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.02) -> T:
    """check() until it is truthy, within a deadline; the last value otherwise (the caller asserts)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def event(base_url: str, event_id: str, key: str) -> dict[str, Any]:
    """`GET /v1/event/{id}/` over plain HTTP (neither SDK has a method for it)."""
    response = requests.get(f"{base_url}/v1/event/{event_id}/", headers=auth(key), timeout=10)
    response.raise_for_status()
    return response.json()


def finished_event(base_url: str, event_id: str, key: str) -> dict[str, Any]:
    """The event once it left PENDING / RUNNING (polled with a deadline)."""
    found = poll(lambda: (e := event(base_url, event_id, key))["status"] in ("SUCCEEDED", "FAILED") and e)
    assert found, f"event {event_id} never finished: {event(base_url, event_id, key)}"
    return found


def texts(memories: list[dict[str, Any]]) -> list[str]:
    return [m["memory"] for m in memories]


def journal(base_url: str) -> list[dict[str, Any]]:
    return requests.get(f"{base_url}/_mock/requests", timeout=10).json()["requests"]


def deliveries(base_url: str, key: str) -> list[dict[str, Any]]:
    return requests.get(f"{base_url}/_mock/webhooks/deliveries", headers=auth(key), timeout=10).json()["deliveries"]


class Receiver:
    """A webhook receiver on a free loopback port that keeps every JSON body POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                bodies.append(json.loads(self.rfile.read(length) or b"null"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/hook"

    @contextmanager
    def running(self) -> Iterator[Receiver]:
        thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)  # quick shutdown
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
