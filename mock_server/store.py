"""In-memory state: per API key, then per org/project, each behind its own lock.

This is the backend (moto's `models.py`): plain Python values in, plain values or
domain errors out, no HTTP. A `Namespace` keeps entity-id indexes and a search index
beside its memories, so a request that names one user costs what that user's memories
cost, not what the whole store costs.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from operator import itemgetter
from typing import Any

from .categories import DEFAULT_CATEGORIES, categorize
from .errors import AddError, Detail, FieldErrors, NotFound
from .exports import build_export
from .filters import IndexKeys, Predicate, plan_candidates
from .inference import extract_facts, reconcile
from .models import ENTITY_FIELDS, ENTITY_TYPES, Export, HistoryEntry, Memory, content_hash, utc_now
from .search import SearchIndex, rerank
from .text import extract_keywords

RERANK_WINDOW = 100
SCORE_ROUNDING = 5e-7  # scores are reported to 6 decimals; the threshold applies to what is reported
FIELD_TYPES = {name: kind for kind, name in ENTITY_TYPES.items()}


def listing_key(memory: Memory) -> tuple[float, str]:
    """Listing order: newest first, ties by id ascending."""
    return (-memory.created_at.timestamp(), memory.id)


@dataclass(frozen=True)
class AddOptions:
    """Everything an add request may say besides its messages and entity ids."""

    metadata: dict[str, Any] | None = None
    infer: bool = True
    includes: str | None = None
    excludes: str | None = None
    custom_categories: dict[str, str] | None = None
    custom_instructions: str | None = None
    immutable: bool = False
    created_at: datetime | None = None
    expiration_date: date | None = None


@dataclass(frozen=True)
class SearchOptions:
    top_k: int = 10
    threshold: float = 0.3
    rerank: bool = False
    keyword_search: bool = False
    filter_memories: bool = False


@dataclass
class Namespace:
    """One org/project of one API key: memories, their indexes, history, exports."""

    org_id: str
    project_id: str
    owner: str
    lock: threading.RLock = field(default_factory=threading.RLock)
    memories: dict[str, Memory] = field(default_factory=dict)
    by_entity: dict[str, dict[Any, dict[str, None]]] = field(
        default_factory=lambda: {name: {} for name in ENTITY_FIELDS}
    )
    entity_seen: dict[tuple[str, str], datetime] = field(default_factory=dict)
    search_index: SearchIndex = field(default_factory=SearchIndex)
    history: dict[str, list[HistoryEntry]] = field(default_factory=dict)
    exports: dict[str, Export] = field(default_factory=dict)
    feedback: dict[str, dict[str, Any]] = field(default_factory=dict)
    rendered: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --- rendering ----------------------------------------------------------------

    def render(self, memory: Memory) -> dict[str, Any]:
        """The memory as the API shows it; cached (reads far outnumber writes), so callers
        must copy before changing it."""
        rendered = self.rendered.get(memory.id)
        if rendered is None:
            rendered = self.rendered[memory.id] = memory.to_json(self.owner, self.org_id)
        return rendered

    # --- indexing -----------------------------------------------------------------

    def _index(self, memory: Memory) -> None:
        self.memories[memory.id] = memory
        for name in ENTITY_FIELDS:
            value = getattr(memory, name)
            if value is not None:
                self.by_entity[name].setdefault(value, {})[memory.id] = None
                self.entity_seen.setdefault((name, value), memory.created_at)
        self.search_index.add(memory.id, memory.memory, memory.categories)

    def _unindex(self, memory: Memory) -> None:
        del self.memories[memory.id]
        self.rendered.pop(memory.id, None)
        for name in ENTITY_FIELDS:
            value = getattr(memory, name)
            if value is None:
                continue
            ids = self.by_entity[name][value]
            del ids[memory.id]
            if not ids:
                del self.by_entity[name][value]
        self.search_index.remove(memory.id)

    def _keys_cost(self, keys: IndexKeys) -> int:
        return sum(len(self.by_entity[name].get(value, ())) for name, value in keys)

    def _candidate_ids(self, tree: Any) -> Iterable[str]:
        """Ids that include every memory the filter can match (an index read when possible)."""
        keys = plan_candidates(tree, self._keys_cost) if tree is not None else None
        if keys is None:
            return self.memories.keys()
        if len(keys) == 1:
            name, value = next(iter(keys))
            return self.by_entity[name].get(value, {}).keys()
        merged: dict[str, None] = {}
        for name, value in keys:
            merged.update(self.by_entity[name].get(value, {}))
        return merged.keys()

    # --- memories -------------------------------------------------------------------

    def _new_memory(
        self, text: str, entity: Mapping[str, str | None], options: AddOptions, now: datetime
    ) -> Memory:
        created = options.created_at or now
        memory = Memory(
            id=str(uuid.uuid4()),
            memory=text,
            user_id=entity.get("user_id"),
            agent_id=entity.get("agent_id"),
            app_id=entity.get("app_id"),
            run_id=entity.get("run_id"),
            metadata=options.metadata,
            categories=categorize(text, options.custom_categories),
            keywords=extract_keywords(text),
            immutable=options.immutable,
            expiration_date=options.expiration_date,
            created_at=created,
            updated_at=created,
            hash=content_hash(text),
        )
        self._index(memory)
        return memory

    def _record(self, memory: Memory, event: str, old: str | None, new: str | None, messages: list) -> None:
        entry = HistoryEntry(
            id=str(uuid.uuid4()),
            memory_id=memory.id,
            input=messages,
            old_memory=old,
            new_memory=new,
            user_id=memory.user_id,
            event=event,
            metadata=memory.metadata,
            created_at=utc_now(),
        )
        self.history.setdefault(memory.id, []).append(entry)

    def add(
        self, messages: list[dict[str, Any]], entity: Mapping[str, str | None], options: AddOptions
    ) -> list[dict[str, Any]]:
        """Store messages (verbatim or through inference); answer one result per event."""
        if not any(entity.get(name) for name in ENTITY_FIELDS):
            raise AddError("At least one of user_id, agent_id, app_id or run_id is required.")
        with self.lock:
            now = utc_now()
            if not options.infer:
                texts = [m["content"] for m in messages if m.get("role") != "system" and m.get("content")]
                return [self._add_text(text, entity, options, now, messages) for text in texts]
            facts = extract_facts(
                messages,
                includes=options.includes,
                excludes=options.excludes,
                custom_instructions=options.custom_instructions,
            )
            scope = [m for m in self._scope(entity) if not m.immutable]
            results = []
            for decision in reconcile(facts, [(m.id, m.memory) for m in scope]):
                results.append(self._apply(decision, entity, options, now, messages))
            return results

    def _add_text(self, text, entity, options, now, messages) -> dict[str, Any]:
        memory = self._new_memory(text, entity, options, now)
        self._record(memory, "ADD", None, text, messages)
        return {"id": memory.id, "memory": text, "event": "ADD"}

    def _apply(self, decision, entity, options, now, messages) -> dict[str, Any]:
        if decision.event == "ADD":
            return self._add_text(decision.text, entity, options, now, messages)
        memory = self.memories[decision.memory_id]
        if decision.event == "UPDATE":
            self._change(memory, decision.text, options.metadata, messages, now)
        elif decision.event == "DELETE":
            self._delete(memory, messages)
        return {"id": memory.id, "memory": decision.text, "event": decision.event}

    def _scope(self, entity: Mapping[str, str | None]) -> list[Memory]:
        """Memories sharing every entity id the request names."""
        named = {name: value for name, value in entity.items() if value}
        tree = dict(named)
        return [
            m for m in map(self.memories.__getitem__, self._candidate_ids(tree))
            if all(getattr(m, name) == value for name, value in named.items())
        ]

    def _change(
        self, memory: Memory, text: str | None, metadata: dict | None, messages: list, now: datetime
    ) -> None:
        old = memory.memory
        if text is not None and text != memory.memory:
            memory.memory = text
            memory.hash = content_hash(text)
            memory.keywords = extract_keywords(text)
            self.search_index.add(memory.id, text, memory.categories)
        if metadata is not None:
            memory.metadata = metadata
        memory.updated_at = max(now, memory.created_at)
        self.rendered.pop(memory.id, None)
        self._record(memory, "UPDATE", old, memory.memory, messages)

    def _delete(self, memory: Memory, messages: list) -> None:
        self._unindex(memory)
        self._record(memory, "DELETE", memory.memory, None, messages)

    def get(self, memory_id: str) -> Memory:
        memory = self.memories.get(memory_id)
        if memory is None:
            raise NotFound("Memory not found.")
        return memory

    def update(self, memory_id: str, text: str | None, metadata: dict | None) -> Memory:
        with self.lock:
            memory = self.get(memory_id)
            if memory.immutable:
                raise Detail("Immutable memories cannot be updated.")
            self._change(memory, text, metadata, [], utc_now())
            return memory

    def delete(self, memory_id: str) -> None:
        with self.lock:
            self._delete(self.get(memory_id), [])

    def batch_update(self, changes: list[dict[str, Any]]) -> int:
        """All or nothing: every id must exist and be mutable before anything changes."""
        with self.lock:
            problems = []
            for change in changes:
                memory = self.memories.get(change["memory_id"])
                if memory is None:
                    problems.append(f"Memory {change['memory_id']} not found.")
                elif memory.immutable:
                    problems.append(f"Memory {change['memory_id']} is immutable.")
            if problems:
                raise FieldErrors({"memories": problems})
            now = utc_now()
            for change in changes:
                memory = self.memories[change["memory_id"]]
                self._change(memory, change.get("text"), change.get("metadata"), [], now)
            return len(changes)

    def batch_delete(self, memory_ids: list[str]) -> int:
        with self.lock:
            missing = [f"Memory {mid} not found." for mid in memory_ids if mid not in self.memories]
            if missing:
                raise FieldErrors({"memories": missing})
            for memory_id in dict.fromkeys(memory_ids):
                self._delete(self.memories[memory_id], [])
            return len(memory_ids)

    def delete_where(self, entity: Mapping[str, str], metadata: dict[str, Any] | None) -> int:
        """Delete-all: exactly the memories matching every given id and the metadata subset."""
        with self.lock:
            doomed = [
                m for m in self._scope(entity)
                if not metadata or all((m.metadata or {}).get(k) == v for k, v in metadata.items())
            ]
            for memory in doomed:
                self._delete(memory, [])
            return len(doomed)

    def history_of(self, memory_id: str) -> list[dict[str, Any]]:
        with self.lock:
            entries = self.history.get(memory_id)
            if entries is None:
                raise NotFound("Memory not found.")
            return [entry.to_json() for entry in entries]

    # --- queries ----------------------------------------------------------------------

    def select(self, tree: Any, predicate: Predicate, today: date) -> list[Memory]:
        """Visible matches in listing order: newest first, ties by id."""
        with self.lock:
            found = [
                m for m in map(self.memories.__getitem__, self._candidate_ids(tree))
                if not m.is_expired(today) and predicate(m)
            ]
        found.sort(key=listing_key)
        return found

    def search(
        self, query: str, tree: Any, predicate: Predicate, options: SearchOptions, today: date
    ) -> list[tuple[Memory, float]]:
        """Score only what the index and the query's terms reach, then filter and rank.

        The filter is applied while walking the ranking, so a query that reaches many
        memories pays for the few it answers, not for every hit.
        """
        wanted = max(options.top_k, RERANK_WINDOW if options.rerank else 0)
        floor = options.threshold - SCORE_ROUNDING
        with self.lock:
            candidates = self._candidate_ids(tree)
            scores = self.search_index.scores(query, candidates, keyword_search=options.keyword_search)
            ranked = sorted(
                (item for item in scores.items() if item[1] >= floor), key=itemgetter(1), reverse=True
            )
            hits = self._best_visible(ranked, predicate, today, wanted)
            if options.threshold <= 0 and len(hits) < options.top_k:
                hits.extend(self._zero_scored(candidates, scores, predicate, today, options.top_k - len(hits)))
        hits.sort(key=lambda hit: (-hit[1], *listing_key(hit[0])))
        if options.rerank:
            window = hits[:RERANK_WINDOW]
            by_id = {memory.id: memory for memory, _ in window}
            reranked = rerank(query, [(m.id, m.memory, s) for m, s in window])
            hits = [(by_id[memory_id], score) for memory_id, score in reranked]
        rounded = ((m, round(min(1.0, max(0.0, s)), 6)) for m, s in hits)
        hits = [(m, s) for m, s in rounded if s >= options.threshold]
        if options.filter_memories and hits:
            relative_floor = hits[0][1] / 2
            hits = [hit for hit in hits if hit[1] >= relative_floor]
        return hits[: options.top_k]

    def _best_visible(
        self, ranked: list[tuple[str, float]], predicate: Predicate, today: date, wanted: int
    ) -> list[tuple[Memory, float]]:
        """The first `wanted` visible matches of a ranking, plus any tied with the last one."""
        found: list[tuple[Memory, float]] = []
        boundary: float | None = None
        for memory_id, score in ranked:
            if boundary is not None and score < boundary:
                break
            memory = self.memories[memory_id]
            if memory.is_expired(today) or not predicate(memory):
                continue
            found.append((memory, score))
            if boundary is None and len(found) >= wanted:
                boundary = score
        return found

    def _zero_scored(self, candidates, scores, predicate, today, wanted: int) -> list[tuple[Memory, float]]:
        extra = []
        for memory_id in candidates:
            if len(extra) >= wanted:
                break
            memory = self.memories[memory_id]
            if memory_id not in scores and not memory.is_expired(today) and predicate(memory):
                extra.append((memory, 0.0))
        return extra

    # --- entities ---------------------------------------------------------------------

    def entities(self) -> list[dict[str, Any]]:
        """Entities live from their first memory until deleted, even with no memories left."""
        with self.lock:
            rows = [
                (kind, value, len(self.by_entity[name].get(value, ())), seen)
                for (name, value), seen in self.entity_seen.items()
                for kind in (FIELD_TYPES[name],)
            ]
        rows.sort(key=lambda row: (row[3], row[0], row[1]), reverse=True)
        return [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.org_id}/{self.project_id}/{kind}/{value}")),
                "name": value,
                "type": kind,
                "owner": self.owner,
                "organization": self.org_id,
                "metadata": {},
                "total_memories": count,
                "created_at": seen,
                "updated_at": seen,
            }
            for kind, value, count, seen in rows
        ]

    def delete_entity(self, kind: str, name: str) -> int:
        """Delete an entity and every memory that names it."""
        field_name = ENTITY_TYPES[kind]
        with self.lock:
            if (field_name, name) not in self.entity_seen:
                raise NotFound("Entity not found.")
            doomed = list(self.by_entity[field_name].get(name, ()))
            for memory_id in doomed:
                self._delete(self.memories[memory_id], [])
            del self.entity_seen[(field_name, name)]
            return len(doomed)

    # --- exports and feedback ----------------------------------------------------------

    def create_export(self, schema: Any, selector: dict[str, Any], memories: list[Memory]) -> Export:
        data = build_export(schema, [self.render(m) for m in memories])
        export = Export(id=str(uuid.uuid4()), selector=selector, data=data)
        with self.lock:
            self.exports[export.id] = export
        return export

    def find_export(self, export_id: str | None, selector: dict[str, Any]) -> Export:
        with self.lock:
            if export_id:
                found = self.exports.get(export_id)
            else:
                matching = [e for e in self.exports.values() if e.selector == selector]
                found = matching[-1] if matching else None
        if found is None:
            raise NotFound("Memory export not found.")
        return found

    def add_feedback(self, memory_id: str, feedback: str | None, reason: str | None) -> dict[str, Any]:
        with self.lock:
            self.get(memory_id)
            record = {
                "id": str(uuid.uuid4()),
                "memory_id": memory_id,
                "feedback": feedback,
                "feedback_reason": reason,
                "created_at": utc_now(),
            }
            self.feedback[record["id"]] = record
            return record


def _stable_id(prefix: str, api_key: str) -> str:
    return f"{prefix}_{hashlib.sha256(api_key.encode()).hexdigest()[:20]}"


@dataclass
class Tenant:
    """One API key's world: a default project plus any org/project it names."""

    api_key: str
    namespaces: dict[tuple[str, str], Namespace] = field(default_factory=dict)
    default_org: str = field(init=False)
    default_project: str = field(init=False)
    email: str = field(init=False)

    def __post_init__(self) -> None:
        self.default_org = _stable_id("org", self.api_key)
        self.default_project = _stable_id("proj", self.api_key)
        self.email = f"{_stable_id('user', self.api_key)}@mock.mem0.local"

    def namespace(self, org_id: str | None, project_id: str | None) -> Namespace:
        key = (org_id or self.default_org, project_id or self.default_project)
        space = self.namespaces.get(key)
        if space is None:
            space = self.namespaces.setdefault(key, Namespace(key[0], key[1], self.email))
        return space


