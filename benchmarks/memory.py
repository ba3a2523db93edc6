"""Memory: resident size of stored memories, measured in a fresh process.

A fresh process, so the number is not blurred by what other benchmarks allocated and
freed. RSS is read after the generator is primed (imports and demo pools loaded) and again
after the load, each after a full GC.

    python -m benchmarks.memory --count 100000 --users 1000
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import subprocess
import sys
import time
from dataclasses import dataclass

from .common import REPO_ROOT, SEED, python_cmd, rss_bytes, subprocess_env

RESULT_MARK = "BENCH_MEMORY "
TRACE_MARK = "BENCH_TRACE "


@dataclass
class MemoryResult:
    count: int
    users: int
    rss_before: int
    rss_after: int
    load_seconds: float

    @property
    def bytes_per_memory(self) -> float:
        return (self.rss_after - self.rss_before) / self.count if self.count else 0.0

    @property
    def mib_per_100k(self) -> float:
        return self.bytes_per_memory * 100_000 / 2**20


def measure_memory(count: int, users: int) -> MemoryResult:
    done = subprocess.run(
        python_cmd("benchmarks.memory", "--count", str(count), "--users", str(users)),
        capture_output=True, text=True, timeout=900, check=False, env=subprocess_env(), cwd=REPO_ROOT,
    )
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return MemoryResult(**json.loads(line[len(RESULT_MARK) :]))
    raise RuntimeError(f"memory benchmark failed (exit {done.returncode}): {done.stderr[-2000:]}")


def profile_memory(count: int, users: int, top: int = 15) -> str:
    """Where the bytes of `count` stored memories go: tracemalloc's biggest allocation sites
    (the profile of a missed memory target; tracing slows the load several times)."""
    done = subprocess.run(
        python_cmd("benchmarks.memory", "--count", str(count), "--users", str(users), "--trace", str(top)),
        capture_output=True, text=True, timeout=900, check=False, env=subprocess_env(), cwd=REPO_ROOT,
    )
    lines = [json.loads(line[len(TRACE_MARK) :]) for line in done.stdout.splitlines() if line.startswith(TRACE_MARK)]
    if not lines:
        return f"(no memory profile: exit {done.returncode}: {done.stderr[-1000:]})"
    return lines[-1]


def _trace_report(snapshot: object, count: int, top: int) -> str:
    import tracemalloc

    assert isinstance(snapshot, tracemalloc.Snapshot)
    stats = snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)]).statistics("lineno")
    total = sum(stat.size for stat in stats)
    out = [
        f"tracemalloc after loading {count:,} memories: {total / 2**20:.1f} MiB still allocated "
        f"({total / max(1, count):,.0f} bytes per memory), biggest sites by line:",
        f"{'MiB':>7} {'bytes/mem':>9} {'blocks':>9}  where",
    ]
    for stat in stats[:top]:
        frame = stat.traceback[0]
        where = frame.filename
        for marker in ("/mock_server/", "/benchmarks/", "/site-packages/", "/lib/python"):
            if marker in where:
                where = where[where.index(marker) + 1 :]
                break
        per_memory = stat.size / max(1, count)
        out.append(f"{stat.size / 2**20:7.1f} {per_memory:9,.0f} {stat.count:9,}  {where}:{frame.lineno}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.memory")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--trace", type=int, default=0, metavar="TOP", help="print tracemalloc's TOP sites instead")
    args = parser.parse_args(argv)

    from mock_server.engine.demo import generate_bulk
    from mock_server.engine.namespace import Namespace
    from mock_server.engine.seeding import load_memories

    namespace = Namespace("org-bench", "project-bench", "bench@bench.local")
    items = generate_bulk(args.count, args.users, seed=SEED)
    first = next(items)  # primes the generator's pools before the baseline
    gc.collect()
    if args.trace:
        import tracemalloc

        tracemalloc.start()
    before = rss_bytes()
    began = time.perf_counter()
    loaded = load_memories(namespace, itertools.chain([first], items))
    seconds = time.perf_counter() - began
    if args.trace:
        gc.collect()
        print(TRACE_MARK + json.dumps(_trace_report(tracemalloc.take_snapshot(), loaded, args.trace)), flush=True)
        return 0
    gc.collect()
    after = rss_bytes()
    result = MemoryResult(loaded, args.users, before, after, seconds)
    print(RESULT_MARK + json.dumps(result.__dict__), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
