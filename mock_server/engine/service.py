"""The engine's facade: the Mem0 service as plain calls, one method per thing a user does.

API surfaces translate a request into one of these calls and its answer into their wire
shape; nothing here knows which URL, API version or HTTP status is involved. Where API
versions behave differently (v1 inference reconciles, v3 inference only adds), the caller
says so through the typed options, never through a check of where the call came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import snapshot
from .errors import EntityRequired, NotFound, Refused, invalid
from .filters import Predicate, compile_filter, decided_by_index, every_candidate, names_entity
from .fixtures import fixtures_to_snapshot, is_fixtures
from .models import ENTITY_TYPES, Entity, Event, Export, Feedback, HistoryEntry, Memory
from .namespace import AddOptions, AddResult, Hit, Namespace, Runtime, SearchOptions, profile_ident
from .profiles import SAMPLE_DEFAULT, Profile, ProfileJob, build_profile
from .projects import Member, Project
from .state import Store, Tenant
from .summary import Summary, summarize
from .webhooks import Delivery, Webhook

__all__ = ["AddOptions", "AddResult", "Hit", "Identity", "MemoryService", "Scope", "SearchOptions", "UNSET"]

UNSET: Any = object()  # "not given", where None means "clear it"
DRAIN_SECONDS = 10.0  # how long a snapshot waits for queued work to finish


@dataclass(frozen=True)
class Scope:
    """Whose data a call is about: an API key, and optionally an org and project of it.
    The harness may name a tenant by its key's SHA-256 instead (`api_key` None): a tenant
    restored from saved state whose key no request has brought yet."""

    api_key: str | None
    org_id: str | None = None
    project_id: str | None = None
    key_sha256: str | None = None

    @classmethod
    def of(cls, tenant: Tenant, org_id: str | None = None, project_id: str | None = None) -> Scope:
        return cls(tenant.api_key, org_id, project_id, key_sha256=tenant.key_sha256)


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


def _selection(
    filters: dict[str, Any], metadata: Mapping[str, Any] | None, latest_only: bool = False, require_entity: bool = True
) -> Predicate:
    """The filter's predicate, after the entity-id rule (the API's search and listing need an
    id; the harness looks at a whole project); `latest_only` hides memories a newer one superseded.
    A filter the entity index decides alone gets `every_candidate`, which callers skip."""
    if not metadata and not latest_only and decided_by_index(filters):
        return every_candidate
    predicate = compile_filter(filters)
    if require_entity and not names_entity(filters):
        raise EntityRequired()
    predicate = _with_metadata(predicate, metadata)
    if not latest_only:
        return predicate
    return lambda memory: memory.replaced_by is None and predicate(memory)


def _finish(event: Event, namespace: Namespace, results: list[AddResult]) -> None:
    now = namespace.now()
    event.results = results
    event.status = "SUCCEEDED"
    event.started_at = event.started_at or event.created_at
    event.completed_at = event.updated_at = now
    namespace.changed("event", event.id)


class MemoryService:
    """Every tenant's memories, and the operations on them."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        self.runtime = runtime or Runtime()
        self.store = Store(self.runtime)

    # --- tenants ------------------------------------------------------------------------

    def tenant(self, scope: Scope) -> Tenant:
        if scope.api_key is not None:
            return self.store.tenant(scope.api_key)
        tenant = self.store.by_hash(scope.key_sha256 or "")
        if tenant is None:
            raise NotFound("No tenant has this key.")
        return tenant

    def namespace(self, scope: Scope) -> Namespace:
        return self.tenant(scope).namespace(scope.org_id, scope.project_id)

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

    # --- saved state --------------------------------------------------------------------

    def snapshot(self, tenants: Iterable[Tenant] | None = None) -> dict[str, Any]:
        """The state (every tenant's, or the ones given) as one document. Queued work is
        finished first, so a snapshot holds no half-done add."""
        self.runtime.jobs.drain(timeout=DRAIN_SECONDS)
        return snapshot.dump(self.store, self.runtime, tenants)

    def as_snapshot(self, document: Any) -> dict[str, Any]:
        """A snapshot document as is, a fixtures document turned into one (new ids drawn:
        if it is refused, the id sequence is left where it was)."""
        if not is_fixtures(document):
            return document
        ids = self.runtime.ids
        seed, drawn = ids.seed, ids.drawn
        try:
            return fixtures_to_snapshot(document, self.runtime)
        except Exception:
            if seed is not None:
                ids.reseed(seed, drawn)
            raise

    def read_state(self, document: Any) -> snapshot.Loaded:
        """A snapshot or fixtures document, checked and built apart from the live state
        (`InvalidInput` names every problem; nothing has changed then)."""
        return snapshot.load(self.as_snapshot(document), self.runtime)

    def restore(self, loaded: snapshot.Loaded, only: str | None = None) -> None:
        """Put loaded state in place of the current one, its runtime too when it has one;
        with `only` (a key's SHA-256), in place of that tenant alone."""
        if only is not None:
            self.store.replace([t for t in loaded.tenants if t.key_sha256 == only], only)
            return
        self.store.replace(loaded.tenants)
        if loaded.runtime is not None:
            snapshot.apply_runtime(self.runtime, loaded.runtime)

    # --- writing ------------------------------------------------------------------------

    def add(
        self, scope: Scope, messages: list[dict[str, Any]], entity: Mapping[str, str | None], options: AddOptions
    ) -> list[AddResult]:
        return self.namespace(scope).add(messages, entity, options)

    def add_recorded(
        self,
        scope: Scope,
        messages: list[dict[str, Any]],
        entity: Mapping[str, str | None],
        options: AddOptions,
        payload: dict[str, Any] | None = None,
    ) -> Event:
        """Add now, and keep the add as a finished event (the v3 API gives every add an id)."""
        namespace = self.namespace(scope)
        results = namespace.add(messages, entity, options)
        event = namespace.new_event("ADD", payload)
        _finish(event, namespace, results)
        return event

    def add_queued(
        self,
        scope: Scope,
        messages: list[dict[str, Any]],
        entity: Mapping[str, str | None],
        options: AddOptions,
        payload: dict[str, Any] | None = None,
    ) -> Event:
        """Accept an add for background processing; answers its event, still PENDING.

        A request the add would refuse outright (no entity id) is refused now, not later.
        With seeded ids or a frozen clock the add is done before the answer: in the
        background its ids would be drawn in whatever order the threads happen to run, and
        runs would not repeat (the answer still says PENDING).
        """
        namespace = self.namespace(scope)
        if not any(entity.values()):
            namespace.add(messages, entity, options)  # raises the add's refusal
        event = namespace.new_event("ADD", payload)

        def run() -> None:
            event.status = "RUNNING"
            event.started_at = event.updated_at = namespace.now()
            try:
                results = namespace.add(messages, entity, options)
            except Exception as exc:  # noqa: BLE001 - a failed job is a FAILED event, not a crash
                event.status, event.error = "FAILED", f"{type(exc).__name__}: {exc}"[:500]
                event.completed_at = event.updated_at = namespace.now()
                namespace.changed("event", event.id)
            else:
                _finish(event, namespace, results)
            self.runtime.changes.commit()  # background work is saved when it finishes

        self.runtime.jobs.submit(run, inline=self.runtime.repeatable())
        return event

    def update(
        self,
        scope: Scope,
        memory_id: str,
        text: str | None,
        metadata: dict[str, Any] | None,
        expiration: Any = UNSET,
    ) -> Memory:
        """Change a memory's text, metadata and/or expiry date (None clears the expiry)."""
        return self.namespace(scope).update(memory_id, text, metadata, False if expiration is UNSET else expiration)

    def delete(self, scope: Scope, memory_id: str, linked: bool = False) -> int:
        """Delete a memory; with `linked` also what it superseded. Answers that cascade's size."""
        return self.namespace(scope).delete(memory_id, linked)

    def delete_where(self, scope: Scope, entity: Mapping[str, str], metadata: dict[str, Any] | None) -> Event:
        """Delete exactly the memories naming every given entity id (`*`: any value of that
        kind) and the metadata subset; answers the (finished) DELETE event."""
        if not entity:
            raise Refused("At least one of user_id, agent_id, app_id or run_id is required to delete memories.")
        namespace = self.namespace(scope)
        deleted = namespace.delete_where(entity, metadata)
        event = namespace.new_event("DELETE", {**entity, **({"metadata": metadata} if metadata else {})})
        _finish(event, namespace, deleted)
        return event

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
        latest_only: bool = False,
        require_entity: bool = True,
    ) -> list[Memory]:
        """Memories matching a v2 filter tree, newest first (expired ones only if asked)."""
        predicate = _selection(filters, metadata, latest_only, require_entity)
        return self.namespace(scope).select(filters, predicate, include_expired)

    def search(
        self,
        scope: Scope,
        query: str,
        filters: dict[str, Any],
        options: SearchOptions,
        metadata: Mapping[str, Any] | None = None,
        require_entity: bool = True,
    ) -> list[Hit]:
        """Memories matching the filter, best score first, within the options' bounds."""
        predicate = _selection(filters, metadata, options.latest_only, require_entity)
        return self.namespace(scope).search(query, filters, predicate, options)

    def summary(self, scope: Scope, filters: dict[str, Any]) -> Summary:
        """A summary of the (visible) memories the filter selects; it must name an entity id."""
        return summarize(self.get_all(scope, filters))

    # --- events -------------------------------------------------------------------------

    def event(self, scope: Scope, event_id: str) -> Event:
        return self.namespace(scope).event(event_id)

    def events(self, scope: Scope) -> list[Event]:
        """The project's events, newest first."""
        return self.namespace(scope).recent_events()

    # --- entities -----------------------------------------------------------------------

    def entities(self, scope: Scope) -> list[Entity]:
        return self.namespace(scope).entities()

    def entity(self, scope: Scope, kind: str, name: str) -> Entity:
        return self.namespace(scope).entity(kind, name)

    def delete_entity(self, scope: Scope, kind: str, name: str) -> Event:
        """Delete an entity and its memories; answers the (finished) DELETE event."""
        namespace = self.namespace(scope)
        deleted = namespace.delete_entity(kind, name)
        event = namespace.new_event("DELETE", {ENTITY_TYPES[kind]: name})
        _finish(event, namespace, deleted)
        return event

    def delete_entity_by_id(self, scope: Scope, kind: str, entity_id: str) -> Event:
        """The deprecated form: the entity named by the numeric id its listing shows."""
        entity = self.namespace(scope).entity_by_serial(kind, entity_id)
        return self.delete_entity(scope, kind, entity.name)

    # --- exports ------------------------------------------------------------------------

    def export(self, scope: Scope, schema: dict[str, Any], filters: dict[str, Any]) -> Export:
        """Build an export of the memories the filter selects (no entity id required)."""
        namespace = self.namespace(scope)
        memories = namespace.select(filters, compile_filter(filters))
        return namespace.create_export(schema, filters, memories)

    def exports(self, scope: Scope) -> list[Export]:
        """The project's exports, newest first (in the order they were made: a frozen clock dates them alike)."""
        namespace = self.namespace(scope)
        with namespace.lock:
            return list(reversed(namespace.exports.values()))

    def get_export(self, scope: Scope, export_id: str | None, filters: dict[str, Any]) -> Export:
        """An export by id, else the latest one made with the same filter."""
        return self.namespace(scope).find_export(export_id, filters)

    # --- projects -----------------------------------------------------------------------

    def projects(self, api_key: str, org_id: str) -> list[Namespace]:
        return self.store.tenant(api_key).projects(org_id)

    def project(self, api_key: str, org_id: str, project_id: str) -> Namespace:
        """An existing project (its settings are `.project`); 404 for one the key lacks."""
        return self.store.tenant(api_key).existing(org_id, project_id)

    def project_by_id(self, api_key: str, project_id: str) -> Namespace:
        return self.store.tenant(api_key).by_project_id(project_id)

    def create_project(self, api_key: str, org_id: str, name: str, description: str | None) -> Namespace:
        project_id = "proj_" + self.runtime.ids.new().replace("-", "")[:20]
        return self.store.tenant(api_key).create_project(org_id, name, description, project_id)

    def update_project(self, api_key: str, org_id: str, project_id: str, changes: dict[str, Any]) -> Project:
        namespace = self.project(api_key, org_id, project_id)
        with namespace.lock:
            namespace.project.update(changes, namespace.now())
            namespace.changed("project")
        return namespace.project

    def delete_project(self, api_key: str, org_id: str, project_id: str) -> None:
        self.store.tenant(api_key).delete_project(org_id, project_id)

    def add_member(self, api_key: str, org_id: str, project_id: str, email: str, role: str) -> Member:
        namespace = self.project(api_key, org_id, project_id)
        with namespace.lock:
            if namespace.project.member(email) is not None:
                raise invalid("email", f"{email} is already a member of this project.")
            member = Member(email, role)
            namespace.project.members.append(member)
            namespace.changed("project")
            return member

    def update_member(self, api_key: str, org_id: str, project_id: str, email: str, role: str) -> Member:
        namespace = self.project(api_key, org_id, project_id)
        with namespace.lock:
            member = namespace.project.member(email)
            if member is None:
                raise NotFound("Member not found in this project.")
            member.role = role
            namespace.changed("project")
            return member

    def remove_member(self, api_key: str, org_id: str, project_id: str, email: str) -> None:
        namespace = self.project(api_key, org_id, project_id)
        with namespace.lock:
            member = namespace.project.member(email)
            if member is None:
                raise NotFound("Member not found in this project.")
            namespace.project.members.remove(member)
            namespace.changed("project")

    # --- webhooks -----------------------------------------------------------------------

    def webhooks(self, scope: Scope) -> list[Webhook]:
        namespace = self.namespace(scope)
        with namespace.lock:
            return sorted(namespace.webhooks.values(), key=lambda w: (w.created_at, w.webhook_id))

    def create_webhook(
        self, scope: Scope, name: str, url: str, event_types: list[str], is_active: bool = True
    ) -> Webhook:
        namespace = self.namespace(scope)
        now = namespace.now()
        webhook = Webhook(
            webhook_id="wh_" + self.runtime.ids.new().replace("-", "")[:16],
            name=name,
            url=url,
            event_types=list(dict.fromkeys(event_types)),
            is_active=is_active,
            project=namespace.project.name,
            owner=namespace.owner.split("@", 1)[0],
            created_at=now,
            updated_at=now,
        )
        with namespace.lock:
            namespace.webhooks[webhook.webhook_id] = webhook
            namespace.changed("webhook", webhook.webhook_id)
        return webhook

    def _webhook_home(self, api_key: str, webhook_id: str) -> Namespace:
        """Webhook ids are unique per key, so they are found across its projects."""
        for namespace in list(self.store.tenant(api_key).namespaces.values()):
            if webhook_id in namespace.webhooks:
                return namespace
        raise NotFound("Webhook not found")

    def update_webhook(self, api_key: str, webhook_id: str, changes: dict[str, Any]) -> Webhook:
        namespace = self._webhook_home(api_key, webhook_id)
        with namespace.lock:
            webhook = namespace.webhooks[webhook_id]
            for name in ("name", "url", "event_types", "is_active"):
                if name in changes:
                    value = changes[name]
                    setattr(webhook, name, list(dict.fromkeys(value)) if name == "event_types" else value)
            webhook.updated_at = namespace.now()
            namespace.changed("webhook", webhook_id)
            return webhook

    def delete_webhook(self, api_key: str, webhook_id: str) -> None:
        namespace = self._webhook_home(api_key, webhook_id)
        with namespace.lock:
            del namespace.webhooks[webhook_id]
            namespace.changed("webhook", webhook_id)

    def deliveries(self, scope: Scope, webhook_id: str | None = None) -> list[Delivery]:
        """The project's recent webhook deliveries with their attempts, oldest first."""
        namespace = self.namespace(scope)
        found = [d for d in list(namespace.deliveries) if webhook_id is None or d.webhook_id == webhook_id]
        return [self.runtime.webhooks.snapshot(d) for d in found]

    # --- profiles -----------------------------------------------------------------------

    def profile_settings(self, scope: Scope) -> Namespace:
        """The project whose `.profile_settings` say how profiles are built."""
        return self.namespace(scope)

    def update_profile_settings(
        self, scope: Scope, enabled: Any = UNSET, schema: Any = UNSET, custom_instructions: Any = UNSET
    ) -> Namespace:
        """Change what is given; None clears a schema or instructions (back to the default)."""
        namespace = self.namespace(scope)
        with namespace.lock:
            settings = namespace.profile_settings
            if enabled is not UNSET:
                settings.enabled = bool(enabled)
            if schema is not UNSET:
                settings.schema = schema
            if custom_instructions is not UNSET:
                settings.custom_instructions = custom_instructions
            namespace.changed("project")  # profile settings are saved with the project
        return namespace

    def profile(self, scope: Scope, entity_type: str, entity_id: str) -> Profile:
        """An entity's profile; 404 only when the entity does not exist."""
        namespace = self.namespace(scope)
        namespace.entity(entity_type, entity_id)  # raises NotFound
        with namespace.lock:
            found = namespace.profiles.get((entity_type, entity_id))
            enabled = namespace.profile_settings.enabled
        if not enabled:
            return Profile(entity_type, entity_id, {}, "not_enabled", found.updated_at if found else None,
                           found.generation_count if found else 0)
        return found or Profile(entity_type, entity_id, {}, "pending", None, 0)

    def start_profile_job(
        self,
        scope: Scope,
        operation: str,
        entity_type: str,
        entity_id: str | None,
        limit: int | None,
        idempotency_key: str | None,
    ) -> ProfileJob:
        """Queue a profile job: build one entity's profile, a sample of them, or all of them.

        The same idempotency key answers the same job again (`replayed`) and starts nothing.
        """
        namespace = self.namespace(scope)
        with namespace.lock:
            if idempotency_key:
                for job in namespace.profile_jobs.values():
                    if job.idempotency_key == idempotency_key:
                        job.replayed = True
                        namespace.changed("profile_job", job.id)
                        return job
            if not namespace.profile_settings.enabled:
                raise Refused("Profiles are not enabled for this project.")
            names = [e.name for e in namespace.entities() if e.type == entity_type]
            if operation == "trigger":
                if entity_id not in names:
                    raise NotFound("Entity not found.")
                targets = [entity_id]
            else:
                by_size = sorted(
                    (e for e in namespace.entities() if e.type == entity_type),
                    key=lambda e: (-e.total_memories, e.name),
                )
                count = len(by_size) if operation == "regenerate" else (limit or SAMPLE_DEFAULT)
                targets = [e.name for e in by_size[:count]]
            job = ProfileJob(self.runtime.ids.new(), operation, entity_type, targets, namespace.now(),
                             idempotency_key=idempotency_key)
            namespace.profile_jobs[job.id] = job
            namespace.changed("profile_job", job.id)
        self.runtime.jobs.submit(lambda: self._run_profile_job(namespace, job), inline=self.runtime.repeatable())
        return job

    def _run_profile_job(self, namespace: Namespace, job: ProfileJob) -> None:
        job.status = "RUNNING"
        field_name = ENTITY_TYPES[job.entity_type]
        for name in job.entity_ids:
            with namespace.lock:
                memories = namespace.select({field_name: name}, compile_filter({field_name: name}))
                previous = namespace.profiles.get((job.entity_type, name))
                count = (previous.generation_count if previous else 0) + 1
                if not memories:
                    profile = Profile(job.entity_type, name, {}, "insufficient_data", namespace.now(), count)
                    job.skipped += 1
                else:
                    data = build_profile(namespace.profile_settings.effective_schema(), memories)
                    profile = Profile(job.entity_type, name, data, "succeeded", namespace.now(), count)
                    job.succeeded += 1
                namespace.profiles[(job.entity_type, name)] = profile
                namespace.changed("profile", profile_ident(job.entity_type, name))
                job.results.append(
                    {"entity_type": job.entity_type, "entity_id": name, "profile_id": f"{job.id}:{name}"}
                )
        job.status = "SUCCEEDED"
        namespace.changed("profile_job", job.id)
        self.runtime.changes.commit()  # background work is saved when it finishes

    def profile_job(self, scope: Scope, job_id: str) -> ProfileJob:
        found = self.namespace(scope).profile_jobs.get(job_id)
        if found is None:
            raise NotFound("Profile job not found.")
        return found

