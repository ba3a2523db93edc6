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
from .persistence import WritesResult
from .scale import LatencyRow, ScaleResults
from .served import ADD_USER, READ_WORKLOADS, SHAPE_WORKLOADS, Cell, ServedResults, median_round
from .shape import SHAPE_QUERY, CostRow
from .targets import (
    CONTRACTS_S,
    GET_VS_FLOOR,
    GET_VS_PRISM,
    MIB_PER_100K,
    SEARCH_VS_PRISM,
    SPREAD_FACTOR,
    TESTS_S,
    WORKLOAD_NAMES,
    WRITES_RATIO,
    Target,
)

MIB = 2**20


@dataclass
class BenchResults:
    started: datetime
    seconds: float
    cores: int
    generator: str
    command: str
    served: ServedResults | None = None
    shape_cost: list[CostRow] | None = None
    writes: WritesResult | None = None
    scale: ScaleResults | None = None
    memory: MemoryResult | None = None
    contracts: ContractsResult | None = None
    tests: ContractsResult | None = None
    not_run: dict[str, str] = field(default_factory=dict)  # step -> why it was skipped
    targets: list[Target] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)  # target key -> profile text
    load_average: tuple[float, float] | None = None  # 1-minute load average at start and end
    revision: str = ""  # git commit of the tree measured
    cpu: str = ""  # CPU model, when the OS says


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




def _cell(cell: Cell | None, missing: str = "") -> str:
    return _rps(cell.rounds) if cell is not None else missing


def _times(a: Cell | None, b: Cell | None) -> str:
    if a is None or b is None or b.rps <= 0:
        return ""
    return f"{a.rps / b.rps:.2f}x"


SERVER_HOW = {
    "waitress": "waitress with {threads} threads, in the server process itself (`BackgroundServer`)",
    "gunicorn": "`gunicorn -w 1 --threads {threads} -k gthread`: one worker process (the state lives in it) that "
                "builds the app, under its arbiter",
    "granian": "`mock_server.server.serving.serve_granian`, as `mem0-mock` runs it: one worker process with "
               "{threads} blocking threads that builds the app, the threads serving requests kept on one core "
               "(the floor's too)",
}


def _prism_missing(served: ServedResults, workload: str) -> str:
    if "prism" in served.skipped:
        return "not run"
    if f"{workload} prism" in served.failures:
        return "failed (below)"
    return ""


def _rounds(count: int, seconds: float, wrk: bool) -> str:
    """'3 rounds of 2 s' as the load generator ran them (wrk counts whole seconds, at least 1)."""
    if wrk:
        seconds = max(1, round(seconds))
    return f"{count} round{'s' if count != 1 else ''} of {seconds:g} s"


