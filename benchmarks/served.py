"""Served throughput, side by side in one run: the mock and a bare-Flask floor under each HTTP
server (waitress, gunicorn with threads, granian), and Prism on the project's spec.

Every server process is started once and kept for the whole run (one process each: the
mock's state lives in it). Per workload every target gets the same requests: a warm-up,
then rounds that alternate over all the targets, so a neighbour's burst of CPU skews one
round of one target rather than one target's result; the median round counts.

The floor (Flask reading the request, answering a fixed JSON body of a memory's size on any path) is measured
on every server for the read workloads; the fastest of them (geometric mean over those
workloads) is the server of the floor the ratios use, and the only floor measured on the
later workloads. The mock counts as `mem0-mock` serves it by default (granian where
installed); its rows under the other servers show what the choice of server is worth.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pstats
import select
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from mock_server.server.serving import DEFAULT_THREADS, GRANIAN_THREADS, default_server

from . import prism as prism_mod
from . import shape
from .common import GETALL_CATEGORIES, QUERIES, REPO_ROOT, getall_filter, python_cmd, search_filter, subprocess_env
from .loadgen import LoadResult, Request, run_load, send
from .profiling import SERVED_PARTS, load_stats
from .serve import SERVERS, missing

READ_WORKLOADS = ("get-memory", "get-all-v2", "search-v2", "search-v3")
SHAPE_WORKLOADS = shape.SHAPE_WORKLOADS
WORKLOADS = (*READ_WORKLOADS, *SHAPE_WORKLOADS, "add")  # add last: it grows the store
ADD_USER = "bench-writer"
STARTUP_TIMEOUT_S = 120


@dataclass
class ServedSettings:
    memories: int = 1000
    users: int = 10
    shape: int = shape.SHAPE_COUNT
    threads: int | None = None  # None: each server's count as mem0-mock serves with it
    connections: int = 8
    duration: float = 1.0  # per round (wrk counts whole seconds)
    rounds: int = 3  # all targets alternate; the median round counts
    warmup: float = 1.0  # per target and workload, before the rounds
    use_wrk: bool | None = None
    servers: tuple[str, ...] = SERVERS
    prism: str = "install"  # "install" (npm, when missing), "cached" (only if installed already) or "off"
    workloads: tuple[str, ...] = WORKLOADS

    def threads_for(self, server: str) -> int:
        """Floor and mock run with the same threads: `--threads`, else mem0-mock's default for the
        server (gunicorn, like granian, runs one process under the interpreter's lock)."""
        if self.threads is not None:
            return self.threads
        return DEFAULT_THREADS if server == "waitress" else GRANIAN_THREADS


def median_round(rounds: list[LoadResult]) -> LoadResult:
    return sorted(rounds, key=lambda r: r.rps)[(len(rounds) - 1) // 2]


@dataclass
class Cell:
    """One target's rounds on one workload."""

    rounds: list[LoadResult]
    response_bytes: int

    @property
    def median(self) -> LoadResult:
        return median_round(self.rounds)

    @property
    def rps(self) -> float:
        return self.median.rps

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)


def target(kind: str, server: str) -> str:
    return f"{kind}@{server}"


@dataclass
class ServedResults:
    settings: ServedSettings
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # workload -> target -> cell
    servers: list[str] = field(default_factory=list)  # the servers measured
    skipped: dict[str, str] = field(default_factory=dict)  # server or "prism" -> why it was not run
    failures: dict[str, str] = field(default_factory=dict)  # "workload target" -> what it answered instead
    default_server: str = ""  # the one mem0-mock serves with by default
    chosen: str = ""  # the server of the fastest floor: the floor of the ratios
    floor_scores: dict[str, float] = field(default_factory=dict)  # server -> geometric mean floor req/s
    prism_note: str = ""
    stored_before: int = 0
    stored_after: int = 0
    shape_share: float = 0.0  # share of the shape's memories holding a word of its query

    def cell(self, workload: str, name: str) -> Cell | None:
        return self.cells.get(workload, {}).get(name)

    def mock(self, workload: str, server: str | None = None) -> Cell | None:
        return self.cell(workload, target("mock", server or self.default_server))

    def floor(self, workload: str, server: str | None = None) -> Cell | None:
        return self.cell(workload, target("floor", server or self.chosen))

    def prism(self, workload: str) -> Cell | None:
        return self.cell(workload, "prism")


class Target(Protocol):
    name: str
    url: str
    info: dict[str, Any]

    def stop(self) -> dict[str, Any]: ...


class ServerProcess:
    """`python -m benchmarks.serve` as a child; stopped by closing its stdin."""

    def __init__(self, kind: str, settings: ServedSettings, server: str = "waitress", profile: Path | None = None,
                 data: Path | None = None) -> None:
        self.name = target(kind, server)
        command = python_cmd(
            "benchmarks.serve", "--kind", kind, "--server", server, "--memories", str(settings.memories),
            "--users", str(settings.users), "--shape", str(settings.shape),
            "--threads", str(settings.threads_for(server)),
        )
        if profile is not None:
            command += ["--profile", str(profile)]
        if data is not None:
            command += ["--data", str(data)]
        self._stderr: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, env=subprocess_env(), cwd=REPO_ROOT,
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], STARTUP_TIMEOUT_S)
        line = self.proc.stdout.readline() if ready else ""
        info = json.loads(line) if line.startswith("{") else {}
        if "port" not in info:
            self.kill()
            raise RuntimeError(f"{self.name} did not start: {line.strip()} {self._stderr_tail()}")
        self.info: dict[str, Any] = info
        self.url = f"http://127.0.0.1:{info['port']}"

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-2000:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._stderr.close()

    def state(self) -> dict[str, Any]:
        """The mock's counts (GET /_mock/state)."""
        status, body = send(self.url, Request("GET", "/_mock/state"))
        return json.loads(body) if status == 200 else {}

    def stop(self) -> dict[str, Any]:
        """Close stdin, wait for the final JSON line (the server writes its profile first)."""
        if self._stderr.closed:
            return {}
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            return {}
        self._stderr.close()
        lines = [line for line in out.splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None or not self._stderr.closed:
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
    if workload in ("search-v2", "search-v3"):
        path = f"/{workload.rsplit('-', 1)[1]}/memories/search/"
        return [
            Request("POST", path, json.dumps({"query": query, "filters": search_filter(user), "top_k": 10}))
            for user in users
            for query in QUERIES
        ]
    if workload in SHAPE_WORKLOADS:
        return shape.plan(workload, info["shape_memory_ids"])
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


def _log(text: str) -> None:
    print(f"[bench]   {text}", file=sys.stderr, flush=True)


def geometric_mean(values: list[float]) -> float:
    positive = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in positive) / len(positive)) if positive else 0.0


