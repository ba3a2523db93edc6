"""A thin client for the Mem0 Platform Memory API, for contract suites.

Every method returns the raw `requests.Response`: suites judge status codes and bodies
themselves, so the client never raises on an HTTP error. `seed` / `cleanup` store and
remove the data set of `contracts.dataset` inside one namespace, tolerating targets that
process adds asynchronously (they poll with a bounded wait, never a fixed sleep).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import requests

from contracts import dataset
from contracts.oracle import ENTITY_FIELDS, is_expired

__all__ = ["Client", "SeedError", "poll", "response_text"]

T = TypeVar("T")

DEFAULT_WAIT = 30.0  # seconds a write may take to become visible (`--max-wait` sets it)


def max_wait() -> float:
    return DEFAULT_WAIT


def set_max_wait(seconds: float) -> None:
    """How long polls wait for a write to become visible (slow services want more)."""
    global DEFAULT_WAIT
    DEFAULT_WAIT = seconds


class SeedError(AssertionError):
    """The target did not store or remove the seed data set as asked."""


def poll(
    fetch: Callable[[], T], done: Callable[[T], bool], *, timeout: float | None = None
) -> tuple[T, bool]:
    """Call `fetch` until `done(result)` or `timeout`; returns (last result, done?).

    Backs off from 50 ms to 1 s between tries, so a synchronous target costs one call.
    """
    deadline = time.monotonic() + (max_wait() if timeout is None else timeout)
    delay = 0.05
    while True:
        result = fetch()
        if done(result):
            return result, True
        if time.monotonic() + delay > deadline:
            return result, False
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def response_text(response: requests.Response, limit: int = 600) -> str:
    """A short description of a response for assertion messages."""
    body = response.text
    if len(body) > limit:
        body = body[:limit] + "..."
    return f"{response.request.method} {response.url} -> {response.status_code} {body}"


def _compact(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class Client:
    """One API key against one base URL; a method per operation, named after its operationId."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Token {api_key}", "Accept": "application/json"}
        )

    def close(self) -> None:
        self.session.close()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, f"{self.base_url}{path}", **kwargs)

    # --- memories -----------------------------------------------------------------

    def add(self, body: dict[str, Any]) -> requests.Response:
        """addMemories: POST /v1/memories/."""
        return self.request("POST", "/v1/memories/", json=body)

    def search_v2(self, query: str, filters: Any, **options: Any) -> requests.Response:
        """searchMemoriesV2: POST /v2/memories/search/ (top_k, threshold, fields ... as options)."""
        body = {"query": query, "filters": filters, **_compact(options)}
        return self.request("POST", "/v2/memories/search/", json=body)

    def search_v1(self, query: str, **options: Any) -> requests.Response:
        """searchMemoriesV1: POST /v1/memories/search/."""
        return self.request("POST", "/v1/memories/search/", json={"query": query, **_compact(options)})

    def get_all_v2(
        self,
        filters: Any,
        *,
        fields: list[str] | None = None,
        page: int | None = None,
        page_size: int | None = None,
        **body: Any,
    ) -> requests.Response:
        """getMemoriesV2: POST /v2/memories/ with filters/fields in the body (the SDK's form)."""
        params = _compact({"page": page, "page_size": page_size})
        payload = _compact({"filters": filters, "fields": fields, **body})
        return self.request("POST", "/v2/memories/", params=params, json=payload)

    def get_all_v1(self, **params: Any) -> requests.Response:
        """getMemoriesV1: GET /v1/memories/?user_id=...&page=...."""
        return self.request("GET", "/v1/memories/", params=_compact(params))

    def get(self, memory_id: str) -> requests.Response:
        """getMemory: GET /v1/memories/{id}/."""
        return self.request("GET", f"/v1/memories/{memory_id}/")

    def update(
        self, memory_id: str, *, text: str | None = None, metadata: dict[str, Any] | None = None
    ) -> requests.Response:
        """updateMemory: PUT /v1/memories/{id}/."""
        return self.request(
            "PUT", f"/v1/memories/{memory_id}/", json=_compact({"text": text, "metadata": metadata})
        )

    def delete(self, memory_id: str) -> requests.Response:
        """deleteMemory: DELETE /v1/memories/{id}/."""
        return self.request("DELETE", f"/v1/memories/{memory_id}/")

    def history(self, memory_id: str) -> requests.Response:
        """getMemoryHistory: GET /v1/memories/{id}/history/."""
        return self.request("GET", f"/v1/memories/{memory_id}/history/")

    def batch_update(self, memories: list[dict[str, Any]]) -> requests.Response:
        """batchUpdateMemories: PUT /v1/batch/ {"memories": [{memory_id, text?, metadata?}]}."""
        return self.request("PUT", "/v1/batch/", json={"memories": memories})

    def batch_delete(self, body: dict[str, Any]) -> requests.Response:
        """batchDeleteMemories: DELETE /v1/batch/ with either documented body form."""
        return self.request("DELETE", "/v1/batch/", json=body)

    def delete_all(self, *, metadata: dict[str, Any] | None = None, **entity: str | None) -> requests.Response:
        """deleteMemories: DELETE /v1/memories/?user_id=...; metadata goes as JSON text."""
        params = _compact(entity)
        if metadata is not None:
            params["metadata"] = json.dumps(metadata)
        return self.request("DELETE", "/v1/memories/", params=params)

    # --- exports, feedback, service --------------------------------------------------

    def create_export(self, body: dict[str, Any]) -> requests.Response:
        """createMemoryExport: POST /v1/exports/."""
        return self.request("POST", "/v1/exports/", json=body)

    def get_export(self, body: dict[str, Any]) -> requests.Response:
        """getMemoryExport: POST /v1/exports/get/."""
        return self.request("POST", "/v1/exports/get/", json=body)

    def feedback(self, body: dict[str, Any]) -> requests.Response:
        """createFeedback: POST /v1/feedback/."""
        return self.request("POST", "/v1/feedback/", json=body)

    def ping(self) -> requests.Response:
        """ping: GET /v1/ping/."""
        return self.request("GET", "/v1/ping/")

    def list_entities(self, **params: Any) -> requests.Response:
        """listEntities: GET /v1/entities/."""
        return self.request("GET", "/v1/entities/", params=_compact(params))

    def delete_entity(self, entity_type: str, entity_id: str) -> requests.Response:
        """deleteEntity: DELETE /v2/entities/{type}/{id}/."""
        return self.request("DELETE", f"/v2/entities/{entity_type}/{entity_id}/")

    # --- helpers over several calls ----------------------------------------------------

    def listing(self, filters: Any) -> list[dict[str, Any]]:
        """get-all v2 as a list; raises SeedError unless the target answers 200 with a list."""
        response = self.get_all_v2(filters)
        body = response.json() if response.status_code == 200 else None
        if not isinstance(body, list):
            raise SeedError(f"[getMemoriesV2] listing failed: {response_text(response)}")
        return body

    def add_verbatim(
        self, text: str, *, timeout: float | None = None, **fields: Any
    ) -> str:
        """Store `text` as one memory (infer false) and return its id once it is readable.

        `fields` are extra body fields (entity ids, metadata, immutable ...). A target that
        queues the add is polled through get-all v2 on the entity ids given.
        """
        body = {
            "messages": [{"role": "user", "content": text}],
            "infer": False,
            "output_format": "v1.1",
            **fields,
        }
        response = self.add(body)
        if response.status_code != 200:
            raise SeedError(f"[addMemories] add failed: {response_text(response)}")
        items = _result_items(response.json())
        ids = [item["id"] for item in items if isinstance(item, dict) and item.get("id")]
        if ids:
            return ids[0]
        entity = {k: fields[k] for k in ENTITY_FIELDS if fields.get(k)}
        listing, ok = poll(
            lambda: self.listing({"AND": [{k: v} for k, v in entity.items()]}),
            lambda found: any(m.get("memory") == text for m in found),
            timeout=timeout,
        )
        if not ok:
            raise SeedError(f"[addMemories] {text!r} not visible after {timeout or max_wait()}s (queued add)")
        return next(m["id"] for m in listing if m.get("memory") == text)

    def entity_listing(self, pairs: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        """Memories of these entities, one plain equality filter each.

        Seeding and cleanup must not depend on the operators the suite is judging (a target
        that evaluates OR as AND would otherwise fail in setup, not in the OR check).
        """
        found: dict[str, dict[str, Any]] = {}
        for field, entity_id in pairs:
            for memory in self.listing({field: entity_id}):
                found.setdefault(memory.get("id"), memory)
        return list(found.values())

    def seed(self, ns: str, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """Store dataset.seed_requests(ns) and return the seeded memories as the target shows them.

        Polls get-all v2 on the namespace until every non-expired seed is listed. The expired
        seed is listed by nobody, so it is read by id when the add answer names its id.
        """
        requests_ = dataset.seed_requests(ns)
        expired_ids: list[str] = []
        for body in requests_:
            response = self.add(body)
            if response.status_code != 200:
                raise SeedError(f"[addMemories] seeding failed: {response_text(response)}")
            if is_expired(body):
                items = _result_items(response.json())
                expired_ids += [i["id"] for i in items if isinstance(i, dict) and i.get("id")]
        wanted = {_seed_text(b) for b in requests_ if not is_expired(b)}
        pairs = [(field, eid) for field, ids in dataset.entities(ns).items() for eid in ids]
        listing, ok = poll(
            lambda: self.entity_listing(pairs),
            lambda found: wanted <= {m.get("memory") for m in found},
            timeout=timeout,
        )
        if not ok:
            missing = wanted - {m.get("memory") for m in listing}
            waited = timeout or max_wait()
            raise SeedError(f"[getMemoriesV2] seeded memories not listed after {waited}s: {sorted(missing)}")
        memories = list(listing)
        for memory_id in expired_ids:
            response, ok = poll(lambda mid=memory_id: self.get(mid), lambda r: r.status_code == 200,
                                timeout=timeout)
            if not ok:
                raise SeedError(f"[getMemory] expired seed not readable by id: {response_text(response)}")
            memories.append(response.json())
        return memories

    def cleanup(self, ns: str, *, extra: Iterable[tuple[str, str]] = (), timeout: float | None = None) -> None:
        """Delete exactly the namespace's entities' memories and check they are gone.

        `extra` adds (field, entity id) pairs a suite created besides the seed's entities.
        """
        pairs = [(field, eid) for field, ids in dataset.entities(ns).items() for eid in ids]
        pairs += list(extra)
        failures = []
        for field, entity_id in pairs:
            response = self.delete_all(**{field: entity_id})
            if response.status_code not in (200, 204, 404):
                failures.append(response_text(response))
        if failures:
            raise SeedError(f"[deleteMemories] cleanup failed: {failures}")
        listing, ok = poll(lambda: self.entity_listing(pairs), lambda found: not found, timeout=timeout)
        if not ok:
            raise SeedError(
                f"[deleteMemories] cleanup left {len(listing)} memories: {[m.get('id') for m in listing]}"
            )


def _result_items(body: Any) -> list[Any]:
    """The items of an add answer, v1.0 (a list) or v1.1 ({"results": [...]})."""
    if isinstance(body, dict):
        body = body.get("results", [])
    return body if isinstance(body, list) else []


def _seed_text(body: Mapping[str, Any]) -> str:
    return body["messages"][0]["content"]
