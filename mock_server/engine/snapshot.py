"""The whole state as one JSON document, and back: `/_mock/snapshot`, `--load` and `--data`.

A snapshot holds every tenant (named by the SHA-256 of its key: a snapshot never holds a
key), each of its projects with the project's settings and members, memories (every
field), history, entities (serial numbers and first-seen times), exports, feedback,
events, webhooks and their recent deliveries, profile settings, profiles and profile
jobs, and the runtime a run needs to continue deterministically: the frozen clock and
the position in the seeded id sequence. Derived state (entity and search indexes, which
memory superseded which, rendered answers) is rebuilt on restore.

Records are the engine's dataclasses written field by field (dates as ISO 8601), so a
field added to a model is saved without a change here. Reading checks every field's type
and the references between objects, and collects every problem with its path
(`tenants[0].projects[1].memories[3].created_at`) before anything is built: a bad
document raises `InvalidInput` and changes nothing.

`--data` saves the same records, one row per object (`KINDS` says how each kind is
listed, found and written), and reads them back through `load`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple

from .changes import Key
from .clock import parse_instant
from .errors import InvalidInput
from .models import (
    ENTITY_FIELDS,
    ENTITY_TYPES,
    Event,
    Export,
    Feedback,
    HistoryEntry,
    Memory,
    Messages,
    content_hash,
    isoformat,
    pack_messages,
)
from .namespace import DELIVERIES_KEPT, FIELD_TYPES, Namespace, Runtime, entity_ident, profile_ident
from .profiles import Profile, ProfileJob, ProfileSettings
from .projects import Project
from .state import Store, Tenant
from .text import extract_keywords, shared
from .webhooks import Delivery, Webhook

FORMAT = "mem0-mock-snapshot"
VERSION = 1
MAX_ERRORS = 50  # a document wrong everywhere gets this many messages, not millions
MAX_DRAWN = 10_000_000  # ids of a seeded sequence to skip on restore (about a second)
KEY_SHA256 = re.compile(r"^[0-9a-f]{64}$")
SKIPPED_FIELDS = frozenset({"rendered"})  # caches, not state
INTERRUPTED = "The mock stopped before this work finished."


# --- writing ------------------------------------------------------------------------------


_SCALARS = frozenset({str, int, float, bool, type(None)})


def encode(value: Any) -> Any:
    """A record as JSON-ready data: dataclasses field by field, dates in ISO 8601."""
    kind = type(value)
    if kind in _SCALARS or kind is dict:
        return value  # JSON values the engine keeps as given (metadata, payloads)
    if kind is datetime:
        return isoformat(value)
    if kind is list or kind is tuple:
        return [encode(item) for item in value]
    names = _saved_names(kind)
    if names is not None:
        return {name: encode(getattr(value, name)) for name in names}
    if isinstance(value, date):
        return value.isoformat()
    return value


@cache
def _saved_names(kind: type) -> tuple[str, ...] | None:
    """A model's saved fields in order (None: not a model)."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind) if f.name not in SKIPPED_FIELDS)


def dump(store: Store, runtime: Runtime, tenants: Iterable[Tenant] | None = None) -> dict[str, Any]:
    """The state as one document (every tenant, or the ones given)."""
    chosen = store.tenants() if tenants is None else list(tenants)
    return {
        "format": FORMAT,
        "version": VERSION,
        "runtime": dump_runtime(runtime),
        "tenants": [dump_tenant(tenant) for tenant in chosen],
    }


def dump_runtime(runtime: Runtime) -> dict[str, Any]:
    frozen = runtime.clock.frozen_at
    ids = runtime.ids
    return {
        "clock": isoformat(frozen) if frozen is not None else None,
        "ids": {"seed": ids.seed, "drawn": ids.drawn} if ids.seed is not None else None,
    }


def dump_tenant(tenant: Tenant) -> dict[str, Any]:
    return {"key_sha256": tenant.key_sha256, "projects": [dump_project(ns) for ns in list(tenant.namespaces.values())]}


def dump_project(namespace: Namespace) -> dict[str, Any]:
    """One project, consistent under its lock."""
    with namespace.lock:
        document = project_head(namespace)
        for kind in KINDS.values():
            rows = [kind.encode(namespace, item) for _, item in kind.items(namespace)]
            document[kind.field] = [entry for row in rows for entry in row] if kind.many else rows
        return document


