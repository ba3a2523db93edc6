"""All tenants: per API key, then per org/project (moto's per-account, per-region state)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import NotFound
from .namespace import Namespace, Runtime
from .projects import Member, Project

PROJECT_NOT_FOUND = "Organization or project not found"


@lru_cache(maxsize=4096)  # a run has few keys, and every request names one
def fingerprint(secret: str) -> str:
    """A short, stable stand-in for a key (or token) wherever the secret must not appear:
    the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()[:8]


def stable_id(prefix: str, api_key: str) -> str:
    """An id derived from the key, so a key's default org and project never change."""
    return f"{prefix}_{hashlib.sha256(api_key.encode()).hexdigest()[:20]}"


@dataclass
class Tenant:
    """One API key's world: a default project plus any org/project it names."""

    api_key: str
    runtime: Runtime = field(default_factory=Runtime)
    namespaces: dict[tuple[str, str], Namespace] = field(default_factory=dict)
    default_org: str = field(init=False)
    default_project: str = field(init=False)
    email: str = field(init=False)

    def __post_init__(self) -> None:
        self.default_org = stable_id("org", self.api_key)
        self.default_project = stable_id("proj", self.api_key)
        self.email = f"{stable_id('user', self.api_key)}@mock.mem0.local"

    def namespace(self, org_id: str | None, project_id: str | None) -> Namespace:
        """The namespace of an org/project (the default one when not named), made on first use:
        the v1 API lets a request name any org and project of its key."""
        key = (org_id or self.default_org, project_id or self.default_project)
        space = self.namespaces.get(key)
        if space is None:
            space = Namespace(key[0], key[1], self.email, self.runtime)
            now = space.now()
            is_default = key == (self.default_org, self.default_project)
            space.project = Project(
                name="default-project" if is_default else key[1],
                created_at=now,
                updated_at=now,
                is_default=is_default,
                members=[Member(self.email, "OWNER")],
            )
            space = self.namespaces.setdefault(key, space)
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
        return space

    def delete_project(self, org_id: str, project_id: str) -> None:
        """Forget a project and everything in it (the default one comes back empty)."""
        self.existing(org_id, project_id)
        self.namespaces.pop((org_id, project_id), None)


class Store:
    """All tenants. Creation is locked; each namespace then locks itself."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        self.runtime = runtime or Runtime()
        self._lock = threading.Lock()
        self._tenants: dict[str, Tenant] = {}
        self.on_new_tenant: Callable[[Tenant], object] | None = None  # e.g. load the demo set

    def tenant(self, api_key: str) -> Tenant:
        tenant = self._tenants.get(api_key)
        if tenant is None:
            with self._lock:
                tenant = self._tenants.get(api_key)
                if tenant is None:
                    tenant = Tenant(api_key, self.runtime)
                    if self.on_new_tenant is not None:
                        self.on_new_tenant(tenant)
                    self._tenants[api_key] = tenant
        return tenant

    def tenants(self) -> list[Tenant]:
        with self._lock:
            return list(self._tenants.values())

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
