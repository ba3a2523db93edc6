"""Fault injection: rules that make chosen requests fail, stall or lose their connection.

A tester adds rules (`POST /_mock/faults`, `mem0-mock --faults FILE`, `mem0_mock.add_fault`)
to see how a client copes with what the real service does on a bad day. Rules are tried in
the order they were added; the first that matches the request, has hits left and wins its
draw applies. A rule with a status or `drop` answers in place of the service, so the
request changes no state; a rule with only `delay_ms` delays the real answer.

Draws are seeded per rule (the mock's seed and the rule's id), so a rule with
`probability: 0.5` hits the same requests of the same sequence on every run.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml

from ..api.errors import FieldErrors
from .openapi import CompiledSpec
from .routes import HARNESS_PREFIX, RouteSelector, is_site, route_selector

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_DELAY_MS = 300_000
# Headers the WSGI server owns (PEP 3333 forbids the hop-by-hop ones) or computes itself.
RESERVED_HEADERS = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
    "transfer-encoding", "upgrade", "content-length",
})
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110's token
FIELDS = ("method", "path", "api_key", "status", "headers", "body", "delay_ms", "drop", "times", "probability")
# DRF's wording where it has one, else the status's reason phrase.
DETAILS = {
    400: "Bad request.",
    401: "Incorrect authentication credentials.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    429: "Request was throttled.",
    500: "A server error occurred.",
    502: "Bad gateway.",
    503: "Service temporarily unavailable, try again later.",
    504: "Gateway timeout.",
}


def default_body(status: int) -> dict[str, str] | None:
    """A Mem0-style body for a status (`{"detail": ...}`); none for a success."""
    if status < 400:
        return None
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"detail": DETAILS.get(status, f"{phrase}.")}


@dataclass
class FaultRule:
    """One validated rule and what it has done so far."""

    id: str
    selector: RouteSelector
    method: str | None
    key_hash: str | None  # sha256 of the rule's api_key: the key itself is never kept
    status: int | None
    headers: dict[str, str]
    body: Any
    delay_ms: float
    drop: bool
    times: int | None
    probability: float
    draws: random.Random
    hits: int = 0

    def matches(self, method: str, path: str, template: str | None, operation_id: str | None,
                key_hash: str | None) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and method != self.method:
            return False
        if self.key_hash is not None and key_hash != self.key_hash:
            return False
        return self.selector.matches(path, template, operation_id)

    @property
    def answers(self) -> bool:
        """Whether the rule answers in place of the service (else it only delays)."""
        return self.drop or self.status is not None

    def as_json(self) -> dict[str, Any]:
        """The rule as listed: its api_key only as a fingerprint."""
        return {
            "id": self.id,
            "method": self.method,
            "path": self.selector.value,
            "key": self.key_hash[:8] if self.key_hash else None,
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body,
            "delay_ms": self.delay_ms,
            "drop": self.drop,
            "times": self.times,
            "probability": self.probability,
            "hits": self.hits,
            "remaining": None if self.times is None else max(0, self.times - self.hits),
        }


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass
class _Reader:
    """Reads the fields of one rule body, collecting DRF-style field errors."""

    data: Mapping[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def string(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is not None and (not isinstance(value, str) or not value):
            self.fail(name, "Must be a non-empty string.")
            return None
        return value

    def integer(self, name: str, low: int, high: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not _number(value) or value != int(value):
            self.fail(name, "A valid integer is required.")
        elif value < low or (high is not None and value > high):
            self.fail(name, f"Must be between {low} and {high}." if high is not None else f"Must be at least {low}.")
        else:
            return int(value)
        return None

    def number(self, name: str, low: float, high: float, default: float, message: str) -> float:
        value = self.data.get(name)
        if value is None:
            return default
        if not _number(value) or not low <= value <= high:
            self.fail(name, message)
            return default
        return value

    def boolean(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            self.fail(name, "Must be a valid boolean.")
            return False
        return value

    def selector(self, spec: CompiledSpec) -> RouteSelector | None:
        path = self.string("path")
        if path is None:
            if "path" not in self.errors:
                self.fail("path", "This field is required.")
            return None
        if path.startswith(HARNESS_PREFIX) or path == HARNESS_PREFIX.rstrip("/"):
            self.fail("path", "The harness under /_mock/ cannot be faulted.")
            return None
        if is_site(path):
            self.fail("path", "The mock's own pages (the dashboard, the spec) cannot be faulted.")
            return None
        try:
            return route_selector(path, spec)
        except ValueError as exc:
            self.fail("path", str(exc))
            return None

    def method(self, selector: RouteSelector | None) -> str | None:
        method = self.string("method")
        if method is None:
            return None
        method = method.upper()
        if method not in METHODS:
            self.fail("method", f"Must be one of {', '.join(METHODS)}.")
        elif selector is not None and selector.method is not None and selector.method != method:
            self.fail("method", f"Operation {selector.value} is {selector.method}, not {method}.")
        return method

    def headers(self) -> dict[str, str]:
        raw = self.data.get("headers")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.fail("headers", "Must be an object of header names to string values.")
            return {}
        for name, value in raw.items():
            if not HEADER_NAME.fullmatch(name) or not isinstance(value, str):
                self.fail("headers", f"{name!r}: a header is a token name (letters, digits, -) and a string value.")
            elif "\r" in value or "\n" in value or not value.isascii():
                self.fail("headers", f"{name}: a header value is ASCII text on one line.")
            elif name.lower() in RESERVED_HEADERS:
                self.fail("headers", f"{name}: the server sets this header itself.")
        return dict(raw)

    def effect(self, status: int | None, drop: bool, delay_ms: float) -> None:
        """Check the fields fit together: a rule does one thing, and does something."""
        if drop:
            for name in ("status", "headers", "body"):
                if name in self.data:
                    self.fail(name, "A dropped connection has no answer: leave out status, headers and body.")
        elif status is None:
            for name in ("headers", "body"):
                if name in self.data:
                    self.fail(name, "Only a rule with a status answers: give the status too.")
        elif status in (204, 304) and self.data.get("body") is not None:
            self.fail("body", f"A {status} answer has no body.")
        if not self.errors and not drop and status is None and delay_ms == 0:
            self.fail("non_field_errors", "A rule needs an effect: a status, drop, or delay_ms.")


def parse_rule(data: Any, rule_id: str, spec: CompiledSpec, seed: int, key_sha256: str | None = None) -> FaultRule:
    """A rule from its JSON form, or FieldErrors naming every bad field. `key_sha256` names
    the key by its hash instead of `api_key` (a key restored from saved state, never seen)."""
    if not isinstance(data, dict):
        raise FieldErrors({"non_field_errors": ["A fault rule is a JSON object."]})
    read = _Reader(data)
    for name in data:
        if name not in FIELDS:
            read.fail(name, f"Unknown field; a rule has {', '.join(FIELDS)}.")
    selector = read.selector(spec)
    method = read.method(selector)
    api_key = read.string("api_key")
    status = read.integer("status", 200, 599)
    times = read.integer("times", 1)
    delay_ms = read.number("delay_ms", 0, MAX_DELAY_MS, 0, f"Must be milliseconds between 0 and {MAX_DELAY_MS}.")
    probability = read.number("probability", 0, 1, 1.0, "Must be a number between 0 and 1.")
    drop = read.boolean("drop")
    headers = read.headers()
    read.effect(status, drop, delay_ms)
    if read.errors or selector is None:
        raise FieldErrors(read.errors)
    return FaultRule(
        id=rule_id,
        selector=selector,
        method=method,
        key_hash=hashlib.sha256(api_key.encode()).hexdigest() if api_key else key_sha256,
        status=status,
        headers=headers,
        body=data["body"] if "body" in data else (default_body(status) if status is not None else None),
        delay_ms=delay_ms,
        drop=drop,
        times=times,
        probability=float(probability),
        draws=random.Random(f"{seed}:{rule_id}"),
    )


class FaultTable:
    """The rules of one mock, tried in order; safe to use from every worker thread."""

    def __init__(self, spec: CompiledSpec, seed: int) -> None:
        self._spec = spec
        self._seed = seed
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._counter = 0

    def add(self, data: Any, key_sha256: str | None = None) -> dict[str, Any]:
        """Validate and append a rule; answers it as listed (with its new id)."""
        with self._lock:
            rule = parse_rule(data, f"f{self._counter + 1}", self._spec, self._seed, key_sha256)
            self._counter += 1
            self._rules.append(rule)
            return rule.as_json()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.as_json() for rule in self._rules]

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            kept = [rule for rule in self._rules if rule.id != rule_id]
            removed = len(kept) != len(self._rules)
            self._rules = kept
            return removed

    def clear(self) -> int:
        with self._lock:
            count = len(self._rules)
            self._rules = []
            return count

    def restore(self, rules: Iterable[Any], seed: int | None = None) -> None:
        """Back to a start: these rules (already validated once), fresh counts, ids from f1,
        and draws seeded `seed` (if given) from now on."""
        with self._lock:
            self._rules = []
            self._counter = 0
            if seed is not None:
                self._seed = seed
        for data in rules:
            self.add(data)

    def pick(self, method: str, path: str, template: str | None, operation_id: str | None,
             authorization: str | None) -> FaultRule | None:
        """The rule that applies to a request, counted as hit; None when none does."""
        if not self._rules:  # the common case, without the lock
            return None
        key_hash = _key_hash(authorization)
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path, template, operation_id, key_hash):
                    continue
                if rule.probability < 1 and rule.draws.random() >= rule.probability:
                    continue
                rule.hits += 1
                return rule
        return None


def _key_hash(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return hashlib.sha256(token.encode()).hexdigest() if scheme.lower() == "token" and token else None


def load_rules(path: str | Path, spec: CompiledSpec) -> list[Any]:
    """Rules from a YAML or JSON file (a list, or `{"faults": [...]}`), each checked.

    Raises ValueError with the rule's position and field errors, for the CLI to print.
    """
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read fault rules from {path}: {exc}") from None
    if isinstance(document, dict) and set(document) == {"faults"}:
        document = document["faults"]
    if document is None:
        return []
    if not isinstance(document, list):
        raise ValueError(f"{path}: expected a list of fault rules (or {{faults: [...]}})")
    for index, data in enumerate(document, start=1):
        try:
            parse_rule(data, f"f{index}", spec, 0)
        except FieldErrors as exc:
            raise ValueError(f"{path}: rule {index}: {json.dumps(exc.body)}") from None
    return document

