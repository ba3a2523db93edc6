"""`--data PATH`: the state kept in a SQLite file (the standard library's; no server to run).

One row per object (`snapshot.KINDS`: a memory, a memory's history, an entity, an event,
...; a project's settings; a tenant), its JSON being what a snapshot holds for it, plus
the runtime (frozen clock, position in the seeded id sequence). On start the rows are read
back, in the order they were first written, into a snapshot document, which the mock
restores like any other; so saved state and snapshots cannot drift apart.

`save` writes what the change log names since the last save in one transaction: each
named object as it is now, or its row deleted when it is gone. The server calls it at the
end of every request, before the answer is sent, and background work (queued adds,
profile jobs, webhook delivery attempts) when it finishes. Saves are serialized, so a
request whose changes another request's save took waits until that save has committed:
nothing is acknowledged before it is on disk.

Durability: WAL journal with `synchronous=NORMAL`. A commit is then a write into the WAL
file without an fsync (the WAL is copied into the file, and both synced, every
`CHECKPOINT_PAGES` pages): once `save` returns, the data is in the operating system's hands,
so killing the mock (even `kill -9`) loses nothing acknowledged; only an operating-system
crash or power cut could lose the last transactions (never corrupting the file). That is
the mock's promise; `synchronous=FULL` would add an fsync to every request.

The file is held with an exclusive lock while the mock runs, so a second mock started on
the same file is refused instead of silently diverging.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import compact_json
from .changes import ChangeLog, Drop, Key, Operation, Prefix, Rewrite
from .clock import parse_instant
from .errors import Unavailable
from .namespace import Runtime
from .snapshot import FORMAT, KINDS, VERSION, dump_runtime, keys_of, project_head
from .state import Store

DATA_FORMAT = "mem0-mock-data 1"
LOCK_WAIT_S = 2.0  # how long a start waits for the file: a mock killed a moment ago lets it go
# WAL pages between checkpoints (SQLite's default: 1,000). A checkpoint copies the WAL into the
# file and syncs both, holding up the saves behind it; ten times fewer of them answer about 8%
# more writes, for a WAL of up to about 40 MB beside the file while the mock runs.
CHECKPOINT_PAGES = 10_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    tenant TEXT NOT NULL, org TEXT NOT NULL, project TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tenant, org, project, kind, id)
);
"""
UPSERT_HEAD = "INSERT INTO rows (tenant, org, project, kind, id, data) VALUES "
ROW_PLACEHOLDERS = "(?, ?, ?, ?, ?, ?)"
UPSERT_TAIL = " ON CONFLICT (tenant, org, project, kind, id) DO UPDATE SET data = excluded.data"
UPSERT = UPSERT_HEAD + ROW_PLACEHOLDERS + UPSERT_TAIL
# (an update keeps the row's rowid, so rows read back in the order they first appeared)
RUNTIME_UPSERT = (
    "INSERT INTO meta (name, value) VALUES ('runtime', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)
MAX_ROWS_PER_STATEMENT = 64  # a bigger save is a transaction of executemany calls
DELETE = "DELETE FROM rows WHERE tenant = ? AND org = ? AND project = ? AND kind = ? AND id = ?"
PREFIX_COLUMNS = ("tenant", "org", "project", "kind", "id")


Step = tuple[str, Iterable[tuple[Any, ...]]]  # a statement and the parameter rows it runs with


class StorageError(Exception):
    """The data file cannot be used (not a database, of another format, in use)."""


class SaveFailed(Unavailable):
    """A change could not be written; it stays pending and the next save tries again."""


def _json(value: Any) -> str:
    return compact_json.dumps(value).decode()


class Storage:
    """The data file of one mock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._saved_runtime: tuple[Any, ...] | None = None  # (frozen clock, seed, drawn) last written
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=LOCK_WAIT_S, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA locking_mode = EXCLUSIVE")  # before WAL: no shared memory, one process
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
            self._db.execute("BEGIN IMMEDIATE")  # takes the lock now, so a second mock fails at start
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            found = self._db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if found is None:
                self._db.execute("INSERT INTO meta (name, value) VALUES ('format', ?)", (DATA_FORMAT,))
            elif found[0] != DATA_FORMAT:
                raise StorageError(f"{self.path} holds {found[0]!r}, not {DATA_FORMAT!r}")
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise StorageError(f"{self.path} is in use by another process (another mem0-mock?)") from None
            raise StorageError(f"cannot use {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{self.path} is not a mem0-mock data file: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- reading ----------------------------------------------------------------------------

    def read(self) -> dict[str, Any] | None:
        """The saved state as a snapshot document; None for a new, empty file."""
        with self._lock:
            runtime = self._db.execute("SELECT value FROM meta WHERE name = 'runtime'").fetchone()
            rows = self._db.execute("SELECT tenant, org, project, kind, id, data FROM rows ORDER BY rowid").fetchall()
        if runtime is None and not rows:
            return None
        if runtime is not None:
            state = json.loads(runtime[0])
            ids = state.get("ids") or {}
            clock = parse_instant(state["clock"]) if state.get("clock") else None
            self._saved_runtime = (clock, ids.get("seed"), ids.get("drawn", 0) if ids else 0)
        tenants: dict[str, dict[str, Any]] = {}
        for tenant, org, project, kind, _, data in rows:
            entry = tenants.setdefault(tenant, {"key_sha256": tenant, "projects": {}})
            if kind == "tenant":
                continue
            space = entry["projects"].get((org, project))
            if space is None:
                space = entry["projects"][(org, project)] = {"org_id": org, "project_id": project}
                space.update({kind.field: [] for kind in KINDS.values()})
            value = json.loads(data)
            if kind == "project":
                space.update(value)
            elif KINDS[kind].many:
                space[KINDS[kind].field].extend(value)
            else:
                space[KINDS[kind].field].append(value)
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "tenants": [{**t, "projects": list(t["projects"].values())} for t in tenants.values()],
        }
        if runtime is not None:
            document["runtime"] = json.loads(runtime[0])
        return document

    # --- writing ----------------------------------------------------------------------------

    def save(self, changes: ChangeLog, store: Store, runtime: Runtime) -> None:
        """Write everything the change log holds, and the runtime if it moved, in one
        transaction. On failure the changes stay pending and `SaveFailed` is raised."""
        with self._lock:
            ops = changes.take()
            ids = runtime.ids
            state = (runtime.clock.frozen_at, ids.seed, ids.drawn if ids.seed is not None else 0)
            if not ops and state == self._saved_runtime:
                return
            try:
                steps = self._steps(ops, store)
                if state != self._saved_runtime:
                    steps.append((RUNTIME_UPSERT, [(_json(dump_runtime(runtime)),)]))
                self._write(steps)
            except (sqlite3.Error, TypeError, ValueError) as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                changes.give_back(ops)
                raise SaveFailed(f"The mock could not save the change to {self.path.name}: {exc}") from None
            self._saved_runtime = state

    def _steps(self, ops: list[Operation], store: Store) -> list[Step]:
        """The statements that write these changes, in order (nothing is executed yet)."""
        steps: list[Step] = []
        for op in ops:
            if isinstance(op, Drop):
                steps.append(_delete(op.prefix))
            elif isinstance(op, Rewrite):
                steps.append(_delete(op.prefix))
                steps.append((UPSERT, _rewritten(store, op.prefix.tenant)))
            else:
                steps.extend(_put(store, op))
        return [step for step in steps if not isinstance(step[1], list) or step[1]]

    def _write(self, steps: list[Step]) -> None:
        """Execute the steps as one transaction.

        A save that is one upsert (an add's: its memory and history rows) is sent as one
        multi-row statement, which SQLite commits by itself: one call into SQLite, where a
        transaction takes three, each giving up and taking back the interpreter's lock.
        """
        if len(steps) == 1 and steps[0][0] == UPSERT:
            rows = steps[0][1]
            if isinstance(rows, list) and len(rows) <= MAX_ROWS_PER_STATEMENT:
                self._db.execute(_upsert_rows(len(rows)), [value for row in rows for value in row])
                return
        self._db.execute("BEGIN")
        for sql, rows in steps:
            self._db.executemany(sql, rows)
        self._db.execute("COMMIT")


def _delete(prefix: Prefix) -> Step:
    names = [(column, value) for column, value in zip(PREFIX_COLUMNS, prefix, strict=True) if value is not None]
    where = " AND ".join(f"{column} = ?" for column, _ in names) or "1"
    return f"DELETE FROM rows WHERE {where}", [tuple(value for _, value in names)]


def _rewritten(store: Store, tenant_hash: str | None) -> Iterator[tuple[str, ...]]:
    """Every row of one tenant (or of all, for None) as it is now, made as SQLite asks for them
    (a whole state is not held in memory twice)."""
    if tenant_hash is None:
        tenants = store.tenants()
    else:
        found = store.by_hash(tenant_hash)
        tenants = [] if found is None else [found]
    return ((*key[1:4], key.kind, key.ident, _json(data)) for t in tenants for key, data in keys_of(t))


def _put(store: Store, keys: Iterable[Key]) -> list[Step]:
    """The named objects written as they are now: deleted rows first, then upserts."""
    upserts: list[tuple[str, ...]] = []
    deletes: list[tuple[str, ...]] = []
    for key, data in _current(store, keys):
        row = (key.tenant, key.org, key.project, key.kind, key.ident)
        if data is None:
            deletes.append(row)
        else:
            upserts.append((*row, _json(data)))
    return [(DELETE, deletes), (UPSERT, upserts)]


@lru_cache(maxsize=MAX_ROWS_PER_STATEMENT)
def _upsert_rows(count: int) -> str:
    """UPSERT for `count` rows in one statement."""
    return UPSERT_HEAD + ", ".join([ROW_PLACEHOLDERS] * count) + UPSERT_TAIL


def _current(store: Store, keys: Iterable[Key]) -> Iterator[tuple[Key, Any]]:
    """Each named object's JSON as it is now (None: it is gone), read under its namespace's lock."""
    for key in keys:
        tenant = store.by_hash(key.tenant)
        if key.kind == "tenant":
            yield key, None if tenant is None else {"key_sha256": key.tenant}
            continue
        space = None if tenant is None else tenant.namespaces.get((key.org, key.project))
        if space is None:
            yield key, None
            continue
        with space.lock:
            if key.kind == "project":
                data = project_head(space)
            else:
                kind = KINDS[key.kind]
                item = kind.find(space, key.ident)
                data = None if item is None else kind.encode(space, item)
        yield key, data
