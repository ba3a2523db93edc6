"""The test harness under `/_mock/`, outside the public API (WireMock's admin idea).

`POST /_mock/reset` clears state (all keys, or `{"api_key": ...}` only), `GET /_mock/requests`
returns the journal of requests with any spec violations found in them, `DELETE
/_mock/requests` clears it, and `GET /_mock/state` counts what is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..engine import MemoryService
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

    def flag(self, name: str) -> bool:
        return self.query.get(name) in ("1", "true")


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