class Store:
    """All tenants. Creation is locked; each namespace then locks itself."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tenants: dict[str, Tenant] = {}
        self.on_new_tenant: Callable[[Tenant], object] | None = None  # e.g. load the demo set

    def tenant(self, api_key: str) -> Tenant:
        tenant = self._tenants.get(api_key)
        if tenant is None:
            with self._lock:
                tenant = self._tenants.get(api_key)
                if tenant is None:
                    tenant = Tenant(api_key)
                    if self.on_new_tenant is not None:
                        self.on_new_tenant(tenant)
                    self._tenants[api_key] = tenant
        return tenant

    def reset(self, api_key: str | None = None) -> None:
        with self._lock:
            if api_key is None:
                self._tenants.clear()
            else:
                self._tenants.pop(api_key, None)

    def counts(self) -> dict[str, int]:
        with self._lock:
            tenants = list(self._tenants.values())
        return {
            "tenants": len(tenants),
            "memories": sum(len(ns.memories) for t in tenants for ns in t.namespaces.values()),
        }


def catalogue_from(custom_categories: Any) -> dict[str, str] | None:
    """`custom_categories` as name -> description, from either documented form."""
    if not custom_categories:
        return None
    items = custom_categories if isinstance(custom_categories, list) else [custom_categories]
    catalogue: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict):
            catalogue.update({str(k): str(v) for k, v in item.items()})
        elif isinstance(item, str):
            catalogue[item] = DEFAULT_CATEGORIES.get(item, item)
    return catalogue or None


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


__all__ = [
    "AddOptions",
    "Namespace",
    "SearchOptions",
    "Store",
    "Tenant",
    "catalogue_from",
    "today_utc",
]

