"""A project's settings and members: what the projects API reads and changes.

Settings take effect on later adds: `custom_instructions` steer what inference keeps,
`custom_categories` replace the default catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ROLES = ("READER", "OWNER")


@dataclass(slots=True)
class Member:
    email: str
    role: str  # READER | OWNER

    @property
    def username(self) -> str:
        return self.email.split("@", 1)[0]


@dataclass(slots=True)
class Project:
    """What a project is, besides its memories."""

    name: str
    created_at: datetime
    updated_at: datetime
    description: str = ""
    is_default: bool = False
    custom_instructions: str | None = None
    agent_custom_instructions: str | None = None
    custom_categories: list[dict[str, str]] | None = None
    multilingual: bool = False
    memory_depth: str | None = None
    usecase_setting: str | None = None
    decay: bool = False
    enable_graph: bool = False
    version: str = "v2"
    members: list[Member] = field(default_factory=list)

    # Settings a PATCH may change, with the types it accepts.
    SETTINGS = {
        "name": str,
        "description": str,
        "custom_instructions": str,
        "agent_custom_instructions": str,
        "custom_categories": list,
        "multilingual": bool,
        "memory_depth": str,
        "usecase_setting": str,
        "decay": bool,
        "enable_graph": bool,
        "version": str,
    }

    def update(self, changes: dict[str, Any], now: datetime) -> None:
        for name, value in changes.items():
            if name in self.SETTINGS:
                setattr(self, name, value)
        self.updated_at = now

    def member(self, email: str) -> Member | None:
        wanted = email.lower()
        return next((m for m in self.members if m.email.lower() == wanted), None)

    def catalogue(self) -> dict[str, str] | None:
        """The project's custom categories as name -> description (None: the default catalogue)."""
        if not self.custom_categories:
            return None
        catalogue: dict[str, str] = {}
        for item in self.custom_categories:
            if isinstance(item, dict):
                catalogue.update({str(k): str(v) for k, v in item.items()})
        return catalogue or None
