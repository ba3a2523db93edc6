"""Served throughput: the mock and a bare-Flask floor, each in its own waitress process.

Each workload's requests go to the mock and, unchanged, to the floor (Flask under
waitress with the same thread count, answering a fixed JSON body of a memory's size), so
mock / floor is what the mock's own work costs on top of the stack.
"""

from __future__ import annotations

import dataclasses
import json
import pstats
import select
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .common import GETALL_CATEGORIES, QUERIES, REPO_ROOT, getall_filter, python_cmd, search_filter, subprocess_env
from .loadgen import LoadResult, Request, run_load, send
from .profiling import SERVED_PARTS, load_stats

WORKLOADS = ("get-memory", "get-all-v2", "search-v2", "add")  # add last: it grows the store
ADD_USER = "bench-writer"
STARTUP_TIMEOUT_S = 120


@dataclass
class ServedSettings:
    memories: int = 1000
    users: int = 10
    threads: int = 8
    connections: int = 8
    duration: float = 3.0  # per round
    rounds: int = 5  # floor and mock alternate; the median round counts (robust to a busy neighbour)
    warmup: float = 1.0
    use_wrk: bool | None = None


def median_round(rounds: list[LoadResult]) -> LoadResult:
    return sorted(rounds, key=lambda r: r.rps)[(len(rounds) - 1) // 2]


@dataclass
class ServedRow:
    workload: str
    mock_rounds: list[LoadResult]
    floor_rounds: list[LoadResult]
    response_bytes: int

    @property
    def mock(self) -> LoadResult:
        return median_round(self.mock_rounds)

    @property
    def floor(self) -> LoadResult:
        return median_round(self.floor_rounds)

    @property
    def ratio(self) -> float:
        return self.mock.rps / self.floor.rps if self.floor.rps else 0.0


@dataclass
class ServedResults:
    settings: ServedSettings
    rows: list[ServedRow]
    stored_before: int
    stored_after: int


class ServerProcess:
    """`python -m benchmarks.serve` as a child; stopped by closing its stdin."""

    def __init__(self, kind: str, settings: ServedSettings, profile: Path | None = None) -> None:
        command = python_cmd(
            "benchmarks.serve", "--kind", kind, "--memories", str(settings.memories),
            "--users", str(settings.users), "--threads", str(settings.threads),
        )
        if profile is not None:
            command += ["--profile", str(profile)]
        self._stderr: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, env=subprocess_env(), cwd=REPO_ROOT,
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], STARTUP_TIMEOUT_S)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.kill()
            raise RuntimeError(f"{kind} server did not start: {self._stderr_tail()}")
        self.info: dict[str, Any] = json.loads(line)
        self.url = f"http://127.0.0.1:{self.info['port']}"

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-2000:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> dict[str, Any]:
        """Close stdin, wait for the final JSON line (the server writes its profile first)."""
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            return {}
        finally:
            self._stderr.close()
        lines = [line for line in out.splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.stop()


def plan_for(workload: str, info: dict[str, Any]) -> list[Request]:
    """The requests of one workload, sent round-robin (several ids, users and queries)."""
    users: list[str] = info["user_ids"]
    if workload == "get-memory":
        return [Request("GET", f"/v1/memories/{mid}/") for mid in info["memory_ids"][:100]]
    if workload == "get-all-v2":
        return [
            Request("POST", "/v2/memories/", json.dumps({"filters": getall_filter(user, category)}))
            for user in users
            for category in GETALL_CATEGORIES
        ]
    if workload == "search-v2":
        return [
            Request("POST", "/v2/memories/search/", json.dumps(
                {"query": query, "filters": search_filter(user), "top_k": 10}
            ))
            for user in users
            for query in QUERIES
        ]
    if workload == "add":
        return [
            Request("POST", "/v1/memories/", json.dumps({
                "messages": [{"role": "user", "content": f"Likes benchmark tea blend number {i}"}],
                "user_id": ADD_USER,
                "infer": False,
            }))
            for i in range(64)
        ]
    raise ValueError(workload)


def check_plan(url: str, plan: list[Request], workload: str) -> int:
    """Send a few of the plan's requests once: each must answer 200 with JSON; mean body size."""
    sizes = []
    for request in plan[: 1 if workload == "add" else 5]:
        status, body = send(url, request)
        if status != 200:
            raise RuntimeError(f"{workload}: {request.method} {request.path} answered {status}: {body[:300]!r}")
        json.loads(body)
        sizes.append(len(body))
    return round(sum(sizes) / len(sizes))


def _load(url: str, plan: list[Request], settings: ServedSettings, seconds: float) -> LoadResult:
    return run_load(url, plan, seconds, settings.connections, settings.use_wrk)


def measure_served(settings: ServedSettings) -> ServedResults:
    """Every workload: warm both servers, then alternate floor and mock rounds."""
    rows = []
    with ServerProcess("floor", settings) as floor, ServerProcess("mock", settings) as mock:
        stored_before = settings.memories
        for workload in WORKLOADS:
            plan = plan_for(workload, mock.info)
            check_plan(floor.url, plan, workload)
            size = check_plan(mock.url, plan, workload)
            rounds: dict[str, list[LoadResult]] = {"floor": [], "mock": []}
            if settings.warmup > 0:
                for server in (floor, mock):
                    _load(server.url, plan, settings, settings.warmup)
            for _ in range(max(1, settings.rounds)):
                for name, server in (("floor", floor), ("mock", mock)):
                    rounds[name].append(_load(server.url, plan, settings, settings.duration))
            rows.append(ServedRow(workload, rounds["mock"], rounds["floor"], size))
        stored_after = int(mock.stop().get("stored_after", 0))
    return ServedResults(settings, rows, stored_before, stored_after)


def _profiled_run(kind: str, plan: list[Request] | None, workload: str, settings: ServedSettings, seconds: float,
                  path: Path) -> tuple[LoadResult, list[Request]]:
    """A load run against a profiling server; the floor reuses the mock's plan."""
    server = ServerProcess(kind, settings, profile=path)
    try:
        plan = plan or plan_for(workload, server.info)
        return _load(server.url, plan, settings, seconds), plan
    finally:
        server.stop()


def profile_served(workload: str, settings: ServedSettings, seconds: float) -> str:
    """cProfile of the app's request handling in the mock and the floor under load (one worker thread)."""
    settings = dataclasses.replace(settings, threads=1)
    with tempfile.TemporaryDirectory(prefix="mem0-bench-prof-") as tmp:
        mock_path, floor_path = Path(tmp) / "mock.prof", Path(tmp) / "floor.prof"
        mock, plan = _profiled_run("mock", None, workload, settings, seconds, mock_path)
        floor, _ = _profiled_run("floor", plan, workload, settings, seconds, floor_path)
        if not mock_path.exists() or not floor_path.exists():
            return f"(no profile written for {workload})"
        mock_cpu = pstats.Stats(str(mock_path)).total_tt  # type: ignore[attr-defined]
        floor_cpu = pstats.Stats(str(floor_path)).total_tt  # type: ignore[attr-defined]
        per_mock = 1e6 * mock_cpu / max(1, mock.requests)
        per_floor = 1e6 * floor_cpu / max(1, floor.requests)
        title = (
            f"served {workload}: time inside the WSGI app under load, cProfile of waitress's single worker thread "
            f"(profiled runs use threads=1 so GIL waits are not charged to functions); waitress's own "
            f"socket/HTTP work is outside it.\n"
            f"mock: {per_mock:,.0f} us per request ({mock.requests} requests); floor app: {per_floor:,.0f} us "
            f"per request ({floor.requests} requests); both under cProfile, so inflated alike."
        )
        return load_stats(mock_path, title=title, parts=SERVED_PARTS)
