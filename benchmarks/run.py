"""Run every benchmark and write benchmarks/RESULTS.md: `python -m benchmarks.run`.

Full run (~5-10 minutes on 2 cores): served throughput (10 s per workload and server),
scale up to 100,000 memories, RSS per 100,000 memories, `mem0-contracts` wall time, then
profiles for any missed target. `--tiny` runs the same pieces at toy sizes (the smoke
test's setting; its numbers mean nothing).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from mock_server.server.serving import DEFAULT_THREADS

from . import contracts_time, memory, scale, served, targets
from .common import REPO_ROOT, cpu_count
from .loadgen import wrk_path
from .report import BenchResults, render

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "RESULTS.md"
T = TypeVar("T")


@dataclass
class BenchConfig:
    served: served.ServedSettings = field(default_factory=served.ServedSettings)
    scale: scale.ScaleSettings = field(default_factory=scale.ScaleSettings)
    memory_count: int = 100_000
    memory_users: int = 1_000
    contracts_args: list[str] | None = field(default_factory=list)  # None: skip the suite
    profile_seconds: float = 5.0
    profile_served_misses: bool = True  # a profiled load run per missed throughput target
    command: str = "python -m benchmarks.run"


def full_config(use_wrk: bool | None = None) -> BenchConfig:
    config = BenchConfig()
    config.served.threads = DEFAULT_THREADS
    config.served.use_wrk = use_wrk
    return config


def tiny_config(use_wrk: bool | None = None) -> BenchConfig:
    """Toy sizes so the whole harness runs in seconds (numbers meaningless)."""
    return BenchConfig(
        served=served.ServedSettings(
            memories=200, users=4, threads=DEFAULT_THREADS, connections=2, duration=0.5, rounds=1, warmup=0.0,
            use_wrk=use_wrk,
        ),
        scale=scale.ScaleSettings(
            single_scope=(50, 200), spread=(200, 10), budget_s=0.05, min_samples=4, max_samples=20
        ),
        memory_count=200,
        memory_users=10,
        contracts_args=["-k", "ping"],
        profile_seconds=0.5,
        command="python -m benchmarks.run --tiny",
    )


def _step(name: str, action: Callable[[], T]) -> T:
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    began = time.perf_counter()
    result = action()
    print(f"[bench] {name} done in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    return result


def generator_name(use_wrk: bool | None) -> str:
    wrk = wrk_path() if use_wrk in (None, True) else None
    return "wrk (Lua script, 1 thread)" if wrk else "Python (http.client threads, own process)"


def run_all(config: BenchConfig) -> BenchResults:
    """Run every benchmark; profile what misses its target."""
    started = datetime.now(timezone.utc)
    began = time.perf_counter()
    load_at_start = _load_average()
    results = BenchResults(
        started=started, seconds=0.0, cores=cpu_count(),
        generator=generator_name(config.served.use_wrk), command=config.command,
    )
    results.served = _step("served throughput", lambda: served.measure_served(config.served))
    results.scale = _step("scale", lambda: scale.measure_scale(config.scale, targets.wants_profile))
    results.memory = _step("memory", lambda: memory.measure_memory(config.memory_count, config.memory_users))
    if config.contracts_args is not None:
        args = config.contracts_args
        results.contracts = _step("mem0-contracts", lambda: contracts_time.measure_contracts(args))
    results.targets = targets.evaluate(results.served, results.scale, results.contracts)

    for row in results.scale.rows:
        if row.profile:
            results.profiles[f"scale:{row.operation}:{row.case.memories}:{row.case.users}"] = row.profile
    for target in results.targets:
        if target.status != "MISS":
            continue
        if target.key.startswith("served:") and config.profile_served_misses:
            workload = target.key.split(":", 1)[1]
            results.profiles[target.key] = _step(
                f"profile served {workload}",
                lambda w=workload: served.profile_served(w, config.served, config.profile_seconds),  # type: ignore[misc]
            )
        elif target.key == "contracts" and results.contracts is not None:
            results.profiles[target.key] = "slowest tests (pytest --durations):\n" + results.contracts.slowest
    results.revision = revision()
    results.seconds = time.perf_counter() - began
    load_at_end = _load_average()
    if load_at_start is not None and load_at_end is not None:
        results.load_average = (load_at_start, load_at_end)
    return results


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
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="markdown file to write")
    parser.add_argument("--tiny", action="store_true", help="toy sizes: checks the harness, measures nothing")
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk exists")
    args = parser.parse_args(argv)
    use_wrk = False if args.no_wrk else None
    config = tiny_config(use_wrk) if args.tiny else full_config(use_wrk)
    results = run_all(config)
    text = render(results)
    args.output.write_text(text)
    print(text)
    print(f"[bench] wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