def choose_floor(results: ServedResults) -> str:
    """The server whose floor is fastest over the read workloads measured so far."""
    for server in results.servers:
        rates = [c.rps for w in READ_WORKLOADS if (c := results.floor(w, server)) is not None]
        results.floor_scores[server] = geometric_mean(rates)
    return max(results.servers, key=lambda s: results.floor_scores.get(s, 0.0))


def _start_prism(settings: ServedSettings, results: ServedResults) -> prism_mod.PrismProcess | None:
    if settings.prism == "off":
        results.skipped["prism"] = "not run (switched off)"
        return None
    executable, note = prism_mod.find(install=settings.prism == "install")
    results.prism_note = note
    if executable is None:
        results.skipped["prism"] = note
        return None
    try:
        return prism_mod.PrismProcess(executable)
    except RuntimeError as exc:
        results.skipped["prism"] = f"not run: {exc}"
        return None


def _measure_workload(workload: str, targets: list[Target], results: ServedResults, settings: ServedSettings,
                      ref: dict[str, Any]) -> None:
    plans: dict[str, list[Request]] = {}
    sizes: dict[str, int] = {}
    for t in targets:
        plan = plan_for(workload, t.info if t.name.startswith("mock@") else ref)
        try:
            sizes[t.name] = check_plan(t.url, plan, workload)
        except (RuntimeError, ValueError, OSError) as exc:
            if t.name != "prism":
                raise
            results.failures[f"{workload} {t.name}"] = str(exc)[:300]
            continue
        plans[t.name] = plan
    live = [t for t in targets if t.name in plans]
    if settings.warmup > 0:
        for t in live:
            _load(t.url, plans[t.name], settings, settings.warmup)
    rounds: dict[str, list[LoadResult]] = {t.name: [] for t in live}
    for _ in range(max(1, settings.rounds)):
        for t in live:
            rounds[t.name].append(_load(t.url, plans[t.name], settings, settings.duration))
    results.cells[workload] = {name: Cell(rounds[name], sizes[name]) for name in rounds}
    _log(f"{workload}: " + ", ".join(f"{name} {results.cells[workload][name].rps:,.0f}" for name in rounds)
         + " req/s")


