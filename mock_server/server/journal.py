"""The request journal: what the mock received, with any spec violations found in it."""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import Any

from flask import Request


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
