"""Every operation the API surfaces serve, by operationId: what the server dispatches to."""

from __future__ import annotations

from . import entities, events, exports, memories_v1v2, memories_v3, profiles, projects, webhooks
from .common import Handler, Surface

SURFACES: tuple[Surface, ...] = (
    memories_v1v2.surface,
    memories_v3.surface,
    events.surface,
    entities.surface,
    exports.surface,
    projects.surface,
    webhooks.surface,
    profiles.surface,
)


def handlers() -> dict[str, Handler]:
    """One table of all surfaces' handlers; an operationId served twice is a bug."""
    table: dict[str, Handler] = {}
    for surface in SURFACES:
        clash = table.keys() & surface.handlers.keys()
        if clash:
            raise RuntimeError(f"operations served by two surfaces: {sorted(clash)}")
        table.update(surface.handlers)
    return table
