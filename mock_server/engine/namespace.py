"""One org/project of one API key: its memories, their indexes, history, exports, feedback.

This is the backend proper (moto's `models.py`): plain Python values in, domain objects
or `errors.EngineError`s out, no HTTP. A `Namespace` keeps entity-id indexes and a search
index beside its memories, so a request that names one user costs what that user's
memories cost, not what the whole store costs. Every public method takes the namespace's
lock; time and ids come from the shared `Runtime`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from .categories import categorize
from .changes import ChangeLog, Key, Prefix
from .clock import Clock, Ids
from .errors import EntityRequired, InvalidInput, NotFound, Refused
from .exports import build_export
from .filters import WILDCARD, IndexKeys, Predicate, every_candidate, plan_candidates
from .inference import extract_facts, reconcile, subject_of
from .jobs import Jobs
from .listing import ListingOrder, listing_key
from .models import (
    ENTITY_FIELDS,
    ENTITY_TYPES,
    Entity,
    Event,
    EventResult,
    Export,
    Feedback,
    HistoryEntry,
    Memory,
    Messages,
    pack_messages,
)
from .profiles import Profile, ProfileJob, ProfileSettings
from .projects import Project
from .search import Ranking, SearchIndex, explain, rerank
from .text import extract_keywords
from .webhooks import Delivery, Webhook, WebhookDispatcher, categorize_payload, change_payload

if TYPE_CHECKING:
    from .embedders import Embedder

RERANK_WINDOW = 100
SCORE_ROUNDING = 5e-7  # scores are reported to 6 decimals; the threshold applies to what is reported
FIELD_TYPES = {name: kind for kind, name in ENTITY_TYPES.items()}
ADD_ENTITY_REQUIRED = "At least one of user_id, agent_id, app_id or run_id is required."
DELIVERIES_KEPT = 1000  # per project, newest last
LISTED_SHARE = 16  # a group this share of the namespace or more is read off its listing order


@dataclass(frozen=True)
class Runtime:
    """What every namespace of one service shares: its clock, its id source, its queue of
    background work, its webhook sender, the optional semantic backend search fuses
    with its lexical score, and the log of changes a saver persists (`--data`).
    `on_history` sees every history entry as it is recorded: the server ties each to the
    request that caused it, which the engine never knows."""

    clock: Clock = field(default_factory=Clock)
    ids: Ids = field(default_factory=Ids)
    jobs: Jobs = field(default_factory=Jobs)
    webhooks: WebhookDispatcher = field(default_factory=WebhookDispatcher)
    embedder: Embedder | None = None
    changes: ChangeLog = field(default_factory=ChangeLog)
    on_history: Callable[[HistoryEntry], object] | None = None

    def repeatable(self) -> bool:
        """Whether runs must repeat (seeded ids or a frozen clock): queued work is then done
        before the answer, so no thread interleaving decides ids or timestamps."""
        return self.ids.seed is not None or self.clock.frozen


def entity_ident(field_name: str, value: str) -> str:
    """How the saver names an entity: `user_id:alex` (field names hold no colon)."""
    return f"{field_name}:{value}"


def profile_ident(entity_type: str, entity_id: str) -> str:
    """How the saver names a profile: `user:alex`."""
    return f"{entity_type}:{entity_id}"


_BY_ID = attrgetter("id")
_BY_CREATED = attrgetter("created_at")


@dataclass(frozen=True)
class AddOptions:
    """Everything an add request may say besides its messages and entity ids.

    `reconcile` chooses the inference of the v1 API (a fact about a known subject UPDATEs
    or DELETEs the old memory, a known fact is a NOOP) over additive inference (every new
    fact is ADDed beside what is known, and marks the memory it supersedes; an exact
    repeat is skipped). `dedupe` skips, also without inference, a text already stored in
    exactly the same entity scope (the v3 API does; v1 stores repeats).
    `extract_assistant` makes inference read the assistant's statements as well as the
    user's (the v3 API can; v1 reads the user's only).
    """

    metadata: dict[str, Any] | None = None
    infer: bool = True
    reconcile: bool = True
    dedupe: bool = False
    includes: str | None = None
    excludes: str | None = None
    custom_categories: dict[str, str] | None = None
    custom_instructions: str | None = None
    immutable: bool = False
    created_at: datetime | None = None
    expiration_date: date | None = None
    extract_assistant: bool = False


class SearchOptions(NamedTuple):
    """What a search request may say besides its query and filter (a tuple: made per request)."""

    top_k: int = 10
    threshold: float = 0.3
    rerank: bool = False
    keyword_search: bool = False
    filter_memories: bool = False
    include_expired: bool = False
    latest_only: bool = False  # hide memories a newer one superseded
    explain: bool = False  # fill each hit's breakdown of its score


class Hit(NamedTuple):
    """One search result: the memory, its score in [0, 1], and (when asked) what made it."""

    memory: Memory
    score: float
    breakdown: dict[str, float] | None = None


AddResult = EventResult  # one event of an add: what happened to which memory, and the text


def _reported(hits: list[tuple[Memory, float]], threshold: float) -> list[tuple[Memory, float]]:
    """Hits with their scores as reported (clamped to [0, 1], 6 decimals), none under the
    threshold. Hits come in runs of one score: each run's is rounded once."""
    reported: list[tuple[Memory, float]] = []
    raw: float | None = None
    shown = 0.0
    for memory, score in hits:
        if score != raw:
            raw, shown = score, round(min(1.0, max(0.0, score)), 6)
        if shown >= threshold:
            reported.append((memory, shown))
    return reported


