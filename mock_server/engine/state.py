"""All tenants: per API key, then per org/project (moto's per-account, per-region state)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from .changes import Prefix
from .errors import NotFound
from .namespace import Namespace, Runtime
from .projects import Member, Project

PROJECT_NOT_FOUND = "Organization or project not found"


def key_hash(secret: str) -> str:
    """A key's SHA-256 in hex: how saved state (snapshots, `--data`) names a tenant, so
    neither ever holds a key."""
    return hashlib.sha256(secret.encode()).hexdigest()


@lru_cache(maxsize=4096)  # a run has few keys, and every request names one
def fingerprint(secret: str) -> str:
    """A short, stable stand-in for a key (or token) wherever the secret must not appear:
    the first 8 hex digits of its SHA-256."""
    return key_hash(secret)[:8]


def stable_id(prefix: str, api_key: str) -> str:
    """An id derived from the key, so a key's default org and project never change."""
    return f"{prefix}_{key_hash(api_key)[:20]}"


@dataclass
class Tenant:
    """One API key's world: a default project plus any org/project it names.

    Everything about it derives from the key's SHA-256, so a tenant restored from saved
    state (which holds no keys) is complete before its key is seen again; `api_key` is
    None until then.
    """

    api_key: str | None
    runtime: Runtime = field(default_factory=Runtime)
    namespaces: dict[tuple[str, str], Namespace] = field(default_factory=dict)
    key_sha256: str = ""
    default_org: str = field(init=False)
    default_project: str = field(init=False)
    email: str = field(init=False)

    def __post_init__(self) -> None:
        if not self.key_sha256:
            if self.api_key is None:
                raise ValueError("a tenant needs its key or the key's SHA-256")
            self.key_sha256 = key_hash(self.api_key)
        stem = self.key_sha256[:20]
        self.default_org = f"org_{stem}"
        self.default_project = f"proj_{stem}"
        self.email = f"user_{stem}@mock.mem0.local"

    @property
    def fingerprint(self) -> str:
        """How the journal and the harness name this tenant's key."""
        return self.key_sha256[:8]

    def new_namespace(self, org_id: str, project_id: str) -> Namespace:
        """An empty namespace of this tenant (not yet one of its projects)."""
        return Namespace(org_id, project_id, self.email, self.runtime, key_sha256=self.key_sha256)

    def namespace(self, org_id: str | None, project_id: str | None) -> Namespace:
        """The namespace of an org/project (the default one when not named), made on first use:
        the v1 API lets a request name any org and project of its key."""
        key = (org_id or self.default_org, project_id or self.default_project)
        space = self.namespaces.get(key)
        if space is None:
            space = self.new_namespace(*key)
            now = space.now()
            is_default = key == (self.default_org, self.default_project)
            space.project = Project(
                name="default-project" if is_default else key[1],
                created_at=now,
                updated_at=now,
                is_default=is_default,
                members=[Member(self.email, "OWNER")],
            )
            made = self.namespaces.setdefault(key, space)
            if made is space:
                space.changed("project")
            space = made
        return space

    def existing(self, org_id: str, project_id: str) -> Namespace:
        """A project that exists (the default one always does); 404 otherwise."""
        if (org_id, project_id) == (self.default_org, self.default_project):
            return self.namespace(None, None)
        space = self.namespaces.get((org_id, project_id))
        if space is None:
            raise NotFound(PROJECT_NOT_FOUND)
        return space

    def by_project_id(self, project_id: str) -> Namespace:
        """A project named by its id alone (webhook paths name no org)."""
        if project_id == self.default_project:
            return self.namespace(None, None)
        for (_, project), space in list(self.namespaces.items()):
            if project == project_id:
                return space
        raise NotFound("Project not found.")

    def projects(self, org_id: str) -> list[Namespace]:
        """Every project of an org, the default one first."""
        if org_id == self.default_org:
            self.namespace(None, None)
        spaces = [space for (org, _), space in self.namespaces.items() if org == org_id]
        if not spaces:
            raise NotFound(PROJECT_NOT_FOUND)
        return sorted(spaces, key=lambda s: (not s.project.is_default, s.project.created_at, s.project_id))

    def create_project(self, org_id: str, name: str, description: str | None, project_id: str) -> Namespace:
        if org_id != self.default_org and not any(org == org_id for org, _ in self.namespaces):
            raise NotFound(PROJECT_NOT_FOUND)
        space = self.namespace(org_id, project_id)
        space.project.name = name
        space.project.description = description or ""
        space.changed("project")
        return space

    def delete_project(self, org_id: str, project_id: str) -> None:
        """Forget a project and everything in it (the default one comes back empty)."""
        self.existing(org_id, project_id)
        if self.namespaces.pop((org_id, project_id), None) is not None:
            self.runtime.changes.drop(Prefix(self.key_sha256, org_id, project_id))


