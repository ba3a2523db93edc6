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
from urllib.parse import quote

import requests

from contracts import dataset
from contracts.oracle import ENTITY_FIELDS, is_expired

__all__ = ["Client", "SeedError", "http_session", "poll", "response_text"]

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
    fetch: Callable[[], T], done: Callable[[T], bool], *, timeout: float | None = None,
    first_delay: float = 0.05, max_delay: float = 1.0,
) -> tuple[T, bool]:
    """Call `fetch` until `done(result)` or `timeout`; returns (last result, done?).

    Backs off from 50 ms to 1 s between tries (by default), so a synchronous target costs
    one call.
    """
    deadline = time.monotonic() + (max_wait() if timeout is None else timeout)
    delay = first_delay
    while True:
        result = fetch()
        if done(result):
            return result, True
        if time.monotonic() + delay > deadline:
            return result, False
        time.sleep(delay)
        delay = min(delay * 2, max_delay)


def response_text(response: requests.Response, limit: int = 600) -> str:
    """A short description of a response for assertion messages."""
    body = response.text
    if len(body) > limit:
        body = body[:limit] + "..."
    return f"{response.request.method} {response.url} -> {response.status_code} {body}"


def http_session(base_url: str) -> requests.Session:
    """A keep-alive session for a target. For one on this machine it skips requests' reading
    of proxy settings from the environment, which costs more than the request itself there
    (and no proxy stands between two processes of one machine)."""
    from contracts.receiver import is_loopback

    session = requests.Session()
    session.trust_env = not is_loopback(base_url)
    return session


