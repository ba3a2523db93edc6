"""The test harness under `/_mock/`, outside the public API (WireMock's admin idea).

`POST /_mock/reset` clears state (all keys, or `{"api_key": ...}` only), `GET /_mock/requests`
returns the journal of requests with any spec violations found in them, `DELETE
/_mock/requests` clears it, `GET /_mock/state` counts what is stored, and
`GET /_mock/webhooks/deliveries` shows every webhook delivery with its attempts.

A harness request that is about one key names it by `Authorization: Token <key>` (never
journaled) or by its fingerprint (`?tenant=`), so keys stay out of URLs and logs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..engine import MemoryService
from ..engine.models import isoformat
from ..engine.state import Tenant, fingerprint
from .common import Result

PREFIX = "/_mock"


class JournalView(Protocol):
    """What the harness needs of the server's request journal."""

    def entries(self) -> list[dict[str, Any]]: ...

    def clear(self) -> None: ...


@dataclass
class HarnessCall:
    service: MemoryService
    journal: JournalView
    body: Any = None
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def flag(self, name: str) -> bool:
        return self.query.get(name) in ("1", "true")

    def tenants(self) -> list[Tenant]:
        """The tenant the request names (by key or fingerprint), else every tenant."""
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        wanted = fingerprint(key.strip()) if scheme.lower() == "token" and key.strip() else self.query.get("tenant")
        tenants = self.service.store.tenants()
        return [t for t in tenants if fingerprint(t.api_key) == wanted] if wanted else tenants


HarnessHandler = Callable[[HarnessCall], Result]
ROUTES: dict[tuple[str, str], HarnessHandler] = {}  # (method, path) -> handler


def route(method: str, path: str) -> Callable[[HarnessHandler], HarnessHandler]:
    def register(handler: HarnessHandler) -> HarnessHandler:
        ROUTES[(method, PREFIX + path)] = handler
        return handler

    return register


@route("POST", "/reset")
def reset(call: HarnessCall) -> Result:
    body = call.body if isinstance(call.body, dict) else {}
    api_key = body.get("api_key")
    call.service.reset(api_key if isinstance(api_key, str) else None)
    if api_key is None:
        call.journal.clear()
    return 200, {"message": "Mock state reset."}


@route("GET", "/requests")
def list_requests(call: HarnessCall) -> Result:
    entries = call.journal.entries()
    if call.flag("violations"):
        entries = [entry for entry in entries if entry["violations"]]
    return 200, {"count": len(entries), "requests": entries}


@route("DELETE", "/requests")
def clear_requests(call: HarnessCall) -> Result:
    call.journal.clear()
    return 200, {"message": "Request journal cleared."}


@route("GET", "/state")
def state(call: HarnessCall) -> Result:
    return 200, call.service.counts()


@route("GET", "/webhooks/deliveries")
def webhook_deliveries(call: HarnessCall) -> Result:
    """Every delivery (oldest first) with its attempts; `?webhook_id=` narrows it."""
    wanted = call.query.get("webhook_id")
    dispatcher = call.service.runtime.webhooks
    rows = []
    for tenant in call.tenants():
        for namespace in list(tenant.namespaces.values()):
            for delivery in list(namespace.deliveries):
                if wanted and delivery.webhook_id != wanted:
                    continue
                copy = dispatcher.snapshot(delivery)
                rows.append({
                    "id": copy.id,
                    "tenant": fingerprint(tenant.api_key),
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
