"""Fixtures: a short, hand-written start state, turned into a snapshot document.

    {"keys": {"m0-abc": {"memories": [
        {"text": "Is a vegetarian", "user_id": "alex", "metadata": {"source": "onboarding"},
         "categories": ["food"], "created_at": "2025-01-02T03:04:05Z", "expiration_date": null,
         "immutable": false}]}}}

Per API key, memories of its default project, stored verbatim (no inference), each with
an ADD in its history as if it had been added with `infer: false`. Only `text` and one
entity id are required: `id` defaults to a new id, `categories` to what the default
catalogue gives the text, `created_at` to the mock's clock, `updated_at` to `created_at`.
Dates may be text or (from YAML) dates. Problems name the item: keys by their fingerprint
(never the key itself), memories by their position.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from .categories import categorize
from .clock import parse_instant
from .errors import InvalidInput
from .models import ENTITY_FIELDS, HistoryEntry, pack_messages
from .namespace import Runtime
from .projects import Member, Project
from .snapshot import FORMAT, MAX_ERRORS, VERSION, encode, encode_entry, memory_record
from .state import Tenant, fingerprint
from .text import shared

MEMORY_FIELDS = (
    "text", "id", *ENTITY_FIELDS, "metadata", "categories", "created_at", "updated_at", "expiration_date", "immutable"
)


def is_fixtures(document: Any) -> bool:
    return isinstance(document, dict) and "keys" in document and "tenants" not in document


def fixtures_to_snapshot(document: Any, runtime: Runtime) -> dict[str, Any]:
    """The snapshot a fixtures document describes (with no runtime: loading it leaves
    the clock and ids as they are). `InvalidInput` names every bad item."""
    errors: dict[str, list[str]] = {}

    def fail(path: str, message: str) -> None:
        if len(errors) < MAX_ERRORS:
            errors.setdefault(path, []).append(message)

    if not isinstance(document, dict) or set(document) != {"keys"}:
        raise InvalidInput({"non_field_errors": ['Expected {"keys": {"<api key>": {"memories": [...]}}}.']})
    keys = document["keys"]
    if not isinstance(keys, dict):
        raise InvalidInput({"keys": ["Must be an object: API key -> {memories: [...]}."]})
    now = runtime.clock.now()
    tenants = []
    for key, entry in keys.items():
        if not isinstance(key, str) or not key.strip() or any(c.isspace() for c in key):
            fail("keys", "Every key must be a non-empty string without spaces.")
            continue
        path = f"keys[{fingerprint(key)}]"
        if not isinstance(entry, dict) or set(entry) - {"memories"}:
            fail(path, 'Must be an object with "memories" (a list).')
            continue
        memories = entry.get("memories", [])
        if not isinstance(memories, list):
            fail(f"{path}.memories", "Must be a list.")
            continue
        tenant = Tenant(key, runtime)
        records, history, ids = [], [], set()
        for i, item in enumerate(memories):
            made = _memory(item, f"{path}.memories[{i}]", now, runtime, fail)
            if made is None:
                continue
            record, entry_json = made
            if record["id"] in ids:
                fail(f"{path}.memories[{i}].id", "Another memory of this key has this id.")
            ids.add(record["id"])
            records.append(record)
            history.append(entry_json)
        settings = Project(
            name="default-project", created_at=now, updated_at=now, is_default=True,
            members=[Member(tenant.email, "OWNER")],
        )
        tenants.append({
            "key_sha256": tenant.key_sha256,
            "projects": [{
                "org_id": tenant.default_org,
                "project_id": tenant.default_project,
                "settings": encode(settings),
                "memories": records,
                "history": history,
            }],
        })
    if errors:
        raise InvalidInput(errors)
    return {"format": FORMAT, "version": VERSION, "tenants": tenants}


def _memory(item: Any, path: str, now: datetime, runtime: Runtime, fail) -> tuple[dict, dict] | None:
    """One fixture memory as (its snapshot record, its ADD history entry); None if bad."""
    if not isinstance(item, dict):
        fail(path, "Must be an object with at least text and one of user_id, agent_id, app_id, run_id.")
        return None
    bad = False

    def problem(name: str, message: str) -> None:
        nonlocal bad
        bad = True
        fail(f"{path}.{name}" if name else path, message)

    for name in item:
        if name not in MEMORY_FIELDS:
            problem(name, f"Unknown field; expected one of {', '.join(MEMORY_FIELDS)}.")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        problem("text", "This field is required: the memory's text.")
    entity = {name: item.get(name) for name in ENTITY_FIELDS}
    for name, value in entity.items():
        if value is not None and (not isinstance(value, str) or not value):
            problem(name, "Must be a non-empty string.")
    if not any(entity.values()):
        problem("", "Needs at least one of user_id, agent_id, app_id, run_id.")
    memory_id = item.get("id")
    if memory_id is not None and (not isinstance(memory_id, str) or not memory_id):
        problem("id", "Must be a non-empty string.")
    metadata = item.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        problem("metadata", "Must be an object or null.")
    categories = item.get("categories")
    if categories is not None and (
        not isinstance(categories, list) or not all(isinstance(c, str) and c for c in categories)
    ):
        problem("categories", "Must be a list of category names.")
    immutable = item.get("immutable", False)
    if not isinstance(immutable, bool):
        problem("immutable", "Must be a valid boolean.")
    created = _instant(item.get("created_at"), now, lambda m: problem("created_at", m))
    updated = _instant(item.get("updated_at"), created, lambda m: problem("updated_at", m))
    expiration = _day(item.get("expiration_date"), lambda m: problem("expiration_date", m))
    if bad or created is None or updated is None:
        return None
    memory_id = memory_id or runtime.ids.new()
    record = memory_record(
        memory_id, text, entity, metadata, categorize(text) if categories is None else shared(categories),
        immutable, expiration, created, updated,
    )
    entry = HistoryEntry(
        id=runtime.ids.new(), memory_id=memory_id, input=pack_messages([{"role": "user", "content": text}]),
        old_memory=None, new_memory=text, user_id=entity["user_id"], event="ADD", metadata=metadata,
        created_at=created,
    )
    return record, encode_entry(entry)


def _instant(value: Any, default: datetime | None, problem) -> datetime | None:
    """A date-time from text, a YAML date-time or a date (midnight UTC)."""
    if value is None:
        return default
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(), timezone.utc)
    try:
        return parse_instant(value)
    except ValueError:
        problem("Must be a date-time such as 2025-01-02T03:04:05Z.")
        return None


def _day(value: Any, problem) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problem("Must be a date such as 2025-12-31, or null.")
    return None
