"""Smoke test of the benchmark harness at toy sizes: it runs and writes a well-formed table.

No timing is asserted (timings live in benchmarks/RESULTS.md); this only keeps
`python -m benchmarks.run` from rotting unnoticed.
"""

from __future__ import annotations

import sys

import pytest

from benchmarks import contracts_time, loadgen, persistence, run, served
from benchmarks.report import render
from benchmarks.targets import Target

STATUSES = {"PASS", "MISS", "n/a"}


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Every markdown table in `text`, as rows of cells (header first, separator dropped)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").replace("\\|", "\u2502").split("|")]
            if not all(set(cell) <= {"-"} and cell for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_tiny_run_writes_a_well_formed_results_table(tmp_path):
    config = run.tiny_config(use_wrk=False)  # the fallback generator, the part a wrk machine never runs
    config.contracts_args = None  # the real suite takes ~30 s; its wrapper is tested below
    config.profile_served_misses = False  # profile_served has its own test below
    results = run.run_all(config)
    results.targets.append(Target("forced miss", "-", "-", "MISS", "nowhere"))  # renders a profile section
    text = render(results)
    (tmp_path / "RESULTS.md").write_text(text)

    assert text.startswith("# Benchmark results")
    assert f"**{results.cores} cores**" in text
    tables = markdown_tables(text)
    assert len(tables) >= 5  # targets, served, scale, loading, memory
    for table in tables:
        assert len(table) >= 2
        assert len({len(row) for row in table}) == 1, table
    targets = tables[0]
    assert targets[0] == ["target", "goal", "measured", "status"]
    assert {row[3] for row in targets[1:]} <= STATUSES
    assert "## Profiles of missed targets" in text

    measured = results.served
    assert measured is not None
    assert list(measured.cells) == list(served.WORKLOADS)
    assert measured.default_server in measured.servers and measured.chosen in measured.servers
    for workload in served.WORKLOADS:
        for server in measured.servers:  # the mock under every server, the floor on the chosen one at least
            mock = measured.mock(workload, server)
            assert mock is not None and mock.errors == 0 and all(r.requests > 0 for r in mock.rounds)
        floor = measured.floor(workload)
        assert floor is not None and floor.errors == 0 and all(r.requests > 0 for r in floor.rounds)
    assert measured.stored_after > measured.stored_before  # add really added
    assert "prism" in measured.skipped or measured.prism("get-memory") is not None
    names = [t.name for t in results.targets]
    for workload in ("get memory", "shape: search v2", "shape: search v3", "search v2", "search v3"):
        assert any(workload in name and "Prism" in name for name in names), workload
    assert results.shape_cost is not None and [r.workload for r in results.shape_cost] == list(served.SHAPE_WORKLOADS)
    assert results.writes is not None and results.writes.ratio > 0
    assert "## Writes with `--data`" in text and "## Test suites" in text
    assert results.scale is not None and all(row.samples > 0 for row in results.scale.rows)
    assert results.memory is not None and results.memory.count == config.memory_count


def test_served_profile_captures_mock_functions():
    settings = run.tiny_config(use_wrk=False).served
    text = served.profile_served("get-memory", settings, seconds=0.5)
    assert "by own time" in text and "mock_server/" in text


def test_wrk_script_and_run():
    plan = [loadgen.Request("GET", "/v1/ping/"), loadgen.Request("POST", "/v2/memories/search/", '{"query": "x"}')]
    script = loadgen.wrk_script(plan)
    assert "Authorization" in script and "Token" in script and script.count("wrk.format") == 1
    if loadgen.wrk_path() is None:
        pytest.skip("wrk not installed")
    settings = run.tiny_config(use_wrk=True).served
    with served.ServerProcess("floor", settings) as floor:
        result = loadgen.run_load(floor.url, plan, 1, 2, use_wrk=True)
    assert result.generator == "wrk" and result.requests > 0 and result.errors == 0


def test_contracts_timing_wrapper():
    stand_in = [sys.executable, "-c", "print('== slowest 8 durations ==\\n0.1s call t\\n== 1 passed in 0.01s ==')"]
    result = contracts_time.measure_contracts(command=stand_in)
    assert result.exit_code == 0
    assert result.summary == "1 passed in 0.01s"
    assert result.slowest == "0.1s call t"
    assert contracts_time.contracts_command()


def test_test_command_timing_wrapper():
    stand_in = [sys.executable, "-c", "print('FAILED tests/x.py::t - boom\\n== 1 failed, 2 passed in 0.02s ==')"]
    result = contracts_time.measure_test_command(command=stand_in)
    assert result.exit_code == 0
    assert result.command.startswith("python -c")
    assert result.summary == "1 failed, 2 passed in 0.02s"
    assert result.failed == ["FAILED tests/x.py::t - boom"]


def test_the_persistence_benchmark_sends_adds_the_mock_accepts():
    from mock_server.server import MockConfig, create_app

    client = create_app(MockConfig()).test_client()
    for request in persistence.add_plan(8):
        reply = client.open(request.path, method=request.method, data=request.body, headers=request.headers())
        assert reply.status_code == 200, reply.get_data(as_text=True)
