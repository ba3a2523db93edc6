"""The test harness under `/_mock/`, outside the public API (WireMock's admin idea).

- `POST /_mock/reset`: back to how the mock started, empty but for its `--load` state
  (`{"demo": true}`: with the demo data again; `{"seed": N}`: ids seeded N from now on;
  `{"api_key": ...}`: that key's data only)
- `GET /_mock/requests` (filters: path, method, status, operation, key, fault, since,
  until, violations), `DELETE /_mock/requests`: the request journal
- `POST /_mock/faults`, `GET /_mock/faults`, `DELETE /_mock/faults[/{id}]`: fault rules
- `GET /_mock/clock`, `POST /_mock/clock` (`{"now": ...}` or `{"advance_seconds": N}`),
  `DELETE /_mock/clock` (back to the wall clock)
- `GET /_mock/state`: how much is stored
- `GET /_mock/snapshot` (one key's: by its `Authorization` or `?tenant=`), `POST /_mock/snapshot`:
  the whole state as one document, and back (a fixtures document is taken too)
- `GET /_mock/webhooks/deliveries` (`?webhook_id=`): every webhook delivery and its attempts

Handlers see the mock through `Harness` (the server implements it) and answer a status
and a JSON body; bad input raises the API's DRF-style errors. A request about one key
names it by `Authorization: Token <key>` (never journaled) or by its fingerprint
(`?tenant=`), so keys stay out of URLs and logs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..engine import MemoryService
from ..engine.clock import Clock, parse_instant
from ..engine.errors import InvalidInput, Unavailable
from ..engine.models import isoformat
from ..engine.state import Tenant, fingerprint
from .common import Result
from .errors import Detail, FieldErrors, field_error

PREFIX = "/_mock"


class JournalView(Protocol):
    """What the harness needs of the server's request journal."""

    def entries(self, filters: Mapping[str, str] | None = None) -> dict[str, Any]: ...

    def clear(self) -> None: ...


class FaultsView(Protocol):
    """What the harness needs of the server's fault rules."""

    def add(self, data: Any, key_sha256: str | None = None) -> dict[str, Any]: ...

    def rules(self) -> list[dict[str, Any]]: ...

    def remove(self, rule_id: str) -> bool: ...

    def clear(self) -> int: ...


class Harness(Protocol):
    """The mock as the harness drives it."""

    service: MemoryService
    journal: JournalView
    faults: FaultsView

    def reset(self, demo: bool, seed: int | None) -> None: ...

    def reset_key(self, api_key: str) -> None: ...

    @property
    def start_seed(self) -> int | None: ...


@dataclass
class HarnessCall:
    mock: Harness
    body: Any = None
    query: Mapping[str, str] = field(default_factory=dict)
    path_args: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def tenants(self) -> list[Tenant]:
        """The tenant the request names (by key or fingerprint), else every tenant."""
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        wanted = fingerprint(key.strip()) if scheme.lower() == "token" and key.strip() else self.query.get("tenant")
        tenants = self.mock.service.store.tenants()
        return [t for t in tenants if t.fingerprint == wanted] if wanted else tenants

    def object_body(self, allowed: tuple[str, ...]) -> dict[str, Any]:
        """The body as a JSON object (absent: empty), refusing fields it does not know."""
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise FieldErrors({"non_field_errors": ["Expected a JSON object."]})
        unknown = [name for name in self.body if name not in allowed]
        if unknown:
            raise FieldErrors({name: [f"Unknown field; expected {', '.join(allowed)}."] for name in unknown})
        return self.body


HarnessHandler = Callable[[HarnessCall], Result]
ROUTES: dict[tuple[str, str], HarnessHandler] = {}  # (method, path template) -> handler


def route(method: str, path: str, large_body: bool = False) -> Callable[[HarnessHandler], HarnessHandler]:
    """Register a handler; `large_body`: it takes a whole state (a larger, deeper body)."""

    def register(handler: HarnessHandler) -> HarnessHandler:
        ROUTES[(method, PREFIX + path)] = handler
        handler.large_body = large_body  # type: ignore[attr-defined]
        return handler

    return register


# --- state ------------------------------------------------------------------------------


@route("POST", "/reset")
def reset(call: HarnessCall) -> Result:
    body = call.object_body(("api_key", "demo", "seed"))
    api_key, demo = body.get("api_key"), body.get("demo", False)
    seed = body.get("seed", call.mock.start_seed)
    if api_key is not None and (not isinstance(api_key, str) or not api_key):
        raise field_error("api_key", "Must be a non-empty string.")
    if not isinstance(demo, bool):
        raise field_error("demo", "Must be a valid boolean.")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise field_error("seed", "A valid integer is required.")
    if api_key is not None:
        if demo or "seed" in body:
            raise FieldErrors({"api_key": ["demo and seed go with a full reset only (without api_key)."]})
        call.mock.reset_key(api_key)
        return 200, {"message": "State of the key reset."}
    call.mock.reset(demo, seed)
    return 200, {"message": "Mock reset" + (", demo data back." if demo else ".")}


@route("GET", "/state")
def state(call: HarnessCall) -> Result:
    return 200, call.mock.service.counts()


@route("GET", "/snapshot")
def get_snapshot(call: HarnessCall) -> Result:
    """The whole state as one document (one key's, when the request names a key)."""
    return 200, call.mock.service.snapshot(call.tenants())