def _served_section(served: ServedResults, wrk: bool) -> list[str]:
    s = served.settings
    default, chosen = served.default_server, served.chosen
    others = [x for x in served.servers if x != default]
    workloads = [w for w in s.workloads if w in served.cells]
    scores = ", ".join(
        f"{server} {served.floor_scores.get(server, 0):,.0f}"
        for server in sorted(served.servers, key=lambda x: -served.floor_scores.get(x, 0))
    )
    skipped = [f"{name}: {why}" for name, why in served.skipped.items()]
    out = [
        "",
        "## Served throughput",
        "",
        f"Each target is its own process, started once for the whole run: the mock (default `MockConfig`, as "
        f"`mem0-mock --quiet` serves it) and the floor (bare Flask reading the request and answering a fixed JSON "
        f"body of one memory's size on any path) under each server ({', '.join(served.servers)}), and Prism. The "
        f"load generator is a separate process driving {s.connections} keep-alive connections. Per workload every "
        f"target gets the same requests (each mock its own memory ids): a {s.warmup:g} s warm-up each, then "
        f"{_rounds(s.rounds, s.duration, wrk)} that alternate over all the targets; the median round counts "
        f"(range in brackets), so a neighbour's burst of CPU skews one round, not a result. {s.memories:,} "
        f"memories are stored over {s.users} users ({s.memories // max(1, s.users):,} each) under the bench key, "
        f"and the shape's {s.shape:,} under their own key.",
        "",
        "- **Servers**: " + "; ".join(
            f"{x}: " + SERVER_HOW.get(x, x).format(threads=s.threads_for(x)) for x in served.servers
        ) + "." + (f" Not run: {'; '.join(skipped)}." if skipped else ""),
        f"- **The floor** of the ratios is bare Flask on the fastest server: geometric mean of its req/s over the "
        f"read workloads ({', '.join(READ_WORKLOADS)}): {scores} req/s, so **{chosen}**. Later workloads measure "
        f"the floor on {chosen} only.",
        f"- **The mock** counts as `mem0-mock` serves it by default: **{default}**; the columns for "
        f"{', '.join(others) or 'no other server'} show the same app under the other servers.",
        f"- **Prism**: {served.prism_note or served.skipped.get('prism', '')}; `prism mock spec/openapi.yaml "
        f"--verboseLevel error` (its per-request log lines off). It answers each operation's canned example after "
        f"validating the request, and checks that the `Authorization` header is there.",
        "",
        "### Side by side (req/s)",
        "",
        table(
            ["workload", f"mem0-mock ({default})", *[f"mock under {x}" for x in others], f"floor ({chosen})",
             "Prism", "mock / floor", "mock / Prism"],
            [
                [WORKLOAD_NAMES.get(w, w), _cell(served.mock(w)), *[_cell(served.mock(w, x)) for x in others],
                 _cell(served.floor(w)), _cell(served.prism(w), _prism_missing(served, w)),
                 _times(served.mock(w), served.floor(w)), _times(served.mock(w), served.prism(w))]
                for w in workloads
            ],
        ),
    ]
    shape_workloads = [w for w in SHAPE_WORKLOADS if w in served.cells]
    if shape_workloads:
        rows: list[list[object]] = [
            [f"`mem0-mock` ({default}, its default)", *[_cell(served.mock(w)) for w in shape_workloads]],
            *[[f"`mem0-mock`'s app under {x}", *[_cell(served.mock(w, x)) for w in shape_workloads]]
              for x in others],
            ["Prism mocking this project's spec (answers canned examples)",
             *[_cell(served.prism(w), _prism_missing(served, w)) for w in shape_workloads]],
            [f"bare Flask returning a fixed body, {chosen} (the floor)",
             *[_cell(served.floor(w)) for w in shape_workloads]],
        ]
        out += [
            "",
            f"### The shape: {s.shape:,} memories of one user, searched for \"{SHAPE_QUERY}\"",
            "",
            f"{s.shape:,} memories of one user under their own key: every eighth about hiking, every eighth about "
            f"sushi, the rest generated (`benchmarks/shape.py`); a word of the query occurs in "
            f"{served.shape_share:.1%} of them. get memory rotates over 100 of them; search v2 and v3 send "
            f"`{{\"query\": \"{SHAPE_QUERY}\", \"filters\": {{\"user_id\": U}}}}` (the endpoints' default "
            f"top_k and threshold). {s.connections} connections, req/s:",
            "",
            table(["server", *[WORKLOAD_NAMES[w].split(": ", 1)[1] for w in shape_workloads]], rows),
        ]
    for server in served.servers:
        rows = []
        for w in workloads:
            mock, floor = served.mock(w, server), served.floor(w, server)
            rows.append([
                WORKLOAD_NAMES.get(w, w), _cell(mock), _cell(floor, f"(floor on {chosen} only)"),
                _times(mock, floor), _ms(mock.median.p50_ms) if mock else "", _ms(mock.median.p99_ms) if mock else "",
                _ms(floor.median.p50_ms) if floor else "",
                f"{mock.errors if mock else '-'}/{floor.errors if floor else '-'}",
            ])
        label = " (mem0-mock's default)" if server == default else ""
        label += " (the floor of the ratios)" if server == chosen else ""
        out += [
            "",
            f"### {server}{label}",
            "",
            SERVER_HOW.get(server, server).format(threads=s.threads_for(server))[0].upper()
            + SERVER_HOW.get(server, server).format(threads=s.threads_for(server))[1:] + ".",
            "",
            table(["workload", "mock req/s", "floor req/s", "mock / floor", "mock p50 ms", "mock p99 ms",
                   "floor p50 ms", "errors (mock/floor)"], rows),
        ]
    out += ["", "### Prism", ""]
    if "prism" in served.skipped:
        out.append(f"Prism {served.skipped['prism']}.")
    else:
        out.append(table(
            ["workload", "req/s", "p50 ms", "p99 ms", "answer bytes (Prism / mock)", "errors"],
            [
                [WORKLOAD_NAMES.get(w, w), _cell(p, _prism_missing(served, w)),
                 _ms(p.median.p50_ms) if p else "", _ms(p.median.p99_ms) if p else "",
                 f"{p.response_bytes:,} / {m.response_bytes:,}" if p and m else "", p.errors if p else ""]
                for w in workloads
                for p, m in [(served.prism(w), served.mock(w))]
            ],
        ))
        for key, error in served.failures.items():
            out.append(f"\n- {key}: {error}")
    out += [
        "",
        "Workloads:",
        "",
        "- get memory rotates over 100 ids; get-all v2 sends `{\"AND\": [user_id, categories in [one], "
        "created_at gte 2025-01-01]}` for each user and 6 categories; search v2 and search v3 send 8 questions per "
        "user with `filters: {user_id}` and top_k 10.",
        f"- add (`infer: false`, one message, user `{ADD_USER}`) runs last and lets the store grow: the default "
        f"mock held {served.stored_before:,} memories before the run and {served.stored_after:,} after (warm-up "
        f"included). The added memories sit in their own user scope, so the read workloads (run before) never saw "
        f"them.",
        "- Errors count socket errors, timeouts and non-2xx answers; the answer sizes are the mean of the first "
        "requests of each plan.",
    ]
    return out