def _compact(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class Client:
    """One API key against one base URL; a method per operation, named after its operationId."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = http_session(self.base_url)
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
        self, memory_id: str, *, text: str | None = None, metadata: dict[str, Any] | None = None,
        **fields: Any,
    ) -> requests.Response:
        """updateMemory: PUT /v1/memories/{id}/; `fields` go as given, None included (it clears)."""
        body = {**_compact({"text": text, "metadata": metadata}), **fields}
        return self.request("PUT", f"/v1/memories/{memory_id}/", json=body)

    def delete(self, memory_id: str, *, delete_linked: bool | None = None) -> requests.Response:
        """deleteMemory: DELETE /v1/memories/{id}/ (`delete_linked=true` also deletes what it superseded)."""
        params = {} if delete_linked is None else {"delete_linked": str(delete_linked).lower()}
        return self.request("DELETE", f"/v1/memories/{memory_id}/", params=params)

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

    # --- today's API (v3) -------------------------------------------------------------

    def add_v3(self, body: dict[str, Any]) -> requests.Response:
        """addMemoriesV3: POST /v3/memories/add/."""
        return self.request("POST", "/v3/memories/add/", json=body)

    def get_all_v3(
        self, filters: Any, *, page: int | None = None, page_size: int | None = None, **body: Any
    ) -> requests.Response:
        """getMemoriesV3: POST /v3/memories/ with `page` / `page_size` in the query (the SDKs' form)."""
        params = _compact({"page": page, "page_size": page_size})
        return self.request("POST", "/v3/memories/", params=params, json=_compact({"filters": filters, **body}))

    def search_v3(self, query: str, filters: Any, **options: Any) -> requests.Response:
        """searchMemoriesV3: POST /v3/memories/search/ (top_k, threshold, show_expired ... as options)."""
        return self.request("POST", "/v3/memories/search/", json={"query": query, "filters": filters,
                                                                   **_compact(options)})

    def summary(self, body: dict[str, Any]) -> requests.Response:
        """getSummary: POST /v1/summary/."""
        return self.request("POST", "/v1/summary/", json=body)

    def get_event(self, event_id: str) -> requests.Response:
        """getEvent: GET /v1/event/{id}/."""
        return self.request("GET", f"/v1/event/{event_id}/")

    def list_events(self, **params: Any) -> requests.Response:
        """listEvents: GET /v1/events/."""
        return self.request("GET", "/v1/events/", params=_compact(params))

    def get_entity(self, entity_type: str, name: str) -> requests.Response:
        """getEntity: GET /v2/entities/{type}/{name}/."""
        return self.request("GET", f"/v2/entities/{entity_type}/{name}/")

    def delete_entity_by_id(self, entity_type: str, serial: str) -> requests.Response:
        """deleteEntityById: DELETE /v1/entities/{type}/{numeric id}/."""
        return self.request("DELETE", f"/v1/entities/{entity_type}/{serial}/")

    def project_path(self, org: str, project: str | None = None, tail: str = "") -> str:
        path = f"/api/v1/orgs/organizations/{org}/projects/"
        return f"{path}{project}/{tail}" if project else path

    def project_call(
        self, method: str, org: str, project: str | None = None, tail: str = "", **kwargs: Any
    ) -> requests.Response:
        """listProjects / createProject / getProject / updateProject / deleteProject and the members calls."""
        return self.request(method, self.project_path(org, project, tail), **kwargs)

    def webhooks(self, project: str) -> requests.Response:
        """listWebhooks: GET /api/v1/webhooks/projects/{project}/."""
        return self.request("GET", f"/api/v1/webhooks/projects/{project}/")

    def update_webhook(self, webhook_id: str, body: dict[str, Any]) -> requests.Response:
        """updateWebhook: PUT /api/v1/webhooks/{id}/."""
        return self.request("PUT", f"/api/v1/webhooks/{webhook_id}/", json=body)

    def delete_webhook(self, webhook_id: str) -> requests.Response:
        """deleteWebhook: DELETE /api/v1/webhooks/{id}/."""
        return self.request("DELETE", f"/api/v1/webhooks/{webhook_id}/")

    def start_profile_job(self, body: dict[str, Any], idempotency_key: str | None = None) -> requests.Response:
        """startProfileJob: POST /v2/profiles/jobs/."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self.request("POST", "/v2/profiles/jobs/", json=body, headers=headers)

    def get_profile_job(self, job_id: str) -> requests.Response:
        """getProfileJob: GET /v2/profiles/jobs/{id}/."""
        return self.request("GET", f"/v2/profiles/jobs/{job_id}/")

    def get_profile(self, entity_type: str, name: str) -> requests.Response:
        """getProfile: GET /v2/entities/{type}/{name}/profile/."""
        return self.request("GET", f"/v2/entities/{entity_type}/{name}/profile/")

    def profile_settings(self) -> requests.Response:
        """getProfileSettings: GET /v2/profiles/settings/."""
        return self.request("GET", "/v2/profiles/settings/")

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

    def listing_v3(self, filters: Any, op_check: str = "listing", **body: Any) -> list[dict[str, Any]]:
        """Every page of v3 list as one list (pages of 200); raises SeedError unless each page is 200."""
        found: list[dict[str, Any]] = []
        for page in range(1, 1000):
            response = self.get_all_v3(filters, page=page, page_size=200, **body)
            payload = response.json() if response.status_code == 200 else None
            if not (isinstance(payload, dict) and isinstance(payload.get("results"), list)):
                if page > 1 and response.status_code == 404:
                    break  # a page past the end: the count was a multiple of 200
                raise SeedError(f"[getMemoriesV3] {op_check}: {response_text(response)}")
            found += payload["results"]
            if not payload.get("next"):
                break
        return found

    def add_verbatim_v3(self, messages: Any, *, op_check: str = "add", **fields: Any) -> dict[str, Any]:
        """A v3 add with `infer: false`; answers its 200 body (raises SeedError otherwise).

        `messages` is a text (one user turn) or a list of turns."""
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        response = self.add_v3({"messages": messages, "infer": False, **fields})
        body = response.json() if response.status_code == 200 else None
        if not isinstance(body, dict):
            raise SeedError(f"[addMemoriesV3] {op_check}: {response_text(response)}")
        return body

    def wait_event(self, event_id: str, *, timeout: float | None = None) -> tuple[requests.Response, bool]:
        """Poll GET /v1/event/{id}/ until it is SUCCEEDED or FAILED, at most `timeout` (--max-wait) seconds."""

        def finished(response: requests.Response) -> bool:
            if response.status_code != 200:
                return False
            try:
                return response.json().get("status") in ("SUCCEEDED", "FAILED")
            except (ValueError, AttributeError):
                return False

        return poll(lambda: self.get_event(event_id), finished, timeout=timeout)

    def seed_v3(self, ns: str, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """Store dataset.seed_requests(ns) through v3 add and return the memories as GET by id shows them.

        The full object (v1 shape: `run_id`, `keywords`, `replaced_by`) is what the oracle judges
        every filter field on; v3 list items carry neither keywords nor `run_id`.
        """
        ids: list[str] = []
        for body in dataset.seed_requests(ns):
            v3_body = {k: v for k, v in body.items() if k not in ("output_format",)}
            answer = self.add_verbatim_v3(v3_body.pop("messages"), op_check="seeding", **v3_body)
            items = _result_items(answer)
            got = [i["id"] for i in items if isinstance(i, dict) and i.get("id")]
            if len(got) != 1:
                raise SeedError(f"[addMemoriesV3] seeding {body['messages'][0]['content']!r}: results {items}")
            ids += got
        memories = self._read_each(ids, "seeded memory", timeout)
        pairs = [(field, eid) for field, ids_ in dataset.entities(ns).items() for eid in ids_]
        wanted = {m["id"] for m in memories if not is_expired(m)}
        listing, ok = poll(
            lambda: [m for f, e in pairs for m in self.listing_v3({f: e}, "seeding")],
            lambda found: wanted <= {m.get("id") for m in found},
            timeout=timeout,
        )
        if not ok:
            missing = sorted(wanted - {m["id"] for m in listing})
            raise SeedError(f"[getMemoriesV3] seeded memories not listed: {missing}")
        return memories

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
        return [*listing, *self._read_each(expired_ids, "expired seed", timeout)]

    def _read_each(self, ids: Iterable[str], what: str, timeout: float | None) -> list[dict[str, Any]]:
        """Each memory read by its id, once it can be (a `SeedError` naming `what` if not)."""
        memories = []
        for memory_id in ids:
            response, ok = poll(lambda mid=memory_id: self.get(mid), lambda r: r.status_code == 200,
                                timeout=timeout)
            if not ok:
                raise SeedError(f"[getMemory] {what} not readable by id: {response_text(response)}")
            memories.append(response.json())
        return memories

    def cleanup(
        self, ns: str, *, extra: Iterable[tuple[str, str]] = (), timeout: float | None = None, v3: bool = False
    ) -> None:
        """Delete exactly the namespace's entities' memories and check they are gone.

        `extra` adds (field, entity id) pairs a suite created besides the seed's entities; `v3`
        checks through today's list (expired memories included) instead of get-all v2.
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
        if v3:
            def remaining() -> list[dict[str, Any]]:
                return [m for f, e in pairs for m in self.listing_v3({f: e}, "cleanup", show_expired=True)]
        else:
            def remaining() -> list[dict[str, Any]]:
                return self.entity_listing(pairs)
        listing, ok = poll(remaining, lambda found: not found, timeout=timeout)
        if not ok:
            raise SeedError(
                f"[deleteMemories] cleanup left {len(listing)} memories: {[m.get('id') for m in listing]}"
            )
        # An entity outlives its memories (semantics.md, Entities): remove the rows too.
        kinds = {"user_id": "user", "agent_id": "agent", "app_id": "app", "run_id": "run"}
        for field, entity_id in pairs:
            response = self.delete_entity(kinds[field], quote(entity_id, safe=""))
            if response.status_code not in (200, 204, 404):
                failures.append(response_text(response))
        if failures:
            raise SeedError(f"[deleteEntity] cleanup failed: {failures}")


def _result_items(body: Any) -> list[Any]:
    """The items of an add answer, v1.0 (a list) or v1.1 ({"results": [...]})."""
    if isinstance(body, dict):
        body = body.get("results", [])
    return body if isinstance(body, list) else []


def _seed_text(body: Mapping[str, Any]) -> str:
    return body["messages"][0]["content"]