@route("POST", "/snapshot", large_body=True)
def restore_snapshot(call: HarnessCall) -> Result:
    """Replace the whole state with a snapshot (or a fixtures document); a bad document
    is a 400 naming every problem, and changes nothing."""
    if call.body is None:
        raise FieldErrors({"non_field_errors": ["Send a snapshot (from GET /_mock/snapshot) or a fixtures document."]})
    service = call.mock.service
    try:
        loaded = service.read_state(call.body)
    except InvalidInput as error:
        raise FieldErrors(error.errors) from None
    except Unavailable as error:
        raise Detail(error.message, 503) from None
    service.restore(loaded)
    return 200, {"message": "State restored.", "tenants": len(loaded.tenants), "memories": loaded.memories}


# --- journal ----------------------------------------------------------------------------


@route("GET", "/requests")
def list_requests(call: HarnessCall) -> Result:
    return 200, call.mock.journal.entries(call.query)


@route("DELETE", "/requests")
def clear_requests(call: HarnessCall) -> Result:
    call.mock.journal.clear()
    return 200, {"message": "Request journal cleared."}


# --- faults -----------------------------------------------------------------------------


@route("POST", "/faults")
def add_fault(call: HarnessCall) -> Result:
    """A rule may name its key by the fingerprint of a key the mock has seen (`tenant`), so
    the dashboard, which never holds a key, can make one."""
    body = call.body
    if not isinstance(body, dict) or "tenant" not in body:
        return 201, call.mock.faults.add(body)
    rule = {name: value for name, value in body.items() if name != "tenant"}
    if "api_key" in rule:
        raise FieldErrors({"tenant": ["Give api_key or tenant, not both."]})
    for tenant in call.mock.service.store.tenants():
        if tenant.fingerprint == body["tenant"]:
            return 201, call.mock.faults.add(rule, key_sha256=tenant.key_sha256)
    raise field_error("tenant", "The mock has not seen a key with this fingerprint.")


@route("GET", "/faults")
def list_faults(call: HarnessCall) -> Result:
    rules = call.mock.faults.rules()
    return 200, {"count": len(rules), "faults": rules}


@route("DELETE", "/faults")
def clear_faults(call: HarnessCall) -> Result:
    return 200, {"message": "Fault rules cleared.", "removed": call.mock.faults.clear()}


@route("DELETE", "/faults/{fault_id}")
def remove_fault(call: HarnessCall) -> Result:
    fault_id = call.path_args["fault_id"]
    if not call.mock.faults.remove(fault_id):
        raise Detail(f'No fault rule "{fault_id}".', 404)
    return 200, {"message": f'Fault rule "{fault_id}" removed.'}


# --- clock ------------------------------------------------------------------------------


def _clock_json(clock: Clock) -> dict[str, Any]:
    return {"now": isoformat(clock.now()), "frozen": clock.frozen}


@route("GET", "/clock")
def get_clock(call: HarnessCall) -> Result:
    return 200, _clock_json(call.mock.service.runtime.clock)


@route("POST", "/clock")
def move_clock(call: HarnessCall) -> Result:
    """Freeze the clock at `now`, or move a frozen clock by `advance_seconds` (negative: back)."""
    body = call.object_body(("now", "advance_seconds"))
    clock = call.mock.service.runtime.clock
    if ("now" in body) == ("advance_seconds" in body):
        raise FieldErrors({"non_field_errors": ['Give exactly one of "now" or "advance_seconds".']})
    if "now" in body:
        try:
            clock.freeze(parse_instant(body["now"]))
        except ValueError:
            raise field_error("now", "Must be a date-time such as 2025-01-01T00:00:00Z.") from None
        return 200, _clock_json(clock)
    seconds = body["advance_seconds"]
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not math.isfinite(seconds):
        raise field_error("advance_seconds", "A valid number is required.")
    if not clock.frozen:
        raise field_error("advance_seconds", 'The clock runs on wall time: freeze it first (with "now" or --clock).')
    try:
        clock.advance(seconds)
    except OverflowError:
        raise field_error("advance_seconds", "Moves the clock out of the range of dates.") from None
    return 200, _clock_json(clock)


@route("DELETE", "/clock")
def unfreeze_clock(call: HarnessCall) -> Result:
    clock = call.mock.service.runtime.clock
    clock.unfreeze()
    return 200, _clock_json(clock)


# --- webhooks ---------------------------------------------------------------------------


@route("GET", "/webhooks/deliveries")
def webhook_deliveries(call: HarnessCall) -> Result:
    """Every delivery (oldest first) with its attempts; `?webhook_id=` narrows it."""
    wanted = call.query.get("webhook_id")
    dispatcher = call.mock.service.runtime.webhooks
    rows = []
    for tenant in call.tenants():
        for namespace in list(tenant.namespaces.values()):
            for delivery in list(namespace.deliveries):
                if wanted and delivery.webhook_id != wanted:
                    continue
                copy = dispatcher.snapshot(delivery)
                rows.append({
                    "id": copy.id,
                    "tenant": tenant.fingerprint,
                    "project_id": namespace.project_id,
                    "webhook_id": copy.webhook_id,
                    "event_type": copy.event_type,
                    "url": copy.url,
                    "payload": copy.payload,
                    "status": copy.status,
                    "created_at": isoformat(copy.created_at),
                    "attempts": [
                        {
                            "attempt": a.number,
                            "at": isoformat(a.at),
                            "status_code": a.status_code,
                            "error": a.error,
                            "duration_ms": a.duration_ms,
                        }
                        for a in copy.attempts
                    ],
                })
    return 200, {"count": len(rows), "deliveries": rows}