def project_head(namespace: Namespace) -> dict[str, Any]:
    """What a project is besides its lists (its saved row with `--data`)."""
    return {
        "org_id": namespace.org_id,
        "project_id": namespace.project_id,
        "settings": encode(namespace.project),
        "entity_serial": namespace.entity_serial,
        "profile_settings": encode(namespace.profile_settings),
    }


# --- the kinds of objects a project holds ---------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How one kind of object of a project is listed, found by id and written.

    `many`: one saved row holds a list of entries (a memory's history), which a snapshot
    lists flat.
    """

    field: str
    items: Callable[[Namespace], Iterable[tuple[str, Any]]]
    find: Callable[[Namespace, str], Any]
    encode: Callable[[Namespace, Any], Any]
    many: bool = False


def _entity_items(ns: Namespace) -> Iterator[tuple[str, Any]]:
    for (name, value), seen in list(ns.entity_seen.items()):
        yield entity_ident(name, value), ((name, value), seen)


def _find_entity(ns: Namespace, ident: str) -> Any:
    name, _, value = ident.partition(":")
    seen = ns.entity_seen.get((name, value))
    return None if seen is None else ((name, value), seen)


def _encode_entity(_: Namespace, item: Any) -> dict[str, Any]:
    (name, value), (created_at, serial) = item
    return {"type": FIELD_TYPES[name], "name": value, "id": str(serial), "created_at": isoformat(created_at)}


def _find_delivery(ns: Namespace, ident: str) -> Delivery | None:
    return next((d for d in reversed(list(ns.deliveries)) if d.id == ident), None)


def _find_profile(ns: Namespace, ident: str) -> Profile | None:
    entity_type, _, entity_id = ident.partition(":")
    return ns.profiles.get((entity_type, entity_id))


def _by_id(attribute: str) -> tuple[Callable[[Namespace], Iterable[tuple[str, Any]]], Callable[[Namespace, str], Any]]:
    return (lambda ns: list(getattr(ns, attribute).items())), (lambda ns, ident: getattr(ns, attribute).get(ident))


def _plain(_: Namespace, record: Any) -> Any:
    return encode(record)


def _encode_memory(_: Namespace | None, memory: Memory) -> dict[str, Any]:
    return {**encode(memory), "hash": memory.digest()}


def encode_entry(entry: HistoryEntry) -> dict[str, Any]:
    return {**encode(entry), "input": entry.messages()}


def _encode_history(_: Namespace, entries: Sequence[HistoryEntry]) -> list[dict[str, Any]]:
    return [encode_entry(entry) for entry in entries]


KINDS: dict[str, Kind] = {
    "entity": Kind("entities", _entity_items, _find_entity, _encode_entity),
    "memory": Kind("memories", *_by_id("memories"), _encode_memory),
    "history": Kind("history", *_by_id("history"), _encode_history, many=True),
    "export": Kind("exports", *_by_id("exports"), _plain),
    "feedback": Kind("feedback", *_by_id("feedback"), _plain),
    "event": Kind("events", *_by_id("events"), _plain),
    "webhook": Kind("webhooks", *_by_id("webhooks"), _plain),
    "delivery": Kind(
        "deliveries",
        lambda ns: [(d.id, d) for d in list(ns.deliveries)],
        _find_delivery,
        lambda ns, d: encode(ns.runtime.webhooks.snapshot(d)),  # a sender may be updating it
    ),
    "profile": Kind(
        "profiles", lambda ns: [(profile_ident(*key), p) for key, p in list(ns.profiles.items())], _find_profile, _plain
    ),
    "profile_job": Kind("profile_jobs", *_by_id("profile_jobs"), _plain),
}
PROJECT_FIELDS = ("org_id", "project_id", "settings", "entity_serial", "profile_settings")


def keys_of(tenant: Tenant) -> Iterator[tuple[Key, Any]]:
    """Every saved row of a tenant, in stored order: (its key, its JSON)."""
    h = tenant.key_sha256
    yield Key("tenant", h), {"key_sha256": h}
    for ns in list(tenant.namespaces.values()):
        with ns.lock:
            yield Key("project", h, ns.org_id, ns.project_id), project_head(ns)
            for kind_name, kind in KINDS.items():
                for ident, item in kind.items(ns):
                    yield Key(kind_name, h, ns.org_id, ns.project_id, ident), kind.encode(ns, item)


# --- reading ------------------------------------------------------------------------------


class RuntimeState(NamedTuple):
    clock: datetime | None  # None: the wall clock
    seed: int | None  # None: random ids
    drawn: int


class Loaded(NamedTuple):
    """A document read back: its tenants (built, not yet in any store), its runtime
    (None when the document has none: a fixtures file), and how many memories it holds."""

    tenants: list[Tenant]
    runtime: RuntimeState | None
    memories: int


_BAD = object()  # a value that failed its check (the reader has said why)


class _Reader:
    """Checks values against the models' type hints, collecting errors by path."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.setdefault(path or "non_field_errors", []).append(message)

    def object(self, value: Any, path: str, allowed: Iterable[str], required: Iterable[str] = ()) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, "Must be an object.")
            return None
        allowed = tuple(allowed)
        for name in value:
            if name not in allowed:
                self.fail(_join(path, name), f"Unknown field; expected one of {', '.join(allowed)}.")
        for name in required:
            if name not in value:
                self.fail(_join(path, name), "This field is required.")
        return value

    def items(self, value: Any, path: str) -> list:
        if not isinstance(value, list):
            self.fail(path, "Must be a list.")
            return []
        return value

    def record(self, cls: type, value: Any, path: str) -> Any:
        """A model instance from its JSON, or `_BAD`."""
        fields = _fields(cls)
        required = [name for name, (_, has_default) in fields.items() if not has_default]
        before = len(self.errors)
        data = self.object(value, path, fields, required)
        if data is None:
            return _BAD
        values = {}
        for name, raw in data.items():
            if name in fields:
                values[name] = self.value(fields[name][0], raw, _join(path, name))
        if len(self.errors) != before or any(v is _BAD for v in values.values()):
            return _BAD
        return cls(**values)

    def value(self, hint: Any, raw: Any, path: str) -> Any:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is Any:
            return raw
        if origin in (typing.Union, types.UnionType):
            if raw is None and type(None) in args:
                return None
            return self.value(next(a for a in args if a is not type(None)), raw, path)
        if hint == Messages:  # a history entry's input: the messages as sent, kept packed
            converted = self.value(list[dict[str, Any]], raw, path)
            return converted if converted is _BAD else pack_messages(converted)
        if origin is list or origin is tuple:  # tuple: `tuple[str, ...]`, words shared between records
            if not isinstance(raw, list):
                self.fail(path, "Must be a list.")
                return _BAD
            converted = [self.value(args[0], item, f"{path}[{i}]") for i, item in enumerate(raw)]
            if any(v is _BAD for v in converted):
                return _BAD
            return shared(converted) if origin is tuple else converted
        if origin is dict or hint is dict:
            if not isinstance(raw, dict):
                self.fail(path, "Must be an object.")
                return _BAD
            return raw
        if dataclasses.is_dataclass(hint):
            return self.record(hint, raw, path)
        return self.scalar(hint, raw, path)

    def scalar(self, hint: Any, raw: Any, path: str) -> Any:
        if hint is datetime:
            if isinstance(raw, str):
                try:
                    return parse_instant(raw)
                except ValueError:
                    pass
            self.fail(path, "Must be a date-time such as 2025-01-01T00:00:00Z.")
        elif hint is date:
            if isinstance(raw, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                try:
                    return date.fromisoformat(raw)
                except ValueError:
                    pass
            self.fail(path, "Must be a date such as 2025-01-31.")
        elif hint is bool:
            if isinstance(raw, bool):
                return raw
            self.fail(path, "Must be a valid boolean.")
        elif hint is int:
            if isinstance(raw, int) and not isinstance(raw, bool):
                return raw
            self.fail(path, "A valid integer is required.")
        elif hint is float:
            if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
                return float(raw)
            self.fail(path, "A valid number is required.")
        elif hint is str:
            if isinstance(raw, str):
                return raw
            self.fail(path, "Must be a string.")
        else:  # pragma: no cover - a model field of a type this reader does not know
            raise TypeError(f"no reader for {hint!r}")
        return _BAD


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@cache
def _fields(cls: type) -> dict[str, tuple[Any, bool]]:
    """A model's saved fields: name -> (type hint, has a default)."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: (hints[f.name], f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)
        for f in dataclasses.fields(cls)
        if f.name not in SKIPPED_FIELDS
    }


def load(document: Any, runtime: Runtime) -> Loaded:
    """Read a snapshot document into tenants (built apart from any store); `InvalidInput`
    with every problem by path when it is not a valid snapshot. With a semantic backend,
    the memories are embedded (`Unavailable` if it cannot answer)."""
    reader = _Reader()
    data = reader.object(document, "", ("format", "version", "runtime", "tenants"), ("format", "version", "tenants"))
    if data is None:
        raise InvalidInput(reader.errors)
    if "format" in data and data["format"] != FORMAT:
        reader.fail("format", f'Must be "{FORMAT}".')
    if "version" in data and data["version"] != VERSION:
        reader.fail("version", f"Unsupported version; this mock reads version {VERSION}.")
    state = _runtime(reader, data["runtime"]) if data.get("runtime") is not None else None
    plans = []
    seen: set[str] = set()
    for i, raw in enumerate(reader.items(data.get("tenants", []), "tenants")):
        plan = _tenant(reader, raw, f"tenants[{i}]")
        if plan is not None:
            if plan[0] in seen:
                reader.fail(f"tenants[{i}].key_sha256", "Another tenant has this key.")
            seen.add(plan[0])
            plans.append(plan)
    if reader.errors:
        raise InvalidInput(reader.errors)
    tenants = [_build_tenant(runtime, *plan) for plan in plans]
    memories = sum(len(ns.memories) for t in tenants for ns in t.namespaces.values())
    return Loaded(tenants, state, memories)


def _runtime(reader: _Reader, raw: Any, path: str = "runtime") -> RuntimeState | None:
    data = reader.object(raw, path, ("clock", "ids"), ("clock", "ids"))
    if data is None:
        return None
    clock = reader.value(datetime | None, data.get("clock"), f"{path}.clock")
    seed, drawn = None, 0
    ids = data.get("ids")
    if ids is not None and reader.object(ids, f"{path}.ids", ("seed", "drawn"), ("seed", "drawn")) is not None:
        seed = reader.value(int, ids.get("seed"), f"{path}.ids.seed")
        drawn = reader.value(int, ids.get("drawn"), f"{path}.ids.drawn")
        if isinstance(drawn, int) and not 0 <= drawn <= MAX_DRAWN:
            reader.fail(f"{path}.ids.drawn", f"Must be between 0 and {MAX_DRAWN}.")
    if _BAD in (clock, seed, drawn):
        return None
    return RuntimeState(clock, seed, drawn)


def _tenant(reader: _Reader, raw: Any, path: str) -> tuple[str, list[dict[str, Any]]] | None:
    data = reader.object(raw, path, ("key_sha256", "projects"), ("key_sha256", "projects"))
    if data is None:
        return None
    key = data.get("key_sha256")
    if not isinstance(key, str) or not KEY_SHA256.match(key):
        reader.fail(f"{path}.key_sha256", "Must be the key's SHA-256: 64 lowercase hex digits.")
    projects = []
    names: set[tuple[Any, Any]] = set()
    for i, item in enumerate(reader.items(data.get("projects", []), f"{path}.projects")):
        project = _project(reader, item, f"{path}.projects[{i}]")
        if project is not None:
            ident = (project["org_id"], project["project_id"])
            if ident in names:
                reader.fail(f"{path}.projects[{i}].project_id", "Another project of this tenant has this id.")
            names.add(ident)
            projects.append(project)
    return key, projects


def _project(reader: _Reader, raw: Any, path: str) -> dict[str, Any] | None:
    lists = {kind.field: name for name, kind in KINDS.items()}
    data = reader.object(raw, path, (*PROJECT_FIELDS, *lists), ("org_id", "project_id", "settings"))
    if data is None:
        return None
    plan: dict[str, Any] = {}
    for name in ("org_id", "project_id"):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            reader.fail(f"{path}.{name}", "Must be a non-empty string.")
        plan[name] = value
    plan["settings"] = reader.record(Project, data.get("settings"), f"{path}.settings")
    plan["profile_settings"] = (
        reader.record(ProfileSettings, data["profile_settings"], f"{path}.profile_settings")
        if "profile_settings" in data else ProfileSettings()
    )
    serial = data.get("entity_serial", 0)
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
        reader.fail(f"{path}.entity_serial", "Must be a whole number, 0 or more.")
    plan["entity_serial"] = serial
    plan["entities"] = _entities(reader, data.get("entities", []), f"{path}.entities")
    for field_name, model in (
        ("memories", Memory), ("history", HistoryEntry), ("exports", Export), ("feedback", Feedback),
        ("events", Event), ("webhooks", Webhook), ("deliveries", Delivery), ("profiles", Profile),
        ("profile_jobs", ProfileJob),
    ):
        plan[field_name] = [  # a bad record stays as _BAD, so later messages keep its position
            reader.record(model, item, f"{path}.{field_name}[{i}]")
            for i, item in enumerate(reader.items(data.get(field_name, []), f"{path}.{field_name}"))
        ]
    raw_memories = data.get("memories")
    memory_ids = {m.get("id") for m in raw_memories if isinstance(m, dict)} if isinstance(raw_memories, list) else set()
    _check_references(reader, plan, memory_ids, path)
    return plan


def _entities(reader: _Reader, raw: Any, path: str) -> list[tuple[tuple[str, str], tuple[datetime, int]]]:
    found: dict[tuple[str, str], tuple[datetime, int]] = {}
    serials: set[int] = set()
    for i, item in enumerate(reader.items(raw, path)):
        where = f"{path}[{i}]"
        data = reader.object(item, where, ("type", "name", "id", "created_at"), ("type", "name", "id", "created_at"))
        if data is None:
            continue
        kind, name, serial = data.get("type"), data.get("name"), data.get("id")
        created = reader.value(datetime, data.get("created_at"), f"{where}.created_at")
        if kind not in ENTITY_TYPES:
            reader.fail(f"{where}.type", f"Must be one of {', '.join(ENTITY_TYPES)}.")
        if not isinstance(name, str) or not name:
            reader.fail(f"{where}.name", "Must be a non-empty string.")
        if not isinstance(serial, str) or not serial.isdigit() or not serial.isascii():
            reader.fail(f"{where}.id", 'Must be a number in digits, such as "3".')
        elif int(serial) in serials:
            reader.fail(f"{where}.id", "Another entity of this project has this id.")
        if kind in ENTITY_TYPES and isinstance(name, str) and name and isinstance(serial, str) and serial.isdigit():
            if (ENTITY_TYPES[kind], name) in found:
                reader.fail(where, "This entity is listed twice.")
            if created is not _BAD:
                found[(ENTITY_TYPES[kind], name)] = (created, int(serial))
                serials.add(int(serial))
    return list(found.items())


def _check_references(reader: _Reader, plan: dict[str, Any], memory_ids: set[Any], path: str) -> None:
    """Ids unique within their kind; every memory names an entity; `replaced_by` names a
    memory of the project."""
    for field_name, attribute in (
        ("memories", "id"), ("exports", "id"), ("feedback", "id"), ("events", "id"),
        ("webhooks", "webhook_id"), ("deliveries", "id"), ("profile_jobs", "id"),
    ):
        seen: set[str] = set()
        for i, record in enumerate(plan[field_name]):
            if record is _BAD:
                continue
            ident = getattr(record, attribute)
            if not ident:
                reader.fail(f"{path}.{field_name}[{i}].{attribute}", "Must be a non-empty string.")
            elif ident in seen:
                reader.fail(f"{path}.{field_name}[{i}].{attribute}", "Another record of this project has this id.")
            seen.add(ident)
    for i, memory in enumerate(plan["memories"]):
        if memory is _BAD:
            continue
        if not any(getattr(memory, name) for name in ENTITY_FIELDS):
            reader.fail(f"{path}.memories[{i}]", "A memory needs at least one of user_id, agent_id, app_id, run_id.")
        if memory.replaced_by is not None and (memory.replaced_by not in memory_ids or memory.replaced_by == memory.id):
            reader.fail(f"{path}.memories[{i}].replaced_by", "Must be the id of another memory of this project.")
    if len(plan["deliveries"]) > DELIVERIES_KEPT:
        reader.fail(f"{path}.deliveries", f"A project keeps at most {DELIVERIES_KEPT} deliveries.")
    profiles: set[tuple[str, str]] = set()
    for i, profile in enumerate(plan["profiles"]):
        if profile is _BAD:
            continue
        if (profile.entity_type, profile.entity_id) in profiles:
            reader.fail(f"{path}.profiles[{i}]", "Another profile of this project is of this entity.")
        profiles.add((profile.entity_type, profile.entity_id))


def _build_tenant(runtime: Runtime, key_sha256: str, projects: list[dict[str, Any]]) -> Tenant:
    tenant = Tenant(None, runtime, key_sha256=key_sha256)
    for plan in projects:
        ns = tenant.new_namespace(plan["org_id"], plan["project_id"])
        ns.project = plan["settings"]
        ns.profile_settings = plan["profile_settings"]
        ns.entity_seen = dict(plan["entities"])
        ns.entity_serial = max([plan["entity_serial"], *(serial for _, (_, serial) in plan["entities"])])
        for memory in plan["memories"]:
            if memory.hash == content_hash(memory.memory):
                memory.hash = ""  # derived when asked, as for a memory just added
        ns.restore_memories(plan["memories"])
        for entry in plan["history"]:
            ns.history[entry.memory_id] = (*ns.history.get(entry.memory_id, ()), entry)
        ns.exports = {e.id: e for e in plan["exports"]}
        ns.feedback = {f.id: f for f in plan["feedback"]}
        ns.events = {e.id: e for e in plan["events"]}
        ns.webhooks = {w.webhook_id: w for w in plan["webhooks"]}
        ns.deliveries = deque(plan["deliveries"], maxlen=DELIVERIES_KEPT)
        ns.profiles = {(p.entity_type, p.entity_id): p for p in plan["profiles"]}
        ns.profile_jobs = {j.id: j for j in plan["profile_jobs"]}
        tenant.namespaces[(ns.org_id, ns.project_id)] = ns
    return tenant


def apply_runtime(runtime: Runtime, state: RuntimeState) -> None:
    """Set the clock and the id sequence where a document left them."""
    if state.clock is None:
        runtime.clock.unfreeze()
    else:
        runtime.clock.freeze(state.clock)
    runtime.ids.reseed(state.seed, state.drawn)


def settle_interrupted(tenants: Iterable[Tenant], now: datetime) -> int:
    """Mark background work a stopped process left unfinished as failed (events, profile
    jobs, webhook deliveries), so nobody waits for it; answers how many."""
    count = 0
    for tenant in tenants:
        for ns in tenant.namespaces.values():
            for event in ns.events.values():
                if event.status in ("PENDING", "RUNNING"):
                    event.status, event.error = "FAILED", INTERRUPTED
                    event.completed_at = event.updated_at = now
                    ns.changed("event", event.id)
                    count += 1
            for job in ns.profile_jobs.values():
                if job.status in ("QUEUED", "RUNNING"):
                    job.status = "FAILED"
                    ns.changed("profile_job", job.id)
                    count += 1
            for delivery in ns.deliveries:
                if delivery.status == "pending":
                    delivery.status = "failed"
                    ns.changed("delivery", delivery.id)
                    count += 1
    return count


def memory_record(
    memory_id: str, text: str, entity: dict[str, str | None], metadata: dict[str, Any] | None,
    categories: tuple[str, ...], immutable: bool, expiration: date | None, created: datetime, updated: datetime,
) -> dict[str, Any]:
    """A new memory as a snapshot holds it (fixtures are turned into snapshots so)."""
    memory = Memory(
        id=memory_id, memory=text, user_id=entity.get("user_id"), agent_id=entity.get("agent_id"),
        app_id=entity.get("app_id"), run_id=entity.get("run_id"), metadata=metadata, categories=categories,
        keywords=extract_keywords(text), immutable=immutable, expiration_date=expiration,
        created_at=created, updated_at=updated,
    )
    return _encode_memory(None, memory)