def _shape_cost_section(rows: list[CostRow]) -> list[str]:
    get = next((r for r in rows if r.workload == "shape-get-memory"), None)
    return [
        "",
        "### The shape in-process (the app's own cost per call)",
        "",
        "The same requests through Flask's test client in one thread (no HTTP server, no load generator): the "
        "whole app (validation, handler, engine, rendering, JSON), after 20 warm-up calls.",
        "",
        table(
            ["request", "p50 us", "p95 us", "x a get (p50)", "results", "answer bytes", "samples"],
            [
                [WORKLOAD_NAMES.get(r.workload, r.workload), f"{r.p50_us:,.0f}", f"{r.p95_us:,.0f}",
                 f"{r.p50_us / get.p50_us:.1f}x" if get and get.p50_us else "", r.results, f"{r.body_bytes:,}",
                 r.samples]
                for r in rows
            ],
        ),
    ]


def _writes_section(writes: WritesResult, wrk: bool) -> list[str]:
    return [
        "",
        "## Writes with `--data`",
        "",
        f"Two fresh `mem0-mock --quiet` processes (its default server), one in memory and one with `--data` in a new "
        f"SQLite file (every add committed before it is answered), each sent verbatim adds (`infer: false`, 8 users, "
        f"64 distinct bodies round-robin) on {writes.connections} connections: a warm-up each, then "
        f"{_rounds(len(writes.memory_rounds), writes.seconds, wrk)} alternating between them; the median round "
        f"counts. Target: `--data` >= {WRITES_RATIO:g}x in memory.",
        "",
        table(
            ["state", "adds/s", "p50 ms", "p99 ms", "errors"],
            [
                [label, _rps(rounds), _ms(median_round(rounds).p50_ms), _ms(median_round(rounds).p99_ms),
                 sum(r.errors for r in rounds)]
                for label, rounds in (("in memory", writes.memory_rounds), ("--data (SQLite)", writes.data_rounds))
            ],
        ),
        "",
        f"Ratio: {writes.ratio:.2f}x.",
    ]


def _suites_section(tests: ContractsResult | None, contracts: ContractsResult | None,
                    not_run: dict[str, str]) -> list[str]:
    rows = []
    for label, result, goal, key in (
        ("the README's test command", tests, TESTS_S, "tests"),
        ("mem0-contracts against a fresh mock", contracts, CONTRACTS_S, "contracts"),
    ):
        if result is None:
            rows.append([label, not_run.get(key, "not run"), "", "", f"< {goal:g} s"])
        else:
            rows.append([label, f"`{result.command}`", f"{result.seconds:.1f}", f"{result.exit_code}: {result.summary}",
                         f"< {goal:g} s"])
    out = [
        "",
        "## Test suites",
        "",
        "Wall time of each command as a subprocess from the repository root, with the harness's environment "
        "(`PYTHONPATH` on this tree, `MEM0_TELEMETRY=False`), nothing else running. The README's test command is "
        "`python -m pytest` (pytest-xdist `-n auto` through pyproject's addopts; `--durations` only adds the "
        "slowest tests to its report); `mem0-contracts` starts its own mock.",
        "",
        table(["suite", "command", "wall s", "exit: summary", "target"], rows),
    ]
    for result in (tests, contracts):
        if result is not None and result.failed:
            out += ["", f"Failing in `{result.command}`:", "", *[f"- `{line}`" for line in result.failed]]
    return out