def measure_served(settings: ServedSettings) -> ServedResults:
    """Start every target once; per workload warm each, then alternate their rounds."""
    results = ServedResults(settings)
    for server in settings.servers:
        reason = missing(server)
        if reason:
            results.skipped[server] = reason
        else:
            results.servers.append(server)
    if not results.servers:
        raise RuntimeError(f"no server to measure: {results.skipped}")
    preferred = default_server()
    results.default_server = preferred if preferred in results.servers else results.servers[0]
    results.shape_share = shape.matching_share(settings.shape)
    with ExitStack() as stack:
        processes: dict[str, Target] = {}
        for kind in ("floor", "mock"):
            for server in results.servers:
                process = stack.enter_context(ServerProcess(kind, settings, server))
                processes[process.name] = process
        prism = _start_prism(settings, results)
        if prism is not None:
            stack.enter_context(prism)
            processes["prism"] = prism
        default_mock = processes[target("mock", results.default_server)]
        assert isinstance(default_mock, ServerProcess)
        ref = default_mock.info  # the floor and Prism get the default mock's requests
        results.stored_before = int(default_mock.state().get("memories", 0))
        for workload in settings.workloads:
            if workload in READ_WORKLOADS:
                names = list(processes)
            else:
                if not results.chosen:
                    results.chosen = choose_floor(results)
                names = [n for n in processes if not n.startswith("floor@") or n == target("floor", results.chosen)]
            _measure_workload(workload, [processes[n] for n in names], results, settings, ref)
        if not results.chosen:
            results.chosen = choose_floor(results)
        results.stored_after = int(default_mock.state().get("memories", 0))
    return results


def _profiled_run(kind: str, plan: list[Request] | None, workload: str, settings: ServedSettings, seconds: float,
                  path: Path, data: Path | None = None) -> tuple[LoadResult, list[Request]]:
    """A load run against a profiling server (waitress, in the app's process); the floor reuses the mock's plan."""
    server = ServerProcess(kind, settings, "waitress", profile=path, data=data)
    try:
        plan = plan or plan_for(workload, server.info)
        return _load(server.url, plan, settings, seconds), plan
    finally:
        server.stop()


def profile_served(workload: str, settings: ServedSettings, seconds: float, data: bool = False) -> str:
    """cProfile of the app's request handling in the mock and the floor under load (one worker thread).

    `data`: the mock keeps its state in a fresh SQLite file, as `mem0-mock --data` does.
    """
    settings = dataclasses.replace(settings, threads=1)
    with tempfile.TemporaryDirectory(prefix="mem0-bench-prof-") as tmp:
        mock_path, floor_path = Path(tmp) / "mock.prof", Path(tmp) / "floor.prof"
        db = Path(tmp) / "state.db" if data else None
        mock, plan = _profiled_run("mock", None, workload, settings, seconds, mock_path, db)
        floor, _ = _profiled_run("floor", plan, workload, settings, seconds, floor_path)
        if not mock_path.exists() or not floor_path.exists():
            return f"(no profile written for {workload})"
        mock_cpu = pstats.Stats(str(mock_path)).total_tt  # type: ignore[attr-defined]
        floor_cpu = pstats.Stats(str(floor_path)).total_tt  # type: ignore[attr-defined]
        per_mock = 1e6 * mock_cpu / max(1, mock.requests)
        per_floor = 1e6 * floor_cpu / max(1, floor.requests)
        state = " with --data (SQLite)" if data else ""
        title = (
            f"served {workload}{state}: time inside the WSGI app under load, cProfile of one waitress worker thread "
            f"(profiled runs use waitress with threads=1 so GIL waits are not charged to functions; the app's "
            f"work is the same under every server); the server's own socket/HTTP work is outside it.\n"
            f"mock: {per_mock:,.0f} us per request ({mock.requests} requests); floor app: {per_floor:,.0f} us "
            f"per request ({floor.requests} requests); both under cProfile, so inflated alike."
        )
        return load_stats(mock_path, title=title, parts=SERVED_PARTS)

