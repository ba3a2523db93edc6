"""The seed data set the suite stores through the public API (``infer: false``).

Stored verbatim by any implementation, inside a namespace unique to the run, so the
oracle can judge filters, listing order, expiry and pagination against what was stored.
The timestamps sit on date boundaries (00:00:00 / 23:59:59 UTC around 2024-07-01 and
2024-07-31, the 9th vs the 10th, one tie) to catch off-by-one and
string-vs-date comparisons; texts mix case to tell ``contains`` from ``icontains``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone
from typing import Any

__all__ = ["PAST_EXPIRY", "FUTURE_EXPIRY", "entities", "namespace", "scope", "seed_requests"]

PAST_EXPIRY = "2024-01-01"
FUTURE_EXPIRY = "2099-12-31"


def namespace(run_token: str | None = None) -> str:
    """A namespace like "ct-1a2b3c4d": random, or derived from ``run_token`` to be repeatable."""
    if run_token is None:
        return f"ct-{secrets.token_hex(4)}"
    return f"ct-{hashlib.sha256(run_token.encode()).hexdigest()[:8]}"


def entities(ns: str) -> dict[str, list[str]]:
    """Every entity id the seed uses, by filter field."""
    return {
        "user_id": [f"{ns}-u{i}" for i in range(1, 5)],
        "agent_id": [f"{ns}-a1", f"{ns}-a2"],
        "app_id": [f"{ns}-app"],
        "run_id": [f"{ns}-r1", f"{ns}-r2"],
    }


def scope(ns: str) -> dict:
    """A v2 filter naming exactly the namespace's entities (for strategies' ``scope``)."""
    return {"OR": [{field: {"in": ids}} for field, ids in entities(ns).items()]}


def _ts(text: str) -> int:
    """Unix seconds of an ISO UTC instant (the API's `timestamp` is an integer)."""
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


def _meta(topic: str, priority: int | None = None, source: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"topic": topic}
    if priority is not None:
        meta["priority"] = priority
    if source is not None:
        meta["source"] = source
    return meta


# (text, entity keys, metadata or None, created_at UTC, extra body fields)
# Entity keys: u1..u4, a1/a2, app, r1/r2.
_SEEDS: list[tuple[str, tuple[str, ...], dict | None, str, dict]] = [
    ("Loves JAZZ music", ("u1",), _meta("music", 2, "chat"), "2024-07-01T00:00:00", {}),
    ("loves jazz festivals", ("u2",), _meta("music", 1, "email"), "2024-07-01T23:59:59", {}),
    ("Is vegetarian and avoids dairy", ("u1", "a1"), _meta("food", 3, "chat"), "2024-06-30T23:59:59", {}),
    ("Prefers Italian food, especially pasta", ("u2",), _meta("food", 2, "chat"),
     "2024-07-31T00:00:00", {}),
    ("Allergic to peanuts", ("u3", "r1"), _meta("health", 3, "email"), "2024-07-31T23:59:59", {}),
    ("Runs a marathon every spring", ("u3",), _meta("sports", 1, "chat"), "2024-08-01T00:00:00", {}),
    ("Plays tennis on Sundays", ("u4", "a2"), None, "2024-07-09T12:00:00", {}),
    ("Visited Tokyo last year", ("u4",), _meta("travel"), "2024-07-10T12:00:00", {}),
    ("Plans a trip to Lisbon in October", ("u1", "r1"), _meta("travel", 2, "email"),
     "2024-07-09T23:59:59", {}),
    ("Takes vitamin D every morning", ("u2", "r2"), _meta("health", 1, "chat"), "2024-07-10T00:00:00", {}),
    ("Drinks green tea daily", ("u3",), _meta("food", 2, "chat"), "2024-07-15T10:20:30", {}),
    ("Agent should answer in SHORT sentences", ("a1",), _meta("style", 1, "chat"), "2024-03-05T09:15:00", {}),
    ("Agent recommends hiking trails in the Alps", ("a2", "app"), None, "2024-02-14T18:00:00", {}),
    ("App users often ask about ski resorts", ("app",), _meta("travel", 3, "email"),
     "2024-12-31T23:59:59", {}),
    ("Session focused on knee injury recovery", ("r2",), _meta("health", 2, "chat"),
     "2024-11-11T11:11:11", {}),
    # expired: hidden from search and get-all, still readable by id
    ("Enjoys cooking Thai curry", ("u4",), _meta("food", 3, "email"), "2024-05-20T07:00:00",
     {"expiration_date": PAST_EXPIRY}),
    ("Swims 2 km twice a week", ("u1",), _meta("sports", 2, "chat"), "2024-04-01T06:30:00",
     {"expiration_date": FUTURE_EXPIRY}),
    ("Birthday is on March 3", ("u2",), None, "2024-03-03T00:00:00", {"immutable": True}),
    ("Loves Jazz and blues records", ("u3", "a1", "app"), _meta("music", 1, "chat"),
     "2024-09-09T21:00:00", {}),
    # these two share created_at: listing order breaks the tie by id
    ("Avoids sugar after doctor's advice", ("u4", "r2"), _meta("health", 2, "email"),
     "2024-10-01T09:00:00", {}),
    ("Cycles to work on weekdays", ("u1",), _meta("sports", 3, "chat"), "2024-10-01T09:00:00", {}),
    ("Wants to visit Patagonia", ("u2", "a2"), _meta("travel", 3, "chat"), "2024-07-20T15:45:00", {}),
    ("Reads science fiction novels", ("u3",), {}, "2024-01-31T12:00:00", {}),
    ("Dislikes spicy food", ("u4", "a1", "app", "r1"), _meta("food", 1, "chat"), "2024-06-15T00:00:01", {}),
]


def _entity_fields(ns: str, keys: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key in keys:
        if key.startswith("u"):
            fields["user_id"] = f"{ns}-{key}"
        elif key == "app":
            fields["app_id"] = f"{ns}-app"
        elif key.startswith("a"):
            fields["agent_id"] = f"{ns}-{key}"
        else:
            fields["run_id"] = f"{ns}-{key}"
    return fields


def seed_requests(ns: str) -> list[dict]:
    """Add-request bodies, one memory each (a single user message, ``infer: false``)."""
    bodies = []
    for text, keys, metadata, created, extra in _SEEDS:
        body: dict[str, Any] = {
            "messages": [{"role": "user", "content": text}],
            **_entity_fields(ns, keys),
            "infer": False,
            "timestamp": _ts(created),
            "output_format": "v1.1",
        }
        if metadata is not None:
            body["metadata"] = dict(metadata)
        body.update(extra)
        bodies.append(body)
    return bodies