def render(results: BenchResults) -> str:
    load = results.load_average
    wrk = results.generator.startswith("wrk")
    out = [
        "# Benchmark results",
        "",
        f"Produced by `{results.command}` on {results.started:%Y-%m-%d %H:%M} UTC in {results.seconds:.0f} s"
        + (f"; tree measured: {results.revision}" if results.revision else "") + ".",
        "",
        f"- Machine: **{results.cores} cores**" + (f" ({results.cpu})" if results.cpu else "")
        + f", {platform.system()} {platform.machine()}, Python {platform.python_version()}.",
        f"- 1-minute load average: {load[0]:.2f} at the start, {load[1]:.2f} at the end (other work on the machine "
        f"adds noise)." if load else "- Load average: not available here.",
        f"- HTTP load generator: {results.generator}.",
        "- Numbers are from this one run on this machine: compare ratios rather than absolute values across "
        "machines. Timings are never asserted in tests.",
        "",
        "## Targets",
        "",
        f"Served = the mock as `mem0-mock` serves it by default; floor = bare Flask on the fastest server; the "
        f"goals are issue 12's (get >= {GET_VS_PRISM:g}x Prism and >= {GET_VS_FLOOR:g}x the floor, search >= "
        f"{SEARCH_VS_PRISM:g}x Prism, <= {MIB_PER_100K:g} MiB per 100,000 memories, --data writes >= "
        f"{WRITES_RATIO:g}x in memory, the README's tests < {TESTS_S:g} s, mem0-contracts < {CONTRACTS_S:g} s) "
        "and the earlier scale targets.",
        "",
        table(
            ["target", "goal", "measured", "status"],
            [[t.name, t.goal, t.measured, t.status] for t in results.targets],
        ),
    ]
    if results.served is not None:
        out += _served_section(results.served, wrk)
    if results.shape_cost:
        out += _shape_cost_section(results.shape_cost)
    if results.writes is not None:
        out += _writes_section(results.writes, wrk)
    elif "writes" in results.not_run:
        out += ["", "## Writes with `--data`", "", results.not_run["writes"]]
    out += _suites_section(results.tests, results.contracts, results.not_run)
    memory = results.memory
    if memory is not None:
        out += [
            "",
            "## Memory",
            "",
            f"RSS of a fresh process before and after loading {memory.count:,} memories over {memory.users:,} users "
            "(`load_memories(namespace, generate_bulk(...))`: memories, entity and search indexes, one history "
            "entry each), after a full GC.",
            "",
            table(
                ["memories", "RSS before MiB", "RSS after MiB", "MiB per 100,000 memories", "bytes per memory",
                 "load s"],
                [[f"{memory.count:,}", f"{memory.rss_before / MIB:.1f}", f"{memory.rss_after / MIB:.1f}",
                  f"{memory.mib_per_100k:.1f}", f"{memory.bytes_per_memory:,.0f}", f"{memory.load_seconds:.1f}"]],
            ),
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
            "Loading (`mock_server.engine.seeding.load_memories(namespace, generate_bulk(...))`, generation "
            "included; the alone case picks its user's memories before the clock starts):",
            "",
            table(
                ["store", "memories", "seconds", "memories/s"],
                [[load.case.label, f"{load.count:,}", f"{load.seconds:.2f}", f"{load.per_second:,.0f}"]
                 for load in scale.loads],
            ),
        ]
    missed = [t for t in results.targets if t.status == "MISS"]
    if missed:
        out += ["", "## Profiles of missed targets", ""]
        shown: set[str] = set()
        for t in missed:
            text = results.profiles.get(t.key) or "(no profile captured)"
            if t.key and t.key in shown:
                out += [f"### {t.name}", "", "(the profile above: same requests)", ""]
                continue
            shown.add(t.key)
            out += [f"### {t.name}", "", "```text", text, "```", ""]
    return "\n".join(out).rstrip() + "\n"
