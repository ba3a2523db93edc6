"""The engine's facade: the Mem0 service as plain calls, one method per thing a user does.

API surfaces translate a request into one of these calls and its answer into their wire
shape; nothing here knows which URL, API version or HTTP status is involved. Where API
versions behave differently (v1 inference reconciles, v3 inference only adds), the caller
says so through the typed options, never through a check of where the call came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .errors import EntityRequired
from .filters import Predicate, compile_filter, names_entity
from .models import Entity, Export, Feedback, HistoryEntry, Memory
from .namespace import AddOptions, AddResult, Hit, Namespace, Runtime, SearchOptions
from .state import Store, Tenant

__all__ = ["AddOptions", "AddResult", "Hit", "Identity", "MemoryService", "Scope", "SearchOptions"]


@dataclass(frozen=True)
class Scope:
    """Whose data a call is about: an API key, and optionally an org and project of it."""

    api_key: str
    org_id: str | None = None
    project_id: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who a key is: its default org and project, and its user's e-mail (the ping answer)."""

    org_id: str
    project_id: str
    user_email: str


def _with_metadata(predicate: Predicate, metadata: Mapping[str, Any] | None) -> Predicate:
    """v1's metadata filter: every given key present with exactly that value."""
    if not metadata:
        return predicate
    wanted = list(metadata.items())

    def matches(memory: Memory) -> bool:
        stored = memory.metadata or {}
        return predicate(memory) and all(key in stored and stored[key] == value for key, value in wanted)

    return matches


def _selection(filters: dict[str, Any], metadata: Mapping[str, Any] | None) -> Predicate:
    """The filter's predicate, after the entity-id rule (search and listing need an id)."""
    predicate = compile_filter(filters)
    if not names_entity(filters):
        raise EntityRequired()
    return _with_metadata(predicate, metadata)


class MemoryService:
    """Every tenant's memories, and the operations on them."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        self.runtime = runtime or Runtime()
        self.store = Store(self.runtime)
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mem0-mock-async")

    # --- tenants ------------------------------------------------------------------------

    def tenant(self, scope: Scope) -> Tenant:
        return self.store.tenant(scope.api_key)

    def namespace(self, scope: Scope) -> Namespace:
        return self.store.tenant(scope.api_key).namespace(scope.org_id, scope.project_id)

    def identity(self, scope: Scope) -> Identity:
        tenant = self.tenant(scope)
        namespace = tenant.namespace(scope.org_id, scope.project_id)
        return Identity(namespace.org_id, namespace.project_id, tenant.email)

    def on_new_tenant(self, hook: Callable[[Tenant], object] | None) -> None:
        """Run `hook` on every tenant when it first appears (the demo data does this)."""
        self.store.on_new_tenant = hook

    def reset(self, api_key: str | None = None) -> None:
        """Forget every tenant, or one key's."""
        self.store.reset(api_key)

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    # --- writing ------------------------------------------------------------------------

    def add(
        self, scope: Scope, messages: list[dict[str, Any]], entity: Mapping[str, str | None], options: AddOptions
    ) -> list[AddResult]:
        return self.namespace(scope).add(messages, entity, options)

    def add_queued(
        self, scope: Scope, messages: list[dict[str, Any]], entity: Mapping[str, str | None], options: AddOptions
    ) -> str:
        """Accept an add for background processing; answers its event id.

        A request the add would refuse outright (no entity id) is refused now, not later.
        With seeded ids the add is done before the answer: in the background its ids would
        be drawn in whatever order the threads happen to run, and runs would not repeat.
        """
        namespace = self.namespace(scope)
        if not any(entity.values()):
            namespace.add(messages, entity, options)  # raises the add's refusal
        event_id = self.runtime.ids.new()
        if self.runtime.ids.seed is not None:
            namespace.add(messages, entity, options)
        else:
            self._background.submit(namespace.add, messages, entity, options)
        return event_id

    def update(self, scope: Scope, memory_id: str, text: str | None, metadata: dict[str, Any] | None) -> Memory:
        return self.namespace(scope).update(memory_id, text, metadata)

    def delete(self, scope: Scope, memory_id: str) -> None:
        self.namespace(scope).delete(memory_id)

    def delete_where(self, scope: Scope, entity: Mapping[str, str], metadata: dict[str, Any] | None) -> int:
        """Delete exactly the memories naming every given entity id (and metadata subset)."""
        return self.namespace(scope).delete_where(entity, metadata)

    def batch_update(self, scope: Scope, changes: list[dict[str, Any]]) -> int:
        return self.namespace(scope).batch_update(changes)

    def batch_delete(self, scope: Scope, memory_ids: list[str]) -> int:
        return self.namespace(scope).batch_delete(list(dict.fromkeys(memory_ids)))

    def feedback(self, scope: Scope, memory_id: str, feedback: str | None, reason: str | None) -> Feedback:
        return self.namespace(scope).add_feedback(memory_id, feedback, reason)

    # --- reading ------------------------------------------------------------------------

    def get(self, scope: Scope, memory_id: str) -> Memory:
        return self.namespace(scope).get(memory_id)

    def history(self, scope: Scope, memory_id: str) -> list[HistoryEntry]:
        return self.namespace(scope).history_of(memory_id)

    def get_all(
        self,
        scope: Scope,
        filters: dict[str, Any],
        metadata: Mapping[str, Any] | None = None,
        include_expired: bool = False,
    ) -> list[Memory]:
        """Memories matching a v2 filter tree, newest first (expired ones only if asked)."""
        predicate = _selection(filters, metadata)
        return self.namespace(scope).select(filters, predicate, include_expired)

    def search(
        self,
        scope: Scope,
        query: str,
        filters: dict[str, Any],
        options: SearchOptions,
        metadata: Mapping[str, Any] | None = None,
    ) -> list[Hit]:
        """Memories matching the filter, best score first, within the options' bounds."""
        predicate = _selection(filters, metadata)
        return self.namespace(scope).search(query, filters, predicate, options)

    # --- entities -----------------------------------------------------------------------

    def entities(self, scope: Scope) -> list[Entity]:
        return self.namespace(scope).entities()

    def delete_entity(self, scope: Scope, kind: str, name: str) -> int:
        return self.namespace(scope).delete_entity(kind, name)

    # --- exports ------------------------------------------------------------------------

    def export(self, scope: Scope, schema: dict[str, Any], filters: dict[str, Any]) -> Export:
        """Build an export of the memories the filter selects (no entity id required)."""
        namespace = self.namespace(scope)
        memories = namespace.select(filters, compile_filter(filters))
        return namespace.create_export(schema, filters, memories)

    def get_export(self, scope: Scope, export_id: str | None, filters: dict[str, Any]) -> Export:
        """An export by id, else the latest one made with the same filter."""
        return self.namespace(scope).find_export(export_id, filters)
