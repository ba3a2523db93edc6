"""How one mock instance behaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..engine.webhooks import DeliveryPolicy

if TYPE_CHECKING:
    from ..engine.embedders import Embedder


@dataclass
class MockConfig:
    """Every field has the default a newcomer wants."""

    api_keys: frozenset[str] | None = None  # None: any non-empty token is its own tenant
    strict: bool = False  # validate every response against the spec
    max_body_bytes: int = 2 * 1024 * 1024
    journal_size: int = 1000
    demo: bool = False
    demo_seed: int = 42
    inline_jobs: bool = False  # run queued work (adds, profile jobs) before answering
    webhook_delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)  # attempts, backoff, timeout
    embedder: Embedder | None = None  # semantic backend search fuses with its lexical score
