"""Run every benchmark and write benchmarks/RESULTS.md: `python -m benchmarks.run`.

In one run, in this order:

- served throughput (`served.py`): the mock and a bare-Flask floor under waitress (8
  threads), gunicorn (1 gthread worker, 2 threads) and granian (2 threads, as mem0-mock
  serves), and Prism 5.16 mocking spec/openapi.yaml, side by side on get memory, get-all
  v2, search v2, search v3, the shape (1,000 memories of one user searched for "hiking and
  sushi", and get memory) and add: per workload a 1 s warm-up
  per target, then 3 rounds of 1 s alternating over the targets (the median counts);
- the shape's cost in-process (Flask test client), writes with and without `--data`,
  the README's test command (`python -m pytest`) and `mem0-contracts` wall times, RSS per
  100,000 memories, in-process scale up to 100,000 memories;
- a profile for each missed target; then RESULTS.md, each target met or missed.

The full run takes about 8 minutes on 2 cores: ~4 min of served rounds, 2-4 min of
the README's tests, ~1 min of profiles, the rest under a minute each. `--tiny` runs the
same pieces at toy sizes in 1-2 minutes (the smoke test's setting: it checks the harness,
its numbers mean nothing; Prism only if already installed, no README tests).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from . import contracts_time, memory, persistence, scale, served, shape, targets
from .common import REPO_ROOT, cpu_count
from .loadgen import wrk_path
from .report import BenchResults, render
from .serve import SERVERS

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "RESULTS.md"
T = TypeVar("T")


@dataclass
class WritesSettings:
    duration: float = 2.0
    rounds: int = 3
    warmup: float = 1.0


@dataclass
class BenchConfig:
    served: served.ServedSettings = field(default_factory=served.ServedSettings)
    scale: scale.ScaleSettings = field(default_factory=scale.ScaleSettings)
    writes: WritesSettings | None = field(default_factory=WritesSettings)  # None: skip
    shape_cost_s: float = 1.0  # sampling time per request of the in-process shape cost (0: skip)
    memory_count: int = 100_000
    memory_users: int = 1_000
    memory_profile_count: int = 20_000  # tracemalloc's load when the memory target is missed
    contracts_args: list[str] | None = field(default_factory=list)  # None: skip the suite
    test_command: bool = True  # time the README's test command
    profile_seconds: float = 3.0
    profile_served_misses: bool = True  # a profiled load run per workload with a missed target
    command: str = "python -m benchmarks.run"
    not_run: dict[str, str] = field(default_factory=dict)  # step -> why, when a config skips it


def full_config(use_wrk: bool | None = None) -> BenchConfig:
    config = BenchConfig()
    config.served.use_wrk = use_wrk
    config.scale.budget_s = 3.0
    return config


def tiny_config(use_wrk: bool | None = None) -> BenchConfig:
    """Toy sizes so the whole harness runs in seconds (numbers meaningless)."""
    return BenchConfig(
        served=served.ServedSettings(
            memories=200, users=4, shape=200, connections=2, duration=0.2, rounds=1,
            warmup=0.0, use_wrk=use_wrk, prism="cached",
        ),
        scale=scale.ScaleSettings(
            single_scope=(50, 200), spread=(200, 10), budget_s=0.05, min_samples=4, max_samples=20
        ),
        writes=WritesSettings(duration=0.2, rounds=1, warmup=0.0),
        shape_cost_s=0.05,
        memory_count=200,
        memory_users=10,
        memory_profile_count=200,
        contracts_args=["-k", "ping"],
        test_command=False,
        profile_seconds=0.5,
        command="python -m benchmarks.run --tiny",
        not_run={"tests": "not run (--tiny: the README's test command takes minutes)"},
    )


def _step(name: str, action: Callable[[], T]) -> T:
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    began = time.perf_counter()
    result = action()
    print(f"[bench] {name} done in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    return result


def generator_name(use_wrk: bool | None, connections: int = 8) -> str:
    wrk = wrk_path() if use_wrk in (None, True) else None
    if wrk:
        return f"wrk (Lua script, `wrk -t1 -c{connections}`)"
    return f"Python (http.client, {connections} threads in their own process)"


def _profile_misses(config: BenchConfig, results: BenchResults) -> None:
    """A profile per missed target (one per workload or step, shared by the targets on it)."""
    for t in results.targets:
        if t.status != "MISS" or not t.key or t.key in results.profiles:
            continue
        if t.key.startswith("served:") and config.profile_served_misses:
            workload = t.key.split(":", 1)[1]
            results.profiles[t.key] = _step(
                f"profile served {workload}",
                lambda w=workload: served.profile_served(w, config.served, config.profile_seconds),  # type: ignore[misc]
            )
        elif t.key == "writes" and config.profile_served_misses:
            results.profiles[t.key] = _step(
                "profile served add with --data",
                lambda: served.profile_served("add", config.served, config.profile_seconds, data=True),
            )
        elif t.key == "memory":
            count = config.memory_profile_count
            users = max(1, count * config.memory_users // max(1, config.memory_count))
            results.profiles[t.key] = _step(
                "profile memory", lambda c=count, u=users: memory.profile_memory(c, u)  # type: ignore[misc]
            )
        elif t.key == "contracts" and results.contracts is not None:
            results.profiles[t.key] = "slowest tests (pytest --durations):\n" + results.contracts.slowest
        elif t.key == "tests" and results.tests is not None:
            results.profiles[t.key] = "slowest tests (pytest --durations):\n" + results.tests.slowest


def run_all(config: BenchConfig) -> BenchResults:
    """Run every benchmark; profile what misses its target."""
    started = datetime.now(timezone.utc)
    began = time.perf_counter()
    load_at_start = _load_average()
    results = BenchResults(
        started=started, seconds=0.0, cores=cpu_count(),
        generator=generator_name(config.served.use_wrk, config.served.connections), command=config.command,
        cpu=cpu_model(),
        not_run=dict(config.not_run),
    )
    results.served = _step("served throughput", lambda: served.measure_served(config.served))
    if config.shape_cost_s > 0:
        results.shape_cost = _step(
            "shape in-process", lambda: shape.app_cost(config.served.shape, budget_s=config.shape_cost_s)
        )
    writes = config.writes
    if writes is not None:
        results.writes = _step("writes with and without --data", lambda: persistence.measure_writes(
            writes.duration, writes.rounds, config.served.connections, config.served.use_wrk, writes.warmup,
        ))
    if config.test_command:
        results.tests = _step("the README's test command", lambda: contracts_time.measure_test_command())
    if config.contracts_args is not None:
        args = config.contracts_args
        results.contracts = _step("mem0-contracts", lambda: contracts_time.measure_contracts(args))
    results.memory = _step("memory", lambda: memory.measure_memory(config.memory_count, config.memory_users))
    results.scale = _step("scale", lambda: scale.measure_scale(config.scale, targets.wants_profile))
    results.targets = targets.evaluate(
        results.served, results.scale, results.contracts, results.memory, results.writes, results.tests
    )
    for row in results.scale.rows:
        if row.profile:
            results.profiles[f"scale:{row.operation}:{row.case.memories}:{row.case.users}"] = row.profile
    _profile_misses(config, results)
    results.revision = revision()
    results.seconds = time.perf_counter() - began
    load_at_end = _load_average()
    if load_at_start is not None and load_at_end is not None:
        results.load_average = (load_at_start, load_at_end)
    return results


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def revision() -> str:
    """The commit measured, and whether mock_server/ differs from it (read-only git calls)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO_ROOT, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "mock_server"], capture_output=True, text=True, cwd=REPO_ROOT,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    if head.returncode != 0:
        return ""
    note = " with uncommitted changes in mock_server/" if dirty.stdout.strip() else ""
    return f"commit `{head.stdout.strip()}`{note}"


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="markdown file to write (default: benchmarks/RESULTS.md)"
    )
    parser.add_argument(
        "--tiny", action="store_true", help="toy sizes in 1-2 minutes: checks the harness, measures nothing"
    )
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument(
        "--servers", default=",".join(SERVERS),
        help=f"comma-separated HTTP servers to measure (default: {','.join(SERVERS)}; one not installed is reported)",
    )
    parser.add_argument("--no-prism", action="store_true", help="skip Prism (else installed with npm when missing)")
    parser.add_argument("--no-tests", action="store_true", help="skip timing the README's test command (minutes)")
    parser.add_argument("--threads", type=int, help="one thread count for every server's floor and mock (default:"
                        " mem0-mock's for the server: granian and gunicorn 2, waitress 8)")
    args = parser.parse_args(argv)
    use_wrk = False if args.no_wrk else None
    config = tiny_config(use_wrk) if args.tiny else full_config(use_wrk)
    servers = tuple(name.strip() for name in args.servers.split(",") if name.strip())
    unknown = [name for name in servers if name not in SERVERS]
    if unknown or not servers:
        parser.error(f"--servers: choose among {', '.join(SERVERS)}")
    config.served.servers = servers
    if args.threads:
        config.served.threads = args.threads
    if args.no_prism:
        config.served.prism = "off"
    if args.no_tests:
        config.test_command = False
        config.not_run["tests"] = "not run (--no-tests)"
    results = run_all(config)
    text = render(results)
    args.output.write_text(text)
    print(text)
    print(f"[bench] wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