class Store:
    """All tenants. Creation is locked; each namespace then locks itself.

    Tenants are kept by the SHA-256 of their key, in the order they came; the ones whose
    key has been seen are also kept by the key itself, so a request finds its tenant with
    one dict lookup. A tenant restored from saved state is found by its hash the first
    time its key is used.
    """

    def __init__(self, runtime: Runtime | None = None) -> None:
        self.runtime = runtime or Runtime()
        self._lock = threading.Lock()
        self._by_key: dict[str, Tenant] = {}
        self._by_hash: dict[str, Tenant] = {}
        self.on_new_tenant: Callable[[Tenant], object] | None = None  # e.g. load the demo set
        self.known_keys: frozenset[str] = frozenset()  # keys the mock was given: restored tenants know theirs

    def tenant(self, api_key: str) -> Tenant:
        tenant = self._by_key.get(api_key)
        if tenant is None:
            with self._lock:
                tenant = self._by_key.get(api_key)
                if tenant is None:
                    tenant = self._by_hash.get(key_hash(api_key))
                    if tenant is None:
                        tenant = Tenant(api_key, self.runtime)
                        if self.on_new_tenant is not None:
                            self.on_new_tenant(tenant)
                        self._by_hash[tenant.key_sha256] = tenant
                        self.runtime.changes.rewrite(Prefix(tenant.key_sha256))
                    tenant.api_key = api_key
                    self._by_key[api_key] = tenant
        return tenant

    def by_hash(self, key_sha256: str) -> Tenant | None:
        return self._by_hash.get(key_sha256)

    def tenants(self) -> list[Tenant]:
        with self._lock:
            return list(self._by_hash.values())

    def reset(self, api_key: str | None = None) -> None:
        with self._lock:
            if api_key is None:
                self._by_key.clear()
                self._by_hash.clear()
                self.runtime.changes.drop(Prefix())
            else:
                self._by_key.pop(api_key, None)
                if self._by_hash.pop(key_hash(api_key), None) is not None:
                    self.runtime.changes.drop(Prefix(key_hash(api_key)))

    def replace(self, tenants: Iterable[Tenant], only: str | None = None) -> None:
        """Put restored tenants in place of every tenant (or, with `only`, of the tenant
        with that key hash). A tenant whose key is known already stays reachable by it."""
        tenants = list(tenants)
        with self._lock:
            known = {key_hash(key): key for key in self.known_keys}
            known.update((t.key_sha256, key) for key, t in self._by_key.items())
            if only is None:
                self._by_key.clear()
                self._by_hash.clear()
            else:
                old = self._by_hash.pop(only, None)
                if old is not None and old.api_key is not None:
                    self._by_key.pop(old.api_key, None)
            for tenant in tenants:
                self._by_hash[tenant.key_sha256] = tenant
                key = known.get(tenant.key_sha256)
                if key is not None:
                    tenant.api_key = key
                    self._by_key[key] = tenant
            self.runtime.changes.rewrite(Prefix(only))

    def counts(self) -> dict[str, int]:
        with self._lock:
            tenants = list(self._by_hash.values())
        return {
            "tenants": len(tenants),
            "memories": sum(len(ns.memories) for t in tenants for ns in list(t.namespaces.values())),
        }
