"""Markdown rendering of a benchmark run (benchmarks/RESULTS.md)."""

from __future__ import annotations

import math
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .contracts_time import ContractsResult
from .loadgen import LoadResult
from .memory import MemoryResult
from .scale import LatencyRow, ScaleResults
from .served import ADD_USER, ServedResults, median_round
from .targets import SPREAD_FACTOR, Target

MIB = 2**20


@dataclass
class BenchResults:
    started: datetime
    seconds: float
    cores: int
    generator: str
    command: str
    served: ServedResults | None = None
    scale: ScaleResults | None = None
    memory: MemoryResult | None = None
    contracts: ContractsResult | None = None
    targets: list[Target] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)  # target key -> profile text
    load_average: tuple[float, float] | None = None  # 1-minute load average at start and end
    revision: str = ""  # git commit of the tree measured


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; cells are str()-ed and their pipes escaped."""

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def _rps(rounds: list[LoadResult]) -> str:
    median = median_round(rounds).rps
    if len(rounds) == 1:
        return f"{median:,.0f}"
    low, high = min(r.rps for r in rounds), max(r.rps for r in rounds)
    return f"{median:,.0f} ({low:,.0f}-{high:,.0f})"


def per_ten_x(row: LatencyRow, previous: LatencyRow) -> str:
    """Growth of p50 normalised to a 10x step of the store (exact when sizes step by 10x)."""
    step = row.case.memories / previous.case.memories
    if previous.p50_ms <= 0 or step <= 1:
        return ""
    growth = (row.p50_ms / previous.p50_ms) ** (1 / math.log10(step))
    return f"x{growth:.1f} per 10x"


def _scale_rows(scale: ScaleResults) -> list[list[object]]:
    rows: list[list[object]] = []
    for operation in ("search-v2", "get-all-v2"):
        previous: LatencyRow | None = None
        alone: LatencyRow | None = None
        for row in (r for r in scale.rows if r.operation == operation):
            if row.case.alone:
                growth, alone = "(baseline)", row
            elif row.case.users > 1:
                growth = f"x{row.p50_ms / alone.p50_ms:.1f} of alone" if alone and alone.p50_ms else ""
            else:
                growth = per_ten_x(row, previous) if previous else ""
                previous = row
            rows.append([
                operation, row.case.label, f"{row.scope:,}", f"{row.matches:,.0f}", row.samples,
                _ms(row.p50_ms), _ms(row.p95_ms), growth,
            ])
    return rows


def render(results: BenchResults) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Produced by `{results.command}` on {results.started:%Y-%m-%d %H:%M} UTC in {results.seconds:.0f} s.",
        f"Machine: **{results.cores} cores**, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; HTTP load generator: {results.generator}."
        + (f" Tree measured: {results.revision}." if results.revision else ""),
        "Numbers are from one run on this machine; compare ratios rather than absolute values across machines."
        + (
            f" The 1-minute load average was {results.load_average[0]:.2f} at the start and "
            f"{results.load_average[1]:.2f} at the end (other work on the machine adds noise)."
            if results.load_average else ""
        ),
        "",
        "## Targets",
        "",
        table(
            ["target", "goal", "measured", "status"],
            [[t.name, t.goal, t.measured, t.status] for t in results.targets],
        ),
    ]
    served = results.served
    if served is not None:
        s = served.settings
        out += [
            "",
            "## Served throughput",
            "",
            f"The mock (default `MockConfig`, as `mem0-mock` serves it) and the floor (bare Flask answering a fixed "
            f"JSON body of one memory's size on any path) each run under waitress with "
            f"{s.threads} threads in their own process; the load generator is a third process driving "
            f"{s.connections} keep-alive connections. Per workload both servers get the same requests: a "
            f"{s.warmup:g} s warm-up each, then {s.rounds} rounds of {s.duration:g} s alternating floor and mock; "
            f"the median round counts (range in brackets), so a neighbour's burst of CPU skews one round, not the "
            f"result. {s.memories:,} memories are stored, over {s.users} users ({s.memories // max(1, s.users):,} "
            f"each).",
            "",
            table(
                ["workload", "mock req/s", "floor req/s", "mock / floor", "mock p50 ms", "mock p99 ms",
                 "floor p50 ms", "response bytes", "errors (mock/floor)"],
                [
                    [r.workload, _rps(r.mock_rounds), _rps(r.floor_rounds), f"{r.ratio:.0%}", _ms(r.mock.p50_ms),
                     _ms(r.mock.p99_ms), _ms(r.floor.p50_ms), f"{r.response_bytes:,}",
                     f"{sum(x.errors for x in r.mock_rounds)}/{sum(x.errors for x in r.floor_rounds)}"]
                    for r in served.rows
                ],
            ),
            "",
            "- get-memory rotates over 100 ids; get-all v2 sends `{\"AND\": [user_id, categories in [one], "
            "created_at gte 2025-01-01]}` for each user and 6 categories; search v2 sends 8 questions per user "
            "with `filters: {user_id}` and top_k 10.",
            f"- add (`infer: false`, one message, user `{ADD_USER}`) runs last and lets the store grow: it held "
            f"{served.stored_before:,} memories before the run and {served.stored_after:,} after (warm-up included). "
            f"The added memories sit in their own user scope, so the read workloads (run before) never saw them.",
        ]
    scale = results.scale
    if scale is not None:
        out += [
            "",
            "## Scale (in-process, no HTTP)",
            "",
            "Each call compiles the filter (`mock_server.engine.filters.compile_filter`), runs `Namespace.search` or "
            "`Namespace.select` and renders each answered memory, as the handlers do (JSON encoding excluded). "
            "search v2 filters on the user and cycles 8 questions (top_k 10, threshold 0.3); get-all v2 uses the "
            "get-all filter above, cycling 6 categories. Growth is the p50 ratio per 10x more memories; "
            f"the many-users row is compared with the same user's memories loaded alone (target: within "
            f"{SPREAD_FACTOR:g}x).",
            "",
            table(
                ["operation", "store", "user's memories", "results/call", "samples", "p50 ms", "p95 ms", "growth"],
                _scale_rows(scale),
            ),
            "",
            "Loading (`mock_server.engine.seeding.load_memories(namespace, generate_bulk(...))`, generation included; "
            "the alone case picks its user's memories before the clock starts):",
            "",
            table(
                ["store", "memories", "seconds", "memories/s"],
                [[load.case.label, f"{load.count:,}", f"{load.seconds:.2f}", f"{load.per_second:,.0f}"]
                 for load in scale.loads],
            ),
        ]
    memory = results.memory
    if memory is not None:
        out += [
            "",
            "## Memory",
            "",
            f"RSS of a fresh process before and after loading {memory.count:,} memories over {memory.users:,} users "
            "(memories, entity and search indexes, one history entry each), after a full GC.",
            "",
            table(
                ["memories", "RSS before MiB", "RSS after MiB", "MiB per 100,000 memories", "bytes per memory",
                 "load s"],
                [[f"{memory.count:,}", f"{memory.rss_before / MIB:.1f}", f"{memory.rss_after / MIB:.1f}",
                  f"{memory.mib_per_100k:.1f}", f"{memory.bytes_per_memory:,.0f}", f"{memory.load_seconds:.1f}"]],
            ),
        ]
    contracts = results.contracts
    if contracts is not None:
        out += [
            "",
            "## Contract suite",
            "",
            table(
                ["command", "wall s", "exit code", "pytest summary"],
                [[f"`{contracts.command}`", f"{contracts.seconds:.1f}", contracts.exit_code, contracts.summary]],
            ),
        ]
    missed = [t for t in results.targets if t.status == "MISS"]
    if missed:
        out += ["", "## Profiles of missed targets", ""]
        for target in missed:
            text = results.profiles.get(target.key) or "(no profile captured)"
            out += [f"### {target.name}", "", "```text", text, "```", ""]
    return "\n".join(out).rstrip() + "\n"
