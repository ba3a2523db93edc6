"""How one mock instance behaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..engine.webhooks import DeliveryPolicy

if TYPE_CHECKING:
    from ..engine.embedders import Embedder

DEFAULT_SEED = 42  # demo data and fault draws when no seed is given


@dataclass
class MockConfig:
    """Every field has the default a newcomer wants."""

    # None: any non-empty token is its own tenant. Secrets stay out of the repr (and logs).
    api_keys: frozenset[str] | None = field(default=None, repr=False)
    strict: bool = False  # validate every response against the spec
    max_body_bytes: int = 2 * 1024 * 1024
    journal_size: int = 1000
    demo: bool = False
    # Seeds ids (memories, events, exports), the demo data and fault draws; None: random ids.
    seed: int | None = None
    clock: datetime | None = None  # a frozen start instant; None: the wall clock
    faults: tuple[Any, ...] = ()  # fault rules in place at start, and again after a reset
    admin_token: str | None = field(default=None, repr=False)  # the harness answers only requests carrying it
    inline_jobs: bool = False  # run queued work (adds, profile jobs) before answering
    webhook_delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)  # attempts, backoff, timeout
    embedder: Embedder | None = None  # semantic backend search fuses with its lexical score
    # The state to start from (and to reset to): a snapshot or fixtures document (`--load`).
    initial_state: Any = field(default=None, repr=False)
    data_path: str | None = None  # keep the state in this SQLite file (`--data`)
    max_snapshot_bytes: int = 256 * 1024 * 1024  # the largest snapshot POST /_mock/snapshot takes

    @property
    def demo_seed(self) -> int:
        return DEFAULT_SEED if self.seed is None else self.seed
