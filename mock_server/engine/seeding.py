"""Loading memories verbatim into a namespace: the demo set, fixtures, benchmarks."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from datetime import date

from .demo import DemoMemory, generate_demo
from .namespace import AddOptions, Namespace
from .state import Tenant


def load_memories(namespace: Namespace, memories: Iterable[DemoMemory]) -> int:
    """Store memories verbatim (no inference) with their own dates and flags.

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


def demo_loader(seed: int = 42) -> Callable[[Tenant], int]:
    """A new-tenant hook that gives the tenant's default project the seeded demo set."""
    demo = generate_demo(seed=seed)
    return lambda tenant: load_memories(tenant.namespace(None, None), demo)
