"""All tenants: per API key, then per org/project (moto's per-account, per-region state)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .namespace import Namespace, Runtime


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
        key = (org_id or self.default_org, project_id or self.default_project)
        space = self.namespaces.get(key)
        if space is None:
            space = self.namespaces.setdefault(key, Namespace(key[0], key[1], self.email, self.runtime))
        return space


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
