"""Webhooks: a project's subscriptions, and their delivery in the background.

When a memory of a project is added, updated, deleted or categorised, every active
webhook of that project whose `event_types` include the change gets an HTTP POST of the
documented payload. Deliveries run on their own threads with retries and exponential
backoff, so a slow or dead receiver never slows an API call; every attempt is recorded
(status, time, error). The HTTP call itself is a `Transport` the server injects: the
engine speaks no HTTP.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

log = logging.getLogger("mem0_mock.webhooks")

MEMORY_EVENT_TYPES = ("memory_add", "memory_update", "memory_delete", "memory_categorize")
EVENT_TYPES = (
    *MEMORY_EVENT_TYPES,
    "ingest_job_completed",
    "ingest_job_partially_completed",
    "ingest_job_failed",
    "ingest_job_cancelled",
)
CHANGE_EVENT_TYPES = {"ADD": "memory_add", "UPDATE": "memory_update", "DELETE": "memory_delete"}

# url, body, headers, timeout in seconds -> the receiver's HTTP status (raises when unreachable)
Transport = Callable[[str, bytes, Mapping[str, str], float], int]


@dataclass(slots=True)
class Webhook:
    webhook_id: str
    name: str
    url: str
    event_types: list[str]
    is_active: bool
    project: str  # the project's name, as the API shows it
    owner: str
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class Attempt:
    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float


@dataclass(slots=True)
class Delivery:
    id: str
    webhook_id: str
    event_type: str
    url: str
    payload: dict[str, Any]
    created_at: datetime
    status: str = "pending"  # pending | delivered | failed
    attempts: list[Attempt] = field(default_factory=list)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard to try: `attempts` in all, waiting `backoff_seconds`, then twice that, ..."""

    attempts: int = 4
    backoff_seconds: float = 0.5
    timeout_seconds: float = 5.0


def change_payload(event: str, memory_id: str, text: str) -> dict[str, Any]:
    """The documented body of memory_add / memory_update / memory_delete deliveries."""
    return {"event_details": {"id": memory_id, "data": {"memory": text}, "event": event}}


def categorize_payload(memory_id: str, categories: Iterable[str]) -> dict[str, Any]:
    """The documented body of memory_categorize deliveries (note: `memory_id`, not `id`)."""
    return {"event_details": {"event": "CATEGORIZE", "memory_id": memory_id, "categories": list(categories)}}


class WebhookDispatcher:
    """Sends deliveries on a small thread pool; one per service."""

    def __init__(
        self, transport: Transport | None = None, policy: DeliveryPolicy | None = None, workers: int = 4
    ) -> None:
        self.transport = transport
        self.policy = policy or DeliveryPolicy()
        self._workers = workers
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()
        self._stopping = threading.Event()

    def dispatch(
        self,
        webhooks: Iterable[Webhook],
        event_type: str,
        payload: dict[str, Any],
        record: Callable[[Delivery], None],
        new_id: Callable[[], str],
        now: Callable[[], datetime],
        attempted: Callable[[Delivery], None] | None = None,
    ) -> None:
        """Queue one delivery per active webhook subscribed to `event_type`; `attempted` is
        told (on the sender's thread) after each attempt is recorded."""
        for webhook in webhooks:
            if not webhook.is_active or event_type not in webhook.event_types:
                continue
            delivery = Delivery(new_id(), webhook.webhook_id, event_type, webhook.url, payload, now())
            record(delivery)
            self._submit(delivery, now, attempted)

    def _submit(
        self, delivery: Delivery, now: Callable[[], datetime], attempted: Callable[[Delivery], None] | None
    ) -> None:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="mem0-mock-webhooks")
            future = self._executor.submit(self._deliver, delivery, now, attempted)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _deliver(
        self, delivery: Delivery, now: Callable[[], datetime], attempted: Callable[[Delivery], None] | None
    ) -> None:
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "mem0-mock-webhooks",
            # Not documented by Mem0 (its deliveries carry no headers of their own): mock-only help.
            "X-Mem0-Event": delivery.event_type,
            "X-Mem0-Webhook-Id": delivery.webhook_id,
            "X-Mem0-Delivery": delivery.id,
        }
        wait = self.policy.backoff_seconds
        for number in range(1, self.policy.attempts + 1):
            status, error, began = None, None, time.perf_counter()
            try:
                if self.transport is None:
                    raise ConnectionError("no transport configured")
                status = self.transport(delivery.url, body, headers, self.policy.timeout_seconds)
            except Exception as exc:  # noqa: BLE001 - any failure of the receiver is recorded, never raised
                error = f"{type(exc).__name__}: {exc}"[:500]
            elapsed = (time.perf_counter() - began) * 1000
            ok = status is not None and 200 <= status < 300
            if not ok and error is None:
                error = f"HTTP {status}"
            with self._lock:
                delivery.attempts.append(Attempt(number, now(), status, None if ok else error, round(elapsed, 3)))
                if ok or number == self.policy.attempts:
                    delivery.status = "delivered" if ok else "failed"
            if attempted is not None:
                try:
                    attempted(delivery)
                except Exception:  # noqa: BLE001 - saving it failed; the next save retries
                    log.exception("could not save webhook delivery %s", delivery.id)
            if ok or number == self.policy.attempts or self._stopping.wait(wait):
                return
            wait *= 2

    def snapshot(self, delivery: Delivery) -> Delivery:
        """A consistent copy of a delivery that a worker may still be updating."""
        with self._lock:
            return Delivery(
                delivery.id,
                delivery.webhook_id,
                delivery.event_type,
                delivery.url,
                delivery.payload,
                delivery.created_at,
                delivery.status,
                list(delivery.attempts),
            )

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for every delivery queued so far (tests, snapshots); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return True
            for future in pending:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    future.result(timeout=left)
                except FutureTimeout:
                    return False

    def close(self) -> None:
        """Stop retrying (deliveries in flight finish their current attempt)."""
        self._stopping.set()
        with self._lock:
            executor = self._executor
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
