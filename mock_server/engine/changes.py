"""What changed since the last save: the engine's side of persistence (`--data`).

Every mutation names what it touched by a `Key` (kind, tenant, org, project, id); the
saver (`storage.py`) later looks each named object up as it is *then*, and writes it or,
if it is gone, deletes its row. So a mutation records no values, only names, and several
changes to one object cost one write. Whole subtrees that go away (a reset, a deleted
project) or come back wholesale (a restored snapshot) are recorded as `Drop` / `Rewrite`
operations, kept in order with the names around them.

Off by default: without `--data`, `mark` is one attribute check and nothing is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import NamedTuple


class Key(NamedTuple):
    """One stored object: its kind (`memory`, `history`, `project`, ...), the SHA-256 of
    its tenant's key, its org and project ('' for a tenant) and its id within its kind."""

    kind: str
    tenant: str
    org: str = ""
    project: str = ""
    ident: str = ""


class Prefix(NamedTuple):
    """Everything of a tenant (`org` None), of one of its projects, or of one object
    (`kind` and `ident` given); `tenant` None: everything."""

    tenant: str | None = None
    org: str | None = None
    project: str | None = None
    kind: str | None = None
    ident: str | None = None


class Drop(NamedTuple):
    """Delete every stored row under the prefix."""

    prefix: Prefix


class Rewrite(NamedTuple):
    """Delete every stored row under the prefix, then save what is there now."""

    prefix: Prefix


Operation = dict[Key, None] | Drop | Rewrite


class ChangeLog:
    """The ordered operations since the last save. Thread-safe; a no-op when disabled.

    Names are kept in insertion order (a new object's row is inserted when first saved,
    and rows are read back in insertion order), and a `Drop` or `Rewrite` starts a new
    group, so "deleted, then made again" is saved in that order.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.sink: Callable[[], None] | None = None  # saves the pending operations (set by the server)
        self._lock = threading.Lock()
        self._ops: list[Operation] = []

    def mark(self, key: Key) -> None:
        if not self.enabled:
            return
        with self._lock:
            last = self._ops[-1] if self._ops else None
            if isinstance(last, dict):
                last[key] = None
            else:
                self._ops.append({key: None})

    def drop(self, prefix: Prefix) -> None:
        if self.enabled:
            with self._lock:
                self._ops.append(Drop(prefix))

    def rewrite(self, prefix: Prefix) -> None:
        if self.enabled:
            with self._lock:
                self._ops.append(Rewrite(prefix))

    def take(self) -> list[Operation]:
        """Everything pending, in order; the log is empty afterwards."""
        with self._lock:
            ops, self._ops = self._ops, []
        return ops

    def give_back(self, ops: list[Operation]) -> None:
        """Put operations that could not be saved back in front of newer ones."""
        with self._lock:
            self._ops[:0] = ops

    @property
    def pending(self) -> bool:
        return bool(self._ops)

    def commit(self) -> None:
        """Save what is pending now (background work calls this when it finishes)."""
        sink = self.sink
        if sink is not None:
            sink()
