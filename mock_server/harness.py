"""Test-harness endpoints outside the public API, under `/_mock/` (WireMock's admin idea).

`POST /_mock/reset` clears state (all keys, or `{"api_key": ...}` only), `GET /_mock/requests`
returns the journal of requests with any spec violations found in them, `DELETE
/_mock/requests` clears it, and `GET /_mock/state` counts what is stored.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Request, jsonify, request

if TYPE_CHECKING:
    from .app import MockServer


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat().replace("+00:00", "Z")


class Journal:
    """A bounded, thread-safe log of the requests the mock received."""

    def __init__(self, size: int) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def record(self, req: Request, operation_id: str | None, status: int, violations: list[str]) -> None:
        entry = {
            "time": time.time(),  # rendered when read: recording sits on every request's path
            "method": req.method,
            "path": req.path,
            "query": req.query_string.decode("latin-1"),
            "operation_id": operation_id,
            "status": status,
            "violations": violations,
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            entries = list(self._entries)
        return [{**entry, "time": _iso(entry["time"])} for entry in entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def harness_blueprint(server: MockServer) -> Blueprint:
    harness = Blueprint("mock_harness", __name__, url_prefix="/_mock")

    @harness.post("/reset")
    def reset():
        body = request.get_json(silent=True) or {}
        api_key = body.get("api_key") if isinstance(body, dict) else None
        server.store.reset(api_key if isinstance(api_key, str) else None)
        if api_key is None:
            server.journal.clear()
        return jsonify({"message": "Mock state reset."})

    @harness.get("/requests")
    def requests_log():
        entries = server.journal.entries()
        if request.args.get("violations") in ("1", "true"):
            entries = [entry for entry in entries if entry["violations"]]
        return jsonify({"count": len(entries), "requests": entries})

    @harness.delete("/requests")
    def clear_requests():
        server.journal.clear()
        return jsonify({"message": "Request journal cleared."})

    @harness.get("/state")
    def state():
        return jsonify(server.store.counts())

    return harness
