"""The targets (issue 12, and the scale targets before it), checked against one run's results.

Each is PASS, MISS, or n/a when its numbers were not measured (a server or Prism not run,
a step skipped). "Served" means the mock as `mem0-mock` serves it by default (granian where
installed); "the floor" is bare Flask on the fastest server measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from .contracts_time import ContractsResult
from .memory import MemoryResult
from .persistence import WritesResult
from .scale import LatencyRow, ScaleResults
from .served import ServedResults

GET_VS_PRISM = 4.0
GET_VS_FLOOR = 0.6
SEARCH_VS_PRISM = 2.0
GET_WORKLOADS = ("get-memory", "shape-get-memory")
SEARCH_WORKLOADS = ("shape-search-v2", "shape-search-v3", "search-v2", "search-v3")
MIB_PER_100K = 120.0
WRITES_RATIO = 0.5
TESTS_S = 240.0
CONTRACTS_S = 15.0
SEARCH_P50_MS = {10_000: 5.0, 100_000: 25.0}
SPREAD_FACTOR = 2.0  # "about what that user's own memories cost": within 2x of them alone

WORKLOAD_NAMES = {
    "get-memory": "get memory",
    "get-all-v2": "get-all v2",
    "search-v2": "search v2",
    "search-v3": "search v3",
    "shape-get-memory": "shape: get memory",
    "shape-search-v2": "shape: search v2",
    "shape-search-v3": "shape: search v3",
    "add": "add",
}


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    status: str  # PASS, MISS or n/a
    key: str  # links a MISS to its profile


def _status(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "MISS"


def search_latency_missed(row: LatencyRow) -> bool:
    goal = SEARCH_P50_MS.get(row.case.memories)
    return (
        row.operation == "search-v2" and row.case.users == 1 and not row.case.alone
        and goal is not None and row.p50_ms >= goal
    )


def spread_baseline(row: LatencyRow, scale: ScaleResults) -> LatencyRow | None:
    if row.case.alone or row.case.users == 1:
        return None
    return scale.find(row.operation, row.case.memories, row.case.users, alone=True)


def spread_missed(row: LatencyRow, scale: ScaleResults) -> bool:
    baseline = spread_baseline(row, scale)
    return baseline is not None and row.p50_ms > SPREAD_FACTOR * baseline.p50_ms


def wants_profile(row: LatencyRow, scale: ScaleResults) -> bool:
    return search_latency_missed(row) or spread_missed(row, scale)


def _ratio_target(served: ServedResults | None, workload: str, against: str, goal: float) -> Target:
    label = WORKLOAD_NAMES.get(workload, workload)
    if served is None:
        return Target(f"served {label} vs {against}", f">= {goal:g}x", "not measured", "n/a", "")
    server = served.default_server
    mock = served.mock(workload)
    if against == "Prism":
        other, other_label = served.prism(workload), "Prism"
        why_not = served.skipped.get("prism") or served.failures.get(f"{workload} prism", "not measured")
    else:
        other, other_label = served.floor(workload), f"bare Flask on {served.chosen}"
        why_not = "not measured"
    name = f"served {label} ({server}) vs {other_label}"
    if mock is None or other is None or other.rps <= 0:
        return Target(name, f">= {goal:g}x", why_not if mock is not None else "not measured", "n/a", "")
    ratio = mock.rps / other.rps
    measured = f"{ratio:.2f}x ({mock.rps:,.0f} / {other.rps:,.0f} req/s)"
    return Target(name, f">= {goal:g}x", measured, _status(ratio >= goal), f"served:{workload}")


def served_targets(served: ServedResults | None) -> list[Target]:
    targets = [_ratio_target(served, w, "Prism", GET_VS_PRISM) for w in GET_WORKLOADS]
    targets += [_ratio_target(served, w, "floor", GET_VS_FLOOR) for w in GET_WORKLOADS]
    targets += [_ratio_target(served, w, "Prism", SEARCH_VS_PRISM) for w in SEARCH_WORKLOADS]
    return targets


def memory_target(memory: MemoryResult | None) -> Target:
    name, goal = "RSS per 100,000 stored memories", f"<= {MIB_PER_100K:g} MiB"
    if memory is None:
        return Target(name, goal, "not measured", "n/a", "")
    per_memory = memory.bytes_per_memory
    measured = f"{memory.mib_per_100k:.1f} MiB ({per_memory:,.0f} bytes per memory, {memory.count:,} loaded)"
    return Target(name, goal, measured, _status(memory.mib_per_100k <= MIB_PER_100K), "memory")


def writes_target(writes: WritesResult | None) -> Target:
    name, goal = "adds with --data (SQLite) vs in memory", f">= {WRITES_RATIO:g}x"
    if writes is None:
        return Target(name, goal, "not measured", "n/a", "")
    measured = f"{writes.ratio:.2f}x ({writes.data.rps:,.0f} / {writes.memory.rps:,.0f} adds/s)"
    return Target(name, goal, measured, _status(writes.ratio >= WRITES_RATIO), "writes")


def _suite_target(name: str, goal_s: float, result: ContractsResult | None, key: str) -> Target:
    goal = f"< {goal_s:g} s"
    if result is None:
        return Target(name, goal, "not run", "n/a", "")
    note = "" if result.exit_code == 0 else f" (exit {result.exit_code}: {result.summary})"
    return Target(name, goal, f"{result.seconds:.1f} s{note}", _status(result.seconds < goal_s), key)


def scale_targets(scale: ScaleResults | None) -> list[Target]:
    targets = []
    for size, goal_ms in SEARCH_P50_MS.items():
        found = scale.find("search-v2", size, 1) if scale else None
        targets.append(Target(
            f"search v2 p50 in-process, {size:,} memories in one scope", f"< {goal_ms:g} ms",
            f"{found.p50_ms:.2f} ms" if found else "not measured",
            _status(None if found is None else not search_latency_missed(found)), f"scale:search-v2:{size}:1",
        ))
    spread_rows = [r for r in scale.rows if not r.case.alone and r.case.users > 1] if scale else []
    for operation in ("search-v2", "get-all-v2"):
        row = next((r for r in spread_rows if r.operation == operation), None)
        baseline = spread_baseline(row, scale) if row and scale else None
        if row and baseline and scale:
            measured = (
                f"{row.p50_ms:.2f} ms vs {baseline.p50_ms:.2f} ms alone "
                f"({row.p50_ms / baseline.p50_ms:.1f}x)"
            )
            ok: bool | None = not spread_missed(row, scale)
            name = f"{operation}: 1 user among {row.case.users:,} ({row.case.memories:,} memories) vs that user alone"
            key = f"scale:{operation}:{row.case.memories}:{row.case.users}"
        else:
            measured, ok, name, key = "not measured", None, f"{operation}: 1 user among many vs alone", ""
        targets.append(Target(name, f"p50 <= {SPREAD_FACTOR:g}x alone", measured, _status(ok), key))
    return targets


def evaluate(
    served: ServedResults | None,
    scale: ScaleResults | None,
    contracts: ContractsResult | None,
    memory: MemoryResult | None = None,
    writes: WritesResult | None = None,
    tests: ContractsResult | None = None,
) -> list[Target]:
    return [
        *served_targets(served),
        memory_target(memory),
        writes_target(writes),
        _suite_target("the README's test command (python -m pytest)", TESTS_S, tests, "tests"),
        _suite_target("mem0-contracts against the mock", CONTRACTS_S, contracts, "contracts"),
        *scale_targets(scale),
    ]
