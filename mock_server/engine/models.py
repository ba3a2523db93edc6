"""The records the engine keeps: plain data, no web framework, no wire shapes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

ENTITY_FIELDS = ("user_id", "agent_id", "app_id", "run_id")
ENTITY_TYPES = {"user": "user_id", "agent": "agent_id", "app": "app_id", "run": "run_id"}


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
    categories: tuple[str, ...]  # shared between memories (`text.shared`): never mutated
    keywords: tuple[str, ...]
    immutable: bool
    expiration_date: date | None
    created_at: datetime
    updated_at: datetime
    hash: str = ""  # empty: the text's own MD5 (`digest()`), worked out when asked rather than kept
    replaced_by: str | None = None  # the newer memory that superseded this one (additive inference)
    # Filled by the API surfaces with the memory's wire form (reads far outnumber writes);
    # the engine empties it whenever the memory changes.
    rendered: dict[str, Any] | None = None

    def is_expired(self, today: date) -> bool:
        return self.expiration_date is not None and self.expiration_date < today

    def digest(self) -> str:
        """The memory's `hash`: what it was stored with, else the MD5 of its text."""
        return self.hash or content_hash(self.memory)

    def as_record(self) -> dict[str, Any]:
        """The memory as plain JSON-ready data (what exports are built from)."""
        return {
            "id": self.id,
            "memory": self.memory,
            "user_id": self.user_id,
            "agent_id": self.agent_id,
            "app_id": self.app_id,
            "run_id": self.run_id,
            "hash": self.digest(),
            "metadata": self.metadata,
            "categories": list(self.categories),
            "keywords": list(self.keywords),
            "immutable": self.immutable,
            "expiration_date": self.expiration_date.isoformat() if self.expiration_date else None,
            "created_at": isoformat(self.created_at),
            "updated_at": isoformat(self.updated_at),
        }


Messages = tuple[Any, ...]  # `pack_messages`


def pack_messages(messages: Iterable[Any]) -> Messages:
    """Messages as history keeps them (an entry per change): when every message is the
    usual `{"role", "content"}`, one flat tuple `(role, content, role, content, ...)`, a
    fraction of a list of dicts; otherwise the messages as they came."""
    messages = tuple(messages)
    if all(type(m) is dict and m.keys() == _ROLE_CONTENT and type(m["role"]) is str for m in messages):
        return tuple(part for m in messages for part in (m["role"], m["content"]))
    return messages


def unpack_messages(packed: Messages) -> list[Any]:
    """Messages as they were sent."""
    if packed and type(packed[0]) is str:
        return [{"role": packed[i], "content": packed[i + 1]} for i in range(0, len(packed), 2)]
    return list(packed)


_ROLE_CONTENT = frozenset({"role", "content"})


@dataclass(slots=True)
class HistoryEntry:
    id: str
    memory_id: str
    input: Messages  # `pack_messages`; `messages()` gives them back as sent
    old_memory: str | None
    new_memory: str | None
    user_id: str | None
    event: str
    metadata: dict[str, Any] | None
    created_at: datetime

    def messages(self) -> list[Any]:
        return unpack_messages(self.input)


@dataclass(slots=True)
class Export:
    id: str
    selector: dict[str, Any]
    data: Any
    created_at: datetime


@dataclass(slots=True)
class Feedback:
    id: str
    memory_id: str
    feedback: str | None
    feedback_reason: str | None
    created_at: datetime


@dataclass(slots=True)
class Entity:
    """A user, agent, app or run: it exists from its first memory until it is deleted.

    `id` is a number in digits, unique in its project (the listing's id, which the
    deprecated delete-by-id takes); `name` is the user/agent/app/run id itself.
    """

    id: str
    type: str  # user | agent | app | run
    name: str
    total_memories: int
    created_at: datetime


@dataclass(slots=True)
class EventResult:
    """What one memory went through in an event."""

    id: str
    memory: str
    event: str  # ADD | UPDATE | DELETE | NOOP
    user_id: str | None = None


@dataclass(slots=True)
class Event:
    """A piece of work the API answered before doing it (a queued add, a delete by filter).

    Status goes PENDING -> RUNNING -> SUCCEEDED or FAILED; `payload` is the request that
    made it.
    """

    id: str
    event_type: str  # ADD | DELETE
    status: str
    payload: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    results: list[EventResult] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error: str | None = None

    @property
    def latency_ms(self) -> float | None:
        if self.started_at is None or self.completed_at is None:
            return None
        return (self.completed_at - self.created_at).total_seconds() * 1000
