"""User profiles (beta in the SDKs): a structured picture of an entity, built from its
memories to a schema the project chooses, by jobs that run in the background.

The real service asks an LLM to fill the schema; the mock fills it with the same
deterministic builder as memory exports, so a profile is repeatable for the same memories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .exports import build_export
from .models import Memory

SAMPLE_DEFAULT = 3
SAMPLE_MAX = 10

DEFAULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "location": {"type": "string", "description": "Where the user lives"},
        "occupation": {"type": "string", "description": "The user's job or studies"},
        "interests": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Hobbies, topics and activities the user enjoys",
        },
        "preferences": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Likes, dislikes, diet and how the user wants things done",
        },
    },
}


@dataclass(slots=True)
class ProfileSettings:
    """Project-wide switch, and the schema and instructions per entity type."""

    enabled: bool = True
    schema: dict[str, Any] | None = None  # None: DEFAULT_SCHEMA
    custom_instructions: str | None = None

    def effective_schema(self) -> dict[str, Any]:
        return self.schema if self.schema is not None else DEFAULT_SCHEMA


@dataclass(slots=True)
class Profile:
    entity_type: str
    entity_id: str
    data: dict[str, Any]
    status: str  # succeeded | pending | failed | not_enabled | insufficient_data
    updated_at: datetime | None
    generation_count: int = 0
    error: str | None = None


@dataclass(slots=True)
class ProfileJob:
    id: str
    operation: str  # trigger | sample | regenerate
    entity_type: str
    entity_ids: list[str]
    created_at: datetime
    status: str = "QUEUED"  # QUEUED -> RUNNING -> SUCCEEDED | FAILED
    results: list[dict[str, Any]] = field(default_factory=list)
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    idempotency_key: str | None = None
    replayed: bool = False

    @property
    def completed(self) -> int:
        return self.succeeded + self.failed + self.skipped


def build_profile(schema: dict[str, Any], memories: Sequence[Memory]) -> dict[str, Any]:
    """The schema filled from the entity's memories (an object, whatever the schema says)."""
    data = build_export(schema, [m.as_record() for m in memories])
    return data if isinstance(data, dict) else {}
