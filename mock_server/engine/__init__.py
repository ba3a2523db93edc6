"""The Mem0 service as plain Python: state, filters, search, inference, exports.

No Flask, no HTTP: `MemoryService` is the facade the API surfaces call.
"""

from .clock import Clock, Ids
from .namespace import AddOptions, AddResult, Hit, Runtime, SearchOptions
from .service import UNSET, Identity, MemoryService, Scope

__all__ = [
    "AddOptions",
    "AddResult",
    "Clock",
    "Hit",
    "Identity",
    "Ids",
    "MemoryService",
    "Runtime",
    "Scope",
    "SearchOptions",
    "UNSET",
]
