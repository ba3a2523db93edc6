"""The request journal: every request the mock received, and what it answered.

Each entry says when, what (method, path, query, operationId, the body up to
`BODY_LIMIT` bytes), who (a fingerprint of the key: the first 8 hex digits of its SHA-256,
never the key), and how it went (status, duration, spec violations, the fault rule that
hit it). Unmatched paths (404) and refused methods (405) are recorded like the rest; the
harness's own requests under `/_mock/` are not. The journal is bounded; `dropped` counts
the entries that fell off its front since it was last cleared.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..api.errors import FieldErrors
from ..engine.clock import parse_instant
from ..engine.state import fingerprint
from .openapi import CompiledSpec
from .routes import route_selector

BODY_LIMIT = 4096  # bytes of a request body kept in its entry
FILTERS = ("path", "method", "status", "operation", "key", "fault", "since", "until", "violations")

Entry = dict[str, Any]


def key_fingerprint(authorization: str | None) -> str | None:
    """The fingerprint of the token in an `Authorization: Token <key>` header, if any."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return fingerprint(token) if scheme.lower() == "token" and token else None


def body_excerpt(raw: bytes | None) -> tuple[str | None, bool]:
    """The body as text, cut at BODY_LIMIT bytes, and whether it was cut."""
    if not raw:
        return None, False
    return raw[:BODY_LIMIT].decode("utf-8", errors="replace"), len(raw) > BODY_LIMIT


def _iso(stamp: float) -> str:
    moment = datetime.fromtimestamp(stamp, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Journal:
    """A bounded, thread-safe log of requests; entries are dicts, rendered when read."""

    def __init__(self, size: int, spec: CompiledSpec) -> None:
        self._spec = spec
        self._entries: deque[Entry] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._seq = 0
        self._dropped = 0

    def record(self, entry: Entry) -> None:
        """Append an entry; its `stamp` (epoch seconds) and `template` stay internal."""
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            if self._entries.maxlen is not None and len(self._entries) == self._entries.maxlen:
                self._dropped += 1
            self._entries.append(entry)

    def entries(self, filters: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The entries oldest first, those matching every filter; FieldErrors for a bad filter."""
        tests = self._tests(filters or {})
        with self._lock:
            entries, dropped = list(self._entries), self._dropped
        kept = [_render(entry) for entry in entries if all(test(entry) for test in tests)]
        return {"count": len(kept), "dropped": dropped, "requests": kept}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped = 0

    def _tests(self, filters: Mapping[str, str]) -> list[Callable[[Entry], bool]]:
        errors: dict[str, list[str]] = {}
        tests: list[Callable[[Entry], bool]] = []
        for name in filters:
            if name not in FILTERS:
                errors[name] = [f"Unknown filter; the journal filters by {', '.join(FILTERS)}."]
        for name in FILTERS:
            value = filters.get(name)
            if value is None:
                continue
            try:
                tests.append(self._test(name, value))
            except ValueError as exc:
                errors[name] = [str(exc)]
        if errors:
            raise FieldErrors(errors)
        return tests

    def _test(self, name: str, value: str) -> Callable[[Entry], bool]:
        if name == "path":
            selector = route_selector(value, self._spec)
            return lambda e: selector.matches(e["path"], e["template"], e["operation_id"])
        if name == "method":
            return lambda e: e["method"] == value.upper()
        if name == "status":
            return _status_test(value)
        if name == "operation":
            if value not in self._spec.operations:
                raise ValueError(f'"{value}" is not an operationId of the spec.')
            return lambda e: e["operation_id"] == value
        if name == "key":
            return lambda e: e["key"] == value.lower()
        if name == "fault":
            return lambda e: e["fault"] == value
        if name == "violations":
            if value not in ("0", "1", "true", "false"):
                raise ValueError("Must be 1 or 0.")
            wanted = value in ("1", "true")
            return lambda e: bool(e["violations"]) == wanted
        try:
            bound = parse_instant(value).timestamp()
        except ValueError:
            raise ValueError("Must be a date-time such as 2025-01-01T00:00:00Z.") from None
        if name == "since":
            return lambda e: e["stamp"] >= bound
        return lambda e: e["stamp"] < bound  # until


def _status_test(value: str) -> Callable[[Entry], bool]:
    """`404` for one status, `4xx` for a class; a dropped connection has none."""
    if len(value) == 3 and value[0] in "12345" and value[1:].lower() == "xx":
        first = int(value[0])
        return lambda e: e["status"] is not None and e["status"] // 100 == first
    if value.isdigit() and 100 <= int(value) <= 599:
        status = int(value)
        return lambda e: e["status"] == status
    raise ValueError("Must be a status such as 404, or a class such as 4xx.")


def _render(entry: Entry) -> dict[str, Any]:
    return {
        "seq": entry["seq"],
        "time": _iso(entry["stamp"]),
        "method": entry["method"],
        "path": entry["path"],
        "query": entry["query"],
        "status": entry["status"],
        "duration_ms": entry["duration_ms"],
        "operation_id": entry["operation_id"],
        "violations": entry["violations"],
        "fault": entry["fault"],
        "key": entry["key"],
        "body": entry["body"],
        "body_truncated": entry["body_truncated"],
    }
