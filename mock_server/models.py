"""Plain records the store keeps; no web framework, no behaviour beyond rendering."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

ENTITY_FIELDS = ("user_id", "agent_id", "app_id", "run_id")
ENTITY_TYPES = {"user": "user_id", "agent": "agent_id", "app": "app_id", "run": "run_id"}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def isoformat(moment: datetime) -> str:
    """The service's timestamp style: UTC with a `Z`, microseconds only when present."""
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


def content_hash(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Memory:
    id: str
    memory: str
    user_id: str | None
    agent_id: str | None
    app_id: str | None
    run_id: str | None
    metadata: dict[str, Any] | None
    categories: list[str]
    keywords: list[str]
    immutable: bool
    expiration_date: date | None
    created_at: datetime
    updated_at: datetime
    hash: str = ""

    def is_expired(self, today: date) -> bool:
        return self.expiration_date is not None and self.expiration_date < today

    def to_json(self, owner: str, organization: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "memory": self.memory,
            "user_id": self.user_id,
            "agent_id": self.agent_id,
            "app_id": self.app_id,
            "run_id": self.run_id,
            "hash": self.hash,
            "metadata": self.metadata,
            "categories": list(self.categories),
            "keywords": list(self.keywords),
            "immutable": self.immutable,
            "expiration_date": self.expiration_date.isoformat() if self.expiration_date else None,
            "created_at": isoformat(self.created_at),
            "updated_at": isoformat(self.updated_at),
            "owner": owner,
            "organization": organization,
        }


@dataclass(slots=True)
class HistoryEntry:
    id: str
    memory_id: str
    input: list[dict[str, Any]]
    old_memory: str | None
    new_memory: str | None
    user_id: str | None
    event: str
    metadata: dict[str, Any] | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        stamp = isoformat(self.created_at)
        return {
            "id": self.id,
            "memory_id": self.memory_id,
            "input": self.input,
            "old_memory": self.old_memory,
            "new_memory": self.new_memory,
            "user_id": self.user_id,
            "event": self.event,
            "metadata": self.metadata,
            "created_at": stamp,
            "updated_at": stamp,
        }


@dataclass(slots=True)
class Export:
    id: str
    selector: dict[str, Any]
    data: Any
    created_at: datetime = field(default_factory=utc_now)
