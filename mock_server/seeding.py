"""Loading the faker demo set into a mock, so a newcomer sees a populated service."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from .demo import DemoMemory, generate_demo
from .store import AddOptions, Namespace

if TYPE_CHECKING:
    from .app import MockServer


def load_memories(namespace: Namespace, memories: Iterable[DemoMemory]) -> int:
    """Store demo memories verbatim (no inference) with their own dates and flags.

    Afterwards the loaded objects are moved out of the garbage collector's sight
    (`gc.freeze`): they live as long as the store, and full collections over hundreds of
    thousands of them were most of the p95 latency at 100k memories.
    """
    count = 0
    for item in memories:
        options = AddOptions(
            metadata=item.metadata,
            infer=False,
            immutable=item.immutable,
            created_at=item.created_at,
            expiration_date=date.fromisoformat(item.expiration_date) if item.expiration_date else None,
        )
        entity = {"user_id": item.user_id, "agent_id": item.agent_id, "app_id": item.app_id, "run_id": item.run_id}
        namespace.add([{"role": "user", "content": item.text}], entity, options)
        count += 1
    gc.freeze()
    return count


def load_demo(server: MockServer, seed: int = 42) -> None:
    """Every tenant's default project starts with the same seeded demo set."""
    demo = generate_demo(seed=seed)
    server.store.on_new_tenant = lambda tenant: load_memories(tenant.namespace(None, None), demo)
