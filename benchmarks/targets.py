"""The issue's targets, checked against measured results (PASS / MISS / n/a)."""

from __future__ import annotations

from dataclasses import dataclass

from .contracts_time import ContractsResult
from .scale import LatencyRow, ScaleResults
from .served import ServedResults

SERVED_RATIO = {"get-memory": 0.70, "search-v2": 0.50, "get-all-v2": 0.50}
SEARCH_P50_MS = {10_000: 5.0, 100_000: 25.0}
SPREAD_FACTOR = 2.0  # "about what that user's own memories cost": within 2x of them alone
CONTRACTS_S = 120.0


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


def evaluate(
    served: ServedResults | None, scale: ScaleResults | None, contracts: ContractsResult | None
) -> list[Target]:
    targets = []
    for workload, goal in SERVED_RATIO.items():
        row = next((r for r in served.rows if r.workload == workload), None) if served else None
        measured = f"{row.ratio:.0%} ({row.mock.rps:,.0f} / {row.floor.rps:,.0f} req/s)" if row else "not measured"
        targets.append(Target(
            f"served {workload} throughput vs floor", f">= {goal:.0%}", measured,
            _status(None if row is None else row.ratio >= goal), f"served:{workload}",
        ))
    for size, goal_ms in SEARCH_P50_MS.items():
        found = scale.find("search-v2", size, 1) if scale else None
        targets.append(Target(
            f"search v2 p50, {size:,} memories in one scope", f"< {goal_ms:g} ms",
            f"{found.p50_ms:.2f} ms" if found else "not measured",
            _status(None if found is None else not search_latency_missed(found)), f"scale:search-v2:{size}:1",
        ))
    spread_rows = [r for r in scale.rows if not r.case.alone and r.case.users > 1] if scale else []
    for operation in ("search-v2", "get-all-v2"):
        row = next((r for r in spread_rows if r.operation == operation), None)
        baseline = spread_baseline(row, scale) if row and scale else None
        if row and baseline:
            measured = (
                f"{row.p50_ms:.2f} ms vs {baseline.p50_ms:.2f} ms alone "
                f"({row.p50_ms / baseline.p50_ms:.1f}x)"
            )
            ok: bool | None = not spread_missed(row, scale)  # type: ignore[arg-type]
            name = f"{operation}: 1 user among {row.case.users:,} ({row.case.memories:,} memories) vs that user alone"
            key = f"scale:{operation}:{row.case.memories}:{row.case.users}"
        else:
            measured, ok, name, key = "not measured", None, f"{operation}: 1 user among many vs alone", ""
        targets.append(Target(name, f"p50 <= {SPREAD_FACTOR:g}x alone", measured, _status(ok), key))
    if contracts is None:
        targets.append(Target("mem0-contracts wall time", f"< {CONTRACTS_S:g} s", "not run", "n/a", ""))
    else:
        note = "" if contracts.exit_code == 0 else f", exit {contracts.exit_code}: {contracts.summary}"
        targets.append(Target(
            "mem0-contracts wall time", f"< {CONTRACTS_S:g} s", f"{contracts.seconds:.1f} s{note}",
            _status(contracts.seconds < CONTRACTS_S), "contracts",
        ))
    return targets
