"""Work the service accepts now and does later: queued adds, profile jobs.

One worker thread takes jobs in the order they came, as the real service's queue would
for one project. `inline=True` runs each job before `submit` returns instead: with a
frozen clock time stands still, so nothing should be left half-done between two
requests, and answers stay repeatable. A job runs in a copy of the context it was
submitted from, so whatever the caller keeps in context variables (the server: which
request asked for the work) is still there when the job runs.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

log = logging.getLogger("mem0_mock.jobs")


class Jobs:
    def __init__(self, inline: bool = False) -> None:
        self.inline = inline
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()

    def submit(self, job: Callable[[], None], *, inline: bool = False) -> None:
        """Run `job` later (or now, when this queue or the caller says inline). A job handles
        its own failures; anything it lets escape is logged, never raised into the request
        that queued it."""
        if self.inline or inline:
            self._run(job)
            return
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mem0-mock-jobs")
            future = self._executor.submit(contextvars.copy_context().run, self._run, job)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every job submitted so far is done; False if `timeout` ran out first."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            try:
                future.result(timeout=timeout)
            except FutureTimeout:
                return False
        return True

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    @staticmethod
    def _run(job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:  # noqa: BLE001 - a job's failure must not take the worker down
            log.exception("background job failed")