@dataclass
class Namespace:
    """One org/project of one API key."""

    org_id: str
    project_id: str
    owner: str
    runtime: Runtime = field(default_factory=Runtime)
    key_sha256: str = ""  # the tenant's, naming this namespace's changes for persistence
    lock: threading.RLock = field(default_factory=threading.RLock)
    memories: dict[str, Memory] = field(default_factory=dict)
    by_entity: dict[str, dict[Any, dict[str, None]]] = field(
        default_factory=lambda: {name: {} for name in ENTITY_FIELDS}
    )
    # (field, value) -> (first seen, serial number in this project): entities outlive their memories
    entity_seen: dict[tuple[str, str], tuple[datetime, int]] = field(default_factory=dict)
    entity_serial: int = 0
    search_index: SearchIndex = field(default_factory=SearchIndex)
    history: dict[str, tuple[HistoryEntry, ...]] = field(default_factory=dict)  # tuples: most hold one entry
    supersedes: dict[str, list[str]] = field(default_factory=dict)  # newer memory -> the ones it replaced
    exports: dict[str, Export] = field(default_factory=dict)
    feedback: dict[str, Feedback] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    project: Project | None = None
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    deliveries: deque[Delivery] = field(default_factory=lambda: deque(maxlen=DELIVERIES_KEPT))
    profile_settings: ProfileSettings = field(default_factory=ProfileSettings)
    profiles: dict[tuple[str, str], Profile] = field(default_factory=dict)
    profile_jobs: dict[str, ProfileJob] = field(default_factory=dict)
    listing: ListingOrder = field(init=False, repr=False, compare=False)  # `memories` in listing order

    def __post_init__(self) -> None:
        self.listing = ListingOrder(self.memories)
        if self.project is None:
            now = self.now()
            self.project = Project(name="default-project", created_at=now, updated_at=now)

    def now(self) -> datetime:
        return self.runtime.clock.now()

    def today(self) -> date:
        return self.runtime.clock.today()

    def new_id(self) -> str:
        return self.runtime.ids.new()

    def changed(self, kind: str, ident: str = "") -> None:
        """Note that an object of this namespace changed (or appeared, or went), for the
        saver; nothing happens unless the state is persisted."""
        changes = self.runtime.changes
        if changes.enabled:
            changes.mark(Key(kind, self.key_sha256, self.org_id, self.project_id, ident))

    def _forget(self, kind: str, ident: str) -> None:
        """Note that an object which may come back (an entity, a profile) is gone now."""
        changes = self.runtime.changes
        if changes.enabled:
            changes.drop(Prefix(self.key_sha256, self.org_id, self.project_id, kind, ident))

    # --- indexing -----------------------------------------------------------------

    def _index(self, memory: Memory, track: bool = True) -> None:
        """Store and index a memory; its entities exist from now on. `track`: note the
        change for the saver (a restore saves everything at once instead)."""
        self.memories[memory.id] = memory
        self.listing.added(memory)
        for name in ENTITY_FIELDS:
            value = getattr(memory, name)
            if value is not None:
                self.by_entity[name].setdefault(value, {})[memory.id] = None
                if (name, value) not in self.entity_seen:
                    self.entity_serial += 1
                    self.entity_seen[(name, value)] = (memory.created_at, self.entity_serial)
                    if track:
                        self.changed("entity", entity_ident(name, value))
                        self.changed("project")  # its entity serial moved
        self.search_index.add(memory.id, memory.memory, memory.categories)
        if track:
            self.changed("memory", memory.id)

    def restore_memories(self, memories: list[Memory]) -> None:
        """Index memories read back from saved state, in their stored order, and rebuild
        what derives from them: entity indexes, the search index (embedding the texts first
        with a semantic backend; `Unavailable` leaves the namespace empty) and which memory
        superseded which. Entities a memory names but the state lacks are made as an add
        would make them."""
        self._prepare(m.memory for m in memories)
        self.listing.reset()
        for memory in memories:
            self._index(memory, track=False)
            if memory.replaced_by is not None:
                self.supersedes.setdefault(memory.replaced_by, []).append(memory.id)
        self.search_index.prepare([], None)  # let go of the vectors

    def _unindex(self, memory: Memory) -> None:
        self.listing.removed(memory)
        del self.memories[memory.id]
        self.changed("memory", memory.id)
        memory.rendered = None
        for name in ENTITY_FIELDS:
            value = getattr(memory, name)
            if value is None:
                continue
            ids = self.by_entity[name][value]
            del ids[memory.id]
            if not ids:
                del self.by_entity[name][value]
        self.search_index.remove(memory.id)

    def _keys_cost(self, keys: IndexKeys) -> int:
        return sum(len(self.by_entity[name].get(value, ())) for name, value in keys)

    def _candidate_ids(self, tree: Any) -> Iterable[str]:
        """Ids that include every memory the filter can match (an index read when possible)."""
        keys = plan_candidates(tree, self._keys_cost) if tree is not None else None
        if keys is None:
            return self.memories.keys()
        if len(keys) == 1:
            name, value = next(iter(keys))
            return self.by_entity[name].get(value, {}).keys()
        merged: dict[str, None] = {}
        for name, value in keys:
            merged.update(self.by_entity[name].get(value, {}))
        return merged.keys()

    # --- memories -------------------------------------------------------------------

    def _new_memory(
        self,
        text: str,
        entity: Mapping[str, str | None],
        options: AddOptions,
        now: datetime,
        catalogue: Mapping[str, str] | None,
    ) -> Memory:
        created = options.created_at or now
        memory = Memory(
            id=self.new_id(),
            memory=text,
            user_id=entity.get("user_id"),
            agent_id=entity.get("agent_id"),
            app_id=entity.get("app_id"),
            run_id=entity.get("run_id"),
            metadata=options.metadata,
            categories=categorize(text, catalogue),
            keywords=extract_keywords(text),
            immutable=options.immutable,
            expiration_date=options.expiration_date,
            created_at=created,
            updated_at=created,
        )
        self._index(memory)
        return memory

    def _record(
        self, memory: Memory, event: str, old: str | None, new: str | None, messages: Messages, now: datetime
    ) -> None:
        """Add a change to the memory's history; `messages` packed (`pack_messages`), so one
        add's memories share them."""
        entry = HistoryEntry(
            id=self.new_id(),
            memory_id=memory.id,
            input=messages,
            old_memory=old,
            new_memory=new,
            user_id=memory.user_id,
            event=event,
            metadata=memory.metadata,
            created_at=now,
        )
        self.history[memory.id] = (*self.history.get(memory.id, ()), entry)
        self.changed("history", memory.id)
        if self.runtime.on_history is not None:
            self.runtime.on_history(entry)

    def _notify(self, event_type: str, payload: Callable[[], dict[str, Any]]) -> None:
        """Tell the project's webhooks about a change (nothing to build without webhooks)."""
        if self.webhooks:
            self.runtime.webhooks.dispatch(
                list(self.webhooks.values()), event_type, payload(), self._keep_delivery, self.new_id, self.now,
                self._delivery_attempted if self.runtime.changes.enabled else None,
            )

    def _keep_delivery(self, delivery: Delivery) -> None:
        if len(self.deliveries) == self.deliveries.maxlen:
            self.changed("delivery", self.deliveries[0].id)  # about to fall off
        self.deliveries.append(delivery)
        self.changed("delivery", delivery.id)

    def _delivery_attempted(self, delivery: Delivery) -> None:
        """A delivery's attempt was recorded (on a sender thread): save it now."""
        self.changed("delivery", delivery.id)
        self.runtime.changes.commit()

    def add(
        self, messages: list[dict[str, Any]], entity: Mapping[str, str | None], options: AddOptions
    ) -> list[AddResult]:
        """Store messages (verbatim or through inference); answer one result per event.

        The project's custom instructions and categories apply unless the call gives its own.
        """
        if not any(entity.get(name) for name in ENTITY_FIELDS):
            raise EntityRequired(ADD_ENTITY_REQUIRED)
        project = self.project
        catalogue = options.custom_categories or (project.catalogue() if project else None)
        instructions = options.custom_instructions or (project.custom_instructions if project else None)
        with self.lock:
            now = self.now()
            known = self._stored_texts(entity) if options.dedupe or not options.reconcile else set()
            packed = pack_messages(messages)

            def store(text: str) -> AddResult:
                known.add(text)
                memory = self._new_memory(text, entity, options, now, catalogue)
                self._record(memory, "ADD", None, text, packed, memory.created_at)
                self._notify("memory_add", lambda: change_payload("ADD", memory.id, text))
                if memory.categories:
                    self._notify("memory_categorize", lambda: categorize_payload(memory.id, memory.categories))
                return AddResult(memory.id, text, "ADD", memory.user_id)

            if not options.infer:
                texts = [m["content"] for m in messages if m.get("role") != "system" and m.get("content")]
                if options.dedupe:
                    texts = [text for text in dict.fromkeys(texts) if text not in known]
                self._prepare(texts)
                return [store(text) for text in texts]
            facts = extract_facts(
                messages, includes=options.includes, excludes=options.excludes, custom_instructions=instructions,
                roles=("user", "assistant") if options.extract_assistant else ("user",),
            )
            self._prepare(f.text for f in facts if not f.retraction)
            if not options.reconcile:
                results = []
                for fact in facts:
                    if fact.retraction or fact.text in known:
                        continue
                    result = store(fact.text)
                    self._supersede(result.id, entity)
                    results.append(result)
                return results
            scope = [m for m in self._scope(entity) if not m.immutable]
            results = []
            for decision in reconcile(facts, [(m.id, m.memory) for m in scope]):
                if decision.event == "ADD":
                    results.append(store(decision.text))
                    continue
                memory = self.memories[decision.memory_id]
                if decision.event == "UPDATE":
                    self._change(memory, decision.text, options.metadata, messages, now)
                elif decision.event == "DELETE":
                    self._delete(memory, messages)
                results.append(AddResult(memory.id, decision.text, decision.event, memory.user_id))
            return results

    def _stored_texts(self, entity: Mapping[str, str | None]) -> set[str]:
        """Texts already stored with exactly these entity ids (the scope of a repeat)."""
        wanted = tuple(entity.get(name) or None for name in ENTITY_FIELDS)
        return {
            m.memory for m in self._scope(entity)
            if (m.user_id, m.agent_id, m.app_id, m.run_id) == wanted
        }

    def _supersede(self, memory_id: str, entity: Mapping[str, str | None]) -> None:
        """Additive inference: older memories of the same subject now point at the new one."""
        newer = self.memories[memory_id]
        subject = subject_of(newer.memory)
        if subject.startswith("about:"):
            return  # a generic statement replaces nothing
        for older in self._scope(entity):
            if older.id != memory_id and older.replaced_by is None and subject_of(older.memory) == subject:
                older.replaced_by = memory_id
                older.rendered = None
                self.changed("memory", older.id)
                self.supersedes.setdefault(memory_id, []).append(older.id)

    def _prepare(self, texts: Iterable[str | None]) -> None:
        """Embed the texts about to be stored, before anything changes: a semantic backend
        that fails (`Unavailable`) then leaves the namespace as it was."""
        self.search_index.prepare([t for t in texts if t is not None], self.runtime.embedder)

    def _scope(self, entity: Mapping[str, str | None]) -> list[Memory]:
        """Memories with every exact entity id the request names. `*` means "any id of that
        kind", and the `*` kinds are alternatives (a memory needs an id of one of them), so
        all four `*` reach every memory: the documented way to empty a project."""
        named = {name: value for name, value in entity.items() if value}
        exact = {name: value for name, value in named.items() if value != WILDCARD}
        kinds = [name for name, value in named.items() if value == WILDCARD]
        return [
            m for m in map(self.memories.__getitem__, self._candidate_ids(exact))
            if all(getattr(m, name) == value for name, value in exact.items())
            and (not kinds or any(getattr(m, name) is not None for name in kinds))
        ]

    def _change(
        self, memory: Memory, text: str | None, metadata: dict | None, messages: list, now: datetime,
        expiration: date | None | bool = False,
    ) -> None:
        """Change a memory's text, metadata and/or expiry (`False`: leave the expiry as it is)."""
        old = memory.memory
        if text is not None and text != memory.memory:
            memory.memory = text
            memory.hash = ""  # the new text's own
            memory.keywords = extract_keywords(text)
            self.search_index.add(memory.id, text, memory.categories)
        if metadata is not None:
            memory.metadata = metadata
        if expiration is not False:
            memory.expiration_date = expiration  # type: ignore[assignment]
        memory.updated_at = max(now, memory.created_at)
        memory.rendered = None
        self.changed("memory", memory.id)
        self._record(memory, "UPDATE", old, memory.memory, pack_messages(messages), now)
        self._notify("memory_update", lambda: change_payload("UPDATE", memory.id, memory.memory))

    def _delete(self, memory: Memory, messages: list) -> None:
        self._unindex(memory)
        for older_id in self.supersedes.pop(memory.id, ()):  # what it replaced is current again
            older = self.memories.get(older_id)
            if older is not None and older.replaced_by == memory.id:
                older.replaced_by = None
                older.rendered = None
                self.changed("memory", older.id)
        self._record(memory, "DELETE", memory.memory, None, pack_messages(messages), self.now())
        self._notify("memory_delete", lambda: change_payload("DELETE", memory.id, memory.memory))

    def get(self, memory_id: str) -> Memory:
        memory = self.memories.get(memory_id)
        if memory is None:
            raise NotFound("Memory not found.")
        return memory

    def update(
        self, memory_id: str, text: str | None, metadata: dict | None, expiration: date | None | bool = False
    ) -> Memory:
        with self.lock:
            memory = self.get(memory_id)
            if memory.immutable:
                raise Refused("Immutable memories cannot be updated.")
            self._prepare([text])
            self._change(memory, text, metadata, [], self.now(), expiration)
            return memory

    def delete(self, memory_id: str, linked: bool = False) -> int:
        """Delete a memory; with `linked`, also the memories it superseded, transitively.
        Answers how many linked memories went with it."""
        with self.lock:
            memory = self.get(memory_id)
            doomed: list[str] = []
            if linked:
                todo = list(self.supersedes.get(memory_id, ()))
                while todo:
                    older_id = todo.pop()
                    if older_id in self.memories and older_id not in doomed:
                        doomed.append(older_id)
                        todo.extend(self.supersedes.get(older_id, ()))
            self._delete(memory, [])
            for older_id in doomed:
                if older_id in self.memories:
                    self._delete(self.memories[older_id], [])
            return len(doomed)

    def batch_update(self, changes: list[dict[str, Any]]) -> int:
        """All or nothing: every id must exist and be mutable before anything changes."""
        with self.lock:
            problems = []
            for change in changes:
                memory = self.memories.get(change["memory_id"])
                if memory is None:
                    problems.append(f"Memory {change['memory_id']} not found.")
                elif memory.immutable:
                    problems.append(f"Memory {change['memory_id']} is immutable.")
            if problems:
                raise InvalidInput({"memories": problems})
            self._prepare(change.get("text") for change in changes)
            now = self.now()
            for change in changes:
                memory = self.memories[change["memory_id"]]
                self._change(memory, change.get("text"), change.get("metadata"), [], now)
            return len(changes)

    def batch_delete(self, memory_ids: list[str]) -> int:
        with self.lock:
            missing = [f"Memory {mid} not found." for mid in memory_ids if mid not in self.memories]
            if missing:
                raise InvalidInput({"memories": missing})
            for memory_id in dict.fromkeys(memory_ids):
                self._delete(self.memories[memory_id], [])
            return len(memory_ids)

    def delete_where(self, entity: Mapping[str, str], metadata: dict[str, Any] | None) -> list[AddResult]:
        """Delete exactly the memories matching every given id (`*`: any non-null value) and
        the metadata subset; answers what was deleted."""
        with self.lock:
            doomed = [
                m for m in self._scope(entity)
                if not metadata or all((m.metadata or {}).get(k) == v for k, v in metadata.items())
            ]
            for memory in doomed:
                self._delete(memory, [])
            return [AddResult(m.id, m.memory, "DELETE", m.user_id) for m in doomed]

    def history_of(self, memory_id: str) -> list[HistoryEntry]:
        with self.lock:
            entries = self.history.get(memory_id)
            if entries is None:
                raise NotFound("Memory not found.")
            return list(entries)

    # --- events -------------------------------------------------------------------------

    def new_event(self, event_type: str, payload: dict[str, Any] | None, status: str = "PENDING") -> Event:
        now = self.now()
        event = Event(self.new_id(), event_type, status, payload, now, now)
        with self.lock:
            self.events[event.id] = event
            self.changed("event", event.id)
        return event

    def event(self, event_id: str) -> Event:
        found = self.events.get(event_id)
        if found is None:
            raise NotFound("Event not found or you don't have permission to access it.")
        return found

    def recent_events(self) -> list[Event]:
        """Newest first."""
        with self.lock:
            return sorted(self.events.values(), key=lambda e: (e.created_at, e.id), reverse=True)

    # --- queries ----------------------------------------------------------------------

    def select(self, tree: Any, predicate: Predicate, include_expired: bool = False) -> list[Memory]:
        """Matches in listing order (newest first, ties by id); expired ones only if asked."""
        today = None if include_expired else self.today()
        check = None if predicate is every_candidate else predicate  # the index read decides alone
        with self.lock:
            found = [
                m for m in map(self.memories.__getitem__, self._candidate_ids(tree))
                if (today is None or not m.is_expired(today)) and (check is None or check(m))
            ]
        found.sort(key=listing_key)
        return found

    def search(self, query: str, tree: Any, predicate: Predicate, options: SearchOptions) -> list[Hit]:
        """Score only what the index and the query's terms reach, then filter and rank.

        The filter is applied while walking the ranking, so a query that reaches many
        memories pays for the few it answers, not for every hit.
        """
        today = None if options.include_expired else self.today()
        wanted = max(options.top_k, RERANK_WINDOW if options.rerank else 0)
        floor = options.threshold - SCORE_ROUNDING
        with self.lock:
            candidates = self._candidate_ids(tree)
            ranking = self.search_index.ranking(
                query, candidates, keyword_search=options.keyword_search, embedder=self.runtime.embedder,
                explained=options.explain,
            )
            hits = self._head(ranking, predicate, today, wanted, floor)
            explained = self._explained(ranking, hits) if options.explain else {}
            if options.threshold <= 0 and len(hits) < options.top_k:
                scored = {memory_id for _, members in ranking for memory_id in members}
                unscored = [memory_id for memory_id in candidates if memory_id not in scored]
                hits += self._head([(0.0, unscored)], predicate, today, options.top_k - len(hits), 0.0)
        if options.rerank:
            window = hits[:RERANK_WINDOW]
            by_id = {memory.id: memory for memory, _ in window}
            reranked = rerank(query, [(m.id, m.memory, s) for m, s in window])
            hits = [(by_id[memory_id], score) for memory_id, score in reranked]
        hits = _reported(hits, options.threshold)
        if options.filter_memories and hits:
            relative_floor = hits[0][1] / 2
            hits = [hit for hit in hits if hit[1] >= relative_floor]
        hits = hits[: options.top_k]
        if not options.explain:
            return [Hit(memory, score) for memory, score in hits]
        with self.lock:  # what the ranking could not explain (scored one by one, or keyword) is explained here
            unknown = [m.id for m, _ in hits if m.id not in explained and m.id in self.search_index]
            if unknown:
                parts = self.search_index.explain_all(query, unknown, self.runtime.embedder)
                explained.update(zip(unknown, parts, strict=True))
            return [
                Hit(memory, score, explained.get(memory.id) or self._explain_gone(query, memory))
                for memory, score in hits
            ]

    @staticmethod
    def _explained(ranking: Ranking, hits: list[tuple[Memory, float]]) -> dict[str, dict[str, float]]:
        """The breakdowns the ranking already knows for these hits (read at these scores)."""
        known = ((memory.id, ranking.breakdown(memory.id, score)) for memory, score in hits)
        return {memory_id: parts for memory_id, parts in known if parts is not None}

    def _explain_gone(self, query: str, memory: Memory) -> dict[str, float]:
        """A hit deleted since it was found (between the two locks) is explained from its text."""
        return explain(query, memory.memory, memory.categories, corpus=self.search_index)

    def _head(
        self,
        ranking: Iterable[tuple[float, Collection[str]]],
        predicate: Predicate,
        today: date | None,
        wanted: int,
        floor: float,
    ) -> list[tuple[Memory, float]]:
        """The first `wanted` visible matches of a ranking (groups of one score, best first,
        none under `floor`), in answer order: best first, then newest, then by id.

        Groups are read only as far as the answer needs, and each group only as far as the
        answer needs (`_listed`), so the cost follows the answer, not every memory the
        query reached.
        """
        found: list[tuple[Memory, float]] = []
        check = None if predicate is every_candidate else predicate  # the index read decides alone
        for score, ids in ranking:
            if score < floor or len(found) >= wanted:
                break
            for memory in self._listed(ids):
                expiry = memory.expiration_date  # `is_expired`, inlined: this runs for every memory read
                if (today is None or expiry is None or not expiry < today) and (check is None or check(memory)):
                    found.append((memory, score))
                    if len(found) >= wanted:
                        break
        return found

    def _listed(self, ids: Collection[str]) -> Iterator[Memory]:
        """The memories of `ids` in listing order, by the cheaper of two ways.

        A group that is a large share of the namespace (a set, at least 1/LISTED_SHARE of
        it) is read off the kept listing order (C-level `filter`), which stops where its
        reader stops: the shape's ten answers from a group of 125 among 1,000 memories look
        at about eighty. A smaller group is sorted, by two stable C-level sorts.
        """
        memories = self.memories
        if isinstance(ids, AbstractSet) and len(ids) * LISTED_SHARE >= len(memories):
            return map(memories.__getitem__, filter(ids.__contains__, self.listing.newest_first()))
        members = [memories[memory_id] for memory_id in ids]
        members.sort(key=_BY_ID)
        members.sort(key=_BY_CREATED, reverse=True)
        return iter(members)

    # --- entities ---------------------------------------------------------------------

    def entities(self) -> list[Entity]:
        """Entities live from their first memory until deleted, even with no memories left.

        Newest first (ties by type, then name, descending).
        """
        with self.lock:
            rows = [
                Entity(str(serial), FIELD_TYPES[name], value, len(self.by_entity[name].get(value, ())), seen)
                for (name, value), (seen, serial) in self.entity_seen.items()
            ]
        rows.sort(key=lambda e: (e.created_at, e.type, e.name), reverse=True)
        return rows

    def entity(self, kind: str, name: str) -> Entity:
        field_name = ENTITY_TYPES[kind]
        with self.lock:
            seen = self.entity_seen.get((field_name, name))
            if seen is None:
                raise NotFound("Entity not found.")
            return Entity(str(seen[1]), kind, name, len(self.by_entity[field_name].get(name, ())), seen[0])

    def entity_by_serial(self, kind: str, serial: str) -> Entity:
        with self.lock:
            for entity in self.entities():
                if entity.type == kind and entity.id == serial:
                    return entity
        raise NotFound("Entity not found.")

    def delete_entity(self, kind: str, name: str) -> list[AddResult]:
        """Delete an entity and every memory that names it; answers what was deleted."""
        field_name = ENTITY_TYPES[kind]
        with self.lock:
            if (field_name, name) not in self.entity_seen:
                raise NotFound("Entity not found.")
            doomed = [self.memories[memory_id] for memory_id in self.by_entity[field_name].get(name, ())]
            for memory in doomed:
                self._delete(memory, [])
            del self.entity_seen[(field_name, name)]
            self._forget("entity", entity_ident(field_name, name))
            if self.profiles.pop((kind, name), None) is not None:
                self._forget("profile", profile_ident(kind, name))
            return [AddResult(m.id, m.memory, "DELETE", m.user_id) for m in doomed]

    # --- exports and feedback ----------------------------------------------------------

    def create_export(self, schema: Any, selector: dict[str, Any], memories: list[Memory]) -> Export:
        data = build_export(schema, [m.as_record() for m in memories])
        export = Export(id=self.new_id(), selector=selector, data=data, created_at=self.now())
        with self.lock:
            self.exports[export.id] = export
            self.changed("export", export.id)
        return export

    def find_export(self, export_id: str | None, selector: dict[str, Any]) -> Export:
        with self.lock:
            if export_id:
                found = self.exports.get(export_id)
            else:
                matching = [e for e in self.exports.values() if e.selector == selector]
                found = matching[-1] if matching else None
        if found is None:
            raise NotFound("Memory export not found.")
        return found

    def add_feedback(self, memory_id: str, feedback: str | None, reason: str | None) -> Feedback:
        with self.lock:
            self.get(memory_id)
            record = Feedback(self.new_id(), memory_id, feedback, reason, self.now())
            self.feedback[record.id] = record
            self.changed("feedback", record.id)
            return record
