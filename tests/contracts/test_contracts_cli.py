"""`mem0-contracts` end to end: it passes on the project's own mock and on the README's
any-key demo mock, and fails on a wrong key.

Runs the console script in a subprocess from a scratch directory, as a user would, so the
installed package (spec, plugin, suites) is what gets exercised, not this checkout's cwd.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_server.server import MockConfig, create_app
from mock_server.server.serving import BackgroundServer
from spec import load_spec
from tests.processes import running_mock

OPERATION_IDS = [
    op["operationId"]
    for methods in load_spec()["paths"].values()
    for op in methods.values()
    if isinstance(op, dict) and "operationId" in op
]
TABLE_TITLE = "mem0 contract checks per operation"
# What an any-key demo mock could change: every auth check, and the lifecycle checks (entities,
# exports, isolation) that see a project already holding the demo data. The whole suite passing
# on the same mock code is test_passes_on_its_own_mock; this keeps the default run short.
README_EXAMPLE_SELECTION = "test_rejects_bad_credentials or test_lifecycle or (test_shape and listEntities)"


def command() -> list[str]:
    script = Path(sys.executable).with_name("mem0-contracts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "contracts.cli"]


def run(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEM0_")}
    env["MEM0_TELEMETRY"] = "False"
    return subprocess.run([*command(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def table_rows(output: str) -> dict[str, list[int]]:
    """The per-operation table: operationId -> [checks, passed, failed, skipped]."""
    lines = output.split(TABLE_TITLE, 1)[1].splitlines()
    rows = {}
    for line in lines[2:]:
        parts = line.split()
        if len(parts) < 5 or not parts[1].isdigit():
            break
        rows[parts[0]] = [int(x) for x in parts[1:5]]
    return rows


@pytest.fixture(scope="module")
def key_only_mock() -> Iterator[BackgroundServer]:
    """A mock that knows exactly one key, "k"."""
    with BackgroundServer(create_app(MockConfig(api_keys=frozenset({"k"})))) as server:
        yield server


def test_passes_on_its_own_mock(tmp_path: Path) -> None:
    junit = tmp_path / "contracts.xml"
    result = run([f"--junitxml={junit}", "-q"], cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert TABLE_TITLE in output, output[-3000:]
    rows = table_rows(output)
    assert set(OPERATION_IDS) <= set(rows), f"missing from the table: {set(OPERATION_IDS) - set(rows)}"
    for op in OPERATION_IDS:
        checks, passed, failed, _ = rows[op]
        assert checks > 0 and failed == 0 and passed == checks, f"{op}: {rows[op]}"

    suite = ET.parse(junit).getroot()
    cases = list(suite.iter("testcase"))
    assert len(cases) > len(OPERATION_IDS), f"only {len(cases)} test cases in the JUnit report"
    names = " ".join(case.get("name", "") for case in cases)
    for op in OPERATION_IDS:
        assert f"test_shape[{op}:" in names, f"no JUnit test case names {op}"
    assert not list(suite.iter("failure")) and not list(suite.iter("error"))
    assert not (tmp_path / ".pytest_cache").exists()
    assert "warnings summary" not in output and not re.search(r"\d+ warnings?\b", output), output[-3000:]


def test_the_readme_example_passes_against_the_readme_demo_mock(tmp_path: Path) -> None:
    """`mem0-contracts --base-url http://127.0.0.1:8000 --api-key m0-local` against `mem0-mock --demo`,
    which takes any key: the suite says so once, skips only the wrong-key checks, and its
    probes leave no tenant behind but the one key's (no wrong key fills one with demo data)."""
    with running_mock("--demo", "--quiet") as (url, _):
        args = ["--base-url", url, "--api-key", "m0-local", "-q", "-rs", "-k", README_EXAMPLE_SELECTION]
        result = run(args, cwd=tmp_path)
        state = requests.get(f"{url}/_mock/state", timeout=10).json()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert output.count("so the wrong-key checks are skipped") == 1, output[-3000:]
    skipped = re.findall(r"SKIPPED \[(\d+)\] \S+: the target accepts any API key", output)
    assert sum(int(n) for n in skipped) == len(OPERATION_IDS), output[-3000:]  # one wrong-key check each
    passed = re.search(r"\b(\d+) passed", output)
    assert passed and int(passed[1]) > 2 * len(OPERATION_IDS)  # the no-header and other-scheme checks ran
    assert state["tenants"] == 1, state


def test_fails_with_a_wrong_key(tmp_path: Path, key_only_mock: BackgroundServer) -> None:
    junit = tmp_path / "wrong-key.xml"
    args = ["--base-url", key_only_mock.url, "--api-key", "not-the-key", f"--junitxml={junit}", "-q"]
    result = run([*args, "-k", "test_shape and (ping or getMemory or addMemories)"], cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-4000:]
    assert "[ping] positive_data_acceptance" in output, output[-4000:]
    assert "[401]" in output and "Invalid API key" in output, output[-4000:]
    rows = table_rows(output)
    assert rows["ping"][2] > 0 and rows["addMemories"][2] > 0, rows
    failures = [f.get("message", "") for f in ET.parse(junit).getroot().iter("failure")]
    assert any(m.startswith("AssertionError: [ping] positive_data_acceptance") for m in failures), failures


def test_help_names_the_target_options(tmp_path: Path) -> None:
    result = run(["--help"], cwd=tmp_path, timeout=60)
    assert result.returncode == 0
    for option in ("--base-url", "--api-key", "--second-api-key", "--max-wait", "--surface", "--webhook-receiver",
                   "--version"):
        assert option in result.stdout


def test_version(tmp_path: Path) -> None:
    result = run(["--version"], cwd=tmp_path, timeout=60)
    assert result.returncode == 0
    assert re.fullmatch(r"mem0-contracts \d+\.\d+\.\d+\S*\n", result.stdout), result.stdout


@pytest.mark.parametrize(
    ("argv", "spread"),
    [
        ([], True),
        (["-q", "-k", "ping"], True),
        (["-n", "0"], False),
        (["-n0"], False),
        (["--numprocesses=3"], False),
        (["-p", "no:xdist"], False),
        (["--pdb"], False),
        (["--base-url", "http://127.0.0.1:9", "--api-key", "k"], False),
    ],
)
def test_own_mock_runs_spread_over_the_cores_unless_told(
    argv: list[str], spread: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contracts import cli

    monkeypatch.delenv("MEM0_BASE_URL", raising=False)
    monkeypatch.setattr(cli, "default_workers", lambda: 2)
    args = cli.pytest_args(argv)
    added = ["-n", "2", "--dist", "worksteal"]
    assert any(args[i : i + 4] == added for i in range(len(args))) == spread, args
    if argv and not argv[0].startswith("--base-url"):
        assert args[-len(argv):] == argv  # pytest's own arguments come last, so they win


def test_default_workers_is_one_per_core_up_to_four(monkeypatch: pytest.MonkeyPatch) -> None:
    from contracts import cli

    for cores, workers in ((1, 0), (2, 2), (3, 3), (16, 4)):
        monkeypatch.setattr(cli.os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)), raising=False)
        assert cli.default_workers() == workers
