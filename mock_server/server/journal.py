"""The request journal: every request the mock received, and what it answered.

Each entry says when, what (method, path, query, operationId, the body up to
`BODY_LIMIT` bytes), who (a fingerprint of the key: the first 8 hex digits of its SHA-256,
never the key), and how it went (status, duration, spec violations, the fault rule that
hit it). Unmatched paths (404) and refused methods (405) are recorded like the rest; the
harness's own requests under `/_mock/` are not. The journal is bounded; `dropped` counts
the entries that fell off its front since it was last cleared.

It also remembers which request caused each history entry of a memory (`link`,
`request_of`), so the dashboard can lead from a memory to the request that made it. A
request's `Origin` sits in a context variable while it is served (and in the background
jobs it queues, which copy the context); its number is filled in once it is journaled.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..api.errors import FieldErrors
from ..engine.clock import parse_instant
from ..engine.state import fingerprint
from .openapi import CompiledSpec
from .routes import route_selector

BODY_LIMIT = 4096  # bytes of a request body kept in its entry
FILTERS = ("path", "method", "status", "operation", "key", "fault", "since", "until", "violations", "after", "last")
LINKS_PER_ENTRY = 10  # history links kept per journal entry the journal can hold (a batch makes many)

Entry = dict[str, Any]


@dataclass(slots=True)
class Origin:
    """The request being served, as the history links name it: its journal number, once known."""

    seq: int | None = None


ORIGIN: ContextVar[Origin | None] = ContextVar("mem0_mock_origin", default=None)


@contextmanager
def no_origin() -> Iterator[None]:
    """Changes made here are no request's doing (the demo data a new key gets)."""
    token = ORIGIN.set(None)
    try:
        yield
    finally:
        ORIGIN.reset(token)


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
        self._links: dict[str, Origin] = {}  # history entry id -> the request that made it, oldest first
        self._links_kept = max(10_000, LINKS_PER_ENTRY * size)

    def record(self, entry: Entry) -> int:
        """Append an entry and answer its number; its `stamp` (epoch seconds) and `template` stay internal."""
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            if self._entries.maxlen is not None and len(self._entries) == self._entries.maxlen:
                self._dropped += 1
            self._entries.append(entry)
            return self._seq

    def entries(self, filters: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The entries oldest first, those matching every filter (`last=N`: the newest N of
        them); FieldErrors for a bad filter."""
        filters = filters or {}
        tests = self._tests(filters)
        last = int(filters["last"]) if "last" in filters else None
        with self._lock:
            entries, dropped = list(self._entries), self._dropped
        matching = [entry for entry in entries if all(test(entry) for test in tests)]
        kept = [_render(entry) for entry in (matching[-last:] if last else matching)]
        return {"count": len(kept), "dropped": dropped, "requests": kept}

    def entry(self, seq: int) -> dict[str, Any] | None:
        """One entry by its number, if the journal still holds it."""
        with self._lock:
            found = next((entry for entry in self._entries if entry["seq"] == seq), None)
        return _render(found) if found is not None else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped = 0
            self._links.clear()

    def link(self, history_id: str) -> None:
        """Tie a history entry being recorded to the request being served, if any."""
        origin = ORIGIN.get()
        if origin is None:
            return
        with self._lock:
            self._links[history_id] = origin
            if len(self._links) > self._links_kept:
                del self._links[next(iter(self._links))]

    def request_of(self, history_id: str) -> int | None:
        """The number of the request that made a history entry (None: no request, or forgotten)."""
        with self._lock:
            origin = self._links.get(history_id)
        return origin.seq if origin is not None else None

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
        if name == "last":
            if not value.isdigit() or int(value) < 1:
                raise ValueError("Must be a whole number of requests, at least 1.")
            return lambda e: True  # applied to the matches as a whole, in entries()
        if name == "after":
            if not value.isdigit():
                raise ValueError("Must be a request number (seq).")
            after = int(value)
            return lambda e: e["seq"] > after
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
